"""Feed files: every entry of an RSS, Atom, RDF or JSON Feed file becomes an article.

feedparser reads RSS 0.9x/1.0/2.0 and Atom from bytes (it decodes them itself and
recovers from ill-formed XML); JSON Feed 1 and 1.1 are read with ``json``. An entry's
full content is used when the feed carries it, else its summary; either way its HTML goes
through the one sanitizer (``digest.sanitize.html_to_blocks``) and then through the same
cleaning as saved pages (``digest.load.html.clean_blocks``).

An article's id comes from the feed's identity (its link, id or title) and the entry's
guid (else its link), never from the file name: an entry seen again in a later snapshot
of the same feed has the same id, and ``newest_versions`` keeps its newest version.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from digest.clean import headline_from_prose, normalize_text, squash
from digest.dates import as_aware
from digest.errors import ContentError
from digest.load import LoadSettings
from digest.load.html import clean_blocks, standfirst
from digest.model import Article, Block
from digest.sanitize import html_to_blocks, plain_text, safe_url

EXPECTED = "expected an RSS, Atom or JSON feed"
_JSON_FEED_VERSION = re.compile(r"^https?://jsonfeed\.org/version/1(?:\.\d+)?/?$")
_ROOT = re.compile(rb"<\s*([A-Za-z_][\w.:-]*)")
_FEED_ROOTS = frozenset({"rss", "feed", "rdf", "channel"})
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")
_BLOCK_END = re.compile(r"(?i)(</(?:p|div|li|h[1-6]|blockquote|tr|td|th)>|<br\s*/?>)")
_BREAK_AFTER = re.compile(r"(?i)(<br\s*/?>|</li>|</t[dh]>|</tr>)")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One feed entry as an article, with the time it was last updated (for newest wins)."""

    article: Article
    updated: datetime | None = None


def parse_feed(data: bytes, rel_path: str, settings: LoadSettings) -> tuple[Article, ...]:
    """Every entry of a feed file as an article, in the feed's order.

    Raises ContentError, and nothing else, when the bytes are not a feed. A feed without
    entries gives no articles.

    >>> rss = b'''<rss version="2.0"><channel><title>Daily Post</title>
    ... <link>https://dailypost.example/</link>
    ... <item><title>Rain closes roads</title><guid>https://dailypost.example/rain</guid>
    ... <link>https://dailypost.example/rain</link>
    ... <pubDate>Tue, 01 Jul 2025 08:30:00 GMT</pubDate>
    ... <description>&lt;p&gt;Heavy rain fell across the north.&lt;/p&gt;</description>
    ... </item></channel></rss>'''
    >>> [a] = parse_feed(rss, "feeds/post.xml", LoadSettings())
    >>> a.outlet, a.title, a.url
    ('Daily Post', 'Rain closes roads', 'https://dailypost.example/rain')
    >>> a.published.isoformat(), a.paragraphs
    ('2025-07-01T08:30:00+00:00', ('Heavy rain fell across the north.',))
    >>> a.id == parse_feed(rss, "feeds/post-2025-07-02.xml", LoadSettings())[0].id
    True
    """
    return tuple(entry.article for entry in parse_feed_entries(data, rel_path, settings))


def parse_feed_entries(
    data: bytes, rel_path: str, settings: LoadSettings, flaws: list[str] | None = None
) -> tuple[FeedEntry, ...]:
    """Every entry of a feed file with its updated time; ids are unique within the file.
    A feed cut short is read as far as feedparser gets, and ``flaws``, if given, is told
    where it ends ("line 2, column 52: no element found").

    >>> atom = b'''<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>
    ... <entry><id>urn:x:1</id><title>Talks resume</title>
    ... <updated>2025-07-02T10:00:00Z</updated><published>2025-07-01T09:00:00Z</published>
    ... <content type="html">&lt;p&gt;Negotiators met again.&lt;/p&gt;</content></entry></feed>'''
    >>> [e] = parse_feed_entries(atom, "wire.atom", LoadSettings())
    >>> e.article.published.isoformat(), e.updated.isoformat()
    ('2025-07-01T09:00:00+00:00', '2025-07-02T10:00:00+00:00')
    """
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        return _newest(_json_feed(data, rel_path, settings))
    return _newest(_xml_feed(data, rel_path, flaws))


def newest_versions(entries: Iterable[FeedEntry | Article]) -> tuple[Article, ...]:
    """One article per id: the version updated (else published) last; on a tie, the one
    from the later path; on a full tie, the first given. Order: each id's first place.

    Give ``FeedEntry`` values to compare update times; bare articles compare their
    published dates.

    >>> old = Article("feed:1", "a/2025-07-01.xml", "Post", "Rain", published=datetime(2025, 7, 1, tzinfo=UTC))
    >>> new = Article("feed:1", "a/2025-07-02.xml", "Post", "Rain (updated)", published=old.published)
    >>> [a.title for a in newest_versions([new, old])]
    ['Rain (updated)']
    """
    return tuple(
        e.article
        for e in _newest(e if isinstance(e, FeedEntry) else FeedEntry(e, None) for e in entries)
    )


def _newest(entries: Iterable[FeedEntry]) -> tuple[FeedEntry, ...]:
    best: dict[str, FeedEntry] = {}
    for entry in entries:
        key = entry.article.id
        if key not in best or _rank(entry) > _rank(best[key]):
            best[key] = entry
    return tuple(best.values())


def _rank(entry: FeedEntry) -> tuple[bool, float, str]:
    when = entry.updated or entry.article.published
    return (when is not None, when.timestamp() if when else 0.0, entry.article.path)


# --- RSS, Atom, RDF ------------------------------------------------------------------


def _xml_feed(data: bytes, rel_path: str, flaws: list[str] | None = None) -> list[FeedEntry]:
    import xml.sax

    import feedparser  # type: ignore[import-untyped]

    try:
        # A stream, never the bytes themselves: feedparser opens bytes that name a file.
        result = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=True)
    except Exception as exc:
        # feedparser's loose parser is a hand-written state machine over hostile input;
        # whatever it raises, the file is not a feed this tool can read. Name the failure.
        raise ContentError(
            rel_path, f"{EXPECTED}, found data the feed parser fails on ({_describe(exc)})"
        ) from exc
    raw_entries = _list(result.get("entries"))
    fault = result.get("bozo_exception")
    # Only a feed that ends early: feedparser's loose parser reads every entry of one
    # with a stray "&" or "&nbsp;", which is no loss worth a problem (or --strict's exit).
    if (
        flaws is not None
        and result.get("bozo")
        and isinstance(fault, xml.sax.SAXParseException)
        and fault.getMessage() in _CUT_SHORT
    ):
        # feedparser puts an XML declaration on a line of its own above a file without one.
        declared = data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml")
        line = (fault.getLineNumber() or 1) - (0 if declared else 1)
        column = (fault.getColumnNumber() or 0) + 1  # expat counts columns from 0
        where = f"line {max(line, 1)}, column {column}"
        flaws.append(f"{where}: {squash(fault.getMessage())}")
    if not result.get("version") and not raw_entries:
        if _root_name(data).lower().rpartition(":")[2] in _FEED_ROOTS and not result.get("bozo"):
            return []  # a well-formed feed document (e.g. a CDF channel) without entries
        raise ContentError(
            rel_path, f"{EXPECTED}, found {_what(data, result.get('bozo_exception'))}"
        )
    feed = _mapping(result.get("feed"))
    feed_link = safe_url(_text(feed.get("link")))
    identity = _identity(feed_link, _text(feed.get("id")), _text(feed.get("title")))
    outlet = _plain(_text(feed.get("title"))) or _domain(feed_link)
    entries = []
    for raw in raw_entries:
        entry = _xml_entry(_mapping(raw), rel_path, identity, outlet)
        if entry is not None:
            entries.append(entry)
    return entries


def _xml_entry(
    raw: Mapping[str, Any], rel_path: str, identity: str, outlet: str
) -> FeedEntry | None:
    content = [_mapping(c) for c in _list(raw.get("content"))]
    full = next((c for c in content if _is_html(c.get("type"))), content[0] if content else None)
    summary = _mapping(raw.get("summary_detail")) or {
        "value": raw.get("summary"),
        "type": "text/html",
    }
    has_full = full is not None and bool(_text(full.get("value")).strip())
    blocks_source = full if full is not None and has_full else summary
    link = safe_url(_text(raw.get("link")))
    published = _struct_time(raw.get("published_parsed")) or _struct_time(raw.get("created_parsed"))
    # Read past FeedParserDict's mapping of a missing "updated" to "published".
    updated = _struct_time(dict.get(raw, "updated_parsed") if isinstance(raw, dict) else None)
    tags = []
    for tag in _list(raw.get("tags")):
        tag = _mapping(tag)
        tags.append(_text(tag.get("label")) or _text(tag.get("term")))
    return _entry(
        rel_path=rel_path,
        identity=identity,
        key=_text(raw.get("id")) or _normal_link(link),
        title=_text(raw.get("title")),
        title_is_html=_is_html(_mapping(raw.get("title_detail")).get("type", "text/html")),
        content=_text(blocks_source.get("value")),
        is_html=_is_html(blocks_source.get("type")),
        summary=_text(summary.get("value")) if has_full else "",
        link=link,
        outlet=outlet or _domain(link),
        published=published or updated,
        updated=updated or published,
        tags=tags,
    )


def _what(data: bytes, exc: object) -> str:
    """What a file that is not a feed holds, in a few words."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        return "an empty file"
    controls = sum(1 for b in head[:512] if b < 9 or 13 < b < 32)
    if controls * 10 > min(len(head), 512):
        return "binary data"
    lower = head.lower()
    if lower.startswith(b"<!doctype html") or re.search(rb"<(?:html|body|head)[\s>]", lower):
        return "an HTML page"
    if not lower.startswith(b"<"):
        return "plain text, not XML"
    if exc is not None and "no element found" in str(exc):
        return "an XML document without elements"
    if exc is not None:
        return f"not XML: {_describe(exc)}"
    name = _root_name(data)
    return f"an XML document whose root element is <{name}>" if name else "no feed elements"


def _root_name(data: bytes) -> str:
    """The name of the first element of an XML document, "" when there is none."""
    head = data[:4096]
    prolog = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", b"", head, flags=re.S)
    root = _ROOT.search(prolog)
    return root.group(1).decode("ascii", "replace") if root else ""


def _describe(exc: object) -> str:
    message = squash(str(exc))
    name = type(exc).__name__
    return f"{name}: {message}" if message else name


# --- JSON Feed ----------------------------------------------------------------------


def _json_feed(data: bytes, rel_path: str, settings: LoadSettings) -> list[FeedEntry]:
    try:
        feed = json.loads(data)
    except RecursionError:
        raise ContentError(rel_path, f"{EXPECTED}, found JSON nested too deeply") from None
    except ValueError as exc:
        raise ContentError(rel_path, f"{EXPECTED}, found invalid JSON ({exc})") from None
    if not isinstance(feed, dict):
        kind = "an array" if isinstance(feed, list) else type(feed).__name__
        raise ContentError(
            rel_path, f"{EXPECTED}, found JSON that is {kind}, not a JSON Feed object"
        )
    version = feed.get("version")
    if not isinstance(version, str) or not _JSON_FEED_VERSION.match(version.strip()):
        found = f"version {version!r}"[:80] if version is not None else "no version"
        raise ContentError(
            rel_path,
            f"{EXPECTED}, found JSON with {found} "
            '(a JSON Feed has "version": "https://jsonfeed.org/version/1.1")',
        )
    home = safe_url(_text(feed.get("home_page_url")))
    feed_url = safe_url(_text(feed.get("feed_url")))
    title = _text(feed.get("title"))
    identity = _identity(home or feed_url, "", title)
    outlet = _plain(title) or _domain(home or feed_url)
    entries = []
    for raw in _list(feed.get("items")):
        item = _mapping(raw)
        html, text = _text(item.get("content_html")), _text(item.get("content_text"))
        summary = _text(item.get("summary"))
        link = safe_url(_text(item.get("url"))) or safe_url(_text(item.get("external_url")))
        raw_id = item.get("id")
        key = (
            str(raw_id).strip()
            if isinstance(raw_id, str | int) and not isinstance(raw_id, bool)
            else ""
        )
        published = _json_date(item.get("date_published"), settings)
        updated = _json_date(item.get("date_modified"), settings)
        entry = _entry(
            rel_path=rel_path,
            identity=identity,
            key=key or _normal_link(link),
            title=_text(item.get("title")),
            title_is_html=False,  # JSON Feed's titles are plain text
            content=html or text or summary,
            is_html=bool(html),
            summary=summary if (html or text) else "",
            link=link,
            outlet=outlet or _domain(link),
            published=published or updated,
            updated=updated or published,
            tags=[t for t in _list(item.get("tags")) if isinstance(t, str)],
        )
        if entry is not None:
            entries.append(entry)
    return entries


def _json_date(value: object, settings: LoadSettings) -> datetime | None:
    """An RFC 3339 date of a JSON Feed item; anything else is no date (a looser parser would
    complete a partial date from today's).

    >>> _json_date("2025-07-14T06:00:00Z", LoadSettings()).isoformat()
    '2025-07-14T06:00:00+00:00'
    >>> _json_date("July 14", LoadSettings()) is None
    True
    """
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return as_aware(when, settings.timezone)


# --- One entry ----------------------------------------------------------------------


def _entry(
    *,
    rel_path: str,
    identity: str,
    key: str,
    title: str,
    title_is_html: bool,
    content: str,
    is_html: bool,
    summary: str,
    link: str,
    outlet: str,
    published: datetime | None,
    updated: datetime | None,
    tags: Sequence[str],
) -> FeedEntry | None:
    """The article of one entry, or None for an entry with neither title nor text. A
    title in plain text keeps what only looks like markup ("Inflation <2%", "after
    <repairs>"); a title given as HTML, or holding a tag of HTML's own, has its tags
    dropped (RSS leaves a title's kind unsaid, and feedparser calls a title with a
    <script> in it plain text)."""
    as_html = title_is_html or bool(_MARKUP.search(title))
    headline = _plain(title) if as_html else squash(normalize_text(title))
    blocks = clean_blocks(_blocks(content, is_html), title=headline)
    if not headline and not blocks:
        return None
    if not headline:
        headline = headline_from_prose(next((b.text for b in blocks), ""))
    if not key:
        key = f"{headline}\n{published.isoformat() if published else ''}"
    return FeedEntry(
        Article(
            id=entry_id(identity or _file_identity(rel_path), key),
            path=rel_path,
            outlet=outlet,
            title=headline,
            dek=standfirst(_plain(_spaced(summary)), blocks) if summary else "",
            url=link,
            published=published,
            tags=_tags(tags),
            blocks=blocks,
        ),
        updated,
    )


def _blocks(content: str, is_html: bool) -> tuple[Block, ...]:
    if not content.strip():
        return ()
    if not is_html:
        paragraphs = [squash(p) for p in re.split(r"\n\s*\n", content)]
        content = "".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs if p)
    # A line break after items, cells and <br>, so their texts never run together.
    return html_to_blocks(_BREAK_AFTER.sub(lambda m: f"{m.group(1)}\n", content))


def _spaced(html: str) -> str:
    """HTML with a space after each block's end, so that its plain text keeps word breaks."""
    return _BLOCK_END.sub(lambda m: f"{m.group(1)} ", html)


def entry_id(feed_identity: str, entry_key: str) -> str:
    """The stable id of a feed entry: a hash of the feed's identity and the entry's key.

    >>> entry_id("dailypost.example", "https://dailypost.example/rain")
    'feed:...'
    >>> entry_id("a", "1") == entry_id("a", "1") != entry_id("b", "1")
    True
    """
    digest = hashlib.sha256(f"{feed_identity}\x00{entry_key.strip()}".encode()).hexdigest()
    return f"feed:{digest[:16]}"


def _identity(link: str, feed_id: str, title: str) -> str:
    """A feed's identity across snapshots: its link, else its id, else its title."""
    if link:
        return _normal_link(link)
    if feed_id.strip():
        return feed_id.strip()
    return squash(_plain(title)).casefold()


def _file_identity(rel_path: str) -> str:
    """Last resort for a feed without link, id or title: the file's folder."""
    return f"file:{PurePosixPath(rel_path).parent}"


def _normal_link(url: str) -> str:
    """A URL without scheme, "www." and trailing slash, for comparing identities.

    >>> _normal_link("https://www.Example.org/news/"), _normal_link("http://example.org/news")
    ('example.org/news', 'example.org/news')
    """
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    host = (parts.netloc or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}" + (f"?{parts.query}" if parts.query else "")


def _domain(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _tags(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        name = squash(_plain(value)).lower()
        if name:
            seen[name] = None
    return tuple(seen)


def _struct_time(value: object) -> datetime | None:
    """feedparser's parsed dates are UTC ``time.struct_time`` values."""
    if not isinstance(value, tuple) or len(value) < 6:
        return None
    try:
        year, month, day, hour, minute, second = (int(x) for x in value[:6])
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (ValueError, TypeError, OverflowError):
        return None


# Tags of HTML's own elements: a title holding one is HTML whatever its feed says.
_MARKUP = re.compile(
    r"(?i)</?(?:a|abbr|b|big|br|cite|code|del|div|em|embed|font|i|iframe|img|ins|mark|math"
    r"|object|p|q|s|script|small|span|strike|strong|style|sub|sup|svg|u)(?:\s[^>]*)?/?>"
)


_CUT_SHORT = frozenset({"no element found", "unclosed token"})
"""What expat says of a document that ends before its elements are closed."""


def _is_html(kind: object) -> bool:
    return isinstance(kind, str) and kind.lower() in _HTML_TYPES


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _plain(fragment: str) -> str:
    """``plain_text`` of outside text, its control characters removed first (lxml refuses
    them)."""
    return plain_text(normalize_text(fragment))
