"""Every page of the built site passes the W3C Nu HTML checker (vnu.jar) with no error.

The checker runs once, over all the HTML files together (a JVM start costs seconds), and a
failure lists every message with its file, line and text.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest


def _vnu(command: list[str], *args: str) -> list[dict[str, object]]:
    """Run vnu.jar with ``--errors-only --format json`` and return its messages."""
    proc = subprocess.run(
        [*command, "--errors-only", "--format", "json", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        report = json.loads(proc.stderr)  # vnu writes its report to standard error
    except json.JSONDecodeError:
        pytest.fail(f"vnu.jar did not report JSON (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    messages: list[dict[str, object]] = report.get("messages", [])
    return messages


def _describe(messages: list[dict[str, object]], root: Path) -> str:
    lines = []
    for m in messages:
        url = str(m.get("url", ""))
        path = Path(unquote(urlparse(url).path)) if url.startswith("file:") else Path(url)
        try:
            name = path.relative_to(root).as_posix()
        except ValueError:
            name = str(path)
        where = f"{name}:{m.get('lastLine', '?')}:{m.get('firstColumn', m.get('lastColumn', '?'))}"
        extract = str(m.get("extract", "")).replace("\n", "⏎")
        lines.append(f"{where}: {m.get('type')}: {m.get('message')}\n    {extract}")
    return "\n".join(lines)


def test_every_page_is_valid_html(
    vnu_jar: list[str], built_site: Path, html_files: list[Path]
) -> None:
    messages = _vnu(vnu_jar, *(str(p) for p in html_files))
    assert not messages, f"{len(messages)} HTML error(s) in {len(html_files)} pages:\n" + _describe(
        messages, built_site
    )


def test_stylesheet_is_valid_css(vnu_jar: list[str], built_site: Path) -> None:
    css = sorted((built_site / "static").glob("*.css"))
    assert css, "the built site has no stylesheet"
    messages = _vnu(vnu_jar, "--css", *(str(p) for p in css))
    assert not messages, f"{len(messages)} CSS error(s):\n" + _describe(messages, built_site)


def test_every_page_of_the_paged_golden_site_is_valid_html(vnu_jar: list[str]) -> None:
    """The golden site with one story a page: pagination's markup (its own golden test
    keeps these files equal to what a build writes)."""
    root = Path(__file__).resolve().parent.parent / "golden" / "paged" / "expected"
    files = sorted(root.rglob("*.html"))
    assert any("/page/" in p.as_posix() for p in files), "the paged golden site has no older pages"
    messages = _vnu(vnu_jar, *(str(p) for p in files))
    assert not messages, f"{len(messages)} HTML error(s):\n" + _describe(messages, root)
