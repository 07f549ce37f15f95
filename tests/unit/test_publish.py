"""Tests for digest.publish: all-or-nothing writing, files placed by other processes, and
the writer's refusals (a file or link where a new file goes, a folder made twice)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest

from digest.errors import PublishError
from digest.publish import (
    MARKER,
    CarryError,
    Placed,
    Placer,
    _Writer,
    file_hash,
    make_standby,
    publish,
    standby_folder,
    trash_folder,
)

P = PurePosixPath


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MARKER
    }


def test_a_mapping_is_published_whole_with_its_hashes(tmp_path: Path) -> None:
    out = tmp_path / "public"
    files = {P("index.html"): b"<p>front</p>", P("2025/07/a/index.html"): b"<p>a</p>"}
    count, hashes = publish(files, out)
    assert count == 2
    assert _tree(out) == {"index.html": b"<p>front</p>", "2025/07/a/index.html": b"<p>a</p>"}
    assert hashes == {
        "index.html": file_hash(b"<p>front</p>"),
        "2025/07/a/index.html": file_hash(b"<p>a</p>"),
    }
    assert (out / MARKER).is_file()


def _place_in_child(placer: Placer, rel: PurePosixPath, data: bytes) -> None:
    placer.place(rel, data)


def test_files_placed_by_a_forked_process_are_part_of_the_site(tmp_path: Path) -> None:
    """A page worker writes with a copy of the publisher's placer; the publisher is given
    only the hash (``Placed``)."""
    out = tmp_path / "public"
    context = multiprocessing.get_context("fork")

    def files(placer: Placer) -> Iterator[tuple[PurePosixPath, bytes | Placed]]:
        child = context.Process(
            target=_place_in_child, args=(placer, P("2025/07/b/index.html"), b"<p>b</p>")
        )
        child.start()
        child.join()
        assert child.exitcode == 0
        yield P("index.html"), b"<p>front</p>"
        yield P("2025/07/b/index.html"), Placed(file_hash(b"<p>b</p>"))

    count, hashes = publish(files, out)
    assert count == 2
    assert _tree(out) == {"index.html": b"<p>front</p>", "2025/07/b/index.html": b"<p>b</p>"}
    assert hashes["2025/07/b/index.html"] == file_hash(b"<p>b</p>")


def test_unchanged_files_are_linked_from_the_published_site(tmp_path: Path) -> None:
    out = tmp_path / "public"
    _, first = publish({P("a/index.html"): b"same", P("b/index.html"): b"old"}, out)
    before = (out / "a" / "index.html").stat().st_ino
    publish({P("a/index.html"): b"same", P("b/index.html"): b"new"}, out, first)
    assert (out / "a" / "index.html").stat().st_ino == before  # the same file, linked
    assert _tree(out) == {"a/index.html": b"same", "b/index.html": b"new"}


@pytest.mark.parametrize("harm", ["none", "gone", "link", "folder"])
def test_carried_pages_are_linked_only_when_they_are_the_previous_site_s_files(
    tmp_path: Path, harm: str
) -> None:
    out = tmp_path / "public"
    _, first = publish({P("a/index.html"): b"kept", P("b/index.html"): b"old"}, out)
    before = (out / "a" / "index.html").stat().st_ino
    page = out / "a" / "index.html"
    if harm != "none":
        page.unlink()
    if harm == "link":
        page.symlink_to(out / "b" / "index.html")
    elif harm == "folder":
        page.mkdir()
    files = {P("b/index.html"): b"new"}
    if harm == "none":  # no standby folder yet: every carried file is linked afresh
        publish(files, out, first, carried=["a/index.html"])
        assert (out / "a" / "index.html").stat().st_ino == before
        assert _tree(out) == {"a/index.html": b"kept", "b/index.html": b"new"}
    else:
        with pytest.raises(CarryError, match="expected the previous site's page"):
            publish(files, out, first, carried=["a/index.html"])


@pytest.mark.parametrize("second", [b"<p>again</p>", Placed(file_hash(b"x"))])
def test_a_path_given_twice_is_refused_and_the_old_site_stays(
    tmp_path: Path, second: bytes | Placed
) -> None:
    out = tmp_path / "public"
    publish({P("index.html"): b"old"}, out)

    def files(placer: Placer) -> Iterator[tuple[PurePosixPath, bytes | Placed]]:
        yield P("index.html"), b"new"
        yield P("index.html"), second

    with pytest.raises(PublishError, match=r"refusing to write 'index\.html' twice"):
        publish(files, out)
    assert _tree(out) == {"index.html": b"old"}
    assert [p.name for p in tmp_path.iterdir()] == ["public"]  # nothing left behind


def test_a_fresh_folder_refuses_a_file_already_where_a_new_one_goes(tmp_path: Path) -> None:
    writer = _Writer(tmp_path, fresh=True)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_bytes(b"planted")
    with pytest.raises(PublishError, match="expected a new file, found something there"):
        writer.write(P("a/index.html"), b"page")
    os.symlink(tmp_path / "elsewhere", tmp_path / "a" / "link.html")
    with pytest.raises(PublishError, match="expected a new file"):
        writer.write(P("a/link.html"), b"page")
    assert not (tmp_path / "elsewhere").exists()


def test_a_folder_another_writer_made_first_is_used(tmp_path: Path) -> None:
    """Two forked workers may make the same day's folder at once."""
    first, second = _Writer(tmp_path, fresh=True), _Writer(tmp_path, fresh=True)
    first.write(P("2025/07/a/index.html"), b"a")
    second.write(P("2025/07/b/index.html"), b"b")
    assert _tree(tmp_path) == {"2025/07/a/index.html": b"a", "2025/07/b/index.html": b"b"}


@pytest.mark.parametrize("fresh", [True, False])
def test_a_link_where_a_folder_goes_is_refused(tmp_path: Path, fresh: bool) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (tmp_path / "2025").symlink_to(outside)
    with pytest.raises(PublishError, match="expected a folder, found a link"):
        _Writer(tmp_path, fresh=fresh).write(P("2025/07/a/index.html"), b"page")
    assert list(outside.iterdir()) == []


def _site_with(tmp_path: Path, files: dict[str, bytes]) -> tuple[Path, dict[str, str]]:
    site = tmp_path / "public"
    count, hashes = publish({PurePosixPath(k): v for k, v in files.items()}, site)
    assert count == len(files)
    return site, hashes


def test_make_standby_links_every_file_of_the_site_into_the_standby_folder(tmp_path: Path) -> None:
    site, hashes = _site_with(tmp_path, {"index.html": b"front", "2025/07/a/index.html": b"a"})
    assert make_standby(site, hashes)
    spare = standby_folder(site)
    for name in (*hashes, MARKER):
        assert (spare / name).stat().st_ino == (site / name).stat().st_ino
    assert sorted(
        p.relative_to(spare).as_posix() for p in spare.rglob("*") if p.is_file()
    ) == sorted([*hashes, MARKER])
    assert not make_standby(site, hashes), "never over a standby folder already there"
    # Used by the next publish, which replaces only what changed.
    count, _ = publish(
        {PurePosixPath("index.html"): b"new front"}, site, hashes, [], standby=hashes
    )
    assert count == 1
    assert (site / "index.html").read_bytes() == b"new front"
    assert not (site / "2025").exists()


@pytest.mark.parametrize("spoil", ["missing", "link", "folder"])
def test_make_standby_leaves_nothing_when_the_site_is_not_as_recorded(
    tmp_path: Path, spoil: str
) -> None:
    site, hashes = _site_with(tmp_path, {"index.html": b"front", "2025/07/a/index.html": b"a"})
    page = site / "2025" / "07" / "a" / "index.html"
    page.unlink()
    if spoil == "link":
        page.symlink_to(site / "index.html")
    elif spoil == "folder":
        page.mkdir()
    assert not make_standby(site, hashes)
    assert [p.name for p in tmp_path.iterdir()] == ["public"]


def test_the_standby_writer_makes_every_file_anew_and_moves_the_old_into_the_trash(
    tmp_path: Path,
) -> None:
    """A reader still holding a file of an earlier site reads it whole: the standby
    writer never writes into a file. The file a new one replaces goes into the trash
    when no other name links to it; one shared with the published site is unlinked,
    the published file left as it was."""
    published, standby, trash = tmp_path / "public", tmp_path / "standby", tmp_path / "trash"
    published.mkdir()
    standby.mkdir()
    (standby / "own.html").write_bytes(b"a long old page")
    (published / "shared.html").write_bytes(b"published")
    os.link(published / "shared.html", standby / "shared.html")
    writer = _Writer(standby, trash=trash)
    with (standby / "own.html").open("rb") as reader:
        writer.write(P("own.html"), b"short")
        writer.write(P("shared.html"), b"new")
        assert reader.read() == b"a long old page"
    assert _tree(standby) == {"own.html": b"short", "shared.html": b"new"}
    assert (published / "shared.html").read_bytes() == b"published"
    assert (published / "shared.html").stat().st_nlink == 1
    assert [p.read_bytes() for p in trash.iterdir()] == [b"a long old page"]
    writer.remove(P("own.html"))
    assert _tree(standby) == {"shared.html": b"new"}
    assert sorted(p.read_bytes() for p in trash.iterdir()) == [b"a long old page", b"short"]


def test_the_standby_writer_replaces_a_pipe_without_opening_it(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "index.html")
    _Writer(tmp_path, trash=tmp_path.parent / f"{tmp_path.name}-trash").write(
        P("index.html"), b"page"
    )  # opened to write, the pipe would wait for a reader
    assert (tmp_path / "index.html").read_bytes() == b"page"


def test_the_standby_writer_links_over_a_file_and_refuses_a_symbolic_link(
    tmp_path: Path,
) -> None:
    published, standby = tmp_path / "public", tmp_path / "standby"
    published.mkdir()
    standby.mkdir()
    (published / "a.html").write_bytes(b"published")
    (standby / "a.html").write_bytes(b"older")
    writer = _Writer(standby, trash=tmp_path / "trash")
    assert writer.link(published / "a.html", "a.html", 9)
    assert (standby / "a.html").stat().st_ino == (published / "a.html").stat().st_ino
    assert not writer.link(published / "a.html", "a.html", 3)  # not the size expected
    (standby / "b.html").symlink_to(published / "a.html")
    with pytest.raises(PublishError, match="a link is in its place"):
        writer.write(P("b.html"), b"page")
    assert (published / "a.html").read_bytes() == b"published"
    assert [p.read_bytes() for p in (tmp_path / "trash").iterdir()] == [b"older"]


@pytest.mark.parametrize("emptied", [True, False])
def test_the_trash_is_emptied_once_the_site_is_published_here_or_by_whom_asked(
    tmp_path: Path, emptied: bool
) -> None:
    out = tmp_path / "public"
    _, first = publish({P("a/index.html"): b"one"}, out)
    _, second = publish({P("a/index.html"): b"two"}, out, first)  # the standby made
    asked: list[Path] = []

    def empty(folder: Path) -> bool:
        assert (out / "a" / "index.html").read_bytes() == b"three", "after the swap"
        asked.append(folder)
        return emptied

    publish({P("a/index.html"): b"three"}, out, second, standby=first, empty=empty)
    trash = trash_folder(out)
    assert asked == [trash]
    if emptied:  # left for whom was asked
        assert [p.read_bytes() for p in trash.iterdir()] == [b"one"]
    else:
        assert not trash.exists()
    # A trash left behind (its emptying asked for, and not done) is deleted by the next
    # publishing before it writes: this one's holds only what it replaced.
    (trash / "left").mkdir(parents=True, exist_ok=True)
    third = {"a/index.html": file_hash(b"three")}
    publish({P("a/index.html"): b"four"}, out, third, standby=second, empty=lambda _: True)
    assert [p.read_bytes() for p in trash.iterdir()] == [b"two"]
    assert _tree(out) == {"a/index.html": b"four"}


@pytest.mark.parametrize("planted", ["link", "file"])
def test_a_trash_that_is_no_folder_of_ours_is_deleted_not_used(
    tmp_path: Path, planted: str
) -> None:
    out = tmp_path / "public"
    _, first = publish({P("a/index.html"): b"one"}, out)
    _, second = publish({P("a/index.html"): b"two"}, out, first)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    trash = trash_folder(out)
    if planted == "link":
        trash.symlink_to(elsewhere)
    else:
        trash.write_bytes(b"planted")
    publish({P("a/index.html"): b"three"}, out, second, standby=first)
    assert _tree(out) == {"a/index.html": b"three"}
    assert list(elsewhere.iterdir()) == [] and not os.path.lexists(trash)


def test_a_standby_folder_that_cannot_be_read_is_moved_aside_and_a_new_one_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import digest.publish

    out = tmp_path / "public"
    _, first = publish({P("a/index.html"): b"one"}, out)
    _, second = publish({P("a/index.html"): b"two"}, out, first)

    def unreadable(root: Path) -> dict[str, str]:
        raise PermissionError(13, "Permission denied", os.fspath(root / "a"))

    monkeypatch.setattr(digest.publish, "_hash_tree", unreadable)
    replaced: list[bool] = []
    publish({P("a/index.html"): b"three"}, out, second, after_swap=replaced.append)
    assert _tree(out) == {"a/index.html": b"three"}
    assert replaced == [True], "the site replaced is the standby folder now"
    assert _tree(standby_folder(out)) == {"a/index.html": b"two"}
    assert len(list(tmp_path.glob(".public.old-*"))) == 1, "the unreadable one, aside"
    monkeypatch.undo()
    publish({P("a/index.html"): b"four"}, out, {"a/index.html": file_hash(b"three")})
    assert not list(tmp_path.glob(".public.old-*")), "deleted by the next publishing"


def test_the_standby_writer_never_removes_through_a_link_planted_for_a_folder(
    tmp_path: Path,
) -> None:
    published, standby = tmp_path / "public", tmp_path / "standby"
    (published / "a").mkdir(parents=True)
    (published / "a" / "index.html").write_bytes(b"published")
    standby.mkdir()
    (standby / "a").symlink_to(published / "a")
    (standby / "b").mkdir()
    writer = _Writer(standby, trash=tmp_path / "trash")
    with pytest.raises(PublishError, match=r"expected a folder at .*, found a link"):
        writer.remove(P("a/index.html"))
    writer.remove(P("b"))  # a folder now where the standby folder had a file: the new site's
    assert (standby / "b").is_dir()
    assert (published / "a" / "index.html").read_bytes() == b"published"


def test_a_standby_folder_not_vouched_for_is_hashed_and_what_is_no_file_deleted(
    tmp_path: Path,
) -> None:
    """Reading a pipe would wait for a writer: what is not a plain file in a standby
    folder whose files are not known is deleted, not read (nor published)."""
    out = tmp_path / "public"
    _, first = publish({P("a/index.html"): b"one", P("b/index.html"): b"b"}, out)
    _, second = publish({P("a/index.html"): b"two", P("b/index.html"): b"b"}, out, first)
    spare = standby_folder(out)
    os.mkfifo(spare / "a" / "pipe")
    (spare / "link").symlink_to(out)
    (spare / "b" / "index.html").write_bytes(b"changed while no one watched")
    publish({P("a/index.html"): b"three", P("b/index.html"): b"b"}, out, second)
    assert _tree(out) == {"a/index.html": b"three", "b/index.html": b"b"}
    assert not (out / "link").is_symlink()


def test_a_file_that_becomes_a_folder_and_back_is_published_through_the_standby_folder(
    tmp_path: Path,
) -> None:
    """The standby folder holds the site before last: a name that was a file there and
    is a folder now (or the reverse) is moved out of the way, never a failure that
    every later build repeats."""
    out = tmp_path / "public"
    sites = [
        {P("downloads"): b"a file", P("index.html"): b"1"},
        {P("downloads"): b"a file", P("index.html"): b"2"},
        {P("downloads/a.pdf"): b"pdf", P("index.html"): b"3"},
        {P("downloads/a.pdf"): b"pdf", P("index.html"): b"4"},
        {P("downloads"): b"a file again", P("index.html"): b"5"},
    ]
    hashes: dict[str, str] = {}
    standby: dict[str, str] | None = None
    for files in sites:
        _, made = publish(files, out, hashes, standby=standby)
        standby, hashes = (hashes or None), made
        assert _tree(out) == {k.as_posix(): v for k, v in files.items()}
    assert not trash_folder(out).exists()


def test_a_pipe_named_as_the_trash_is_deleted_not_opened(tmp_path: Path) -> None:
    out = tmp_path / "public"
    _, first = publish({P("a/index.html"): b"one"}, out)
    _, second = publish({P("a/index.html"): b"two"}, out, first)
    os.mkfifo(trash_folder(out))  # opened to be deleted as a folder, it would wait
    publish({P("a/index.html"): b"three"}, out, second, standby=first)
    assert _tree(out) == {"a/index.html": b"three"}
    assert not os.path.lexists(trash_folder(out))
