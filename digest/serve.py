"""``digest serve``: build once, serve the site on loopback, rebuild on change, reload pages.

The server reads every file from the output folder's path at the moment of the request,
so the folder that ``digest.publish`` swaps in on each build is what the next request
sees; no file or folder of an older build is ever held open. HTML responses get a small
script, added at response time and never written into the site, that listens to
``/__digest__/events`` (server-sent events): ``reload`` after each good rebuild, ``error``
with the message after a failed one, when the last good site stays served and the page
shows the error in a banner.

Two watchers feed one builder thread: one recursive, over the content folder and the
site's ``templates/`` and ``static/`` folders; one not recursive, over the folder of the
configuration file, which sees the file even when an editor replaces it by renaming and
sees ``templates/`` or ``static/`` being created.
"""

from __future__ import annotations

import contextlib
import json
import queue
import secrets
import socket
import socketserver
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, cast
from urllib.parse import unquote, urlsplit

import jinja2
import watchfiles

from digest.build import build
from digest.check import template_problem
from digest.config import Config, load_config
from digest.errors import DigestError
from digest.model import BuildReport

EVENTS_PATH = "/__digest__/events"
"""The server-sent events endpoint the injected script listens to."""

KEEPALIVE_SECONDS = 15.0
"""How often an idle event stream gets a comment, so a closed page is noticed."""

_CONTENT_TYPES: Mapping[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".xsl": "application/xml; charset=utf-8",
    ".json": "application/json",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".webmanifest": "application/manifest+json",
    ".pdf": "application/pdf",
}

_SCRIPT = """<script>
(() => {
  const version = %s;
  const events = new EventSource("%s");
  let banner = null;
  events.addEventListener("hello", (e) => {
    if (JSON.parse(e.data).version !== version) location.reload();
  });
  events.addEventListener("reload", () => location.reload());
  events.addEventListener("error", (e) => {
    if (typeof e.data !== "string") return;  // the connection dropped; EventSource retries
    if (!banner) {
      banner = document.createElement("div");
      banner.setAttribute("role", "alert");
      banner.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:2147483647;" +
        "margin:0;padding:1em;max-height:60vh;overflow:auto;background:#8b0000;color:#fff;" +
        "font:14px/1.4 ui-monospace,monospace;white-space:pre-wrap;text-align:left";
      document.body.appendChild(banner);
    }
    banner.textContent = "digest: the rebuild failed; this is the last good site.\\n\\n" +
      JSON.parse(e.data).message;
  });
})();
</script>
"""

_NOT_FOUND = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>
<body><h1>Not found</h1><p>There is no page at this address.</p></body></html>
"""


def content_type(name: str) -> str:
    """The Content-Type header for a file of this name.

    >>> content_type("index.html"), content_type("rss.xml"), content_type("feed.json")
    ('text/html; charset=utf-8', 'application/xml; charset=utf-8', 'application/json')
    >>> content_type("static/style.CSS"), content_type("static/search.js"), content_type("x.bin")
    ('text/css; charset=utf-8', 'text/javascript; charset=utf-8', 'application/octet-stream')
    """
    dot = name.rfind(".")
    suffix = name[dot:].lower() if dot > name.rfind("/") else ""
    return _CONTENT_TYPES.get(suffix, "application/octet-stream")


def reload_script(version: str) -> str:
    """The script added to every HTML response; ``version`` names the site it came with.

    >>> 'new EventSource("/__digest__/events")' in reload_script("a1-2")
    True
    """
    return _SCRIPT % (json.dumps(version), EVENTS_PATH)


def inject_reload_script(page: bytes, version: str) -> bytes:
    """The page with the reload script before its last ``</body>``, or at its end.

    >>> inject_reload_script(b"<body><p>Hi</p></BODY></html>", "v").startswith(b"<body><p>Hi</p><script>")
    True
    >>> inject_reload_script(b"<p>Hi</p>", "v").endswith(b"</script>\\n")
    True
    """
    script = reload_script(version).encode("utf-8")
    at = page.lower().rfind(b"</body>")
    if at < 0:
        return page + script
    return page[:at] + script + page[at:]


def sse_event(name: str, data: object) -> bytes:
    """One server-sent event, its data as one line of JSON.

    >>> sse_event("error", {"message": "line one\\nline two"})
    b'event: error\\ndata: {"message": "line one\\\\nline two"}\\n\\n'
    """
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def mount_path(config: Config) -> str:
    """The path the site is served under: the base URL's path, as the pages link to it.

    >>> from digest.config import Config
    >>> mount_path(Config()), mount_path(Config(base_url="https://example.org/news"))
    ('/', '/news/')
    """
    path = urlsplit(config.site_url).path or "/"
    return path if path.endswith("/") else path + "/"


def is_output_path(path: Path, output: Path) -> bool:
    """True for a path inside the output folder, a build's temporary folder beside it, the
    standby folder (see ``digest.publish.standby_folder``) or the trash folder (see
    ``digest.publish.trash_folder``): what a build writes, never a reason to build.

    >>> out = Path("/site/public")
    >>> is_output_path(Path("/site/public/index.html"), out), is_output_path(Path("/site/.public.new-x1/a"), out)
    (True, True)
    >>> is_output_path(Path("/site/content/a.md"), out), is_output_path(Path("/site/publicity.md"), out)
    (False, False)
    >>> is_output_path(Path("/site/.public.standby/index.html"), out)
    True
    >>> is_output_path(Path("/site/.public.trash/812-3"), out)
    True
    """
    from digest.publish import build_folder_names

    temporary = build_folder_names(output)
    return any(
        p == output or (p.parent == output.parent and p.name.startswith(temporary))
        for p in (path, *path.parents)
    )


def summary_line(report: BuildReport, seconds: float) -> str:
    """One line about a build, for the terminal.

    >>> from digest.model import BuildReport
    >>> summary_line(BuildReport(articles=9, stories=7, problems=(), files=40), 0.42)
    '9 articles → 7 stories, 0 problems, 40 files in 0.4 s'
    """
    return (
        f"{report.articles:,} articles → {report.stories:,} stories, "
        f"{len(report.problems):,} problems, {report.files:,} files in {seconds:.1f} s"
    )


@dataclass(frozen=True, slots=True)
class _Status:
    config: Config
    version: str  # the site being served: changes with each good build
    attempt: int  # counts builds, good or failed
    error: str | None  # the last build's error, None when it was good


class _Live:
    """What the server shows now, shared by the builder and the request threads."""

    def __init__(self, config: Config) -> None:
        self._cond = threading.Condition()
        self._token = secrets.token_hex(4)  # a restarted server differs from the last one
        self._status = _Status(config, f"{self._token}-0", 0, None)
        self._closed = False

    def status(self) -> _Status:
        with self._cond:
            return self._status

    def succeeded(self, config: Config) -> None:
        with self._cond:
            attempt = self._status.attempt + 1
            self._status = _Status(config, f"{self._token}-{attempt}", attempt, None)
            self._cond.notify_all()

    def failed(self, message: str) -> None:
        with self._cond:
            s = self._status
            self._status = _Status(s.config, s.version, s.attempt + 1, message)
            self._cond.notify_all()

    def wait(self, attempt: int, timeout: float) -> _Status | None:
        """The status once a build later than ``attempt`` ends (or after ``timeout``);
        None once the server is closing."""
        with self._cond:
            self._cond.wait_for(lambda: self._closed or self._status.attempt != attempt, timeout)
            return None if self._closed else self._status

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, port: int, live: _Live, on_event: Callable[[str], None]) -> None:
        self.live = live
        self.on_event = on_event
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks the resolver for the host's full name: skip it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.on_event(f"error while answering {client_address[0]}:\n{traceback.format_exc()}")


class _Handler(BaseHTTPRequestHandler):
    server_version = "digest-serve"

    @property
    def live(self) -> _Live:
        return cast(_Server, self.server).live

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal shows builds; requests are not worth a line each

    def _answer(self, head: bool) -> None:
        try:
            url = urlsplit(self.path)
            path = unquote(url.path, errors="replace")
            if path == EVENTS_PATH:
                self._events(head)
                return
            status = self.live.status()
            mount = mount_path(status.config)
            if not path.startswith(mount):
                if path in ("/", mount.rstrip("/")):
                    self._redirect(mount)
                else:
                    self._not_found(status, head)
                return
            parts = [p for p in path[len(mount) :].split("/") if p not in ("", ".")]
            output = status.config.output_dir.absolute()
            if ".." in parts or any("\0" in p or "\\" in p for p in parts):
                self._not_found(status, head)
                return
            target = output.joinpath(*parts)
            if target.is_dir():
                if parts and not path.endswith("/"):
                    self._redirect(url.path + "/" + (f"?{url.query}" if url.query else ""))
                    return
                target = target / "index.html"
            try:
                if not target.resolve().is_relative_to(output.resolve()):
                    raise FileNotFoundError(target)  # a link out of the site
                body = target.read_bytes()
            except (OSError, RuntimeError):  # missing, a folder, a link loop, swapped away
                self._not_found(status, head)
                return
            self._send(HTTPStatus.OK, target.name, body, status, head)
        except ConnectionError:
            pass  # the browser went away

    def _send(self, code: HTTPStatus, name: str, body: bytes, status: _Status, head: bool) -> None:
        kind = content_type(name)
        if kind.startswith("text/html"):
            body = inject_reload_script(body, status.version)
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _not_found(self, status: _Status, head: bool) -> None:
        try:
            body = (status.config.output_dir / "404.html").read_bytes()
        except OSError:
            body = _NOT_FOUND
        if not self.path.startswith("/favicon.ico"):
            cast(_Server, self.server).on_event(f"not found: {self.path}")
        self._send(HTTPStatus.NOT_FOUND, "404.html", body, status, head)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _events(self, head: bool) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        if head:
            return
        status = self.live.status()
        first = b"retry: 1000\n\n" + sse_event("hello", {"version": status.version})
        if status.error is not None:
            first += sse_event("error", {"message": status.error})
        self._write(first)
        seen = status.attempt
        while True:
            latest = self.live.wait(seen, KEEPALIVE_SECONDS)
            if latest is None:
                return
            if latest.attempt == seen:
                self._write(b": still here\n\n")
            elif latest.error is None:
                self._write(sse_event("reload", {"version": latest.version}))
            else:
                self._write(sse_event("error", {"message": latest.error}))
            seen = latest.attempt

    def _write(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()


class _AnyOf:
    """Set when any of its events is: what watchfiles' ``stop_event`` asks of an event."""

    def __init__(self, *events: threading.Event) -> None:
        self._events = events

    def is_set(self) -> bool:
        return any(e.is_set() for e in self._events)


def watched_folders(config: Config) -> tuple[Path, ...]:
    """The folders whose changes rebuild the site: content, the site's templates and
    static files, those that exist, each once (a folder inside another is left out).

    >>> watched_folders(Config(root=Path("/nowhere/at/all")))
    ()
    """
    folders = [
        p.resolve()
        for p in (config.content_dir, config.root / "templates", config.root / "static")
        if p.is_dir()
    ]
    return tuple(
        sorted({p for p in folders if not any(q != p and q in p.parents for q in folders)})
    )


class _Reloader:
    """The watchers and the builder: changes in, builds out, the outcome into ``_Live``."""

    def __init__(
        self,
        live: _Live,
        *,
        now: Callable[[], datetime],
        on_event: Callable[[str], None],
        config_path: Path,
        overrides: Mapping[str, Any] | None,
    ) -> None:
        self.live = live
        self.now = now
        self.on_event = on_event
        self.config_path = config_path.absolute()
        self.overrides = dict(overrides or {})
        self.changes: queue.Queue[set[tuple[watchfiles.Change, str]]] = queue.Queue()
        self.stop = threading.Event()
        self.restart = threading.Event()  # the recursive watcher's folders changed
        self.folders: tuple[Path, ...] = ()
        self.output = Path()
        self.names: frozenset[Path] = frozenset()  # what the shallow watcher reports
        self.threads: list[threading.Thread] = []
        self._default_filter = watchfiles.DefaultFilter()
        self._sync(live.status().config)

    def start(self) -> None:
        for name, target in (
            ("digest-watch", self._watch_folders),
            ("digest-watch-config", self._watch_config),
            ("digest-build", self._build_loop),
        ):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self.threads.append(thread)

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def build(self, config: Config) -> bool:
        """Build ``config`` and record the outcome; True when the site was written."""
        started = time.perf_counter()
        try:
            report = build(config, self.now(), strict=False)
        except DigestError as exc:
            self._failed(str(exc))
            return False
        except Exception as exc:
            self.on_event(f"error: the build failed unexpectedly:\n{traceback.format_exc()}")
            if isinstance(exc, jinja2.TemplateError):  # a template being edited, most likely
                message = str(template_problem(exc, config.root))
            else:
                message = f"{type(exc).__name__}: {exc} (the terminal shows the traceback)"
            self._failed(message, show=False)
            return False
        for problem in report.problems:
            self.on_event(f"problem: {problem}")
        self.on_event(f"built: {summary_line(report, time.perf_counter() - started)}")
        self.live.succeeded(config)
        return True

    def _failed(self, message: str, show: bool = True) -> None:
        if show:
            self.on_event(f"error: {message}")
        self.live.failed(message)

    def _reload_config(self) -> Config | None:
        """The configuration as the file now says, or None (and the error shown) if bad."""
        current = self.live.status().config
        if not self.config_path.is_file():
            return current
        try:
            return load_config(self.config_path, self.overrides)
        except DigestError as exc:
            self._failed(str(exc))
            return None

    def _sync(self, config: Config) -> None:
        """Point the watchers at the folders ``config`` names."""
        self.output = config.output_dir.resolve()
        self.names = frozenset(
            {
                self.config_path.resolve(),
                config.content_dir.resolve(),
                (config.root / "templates").resolve(),
                (config.root / "static").resolve(),
            }
        )
        folders = watched_folders(config)
        if folders != self.folders:
            self.folders = folders
            self.restart.set()

    def _build_loop(self) -> None:
        while not self.stop.is_set():
            try:
                changes = self.changes.get(timeout=0.1)
            except queue.Empty:
                continue
            with contextlib.suppress(queue.Empty):
                while True:  # changes that arrived during the last build: one rebuild
                    changes |= self.changes.get_nowait()
            self.on_event(f"changed: {self._describe(changes)}")
            config = self._reload_config()
            if config is not None:
                self.build(config)
            self._sync(self.live.status().config if config is None else config)

    def _describe(self, changes: Iterable[tuple[watchfiles.Change, str]]) -> str:
        root = self.config_path.parent.resolve()
        names = sorted(
            {
                Path(p).relative_to(root).as_posix() if Path(p).is_relative_to(root) else p
                for _, p in changes
            }
        )
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        return ", ".join(names[:3]) + more

    def _deep_filter(self, change: watchfiles.Change, path: str) -> bool:
        return self._default_filter(change, path) and not is_output_path(Path(path), self.output)

    def _shallow_filter(self, change: watchfiles.Change, path: str) -> bool:
        return Path(path) in self.names

    def _watch_folders(self) -> None:
        while not self.stop.is_set():
            self.restart.clear()
            folders = self.folders
            if not folders:
                self.restart.wait(0.2)
                continue
            self._watch(folders, True, self._deep_filter, _AnyOf(self.stop, self.restart))

    def _watch_config(self) -> None:
        anchors = sorted({self.config_path.parent.resolve()} | {p.parent for p in self.names})
        while not self.stop.is_set():
            self._watch(
                tuple(p for p in anchors if p.is_dir()), False, self._shallow_filter, self.stop
            )

    def _watch(
        self,
        paths: tuple[Path, ...],
        recursive: bool,
        keep: Callable[[watchfiles.Change, str], bool],
        stop: _AnyOf | threading.Event,
    ) -> None:
        try:
            for changes in watchfiles.watch(
                *paths,
                watch_filter=keep,
                stop_event=stop,
                recursive=recursive,
                raise_interrupt=False,
            ):
                self.changes.put(changes)
        except (OSError, RuntimeError) as exc:  # a watched folder went away, say
            self.on_event(f"error: watching {', '.join(map(str, paths))} failed: {exc}; retrying")
            self.stop.wait(1.0)


class ServeHandle:
    """A running server, from ``start_server``: its address, and ``close()`` to stop it."""

    def __init__(self, server: _Server, live: _Live, reloader: _Reloader) -> None:
        self._server = server
        self._live = live
        self._reloader = reloader
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="digest-serve"
        )
        self.host = str(server.server_address[0])
        self.port = int(server.server_address[1])

    @property
    def url(self) -> str:
        """The site's address on this server, e.g. ``http://127.0.0.1:8000/``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{mount_path(self._live.status().config)}"

    def _start(self) -> None:
        self._thread.start()
        self._reloader.start()

    def close(self) -> None:
        """Stop watching, finish a build under way, stop serving; safe to call twice."""
        self._reloader.close()
        self._live.close()  # ends every event stream
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> ServeHandle:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def start_server(
    config: Config,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    now: Callable[[], datetime],
    on_event: Callable[[str], None] = print,
    config_path: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> ServeHandle:
    """Listen on ``host:port`` (0: any free port), build once, then serve, watch and
    rebuild in background threads until ``close()``.

    ``config_path`` is the configuration file to watch and re-read on each change (by
    default ``digest.toml`` in ``config.root``), with ``overrides`` (the command line's)
    applied each time. A failed first build is shown like any other: the server still
    starts, serving whatever site the output folder holds. Raises DigestError when the
    address cannot be listened on.
    """
    live = _Live(config)
    try:
        server = _Server(host, port, live, on_event)
    except OSError as exc:
        raise DigestError(
            f"could not listen on {host}:{port}: {exc.strerror or exc}; "
            "is another server running there? choose another port with --port"
        ) from None
    reloader = _Reloader(
        live,
        now=now,
        on_event=on_event,
        config_path=config_path if config_path is not None else config.root / "digest.toml",
        overrides=overrides,
    )
    handle = ServeHandle(server, live, reloader)
    try:
        reloader.build(config)
        handle._start()
    except BaseException:
        server.server_close()
        raise
    return handle


def serve(
    config: Config,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    now: Callable[[], datetime],
    on_event: Callable[[str], None] = print,
    ready: threading.Event | None = None,
    stop: threading.Event | None = None,
    config_path: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> int:
    """Build, serve on ``host:port`` and rebuild on every change until Ctrl-C or ``stop``.

    ``ready`` is set once the server listens; ``on_event`` gets every line for the
    terminal, the first being ``serving http://HOST:PORT/``. Returns 0 once stopped.
    """
    stop = stop if stop is not None else threading.Event()
    try:
        handle = start_server(
            config,
            host,
            port,
            now=now,
            on_event=on_event,
            config_path=config_path,
            overrides=overrides,
        )
    except KeyboardInterrupt:  # during the first build
        return 0
    try:
        on_event(f"serving {handle.url} (Ctrl-C to stop)")
        if ready is not None:
            ready.set()
        while not stop.wait(0.25):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        on_event("stopping")
        handle.close()
    return 0
