"""The build cache never changes an outcome: after any edit, an incremental build's
output is byte-identical to a cold build's (one with no .digest-cache) from the same
previous site."""

from __future__ import annotations

import concurrent.futures
import json
import os
import pickle
import shutil
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import digest
import digest.halves
from digest.cli import main

ROOT = Path(__file__).resolve().parents[2]
EPOCH = "1752537600"


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _build(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(site)
    assert main(["-q", "build"]) == 0


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    _build(site, monkeypatch)
    assert (site / ".digest-cache" / "cache.sqlite").is_file()
    return site


def _cold_twin(site: Path, before: Path) -> Path:
    """The same site, with the previous public/ but no cache."""
    twin = site.parent / "cold"
    shutil.rmtree(twin, ignore_errors=True)
    shutil.copytree(site, twin, ignore=shutil.ignore_patterns(".digest-cache", "public"))
    shutil.copytree(before, twin / "public")
    return twin


def _edit(site: Path) -> None:
    path = site / "content" / "2025-07-13-lakeside-observer-alpine-glacier-survey.md"
    path.write_text(
        path.read_text().replace("Glaciers across the Alps", "Glaciers throughout the Alps")
    )


def _add(site: Path) -> None:
    (site / "content" / "late.md").write_text(
        "---\ntitle: Ferry service resumes after storm\ndate: 2025-07-14T18:00:00Z\nsource: Harbour Gazette\n"
        "tags: [transport]\n---\nFerries between the islands resumed on Monday evening after a storm "
        "kept them in port for two days, the operator said.\n"
    )


def _delete(site: Path) -> None:
    (site / "content" / "2025-07-14-midland-courier-battery-train-trial.md").unlink()


def _delete_a_copy(site: Path) -> None:
    (site / "content" / "003_7ea263126d66c9a4.txt").unlink()


def _config(site: Path) -> None:
    (site / "digest.toml").write_text('title = "Evening Brief"\nsummary_sentences = 2\n')


def _template(site: Path) -> None:
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / "story.html").write_text(
        '{% extends "!default/story.html" %}{% block main %}<p class="note">Corrections: desk@example.org</p>'
        "{{ super() }}{% endblock %}"
    )


def _static(site: Path) -> None:
    (site / "static").mkdir(exist_ok=True)
    (site / "static" / "style.css").write_text("body { color: black; }\n")


CHANGES: dict[str, Callable[[Path], None]] = {
    "edit": _edit,
    "add": _add,
    "delete": _delete,
    "delete a copy": _delete_a_copy,
    "config": _config,
    "template": _template,
    "static": _static,
}


@pytest.mark.parametrize("change", CHANGES)
def test_incremental_equals_cold(change: str, site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = site.parent / "before"
    shutil.copytree(site / "public", before)
    CHANGES[change](site)
    _build(site, monkeypatch)
    twin = _cold_twin(site, before)
    _build(twin, monkeypatch)
    assert _tree(site / "public") == _tree(twin / "public")
    assert _tree(site / "public") != _tree(before), "the change shows in the site"


def test_a_site_template_that_shows_a_month_s_stories_gets_them_keyed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The default theme's month and year pages show no story, so their keys leave the
    # stories out; a site's own template may show them, and then a headline edited
    # makes the month's page again.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    (site / "templates").mkdir()
    (site / "templates" / "listing.html").write_text(
        '{% extends "!default/listing.html" %}{% block main %}{{ super() }}'
        '<ul class="every">{% for s in listing.stories %}<li>{{ s.title }}</li>{% endfor %}'
        "</ul>{% endblock %}"
    )
    _build(site, monkeypatch)
    before = site.parent / "before"
    shutil.copytree(site / "public", before)
    path = site / "content" / "2025-07-13-lakeside-observer-alpine-glacier-survey.md"
    path.write_text(path.read_text().replace("lost record volume", "shrank by a record"))
    _build(site, monkeypatch)
    month = (site / "public" / "2025" / "07" / "index.html").read_text()
    assert "Alpine glaciers shrank by a record last year" in month
    _equals_cold_build(site, monkeypatch, before)


def test_a_month_page_of_the_default_theme_is_not_made_again_when_a_headline_changes(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It shows the month's days and their counts, not its stories.
    from digest import render

    made: list[str] = []
    page = render.Renderer.page

    def spy(self: render.Renderer, template: str, **context: Any) -> bytes:
        if "listing" in context:
            made.append(str(context["listing"].folder))
        return page(self, template, **context)

    monkeypatch.setattr(render.Renderer, "page", spy)
    before = site.parent / "before"
    shutil.copytree(site / "public", before)
    path = site / "content" / "2025-07-13-lakeside-observer-alpine-glacier-survey.md"
    path.write_text(path.read_text().replace("lost record volume", "shrank by a record"))
    _build(site, monkeypatch)
    assert "2025/07/13" in made
    assert "2025/07" not in made and "2025" not in made
    _equals_cold_build(site, monkeypatch, before)  # as long as the theme shows none


def test_an_edited_template_is_compiled_again(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Compiled templates are kept between builds (.digest-cache/templates); an edit to a
    # template already compiled must show, as it does in a cold build.
    _template(site)
    _build(site, monkeypatch)
    assert any((site / ".digest-cache" / "templates").glob("*/__jinja2_*.cache"))
    before = site.parent / "before"
    shutil.copytree(site / "public", before)
    edited = site / "templates" / "story.html"
    edited.write_text(edited.read_text().replace("Corrections", "Complaints"))
    _build(site, monkeypatch)
    twin = _cold_twin(site, before)
    _build(twin, monkeypatch)
    built = _tree(site / "public")
    assert built == _tree(twin / "public")
    assert b"Complaints: desk@example.org" in built[next(p for p in built if p.count("/") == 4)]


def test_compiled_templates_that_cannot_be_read_or_written_never_fail_a_build(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jinja2

    from digest import render

    def build_and_compare() -> None:
        before = site.parent / "before"
        shutil.rmtree(before, ignore_errors=True)
        shutil.copytree(site / "public", before)
        _build(site, monkeypatch)
        twin = _cold_twin(site, before)
        _build(twin, monkeypatch)
        assert _tree(site / "public") == _tree(twin / "public")

    compiled = list((site / ".digest-cache" / "templates").glob("*/__jinja2_*.cache"))
    assert compiled
    for path in compiled:  # Jinja's own header, then damage
        path.write_bytes(jinja2.bccache.bc_magic + b"not compiled code")
    _add(site)
    build_and_compare()  # damaged: compiled again

    def refuse(self: object, bucket: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jinja2.FileSystemBytecodeCache, "dump_bytecode", refuse)
    monkeypatch.setattr(render, "compiled_templates_key", lambda: "f" * 40)  # none kept yet
    _edit(site)
    build_and_compare()  # cannot be written: not kept
    # Compiled under another key (another digest, Jinja or Python): the old ones are gone.
    folders = list((site / ".digest-cache" / "templates").iterdir())
    assert [f.name for f in folders] == ["f" * 16]
    assert not any(folders[0].iterdir())


def test_a_new_digest_version_rebuilds_everything(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = site.parent / "before"
    shutil.copytree(site / "public", before)
    monkeypatch.setattr(digest, "__version__", "99.0.0")
    _build(site, monkeypatch)
    twin = _cold_twin(site, before)
    _build(twin, monkeypatch)
    built = _tree(site / "public")
    assert built == _tree(twin / "public")
    assert b"99.0.0" in built["atom.xml"]


def _zone_file(name: str) -> bytes:
    """The compiled rules of the zone ``name``, where zoneinfo would read them."""
    import importlib.resources
    import zoneinfo

    for folder in zoneinfo.TZPATH:
        path = Path(folder, name)
        if path.is_file():
            return path.read_bytes()
    try:
        return importlib.resources.files("tzdata.zoneinfo").joinpath(name).read_bytes()
    except (ImportError, OSError):
        pytest.skip(f"no time-zone database holds {name}")


def test_a_new_time_zone_database_rebuilds_everything(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # New rules for the site's zone (a country moving its clocks) change the dates a
    # build shows: the system's database is named in every cache key (zone_database).
    import zoneinfo

    from digest.cache import program_version

    london, tokyo = _zone_file("Europe/London"), _zone_file("Asia/Tokyo")
    database = site.parent / "zoneinfo"
    (database / "Europe").mkdir(parents=True)

    def install(version: str, rules: bytes) -> None:
        (database / "tzdata.zi").write_text(f"# version {version}\n")
        (database / "Europe" / "London").write_bytes(rules)
        zoneinfo.reset_tzpath([str(database)])
        zoneinfo.ZoneInfo.clear_cache()
        program_version.cache_clear()

    try:
        install("2000a", london)
        (site / "digest.toml").write_text('timezone = "Europe/London"\n')
        _build(site, monkeypatch)
        before = site.parent / "before"
        shutil.copytree(site / "public", before)
        install("2099z", tokyo)  # London keeps Tokyo's time from now on
        _build(site, monkeypatch)
        twin = _cold_twin(site, before)
        _build(twin, monkeypatch)
        built = _tree(site / "public")
        assert built == _tree(twin / "public")
        assert built["index.html"] != _tree(before)["index.html"]
    finally:
        zoneinfo.reset_tzpath()
        zoneinfo.ZoneInfo.clear_cache()
        program_version.cache_clear()


def test_new_libraries_load_every_file_again(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A new python-slugify or Markdown parser may make something else of the same file:
    # what loading made is keyed by digest's version and its libraries' (program_version).
    from digest import build

    # Written down in a file: files may be parsed in a forked helper or worker.
    log = site.parent / "prepared.log"
    original = build.prepare_files

    def counting(files: list[tuple[str, bytes]], *args: object) -> list[build.Prepared]:
        with log.open("a") as out:
            out.writelines(f"{rel}\n" for rel, _ in files)
        return original(files, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(build, "prepare_files", counting)
    _add(site)
    _build(site, monkeypatch)
    assert log.read_text().split() == ["late.md"]
    monkeypatch.setattr(build, "program_version", lambda: "a newer python-slugify")
    _edit(site)
    _build(site, monkeypatch)
    assert len(log.read_text().split()) == 1 + len(list((site / "content").iterdir()))


def test_a_build_into_another_folder_does_not_lend_its_pages_to_this_one(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cache is the site folder's, whatever the output: what it knows of the site
    # built into "elsewhere" must not be taken for what "public" holds.
    before = site.parent / "before"
    shutil.copytree(site / "public", before)
    _add(site)
    monkeypatch.chdir(site)
    assert main(["-q", "build", "--output", "elsewhere"]) == 0
    _build(site, monkeypatch)
    twin = _cold_twin(site, before)
    shutil.rmtree(twin / "elsewhere", ignore_errors=True)
    _build(twin, monkeypatch)
    assert _tree(site / "public") == _tree(twin / "public")
    assert _tree(site / "public") == _tree(site / "elsewhere")


def test_nothing_changed_leaves_the_site_untouched(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = site / "public" / "index.html"
    inode = index.stat().st_ino
    before = _tree(site / "public")
    _build(site, monkeypatch)
    assert _tree(site / "public") == before
    assert index.stat().st_ino == inode, "nothing was rewritten"


def test_unchanged_files_are_carried_over_as_hard_links(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = next((site / "public" / "2025" / "07" / "12").glob("moderate-earthquake*/index.html"))
    relative = story.relative_to(site / "public")
    inode = story.stat().st_ino
    _add(site)
    _build(site, monkeypatch)
    carried = site / "public" / relative
    assert carried.stat().st_ino == inode, "an unchanged page is the same file, not a copy"
    assert (site / "public" / "index.html").read_text().count(
        ">Ferry service resumes after storm</a>"
    ) == 1


def test_a_broken_cache_is_rebuilt_not_fatal(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _tree(site / "public")
    (site / ".digest-cache" / "cache.sqlite").write_bytes(b"not a database at all")
    for extra in ("cache.sqlite-wal", "cache.sqlite-shm"):
        (site / ".digest-cache" / extra).unlink(missing_ok=True)
    _build(site, monkeypatch)
    assert _tree(site / "public") == before
    # ... and made afresh: the next build finds it whole, and nothing to do.
    assert (site / ".digest-cache" / "cache.sqlite").read_bytes()[:16] == b"SQLite format 3\0"
    with sqlite3.connect(site / ".digest-cache" / "cache.sqlite") as db:
        assert db.execute("SELECT count(*) FROM loaded").fetchone()[0] > 0


def test_only_a_damaged_cache_is_made_afresh_and_only_by_the_build(tmp_path: Path) -> None:
    from digest.cache import Cache

    folder = tmp_path / ".digest-cache"
    folder.mkdir()
    (folder / "cache.sqlite").write_bytes(b"not a database at all")
    assert not Cache(folder, repair=False).usable  # a build's worker leaves it alone
    assert (folder / "cache.sqlite").read_bytes() == b"not a database at all"
    assert Cache(folder).usable
    other = tmp_path / "other"
    (other / "cache.sqlite").mkdir(parents=True)  # cannot be opened: not damaged
    (other / "cache.sqlite" / "keep.txt").write_text("mine")
    assert not Cache(other).usable
    assert (other / "cache.sqlite" / "keep.txt").read_text() == "mine"


def test_a_day_of_changes_equals_cold_builds(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Build after build, the site is made by updating the standby folder (the site of
    two builds ago) and folding by adding to the previous index: after each change it is
    byte-identical to a cold build from the same previous site."""
    late = site / "content" / "later.md"
    steps: list[Callable[[Path], None]] = [
        _add,
        lambda s: late.write_text(late_story("Bridge reopens", "The old bridge reopened")),
        _edit,
        _delete_a_copy,
        lambda s: late.write_text(late_story("Bridge reopens", "The old bridge reopened at dawn")),
        _template,
        lambda s: late.unlink(),
    ]
    for n, step in enumerate(steps):
        before = site.parent / f"before-{n}"
        shutil.copytree(site / "public", before)
        step(site)
        _build(site, monkeypatch)
        twin = _cold_twin(site, before)
        _build(twin, monkeypatch)
        assert _tree(site / "public") == _tree(twin / "public"), f"step {n}"
    assert (site / ".public.standby" / ".digest-site").is_file()


def late_story(title: str, opening: str) -> str:
    return (
        f"---\ntitle: {title}\ndate: 2025-07-14T20:00:00Z\nsource: Northern Wire\n---\n"
        f"{opening} on Monday after two years of repairs, the city council said, and traffic "
        "was flowing normally by the evening rush hour.\n"
    )


def test_a_standby_folder_of_unknown_state_is_checked_not_trusted(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(site)
    _build(site, monkeypatch)
    standby = site / ".public.standby"
    assert standby.is_dir()
    (standby / "index.html").write_text("tampered")
    (standby / "stray.html").write_text("not part of any site")
    # as a build killed while it updated the standby folder leaves it: state unknown
    with sqlite3.connect(site / ".digest-cache" / "cache.sqlite") as db:
        db.execute("DELETE FROM meta WHERE name='standby'")
    _edit(site)
    _build(site, monkeypatch)
    built = _tree(site / "public")
    assert b"tampered" not in built["index.html"]
    assert "stray.html" not in built


def test_a_link_planted_in_the_standby_folder_is_refused(
    site: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _add(site)
    _build(site, monkeypatch)
    standby = site / ".public.standby"
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(standby / "topics")
    (standby / "topics").symlink_to(outside)
    _edit(site)
    monkeypatch.chdir(site)
    assert main(["-q", "build"]) != 0
    assert not any(outside.iterdir()), "nothing was written through the link"


def test_a_long_build_reports_its_progress(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from digest.build import build
    from digest.config import parse_config

    content = tmp_path / "content"
    content.mkdir()
    for i in range(70):
        (content / f"{i:03}.md").write_text(
            f"---\ntitle: Story {i}\n---\nStory number {i} is told in words of its own, w{i}.\n"
        )
    seen: list[tuple[str, int, int]] = []
    report = build(
        parse_config({}, root=tmp_path),
        datetime(2025, 7, 14, tzinfo=UTC),
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    assert report.articles == 70
    assert seen[:2] == [("loading", 32, 70), ("loading", 64, 70)]


@pytest.mark.parametrize("overlap", [20_000, 0])
def test_parallel_loading_and_rendering_change_nothing(
    site: Path, monkeypatch: pytest.MonkeyPatch, overlap: int
) -> None:
    """Files parsed and story pages rendered in worker processes (begun before the other
    pages, or after them) give the same site (the thresholds are lowered so that this
    small site takes the parallel paths)."""
    import digest.build
    import digest.render

    serial = _tree(site / "public")
    twin = site.parent / "parallel"
    shutil.copytree(site, twin, ignore=shutil.ignore_patterns(".digest-cache", "public"))
    _add(site)
    _build(site, monkeypatch)
    monkeypatch.setattr(digest.build, "PARALLEL_MIN", 1)
    monkeypatch.setattr(digest.build, "SCAN_KEEP", 0)  # every file read again to load it
    monkeypatch.setattr(digest.render, "PARALLEL_PAGES", 1)
    monkeypatch.setattr(digest.render, "PAGE_CHUNK", 2)
    monkeypatch.setattr(digest.build, "OVERLAP_STORIES", overlap)
    monkeypatch.setattr(digest.halves, "cores", lambda: 2)
    pools: list[int] = []

    class CountedPool(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pools.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", CountedPool)
    _build(twin, monkeypatch)
    assert len(pools) == 2, "files were loaded and pages rendered by workers"
    assert _tree(twin / "public") == serial
    _add(twin)
    _build(twin, monkeypatch)  # bodies read back from the cache in the workers
    assert _tree(twin / "public") == _tree(site / "public")


def test_many_files_parsed_are_stored_by_a_thread_before_the_build_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past PARALLEL_MIN files parsed, their rows are stored by a thread while the build
    folds: every one is in the cache when the build returns, and the next build parses
    nothing."""
    import digest.build
    from digest.cache import Cache

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(digest.build, "PARALLEL_MIN", 2)
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    threads: list[str] = []
    store = Cache.store_loaded

    def storing(self: Cache, rows: Any) -> None:
        import threading

        threads.append(threading.current_thread().name)
        store(self, rows)

    monkeypatch.setattr(Cache, "store_loaded", storing)
    _build(site, monkeypatch)
    assert threads and set(threads) == {"digest-store"}
    files = [p for p in (site / "content").rglob("*") if p.is_file()]
    assert len(Cache(site / ".digest-cache").loaded_keys()) == len(files) > 2
    built = _tree(site / "public")
    shutil.rmtree(site / "public")  # built again from the cache, parsing nothing
    monkeypatch.setattr(digest.build, "prepare_files", _forbidden)
    _build(site, monkeypatch)
    assert _tree(site / "public") == built


def _forbidden(*args: object, **kwargs: object) -> None:
    raise AssertionError("a file was parsed again")


def test_without_a_thread_to_store_in_the_rows_are_stored_by_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process that may start no more threads still builds, and still caches."""
    import threading

    import digest.build
    from digest.cache import Cache

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(digest.build, "PARALLEL_MIN", 2)
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    start = threading.Thread.start

    def limited(self: threading.Thread) -> None:
        if self.name == "digest-store":
            raise RuntimeError("can't start new thread")
        start(self)

    monkeypatch.setattr(threading.Thread, "start", limited)
    _build(site, monkeypatch)
    files = [p for p in (site / "content").rglob("*") if p.is_file()]
    assert len(Cache(site / ".digest-cache").loaded_keys()) == len(files)


def test_a_failure_to_store_in_the_thread_fails_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What goes wrong in the storing thread (other than the cache's own failures, which
    it ignores) is not lost: the build fails with it, and the site is not published."""
    import digest.build
    from digest.cache import Cache

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(digest.build, "PARALLEL_MIN", 2)
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")

    def broken(self: Cache, rows: Any) -> None:
        import threading

        assert threading.current_thread().name == "digest-store"
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr(Cache, "store_loaded", broken)
    monkeypatch.chdir(site)
    with pytest.raises(RuntimeError, match="the disk caught fire"):
        main(["-q", "build"])
    assert not (site / "public").exists()


def test_a_build_killed_after_the_swap_leaves_no_false_record(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between swapping the new site in and storing what it holds, a build leaves
    a cache that trusts nothing of the site: the next build is still exact, even when it
    goes back to the inputs the cache last described."""
    from digest.cache import Cache

    before = _tree(site / "public")
    path = site / "content" / "2025-07-13-lakeside-observer-alpine-glacier-survey.md"
    original = path.read_text()
    _edit(site)

    def killed(self: Cache, *args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(Cache, "store_outputs", killed)
        monkeypatch.chdir(site)
        assert main(["-q", "build"]) == 130
    assert _tree(site / "public") != before, "the edited site was swapped in"
    path.write_text(original)
    _build(site, monkeypatch)
    assert _tree(site / "public") == before


@pytest.mark.parametrize(
    ("parallel", "template", "when"),
    [
        (True, "story.html", '"Ferry" in story.title'),  # in a page worker
        (False, "story.html", '"Ferry" in story.title'),  # in the build
        (True, "index.html", "not listing.page"),  # in the build, while page workers run
    ],
)
def test_a_page_that_fails_to_render_leaves_the_previous_site_whole(
    site: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    parallel: bool,
    template: str,
    when: str,
) -> None:
    """A page that fails (in a page worker, or in the build itself) stops the build with
    the template's name and line; page workers are stopped before the new site's folder
    is discarded, and the published site is as it was."""
    import digest.render

    before = _tree(site / "public")
    if parallel:
        monkeypatch.setattr(digest.render, "PARALLEL_PAGES", 1)
        monkeypatch.setattr(digest.render, "PAGE_CHUNK", 1)
        monkeypatch.setattr(digest.halves, "cores", lambda: 2)
    (site / "templates").mkdir()
    (site / "templates" / template).write_text(
        f'{{% extends "!default/{template}" %}}'
        f"{{% block title %}}{{{{ no_such_name if {when} else 'x' }}}}"
        "{% endblock %}"
    )
    _add(site)
    monkeypatch.chdir(site)
    capsys.readouterr()
    assert main(["-q", "build"]) == 1
    err = capsys.readouterr().err
    assert f"problem: templates/{template}: render: line 1: 'no_such_name' is undefined" in err
    assert "the previous site is left as it was" in err
    assert _tree(site / "public") == before
    # No folder of the failed build is left; the standby folder (made aside as the build
    # loaded, see build._standby_aside) stays, unvouched: its next use hashes its files.
    left = [p.name for p in site.iterdir() if p.name.startswith(".public")]
    assert left in ([], [".public.standby"])


def test_story_pages_made_by_workers_without_a_placer_are_the_same(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a publisher (``digest check``, ``Site.files``), workers send pages back a
    few tasks at a time, in order, and the files are those of the build's own process."""
    from datetime import UTC, datetime

    import digest.render
    from digest.build import make_site, read_all
    from digest.config import load_config
    from digest.identity import Identities

    config = load_config(None, {"content": str(site / "content"), "output": str(site / "out")})
    now = datetime(2025, 7, 15, tzinfo=UTC)
    serial = list(make_site(config, read_all(config), now, Identities()).files)
    monkeypatch.setattr(digest.render, "PARALLEL_PAGES", 1)
    monkeypatch.setattr(digest.render, "PAGE_CHUNK", 1)
    monkeypatch.setattr(digest.halves, "cores", lambda: 2)
    parallel = list(make_site(config, read_all(config), now, Identities()).files)
    assert sorted(parallel) == sorted(serial) and len(serial) > 20


def test_stories_json_and_sitemap_lines_are_kept_by_story_and_written_only_when_new(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache holds exactly the lines of the published stories.json and the story
    lines of sitemap.xml, one of each a story; a rebuild that adds a story writes its two
    lines alone and drops none that are still used."""
    from digest.cache import Cache
    from digest.feeds import SITEMAP_LINE

    def stored() -> tuple[dict[str, bytes], dict[str, bytes]]:
        cache = Cache(site / ".digest-cache")
        try:
            lines = cache.lines()
        finally:
            cache.close()
        stories = {k: v for k, v in lines.items() if not k.startswith(SITEMAP_LINE)}
        return stories, {k: v for k, v in lines.items() if k.startswith(SITEMAP_LINE)}

    def published() -> tuple[list[bytes], list[bytes]]:
        text = (site / "public" / "stories.json").read_bytes()
        stories = text.split(b"\n")[1:-2]  # "[", a line a story (each ending "," but the last), "]"
        sitemap = (site / "public" / "sitemap.xml").read_bytes().split(b"\n")
        pages = [line for line in sitemap if b"<lastmod>" in line][1:]  # the front page first
        return [line.rstrip(b",") for line in stories], pages

    def check() -> tuple[dict[str, bytes], dict[str, bytes]]:
        stories, pages = stored()
        shown_stories, shown_pages = published()
        assert sorted(stories.values()) == sorted(shown_stories)
        assert sorted(pages.values()) == sorted(shown_pages)
        assert {SITEMAP_LINE + k for k in stories} == set(pages)
        return stories, pages

    before = check()
    written: list[tuple[str, bytes]] = []
    real = Cache.store_lines

    def spy(self: Cache, lines: dict[str, bytes], old: dict[str, bytes]) -> None:
        written.extend((k, line) for k, line in lines.items() if k not in old)
        real(self, lines, old)

    monkeypatch.setattr(Cache, "store_lines", spy)
    _add(site)
    _build(site, monkeypatch)
    after = check()
    assert len(written) == 2, "one story's two lines"
    story_line = next(line for k, line in written if not k.startswith(SITEMAP_LINE))
    assert b"Ferry service resumes" in story_line
    for old, new in zip(before, after, strict=True):
        assert set(old) < set(new) and len(new) == len(old) + 1  # no other story changed


def test_only_the_feeds_a_new_story_enters_are_made_again(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A story tagged "transport" arrives: the site's feeds and the transport topic's
    are made again, every other topic's feed is kept as it was."""
    from digest import feeds

    before = _tree(site / "public")
    assert "topics/climate/rss.xml" in before, "another topic has feeds"
    made: list[str] = []

    def spying(kind: str) -> Callable[..., bytes]:
        original = getattr(feeds, kind)

        def spy(config: object, stories: object, now: object, place: feeds.FeedPlace, *rest: object) -> bytes:  # fmt: skip
            made.append(f"{place.folder or '.'}/{kind}")
            return original(config, stories, now, place, *rest)  # type: ignore[no-any-return]

        return spy

    monkeypatch.setattr(feeds, "rss", spying("rss"))
    monkeypatch.setattr(feeds, "atom", spying("atom"))
    _add(site)
    _build(site, monkeypatch)
    assert sorted(made) == ["./atom", "./rss", "topics/transport/atom", "topics/transport/rss"]
    after = _tree(site / "public")
    assert after["topics/climate/rss.xml"] == before["topics/climate/rss.xml"]
    assert after["rss.xml"] != before["rss.xml"]


def test_a_deleted_output_folder_leaves_the_standby_folder_unvouched(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The output folder deleted between builds: the next build publishes afresh and the
    standby folder (two builds old) is not taken for the site just replaced, so a later
    build that goes back to earlier text still shows it (found by review: the page kept
    the text of two builds before)."""
    path = site / "content" / "2025-07-13-lakeside-observer-alpine-glacier-survey.md"
    original = path.read_text()
    page = "Glaciers across the Alps"
    assert page in original

    def build_with(text: str) -> None:
        path.write_text(original.replace(page, text))
        _build(site, monkeypatch)

    build_with("Glaciers throughout the Alps")  # the first site becomes the standby folder
    shutil.rmtree(site / "public")
    build_with("Glaciers all over the Alps")
    build_with("Glaciers throughout the Alps")
    built = b"".join(_tree(site / "public").values())
    assert b"Glaciers throughout the Alps" in built
    assert page.encode() not in built


@pytest.mark.parametrize("collecting", [True, False])
def test_a_build_leaves_the_collector_as_it_found_it_and_its_index_written(
    site: Path, monkeypatch: pytest.MonkeyPatch, collecting: bool
) -> None:
    """The build turns the collector off while it runs and writes the folding index in a
    thread: once it returns, both are as they were and the index is whole on disk."""
    import gc

    from digest.cache import Cache
    from digest.foldindex import FoldIndex

    _add(site)
    was = gc.isenabled()
    try:
        if not collecting:
            gc.disable()
        _build(site, monkeypatch)
        assert gc.isenabled() is collecting
    finally:
        if was:
            gc.enable()
    kept = Cache(site / ".digest-cache").read_kept("fold")
    assert kept is not None
    index = FoldIndex.from_bytes(kept)
    assert index is not None and "late.md" in index.ids
    assert not list((site / ".digest-cache").glob(".fold.kept.*")), "no write left aside"


def test_a_failure_to_store_the_index_fails_the_build_and_leaves_nothing_aside(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folding index is stored by a thread; a failure there that is not the cache's
    own (those only make the next build slower) reaches the build, as it did when the
    build stored the index itself, and no half-written file is left behind."""
    import gc

    from digest.build import build
    from digest.cache import Cache
    from digest.config import load_config

    def broken_checksum(parts: object) -> int:
        raise RuntimeError("the checksum failed")

    keep = Cache.keep

    def keeping(self: Cache, name: str, data: Any) -> bool:
        """The fold index's store fails (in the helper that folded, whose failure the
        build raises); reading it back does not."""
        if name != "fold":
            return keep(self, name, data)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("digest.cache._checksum", broken_checksum)
            return keep(self, name, data)

    monkeypatch.setattr(Cache, "keep", keeping)
    monkeypatch.setattr(digest.halves, "cores", lambda: 2)
    started = _helpers(monkeypatch)
    monkeypatch.chdir(site)
    _add(site)
    config = load_config(None, {})
    now = datetime.fromtimestamp(int(EPOCH), UTC)
    with pytest.raises(RuntimeError, match="the checksum failed"):
        build(config, now)
    assert len(started) == 1, "the helper failed to keep it, then the build did"
    assert gc.isenabled()
    assert not list((site / ".digest-cache").glob(".fold.kept.*"))
    monkeypatch.undo()
    assert Cache(site / ".digest-cache").read_kept("fold") is not None


def test_stories_kept_from_the_last_build_are_the_stories_a_cold_build_makes(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild fills the shells of the stories whose copies did not change (see
    digest.shells) and makes only the others, and its site is a cold build's: with an
    undated story (dated when first built, ordered by the build's time), a copy joining
    an earlier story, and a later build time."""
    import digest.shells

    (site / "content" / "undated.txt").write_text(
        "Council opens night library\nThe city council opened its first night library on "
        "Sunday, with reading rooms staying open until two in the morning all week.\n"
    )
    _build(site, monkeypatch)
    filled: list[str] = []
    fill = digest.shells._fill

    def counting(shell: Any, group: Any, tz: Any) -> Any:
        story = fill(shell, group, tz)
        filled.append(story.id)
        return story

    monkeypatch.setattr(digest.shells, "_fill", counting)
    before = site.parent / "before"
    shutil.copytree(site / "public", before)
    _add(site)
    (site / "content" / "copy.txt").write_text(
        (site / "content" / "003_7ea263126d66c9a4.txt").read_text().replace("Sunday", "on Sunday")
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 3 * 3600))
    _build(site, monkeypatch)
    assert len(filled) >= 5, "the unchanged stories were kept"
    twin = _cold_twin(site, before)
    kept = len(filled)
    _build(twin, monkeypatch)
    assert len(filled) == kept, "a cold build has no shells"
    assert _tree(site / "public") == _tree(twin / "public")
    stories = json.loads((site / "public" / "stories.json").read_bytes())
    assert any(len(s["sources"]) == 3 for s in stories), "the copy joined its story"


def test_the_first_rebuild_finds_its_standby_folder_made_aside(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first rebuild after a cold build has no standby folder: one is made in a
    forked process while the build loads (build._standby_aside), and the new site is
    made in it, writing only what changed; the site is a cold build's."""
    import digest.publish

    monkeypatch.setattr(digest.halves, "cores", lambda: 2)
    assert not (site / ".public.standby").exists()
    fresh: list[bool] = []
    init = digest.publish._Writer.__init__

    def spying(self: Any, root: Path, **kwargs: bool) -> None:
        fresh.append(kwargs["fresh"])
        init(self, root, **kwargs)

    monkeypatch.setattr(digest.publish._Writer, "__init__", spying)
    before = site.parent / "before"
    shutil.copytree(site / "public", before)
    _add(site)
    _build(site, monkeypatch)
    assert fresh == [False], "the site was made in the standby folder"
    assert _tree(site / ".public.standby") == _tree(before), "the site replaced is the standby"
    twin = _cold_twin(site, before)
    _build(twin, monkeypatch)
    assert _tree(site / "public") == _tree(twin / "public")


def test_a_failed_first_rebuild_leaves_its_standby_folder_vouched_for(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first rebuild that fails (here under --strict) once its standby folder was made
    aside records the folder as holding the published site: the next build writes into
    it what changed, without hashing its every file first."""
    from digest import build, publish

    monkeypatch.setattr(digest.halves, "cores", lambda: 2)
    aside = build._standby_aside

    def made_first(*args: Any) -> Any:  # the folder is made before the build fails
        half = aside(*args)
        for _ in range(2000):
            if half is None or half.done():
                break
            time.sleep(0.005)
        return half

    monkeypatch.setattr(build, "_standby_aside", made_first)
    before = site.parent / "before"
    shutil.copytree(site / "public", before)
    broken = site / "content" / "broken.md"
    broken.write_text("---\ntitle: [never closed\n---\nA body.\n")
    monkeypatch.chdir(site)
    assert main(["-q", "build", "--strict"]) != 0
    assert _tree(site / "public") == _tree(before)
    assert _tree(site / ".public.standby") == _tree(before)

    hashed: list[Path] = []
    hash_tree = publish._hash_tree
    monkeypatch.setattr(publish, "_hash_tree", lambda root: hashed.append(root) or hash_tree(root))
    broken.unlink()
    _add(site)
    _build(site, monkeypatch)
    assert hashed == [], "the standby folder was trusted as recorded"
    twin = _cold_twin(site, before)
    _build(twin, monkeypatch)
    assert _tree(site / "public") == _tree(twin / "public")


def test_a_standby_folder_deleted_by_hand_is_made_aside_again_and_its_record_dropped(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache remembers the standby folder's hashes; deleting the folder (always
    safe) makes the next build make it aside from the published site, and never trust
    the remembered hashes for it: a page the change removes is gone."""
    monkeypatch.setattr(digest.halves, "cores", lambda: 2)
    _add(site)
    _build(site, monkeypatch)  # the cache now remembers a standby folder
    shutil.rmtree(site / ".public.standby")
    before = site.parent / "before"
    shutil.copytree(site / "public", before)
    _delete(site)
    _build(site, monkeypatch)
    twin = _cold_twin(site, before)
    _build(twin, monkeypatch)
    assert _tree(site / "public") == _tree(twin / "public")
    assert _tree(site / ".public.standby") == _tree(before)


def test_shells_are_kept_only_for_the_configuration_and_record_they_were_made_for(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from digest import build
    from digest.cache import CACHE_FOLDER, Cache
    from digest.config import load_config

    monkeypatch.chdir(site)
    config = load_config(None, {})
    cache = Cache(site / CACHE_FOLDER)
    try:
        _, record = build.identity_record(config)
        shells = build._kept_shells(config, cache, record)
        assert shells is not None and len(shells.by_group) == 6
        assert build._kept_shells(config, cache, record + b"\n") is None
        other = load_config(None, {"timezone": "Asia/Tokyo"})
        assert build._kept_shells(other, cache, record) is None
    finally:
        cache.close()


def _helpers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The process ids of the helpers builds start (see build._Folding.help)."""
    started: list[int] = []
    init = digest.halves.Helper.__init__

    def spying(self: Any, tasks: Any) -> None:
        init(self, tasks)
        started.append(self._pid)

    monkeypatch.setattr(digest.halves.Helper, "__init__", spying)
    return started


def _used_answers(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each folding the build asked its helper for was used (see Folded)."""
    import digest.build

    used: list[bool] = []
    of_articles = digest.build.Folded.of_articles

    def spying(self: Any, articles: Any) -> Any:
        found = of_articles(self, articles)
        used.append(found is not None)
        return found

    monkeypatch.setattr(digest.build.Folded, "of_articles", spying)
    return used


def _parsed_here(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many files each call of the build's own loading (not the helper's) was for."""
    import digest.build

    counts: list[int] = []
    load_rows = digest.build._load_rows

    def spying(jobs: Any, count: int, *args: Any) -> Any:
        counts.append(count)
        return load_rows(jobs, count, *args)

    monkeypatch.setattr(digest.build, "_load_rows", spying)
    return counts


def _equals_cold_build(site: Path, monkeypatch: pytest.MonkeyPatch, before: Path) -> None:
    """The site equals a cold build's from the same previous site (``before``), made
    with every patch undone."""
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    twin = _cold_twin(site, before)
    _build(twin, monkeypatch)
    assert _tree(site / "public") == _tree(twin / "public")


@pytest.mark.parametrize("change", ["add", "edit", "delete", "config"])
def test_a_rebuild_loads_and_folds_in_a_helper_and_its_site_is_a_cold_builds(
    change: str, site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild (the folding index kept) parses new files and folds in a forked helper
    while it reads the heads and the rest of the cache, and uses what the helper made;
    the helper is gone when the build returns, and the site is a cold build's, whether
    the folding could add to the index (a file added) or had to start again (a file
    edited or deleted, the settings changed)."""
    from digest.cache import Cache
    from digest.foldindex import FoldIndex

    monkeypatch.setattr(digest.halves, "cores", lambda: 2)
    started = _helpers(monkeypatch)
    used = _used_answers(monkeypatch)
    parsed_here = _parsed_here(monkeypatch)
    before = site.parent / "before"
    shutil.copytree(site / "public", before)
    CHANGES[change](site)
    _build(site, monkeypatch)
    assert len(started) == 1
    assert used == [True], "the helper's folding was used"
    assert parsed_here == [], "the helper parsed what there was to parse"
    with pytest.raises(ChildProcessError):  # waited for: no process left
        os.waitpid(started[0], os.WNOHANG)
    assert not list((site / ".digest-cache").glob(".fold.kept.*")), "no write left aside"
    index = FoldIndex.from_bytes(Cache(site / ".digest-cache").read_kept("fold") or b"")
    assert index is not None, "the helper kept the index before the build returned"
    assert ("late.md" in index.ids) is (change == "add")
    _equals_cold_build(site, monkeypatch, before)
    assert len(started) == 1, "a cold build (no index kept) has no helper"


class _TwoPartError(Exception):
    """Pickles, but does not unpickle (its arguments are not its args)."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} and {second}")


def _failing_unpicklably(*args: object) -> Any:
    raise _TwoPartError("expected an index", "found none")


def test_a_failure_to_keep_the_index_that_cannot_come_back_as_it_was_still_fails_the_build(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Told as a HalfFailed with its traceback, not taken for a helper that died."""
    import digest.build

    monkeypatch.setattr(digest.halves, "cores", lambda: 2)
    started = _helpers(monkeypatch)
    monkeypatch.setattr(digest.build._Folding, "_kept_aside", _failing_unpicklably)
    before = _tree(site / "public")
    _add(site)
    monkeypatch.chdir(site)
    assert main(["-q", "build"]) != 0
    assert len(started) == 1
    assert _tree(site / "public") == before, "nothing published"


def test_a_build_that_fails_while_the_helper_keeps_the_index_lets_it_finish(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index depends only on the articles: a build that fails after the helper
    answered its folding (here, making the sections) still leaves it kept, whole."""
    import digest.sections
    from digest.cache import Cache
    from digest.foldindex import FoldIndex

    def failing(*args: object) -> Any:
        raise RuntimeError("expected sections, found none")

    keep = Cache.keep

    def slow(self: Cache, name: str, data: Any) -> bool:
        if name == "fold":  # still writing when the build fails
            time.sleep(0.5)
        return keep(self, name, data)

    monkeypatch.setattr(digest.halves, "cores", lambda: 2)
    used = _used_answers(monkeypatch)
    monkeypatch.setattr(digest.sections, "make_sections", failing)
    monkeypatch.setattr(Cache, "keep", slow)
    _add(site)
    monkeypatch.chdir(site)
    with pytest.raises(RuntimeError, match="expected sections"):
        main(["-q", "build"])
    assert used == [True]
    index = FoldIndex.from_bytes(Cache(site / ".digest-cache").read_kept("fold") or b"")
    assert index is not None and "late.md" in index.ids
    assert not list((site / ".digest-cache").glob(".fold.kept.*")), "no write left aside"


def test_a_helper_that_fails_to_keep_the_index_fails_the_build_before_it_publishes(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The helper answers its folding first and keeps the index after; what goes wrong
    keeping it (but for the cache's own failures, which Cache.keep ignores) fails the
    build, as it did when the build kept the index itself, before anything is
    published; a helper that dies meanwhile only leaves the next build more to fold."""
    import digest.build

    monkeypatch.setattr(digest.halves, "cores", lambda: 2)
    started = _helpers(monkeypatch)
    used = _used_answers(monkeypatch)
    monkeypatch.setattr(digest.build._Folding, "_kept_aside", _failing)
    before = _tree(site / "public")
    _add(site)
    monkeypatch.chdir(site)
    with pytest.raises(RuntimeError, match="expected a bucket"):
        main(["-q", "build"])
    assert len(started) == 1 and used == [True]
    assert _tree(site / "public") == before, "nothing published"
    with pytest.raises(ChildProcessError):
        os.waitpid(started[0], os.WNOHANG)
    monkeypatch.setattr(digest.build._Folding, "_kept_aside", _dying)
    copy = site.parent / "before"
    shutil.copytree(site / "public", copy)
    _build(site, monkeypatch)
    assert len(started) == 2
    _equals_cold_build(site, monkeypatch, copy)


def _dying(*args: object) -> Any:
    os._exit(1)


def _failing(*args: object) -> Any:
    raise RuntimeError("expected a bucket, found none")


@pytest.mark.parametrize(
    ("task", "how"),
    [
        ("parse_missing", _dying),
        ("parse_missing", _failing),
        ("_fold_aside", _dying),
        ("_fold_aside", _failing),
    ],
)
def test_a_helper_that_fails_leaves_its_work_to_the_build(
    task: str, how: Callable[..., Any], site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the helper fails to do (it dies, or what it runs raises), the build does
    itself, and the site is the same; the folding index it keeps is whole."""
    import digest.build
    from digest.cache import Cache
    from digest.foldindex import FoldIndex

    monkeypatch.setattr(digest.halves, "cores", lambda: 2)
    started = _helpers(monkeypatch)
    parsed_here = _parsed_here(monkeypatch)
    owner = digest.build.Library if task == "parse_missing" else digest.build._Folding
    monkeypatch.setattr(owner, task, how)
    before = site.parent / "before"
    shutil.copytree(site / "public", before)
    _add(site)
    _build(site, monkeypatch)
    assert len(started) == 1
    assert parsed_here == ([1] if task == "parse_missing" else [])
    _equals_cold_build(site, monkeypatch, before)
    index = FoldIndex.from_bytes(Cache(site / ".digest-cache").read_kept("fold") or b"")
    assert index is not None and "late.md" in index.ids


def test_a_rebuild_with_many_new_files_parses_them_on_every_core_not_in_the_helper(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past PARALLEL_MIN new files, the helper is ended before the workers of every core
    parse them, and the build folds them itself."""
    import digest.build

    monkeypatch.setattr(digest.halves, "cores", lambda: 2)
    monkeypatch.setattr(digest.build, "PARALLEL_MIN", 2)
    started = _helpers(monkeypatch)
    used = _used_answers(monkeypatch)
    parsed_here = _parsed_here(monkeypatch)
    before = site.parent / "before"
    shutil.copytree(site / "public", before)
    _add(site)
    (site / "content" / "later.md").write_text(
        "---\ntitle: Bridge reopens\ndate: 2025-07-14T19:00:00Z\nsource: Harbour Gazette\n---\n"
        "The old bridge over the river reopened to traffic on Monday night after repairs.\n"
    )
    pools: list[int] = []
    pool = concurrent.futures.ProcessPoolExecutor.__init__

    def spying(self: Any, *args: Any, **kwargs: Any) -> None:
        with pytest.raises(ChildProcessError):  # the helper is gone before any worker
            os.waitpid(started[0], os.WNOHANG)
        pools.append(1)
        pool(self, *args, **kwargs)

    monkeypatch.setattr(concurrent.futures.ProcessPoolExecutor, "__init__", spying)
    _build(site, monkeypatch)
    assert len(started) == 1 and pools and parsed_here == [2] and used == []
    _equals_cold_build(site, monkeypatch, before)


def _add_another(site: Path) -> None:
    (site / "content" / "later.md").write_text(
        "---\ntitle: Council approves new cycle lanes\ndate: 2025-07-14T19:00:00Z\n"
        "source: Midland Courier\n---\nThe city council approved three new cycle lanes on "
        "Monday night after a two-hour debate.\n"
    )


def _heads_asked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many heads each read of the database's heads was for."""
    from digest.cache import Cache

    counts: list[int] = []
    heads = Cache.heads

    def spying(self: Cache, keys: Any, *args: Any) -> Any:
        keys = list(keys)
        counts.append(len(keys))
        return heads(self, keys, *args)

    monkeypatch.setattr(Cache, "heads", spying)
    return counts


def _heads_asked_adding_one(site: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many heads each read of the database's heads was for, in a rebuild after a
    file was added; the site it made is checked against a cold build's."""
    asked = _heads_asked(monkeypatch)
    before = site.parent / "before"
    shutil.copytree(site / "public", before)
    _add(site)
    _build(site, monkeypatch)
    counts = list(asked)
    _equals_cold_build(site, monkeypatch, before)
    return counts


def test_a_rebuild_s_helper_keeps_the_heads_and_the_next_build_reads_them_at_once(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The helper keeps a snapshot of every source's head (each as the database holds
    it) while the build renders; the next rebuild reads the heads from it, and from the
    database only the head of the file new since."""
    from digest.cache import Cache
    from digest.heads import load_head, load_snapshot, snapshot_head

    monkeypatch.setattr(digest.halves, "cores", lambda: 2)
    started = _helpers(monkeypatch)
    _add(site)
    _build(site, monkeypatch)
    assert len(started) == 1
    cache = Cache(site / ".digest-cache")
    try:
        kept = cache.read_kept("heads")
        assert kept is not None, "the helper kept the heads before the build returned"
        snapshot = load_snapshot(kept)
        stored = cache.heads(cache.loaded_keys(), load_head)
    finally:
        cache.close()
    heads = {k: snapshot_head(v) for k, v in snapshot.items()}
    assert heads == stored and len(heads) == 10  # every source's, the new one's too
    assert "late.md" in {head.path for head in heads.values()}
    asked = _heads_asked(monkeypatch)
    before = site.parent / "before"
    shutil.copytree(site / "public", before)
    _add_another(site)
    _build(site, monkeypatch)
    assert len(started) == 2
    assert asked == [1], "only the new file's head was read from the database"
    _equals_cold_build(site, monkeypatch, before)


@pytest.mark.parametrize(
    "snapshot", [b"not a pickle", pickle.dumps(["a", "list"]), "a head that is a number"]
)
def test_a_snapshot_of_heads_that_is_not_one_is_read_around(
    snapshot: bytes | str, site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the heads' snapshot holds, the build reads what it cannot use from the
    database, and its site is a cold build's."""
    from digest.cache import Cache

    cache = Cache(site / ".digest-cache")
    try:
        if isinstance(snapshot, str):  # every source's key, each with a number for head
            snapshot = pickle.dumps(dict.fromkeys(cache.loaded_keys(), 5))
        assert cache.keep("heads", snapshot)
    finally:
        cache.close()
    asked = _heads_asked_adding_one(site, monkeypatch)
    assert asked == [10], "every head was read from the database"


@pytest.mark.parametrize("how", [_dying, _failing])
def test_a_helper_that_fails_to_keep_the_heads_fails_nothing(
    how: Callable[..., Any], site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The snapshot only saves the next build time: its failure is not the build's."""
    import digest.build

    monkeypatch.setattr(digest.halves, "cores", lambda: 2)
    started = _helpers(monkeypatch)
    used = _used_answers(monkeypatch)
    asked = site.parent / "asked"

    def keep_heads(*args: object) -> None:  # in the helper: told by a file
        asked.touch()
        how(*args)

    monkeypatch.setattr(digest.build.Library, "keep_heads", keep_heads)
    before = site.parent / "before"
    shutil.copytree(site / "public", before)
    _add(site)
    _build(site, monkeypatch)
    assert len(started) == 1 and used == [True]
    with pytest.raises(ChildProcessError):
        os.waitpid(started[0], os.WNOHANG)
    assert asked.exists(), "the helper was asked to keep the heads"
    assert not (site / ".digest-cache" / "heads.kept").exists()
    _equals_cold_build(site, monkeypatch, before)


def test_a_head_of_the_snapshot_that_cannot_be_read_is_read_from_the_database(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the database's own heads, one of the snapshot that fails to read (here, dated
    in a zone this machine does not know) fails nothing: the database is asked for it,
    and the snapshot's other heads are used."""
    from digest.cache import Cache
    from digest.heads import dump_snapshot, load_head

    cache = Cache(site / ".digest-cache")
    try:
        rows = cache.heads(cache.loaded_keys(), bytes)
        snapshot = dict(pickle.loads(dump_snapshot(rows.items())))
        broken = next(k for k, v in snapshot.items() if isinstance(v, tuple) and v[1])
        path, articles, problems, updated = snapshot[broken]
        article = list(articles[0])
        article[6] = ("z", "2025-07-14T09:00:00", 0, "Nowhere/Atlantis")  # published
        snapshot[broken] = (path, (tuple(article), *articles[1:]), problems, updated)
        assert cache.keep("heads", pickle.dumps(snapshot))
        assert load_head(rows[broken])  # the database's head of it reads
    finally:
        cache.close()
    asked = _heads_asked_adding_one(site, monkeypatch)
    assert asked == [2], "the broken head and the new file's were read from the database"


def test_a_file_deleted_and_put_back_is_parsed_again_not_taken_from_the_snapshot(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleting a file drops its entry from the database; the snapshot, which still held
    its head, is forgotten with it, so the file put back is parsed (and stored) again."""
    monkeypatch.setattr(digest.halves, "cores", lambda: 2)
    _add(site)
    _build(site, monkeypatch)  # the helper keeps the snapshot
    kept = site / ".digest-cache" / "heads.kept"
    assert kept.exists()
    gone = site / "content" / "2025-07-14-midland-courier-battery-train-trial.md"
    text = gone.read_bytes()
    gone.unlink()
    monkeypatch.setattr(digest.halves, "cores", lambda: 1)  # no helper: no new snapshot
    _build(site, monkeypatch)
    assert not kept.exists()
    gone.write_bytes(text)
    parsed_here = _parsed_here(monkeypatch)
    before = site.parent / "before"
    shutil.copytree(site / "public", before)
    _build(site, monkeypatch)
    assert parsed_here == [1]
    _equals_cold_build(site, monkeypatch, before)


def test_a_rebuild_leaves_no_trash_and_its_helper_empties_it(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files the standby folder's new ones replace go into the trash beside the
    site, which the helper deletes once the site is published."""
    import digest.build

    monkeypatch.setattr(digest.halves, "cores", lambda: 2)
    emptied: list[bool] = []
    empty = digest.build._Folding.empty

    def spying(self: Any, trash: Path) -> bool:
        emptied.append(empty(self, trash))
        return emptied[-1]

    monkeypatch.setattr(digest.build._Folding, "empty", spying)
    before = site.parent / "before"
    for change in (_add, _add_another):  # the second one has a standby folder to update
        shutil.rmtree(before, ignore_errors=True)
        shutil.copytree(site / "public", before)
        change(site)
        _build(site, monkeypatch)
        assert not (site / ".public.trash").exists()
    assert emptied == [True], "the second build's helper emptied its trash"
    _equals_cold_build(site, monkeypatch, before)
