"""The values passed between stages: frozen dataclasses, tuples and tz-aware datetimes.

No I/O happens here. Every stage takes these values and returns new ones.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import Any, Literal, TypeVar

_T = TypeVar("_T")


def pickled_by_fields(cls: type[_T]) -> type[_T]:
    """Make a frozen, slotted dataclass pickle as its class and its fields' values, made
    again by calling the class: the cache stores every article, and the dataclass's own
    slots state (a Python loop over ``fields`` to save, another to load) made loading the
    heads of 10,000 files about a third slower (measured: 0.157 against 0.113 s).

    >>> import pickle
    >>> a = Article("a", "a.md", "", "T", tags=("x",))
    >>> pickle.loads(pickle.dumps(a)) == a
    True
    """
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    if len(names) < 2:  # attrgetter gives a tuple for two names or more
        raise TypeError(f"{cls.__name__}: expected two fields or more, found {len(names)}")
    values = operator.attrgetter(*names)

    def __reduce__(self: _T) -> tuple[type[_T], tuple[Any, ...]]:
        return (cls, values(self))

    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]
    return cls


def astuple_shallow(value: Any) -> tuple[Any, ...]:
    """A dataclass's field values in order, not copied (``dataclasses.astuple`` copies
    them deeply): what ``slot_maker``'s functions take back.

    >>> astuple_shallow(Block("p", "One.", "<p>One.</p>"))
    ('p', 'One.', '<p>One.</p>')
    """
    return tuple(getattr(value, f.name) for f in fields(value))


def slot_maker(cls: type[_T]) -> Callable[..., _T]:
    """A function that makes an instance of ``cls``, a frozen and slotted dataclass
    without ``__post_init__``, from every field's value in order: what ``cls(*values)``
    makes, made faster.

    Hand-written for the values a build makes by the thousand from what its cache kept
    (every article's head, every story it keeps): a frozen dataclass's ``__init__`` sets
    each field through ``object.__setattr__``, which looks the slot up again every time.
    This one calls each slot's own setter, looked up once, in a function written out
    for the class as ``dataclasses`` writes ``__init__`` (10,000 articles: 19 against
    42 ms; one function for every class, looping over the setters, took 39 ms).

    A field's default is the made function's default too; a class with a field the
    function could not take as ``__init__`` does (keyword-only, not in ``__init__``, or
    made by a factory) is refused, as is one that is not slotted or has a
    ``__post_init__``.

    >>> make = slot_maker(Block)
    >>> make("p", "One.", "<p>One.</p>") == Block("p", "One.", "<p>One.</p>")
    True
    >>> slot_maker(Story)("s", "s", None, (), None, None, ()).folder
    ''
    """
    found = fields(cls)  # type: ignore[arg-type]
    odd = [f.name for f in found if not f.init or f.kw_only or f.default_factory is not MISSING]
    if "__slots__" not in vars(cls) or getattr(cls, "__post_init__", None) is not None or odd:
        raise TypeError(
            f"{cls.__name__}: expected a slotted dataclass without __post_init__ whose "
            f"fields are all positional, found {', '.join(odd) or 'neither'}"
        )
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls}
    params = []
    for n, f in enumerate(found):
        scope[f"set{n}"] = getattr(cls, f.name).__set__
        if f.default is MISSING:
            params.append(f"v{n}")
        else:
            scope[f"default{n}"] = f.default
            params.append(f"v{n}=default{n}")
    sets = "".join(f"    set{n}(made, v{n})\n" for n in range(len(found)))
    exec(  # (text of our own)
        f"def make({', '.join(params)}):\n    made = new(cls)\n{sets}    return made\n", scope
    )
    make: Callable[..., _T] = scope["make"]
    make.__qualname__ = make.__name__ = f"make_{cls.__name__.lower()}"
    return make


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
        """Pickled as its class and fields (see ``pickled_by_fields``), its html as the
        very text where the two are equal, as in most paragraphs of prose: pickle then
        writes the string once, and what is unpickled holds it once. At 10,000 generated
        articles, a body's pickle went from 8.9 to 5.1 KB on average, in the cache and
        in memory.

        >>> import pickle
        >>> b = pickle.loads(pickle.dumps(Block("p", "Rain fell.", "Rain fell.")))
        >>> b == Block("p", "Rain fell.", "Rain fell."), b.html is b.text
        (True, True)
        """
        text, html = self.text, self.html
        return (Block, (self.kind, text, text if html == text else html))


@pickled_by_fields
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
    """``digest.stories.slugify(slug or title)``, when loading worked it out already (in
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
        if self.folder:
            return _folder_path(self.folder)
        return self.dated_path

    @property
    def place(self) -> str:
        """``path`` as a string, made without pathlib when the folder given is plain (see
        ``is_plain_path``): every page, feed and sitemap links every story."""
        if self.folder and is_plain_path(self.folder):
            return self.folder
        return str(self.path)

    @property
    def dated_path(self) -> PurePosixPath:
        """The folder a story is first given: its day of publication and its slug."""
        return _story_path(self.published, self.published.utcoffset(), self.slug)

    def placed(self, id: str, folder: str) -> Story:
        """The story with the id and folder given it (see ``digest.identity``).

        ``replace`` spelled out: a build places every story, and ``replace`` took two
        thirds of that (3.8 against 1.5 µs a story).
        """
        return self._but(id, self.summary, folder)

    def summarized(self, summary: tuple[str, ...]) -> Story:
        """The story with its summary (``replace`` spelled out, as in ``placed``)."""
        return self._but(self.id, summary, self.folder)

    def _but(self, id: str, summary: tuple[str, ...], folder: str) -> Story:
        return make_story(
            id,
            self.slug,
            self.lead,
            self.articles,
            self.published,
            self.updated,
            self.tags,
            summary,
            folder,
        )


make_article = slot_maker(Article)
"""``Article(*values)``, faster (see ``slot_maker``): for the heads every build reads."""
make_story = slot_maker(Story)
"""``Story(*values)``, faster (see ``slot_maker``): for the stories every build fills."""


def is_plain_path(path: str) -> bool:
    """True when ``path`` is a relative path that pathlib would write as it is: no empty
    part, no ``.`` or ``..``. Such a path (a story's folder, a file of the site) is used
    as it is, without making a path object of it.

    >>> [is_plain_path(f) for f in ("2025/07/14/rain", "a//b", "./a", "a/..", "", "/a")]
    [True, False, False, False, False, False]
    """
    parts = path.split("/")  # three searches in C: a build asks this of every story often
    return "" not in parts and "." not in parts and ".." not in parts


# Both memoized: pages link every story many times, and pathlib parses on each call.
@functools.lru_cache(maxsize=1 << 17)
def _folder_path(folder: str) -> PurePosixPath:
    return PurePosixPath(folder)


@functools.lru_cache(maxsize=1 << 17)
def _story_path(published: datetime, offset: timedelta | None, slug: str) -> PurePosixPath:
    # The offset is part of the key because equal instants in two offsets are equal
    # datetimes that can fall on different days.
    return PurePosixPath(published.strftime("%Y/%m/%d")) / slug


@pickled_by_fields
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


@pickled_by_fields
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
