"""Nothing lost, nothing let in: hostile input, interrupted builds, reproducible output."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import etree

from digest.cli import main

ROOT = Path(__file__).resolve().parents[2]
EPOCH = "1752537600"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "content").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return tmp_path


def _md(title: str, body: str, extra: str = "") -> str:
    return f"---\ntitle: {json.dumps(title)}\ndate: 2025-07-14T09:00:00Z\n{extra}---\n{body}\n"


def _stories(site: Path) -> list[dict[str, object]]:
    return list(json.loads((site / "public" / "stories.json").read_text()))


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


TITLE = "Café reopens after “long” repairs"
BODY = "The owner, Zoë Brontë, said the façade had been rebuilt stone by stone over two long years."


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cp1252.txt", f"{TITLE}\n\n{BODY}\n".encode("cp1252")),
        ("utf8-bom.txt", f"{TITLE}\n\n{BODY}\n".encode("utf-8-sig")),
        ("utf16.txt", f"{TITLE}\n\n{BODY}\n".encode("utf-16")),
        ("utf16be.txt", b"\xfe\xff" + f"{TITLE}\n\n{BODY}\n".encode("utf-16-be")),
        (
            "latin1.md",
            _md("Café reopens après la fête", BODY.replace("“", "").replace("”", "")).encode(
                "latin-1"
            ),
        ),
        ("crlf.txt", f"{TITLE}\r\n\r\n{BODY}\r\n".encode()),
    ],
)
def test_encodings_are_decoded_exactly(site: Path, name: str, data: bytes) -> None:
    (site / "content" / name).write_bytes(data)
    assert main(["build"]) == 0
    [story] = _stories(site)
    assert story["title"] in (TITLE, "Café reopens après la fête")
    assert "Zoë Brontë" in str(story["summary"])


def test_illegal_characters_never_reach_a_page_or_feed(site: Path) -> None:
    (site / "content" / "ctl.md").write_text(
        _md(
            "Bad\u0001 title\u0008 here",
            "Text with a NUL \x00 and \x1b escape and \ufffe too, long enough.",
        )
    )
    assert main(["build"]) == 0
    for path in (site / "public").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json"):
            data = path.read_text()
            assert not any(ch in data for ch in "\x00\x01\x08\x1b\ufffe"), path.name
    for feed in ("rss.xml", "atom.xml", "sitemap.xml"):
        etree.parse(str(site / "public" / feed))  # well-formed, or this raises


def test_scripts_handlers_and_javascript_urls_are_removed(site: Path) -> None:
    body = (
        'Mayor speaks <script>alert("x")</script> at the <b onclick="steal()">town hall</b>.\n\n'
        '<a href="javascript:alert(1)">click</a> <img src=x onerror="alert(2)"> and more words here.\n\n'
        "<iframe src='https://evil.example'></iframe><style>body{display:none}</style>"
    )
    (site / "content" / "xss.md").write_text(
        _md("<script>alert(3)</script>Mayor speaks", body, 'url: "javascript:alert(4)"\n')
    )
    assert main(["build"]) == 0
    for path in (site / "public").rglob("*.html"):
        html = path.read_text().lower()
        # Our own scripts only: structured data (escaped by tojson) and the search script.
        html = re.sub(r'<script type="application/ld\+json">[^<]*</script>', "", html)
        html = re.sub(r'<script src="/static/search\.js" defer></script>', "", html)
        for bad in (
            "<script",
            "onclick",
            "onerror",
            "javascript:",
            "<iframe",
            "<style>body",
            "alert(",
        ):
            assert bad not in html, (path.name, bad)
    [story] = _stories(site)
    assert story["title"] == "Mayor speaks"
    assert story["sources"][0]["url"] == ""  # type: ignore[index]


ESCAPED_MARKUP = [
    (
        "escaped.md",
        _md("Council meets", "\\<img src=x onerror=alert(1)> the council met on Monday evening."),
    ),
    (
        "entities.md",
        _md("Council meets", "&lt;script&gt;alert(1)&lt;/script&gt; the council met on Monday."),
    ),
    (
        "entities.html",
        "<html><head><title>Council meets</title></head><body><article><h1>Council meets</h1>"
        "<p>&lt;img src=x onerror=alert(1)&gt; The council met on Monday evening to vote on"
        " the budget for the coming year, officials said.</p></article></body></html>",
    ),
    (
        "entities.xml",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><item>'
        "<title>Council meets</title><link>https://example.org/a</link>"
        "<description>&lt;p&gt;&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; The council"
        " met on Monday evening.&lt;/p&gt;</description></item></channel></rss>",
    ),
    (
        "ampersand.md",
        _md("AT&T results", "AT&T said profits rose & costs fell > 5% in the quarter."),
    ),
]


@pytest.mark.parametrize(("name", "text"), ESCAPED_MARKUP, ids=[n for n, _ in ESCAPED_MARKUP])
def test_markup_written_as_text_stays_text(site: Path, name: str, text: str) -> None:
    """Markup that a source gave as text (escaped in Markdown, entities in HTML or feeds)
    is shown as text: never a live tag, and a bare & or > is written as an entity."""
    (site / "content" / name).write_text(text)
    assert main(["build"]) == 0
    pages = [p.read_text() for p in (site / "public").rglob("index.html") if "/20" in str(p)]
    assert pages, "the story page was written"
    for html in pages:
        lowered = re.sub(r'<script type="application/ld\+json">[^<]*</script>', "", html.lower())
        lowered = re.sub(r'<script src="/static/search\.js" defer></script>', "", lowered)
        assert "<script" not in lowered and "<img" not in lowered, name
    body = " ".join(pages)
    if name == "ampersand.md":
        assert "AT&amp;T said profits rose &amp; costs fell &gt; 5%" in body
        assert "AT&T said" not in body and "fell > 5%" not in body
    else:
        assert "&lt;" in body, "the markup is shown as text"


@pytest.mark.parametrize(
    "slug", ["../../escape", "/etc/passwd", "..", "a/../../b", "%2e%2e/x", "CON"]
)
def test_a_slug_cannot_write_outside_the_output(site: Path, slug: str) -> None:
    (site / "content" / "s.md").write_text(
        _md(
            "A normal headline",
            "Some text that is long enough to be an article.",
            f"slug: {json.dumps(slug)}\n",
        )
    )
    assert main(["build"]) == 0
    [story] = _stories(site)
    url = str(story["url"])
    assert url.startswith("http://localhost:8000/2025/07/14/")
    assert ".." not in url
    assert sorted(p.name for p in site.iterdir()) == [".digest-cache", "content", "public"]


def test_two_stories_with_one_headline_get_two_urls(site: Path) -> None:
    (site / "content" / "a.md").write_text(
        _md("Storm hits coast", "A storm hit the north coast and closed the ferry port on Monday.")
    )
    (site / "content" / "b.md").write_text(
        _md("Storm hits coast", "Rail lines in the south were flooded by a separate band of rain.")
    )
    assert main(["build"]) == 0
    urls = sorted(str(s["url"]) for s in _stories(site))
    assert urls == [
        "http://localhost:8000/2025/07/14/storm-hits-coast-2/",
        "http://localhost:8000/2025/07/14/storm-hits-coast/",
    ]


def test_unicode_headlines_are_transliterated(site: Path) -> None:
    (site / "content" / "ru.md").write_text(
        _md(
            "Москва и Киев призвали к переговорам",
            "Обе стороны обвинили друг друга в обстрелах на линии фронта в воскресенье.",
        )
    )
    (site / "content" / "gr.md").write_text(
        _md(
            "Σεισμός στη Θεσσαλία",
            "Ένας σεισμός μεγέθους 5,4 βαθμών έπληξε την κεντρική Ελλάδα το Σάββατο.",
        )
    )
    assert main(["build"]) == 0
    urls = sorted(str(s["url"]) for s in _stories(site))
    assert urls == [
        "http://localhost:8000/2025/07/14/moskva-i-kiev-prizvali-k-peregovoram/",
        "http://localhost:8000/2025/07/14/seismos-ste-thessalia/",
    ]


BAD_FILES = {
    "empty.txt": (b"", "expected an article, found an empty file"),
    "blank.md": (b"  \n\n\t\n", "expected an article, found an empty file"),
    "binary.txt": (bytes(range(256)) * 4, "expected text, found binary data"),
    "gzipped.md": (
        gzip.compress(b"---\ntitle: x\n---\nbody " * 50),
        "expected text, found binary data",
    ),
    "broken.md": (
        b"---\ntitle: ok\ntags: [a, b\n---\nBody.\n",
        "line 3: invalid YAML front matter",
    ),
    "unclosed.md": (
        b"---\ntitle: ok\nBody without a closing fence.\n",
        "front matter opened with --- is never closed",
    ),
    "baddate.md": (
        b"---\ntitle: ok\ndate: 2025-02-30\n---\nBody text of the article.\n",
        "invalid value in front matter (a date or number that cannot be): day is out of range for month",
    ),
    "baddate2.md": (
        b"---\ntitle: ok\ndate: yesterday-ish\n---\nBody text of the article.\n",
        "front matter date: expected a date such as",
    ),
    "notitle.md": (b"Just a body with no title at all in it.\n", "expected a title"),
    "list.md": (b"---\n- a\n- b\n---\nBody.\n", "expected a mapping of keys, found list"),
}


def test_bad_files_become_named_problems_and_good_ones_still_build(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, (data, _) in BAD_FILES.items():
        (site / "content" / name).write_bytes(data)
    (site / "content" / "good.md").write_text(
        _md("Good article", "This one is fine and has more than enough words in it.")
    )
    assert main(["build"]) == 0
    err = capsys.readouterr().err
    for name, (_, reason) in BAD_FILES.items():
        line = next((x for x in err.splitlines() if x.startswith(f"problem: {name}: ")), "")
        assert reason in line, (name, line)
    assert [s["title"] for s in _stories(site)] == ["Good article"]
    assert main(["build", "--strict"]) == 1


def test_an_unreadable_file_is_a_problem(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file, so an unreadable file cannot be made here")
    locked = site / "content" / "locked.md"
    locked.write_text(_md("Locked", "Nobody can read this file at all, not even the build."))
    locked.chmod(0)
    (site / "content" / "good.md").write_text(
        _md("Good article", "This one is fine and has more than enough words in it.")
    )
    assert main(["build"]) == 0
    assert "problem: locked.md: read: could not read the file" in capsys.readouterr().err


def test_huge_inputs_finish(site: Path) -> None:
    sentence = "The council approved the budget after a long debate about the harbour. "
    (site / "content" / "big.md").write_text(
        _md("Big", (sentence * 12 + "\n\n") * 6000)
    )  # about 5 MB
    lede = "A reader pasted a very long token into this article, and it must still build."
    (site / "content" / "line.txt").write_text(f"Long line\n\n{lede}\n\n" + "x" * 1_000_000 + "\n")
    started = time.monotonic()
    assert main(["build"]) == 0
    assert len(_stories(site)) == 2
    assert time.monotonic() - started < 120, "bounded, not fast: a generous ceiling against a hang"


def test_build_makes_no_network_connection(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"digest build tried to connect: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    shutil.copytree(ROOT / "content", site / "content", dirs_exist_ok=True)
    assert main(["build"]) == 0


def test_the_order_files_were_created_in_does_not_matter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    files = sorted((ROOT / "content").iterdir())
    for name, order in (("one", files), ("two", list(reversed(files)))):
        (tmp_path / name / "content").mkdir(parents=True)
        for f in order:
            shutil.copy(f, tmp_path / name / "content" / f.name)
        monkeypatch.chdir(tmp_path / name)
        monkeypatch.setenv("LC_ALL", "C" if name == "one" else "C.UTF-8")
        assert main(["build"]) == 0
    assert _tree(tmp_path / "one" / "public") == _tree(tmp_path / "two" / "public")


def test_a_killed_build_leaves_the_previous_site_whole(tmp_path: Path) -> None:
    import random

    rng = random.Random(7)
    vocabulary = [f"w{n}" for n in range(5000)]
    content = tmp_path / "content"
    content.mkdir()
    for i in range(400):
        (content / f"a{i:03}.md").write_text(
            _md(f"Story number {i}", " ".join(rng.choices(vocabulary, k=300)))
        )
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    cmd = [sys.executable, "-m", "digest", "build"]
    subprocess.run(cmd, cwd=tmp_path, env=env, check=True, capture_output=True)
    before = _tree(tmp_path / "public")
    assert len(json.loads(before["stories.json"])) == 400
    (content / "new.md").write_text(
        _md("A late story", "Something new happened and it has enough words to count.")
    )
    started = time.monotonic()
    subprocess.run(
        [*cmd, "--output", "timing"], cwd=tmp_path, env=env, check=True, capture_output=True
    )
    duration = time.monotonic() - started
    seen = []
    for fraction in (0.1, 0.3, 0.5, 0.7, 0.85, 0.95):
        proc = subprocess.Popen(
            cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        seen.append(_tree(tmp_path / "public"))
        temporary = [p for p in tmp_path.glob(".public.*") if p.name != ".public.standby"]
        assert len(temporary) <= 1, "temporary folders must not pile up"
    subprocess.run(cmd, cwd=tmp_path, env=env, check=True, capture_output=True)
    after = _tree(tmp_path / "public")
    assert after != before
    for fraction, site in zip((0.1, 0.3, 0.5, 0.7, 0.85, 0.95), seen, strict=True):
        assert site in (before, after), (
            f"killed at {fraction:.0%}: the site is neither the old nor the new one"
        )
    assert [p.name for p in tmp_path.glob(".public.*")] == [".public.standby"]
