"""``digest.serve``: a real server on a free port, against a site in a temporary folder.

Waits are bounded and generous (the watcher and the builder run in threads): each test
polls for what it expects and fails only when it never comes.
"""

from __future__ import annotations

import http.client
import json
import queue
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.config import load_config
from digest.serve import EVENTS_PATH, ServeHandle, serve, start_server

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2025, 7, 15, 6, 0, tzinfo=UTC)
WAIT = 20.0
CONFIG = 'title = "Test Digest"\nbase_url = "http://localhost:8000/"\n'
ARTICLE = "2025-07-12-harbour-gazette-brackenport-dock-strike.md"


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def get(port: int, path: str, method: str = "GET") -> Response:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


@dataclass
class Events:
    """A subscription to the event stream, read line by line in a thread."""

    port: int
    received: queue.Queue[tuple[str, dict[str, object]]] = field(default_factory=queue.Queue)
    conn: http.client.HTTPConnection | None = None
    thread: threading.Thread | None = None

    def start(self) -> Events:
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT * 3)
        self.conn.request("GET", EVENTS_PATH)
        resp = self.conn.getresponse()
        assert resp.status == 200
        assert resp.getheader("Content-Type", "").startswith("text/event-stream")

        def read() -> None:
            name, data = "message", ""
            while line := resp.readline():
                text = line.decode("utf-8").rstrip("\n")
                if text.startswith("event: "):
                    name = text[7:]
                elif text.startswith("data: "):
                    data = text[6:]
                elif not text and data:
                    self.received.put((name, json.loads(data)))
                    name, data = "message", ""
            self.received.put(("closed", {}))

        self.thread = threading.Thread(target=read, daemon=True)
        self.thread.start()
        return self

    def next(self, timeout: float = WAIT) -> tuple[str, dict[str, object]]:
        return self.received.get(timeout=timeout)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "tests" / "golden" / "basic" / "content", tmp_path / "content")
    (tmp_path / "digest.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


@pytest.fixture
def running(site: Path) -> Iterator[tuple[int, list[str], threading.Event, threading.Thread]]:
    """``serve`` in a thread on a free port: (port, terminal lines, stop, thread)."""
    lines: list[str] = []
    ready, stop = threading.Event(), threading.Event()
    thread = threading.Thread(
        target=serve,
        args=(load_config(site / "digest.toml"), "127.0.0.1", 0),
        kwargs={"now": lambda: NOW, "on_event": lines.append, "ready": ready, "stop": stop},
        daemon=True,
    )
    thread.start()
    assert ready.wait(WAIT * 3), lines
    serving = next(line for line in lines if line.startswith("serving "))
    match = re.match(r"serving http://127\.0\.0\.1:(\d+)/", serving)
    assert match, serving
    yield int(match.group(1)), lines, stop, thread
    stop.set()
    thread.join(WAIT)


def _wait_for(
    events: Events, name: str, poke: Callable[[], None] | None = None
) -> dict[str, object]:
    """The next event called ``name``; ``poke()``, when given, is called again every few
    seconds until it comes (a change made before the watcher was ready is not seen)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if poke is not None:
            poke()
        try:
            got, data = events.next(timeout=3.0)
        except queue.Empty:
            continue
        if got == name:
            return data
        assert got in ("hello", "reload"), (got, data)
    raise AssertionError(f"no {name!r} event within {WAIT} s")


def test_serves_with_reload_rebuilds_on_change_and_survives_errors(
    site: Path, running: tuple[int, list[str], threading.Event, threading.Thread]
) -> None:
    port, lines, stop, thread = running

    front = get(port, "/")
    assert front.status == 200
    assert front.headers["content-type"] == "text/html; charset=utf-8"
    assert f'new EventSource("{EVENTS_PATH}")' in front.text
    assert front.text.index("<script>") < front.text.rindex("</body>")
    on_disk = (site / "public" / "index.html").read_text(encoding="utf-8")
    assert "EventSource" not in on_disk and "<script>" not in on_disk

    missing = get(port, "/no/such/page/")
    assert missing.status == 404
    assert missing.body.startswith((site / "public" / "404.html").read_bytes()[:100])
    assert "EventSource" in missing.text

    events = Events(port).start()
    try:
        hello = _wait_for(events, "hello")
        assert isinstance(hello["version"], str)

        article = site / "content" / ARTICLE
        original = article.read_text(encoding="utf-8")
        edits = iter(range(1, 1000))

        def edit() -> None:
            n = next(edits)
            changed = re.sub(r"(?m)^title: .*$", f"title: Cranes fall silent, take {n}", original)
            article.write_text(changed, encoding="utf-8")

        reload = _wait_for(events, "reload", poke=edit)
        assert reload["version"] != hello["version"]
        assert "Cranes fall silent, take" in get(port, "/").text
        assert any(line.startswith("changed: content/") for line in lines), lines
        assert any(line.startswith("built: ") for line in lines), lines

        config = site / "digest.toml"
        config.write_text(CONFIG + 'colour = "blue"\n', encoding="utf-8")
        error = _wait_for(events, "error")
        assert "colour: unknown key" in str(error["message"])
        assert any("colour: unknown key" in line for line in lines), lines
        after = get(port, "/")  # the last good site, still served
        assert after.status == 200
        assert "Cranes fall silent, take" in after.text
        on_disk = (site / "public" / "index.html").read_text(encoding="utf-8")
        assert re.sub(r"<script>\n.*?</script>\n", "", after.text, flags=re.S) == on_disk

        config.write_text(CONFIG, encoding="utf-8")  # fixed: the pages reload again
        _wait_for(events, "reload")
    finally:
        stop.set()
        thread.join(WAIT)
        events.close()
    assert not thread.is_alive()
    assert lines[-1] == "stopping"


def test_content_types_folders_and_paths(
    site: Path, running: tuple[int, list[str], threading.Event, threading.Thread]
) -> None:
    port = running[0]
    assert get(port, "/rss.xml").headers["content-type"].startswith("application/xml")
    assert get(port, "/feed.json").headers["content-type"] == "application/json"
    assert get(port, "/static/style.css").headers["content-type"].startswith("text/css")
    assert b"EventSource" not in get(port, "/rss.xml").body

    story = next(p for p in (site / "public").rglob("index.html") if p.parent.parent.name.isdigit())
    folder = "/" + story.parent.relative_to(site / "public").as_posix()
    moved = get(port, folder)
    assert (moved.status, moved.headers["location"]) == (301, folder + "/")
    assert get(port, folder + "/").status == 200

    head = get(port, "/", method="HEAD")
    assert head.status == 200 and head.body == b""
    assert int(head.headers["content-length"]) == len(get(port, "/").body)

    (site / "public" / "leak.txt").symlink_to(site / "digest.toml")
    for outside in (
        "/../digest.toml",
        "/%2e%2e/digest.toml",
        "/static/../../digest.toml",
        "/leak.txt",
    ):
        assert get(port, outside).status == 404, outside


def test_start_server_picks_a_free_port_and_reports_a_failed_first_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "content").mkdir()  # nothing to build
    lines: list[str] = []
    handle: ServeHandle = start_server(
        load_config(None),
        "127.0.0.1",
        0,
        now=lambda: NOW,
        on_event=lines.append,
    )
    with handle:
        assert handle.port > 0
        assert handle.url == f"http://127.0.0.1:{handle.port}/"
        assert any(line.startswith("error: ") for line in lines), lines
        page = get(handle.port, "/")
        assert page.status == 404 and "EventSource" in page.text
        events = Events(handle.port).start()
        try:
            assert events.next()[0] == "hello"
            name, data = events.next()
            assert name == "error" and "no article could be built" in str(data["message"])
        finally:
            events.close()


def test_a_template_error_is_shown_with_its_file_and_the_traceback(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(site)
    (site / "templates").mkdir()
    (site / "templates" / "404.html").write_text("<p>{{ no_such_name }}</p>\n")
    lines: list[str] = []
    config = load_config(site / "digest.toml")
    with start_server(config, "127.0.0.1", 0, now=lambda: NOW, on_event=lines.append) as handle:
        assert any("Traceback (most recent call last)" in line for line in lines), lines
        events = Events(handle.port).start()
        try:
            assert events.next()[0] == "hello"
            name, data = events.next()
            assert (name, data["message"]) == (
                "error",
                "templates/404.html: render: line 1: 'no_such_name' is undefined",
            )
        finally:
            events.close()
