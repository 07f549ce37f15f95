"""Publishing: every file is written into a new folder beside the output, then swapped in.

Readers (and a web server) see either the whole previous site or the whole new one. On
Linux the swap is one ``renameat2(RENAME_EXCHANGE)`` call; elsewhere two renames, with
the previous site kept until the new one is in place. Python has no binding for
renameat2, hence the few lines of ctypes.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from stat import S_ISDIR, S_ISREG

from digest.errors import PublishError
from digest.model import is_plain_path

MARKER = ".digest-site"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def safe_target(root: Path, rel: PurePosixPath) -> Path:
    """``root / rel``, refusing any path that would land outside ``root``.

    >>> safe_target(Path("/site"), PurePosixPath("2025/07/a/index.html")).as_posix()
    '/site/2025/07/a/index.html'
    >>> safe_target(Path("/site"), PurePosixPath("../etc/passwd"))
    Traceback (most recent call last):
    ...
    digest.errors.PublishError: refusing to write '../etc/passwd': expected a path inside the output folder
    """
    if (
        rel.is_absolute()
        or ".." in rel.parts
        or not rel.parts
        or any(p in ("", ".") for p in rel.parts)
    ):
        raise PublishError(f"refusing to write '{rel}': expected a path inside the output folder")
    # The parts were checked above. Links inside ``root`` are refused where files are
    # written (see _Writer), so a lexical check here is enough.
    return root.joinpath(*rel.parts)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    # The process's own symbols hold the C library's; ctypes.util, which finds its file
    # by name, brings subprocess with it (9 ms by -X importtime) and may run ldconfig.
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        from ctypes.util import find_library

        renameat2 = getattr(ctypes.CDLL(find_library("c"), use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def _check_replaceable(output: Path) -> None:
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise PublishError(
            f"{output}: expected a folder to write the site into, found a file or a link"
        )
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).exists():
        raise PublishError(
            f"{output}: refusing to replace a folder digest did not write (no {MARKER} in it); "
            "empty it or choose another --output"
        )


def build_folder_names(output: Path) -> tuple[str, ...]:
    """How the names of the folders a build makes beside ``output`` begin: a new site
    being made, an old one being moved out (both left only by a build that was killed),
    the standby folder and the trash. What a build writes there is never a change to
    build again for (see ``digest.serve``).

    >>> build_folder_names(Path("/srv/public"))
    ('.public.new-', '.public.old-', '.public.standby', '.public.trash')
    """
    return tuple(f".{output.name}.{kind}" for kind in ("new-", "old-", "standby", "trash"))


def stale_folders(output: Path) -> list[Path]:
    """Temporary folders left by builds that were killed before they finished."""
    return sorted(output.parent.glob(f".{output.name}.new-*")) + sorted(
        output.parent.glob(f".{output.name}.old-*")
    )


def standby_folder(output: Path) -> Path:
    """The folder beside the output that holds the site as it was one build earlier, and
    becomes the next site: updated in place (only what changed is written) and then
    swapped with the output.

    Creating and deleting folders is the slow part of writing a site (a folder a story;
    on some file systems, deleting one costs milliseconds), so the previous site is kept
    as the next build's starting point rather than deleted.

    >>> standby_folder(Path("/srv/public")).as_posix()
    '/srv/.public.standby'
    """
    return output.parent / f".{output.name}.standby"


def trash_folder(output: Path) -> Path:
    """The folder beside the output that the files the standby folder's new ones replace
    are moved into, to be deleted once the site is published (see ``_Writer``).

    >>> trash_folder(Path("/srv/public")).as_posix()
    '/srv/.public.trash'
    """
    return output.parent / f".{output.name}.trash"


def make_standby(output: Path, hashes: Mapping[str, str]) -> bool:
    """Make the standby folder of the site at ``output``, whose files' hashes are
    ``hashes`` (as ``publish`` returned them), as a copy of it whose every file is a
    hard link to the site's: what the first build after a site is published (which
    has no standby folder yet) would otherwise make when it publishes, a folder a story.

    The copy is made in a temporary folder and renamed into place once complete; False
    when it cannot be (the standby name is taken, or a file of the site is missing or
    not a plain file), its temporary folder removed. A process killed while it makes
    the copy leaves that folder, which the next ``publish`` removes (``stale_folders``).

    >>> import tempfile
    >>> site = Path(tempfile.mkdtemp()) / "public"
    >>> (site / "a").mkdir(parents=True)
    >>> _ = (site / "a" / "index.html").write_text("hi")
    >>> _ = (site / MARKER).write_text("")
    >>> make_standby(site, {"a/index.html": file_hash(b"hi")})
    True
    >>> (standby_folder(site) / "a" / "index.html").stat().st_ino == (site / "a" / "index.html").stat().st_ino
    True
    >>> make_standby(site, {"a/index.html": file_hash(b"hi")})  # there already
    False
    """
    output = output.absolute()
    spare = standby_folder(output)
    if os.path.lexists(spare) or not _ours(output):
        return False
    work = tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent)
    root = os.fspath(output)
    folders = {work}
    try:
        for name in (*sorted(hashes), MARKER):
            if is_plain_path(name):
                old, new = os.path.join(root, name), os.path.join(work, name)
            else:
                old = os.fspath(safe_target(output, PurePosixPath(name)))
                new = os.fspath(safe_target(Path(work), PurePosixPath(name)))
            if not S_ISREG(os.lstat(old).st_mode):
                return _unmade(work)
            folder = os.path.dirname(new)
            if folder not in folders:
                os.makedirs(folder, exist_ok=True)
                while folder not in folders:
                    folders.add(folder)
                    folder = os.path.dirname(folder)
            os.link(old, new, follow_symlinks=False)
        os.chmod(work, 0o755)
        os.rename(work, spare)  # refused if a folder with files took the name meanwhile
    except (OSError, PublishError):
        return _unmade(work)
    return True


def _unmade(work: str) -> bool:
    shutil.rmtree(work, ignore_errors=True)
    return False


def file_hash(data: bytes) -> str:
    """The hash a published file is remembered by.

    >>> len(file_hash(b"<p>hi</p>"))
    32
    """
    # SHA-256, as ``digest.cache.key``: every file a build writes is hashed (a cold build
    # of 10,000 articles writes 200 MB), and BLAKE2b took 2.8 times as long.
    return hashlib.sha256(data).hexdigest()[:32]


class CarryError(PublishError):
    """A page meant to be kept from the previous site is no longer there."""


@dataclass(frozen=True, slots=True)
class Placed:
    """Stands for a file's bytes in the files given to ``publish``: the file is already in
    the site being made, put there by ``Placer.place`` (in a page worker), with this hash."""

    hash: str


Files = Iterable[tuple[PurePosixPath, "bytes | Placed"]]
"""The files of a site: each path with its bytes, or with ``Placed`` when already written."""


class Placer:
    """Puts files into the folder a new site is made in, as ``publish`` does: a file the
    folder already has is left, one the published site has is linked, any other written.

    ``publish`` hands one to the function that makes the site's files, so that page
    workers forked while it runs write their pages themselves instead of sending every
    page's bytes back to the build to write.
    """

    def __init__(
        self, writer: _Writer, output: Path, previous: Mapping[str, str], have: Mapping[str, str]
    ) -> None:
        self._writer = writer
        self._output = output
        self._previous = previous
        self._have = have

    def place(self, rel: PurePosixPath, data: bytes) -> str:
        """Put ``data`` at ``rel`` in the new site; returns its hash."""
        digest_ = file_hash(data)
        name = rel.as_posix()
        if self._have.get(name) == digest_:
            return digest_
        if self._previous.get(name) == digest_ and self._writer.link(
            self._output.joinpath(*rel.parts), rel, len(data)
        ):
            return digest_
        self._writer.write(rel, data)
        return digest_


def publish(
    files: Mapping[PurePosixPath, bytes]
    | Iterable[tuple[PurePosixPath, bytes]]
    | Callable[[Placer], Files],
    output: Path,
    previous: Mapping[str, str] | None = None,
    carried: Iterable[str] = (),
    progress: Callable[[str, int, int], None] | None = None,
    standby: Mapping[str, str] | None = None,
    before_swap: Callable[[], None] | None = None,
    after_swap: Callable[[bool], None] | None = None,
    empty: Callable[[Path], bool] | None = None,
) -> tuple[int, dict[str, str]]:
    """Write ``files`` (a mapping, or (path, bytes) pairs made as they are asked for, or a
    function that makes such pairs given a ``Placer``, where bytes may be ``Placed``) as
    the new site at ``output``, all or nothing.

    ``previous`` holds the hashes of the files of the site now at ``output`` (as this
    function returned them last time); a file whose bytes did not change is carried into
    the new site as a hard link to the old one instead of being written again. Returns
    the file count and the hashes of the new site's files. ``carried`` names files that
    were not rendered again because their inputs did not change: they are kept from the
    previous site (CarryError if one is missing, and nothing is published); it is read
    once every file was written. ``progress`` is told ("writing", files, 0) now and then.

    The new site is made in the standby folder (see ``standby_folder``) when there is one:
    ``standby`` gives the hashes of its files as the build before the previous one left
    them (when not given, its files are hashed). The files new ones replace there are
    moved into the trash folder (see ``_Writer``), deleted once the new site is in place:
    by ``empty``, given the folder, when it returns True (it had it deleted elsewhere),
    else here. After the swap, the previous site becomes the standby folder; its hashes
    are ``previous``.
    ``before_swap`` is called once the new site is complete, just before it is swapped in
    (the build forgets there what it knew of the published site, until it is published);
    ``after_swap`` after it, told whether the site replaced is now the standby folder
    (and so holds the files ``previous`` describes). It is not when there was no site of
    ours to replace, or when the standby name is taken by something not ours.
    """
    output = output.absolute()
    _check_replaceable(output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file in the way, a read-only file system
        why = (
            "expected a folder, found a file" if isinstance(exc, FileExistsError) else exc.strerror
        )
        raise PublishError(f"{output}: could not write the site: {exc.filename}: {why}") from exc
    trash = trash_folder(output)
    for stale in [*stale_folders(output), trash]:  # the trash left by a build killed
        _remove_left(stale)
    previous = previous if previous is not None and (output / MARKER).is_file() else {}
    spare = standby_folder(output)
    have: dict[str, str] = {}
    work: Path | None = None
    if previous and _ours(spare):
        try:
            have = dict(standby) if standby is not None else _hash_tree(spare)
            work = spare
        except OSError:  # a standby folder that cannot be read: moved out of the way
            have = {}
            # The next publishing deletes it (see stale_folders), all it can read of it.
            # Where it cannot be moved, the site it replaces is deleted instead (_swap).
            with contextlib.suppress(OSError):
                old = tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent)
                os.rmdir(old)
                os.rename(spare, old)
    if work is None:
        try:
            work = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
        except OSError as exc:  # a folder that takes no new folder (/proc, a full disk)
            raise PublishError(f"{output}: could not write the site: {exc.strerror}") from exc
    hashes: dict[str, str] = {}
    pairs: Files = ()
    try:
        writer = _Writer(work, fresh=work != spare, trash=trash)
        placer = Placer(writer, output, previous, have)
        pairs = (
            files.items()
            if isinstance(files, Mapping)
            else files(placer)
            if callable(files)
            else files
        )
        for n, (rel, data) in enumerate(pairs, 1):
            if progress is not None and n % 256 == 0:
                progress("writing", n, 0)
            name = rel.as_posix()
            if name in hashes:
                raise PublishError(f"refusing to write '{rel}' twice: expected one file a path")
            hashes[name] = data.hash if isinstance(data, Placed) else placer.place(rel, data)
        root = os.fspath(output)
        for name in sorted(carried):
            if name not in previous or name in hashes:
                raise CarryError(
                    f"{output / name}: expected the previous site's page, found it gone"
                )
            hashes[name] = previous[name]
            if have.get(name) == previous[name]:
                continue
            # By name, not by path: a first rebuild (no standby folder yet) links every
            # file of the site, and pathlib was a third of that.
            old = os.path.join(root, name) if is_plain_path(name) else os.fspath(output / name)
            if not writer.link(old, name, None):
                raise CarryError(f"{old}: expected the previous site's page, found it gone")
        for name in sorted(have.keys() - hashes.keys()):
            writer.remove(PurePosixPath(name))
        if not (work / MARKER).is_file():
            (work / MARKER).write_text(
                "This folder is written by digest; each build replaces it whole.\n"
            )
        work.chmod(0o755)
        if before_swap is not None:
            before_swap()
        kept = _swap(work, output, spare) and bool(previous)
    except OSError as exc:
        _stop(pairs)
        _discard(work, spare, trash)
        raise PublishError(f"{output}: could not write the site: {exc}") from exc
    except BaseException:  # a page that failed to render, Ctrl-C: the old site stays
        _stop(pairs)
        _discard(work, spare, trash)
        raise
    if after_swap is not None:
        after_swap(kept)
    if os.path.lexists(trash) and not (empty is not None and empty(trash)):
        _remove_left(trash)
    return len(hashes), hashes


def _stop(pairs: Files) -> None:
    """Close the files being made (a generator), so that page workers writing into the
    new site have stopped before it is discarded."""
    close = getattr(pairs, "close", None)
    if close is not None:
        close()


def _ours(folder: Path) -> bool:
    """A real folder (not a link) that digest wrote."""
    return folder.is_dir() and not folder.is_symlink() and (folder / MARKER).is_file()


def _remove_left(path: Path) -> None:
    """Delete what a build left at ``path`` (a folder; anything else at its name is
    deleted without being read, since reading a pipe would wait), as far as it can."""
    try:
        found = os.lstat(path)
    except OSError:
        return
    if S_ISDIR(found.st_mode):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _discard(work: Path, spare: Path, trash: Path) -> None:
    """After a failure: a temporary folder goes, and the trash; the standby folder stays
    (its next use hashes its files, since what it holds is no longer known)."""
    if work != spare:
        shutil.rmtree(work, ignore_errors=True)
    _remove_left(trash)


def _swap(work: Path, output: Path, spare: Path) -> bool:
    """Put ``work`` at ``output`` at once; what was there becomes the standby folder (True),
    unless nothing was there or the standby name is taken by something else (False)."""
    if not output.exists():
        work.rename(output)
        return False
    if _exchange(work, output):
        old = work
    else:
        old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
        old.rmdir()
        output.rename(old)
        work.rename(output)
    if old != spare:
        if spare.exists() or spare.is_symlink():
            shutil.rmtree(old)  # the standby name is taken by something not ours
            return False
        old.rename(spare)
    return True


def _hash_tree(root: Path) -> dict[str, str]:
    """The hash of every plain file under ``root`` (a standby folder whose files are not
    known), by relative path. Anything else there (a link, a pipe, which reading would
    wait on) no build put there: it is deleted."""
    out: dict[str, str] = {}
    for folder, dirs, names in os.walk(root, onerror=_raise):
        for name in [*names, *(d for d in dirs if os.path.islink(os.path.join(folder, d)))]:
            path = Path(folder, name)
            if S_ISREG(path.lstat().st_mode):
                out[path.relative_to(root).as_posix()] = file_hash(path.read_bytes())
            else:
                path.unlink()
    out.pop(MARKER, None)
    return out


def _raise(error: OSError) -> None:
    raise error


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
"""Flags that create a file and refuse anything already at its name, a link included."""


class _Writer:
    """Writes files into the folder the next site is made in, never through a link and
    never into a file in place: every file written is a new one (a reader still holding
    a file of an earlier site reads it whole, and a hard link shared with the published
    site is never written through).

    In a ``fresh`` folder (made by this build, empty, its own) a file is created where it
    goes, refusing anything already there. In the standby folder, the file a new one
    replaces is first moved out of the way: unlinked when another name links to it (the
    published site's), else renamed into ``trash`` (see ``trash_folder``), which is
    emptied once the site is published. Page workers forked from the build write with
    copies of one writer at once, so a folder another made first is fine.

    Not written beside and renamed over, nor deleted at once: what costs is freeing the
    old file's blocks (on this machine's ext4, mounted with ``discard``), and renaming
    over a file also starts writing the new one out (``auto_da_alloc``). Measured there,
    a 30 KB page took 0.52 ms renamed over its old self and 0.54 ms deleted and written
    anew; stories.json (10.9 MB) 19.6 and 13.4 ms. Moved aside, the freeing happens
    after publishing, in the build's helper where it has one.
    """

    def __init__(self, root: Path, fresh: bool = False, trash: Path | None = None) -> None:
        self.root = root
        self.fresh = fresh
        self._root = os.fspath(root)
        self._trash = os.fspath(trash) if trash is not None else None
        self._moved = 0
        self.folders: set[str] = {self._root}

    def _target(self, rel: PurePosixPath | str) -> str:
        if isinstance(rel, str) and is_plain_path(rel):
            target = os.path.join(self._root, rel)
        else:
            target = os.fspath(safe_target(self.root, PurePosixPath(rel)))
        self._folder(os.path.dirname(target))
        if not self.fresh:
            if os.path.islink(target):
                raise PublishError(f"refusing to write '{rel}': a link is in its place")
            if os.path.isdir(target):  # the site had a folder of this name: out of the way
                self._move_aside(target, folder=True)
        return target

    def _folder(self, folder: str) -> None:
        if folder in self.folders:
            return
        self._folder(os.path.dirname(folder))
        try:
            os.mkdir(folder)
        except FileExistsError:
            if os.path.islink(folder) or (self.fresh and not os.path.isdir(folder)):
                raise PublishError(
                    f"refusing to write into '{folder}': expected a folder, found a link or a file"
                ) from None
            if not os.path.isdir(folder):  # the site had a file of this name: out of the way
                self._move_aside(folder)
                os.mkdir(folder)
        self.folders.add(folder)

    def write(self, rel: PurePosixPath, data: bytes) -> None:
        target = self._target(rel)
        if not self.fresh:
            self._move_aside(target)
        try:
            fd = os.open(target, _NEW_FILE, 0o666)  # the umask applies, as to open()
        except FileExistsError:
            raise PublishError(
                f"refusing to write '{rel}': expected a new file, found something there"
            ) from None
        with open(fd, "wb") as f:
            f.write(data)

    def _move_aside(self, target: str, folder: bool = False) -> None:
        """Take the file at ``target`` (or, told it is one, the ``folder``) out of the
        way of a new one, as the class's docstring tells; a folder not expected is
        refused."""
        try:
            found = os.lstat(target)
        except (FileNotFoundError, NotADirectoryError):  # (its folder a file now)
            return
        if S_ISDIR(found.st_mode) and not folder:
            raise PublishError(f"refusing to replace '{target}': expected a file, found a folder")
        if self._trash is not None and (folder or found.st_nlink == 1):
            self._moved += 1
            aside = os.path.join(self._trash, f"{os.getpid()}-{self._moved}")
            try:
                try:
                    os.rename(target, aside)
                except FileNotFoundError:  # no trash folder yet (or the file went)
                    os.makedirs(self._trash, exist_ok=True)
                    os.rename(target, aside)
                return
            except FileNotFoundError:  # the file went meanwhile
                return
            except OSError:  # not to be had: deleted at once, from now on
                self._trash = None
        if folder:
            shutil.rmtree(target)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)

    def link(self, old: str | Path, rel: PurePosixPath | str, size: int | None) -> bool:
        """Hard-link an unchanged file from the published site (a plain file, of ``size``
        bytes if given); False where it cannot be."""
        target = self._target(rel)
        try:
            found = os.lstat(old)
            if not S_ISREG(found.st_mode) or (size is not None and found.st_size != size):
                return False
            if not self.fresh:
                self._move_aside(target)
            os.link(old, target)
        except FileExistsError:
            if self.fresh:
                raise PublishError(
                    f"refusing to write '{rel}': expected a new file, found something there"
                ) from None
            return False
        except OSError:
            return False
        return True

    def remove(self, rel: PurePosixPath) -> None:
        """Delete a file the new site no longer has, and the folders it leaves empty."""
        target = safe_target(self.root, rel)
        for folder in target.parents:  # never through a link planted for a folder
            if folder == self.root:
                break
            if folder.is_symlink():
                raise PublishError(
                    f"refusing to remove '{rel}': expected a folder at '{folder}', found a link"
                )
        if target.is_dir() and not target.is_symlink():
            return  # a folder of the new site's, where the standby folder had a file
        self._move_aside(os.fspath(target))
        folder = target.parent
        while folder != self.root:
            try:
                folder.rmdir()
            except OSError:
                break
            self.folders.discard(os.fspath(folder))
            folder = folder.parent
