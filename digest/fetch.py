"""Fetching feeds over HTTP into the content folder, for ``digest fetch``.

Each feed in the configuration is downloaded and, when it changed, saved as a snapshot
file under the content folder, so that every build can be replayed from the files alone::

    content/feeds/<outlet-or-host>/<UTC time>-<hash>.xml     RSS or Atom, as served
    content/feeds/<outlet-or-host>/<UTC time>-<hash>.json    JSON Feed
    content/pages/<host>/<slug>-<hash>.html                  article pages (fetch_pages)
    content/.fetch/state.json                                validators, latest snapshots

A snapshot is never overwritten; a body byte-identical to the feed's latest snapshot is
not saved again. Every file is written to a hidden temporary file beside its target and
moved into place with ``os.replace``, so a reader never sees half a file.

What the fetcher promises:

- Conditional GET: the ETag and Last-Modified of each feed are remembered in the state
  file and sent back as If-None-Match / If-Modified-Since; a 304 reports "not-modified"
  and writes nothing.
- Limits: ``timeout`` seconds for one attempt, from connecting to the last byte; at most
  ``max_bytes`` of (decoded) body, streamed and cut off past the cap; at most
  ``max_redirects`` redirects; at most ``per_host`` requests in flight to one host (and
  ``MAX_CONNECTIONS`` in all).
- Retries with exponential backoff (``backoff``, twice that, four times, ...) after a
  connection error, a timeout or a 5xx answer, never after a 4xx.
- No exception for a network problem: every feed gets a :class:`FetchResult` whose
  ``reason`` says what went wrong.
- Only the given URLs (and, with ``fetch_pages``, the pages their entries link to) are
  contacted. Nothing is printed; the caller gets a ``progress`` call per finished feed.

Why asyncio and ``httpx.AsyncClient`` rather than a thread pool: a whole-attempt deadline
(``asyncio.timeout``) stops a server that trickles bytes forever, which httpx's per-read
timeouts alone cannot do and which a thread cannot be interrupted for; per-host limits
are plain ``asyncio.Semaphore`` objects with no locking to get wrong; and the
``progress`` callback runs in the caller's thread, so a terminal progress bar needs no
synchronisation. Files are written synchronously from the event loop: they are small and
local, and writing them in order keeps the state simple. ``fetch_all`` runs its own event
loop, so it must be called from synchronous code (as the CLI does).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import io
import json
import os
import re
import secrets
import ssl
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import httpx

from digest import __version__
from digest.errors import ConfigError, DigestError

Status = Literal["fetched", "not-modified", "failed"]

STATE_FILE = PurePosixPath(".fetch/state.json")
"""Where validators and latest snapshots are remembered, relative to the content folder."""
FEEDS_FOLDER = "feeds"
PAGES_FOLDER = "pages"
MAX_CONNECTIONS = 16
"""The most requests in flight at once, over all hosts."""
RETRY_AFTER_CAP = 60.0
"""The longest a server's Retry-After (in seconds) is honoured; longer asks get the backoff."""

_FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
_PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_FEED_SUFFIX = {"rss": ".xml", "atom": ".xml", "rdf": ".xml", "jsonfeed": ".json"}
_NOT_A_FEED = {
    "html": "expected a feed, found an HTML page",
    "json": "expected a feed, found JSON that is not a JSON Feed",
    "xml": "expected a feed, found XML that is neither RSS nor Atom",
    "unknown": "expected a feed (RSS, Atom or JSON Feed), found neither XML nor JSON",
}
_STATE_VERSION = 1
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True, slots=True)
class FeedSource:
    """One ``[[feeds]]`` entry of ``digest.toml``: the feed's URL and, optionally, its outlet.

    The outlet names the snapshot folder (``feeds/<outlet slug>/``); without one, the
    host does.
    """

    url: str
    outlet: str = ""


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """How politely and how far the fetcher goes; checked when made.

    >>> FetchSettings(per_host=0)
    Traceback (most recent call last):
    ...
    digest.errors.ConfigError: fetch: per_host: expected a whole number of at least 1, found 0
    """

    timeout: float = 20.0
    """Seconds one attempt may take, from connecting to the last byte of the body."""
    max_bytes: int = 10_000_000
    """The largest body accepted (after Content-Encoding is decoded); larger ones fail."""
    max_redirects: int = 5
    """The most redirects followed for one request."""
    retries: int = 3
    """Further attempts after a connection error, a timeout or a 5xx answer (not a 4xx)."""
    backoff: float = 0.5
    """Seconds before the first retry; each further retry waits twice as long."""
    per_host: int = 2
    """The most requests in flight to one host at once (redirects count for the first host)."""
    user_agent: str = f"digest/{__version__} (+https://example.org/digest; static news digest)"
    """The User-Agent header: who is fetching, and where to read about it."""
    fetch_pages: bool = False
    """Also save the article page each new feed entry links to, under ``pages/``.

    A page is new when the state file does not list it as saved; one that could not be
    saved is tried again the next time its feed answers with a body (not a 304)."""

    def __post_init__(self) -> None:
        errors: list[str] = []
        if not self.timeout > 0:
            errors.append(f"timeout: expected a positive number of seconds, found {self.timeout}")
        if self.max_bytes < 1:
            errors.append(
                f"max_bytes: expected a whole number of at least 1, found {self.max_bytes}"
            )
        if self.max_redirects < 0:
            errors.append(
                f"max_redirects: expected a whole number of at least 0, found {self.max_redirects}"
            )
        if self.retries < 0:
            errors.append(f"retries: expected a whole number of at least 0, found {self.retries}")
        if not self.backoff >= 0:
            errors.append(f"backoff: expected a number of seconds ≥ 0, found {self.backoff}")
        if self.per_host < 1:
            errors.append(f"per_host: expected a whole number of at least 1, found {self.per_host}")
        if not self.user_agent.strip():
            errors.append("user_agent: expected a non-empty string, found an empty one")
        if errors:
            raise ConfigError("fetch", errors)


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What happened to one feed.

    ``status`` is "fetched" (a 2xx feed body came; it may have been unchanged and so not
    saved again), "not-modified" (304, nothing written) or "failed". ``reason`` says why
    it failed, or notes something about a fetched feed (unchanged body, pages that could
    not be saved). ``saved`` lists the files written, relative to the content folder:
    the snapshot first, then any pages.
    """

    source: FeedSource
    status: Status
    reason: str = ""
    saved: tuple[str, ...] = ()


class FetchError(DigestError):
    """The fetcher could not use the content folder (a disk problem, not a network one)."""


@dataclass(frozen=True, slots=True)
class _FeedRecord:
    """What the state file remembers of one feed (keyed by the feed's URL)."""

    etag: str = ""
    last_modified: str = ""
    sha256: str = ""
    snapshot: str = ""


# --- pure helpers --------------------------------------------------------------------------


def summary_line(results: Sequence[FetchResult]) -> str:
    """One line for the end of ``digest fetch``: counts, then which feeds failed and why.

    >>> ok = FetchResult(FeedSource("https://a.example/rss"), "fetched", saved=("feeds/a/1.xml",))
    >>> same = FetchResult(FeedSource("https://b.example/feed"), "not-modified")
    >>> bad = FetchResult(FeedSource("https://example.org/feed"), "failed", "HTTP 404 Not Found")
    >>> summary_line([ok, same, bad])
    '3 feeds: 1 fetched, 1 not modified, 1 failed (example.org: HTTP 404 Not Found)'
    >>> summary_line([])
    '0 feeds: 0 fetched, 0 not modified, 0 failed'
    """
    count = {status: 0 for status in ("fetched", "not-modified", "failed")}
    for result in results:
        count[result.status] += 1
    line = (
        f"{len(results)} feed{'' if len(results) == 1 else 's'}: {count['fetched']} fetched, "
        f"{count['not-modified']} not modified, {count['failed']} failed"
    )
    failures = [f"{_name(r.source)}: {r.reason}" for r in results if r.status == "failed"]
    if failures:
        shown = "; ".join(failures[:3])
        more = f"; and {len(failures) - 3} more" if len(failures) > 3 else ""
        line += f" ({shown}{more})"
    pages = sum(1 for r in results for path in r.saved if path.startswith(PAGES_FOLDER + "/"))
    if pages:
        line += f"; {pages} page{'' if pages == 1 else 's'} saved"
    return line


def _name(source: FeedSource) -> str:
    return source.outlet or urlsplit(source.url).hostname or source.url


def sniff(data: bytes) -> str:
    """What a body is, from its first bytes: "rss", "atom", "rdf" (RSS 1.0), "jsonfeed",
    or, for anything that is not a feed, "html", "json", "xml" or "unknown".

    Servers often label feeds text/html or text/plain, so the bytes decide, not the
    Content-Type.

    >>> sniff(b'<?xml version="1.0"?>\\n<rss version="2.0"><channel/></rss>')
    'rss'
    >>> sniff(b'<feed xmlns="http://www.w3.org/2005/Atom"/>')
    'atom'
    >>> sniff(b'{"version": "https://jsonfeed.org/version/1.1", "items": []}')
    'jsonfeed'
    >>> sniff(b'<!DOCTYPE html>\\n<html lang="en"><head><title>News</title></head></html>')
    'html'
    >>> sniff(b'Not Found')
    'unknown'
    """
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore")
    text = text.lstrip("\ufeff \t\r\n")
    if text.startswith(("{", "[")):
        try:
            value: Any = json.loads(data)
        except (ValueError, RecursionError):
            return "unknown"
        version = value.get("version") if isinstance(value, dict) else None
        return (
            "jsonfeed"
            if isinstance(version, str) and "jsonfeed.org/version/" in version
            else "json"
        )
    pos = 0
    while match := _PROLOG.match(text, pos):
        if match.group("doctype") and match.group("doctype").lower() == "html":
            return "html"
        pos = match.end()
    root = _ROOT.match(text, pos)
    if root:
        name = root.group(1).rpartition(":")[2].lower()
        if name == "rss":
            return "rss"
        if name == "feed":
            return "atom"
        if name == "rdf":
            return "rdf"
        if name in ("html", "head", "body"):
            return "html"
    if _HTML_TAG.search(text):
        return "html"
    return "xml" if root else "unknown"


_PROLOG = re.compile(
    r"\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE\s+(?P<doctype>[\w:.-]+)(?:[^\[>]|\[.*?\])*>",
    re.DOTALL | re.IGNORECASE,
)
_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")
_HTML_TAG = re.compile(r"<html[\s>]|<body[\s>]|<!DOCTYPE\s+html", re.IGNORECASE)


def entry_links(data: bytes, base_url: str = "") -> tuple[str, ...]:
    """The http(s) links of a feed's entries, in feed order, each once, made absolute.

    RSS and Atom are read with feedparser (from the bytes; it fetches nothing), JSON Feed
    with ``json``.

    >>> rss = b'''<rss version="2.0"><channel><title>T</title>
    ... <item><title>A</title><link>/news/a</link></item>
    ... <item><title>B</title><link>https://example.org/news/b</link></item>
    ... </channel></rss>'''
    >>> entry_links(rss, "https://example.org/feed.xml")
    ('https://example.org/news/a', 'https://example.org/news/b')
    >>> entry_links(b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"url": "b"}]}',
    ...             "https://example.org/feed.json")
    ('https://example.org/b',)
    """
    links: list[str] = []
    if sniff(data) == "jsonfeed":
        items = json.loads(data).get("items")
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict) and isinstance(item.get("url"), str):
                links.append(item["url"])
    else:
        import feedparser  # type: ignore[import-untyped]  # imported only when pages are wanted

        parsed = feedparser.parse(io.BytesIO(data))
        for entry in parsed.entries:
            link = entry.get("link")
            if isinstance(link, str):
                links.append(link)
    absolute = (urljoin(base_url, link.strip()) for link in links if link.strip())
    return tuple(
        dict.fromkeys(link for link in absolute if urlsplit(link).scheme in ("http", "https"))
    )


def snapshot_path(source: FeedSource, data: bytes, suffix: str, now: datetime) -> PurePosixPath:
    """Where a feed's snapshot goes, relative to the content folder.

    >>> when = datetime(2025, 7, 14, 6, 30, tzinfo=UTC)
    >>> str(snapshot_path(FeedSource("https://www.example.org/rss", "The Example"), b"x", ".xml", when))
    'feeds/the-example/20250714T063000Z-2d711642.xml'
    >>> str(snapshot_path(FeedSource("https://www.example.org/rss"), b"x", ".xml", when))
    'feeds/example-org/20250714T063000Z-2d711642.xml'
    """
    from slugify import slugify

    host = (urlsplit(source.url).hostname or "").removeprefix("www.")
    folder = slugify(source.outlet, max_length=60) or slugify(host, max_length=60) or "feed"
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    short = hashlib.sha256(data).hexdigest()[:8]
    return PurePosixPath(FEEDS_FOLDER, folder, f"{stamp}-{short}{suffix}")


def page_path(url: str) -> PurePosixPath:
    """Where an article page goes, relative to the content folder: host, then a slug of the
    URL's path with a short hash of the whole URL, so two URLs never share a file.

    >>> str(page_path("https://news.example.org/2025/07/14/talks-resume.html?ref=rss"))
    'pages/news.example.org/2025-07-14-talks-resume-c38451bc.html'
    """
    from slugify import slugify

    parts = urlsplit(url)
    host = re.sub(r"[^a-z0-9.-]", "-", (parts.hostname or "unknown").lower()).strip(".") or "host"
    stem = parts.path.rsplit(".", 1)[0] if "." in parts.path.rsplit("/", 1)[-1] else parts.path
    slug = slugify(stem, max_length=80, word_boundary=True) or "index"
    short = hashlib.sha256(url.encode("utf-8")).hexdigest()[:8]
    return PurePosixPath(PAGES_FOLDER, host, f"{slug}-{short}.html")


# --- state and files -------------------------------------------------------------------------


@dataclass(slots=True)
class _State:
    """The state file's contents, changed in place while one run goes on."""

    feeds: dict[str, _FeedRecord] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> _State:
        """The remembered state; a missing or damaged file reads as none (all is fetched anew)."""
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return cls()
        state = cls()
        if not isinstance(data, dict) or data.get("version") != _STATE_VERSION:
            return state
        feeds, pages = data.get("feeds"), data.get("pages")
        for url, record in feeds.items() if isinstance(feeds, dict) else ():
            if isinstance(record, dict):
                values = {
                    key: record[key]
                    for key in ("etag", "last_modified", "sha256", "snapshot")
                    if isinstance(record.get(key), str)
                }
                state.feeds[url] = _FeedRecord(**values)
        for url, saved in pages.items() if isinstance(pages, dict) else ():
            if isinstance(saved, str):
                state.pages[url] = saved
        return state

    def to_json(self) -> bytes:
        data = {
            "version": _STATE_VERSION,
            "feeds": {
                url: {
                    "etag": r.etag,
                    "last_modified": r.last_modified,
                    "sha256": r.sha256,
                    "snapshot": r.snapshot,
                }
                for url, r in sorted(self.feeds.items())
            },
            "pages": dict(sorted(self.pages.items())),
        }
        return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def _write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to a hidden file beside ``target``, then move it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


# --- HTTP ------------------------------------------------------------------------------------


class _Failure(Exception):
    """One attempt went wrong; ``retry`` says whether another attempt may help."""

    def __init__(self, reason: str, *, retry: bool = False, retry_after: float = 0.0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class _Response:
    url: str
    data: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False


@dataclass(slots=True)
class _Run:
    """Everything one run shares: the client, the limits, the state, the clock."""

    client: httpx.AsyncClient
    settings: FetchSettings
    content_dir: Path
    now: datetime
    state: _State
    limit: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(MAX_CONNECTIONS))
    hosts: dict[str, asyncio.Semaphore] = field(default_factory=dict)
    feed_locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    pages_seen: set[str] = field(default_factory=set)

    def host_limit(self, url: str) -> asyncio.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        if host not in self.hosts:
            self.hosts[host] = asyncio.Semaphore(self.settings.per_host)
        return self.hosts[host]


@functools.cache
def _tls() -> ssl.SSLContext:
    """The TLS context httpx would make (certifi's roots, or SSL_CERT_FILE / SSL_CERT_DIR).

    Made once per process and only read afterwards: loading the root certificates takes
    about 0.15 s, longer than fetching a feed from a nearby server.
    """
    return httpx.create_ssl_context()


def _http_reason(response: httpx.Response) -> str:
    return f"HTTP {response.status_code} {response.reason_phrase}".rstrip()


def _retry_after(response: httpx.Response) -> float:
    value = response.headers.get("retry-after", "").strip()
    return float(value) if value.isdigit() and float(value) <= RETRY_AFTER_CAP else 0.0


async def _read(response: httpx.Response, settings: FetchSettings) -> _Response:
    """The body of a response, or a _Failure naming why not."""
    headers = response.headers
    validators = {
        "etag": headers.get("etag", ""),
        "last_modified": headers.get("last-modified", ""),
    }
    if response.status_code == 304:
        return _Response(str(response.url), not_modified=True, **validators)
    if response.status_code >= 500:
        raise _Failure(_http_reason(response), retry=True, retry_after=_retry_after(response))
    if not 200 <= response.status_code < 300:
        raise _Failure(_http_reason(response))
    length = headers.get("content-length", "").strip()
    cap = settings.max_bytes
    if length.isdigit() and int(length) > cap and "content-encoding" not in headers:
        raise _Failure(f"larger than {cap:,} bytes (Content-Length: {int(length):,})")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > cap:
            raise _Failure(f"larger than {cap:,} bytes; stopped reading")
        chunks.append(chunk)
    return _Response(
        str(response.url),
        b"".join(chunks),
        headers.get("content-type", "").split(";")[0].strip().lower(),
        **validators,
    )


def _describe(exc: BaseException) -> str:
    return str(exc).strip() or type(exc).__name__


async def _attempt(run: _Run, url: str, headers: dict[str, str]) -> _Response:
    settings = run.settings
    async with run.host_limit(url), run.limit:
        try:
            async with asyncio.timeout(settings.timeout):
                async with run.client.stream("GET", url, headers=headers) as response:
                    return await _read(response, settings)
        except (TimeoutError, httpx.TimeoutException):
            raise _Failure(f"timed out after {settings.timeout:g} s", retry=True) from None
        except httpx.TooManyRedirects:
            raise _Failure(f"too many redirects (more than {settings.max_redirects})") from None
        except httpx.UnsupportedProtocol as exc:
            raise _Failure(f"expected an http(s) URL: {_describe(exc)}") from None
        except httpx.DecodingError as exc:
            raise _Failure(f"could not decode the compressed body: {_describe(exc)}") from None
        except httpx.ConnectError as exc:
            raise _Failure(f"could not connect: {_describe(exc)}", retry=True) from None
        except (httpx.TransportError, OSError) as exc:
            raise _Failure(f"connection failed: {_describe(exc)}", retry=True) from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise _Failure(_describe(exc)) from None


async def _download(run: _Run, url: str, headers: dict[str, str]) -> _Response:
    """GET ``url``, retrying with exponential backoff while a retry may help."""
    settings = run.settings
    for attempt in range(settings.retries + 1):
        try:
            return await _attempt(run, url, headers)
        except _Failure as failure:
            if not failure.retry or attempt == settings.retries:
                if attempt:
                    raise _Failure(f"{failure.reason} ({attempt + 1} attempts)") from None
                raise
            await asyncio.sleep(max(settings.backoff * 2**attempt, failure.retry_after))
    raise AssertionError("unreachable")  # pragma: no cover


def _gunzip(data: bytes, cap: int) -> bytes:
    """A body that is itself a gzip file (not merely gzip-encoded in transit), unpacked."""
    if not data.startswith(_GZIP_MAGIC):
        return data
    unpacker = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = unpacker.decompress(data, cap + 1)
    except zlib.error as exc:
        raise _Failure(f"expected a gzip file, found a damaged one: {exc}") from None
    if len(out) > cap or unpacker.unconsumed_tail:
        raise _Failure(f"larger than {cap:,} bytes once unpacked")
    return out


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _Failure(f"expected an absolute http(s) URL, found {url!r}")


# --- one feed, its pages -----------------------------------------------------------------


async def _fetch_feed(run: _Run, source: FeedSource) -> FetchResult:
    lock = run.feed_locks.setdefault(source.url, asyncio.Lock())
    async with lock:  # the same URL listed twice is fetched one after the other
        try:
            return await _fetch_feed_once(run, source)
        except _Failure as failure:
            return FetchResult(source, "failed", failure.reason)


async def _fetch_feed_once(run: _Run, source: FeedSource) -> FetchResult:
    _check_url(source.url)
    record = run.state.feeds.get(source.url, _FeedRecord())
    has_snapshot = bool(record.snapshot) and (run.content_dir / record.snapshot).is_file()
    headers = {"Accept": _FEED_ACCEPT}
    if has_snapshot and record.etag:
        headers["If-None-Match"] = record.etag
    if has_snapshot and record.last_modified:
        headers["If-Modified-Since"] = record.last_modified
    response = await _download(run, source.url, headers)
    if response.not_modified:
        if len(headers) == 1:
            return FetchResult(
                source, "failed", "HTTP 304 Not Modified to an unconditional request"
            )
        run.state.feeds[source.url] = replace(
            record,
            etag=response.etag or record.etag,
            last_modified=response.last_modified or record.last_modified,
        )
        return FetchResult(source, "not-modified")
    data = _gunzip(response.data, run.settings.max_bytes)
    if not data.strip():
        return FetchResult(source, "failed", "expected a feed, found an empty body")
    kind = sniff(data)
    if kind not in _FEED_SUFFIX:
        reason = _NOT_A_FEED[kind]
        if kind == "unknown" and response.content_type:
            reason += f" (Content-Type: {response.content_type})"
        return FetchResult(source, "failed", reason)
    checksum = hashlib.sha256(data).hexdigest()
    notes: list[str] = []
    saved: list[str] = []
    snapshot = record.snapshot
    if has_snapshot and checksum == record.sha256:
        notes.append("unchanged since the last snapshot")
    else:
        rel = snapshot_path(source, data, _FEED_SUFFIX[kind], run.now)
        try:
            _write_atomic(run.content_dir.joinpath(*rel.parts), data)
        except OSError as exc:
            return FetchResult(source, "failed", f"could not save {rel}: {_describe(exc)}")
        snapshot = str(rel)
        saved.append(snapshot)
    run.state.feeds[source.url] = _FeedRecord(
        response.etag, response.last_modified, checksum, snapshot
    )
    if run.settings.fetch_pages:
        pages, failures = await _fetch_pages(run, entry_links(data, response.url))
        saved.extend(pages)
        if failures:
            total = len(pages) + len(failures)
            shown = "; ".join(failures[:3]) + (
                f"; and {len(failures) - 3} more" if len(failures) > 3 else ""
            )
            notes.append(f"{len(failures)} of {total} pages failed ({shown})")
    return FetchResult(source, "fetched", "; ".join(notes), tuple(saved))


async def _fetch_pages(run: _Run, links: Iterable[str]) -> tuple[list[str], list[str]]:
    """Save every linked page not saved before (nor tried in this run); paths and failures."""
    new = [link for link in links if link not in run.state.pages and link not in run.pages_seen]
    run.pages_seen.update(new)
    outcomes = await asyncio.gather(*(_fetch_page(run, link) for link in new))
    saved = [outcome for ok, outcome in outcomes if ok]
    failures = [outcome for ok, outcome in outcomes if not ok]
    return saved, failures


async def _fetch_page(run: _Run, url: str) -> tuple[bool, str]:
    """(True, saved path) or (False, "url: reason")."""
    parts = urlsplit(url)
    label = f"{parts.hostname}{parts.path}"
    try:
        response = await _download(run, url, {"Accept": _PAGE_ACCEPT})
        if response.not_modified:
            raise _Failure("HTTP 304 Not Modified to an unconditional request")
        data = _gunzip(response.data, run.settings.max_bytes)
    except _Failure as failure:
        return False, f"{label}: {failure.reason}"
    html_type = response.content_type in ("text/html", "application/xhtml+xml")
    if sniff(data) != "html" and not html_type:
        found = response.content_type or "content without a Content-Type"
        return False, f"{label}: expected an HTML page, found {found}"
    rel = page_path(url)
    try:
        _write_atomic(run.content_dir.joinpath(*rel.parts), data)
    except OSError as exc:
        return False, f"{label}: could not save {rel}: {_describe(exc)}"
    run.state.pages[url] = str(rel)
    return True, str(rel)


# --- the whole run ------------------------------------------------------------------------


async def _fetch_all(
    sources: Sequence[FeedSource],
    content_dir: Path,
    settings: FetchSettings,
    now: datetime,
    progress: Callable[[FetchResult], None] | None,
) -> tuple[FetchResult, ...]:
    state_path = content_dir.joinpath(*STATE_FILE.parts)
    state = _State.read(state_path)
    before = state.to_json()
    client = httpx.AsyncClient(
        headers={"User-Agent": settings.user_agent},
        verify=_tls(),
        timeout=httpx.Timeout(settings.timeout),
        follow_redirects=True,
        max_redirects=settings.max_redirects,
        limits=httpx.Limits(
            max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS
        ),
    )
    run = _Run(client, settings, content_dir, now, state)

    async def one(source: FeedSource) -> FetchResult:
        result = await _fetch_feed(run, source)
        if progress is not None:
            progress(result)
        return result

    try:
        async with client:
            return tuple(await asyncio.gather(*(one(source) for source in sources)))
    finally:  # what was saved is remembered, even when the run is interrupted
        after = state.to_json()
        if after != before:
            try:
                _write_atomic(state_path, after)
            except OSError as exc:
                raise FetchError(f"{state_path}: could not save the fetch state: {exc}") from exc


def fetch_all(
    sources: Sequence[FeedSource],
    content_dir: Path,
    settings: FetchSettings = FetchSettings(),
    now: datetime | None = None,
    progress: Callable[[FetchResult], None] | None = None,
) -> tuple[FetchResult, ...]:
    """Fetch every feed into ``content_dir``; one result per source, in the given order.

    ``now`` names the snapshots (the CLI passes its clock); ``progress`` is called with
    each result as its feed finishes, in the caller's thread. Network problems never
    raise: they become failed results. A content folder that cannot be written raises
    FetchError. Must be called from synchronous code (it runs its own event loop).
    """
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now: expected a time zone-aware datetime, found {now!r}")
    try:
        content_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(f"{content_dir}: could not create the content folder: {exc}") from exc
    return asyncio.run(_fetch_all(tuple(sources), content_dir, settings, now, progress))
