"""RSS 2.0 and Atom 1.0 through feedgen, JSON Feed 1.1, stories.json, sitemap and robots.

Every value a feed carries is set explicitly: feedgen would otherwise stamp the current
time into ``updated`` and ``lastBuildDate``, its own version into ``generator``, and
prepend entries, and the same input would not give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from feedgen.feed import FeedGenerator

import digest
from digest.config import Config
from digest.model import Story


def _feed_updated(stories: Sequence[Story], now: datetime) -> datetime:
    return max((s.updated for s in stories), default=now)


def _story_url(config: Config, story: Story) -> str:
    return f"{config.site_url}{story.path}/"


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


def _add_entries(fg: FeedGenerator, config: Config, stories: Sequence[Story]) -> None:
    for story in stories[: config.feed_items]:
        url = _story_url(config, story)
        fe = fg.add_entry(order="append")
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


def rss(
    config: Config, stories: Sequence[Story], now: datetime, place: FeedPlace = FeedPlace()
) -> bytes:
    """The RSS 2.0 feed of the newest stories (of the site, or of one topic).

    The channel's ``<link>`` is whichever link feedgen was given last, so the
    self link goes first and the home page last.
    """
    fg = _generator(config, stories, now, place)
    fg.link(href=place.self_url(config.site_url, "rss.xml"), rel="self")
    fg.link(href=place.home(config.site_url), rel="alternate")
    _add_entries(fg, config, stories)
    return bytes(fg.rss_str(pretty=True))


def atom(
    config: Config, stories: Sequence[Story], now: datetime, place: FeedPlace = FeedPlace()
) -> bytes:
    """The Atom 1.0 feed of the newest stories (of the site, or of one topic)."""
    fg = _generator(config, stories, now, place)
    fg.link(href=place.home(config.site_url), rel="alternate")
    fg.link(href=place.self_url(config.site_url, "atom.xml"), rel="self")
    _add_entries(fg, config, stories)
    return bytes(fg.atom_str(pretty=True))


def _dump(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _dump_lines(items: Sequence[Any]) -> bytes:
    """A JSON array, one compact item a line."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    return ("[\n" + ",\n".join(encode(item) for item in items) + "\n]\n").encode("utf-8")


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


def stories_json(config: Config, stories: Sequence[Story]) -> bytes:
    """Every story of the build with its sources, as DESIGN.md specifies.

    Written compact, one story a line: it is read by scripts, and json's C encoder
    (indent=None) is ten times faster than the indenting one at 10,000 stories.
    """
    return _dump_lines(
        [
            {
                "id": s.id,
                "url": _story_url(config, s),
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
            for s in stories
        ]
    )


def sitemap(
    config: Config, stories: Sequence[Story], now: datetime, folders: Sequence[str] = ()
) -> bytes:
    """sitemap.xml: the front page, every listing folder and every story page."""
    rows: list[tuple[str, datetime | None]] = [(config.site_url, _feed_updated(stories, now))]
    rows += [(f"{config.site_url}{folder}/", None) for folder in folders]
    rows += [(_story_url(config, s), s.updated) for s in stories]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for url, when in rows:
        lastmod = f"<lastmod>{when.isoformat()}</lastmod>" if when else ""
        lines.append(f"  <url><loc>{xml_escape(url)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


NEWS_WINDOW = timedelta(days=2)
NEWS_MAX = 1000


def news_sitemap(config: Config, stories: Sequence[Story], now: datetime) -> bytes:
    """A Google News sitemap: the stories published in the two days before ``now``,
    newest first, at most 1,000."""
    recent = [s for s in stories if now - NEWS_WINDOW <= s.published <= now + timedelta(hours=1)]
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
