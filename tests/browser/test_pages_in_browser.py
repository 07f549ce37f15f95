"""The built site in a real browser: Debian's Chromium driven by Playwright (sync API).

The site is served by a loopback ``http.server`` under ``/news/``, as its base URL says.
Every request that would leave 127.0.0.1 is blocked and recorded, and each test asserts
there was none: the site must work, search included, without any outside request.

Checks: reading a story from the front page; axe-core (WCAG 2.0/2.1 A and AA) on every
kind of page, light and dark; no sideways scrolling on a 375 px phone; the search over
stories.json; screenshots for people to look at (tests/browser/screenshots/ and
docs/screenshot.png, the one the README shows).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="the playwright Python package is not installed: run `make browser-deps`",
)

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).parent / "screenshots"
README_SHOT = ROOT / "docs" / "screenshot.png"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
CONTRAST = {"runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}

# Every template of the default theme, by the kind of page it renders.
KINDS = [
    "front",
    "story",
    "day",
    "month",
    "year",
    "archive",
    "topics",
    "topic",
    "outlets",
    "outlet",
    "search",
    "not-found",
]


# -- the pages ---------------------------------------------------------------------------


def _page_path(site: Path, kind: str) -> str:
    """The path under the base URL of the first page of ``kind`` in the built site."""
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("index.html"))
    patterns = {
        "front": r"index\.html",
        "story": r"\d{4}/\d\d/\d\d/[^/]+/index\.html",
        "day": r"\d{4}/\d\d/\d\d/index\.html",
        "month": r"\d{4}/\d\d/index\.html",
        "year": r"\d{4}/index\.html",
        "archive": r"archive/index\.html",
        "topics": r"topics/index\.html",
        "topic": r"topics/[^/]+/index\.html",
        "outlets": r"outlets/index\.html",
        "outlet": r"outlets/[^/]+/index\.html",
        "search": r"search/index\.html",
    }
    if kind == "not-found":
        return "404.html"
    found = [p for p in pages if re.fullmatch(patterns[kind], p)]
    assert found, f"the built site has no {kind} page"
    return found[0].removesuffix("index.html")


# -- the browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Browser]:
    """One Chromium for the module: Debian's, never a browser Playwright downloads."""
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Tab:
    """One page in its own browser context, with what it tried and what went wrong."""

    page: Page
    base_url: str
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def go(self, path: str) -> None:
        response = self.page.goto(self.base_url + path, wait_until="load")
        assert response is not None, path
        assert response.ok or path == "404.html", f"{path}: HTTP {response.status}"

    def assert_healthy(self) -> None:
        """No request left the machine, no script failed, no local file was missing."""
        assert not self.outside, "requests that would leave 127.0.0.1:\n" + "\n".join(self.outside)
        assert not self.errors, "errors in the page:\n" + "\n".join(self.errors)


@pytest.fixture
def open_tab(browser: Browser, base_url: str) -> Iterator[Callable[..., Tab]]:
    """Open a fresh context and page: ``open_tab(viewport=..., color_scheme=...)``."""
    contexts = []
    local = urlsplit(base_url).hostname

    def open_(*, viewport: dict[str, int] = DESKTOP, color_scheme: str = "light") -> Tab:
        context = browser.new_context(
            viewport=viewport,  # type: ignore[arg-type]
            color_scheme=color_scheme,  # type: ignore[arg-type]
            service_workers="block",
            reduced_motion="reduce",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        tab = Tab(context.new_page(), base_url)

        def guard(route: Route) -> None:
            url = route.request.url
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about") or parts.hostname == local:
                route.continue_()
            else:
                tab.outside.append(f"{route.request.resource_type}: {url}")
                route.abort("blockedbyclient")

        context.route("**/*", guard)
        tab.page.on("pageerror", lambda exc: tab.errors.append(f"uncaught: {exc}"))

        def on_response(response: Any) -> None:
            path = urlsplit(response.url).path
            kind = response.request.resource_type
            if response.status >= 400 and path != "/favicon.ico" and kind != "document":
                tab.errors.append(f"HTTP {response.status}: {response.url}")

        tab.page.on("response", on_response)
        return tab

    yield open_
    for context in contexts:
        context.close()


# -- axe-core ----------------------------------------------------------------------------

_RUN_AXE = """async (options) => {
  const result = await axe.run(document, options);
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target, html: n.html, summary: n.failureSummary})),
  }));
}"""


def _axe(tab: Tab, axe_js: Path, options: dict[str, Any]) -> list[dict[str, Any]]:
    tab.page.add_script_tag(path=str(axe_js))
    violations: list[dict[str, Any]] = tab.page.evaluate(_RUN_AXE, options)
    return violations


def _describe(violations: list[dict[str, Any]], where: str) -> str:
    lines = [f"{len(violations)} axe violation(s) on {where}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html']}")
            summary = (node["summary"] or "").replace("\n", "\n      ")
            lines.append(f"      {summary}")
    return "\n".join(lines)


def _open_kind(tab: Tab, site: Path, kind: str, query: str) -> None:
    """Open the page of ``kind``; the search page with a query typed and its results."""
    tab.go(_page_path(site, kind))
    if kind == "search":
        tab.page.fill("#q", query)
        tab.page.wait_for_selector("#search-results li")


@pytest.fixture(scope="module")
def query(built_site: Path) -> tuple[str, str]:
    """A word to search for, and the title of a story that must be found by it."""
    stories = json.loads((built_site / "stories.json").read_text(encoding="utf-8"))
    assert stories, "stories.json is empty"
    title = stories[0]["title"]
    word = max(re.findall(r"\w+", title), key=len)
    return word, title


# -- the checks --------------------------------------------------------------------------


def test_a_reader_gets_from_the_front_page_to_a_story(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.go("")
    page = tab.page
    assert page.locator("h1").count() == 1
    assert page.locator("ol.stories li a").count() >= 1, "the front page lists no story"
    first = page.locator("ol.stories li a").first
    title = first.inner_text().strip()
    href = first.get_attribute("href")
    assert href and href.startswith(urlsplit(tab.base_url).path), href
    with page.expect_navigation():
        first.click()
    assert urlsplit(page.url).path == href
    assert page.locator("h1").count() == 1, "a story page has exactly one h1"
    assert page.locator("h1").inner_text().strip() == title
    assert page.locator("section.sources li").count() >= 1, "the story lists its sources"
    assert page.title().startswith(title)
    tab.assert_healthy()


def test_the_skip_link_is_the_first_stop_and_shows(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.go("")
    tab.page.keyboard.press("Tab")
    focused = tab.page.evaluate(
        "() => { const e = document.activeElement; const r = e.getBoundingClientRect();"
        " return {cls: e.className, href: e.getAttribute('href'), top: r.top, h: r.height}; }"
    )
    assert focused["cls"] == "skip" and focused["href"] == "#main", focused
    assert focused["top"] >= 0 and focused["h"] > 0, (
        f"the focused skip link is off screen: {focused}"
    )
    tab.assert_healthy()


def test_search_finds_stories_from_stories_json(
    open_tab: Callable[..., Tab], built_site: Path, query: tuple[str, str]
) -> None:
    word, title = query
    tab = open_tab()
    tab.go(_page_path(built_site, "search"))
    page = tab.page
    page.fill("#q", word)
    page.wait_for_selector("#search-results li")
    titles = page.locator("#search-results li h2").all_inner_texts()
    assert title in titles, (word, titles)
    assert re.fullmatch(r"\d+ stor(y|ies) found\.", page.inner_text("#search-status")), (
        page.inner_text("#search-status")
    )
    page.fill("#q", "zzqxnotaword")
    page.wait_for_function("document.querySelectorAll('#search-results li').length === 0")
    assert page.inner_text("#search-status") == "No stories found."
    # A shared link with ?q= shows its results on arrival.
    tab.go(_page_path(built_site, "search") + "?q=" + word)
    page.wait_for_selector("#search-results li")
    assert page.input_value("#q") == word
    assert title in page.locator("#search-results li h2").all_inner_texts()
    tab.assert_healthy()


@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_wcag_violations(
    open_tab: Callable[..., Tab],
    axe_js: Path,
    built_site: Path,
    query: tuple[str, str],
    kind: str,
) -> None:
    tab = open_tab()
    _open_kind(tab, built_site, kind, query[0])
    violations = _axe(tab, axe_js, WCAG)
    assert not violations, _describe(violations, f"the {kind} page {tab.page.url}")
    tab.assert_healthy()


@pytest.mark.parametrize("kind", KINDS)
def test_axe_colour_contrast_holds_in_dark_mode(
    open_tab: Callable[..., Tab],
    axe_js: Path,
    built_site: Path,
    query: tuple[str, str],
    kind: str,
) -> None:
    tab = open_tab(color_scheme="dark")
    _open_kind(tab, built_site, kind, query[0])
    assert tab.page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    violations = _axe(tab, axe_js, CONTRAST)
    assert not violations, _describe(violations, f"the {kind} page {tab.page.url} (dark)")
    tab.assert_healthy()


_OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 0.5) {
      const name = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
        (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
      wide.push(name + ' right=' + Math.round(r.right) + ': ' + e.outerHTML.slice(0, 120));
    }
  }
  return {scroll: document.documentElement.scrollWidth, inner: width, wide: wide.slice(0, 12)};
}"""


@pytest.mark.parametrize("kind", KINDS)
def test_a_375px_phone_never_scrolls_sideways(
    open_tab: Callable[..., Tab], built_site: Path, query: tuple[str, str], kind: str
) -> None:
    tab = open_tab(viewport=PHONE)
    _open_kind(tab, built_site, kind, query[0])
    found = tab.page.evaluate(_OVERFLOW)
    assert found["scroll"] <= found["inner"], (
        f"the {kind} page {tab.page.url} is {found['scroll']} px wide in a {found['inner']} px"
        " viewport; elements past the right edge:\n" + "\n".join(found["wide"])
    )
    tab.assert_healthy()


def test_screenshots(open_tab: Callable[..., Tab], built_site: Path) -> None:
    """Pictures for people: the front and a story, desktop and phone, light and dark."""
    SCREENSHOTS.mkdir(exist_ok=True)
    story = _page_path(built_site, "story")
    shots = [
        ("front-desktop-light", "", DESKTOP, "light"),
        ("front-desktop-dark", "", DESKTOP, "dark"),
        ("front-phone-light", "", PHONE, "light"),
        ("front-phone-dark", "", PHONE, "dark"),
        ("story-desktop-light", story, DESKTOP, "light"),
        ("story-phone-dark", story, PHONE, "dark"),
    ]
    for name, path, viewport, scheme in shots:
        tab = open_tab(viewport=viewport, color_scheme=scheme)
        tab.go(path)
        png = tab.page.screenshot(full_page=True, animations="disabled")
        (SCREENSHOTS / f"{name}.png").write_bytes(png)
        tab.assert_healthy()
    # The README's picture: the front page as a desktop reader first sees it.
    tab = open_tab(viewport=DESKTOP, color_scheme="light")
    tab.go("")
    png = tab.page.screenshot(full_page=False, animations="disabled")
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    if not README_SHOT.is_file() or README_SHOT.read_bytes() != png:
        README_SHOT.parent.mkdir(exist_ok=True)
        README_SHOT.write_bytes(png)
    tab.assert_healthy()
