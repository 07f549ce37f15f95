"""End to end through the command line: exit codes, messages, contracts, feeds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from digest.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "content").glob("0*.txt"))
ATOM_RNG = ROOT.parent / "shared" / "schemas" / "atom.rng"
EPOCH = "1752537600"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site folder holding the sample content, as the working folder."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return tmp_path


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_build_writes_the_contract_files(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build"]) == 0
    out = site / "public"
    for name in (
        "index.html",
        "rss.xml",
        "atom.xml",
        "feed.json",
        "stories.json",
        "sitemap.xml",
        "robots.txt",
        "404.html",
    ):
        assert (out / name).is_file(), name
    line = capsys.readouterr().out.strip()
    assert line.startswith("8 articles → 6 stories (2 copies folded), 0 problems, ")


def test_stories_json_lists_every_story_with_its_sources(site: Path) -> None:
    assert main(["build"]) == 0
    stories = json.loads((site / "public" / "stories.json").read_text())
    assert len(stories) == 6
    seed = next(s for s in stories if len(s["sources"]) == 2 and "Ukraine" in s["title"])
    assert seed["url"].startswith("http://localhost:8000/2025/07/14/")
    assert seed["published"].startswith("2025-07-14")
    assert sorted(x["path"] for x in seed["sources"]) == [p.name for p in SEEDS]
    assert set(seed) == {"id", "url", "title", "summary", "published", "updated", "tags", "sources"}
    assert set(seed["sources"][0]) == {"outlet", "title", "url", "path", "published"}


def test_drafts_are_not_published(site: Path) -> None:
    assert main(["build"]) == 0
    text = (site / "public" / "stories.json").read_text()
    assert "cycle lanes" not in text


def test_two_builds_are_byte_identical_whatever_the_time_zone(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["build", "--output", "one"]) == 0
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    assert main(["build", "--output", "two"]) == 0
    assert _tree(site / "one") == _tree(site / "two")


def test_unknown_and_bad_config_keys_are_all_reported_with_exit_2(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "digest.toml").write_text('titel = "x"\nsummary_sentences = 0\nbase_url = "ftp://x"\n')
    assert main(["build"]) == 2
    err = capsys.readouterr().err
    assert "titel: unknown key" in err
    assert "summary_sentences: expected a whole number from 1 to 10, found 0" in err
    assert "base_url: expected an absolute http(s) URL" in err
    assert not (site / "public").exists()


def test_a_broken_file_is_named_and_the_rest_still_builds(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "content" / "broken.md").write_text("---\ntitle: [unclosed\n---\nBody text.\n")
    assert main(["build"]) == 0
    captured = capsys.readouterr()
    assert "problem: broken.md: load: line 2: invalid YAML front matter" in captured.err
    assert ", 1 problems," in captured.out
    assert len(json.loads((site / "public" / "stories.json").read_text())) == 6


def test_files_with_unprintable_names_and_pipes_are_named_and_the_rest_still_builds(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A name that is not UTF-8 crashed the build; one holding a line break could print a
    # line of its own; a pipe made the build wait for a writer.
    content = os.fsencode(site / "content")
    with open(os.path.join(content, b"caf\xe9.txt"), "wb") as f:
        f.write(b"Cafe Opens\n\nA cafe opened on the harbour front on Monday, its owner said.\n")
    (site / "content" / "evil\nproblem: fake.md").write_text("---\ntitle: X\n---\nBody text.\n")
    os.mkfifo(site / "content" / "pipe.txt")
    assert main(["build", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "problem: caf\\xe9.txt: read: expected a file name of printable UTF-8 text, found "
        "bytes that are not UTF-8 or a control character: rename the file",
        "problem: evil\\nproblem: fake.md: read: expected a file name of printable UTF-8 "
        "text, found bytes that are not UTF-8 or a control character: rename the file",
        "problem: pipe.txt: read: could not read the file: expected a plain file, found a "
        "pipe, socket or device",
    ]
    assert len(json.loads((site / "public" / "stories.json").read_text())) == 6


def test_a_file_over_max_file_bytes_is_a_problem_not_read_and_the_rest_builds(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An 82 MB file took 70 s and 3.6 GB to build; past the limit a file is not read, in
    # a first build as in one whose cache remembers the file from a larger limit.
    body = "The harbour ferry ran late again on Monday, passengers said. " * 400
    (site / "content" / "long.md").write_text(f"---\ntitle: Late ferry\n---\n{body}\n")
    size = (site / "content" / "long.md").stat().st_size
    (site / "digest.toml").write_text("max_file_bytes = 20000\n")
    assert main(["build", "--quiet"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"problem: long.md: read: expected a file of at most 20,000 bytes, found {size:,} "
        "bytes; not read (raise max_file_bytes in digest.toml to read it)"
    ]
    assert len(json.loads((site / "public" / "stories.json").read_text())) == 6
    (site / "digest.toml").write_text(f"max_file_bytes = {size}\n")
    assert main(["build", "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    assert len(json.loads((site / "public" / "stories.json").read_text())) == 7
    (site / "digest.toml").write_text("max_file_bytes = 20000\n")
    assert main(["build", "--strict"]) == 1
    assert "long.md: read: expected a file of at most 20,000 bytes" in capsys.readouterr().err
    assert len(json.loads((site / "public" / "stories.json").read_text())) == 7


def test_a_file_grown_past_max_file_bytes_after_it_was_measured_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read at most one byte past the limit, whatever its size was a moment before."""
    import digest.build
    from digest.config import Config

    (tmp_path / "content").mkdir()
    path = tmp_path / "content" / "growing.txt"
    path.write_bytes(b"Headline\n\n" + b"word " * 100)
    stat = os.stat

    def grown(name: object, *args: object, **kwargs: object) -> os.stat_result:
        result = stat(name, *args, **kwargs)  # type: ignore[arg-type]
        if str(name).endswith("growing.txt"):
            path.write_bytes(b"Headline\n\n" + b"word " * 1000)  # grows after the stat
        return result

    monkeypatch.setattr(digest.build.os, "stat", grown)
    sources, data, _ = digest.build.scan(Config(root=tmp_path, max_file_bytes=1000))
    assert [s.error for s in sources] == [
        "expected a file of at most 1,000 bytes, found more; not read"
        " (raise max_file_bytes in digest.toml to read it)"
    ]
    assert data == {}


def test_a_link_to_a_file_outside_the_content_folder_is_a_problem_and_never_published(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A folder of articles unpacked from elsewhere may link a private file; linked files
    # inside the folder are read as before.
    secret = site.parent / "secret.txt"
    secret.write_text("Private Key\n\nThe passphrase for the vault is tangerine-kestrel-42.\n")
    os.symlink(secret, site / "content" / "leak.txt")
    os.symlink("../secret.txt", site / "content" / "relative-leak.txt")
    (site / "content" / "sub").mkdir()
    (site / "content" / "sub" / "notes.txt").write_text(
        "Harbour Fair Opens\n\nThe harbour fair opened on Saturday with forty stalls and"
        " a brass band, its organisers said.\n"
    )
    os.symlink("sub/notes.txt", site / "content" / "inside.txt")
    assert main(["build", "--quiet"]) == 0
    reason = (
        "read: expected a file inside the content folder, found a link to a file outside"
        " it; not read (copy the file in to build it)"
    )
    assert capsys.readouterr().err.splitlines() == [
        f"problem: leak.txt: {reason}",
        f"problem: relative-leak.txt: {reason}",
    ]
    published = b"".join(p.read_bytes() for p in (site / "public").rglob("*") if p.is_file())
    assert b"tangerine" not in published and b"Harbour Fair Opens" in published


def test_strict_makes_problems_fatal_and_keeps_the_previous_site(site: Path) -> None:
    assert main(["build"]) == 0
    before = _tree(site / "public")
    (site / "content" / "empty.txt").write_text("")
    (site / "content" / "new.md").write_text(
        "---\ntitle: New\n---\nA brand new article that was added later on.\n"
    )
    assert main(["build", "--strict"]) == 1
    assert _tree(site / "public") == before


def test_nothing_to_build_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "content").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["build"]) == 1
    assert not (tmp_path / "public").exists()


def test_missing_content_folder_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--content", "nowhere"]) == 2
    assert "expected a folder of articles, found nothing" in capsys.readouterr().err


def test_refuses_to_replace_a_folder_it_did_not_write(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    precious = site / "public"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    assert main(["build"]) == 2
    assert (precious / "thesis.tex").read_text() == "years of work"
    assert "refusing to replace a folder digest did not write" in capsys.readouterr().err


def test_a_rebuild_replaces_the_site_whole(site: Path) -> None:
    assert main(["build"]) == 0
    (site / "content" / "2025-07-14-midland-courier-battery-train-trial.md").unlink()
    assert main(["build"]) == 0
    assert not any("battery" in p for p in _tree(site / "public"))
    leftover = [p.name for p in site.glob(".public.*")]
    assert leftover == [".public.standby"], "no temporary folders are left behind"
    # the standby folder holds the previous site, made the next one by updating it
    assert any("battery" in p for p in _tree(site / ".public.standby"))


def test_inspect_json_prints_the_contract_fields_for_each_seed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    names = [str(p) for p in SEEDS]
    assert main(["inspect", *names, "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["path"] for r in rows] == names
    for row in rows:
        assert set(row) == {
            "path",
            "outlet",
            "title",
            "dek",
            "published",
            "url",
            "tags",
            "body",
            "summary",
        }
        assert row["summary"][0].startswith("Ukraine and Russia")
    assert rows[0]["outlet"] == "London Daily"
    assert rows[0]["published"] == "2025-07-14T00:00:00+00:00"
    assert rows[0]["dek"].startswith("After separate calls with France's Emmanuel Macron")
    assert "Frontline Tension" not in rows[0]["body"], "subheads are not paragraphs"
    assert rows[0]["body"][-1].startswith("Hundreds of artillery and mortar attacks")
    assert not any("Related Articles" in p for p in rows[0]["body"])


def test_inspect_names_a_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", "no/such/file.txt"]) == 1
    assert "no/such/file.txt: could not read the file" in capsys.readouterr().err


def test_feeds_parse_without_errors(site: Path) -> None:
    assert main(["build"]) == 0
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse((site / "public" / name).read_bytes())
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert len(parsed.entries) == 6
    feed = json.loads((site / "public" / "feed.json").read_text())
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert len(feed["items"]) == 6


def test_atom_validates_against_the_rfc_4287_schema(site: Path) -> None:
    if not ATOM_RNG.is_file():
        pytest.skip(f"{ATOM_RNG} is not here (it lives in the shared folder beside the project)")
    from lxml import etree

    assert main(["build"]) == 0
    schema = etree.RelaxNG(etree.parse(str(ATOM_RNG)))
    assert schema.validate(etree.parse(str(site / "public" / "atom.xml"))), (
        schema.error_log.last_error
    )


def test_python_dash_m_digest_runs(site: Path) -> None:
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    result = subprocess.run(
        [sys.executable, "-m", "digest", "--version"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("digest ")


def test_the_command_flushes_its_output_and_exit_code_before_leaving(site: Path) -> None:
    # python -m digest leaves without the interpreter's teardown (cli.run): nothing it
    # printed may be lost, and its exit code is main's. Output to a pipe is buffered.
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    env.pop("PYTHONUNBUFFERED", None)
    ok = subprocess.run(
        [sys.executable, "-m", "digest", "build", "--report", "r.json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("8 articles → 6 stories (2 copies folded), 0 problems, ")
    assert len(json.loads((site / "r.json").read_text())["merges"]) == 2
    (site / "content" / "broken.md").write_bytes(b"---\ntitle: [unclosed\n---\nBody.\n")
    bad = subprocess.run(
        [sys.executable, "-m", "digest", "build", "--strict"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert bad.returncode == 1
    assert "broken.md" in bad.stderr


def test_only_the_command_keeps_what_a_build_made_for_its_end(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # cli.run leaves at once, so a build's values are handed to it rather than freed as
    # the build returns; main, called by a program that goes on, keeps nothing.
    import digest.cli
    from digest.build import build
    from digest.config import load_config

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert main(["-q", "build"]) == 0
    assert digest.cli._LEFT is None
    kept: list[object] = []
    config = load_config(None, {"content": "content", "output": "public"})
    report = build(config, datetime(2025, 7, 14, tzinfo=UTC), kept=kept)
    assert report.stories == 6
    assert len(kept) == 1 and isinstance(kept[0], dict)
    assert len(kept[0]["site"].articles) == 8 and kept[0]["loaded"]


def test_a_closed_standard_output_is_not_an_error(site: Path) -> None:
    # Started with descriptor 1 closed, Python's sys.stdout is None.
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    result = subprocess.run(
        f'exec 1>&- && "{sys.executable}" -m digest build',
        shell=True,
        stderr=subprocess.PIPE,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr
    assert (site / "public" / "index.html").is_file()


def test_a_reader_that_closes_the_pipe_early_gets_no_traceback(site: Path) -> None:
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "build"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # as `digest build | head -0` does
    errors = proc.stderr.read()
    assert proc.wait() == 141
    assert b"Traceback" not in errors
    assert (site / "public" / "index.html").is_file()


def test_a_story_keeps_its_id_and_url_when_a_copy_joins_and_the_lead_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    (tmp_path / "content").mkdir()
    short, full = SEEDS[1], SEEDS[0]
    shutil.copy(short, tmp_path / "content" / short.name)
    assert main(["build"]) == 0
    [before] = json.loads((tmp_path / "public" / "stories.json").read_text())
    shutil.copy(full, tmp_path / "content" / full.name)
    assert main(["build"]) == 0
    [after] = json.loads((tmp_path / "public" / "stories.json").read_text())
    assert len(after["sources"]) == 2
    assert after["title"] != before["title"], "the longer copy is the new lead"
    assert (after["id"], after["url"]) == (before["id"], before["url"])


def test_a_new_story_with_the_same_headline_never_takes_an_existing_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    content = tmp_path / "content"
    content.mkdir()
    body = "---\ntitle: Storm closes bridge\ndate: 2025-07-14T10:00:00Z\n---\n"
    (content / "zz.md").write_text(
        body + "High winds shut the harbour bridge for six hours on Monday morning.\n"
    )
    assert main(["build"]) == 0
    [first] = json.loads((tmp_path / "public" / "stories.json").read_text())
    (content / "aa.md").write_text(
        body + "A different storm in another town flooded the market square twice.\n"
    )
    assert main(["build"]) == 0
    urls = {
        s["sources"][0]["path"]: s["url"]
        for s in json.loads((tmp_path / "public" / "stories.json").read_text())
    }
    assert urls["zz.md"] == first["url"]
    assert urls["aa.md"] == first["url"].rstrip("/") + "-2/"


def test_explain_says_why_two_files_are_one_story(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(SEEDS[0]), str(SEEDS[1])]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "one story: 90% of the smaller text lies inside the larger (threshold 50%)"
    )
    assert "inside" in out and "shared (" in out


def test_explain_json_for_two_different_events(capsys: pytest.CaptureFixture[str]) -> None:
    greece = ROOT / "content" / "2025-07-12-midland-courier-thessaly-earthquake.md"
    peru = ROOT / "content" / "2025-07-14-southern-cross-wire-peru-offshore-quake.md"
    assert main(["explain", str(greece), str(peru), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["same_story"] is False
    assert result["containment_ab"] == result["containment_ba"] == 0.0


def test_build_report_lists_every_merge_with_its_scores(site: Path) -> None:
    assert main(["build", "--report", "merges.json"]) == 0
    merges = json.loads((site / "merges.json").read_text())["merges"]
    pairs = {(m["a"], m["b"]) for m in merges}
    assert ("000_09bbb82b954263c9.txt", "003_7ea263126d66c9a4.txt") in pairs
    assert len(merges) == 2
    seed = next(m for m in merges if m["a"].startswith("000"))
    assert seed["containment_b_in_a"] > 0.85 and seed["threshold"] == 0.5


def _articles(folder: Path, count: int) -> None:
    """``count`` different Markdown articles: enough that a build forks workers."""
    folder.mkdir(parents=True)
    for n in range(count):
        words = " ".join(f"w{n}x{k}" for k in range(60))
        (folder / f"a{n:04d}.md").write_text(
            f"---\ntitle: Article {n}\ndate: 2025-07-14T06:00:00Z\n---\n"
            f"Officials in district {n} said on Monday that {words}.\n"
        )


def _children(pid: int) -> list[int]:
    found = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:  # the process ended
        return []
    for task in tasks:
        try:
            found += [int(x) for x in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):  # a thread that ended meanwhile
            continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
@pytest.mark.skipif(
    __import__("digest.halves").halves.cores() < 2, reason="one core: a build forks no worker"
)
@pytest.mark.parametrize("signal_number", [15, 9], ids=["SIGTERM", "SIGKILL"])
def test_workers_end_with_a_build_that_is_stopped(tmp_path: Path, signal_number: int) -> None:
    # Stopped by SIGTERM (timeout, systemd, CI) or killed, a build leaves no worker
    # behind holding its output open, and publishes nothing.
    import time

    _articles(tmp_path / "content", 1500)
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(ROOT)}
    build = subprocess.Popen(
        [sys.executable, "-m", "digest", "build"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while not workers and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
        workers = _children(build.pid)
    assert workers, "the build forked workers"
    os.kill(build.pid, signal_number)
    build.communicate(timeout=30)  # the output ends: no worker holds it open
    assert build.returncode == -signal_number

    def alive(pid: int) -> bool:  # a zombie is dead, waiting for init to reap it
        try:
            return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
        except (FileNotFoundError, ProcessLookupError):
            return False

    for pid in workers:
        for _ in range(500):
            if not alive(pid):
                break
            time.sleep(0.01)
        assert not alive(pid), f"worker {pid} outlived the build"
    assert not (tmp_path / "public").exists(), "nothing half-built was published"


def test_an_output_or_report_that_cannot_be_written_is_a_message_not_a_traceback(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "in-the-way").write_text("a file")
    assert main(["build", "--output", "in-the-way/public"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"digest: {site}/in-the-way/public: could not write the site: "
        f"{site}/in-the-way: expected a folder, found a file\n"
    )
    assert main(["build", "--report", "missing/report.json"]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        "digest: missing/report.json: could not write the report: No such file or directory"
        " (the site was built)\n"
    )
    assert "8 articles → 6 stories" in captured.out
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--port", "99999"])
    assert stopped.value.code == 2
    assert "expected a port from 0 to 65535, found 99999" in capsys.readouterr().err


def test_serve_prints_problems_and_errors_on_standard_error_as_build_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from digest.cli import serve_event

    for line in (
        "built: 9 articles → 7 stories, 1 problems, 40 files in 0.4 s",
        "problem: broken.md: load: expected a title",
        "error: digest.toml: line 1: expected a value",
        "error while answering 127.0.0.1:\nTraceback",
        "not found: /missing/",
    ):
        serve_event(line)
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "built: 9 articles → 7 stories, 1 problems, 40 files in 0.4 s",
        "not found: /missing/",
    ]
    assert captured.err.splitlines() == [
        "problem: broken.md: load: expected a title",
        "error: digest.toml: line 1: expected a value",
        "error while answering 127.0.0.1:",
        "Traceback",
    ]
