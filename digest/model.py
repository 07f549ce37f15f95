"""The values passed between stages: frozen dataclasses, tuples and tz-aware datetimes.

No I/O happens here. Every stage takes these values and returns new ones.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import Literal

BlockKind = Literal["p", "h2", "h3", "ul", "ol", "blockquote", "pre"]
HEADING_KINDS: frozenset[str] = frozenset({"h2", "h3"})


@dataclass(frozen=True, slots=True)
class Block:
    """One block of an article body: a paragraph, a subhead, a list or a quotation.

    ``text`` is plain text (what sentences, folding and summaries read); ``html`` is the
    block's inner HTML, already sanitized, that the templates render as it is.

    >>> Block("h2", "Frontline Tension", "Frontline Tension").is_heading
    True
    """

    kind: BlockKind
    text: str
    html: str

    @property
    def is_heading(self) -> bool:
        return self.kind in HEADING_KINDS

    def __reduce__(self) -> tuple[type[Block], tuple[str, str, str]]:
        # Pickled as its three fields: the cache stores every article's blocks, and the
        # dataclass's own slots state (a Python loop over its fields) made pickling and
        # unpickling a body ~1.7x slower (measured over 2,000 bodies).
        return (Block, (self.kind, self.text, self.html))


@dataclass(frozen=True, slots=True)
class Article:
    """One article as one outlet published it.

    ``id`` is stable: it comes from the source path relative to the content folder (or
    the entry's URL for feed entries), never from the order of loading.
    """

    id: str
    path: str
    outlet: str
    title: str
    dek: str = ""
    url: str = ""
    published: datetime | None = None
    tags: tuple[str, ...] = ()
    blocks: tuple[Block, ...] = ()
    summary_override: tuple[str, ...] = ()
    draft: bool = False
    slug: str = ""
    summary: tuple[str, ...] = ()
    """The article's own lead summary, when a build has worked it out already."""
    sentences: tuple[tuple[str, ...], ...] = ()
    stub_words: int | None = None
    """Set only on a stub: the article without its body (see ``stub``), and this is the
    body's word count."""
    title_slug: str = ""
    """``digest.dedup.slugify(slug or title)``, when loading worked it out already (in
    the workers that load files, so that a build does not slugify every headline again)."""

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """The body's text blocks, subheads left out."""
        return tuple(b.text for b in self.blocks if not b.is_heading)

    @property
    def word_count(self) -> int:
        if self.stub_words is not None:
            return self.stub_words
        return sum(len(p.split()) for p in self.paragraphs)

    @property
    def is_stub(self) -> bool:
        return self.stub_words is not None

    def stub(self) -> Article:
        """The article without its body (blocks and sentences), all else kept: what
        listings, feeds and folding (with cached fingerprints) need, a fraction of the
        size. A build keeps stubs of every article and fetches a body only to render it.

        >>> a = Article("a", "a.md", "", "T", blocks=(Block("p", "One two.", "One two."),))
        >>> s = a.stub()
        >>> s.blocks, s.word_count, s.is_stub
        ((), 2, True)
        """
        if self.stub_words is not None:
            return self
        return replace(self, blocks=(), sentences=(), stub_words=self.word_count)


@dataclass(frozen=True, slots=True)
class Story:
    """One story: every copy of it that any outlet carried, folded together.

    ``lead`` is the most complete copy; ``articles`` holds every copy (the lead included),
    in the order they were published.
    """

    id: str
    slug: str
    lead: Article
    articles: tuple[Article, ...]
    published: datetime
    updated: datetime
    tags: tuple[str, ...]
    summary: tuple[str, ...] = ()
    folder: str = ""

    @property
    def title(self) -> str:
        return self.lead.title

    @property
    def path(self) -> PurePosixPath:
        """The story page's folder inside the site, e.g. ``2025/07/14/russia-ukraine``.

        ``folder`` once given (see ``digest.identity``) is kept; before that, the folder is
        the day of publication and the slug.
        """
        return _story_path(self.folder, self.published, self.published.utcoffset(), self.slug)


@functools.lru_cache(maxsize=1 << 17)
def _story_path(
    folder: str, published: datetime, offset: timedelta | None, slug: str
) -> PurePosixPath:
    # Memoized: pages link every story many times, and pathlib parses on each call. The
    # offset is part of the key because equal instants in two offsets are equal datetimes
    # that can fall on different days.
    if folder:
        return PurePosixPath(folder)
    return PurePosixPath(published.strftime("%Y/%m/%d")) / slug


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one input file; the build goes on without it.

    >>> str(Problem("a.md", "load", "front matter: expected a mapping, found a list"))
    'a.md: load: front matter: expected a mapping, found a list'
    """

    path: str
    stage: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.stage}: {self.message}"


@dataclass(frozen=True, slots=True)
class Merge:
    """Why two articles were put in one story: containment both ways and the threshold."""

    a: str
    b: str
    containment_ab: float
    containment_ba: float
    threshold: float


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did: counts for the final line, problems, merges, written files."""

    articles: int
    stories: int
    problems: tuple[Problem, ...]
    files: int
    merges: tuple[Merge, ...] = field(default=())

    @property
    def copies_folded(self) -> int:
        return self.articles - self.stories
