"""A folder mixing wire copy, Markdown, a saved page and feed files builds into one digest,
with copies across formats folded together."""

from __future__ import annotations

import json
import shutil
from html import escape
from pathlib import Path

import pytest

from digest.cli import main
from digest.load import LoadSettings
from digest.load.text import parse_wire_text

ROOT = Path(__file__).resolve().parents[2]
SEED_FULL = ROOT / "content" / "000_09bbb82b954263c9.txt"
SEED_SHORT = ROOT / "content" / "003_7ea263126d66c9a4.txt"


def _page(path: Path) -> str:
    """The full seed as a news site would serve it: navigation, article, related box."""
    article = parse_wire_text(path.read_text(), path.name, LoadSettings())
    body = "\n".join(
        f"<h2>{escape(b.text)}</h2>" if b.is_heading else f"<p>{escape(b.text)}</p>"
        for b in article.blocks
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{escape(article.title)} | Harbour Herald</title>
<meta property="og:site_name" content="Harbour Herald">
<link rel="canonical" href="https://herald.example.com/world/russia-ukraine-talks">
<meta property="article:published_time" content="2025-07-14T08:30:00+00:00">
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<main><article><h1>{escape(article.title)}</h1><p class="byline">By Staff Reporter</p>
{body}
</article>
<aside><h3>Related Articles</h3><ul><li><a href="/a">Bitcoin reaches a new milestone</a></li><li><a href="/b">EU delays tariffs</a></li></ul></aside>
</main><footer><p>© 2025 Harbour Herald. All rights reserved.</p></footer></body></html>"""


def _rss(path: Path) -> str:
    lines = path.read_text().splitlines()
    content = "".join(f"<p>{escape(x)}</p>" for x in lines[1:] if x.strip())
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Northern Wire</title><link>https://wire.example.net/</link><description>Wire copy</description>
<item><title>{escape(lines[0])}</title><link>https://wire.example.net/moscow-kyiv-talks</link>
<guid>wire-1</guid><pubDate>Mon, 14 Jul 2025 09:15:00 +0000</pubDate>
<content:encoded>{escape(content)}</content:encoded></item>
<item><title>Harbour festival draws record crowds</title><link>https://wire.example.net/festival</link>
<guid>wire-2</guid><pubDate>Sun, 13 Jul 2025 18:00:00 +0000</pubDate>
<description>Organisers said more than 40,000 people visited the harbour festival over the weekend, a record for the event.</description></item>
</channel></rss>"""


def test_copies_fold_across_formats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(SEED_FULL, content / "london-daily.txt")
    (content / "herald.html").write_text(_page(SEED_FULL))
    (content / "wire.xml").write_text(_rss(SEED_SHORT))
    shutil.copy(
        ROOT / "content" / "2025-07-12-harbour-gazette-brackenport-dock-strike.md",
        content / "strike.md",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1752537600")
    assert main(["build", "--strict"]) == 0
    stories = json.loads((tmp_path / "public" / "stories.json").read_text())
    by_title = {s["title"]: s for s in stories}
    assert len(stories) == 3, sorted(by_title)
    talks = next(s for s in stories if len(s["sources"]) > 1)
    assert sorted(x["path"] for x in talks["sources"]) == [
        "herald.html",
        "london-daily.txt",
        "wire.xml",
    ]
    outlets = {x["outlet"] for x in talks["sources"]}
    assert outlets == {"London Daily", "Harbour Herald", "Northern Wire"}
    assert talks["summary"][0].startswith("Ukraine and Russia")
    assert "Harbour festival draws record crowds" in by_title
    html = (
        tmp_path / "public" / talks["url"].split("localhost:8000/")[1] / "index.html"
    ).read_text()
    for chrome in ("Related Articles", "All rights reserved", "Bitcoin reaches"):
        assert chrome not in html


def test_a_feed_entry_seen_in_two_snapshots_is_one_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tmp_path / "content" / "feeds" / "wire"
    content.mkdir(parents=True)
    old = _rss(SEED_SHORT)
    new = old.replace(
        "a record for the event.", "a record for the event, the mayor said on Monday."
    )
    new = new.replace(
        "<pubDate>Sun, 13 Jul 2025 18:00:00 +0000</pubDate>",
        '<pubDate>Sun, 13 Jul 2025 18:00:00 +0000</pubDate><atom:updated xmlns:atom="http://www.w3.org/2005/Atom">2025-07-14T07:00:00Z</atom:updated>',
    )
    (content / "20250713T180000Z-a.xml").write_text(old)
    (content / "20250714T070000Z-b.xml").write_text(new)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1752537600")
    assert main(["build"]) == 0
    stories = json.loads((tmp_path / "public" / "stories.json").read_text())
    assert len(stories) == 2
    festival = next(s for s in stories if s["title"].startswith("Harbour festival"))
    assert len(festival["sources"]) == 1


def test_a_build_leaves_few_objects_in_cycles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build turns the collector off in its own process (see ``digest.build.build``),
    where it reads up to hundreds of new files of every kind and renders pages: what
    that leaves in reference cycles stays until the build is over, and must stay small.
    Measured: some 650 objects a build (its template environment), and about five more
    for each web page, feed or wire story read."""
    import gc

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1752537600")

    def left_after(site: Path, extra: int) -> int:
        content = site / "content"
        content.mkdir(parents=True)
        for path in (ROOT / "content").glob("*.md"):
            shutil.copy(path, content / path.name)
        for i in range(extra):
            (content / f"page-{i}.html").write_text(
                _page(SEED_FULL).replace("Harbour Herald", f"Herald {i}")
            )
            (content / f"feed-{i}.xml").write_text(
                _rss(SEED_SHORT).replace("wire-1", f"w{i}-1").replace("wire-2", f"w{i}-2")
            )
            shutil.copy(SEED_FULL, content / f"wire-{i}.txt")
        monkeypatch.chdir(site)
        gc.collect()
        assert main(["-q", "build"]) == 0
        assert gc.isenabled()
        return gc.collect()

    alone = left_after(tmp_path / "a", 0)
    more = left_after(tmp_path / "b", 20)
    assert alone < 2_000
    assert more - alone < 20 * 3 * 20, (alone, more)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
def test_placeholder_dates_at_the_ends_of_the_calendar_build_as_undated(
    zone: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """0001-01-01 and 9999-12-31 are placeholders, not publication dates: in a zone where
    either is outside the calendar in UTC, the site still builds, both stories undated
    (dated when first built), in every format that carries a date."""
    content = tmp_path / "content"
    content.mkdir()
    (tmp_path / "digest.toml").write_text(f'timezone = "{zone}"\n')
    (content / "first.md").write_text(
        "---\ntitle: Placeholder first\ndate: 0001-01-01\n---\n"
        "A story whose date field was left at the first day of the calendar.\n"
    )
    (content / "last.md").write_text(
        "---\ntitle: Placeholder last\ndate: 9999-12-31T23:30:00\n---\n"
        "A story whose date field says it was never published at all.\n"
    )
    (content / "feed.json").write_text(
        json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": "Wire",
                "items": [
                    {
                        "id": "w1",
                        "title": "Placeholder feed",
                        "content_text": "A feed entry whose date is the first day of the calendar.",
                        "date_published": "0001-01-01T00:00:00",
                    }
                ],
            }
        )
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1752537600")
    monkeypatch.chdir(tmp_path)
    assert main(["-q", "build"]) == 0
    stories = json.loads((tmp_path / "public" / "stories.json").read_bytes())
    assert len(stories) == 3
    assert {s["sources"][0]["published"] for s in stories} == {None}
