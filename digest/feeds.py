"""RSS 2.0 and Atom 1.0 through feedgen, JSON Feed 1.1, stories.json, sitemap and robots.

Every value a feed carries is set explicitly: feedgen would otherwise stamp the current
time into ``updated`` and ``lastBuildDate``, its own version into ``generator``, and
prepend entries, and the same input would not give the same bytes.

A story's feed entry is the same in every feed that carries it (the site's RSS and Atom
and those of each of its topics), so it is built once and shared; stories.json and the
sitemap are written with string operations, the JSON strings by json's own encoder.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from json.encoder import encode_basestring
from operator import attrgetter
from typing import Any

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator

import digest
from digest.config import Config
from digest.model import Story

_updated = attrgetter("updated")


def xml_escape(text: str) -> str:
    """``&``, ``<`` and ``>`` escaped, as ``xml.sax.saxutils.escape`` does: whose module
    imports urllib.request, http.client and email (75 ms of every rebuild).

    >>> xml_escape("Q&A: <b> and 'quotes' stay")
    "Q&amp;A: &lt;b&gt; and 'quotes' stay"
    """
    return escape(text, quote=False)


def _feed_updated(stories: Sequence[Story], now: datetime) -> datetime:
    return max(map(_updated, stories), default=now)


def _story_url(config: Config, story: Story) -> str:
    return f"{config.site_url}{story.place}/"


def _content_html(story: Story) -> str:
    """A feed item's body: the summary, then every source, as HTML."""
    parts = [f"<p>{escape(' '.join(story.summary))}</p>", "<ul>"]
    for article in story.articles:
        outlet = escape(article.outlet or "Unknown outlet")
        title = escape(article.title)
        item = (
            f'<a href="{escape(article.url)}">{title}</a>'
            if article.url
            else f"<cite>{title}</cite>"
        )
        parts.append(f"<li>{outlet}: {item}</li>")
    parts.append("</ul>")
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class FeedPlace:
    """Where a feed lives and what it is of: the whole site, or one topic.

    >>> FeedPlace().self_url("https://n.example/", "rss.xml")
    'https://n.example/rss.xml'
    >>> FeedPlace("topics/climate", "Climate").self_url("https://n.example/", "atom.xml")
    'https://n.example/topics/climate/atom.xml'
    """

    folder: str = ""
    name: str = ""

    def home(self, site_url: str) -> str:
        return f"{site_url}{self.folder}/" if self.folder else site_url

    def self_url(self, site_url: str, file: str) -> str:
        return f"{self.home(site_url)}{file}"


def _generator(
    config: Config, stories: Sequence[Story], now: datetime, place: FeedPlace
) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(place.home(config.site_url))
    fg.title(f"{config.title}: {place.name}" if place.name else config.title)
    fg.subtitle(f"Stories tagged {place.name}." if place.name else config.description)
    fg.author({"name": config.title})
    fg.language(config.language)
    fg.generator("digest", digest.__version__, "https://example.org/digest")
    updated = _feed_updated(stories, now)
    fg.updated(updated)
    fg.lastBuildDate(updated)
    return fg


class _SharedEntry(FeedEntry):  # type: ignore[misc]  # feedgen is untyped
    """A feed entry that builds its RSS ``<item>`` and Atom ``<entry>`` once.

    feedgen asks each entry for a new element every time it writes a feed, building it
    call by call; a story is in the site's feeds and in each of its topics', so the
    element is built the first time and a copy (one call into lxml) handed out after.
    """

    def __init__(self) -> None:
        super().__init__()
        self._elements: dict[tuple[str, bool], Any] = {}

    def _copy(self, kind: str, extensions: bool, build: Callable[[bool], Any]) -> Any:
        element = self._elements.get((kind, extensions))
        if element is None:
            element = self._elements[kind, extensions] = build(extensions)
        return copy.deepcopy(element)

    def rss_entry(self, extensions: bool = True) -> Any:
        return self._copy("rss", extensions, super().rss_entry)

    def atom_entry(self, extensions: bool = True) -> Any:
        return self._copy("atom", extensions, super().atom_entry)


class Entries:
    """The feed entries of one build, by story: one entry serves every feed that lists
    the story (the site's RSS and Atom, and each of its topics'). Once its fields are set
    an entry is only read. An entry is reused only for that very (immutable) story object
    and the same site URL.
    """

    def __init__(self) -> None:
        self._kept: dict[str, tuple[Story, str, _SharedEntry]] = {}

    def entry(self, config: Config, story: Story) -> _SharedEntry:
        kept = self._kept.get(story.id)
        if kept is not None and kept[0] is story and kept[1] == config.site_url:
            return kept[2]
        url = _story_url(config, story)
        fe = _SharedEntry()
        fe.id(url)
        fe.guid(url, permalink=True)
        fe.title(story.title)
        fe.link(href=url)
        fe.published(story.published)
        fe.updated(story.updated)
        for tag in story.tags:
            fe.category(term=tag)
        fe.summary(" ".join(story.summary))
        fe.content(_content_html(story), type="html")
        self._kept[story.id] = (story, config.site_url, fe)
        return fe


def _add_entries(
    fg: FeedGenerator, config: Config, stories: Sequence[Story], entries: Entries | None
) -> None:
    entries = entries or Entries()
    for story in stories[: config.feed_items]:
        fg.add_entry(entries.entry(config, story), order="append")


def rss(
    config: Config,
    stories: Sequence[Story],
    now: datetime,
    place: FeedPlace = FeedPlace(),
    entries: Entries | None = None,
) -> bytes:
    """The RSS 2.0 feed of the newest stories (of the site, or of one topic).

    The channel's ``<link>`` is whichever link feedgen was given last, so the
    self link goes first and the home page last.
    """
    fg = _generator(config, stories, now, place)
    fg.link(href=place.self_url(config.site_url, "rss.xml"), rel="self")
    fg.link(href=place.home(config.site_url), rel="alternate")
    _add_entries(fg, config, stories, entries)
    return bytes(fg.rss_str(pretty=True))


def atom(
    config: Config,
    stories: Sequence[Story],
    now: datetime,
    place: FeedPlace = FeedPlace(),
    entries: Entries | None = None,
) -> bytes:
    """The Atom 1.0 feed of the newest stories (of the site, or of one topic)."""
    fg = _generator(config, stories, now, place)
    fg.link(href=place.home(config.site_url), rel="alternate")
    fg.link(href=place.self_url(config.site_url, "atom.xml"), rel="self")
    _add_entries(fg, config, stories, entries)
    return bytes(fg.atom_str(pretty=True))


def _dump(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def json_feed(config: Config, stories: Sequence[Story]) -> bytes:
    """The JSON Feed 1.1 of the newest stories."""
    items = [
        {
            "id": _story_url(config, s),
            "url": _story_url(config, s),
            "title": s.title,
            "summary": " ".join(s.summary),
            "content_html": _content_html(s),
            "date_published": s.published.isoformat(),
            "date_modified": s.updated.isoformat(),
            "tags": list(s.tags),
        }
        for s in stories[: config.feed_items]
    ]
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": config.title,
        "home_page_url": config.site_url,
        "feed_url": config.site_url + "feed.json",
        "description": config.description,
        "language": config.language,
        "authors": [{"name": config.title}],
        "items": items,
    }
    return _dump(feed)


def _story_line(url: str, s: Story) -> str:
    """One story of stories.json, exactly as ``json.dumps(..., ensure_ascii=False,
    separators=(",", ":"))`` writes its dict (see ``stories_json``).

    Built from strings because the dicts cost more to make and to walk than the text;
    every string goes through ``encode_basestring``, the function json's encoder itself
    quotes strings with when ``ensure_ascii`` is off.

    >>> from datetime import UTC
    >>> from digest.model import Article
    >>> a = Article("a", "a.md", "Daily", 'Say "hi"')
    >>> when = datetime(2025, 7, 14, tzinfo=UTC)
    >>> s = Story("x", "x", a, (a,), when, when, ("Tag",), ("One.",))
    >>> line = _story_line("https://n.example/x/", s)
    >>> line == json.dumps(_story_dict("https://n.example/x/", s), ensure_ascii=False, separators=(",", ":"))
    True
    """
    q = encode_basestring
    sources = ",".join(
        f'{{"outlet":{q(a.outlet)},"title":{q(a.title)},"url":{q(a.url)},"path":{q(a.path)},'
        f'"published":{q(a.published.isoformat()) if a.published else "null"}}}'
        for a in s.articles
    )
    return (
        f'{{"id":{q(s.id)},"url":{q(url)},"title":{q(s.title)},'
        f'"summary":[{",".join(map(q, s.summary))}],'
        f'"published":{q(s.published.isoformat())},"updated":{q(s.updated.isoformat())},'
        f'"tags":[{",".join(map(q, s.tags))}],"sources":[{sources}]}}'
    )


def _story_dict(url: str, s: Story) -> dict[str, Any]:
    """What ``_story_line`` writes, as a value: the shape DESIGN.md gives stories.json."""
    return {
        "id": s.id,
        "url": url,
        "title": s.title,
        "summary": list(s.summary),
        "published": s.published.isoformat(),
        "updated": s.updated.isoformat(),
        "tags": list(s.tags),
        "sources": [
            {
                "outlet": a.outlet,
                "title": a.title,
                "url": a.url,
                "path": a.path,
                "published": a.published.isoformat() if a.published else None,
            }
            for a in s.articles
        ],
    }


def stories_json(
    config: Config,
    stories: Sequence[Story],
    keys: Mapping[str, str] | None = None,
    kept: Mapping[str, bytes] | None = None,
    made: dict[str, bytes] | None = None,
) -> bytes:
    """Every story of the build with its sources, as DESIGN.md specifies.

    Written compact, one story a line: it is read by scripts, and a JSON array of
    10,000 stories indented would be several times the size and the time.

    With ``keys`` (each story's key, by id: what its page shows, see
    ``Renderer.story_keys``), a story whose key is in ``kept`` (the last build's lines,
    by key, in UTF-8) takes its line from there; ``made`` receives every line by key,
    for the next build. A rebuild that adds one story then writes one line, not every
    one, and joins the others as bytes (joined as text and encoded, 10,000 lines took
    a tenth of a second).

    >>> from digest.config import Config
    >>> stories_json(Config(), [])
    b'[\\n\\n]\\n'
    """
    kept = kept or {}
    lines = []
    for s in stories:
        k = keys.get(s.id) if keys is not None else None
        line = kept.get(k) if k is not None else None
        if line is None:
            line = _story_line(_story_url(config, s), s).encode("utf-8")
        if made is not None and k is not None:
            made[k] = line
        lines.append(line)
    return b"[\n" + b",\n".join(lines) + b"\n]\n"


SITEMAP_LINE = "sitemap:"
"""What a story's key is prefixed with to name its sitemap line among the lines a build
keeps (see ``stories_json``): the two kinds of line share one store."""


def sitemap(
    config: Config,
    stories: Sequence[Story],
    now: datetime,
    folders: Sequence[str] = (),
    keys: Mapping[str, str] | None = None,
    kept: Mapping[str, bytes] | None = None,
    made: dict[str, bytes] | None = None,
) -> bytes:
    """sitemap.xml: the front page, every listing folder and every story page.

    A story's line is taken from ``kept`` and given to ``made``, by its key, as
    ``stories_json`` does: it shows the story's folder and when it was last updated,
    which its key covers, and formatting 8,000 dates took 30 to 50 ms a rebuild.

    >>> from digest.config import Config
    >>> site = sitemap(Config(base_url="https://n.example/"), [], datetime(2025, 7, 14), ["a"])
    >>> print(site.decode(), end="")
    <?xml version="1.0" encoding="UTF-8"?>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>https://n.example/</loc><lastmod>2025-07-14T00:00:00</lastmod></url>
      <url><loc>https://n.example/a/</loc></url>
    </urlset>
    """
    site = config.site_url
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        f"  <url><loc>{xml_escape(site)}</loc>"
        f"<lastmod>{_feed_updated(stories, now).isoformat()}</lastmod></url>",
    ]
    head += [f"  <url><loc>{xml_escape(f'{site}{folder}/')}</loc></url>" for folder in folders]
    # The base URL escaped once, not once a story (escaping is character by character, so
    # the two parts escaped apart give the whole escaped).
    base = xml_escape(site)
    kept = kept or {}
    lines = ["\n".join(head).encode("utf-8")]
    for s in stories:
        k = keys.get(s.id) if keys is not None else None
        name = SITEMAP_LINE + k if k is not None else None
        line = kept.get(name) if name is not None else None
        if line is None:
            line = (
                f"  <url><loc>{base}{xml_escape(s.place)}/</loc>"
                f"<lastmod>{s.updated.isoformat()}</lastmod></url>"
            ).encode()
        if made is not None and name is not None:
            made[name] = line
        lines.append(line)
    lines.append(b"</urlset>\n")
    return b"\n".join(lines)


NEWS_WINDOW = timedelta(days=2)
NEWS_MAX = 1000


def news_sitemap(config: Config, stories: Sequence[Story], now: datetime) -> bytes:
    """A Google News sitemap: the stories published in the two days before ``now``,
    newest first, at most 1,000."""
    earliest, latest = now - NEWS_WINDOW, now + timedelta(hours=1)  # not once a story
    recent = [s for s in stories if earliest <= s.published <= latest]
    recent.sort(key=lambda s: (-s.published.timestamp(), s.id))
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">',
    ]
    language = config.language.split("-")[0].lower()
    for story in recent[:NEWS_MAX]:
        lines += [
            "  <url>",
            f"    <loc>{xml_escape(_story_url(config, story))}</loc>",
            "    <news:news>",
            f"      <news:publication><news:name>{xml_escape(config.title)}</news:name>"
            f"<news:language>{xml_escape(language)}</news:language></news:publication>",
            f"      <news:publication_date>{story.published.isoformat()}</news:publication_date>",
            f"      <news:title>{xml_escape(story.title)}</news:title>",
            "    </news:news>",
            "  </url>",
        ]
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(config: Config) -> bytes:
    """robots.txt: everything may be crawled; the sitemap is named."""
    return (
        f"User-agent: *\nAllow: /\n\nSitemap: {config.site_url}sitemap.xml\n"
        f"Sitemap: {config.site_url}news-sitemap.xml\n"
    ).encode()
