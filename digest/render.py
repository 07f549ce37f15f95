"""Pages through Jinja: the front page, one page per story, the 404 page, static files.

Templates are looked up in the site's own ``templates/`` first, then in the default
theme; ``{% extends "!default/base.html" %}`` reaches the default of the same name.
Autoescape is on and undefined names are errors. Body HTML arrives already sanitized
(``digest.sanitize``) and is the only thing marked safe.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup

from digest.cache import text_key
from digest.config import Config
from digest.model import Article, Block, Story
from digest.publish import Placed, Placer
from digest.sections import Listing, Sections, outlet_folder, topic_folder
from digest.theme import theme_dir


@dataclass(frozen=True, slots=True)
class Site:
    """What every template may use about the site itself."""

    title: str
    description: str
    url: str
    base_path: str
    language: str
    generated: datetime


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's bytecode cache, which never fails a build: a compiled template that cannot
    be read is compiled again, one that cannot be written is not kept."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # damaged, unreadable, or a link where a file should be
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        # A full disk or a read-only folder: the template is compiled next time too.
        with contextlib.suppress(Exception):
            super().dump_bytecode(bucket)


def compiled_templates_key() -> str:
    """What compiled templates depend on besides their source, which Jinja checks itself:
    digest's version and its libraries' (Jinja's among them), Python's, and this module
    (its filters and the environment's options).

    >>> len(compiled_templates_key())
    40
    """
    import sys

    from digest.cache import key, program_version

    here = Path(__file__).read_bytes()
    return key(program_version(), sys.implementation.cache_tag, here)


def make_environment(
    site_templates: Path | None, compiled: Path | None = None
) -> jinja2.Environment:
    """A Jinja environment over the site's templates, then the default theme; templates
    compiled once are kept in the folder ``compiled``, if given (one folder for each
    ``compiled_templates_key``).

    Compiling the theme's templates took 0.08 s of every build, a twentieth of a rebuild;
    read back from Jinja's bytecode cache, 0.005 s. Jinja checks each against its
    template's source, so an edited template is compiled again.
    """
    defaults = jinja2.FileSystemLoader(theme_dir("templates"))
    loaders: list[jinja2.BaseLoader] = []
    if site_templates is not None and site_templates.is_dir():
        loaders.append(jinja2.FileSystemLoader(site_templates))
    loaders += [defaults, jinja2.PrefixLoader({"!default": defaults}, delimiter="/")]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one environment a build; templates do not change under it
        bytecode_cache=_CompiledTemplates(str(compiled)) if compiled else None,
    )
    return env


def _block_html(block: Block) -> Markup:
    # The block's html was sanitized by digest.sanitize when it was loaded; its kind is
    # one of model.BlockKind, each the name of its HTML element.
    return Markup(f"<{block.kind}>{block.html}</{block.kind}>")


@dataclass(frozen=True, slots=True)
class PageMemo:
    """What lets a build keep pages of the previous site instead of rendering them again.

    ``signature`` covers the theme and the configuration; ``file_keys`` gives each source
    file's content key; ``previous`` each page's key in the last build; ``reusable`` the
    pages the previous site still has.
    """

    signature: str
    file_keys: Mapping[str, str]
    previous: Mapping[str, str]
    reusable: frozenset[str]


class Renderer:
    """Renders pages for one build: one environment, one site, one time zone.

    With a ``memo``, pages whose inputs did not change are not rendered: they are listed
    in ``carried`` and the publisher keeps the previous site's file. Stories may carry
    stub articles (see ``Article.stub``): ``bodies`` gives the whole article for a stub
    when a story page is rendered.
    """

    def __init__(
        self,
        config: Config,
        now: datetime,
        memo: PageMemo | None = None,
        bodies: Callable[[Article], Article] | None = None,
        compiled: Path | None = None,
        known_keys: Mapping[str, str] | None = None,
    ) -> None:
        self.memo = memo
        self._known_keys = known_keys or {}
        self.bodies = bodies
        self.page_keys: dict[str, str] = {}
        self.carried: set[str] = set()  # paths in the site, as in page_keys
        self._folders: dict[str, str] = {}
        self.config = config
        self.tz = ZoneInfo(config.timezone)
        base_path = urlsplit(config.site_url).path or "/"
        self.site = Site(
            config.title, config.description, config.site_url, base_path, config.language, now
        )
        self.env = make_environment(config.root / "templates", compiled)
        # Whether the default theme's listing pages are the site's: a month's or a year's
        # then shows its days or months, never its stories (see ``_listing_key``). A
        # site's own template may show them, so with any template of its own they are
        # keyed as every listing's are.
        own = config.root / "templates"
        self._default_theme = (
            not (own.is_dir() and any(p.is_file() for p in own.rglob("*")))
            or own.resolve() == theme_dir("templates").resolve()  # (a site in a checkout)
        )
        self.env.filters["block_html"] = _block_html
        self.env.filters["local"] = self.local
        self.env.filters["nice_date"] = lambda d: self.local(d).strftime("%-d %B %Y")
        self.env.filters["nice_time"] = self.nice_time
        self.env.globals.update(
            site=self.site,
            link=self.link,
            story_link=self.story_link,
            folder_link=self.folder_link,
            story_cards=self.story_cards,
        )
        self._cards: dict[str, tuple[Story, str, str]] = {}
        self._story_keys: Mapping[str, str] | None = None

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.tz)

    def nice_time(self, when: datetime) -> str:
        """A date and time for readers; a date given without a time shows as the date alone."""
        local = self.local(when)
        if when.hour == when.minute == when.second == 0:
            return local.strftime("%-d %B %Y")
        return local.strftime("%-d %B %Y, %H:%M %Z")

    def link(self, path: str) -> str:
        """A root-relative link to a path inside the site, honouring the base URL's path."""
        return self.site.base_path + path.lstrip("/")

    def story_link(self, story: Story) -> str:
        return self.link(self._folder(story))

    def story_url(self, story: Story) -> str:
        """The story page's absolute URL."""
        return self.config.site_url + self._folder(story)

    def _folder(self, story: Story) -> str:
        """``path/`` of a story page, worked out once a build: every listing and page
        that shows a story links to it (a story's id names one folder in a build)."""
        folder = self._folders.get(story.id)
        if folder is None:
            folder = self._folders[story.id] = f"{story.place}/"
        return folder

    def story_cards(self, stories: Sequence[Story], heading: str = "h2") -> Markup:
        """The cards of ``stories`` (``_card.html``), each followed by an empty line.

        A story's card is the same on every listing that shows it (five on average), so
        it is rendered once a build and kept, with the story it was made from: reused only
        for that very story object (stories are immutable) under the same heading. Links
        are root-relative and dates in the site's zone, so a card reads the same anywhere.
        """
        template = self.env.get_template("_card.html")
        out = []
        for story in stories:
            kept = self._cards.get(story.id)
            if kept is None or kept[0] is not story or kept[1] != heading:
                kept = self._cards[story.id] = (
                    story,
                    heading,
                    template.render(story=story, heading=heading),
                )
            out.append(kept[2] + "\n")
        return Markup("".join(out))  # rendered by an autoescaping template

    def page(self, template: str, **context: Any) -> bytes:
        return self.env.get_template(template).render(**context).encode("utf-8")

    def url(self, folder: PurePosixPath | str) -> str:
        """The absolute URL of a folder inside the site."""
        folder = str(folder)
        return self.config.site_url if folder in (".", "") else f"{self.config.site_url}{folder}/"

    def folder_link(self, folder: PurePosixPath | str) -> str:
        folder = str(folder)
        return self.link("" if folder in (".", "") else f"{folder}/")

    def story_json_ld(self, story: Story) -> dict[str, Any]:
        """schema.org NewsArticle for a story page."""
        return {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": story.title[:110],
            "description": " ".join(story.summary),
            "datePublished": story.published.isoformat(),
            "dateModified": story.updated.isoformat(),
            "mainEntityOfPage": self.story_url(story),
            "url": self.story_url(story),
            "inLanguage": self.config.language,
            "keywords": list(story.tags),
            "author": [
                {"@type": "Organization", "name": a.outlet} for a in story.articles if a.outlet
            ]
            or [{"@type": "Organization", "name": self.config.title}],
            "publisher": {
                "@type": "Organization",
                "name": self.config.title,
                "url": self.config.site_url,
            },
            "isBasedOn": [a.url for a in story.articles if a.url],
        }

    def item_list_json_ld(
        self, listing: Listing, children: Sequence[Listing] = ()
    ) -> dict[str, Any]:
        """schema.org ItemList of what a listing shows, in its order: its stories, or the
        days or months (``children``) that a month's or a year's page lists instead."""
        items = (
            [(self.url(c.folder), c.title) for c in children]
            if listing.kind in ("month", "year")
            else [(self.story_url(s), s.title) for s in listing.stories]
        )
        return {
            "@context": "https://schema.org",
            "@type": "ItemList",
            "name": listing.heading,
            "itemListElement": [
                {"@type": "ListItem", "position": n, "url": url, "name": name}
                for n, (url, name) in enumerate(items, 1)
            ],
        }

    def story_keys(self, stories: Sequence[Story]) -> Mapping[str, str]:
        """Each story's key by id (see ``_story_key``; none without a memo), worked out
        once a build, but for the stories whose keys were ``known_keys`` (stories the
        build knows to be those of the last build, whose keys it kept: see
        ``digest.shells``)."""
        if self._story_keys is None:
            if self.memo is None:
                self._story_keys = {}
            else:
                known = self._known_keys
                self._story_keys = {s.id: known.get(s.id) or self._story_key(s) for s in stories}
        return self._story_keys

    def pages(
        self, stories: Sequence[Story], sections: Sections
    ) -> Iterator[tuple[PurePosixPath, bytes]]:
        """Every HTML page of the site but the stories' (see ``story_pages``) that must be
        written, with its output path, each rendered as it is asked for."""
        topic_feeds = {t.first_folder for t in sections.topics}
        counts = sections.counts()
        story_keys = self.story_keys(stories)
        child_lists = self._children(sections)
        for listing in sections.listings:
            children = (
                child_lists.get(str(listing.folder), [])
                if listing.kind in ("month", "year")
                else []
            )
            name = listing.file.as_posix()
            if self.reuse(name, lambda: self._listing_key(listing, children, story_keys, counts)):  # noqa: B023  (called at once)
                continue
            yield (
                listing.file,
                self.page(
                    "index.html" if listing.kind == "front" else "listing.html",
                    listing=listing,
                    canonical=self.url(listing.folder),
                    children=children,
                    counts=counts,
                    topic_feed=listing.first_folder
                    if listing.first_folder in topic_feeds
                    else None,
                    json_ld=self.item_list_json_ld(listing, children),
                ),
            )
        self._cards.clear()  # every listing is made: its cards are needed no more
        yield (
            PurePosixPath("topics/index.html"),
            self.page(
                "index-of.html",
                title="Topics",
                heading="Topics",
                items=[x for x in sections.topics if x.page == 0],
                counts=counts,
                canonical=self.url("topics"),
                json_ld=None,
            ),
        )
        yield (
            PurePosixPath("outlets/index.html"),
            self.page(
                "index-of.html",
                title="Outlets",
                heading="Outlets",
                items=[x for x in sections.outlets if x.page == 0],
                counts=counts,
                canonical=self.url("outlets"),
                json_ld=None,
            ),
        )
        yield (
            PurePosixPath("archive/index.html"),
            self.page(
                "index-of.html",
                title="Archive",
                heading="Archive",
                items=list(sections.months),
                counts=counts,
                canonical=self.url("archive"),
                json_ld=None,
            ),
        )
        yield (
            PurePosixPath("search/index.html"),
            self.page("search.html", canonical=self.url("search"), json_ld=None),
        )
        yield (
            PurePosixPath("404.html"),
            self.page("404.html", canonical=self.config.site_url + "404.html", json_ld=None),
        )

    def story_page(self, story: Story) -> tuple[PurePosixPath, bytes]:
        """A story's page, with its output path."""
        return story.path / "index.html", self.page(
            "story.html",
            story=self._whole(story),
            canonical=self.story_url(story),
            json_ld=self.story_json_ld(story),
            topics=[(tag, topic_folder(tag)) for tag in story.tags],
            outlet_folder=outlet_folder,
        )

    def story_pages(
        self, stories: Sequence[Story], placer: Placer | None = None
    ) -> Iterator[tuple[PurePosixPath, bytes | Placed]]:
        """The page of every story that must be written, with its output path.

        When there are many, they are begun at once on every core (forked workers that
        share this renderer and the stories), so that the build renders the other pages
        and the feeds while they work; the pages come back in order. Given a ``placer``,
        the workers write their pages into the new site themselves and send back only
        their hashes (``Placed``): a page's bytes need not cross to the build, and the
        writing is shared between cores too.
        """
        todo = self._stale_story_pages(stories)
        from digest.halves import cores

        workers = min(cores(), 8)
        if len(todo) < PARALLEL_PAGES or workers < 2 or not _can_fork():
            return (self.story_page(story) for story in todo)
        started = self._parallel_story_pages(todo, placer, workers)
        next(started)  # forks the workers and hands them every page
        return started

    def _parallel_story_pages(
        self, stories: Sequence[Story], placer: Placer | None, workers: int
    ) -> Iterator[Any]:
        """Yields once the workers have their first tasks, then the pages in order.

        With a placer, every task is handed out at once (a task's result is its pages'
        hashes); without one, a few at a time, so that pages' bytes waiting to be taken
        never add up to the site.
        """
        import multiprocessing
        from collections import deque
        from concurrent.futures import Future, ProcessPoolExecutor

        global _FORKED
        _FORKED = (self, stories, placer)
        # The story template, and the theme's base it extends, loaded (compiled, on a
        # first build) here once rather than in every worker; a site's own templates
        # that extend another are loaded by each worker, as before.
        for name in ("story.html", "base.html"):
            with contextlib.suppress(jinja2.TemplateNotFound):
                self.env.get_template(name)
        # Objects that exist now are left out of the workers' garbage collection, which
        # would otherwise write to every one of them and so copy the whole build's memory
        # into each worker (copy-on-write). They stay frozen in this process too, until
        # the build (which freezes what it keeps anyway) unfreezes them as it ends.
        gc.freeze()
        context = multiprocessing.get_context("fork")
        # Workers collect garbage, which the build that forks them does not.
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=gc.enable)
        starts = iter(range(0, len(stories), PAGE_CHUNK))
        window: deque[Future[list[tuple[PurePosixPath, bytes | Placed]]]] = deque()
        most = len(stories) if placer is not None else 4 * workers

        def hand_out() -> None:
            while len(window) < most:
                start = next(starts, None)
                if start is None:
                    return
                window.append(pool.submit(_render_stories, start, start + PAGE_CHUNK))

        finished = False
        try:
            hand_out()
            yield None
            while window:
                pages = window.popleft().result()
                hand_out()
                yield from pages
            finished = True
        finally:
            _FORKED = None
            pool.shutdown(wait=True, cancel_futures=not finished)

    def _whole(self, story: Story) -> Story:
        """The story with its lead article whole, the one whose body the page shows."""
        if not story.lead.is_stub:
            return story
        if self.bodies is None:
            raise ValueError(f"{story.lead.path}: expected a whole article, found a stub")
        whole = self.bodies(story.lead)
        articles = tuple(whole if a is story.lead else a for a in story.articles)
        return replace(story, lead=whole, articles=articles)

    def reuse(self, name: str, page_key: Callable[[], str]) -> bool:
        """Whether the previous site's file ``name`` (its path in the site: a page, or a
        feed) can be kept as it is: its inputs' key is the one it was made from. Records
        the key for the next build."""
        if self.memo is None:
            return False
        k = self.page_keys[name] = page_key()
        if self.memo.previous.get(name) == k and name in self.memo.reusable:
            self.carried.add(name)
            return True
        return False

    def _stale_story_pages(self, stories: Sequence[Story]) -> list[Story]:
        """The stories whose pages must be rendered: ``reuse`` of every story page, in one
        loop without a call and a key function for each (8,000 stories: 7.1 against 4.4 ms,
        best of seven)."""
        if self.memo is None:
            return list(stories)
        story_keys = self.story_keys(stories)
        page_keys, carried = self.page_keys, self.carried
        previous, reusable = self.memo.previous, self.memo.reusable
        todo = []
        for story in stories:
            name = self._folder(story) + "index.html"
            k = page_keys[name] = story_keys[story.id]
            if previous.get(name) == k and name in reusable:
                carried.add(name)
            else:
                todo.append(story)
        return todo

    def _story_key(self, story: Story) -> str:
        """What a story page shows, as a key: the story's identity, its lead, and the
        source files (by content key) of every article in it.

        Its headline, tags, summary and dates are not keyed apart: they come from its
        articles, which their files' keys name, under the configuration the memo's
        signature covers (as does the time zone every story date is given in). Keying the
        text again made what is hashed for 10,000 stories four times as long. Only the
        dates of a story with no dated copy come from elsewhere, and are keyed.
        """
        assert self.memo is not None
        files = self.memo.file_keys
        parts = [self.memo.signature, story.id, story.folder, story.lead.id]
        dated = False
        for a in story.articles:
            parts += [a.id, files[a.path] if a.path in files else repr(a)]
            dated = dated or a.published is not None
        if not dated:
            # A story's dates are its copies' (which their files' keys name), in the site's
            # zone (which the signature covers); only a story none of whose copies is dated
            # takes them from elsewhere (the build's time, or when it was first built).
            parts += [repr(story.published.timestamp()), repr(story.updated.timestamp())]
        return text_key(parts)

    def _listing_key(
        self,
        listing: Listing,
        children: Sequence[Listing],
        story_keys: Mapping[str, str],
        counts: Mapping[PurePosixPath, int],
    ) -> str:
        """What a listing page shows, as a key: its place, its text, its neighbours, and
        its stories by their keys. In the default theme a month's or a year's page shows
        its days or months and how many stories each holds (``children``), not its
        stories: those are not keyed. (They were a third of the story keys joined and
        hashed again each rebuild, for pages that do not show them.)"""
        assert self.memo is not None
        shown = () if self._default_theme and listing.kind in ("month", "year") else listing.stories
        return text_key(
            [
                self.memo.signature,
                listing.kind,
                str(listing.folder),
                listing.title,
                listing.heading,
                listing.description,
                str(listing.page),
                str(listing.newer),
                str(listing.older),
                str(listing.first_folder),
                str(len(listing.stories)),
                *[story_keys[s.id] for s in shown],
                *[f"{c.folder}:{c.title}:{counts[c.first_folder]}" for c in children],
            ]
        )

    def feed_key(
        self,
        kind: str,
        folder: str,
        name: str,
        stories: Sequence[Story],
        keys: Mapping[str, str],
    ) -> str:
        """What a feed of ``stories`` (newest first) shows, as a key: its kind and place,
        when it was last updated (its newest story's update, see ``digest.feeds``) and the
        stories it lists (``feed_items`` of them), each by its key in ``keys``."""
        assert self.memo is not None
        shown = stories[: self.config.feed_items]
        updated = max((s.updated for s in stories), default=self.site.generated)
        return text_key(
            [
                self.memo.signature,
                kind,
                folder,
                name,
                updated.isoformat(),
                str(len(shown)),
                *[keys[s.id] for s in shown],
            ]
        )

    @staticmethod
    def _children(sections: Sections) -> dict[str, list[Listing]]:
        """The days of each month page, the months of each year page, by folder."""
        children: dict[str, list[Listing]] = {}
        for day in sections.days:
            if day.page == 0:
                children.setdefault(str(day.folder)[:7], []).append(day)
        for month in sections.months:
            children.setdefault(str(month.folder)[:4], []).append(month)
        return children


PARALLEL_PAGES = 1000
"""Story pages below this count are rendered in the build's process; above, on every core."""
PAGE_CHUNK = 64
"""Story pages a worker renders per task."""

_FORKED: tuple[Renderer, Sequence[Story], Placer | None] | None = None
"""What forked page workers render from: set just before they are forked."""


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _render_stories(start: int, stop: int) -> list[tuple[PurePosixPath, bytes | Placed]]:
    """Pages of the stories ``start`` to ``stop`` of the forked build (a worker's task),
    written into the new site when the build gave a placer."""
    assert _FORKED is not None, "expected to run in a worker forked by Renderer.story_pages"
    renderer, stories, placer = _FORKED
    pages = (renderer.story_page(story) for story in stories[start:stop])
    if placer is None:
        return list(pages)
    return [(path, Placed(placer.place(path, data))) for path, data in pages]


def static_files(site_static: Path | None) -> Mapping[PurePosixPath, bytes]:
    """The default theme's static files, each replaced by the site's file of the same name."""
    files: dict[PurePosixPath, bytes] = {}
    for folder in (theme_dir("static"), site_static):
        if folder is None or not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            # README notes beside theme files are for the site's editors, not its readers.
            if (
                path.is_file()
                and not path.name.startswith(".")
                and not path.name.startswith("README")
            ):
                files[PurePosixPath("static") / path.relative_to(folder).as_posix()] = (
                    path.read_bytes()
                )
    return files
