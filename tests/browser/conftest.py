"""Shared fixtures for the checks that run real validators and a real browser.

Every module here works on one site, built fresh (once per test session) from the golden
content in ``tests/golden/basic`` with the build time fixed, exactly as the golden test
builds it. Its base URL is ``https://digest.example.org/news/``, so links are root-relative
under ``/news/``: :func:`site_root` lays the built site out as ``<root>/news/`` so that a
plain static server of ``<root>`` resolves them.

The tools come from the project's own install steps (``make browser-deps``, which
``.ci/run`` calls): ``node_modules/`` (vnu-jar, axe-core) from ``package-lock.json``,
the ``playwright`` Python package in the venv, and Debian's ``/usr/bin/chromium``. A
module whose tool is missing skips with the reason and the command that installs it.
"""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from digest.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "basic"
EPOCH = "1752537600"  # 2025-07-15T00:00:00Z, as in tests/golden/test_golden.py
PREFIX = "news"  # the path of the golden site's base URL
NODE_MODULES = ROOT / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = "run `make browser-deps` (CI does, through .ci/run)"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The golden content built fresh: the folder that ``digest build`` wrote."""
    site = tmp_path_factory.mktemp("golden-site") / "site"
    shutil.copytree(GOLDEN, site, ignore=shutil.ignore_patterns("expected"))
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(site)
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        assert main(["build"]) == 0, "the golden content no longer builds"
    return site / "public"


@pytest.fixture(scope="session")
def site_root(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding ``news/`` → the built site, to be served as the web root."""
    root = tmp_path_factory.mktemp("webroot")
    shutil.copytree(built_site, root / PREFIX)
    return root


@pytest.fixture(scope="session")
def html_files(built_site: Path) -> list[Path]:
    files = sorted(built_site.rglob("*.html"))
    assert files, "the built site has no HTML files"
    return files


@pytest.fixture(scope="session")
def java() -> str:
    path = shutil.which("java")
    if path is None:
        pytest.skip("java is not installed (Debian: apt-get install openjdk-17-jre-headless)")
    return path


@pytest.fixture(scope="session")
def vnu_jar(java: str) -> list[str]:
    """The command line that runs the Nu HTML checker."""
    if not VNU_JAR.is_file():
        pytest.skip(f"{VNU_JAR.relative_to(ROOT)} is missing: {INSTALL_HINT}")
    return [java, "-jar", str(VNU_JAR)]


@pytest.fixture(scope="session")
def axe_js() -> Path:
    if not AXE_JS.is_file():
        pytest.skip(f"{AXE_JS.relative_to(ROOT)} is missing: {INSTALL_HINT}")
    return AXE_JS


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing (Debian: apt-get install chromium; .ci/run does)")
    return CHROMIUM


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def base_url(site_root: Path) -> Iterator[str]:
    """``http://127.0.0.1:PORT/news/``: the built site, served from a thread on loopback."""
    handler = functools.partial(_QuietHandler, directory=str(site_root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{PREFIX}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
