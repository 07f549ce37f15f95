"""The HTTP fetcher against a loopback server whose every answer the test decides.

Nothing leaves 127.0.0.1. Backoffs are tiny and the only slow answers are the ones a
behaviour needs (a timeout, overlapping requests), so the file runs in a few seconds.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from digest.errors import ConfigError
from digest.fetch import (
    STATE_FILE,
    FeedSource,
    FetchResult,
    FetchSettings,
    fetch_all,
    sniff,
    summary_line,
)

NOW = datetime(2025, 7, 14, 6, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
FAST = FetchSettings(timeout=3.0, retries=2, backoff=0.01)


def rss(*links: str, title: str = "Example News") -> bytes:
    items = "".join(
        f"<item><title>Story {i}</title><link>{link}</link><guid>{link}</guid></item>"
        for i, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.org/</link>{items}</channel></rss>\n"
    ).encode()


RSS = rss("https://example.org/a", "https://example.org/b")
ATOM = (
    b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
    b'<entry><title>A</title><link href="https://example.org/a"/></entry></feed>\n'
)
JSON_FEED = json.dumps(
    {"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [{"id": "1"}]}
).encode()
HTML = b"<!DOCTYPE html>\n<html><head><title>Example</title></head><body>News</body></html>"


# --- the loopback server --------------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_length: bool = True
    trickle: float = 0.0  # seconds between 16-byte pieces of the body


Route = Reply | Callable[[dict[str, str]], Reply]


@dataclass
class Server:
    """Routes by path; counts requests, keeps their headers, tracks requests in flight."""

    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    active: int = 0
    max_active: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path

    def headers_of(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.requests if p == path]


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        app: Server = self.server.app  # type: ignore[attr-defined]
        path = urlsplit(self.path).path
        headers = {k.lower(): v for k, v in self.headers.items()}
        with app.lock:
            app.hits[path] += 1
            app.requests.append((path, headers))
            app.active += 1
            app.max_active = max(app.max_active, app.active)
        try:
            route = app.routes.get(path, Reply(404, b"not found"))
            reply = route if isinstance(route, Reply) else route(headers)
            time.sleep(reply.delay)
        finally:
            # Out of flight before the answer goes out: the client cannot start its next
            # request before this one is counted as finished.
            with app.lock:
                app.active -= 1
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.content_length and reply.status != 304:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if reply.status != 304 and reply.trickle:
                for start in range(0, len(reply.body), 16):
                    self.wfile.write(reply.body[start : start + 16])
                    self.wfile.flush()
                    time.sleep(reply.trickle)
            elif reply.status != 304:
                self.wfile.write(reply.body)
        except OSError:  # the client gave up (a timeout test): nothing to answer
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Quiet(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)
    app = Server()
    httpd = _Quiet(("127.0.0.1", 0), _Handler)
    httpd.app = app  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    app.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield app
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def feed_files(content: Path) -> list[Path]:
    return files_under(content / "feeds")


# --- one feed, one answer ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "suffix"),
    [
        (RSS, "application/rss+xml", ".xml"),
        (ATOM, "application/atom+xml", ".xml"),
        (JSON_FEED, "application/feed+json", ".json"),
        (RSS, "text/html; charset=utf-8", ".xml"),  # mislabelled: the bytes decide
    ],
)
def test_a_feed_is_saved_as_a_snapshot(
    server: Server, tmp_path: Path, body: bytes, content_type: str, suffix: str
) -> None:
    server.routes["/feed"] = Reply(body=body, headers={"Content-Type": content_type})
    source = FeedSource(server.url("/feed"), outlet="Example News")

    (result,) = fetch_all([source], tmp_path, FAST, now=NOW)

    assert result == FetchResult(source, "fetched", "", result.saved)
    (saved,) = result.saved
    assert saved.startswith("feeds/example-news/20250714T060000Z-")
    assert saved.endswith(suffix)
    assert (tmp_path / saved).read_bytes() == body
    assert feed_files(tmp_path) == [tmp_path / saved]
    assert server.headers_of("/feed")[0]["user-agent"].startswith("digest/")
    assert (tmp_path / STATE_FILE).is_file()


def test_without_an_outlet_the_host_names_the_folder(server: Server, tmp_path: Path) -> None:
    server.routes["/feed"] = Reply(body=RSS)
    (result,) = fetch_all([FeedSource(server.url("/feed"))], tmp_path, FAST, now=NOW)
    assert result.saved[0].startswith("feeds/127-0-0-1/")


def test_etag_is_sent_back_and_304_writes_nothing(server: Server, tmp_path: Path) -> None:
    def feed(headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return Reply(body=RSS, headers={"ETag": '"v1"'})

    server.routes["/feed"] = feed
    source = FeedSource(server.url("/feed"))

    first = fetch_all([source], tmp_path, FAST, now=NOW)
    second = fetch_all([source], tmp_path, FAST, now=LATER)

    assert first[0].status == "fetched"
    assert second == (FetchResult(source, "not-modified"),)
    assert "if-none-match" not in server.headers_of("/feed")[0]
    assert server.headers_of("/feed")[1]["if-none-match"] == '"v1"'
    assert len(feed_files(tmp_path)) == 1


def test_last_modified_is_sent_back_and_304_writes_nothing(server: Server, tmp_path: Path) -> None:
    stamp = "Mon, 14 Jul 2025 05:00:00 GMT"

    def feed(headers: dict[str, str]) -> Reply:
        if headers.get("if-modified-since") == stamp:
            return Reply(304)
        return Reply(body=RSS, headers={"Last-Modified": stamp})

    server.routes["/feed"] = feed
    source = FeedSource(server.url("/feed"))

    fetch_all([source], tmp_path, FAST, now=NOW)
    (second,) = fetch_all([source], tmp_path, FAST, now=LATER)

    assert second.status == "not-modified"
    assert server.headers_of("/feed")[1]["if-modified-since"] == stamp
    assert "if-none-match" not in server.headers_of("/feed")[1]
    assert len(feed_files(tmp_path)) == 1


def test_validators_are_not_sent_when_the_snapshot_is_gone(server: Server, tmp_path: Path) -> None:
    server.routes["/feed"] = Reply(body=RSS, headers={"ETag": '"v1"'})
    source = FeedSource(server.url("/feed"))
    (first,) = fetch_all([source], tmp_path, FAST, now=NOW)
    (tmp_path / first.saved[0]).unlink()

    (second,) = fetch_all([source], tmp_path, FAST, now=LATER)

    assert "if-none-match" not in server.headers_of("/feed")[1]
    assert second.status == "fetched" and len(second.saved) == 1


def test_404_fails_at_once_without_retrying(server: Server, tmp_path: Path) -> None:
    source = FeedSource(server.url("/missing"))
    (result,) = fetch_all([source], tmp_path, FAST, now=NOW)
    assert result.status == "failed"
    assert result.reason == "HTTP 404 Not Found"
    assert server.hits["/missing"] == 1
    assert feed_files(tmp_path) == []


def test_500_is_retried_until_it_succeeds(server: Server, tmp_path: Path) -> None:
    def flaky(headers: dict[str, str]) -> Reply:
        return Reply(500, b"oops") if server.hits["/feed"] == 1 else Reply(body=RSS)

    server.routes["/feed"] = flaky
    (result,) = fetch_all([FeedSource(server.url("/feed"))], tmp_path, FAST, now=NOW)
    assert result.status == "fetched"
    assert server.hits["/feed"] == 2
    assert (tmp_path / result.saved[0]).read_bytes() == RSS


def test_a_lasting_500_fails_after_every_retry(server: Server, tmp_path: Path) -> None:
    server.routes["/feed"] = Reply(503, b"down")
    (result,) = fetch_all([FeedSource(server.url("/feed"))], tmp_path, FAST, now=NOW)
    assert result.status == "failed"
    assert result.reason == "HTTP 503 Service Unavailable (3 attempts)"
    assert server.hits["/feed"] == 3


def test_a_slow_server_times_out_and_is_retried(server: Server, tmp_path: Path) -> None:
    server.routes["/slow"] = Reply(body=RSS, delay=1.0)
    settings = FetchSettings(timeout=0.3, retries=1, backoff=0.01)
    (result,) = fetch_all([FeedSource(server.url("/slow"))], tmp_path, settings, now=NOW)
    assert result.status == "failed"
    assert "timed out" in result.reason
    assert server.hits["/slow"] == 2
    assert feed_files(tmp_path) == []


def test_a_server_that_trickles_bytes_is_cut_off(server: Server, tmp_path: Path) -> None:
    # Every piece comes well within the timeout; the whole body would not.
    server.routes["/trickle"] = Reply(body=RSS, trickle=0.05)
    settings = FetchSettings(timeout=0.3, retries=0)
    (result,) = fetch_all([FeedSource(server.url("/trickle"))], tmp_path, settings, now=NOW)
    assert result.status == "failed"
    assert result.reason == "timed out after 0.3 s"


@pytest.mark.parametrize("content_length", [True, False])
def test_an_oversized_body_fails(server: Server, tmp_path: Path, content_length: bool) -> None:
    big = rss(*(f"https://example.org/{i}" for i in range(200)))
    server.routes["/big"] = Reply(body=big, content_length=content_length)
    settings = FetchSettings(max_bytes=1000, retries=2, backoff=0.01)
    (result,) = fetch_all([FeedSource(server.url("/big"))], tmp_path, settings, now=NOW)
    assert result.status == "failed"
    assert "larger than 1,000 bytes" in result.reason
    assert server.hits["/big"] == 1
    assert feed_files(tmp_path) == []


def test_a_gzip_bomb_is_stopped_at_the_cap(server: Server, tmp_path: Path) -> None:
    bomb = gzip.compress(RSS[:-8] + b" " * 100_000 + RSS[-8:])
    server.routes["/bomb"] = Reply(body=bomb, headers={"Content-Encoding": "gzip"})
    settings = FetchSettings(max_bytes=10_000, retries=0)
    (result,) = fetch_all([FeedSource(server.url("/bomb"))], tmp_path, settings, now=NOW)
    assert result.status == "failed"
    assert "larger than 10,000 bytes" in result.reason


def test_a_redirect_loop_fails(server: Server, tmp_path: Path) -> None:
    server.routes["/loop"] = Reply(302, headers={"Location": "/loop"})
    (result,) = fetch_all([FeedSource(server.url("/loop"))], tmp_path, FAST, now=NOW)
    assert result.status == "failed"
    assert result.reason == "too many redirects (more than 5)"
    assert server.hits["/loop"] == 6


def test_a_redirect_is_followed(server: Server, tmp_path: Path) -> None:
    server.routes["/old"] = Reply(301, headers={"Location": "/new"})
    server.routes["/new"] = Reply(body=ATOM)
    (result,) = fetch_all([FeedSource(server.url("/old"))], tmp_path, FAST, now=NOW)
    assert result.status == "fetched"
    assert (tmp_path / result.saved[0]).read_bytes() == ATOM


def test_an_html_page_where_a_feed_was_expected_fails(server: Server, tmp_path: Path) -> None:
    server.routes["/feed"] = Reply(body=HTML, headers={"Content-Type": "text/html"})
    (result,) = fetch_all([FeedSource(server.url("/feed"))], tmp_path, FAST, now=NOW)
    assert result.status == "failed"
    assert result.reason == "expected a feed, found an HTML page"
    assert feed_files(tmp_path) == []


def test_a_gzip_encoded_body_is_decoded(server: Server, tmp_path: Path) -> None:
    server.routes["/feed"] = Reply(body=gzip.compress(RSS), headers={"Content-Encoding": "gzip"})
    (result,) = fetch_all([FeedSource(server.url("/feed"))], tmp_path, FAST, now=NOW)
    assert result.status == "fetched"
    assert (tmp_path / result.saved[0]).read_bytes() == RSS


def test_a_body_that_is_a_gz_file_is_unpacked(server: Server, tmp_path: Path) -> None:
    server.routes["/feed.xml.gz"] = Reply(
        body=gzip.compress(RSS), headers={"Content-Type": "application/gzip"}
    )
    (result,) = fetch_all([FeedSource(server.url("/feed.xml.gz"))], tmp_path, FAST, now=NOW)
    assert result.status == "fetched"
    assert (tmp_path / result.saved[0]).read_bytes() == RSS


def test_an_unchanged_body_is_not_saved_twice(server: Server, tmp_path: Path) -> None:
    server.routes["/feed"] = Reply(body=RSS)
    source = FeedSource(server.url("/feed"))

    (first,) = fetch_all([source], tmp_path, FAST, now=NOW)
    (second,) = fetch_all([source], tmp_path, FAST, now=LATER)
    server.routes["/feed"] = Reply(body=rss("https://example.org/c"))
    (third,) = fetch_all([source], tmp_path, FAST, now=LATER + timedelta(hours=1))

    assert second == FetchResult(source, "fetched", "unchanged since the last snapshot")
    assert len(third.saved) == 1
    assert feed_files(tmp_path) == sorted(tmp_path / p for p in first.saved + third.saved)


def test_the_same_url_listed_twice_is_fetched_in_turn(server: Server, tmp_path: Path) -> None:
    server.routes["/feed"] = lambda h: (
        Reply(304) if h.get("if-none-match") else Reply(body=RSS, headers={"ETag": '"x"'})
    )
    source = FeedSource(server.url("/feed"))
    results = fetch_all([source, source], tmp_path, FAST, now=NOW)
    assert [r.status for r in results] == ["fetched", "not-modified"]


# --- many feeds ----------------------------------------------------------------------------------


def test_at_most_per_host_requests_are_in_flight(server: Server, tmp_path: Path) -> None:
    sources = []
    for i in range(6):
        server.routes[f"/feed{i}"] = Reply(body=rss(f"https://example.org/{i}"), delay=0.15)
        sources.append(FeedSource(server.url(f"/feed{i}")))
    settings = FetchSettings(per_host=2, retries=0)
    seen: list[FetchResult] = []

    results = fetch_all(sources, tmp_path, settings, now=NOW, progress=seen.append)

    assert [r.status for r in results] == ["fetched"] * 6
    assert [r.source for r in results] == sources
    assert sorted(seen, key=lambda r: r.source.url) == sorted(results, key=lambda r: r.source.url)
    assert server.max_active == 2


def test_network_problems_never_raise(server: Server, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    server.routes["/feed"] = Reply(body=RSS)
    sources = [
        FeedSource(f"http://127.0.0.1:{closed}/feed"),
        FeedSource("ftp://127.0.0.1/feed"),
        FeedSource("not a url"),
        FeedSource(server.url("/feed")),
    ]
    results = fetch_all(sources, tmp_path, FAST, now=NOW)
    assert [r.status for r in results] == ["failed", "failed", "failed", "fetched"]
    assert results[0].reason.startswith("could not connect")
    assert results[0].reason.endswith("(3 attempts)")
    assert results[1].reason.startswith("expected an absolute http(s) URL")


def test_a_damaged_state_file_is_read_as_none(server: Server, tmp_path: Path) -> None:
    (tmp_path / ".fetch").mkdir()
    (tmp_path / STATE_FILE).write_text("{not json", encoding="utf-8")
    server.routes["/feed"] = Reply(body=RSS)
    (result,) = fetch_all([FeedSource(server.url("/feed"))], tmp_path, FAST, now=NOW)
    assert result.status == "fetched"
    assert json.loads((tmp_path / STATE_FILE).read_text(encoding="utf-8"))["version"] == 1


# --- article pages ----------------------------------------------------------------------------


def test_fetch_pages_saves_each_linked_page_once(server: Server, tmp_path: Path) -> None:
    for name in ("one", "two", "three"):
        server.routes[f"/a/{name}"] = Reply(
            body=HTML.replace(b"News", name.encode()), headers={"Content-Type": "text/html"}
        )
    server.routes["/feed"] = Reply(body=rss(server.url("/a/one"), "/a/two", "/a/gone"))
    source = FeedSource(server.url("/feed"))
    settings = FetchSettings(retries=0, fetch_pages=True)

    (first,) = fetch_all([source], tmp_path, settings, now=NOW)
    server.routes["/feed"] = Reply(body=rss("/a/three", server.url("/a/one"), "/a/two"))
    (second,) = fetch_all([source], tmp_path, settings, now=LATER)

    assert first.status == "fetched"
    assert first.reason == "1 of 3 pages failed (127.0.0.1/a/gone: HTTP 404 Not Found)"
    first_pages = [p for p in first.saved if p.startswith("pages/")]
    second_pages = [p for p in second.saved if p.startswith("pages/")]
    assert len(first_pages) == 2 and len(second_pages) == 1
    assert all(p.startswith("pages/127.0.0.1/a-") and p.endswith(".html") for p in first_pages)
    assert (tmp_path / second_pages[0]).read_bytes() == HTML.replace(b"News", b"three")
    assert server.hits["/a/one"] == server.hits["/a/two"] == server.hits["/a/three"] == 1
    assert len(files_under(tmp_path / "pages")) == 3
    assert summary_line([second]) == "1 feed: 1 fetched, 0 not modified, 0 failed; 1 page saved"


def test_a_linked_page_that_is_not_html_is_not_saved(server: Server, tmp_path: Path) -> None:
    server.routes["/a/doc"] = Reply(body=b"%PDF-1.7", headers={"Content-Type": "application/pdf"})
    server.routes["/feed"] = Reply(body=rss("/a/doc"))
    settings = FetchSettings(retries=0, fetch_pages=True)
    (result,) = fetch_all([FeedSource(server.url("/feed"))], tmp_path, settings, now=NOW)
    assert result.reason == (
        "1 of 1 pages failed (127.0.0.1/a/doc: expected an HTML page, found application/pdf)"
    )
    assert files_under(tmp_path / "pages") == []


# --- pure parts ---------------------------------------------------------------------------------


def test_summary_line_names_each_failure() -> None:
    results = [
        FetchResult(FeedSource("https://example.org/rss"), "failed", "HTTP 404 Not Found"),
        FetchResult(
            FeedSource("https://b.example/rss", "B News"), "failed", "timed out after 20 s"
        ),
        FetchResult(FeedSource("https://c.example/rss"), "fetched"),
    ]
    assert summary_line(results) == (
        "3 feeds: 1 fetched, 0 not modified, 2 failed "
        "(example.org: HTTP 404 Not Found; B News: timed out after 20 s)"
    )


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\xef\xbb\xbf<?xml version='1.0'?><!-- x --><rss version='2.0'/>", "rss"),
        (b'<!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "x.dtd"><rss/>', "rss"),
        (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', "rdf"),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>', "html"),
        (b"<head><title>x</title></head>", "html"),
        (b'{"items": []}', "json"),
        (b"<opml/>", "xml"),
        (b"", "unknown"),
    ],
)
def test_sniff(data: bytes, kind: str) -> None:
    assert sniff(data) == kind


def test_settings_are_checked_all_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        FetchSettings(timeout=0, retries=-1)
    assert caught.value.errors == (
        "timeout: expected a positive number of seconds, found 0",
        "retries: expected a whole number of at least 0, found -1",
    )


def test_now_must_be_time_zone_aware(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="time zone-aware"):
        fetch_all([], tmp_path, now=datetime(2025, 7, 14))
