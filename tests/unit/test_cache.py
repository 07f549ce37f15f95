"""The cache's records of the published site and the content files: kept whole, known
only once kept, and read back as exactly what was stored."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.cache import Cache

paths = st.dictionaries(st.sampled_from([f"p{i}" for i in range(12)]), st.sampled_from("abc"))


def _kept(folder: Path, name: str) -> object:
    return Cache(folder)._record(name)


@settings(max_examples=60, deadline=None)
@given(before=paths, after=paths)
def test_outputs_stored_read_back_whole(before: dict[str, str], after: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        cache = Cache(folder)
        cache.store_outputs({"stale": "x", **before})
        cache.store_outputs(before)
        assert cache.outputs() == before
        cache.store_outputs(after)
        assert cache.outputs() == after
        assert _kept(folder, "outputs") == after
        cache.close()


def test_outputs_that_could_not_be_kept_are_not_known(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path)
    cache.store_outputs({"a": "1"})
    monkeypatch.setattr(Cache, "keep", lambda self, name, data: False)
    cache.store_outputs({"a": "2"})
    assert cache.outputs() is None, "the record kept describes a site before"


def test_outputs_are_not_rewritten_while_still_said_to_be_known(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path)
    cache.store_outputs({"a": "1"})
    monkeypatch.setattr(Cache, "_forget", lambda self, names: False)
    cache.store_outputs({"a": "2"})
    assert cache.outputs() == {"a": "1"}, "known and kept stay together"


def test_outputs_not_known_until_stored(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    assert cache.outputs() is None
    cache.store_outputs({})
    assert cache.outputs() == {}
    cache.store_outputs({"index.html": "h1", "a/index.html": "h2"})
    cache.forget_site()
    assert cache.outputs() is None, "forgotten: the record describes the site before the swap"
    assert _kept(tmp_path, "outputs") == {"index.html": "h1", "a/index.html": "h2"}


def test_standby_is_taken_once(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    assert cache.take_standby() is None
    cache.store_outputs({"a": "1"}, "standby")
    assert cache.take_standby() == {"a": "1"}
    assert cache.take_standby() is None
    cache.store_outputs({"b": "2"}, "standby")
    assert cache.outputs("standby") == {"b": "2"}
    assert cache.outputs() is None


def test_file_index_stored_and_read_back(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    first = {"a.md": (1, 2, 3, 4, "k1"), "b.md": (5, 6, 7, 8, "k2")}
    cache.store_files(first, cache.files())
    assert cache.files() == first
    second = {"b.md": (5, 6, 7, 9, "k3"), "c.md": (1, 1, 1, 1, "k4")}
    cache.store_files(second, first)
    assert cache.files() == second
    cache.store_files({}, None)
    assert cache.files() == {}


def test_loaded_rows_no_file_needs_are_dropped(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.store_loaded([(k, b"h", b"b", b"p") for k in ("k1", "k2", "k3")])
    cache.forget_loaded_except(["k2", "k9"])
    with sqlite3.connect(tmp_path / "cache.sqlite") as db:
        assert [k for (k,) in db.execute("SELECT key FROM loaded")] == ["k2"]


def test_a_closed_cache_keeps_nothing(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.close()
    cache.store_outputs({"a": "1"})
    cache.store_files({"a.md": (1, 2, 3, 4, "k")})
    assert cache.outputs() is None
    assert cache.files() is None


def test_kept_values_read_back_only_when_whole(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    assert cache.read_kept("fold") is None
    cache.keep("fold", b"index" * 1000)
    assert cache.read_kept("fold") == b"index" * 1000
    assert [p.name for p in tmp_path.iterdir() if "fold" in p.name] == ["fold.kept"]
    path = tmp_path / "fold.kept"
    whole = path.read_bytes()
    path.write_bytes(whole[:-1])  # torn
    assert cache.read_kept("fold") is None
    path.write_bytes(whole[:-1] + b"X")  # same length, other bytes
    assert cache.read_kept("fold") is None
    path.write_bytes(whole)
    assert cache.read_kept("fold") == b"index" * 1000


def test_what_a_killed_process_left_half_written_goes_with_the_next_keep(
    tmp_path: Path,
) -> None:
    """A process killed while it kept a file (a build's helper, ended when the build
    failed) leaves ``.fold.kept.<its id>``; the next keep of that name deletes it, but
    never what a live process is writing, nor anything else, and no name there fails it."""
    import subprocess
    import sys

    cache = Cache(tmp_path)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = tmp_path / f".fold.kept.{gone}"
        live = tmp_path / f".fold.kept.{writer.pid}"
        other = tmp_path / f".files.kept.{gone}"
        odd = [tmp_path / f".fold.kept.{name}" for name in ("²", "99999999999999999999", "x")]
        for path in (dead, live, other, *odd):
            path.write_bytes(b"half an index")
        (tmp_path / f".fold.kept.{gone}0").mkdir()  # not a file: left alone
        assert cache.keep("fold", b"index")
        assert not dead.exists()
        assert live.exists() and other.exists(), "a live writer's, and another name's, stay"
        assert all(path.exists() for path in odd)
        assert (tmp_path / f".fold.kept.{gone}0").is_dir()
        assert cache.read_kept("fold") == b"index"
    finally:
        writer.kill()
        writer.wait()


def test_kept_values_go_with_an_old_schema(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.keep("fold", b"index")
    cache.close()
    with sqlite3.connect(tmp_path / "cache.sqlite") as db:
        db.execute("UPDATE meta SET value = 'old' WHERE name = 'schema'")
    assert Cache(tmp_path).read_kept("fold") is None
    assert not (tmp_path / "fold.kept").exists()


def test_articles_read_back_from_the_cache_equal_with_every_field() -> None:
    import dataclasses
    import pickle
    from datetime import UTC, datetime

    from digest.cache import dumps
    from digest.load import Loaded
    from digest.model import Article, Block, Problem

    article = Article(
        "id",
        "a.md",
        "Outlet",
        "Title",
        dek="Dek",
        url="https://example.com/a",
        published=datetime(2025, 7, 14, 12, tzinfo=UTC),
        tags=("x", "y"),
        blocks=(Block("h2", "Sub", "Sub"), Block("p", "One two.", "One <b>two</b>.")),
        summary_override=("Given.",),
        draft=True,
        slug="slug",
        summary=("One two.",),
        sentences=(("One two.",),),
        stub_words=2,
        title_slug="title",
    )
    defaults = Article("i", "p", "o", "t")
    assert all(
        getattr(article, f.name) != getattr(defaults, f.name) for f in dataclasses.fields(Article)
    ), "every field differs from its default, so a field left out of pickling shows"
    loaded = Loaded("a.md", (article,), (Problem("a.md", "load", "m"),), (None,))
    assert pickle.loads(dumps(loaded)) == loaded


texts = st.lists(st.text(alphabet="a\0:1", max_size=3), max_size=4)


@given(a=texts, b=texts)
def test_text_keys_of_different_lists_differ(a: list[str], b: list[str]) -> None:
    from digest.cache import text_key

    assert (text_key(a) == text_key(b)) == (a == b)


def test_a_value_kept_in_parts_reads_back_whole(tmp_path: Path) -> None:
    import numpy as np

    cache = Cache(tmp_path)
    array = np.arange(5, dtype=np.uint64)
    cache.keep("fold", [b"head", memoryview(array).cast("B"), b""])
    assert cache.read_kept("fold") == b"head" + array.tobytes()


def test_heads_read_by_key_or_by_scanning_are_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pickle

    from digest import cache as cache_module

    cache = Cache(tmp_path)
    cache.store_loaded([(f"k{n}", pickle.dumps(n), b"b", b"p") for n in range(30)])
    cache.store_loaded([("broken", b"not a pickle", b"b", b"p")])
    wanted = [f"k{n}" for n in range(0, 40, 2)] + ["broken"]
    by_key = cache.heads(wanted)
    monkeypatch.setattr(cache_module, "SCAN_ROWS", 1)
    assert cache.heads(wanted) == by_key == {f"k{n}": n for n in range(0, 30, 2)}
