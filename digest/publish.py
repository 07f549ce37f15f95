"""Publishing: every file is written into a new folder beside the output, then swapped in.

Readers (and a web server) see either the whole previous site or the whole new one. On
Linux the swap is one ``renameat2(RENAME_EXCHANGE)`` call; elsewhere two renames, with
the previous site kept until the new one is in place. Python has no binding for
renameat2, hence the few lines of ctypes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from digest.errors import PublishError

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
    # The parts were checked above; the folder written into is a fresh temporary one that
    # holds no links, so a lexical check is a complete one.
    return root.joinpath(*rel.parts)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
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


def stale_folders(output: Path) -> list[Path]:
    """Temporary folders left by builds that were killed before they finished."""
    return sorted(output.parent.glob(f".{output.name}.new-*")) + sorted(
        output.parent.glob(f".{output.name}.old-*")
    )


def file_hash(data: bytes) -> str:
    """The hash a published file is remembered by.

    >>> len(file_hash(b"<p>hi</p>"))
    32
    """
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class CarryError(PublishError):
    """A page meant to be kept from the previous site is no longer there."""


def publish(
    files: Mapping[PurePosixPath, bytes],
    output: Path,
    previous: Mapping[str, str] | None = None,
    carried: Iterable[PurePosixPath] = (),
) -> tuple[int, dict[str, str]]:
    """Write ``files`` as the new site at ``output``, all or nothing.

    ``previous`` holds the hashes of the files of the site now at ``output`` (as this
    function returned them last time); a file whose bytes did not change is carried into
    the new site as a hard link to the old one instead of being written again. Returns
    the file count and the hashes of the new site's files. ``carried`` names files that
    were not rendered again because their inputs did not change: they are kept from the
    previous site (CarryError if one is missing, and nothing is published).
    """
    output = output.absolute()
    _check_replaceable(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    for stale in stale_folders(output):
        shutil.rmtree(stale, ignore_errors=True)
    previous = previous if previous is not None and (output / MARKER).is_file() else {}
    hashes: dict[str, str] = {}
    new = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
    try:
        made: set[Path] = set()
        for rel, data in sorted(files.items()):
            target = safe_target(new, rel)
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            name = rel.as_posix()
            digest_ = hashes[name] = file_hash(data)
            if previous.get(name) == digest_ and _link(
                output.joinpath(*rel.parts), target, len(data)
            ):
                continue
            target.write_bytes(data)
        for rel in sorted(carried):
            name = rel.as_posix()
            target = safe_target(new, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            old = output.joinpath(*rel.parts)
            if (
                name not in previous
                or rel in files
                or not _link(old, target, old.stat().st_size if old.is_file() else -1)
            ):
                raise CarryError(f"{old}: expected the previous site's page, found it gone")
            hashes[name] = previous[name]
        (new / MARKER).write_text(
            "This folder is written by digest; each build replaces it whole.\n"
        )
        new.chmod(0o755)
        if not output.exists():
            new.rename(output)
        elif _exchange(new, output):
            shutil.rmtree(new)
        else:
            old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
            old.rmdir()
            output.rename(old)
            new.rename(output)
            shutil.rmtree(old)
    except OSError as exc:
        shutil.rmtree(new, ignore_errors=True)
        raise PublishError(f"{output}: could not write the site: {exc}") from exc
    except PublishError:
        shutil.rmtree(new, ignore_errors=True)
        raise
    return len(hashes), hashes


def _link(old: Path, new: Path, size: int) -> bool:
    """Hard-link an unchanged file from the previous site; False where that cannot be."""
    try:
        if old.is_symlink() or old.stat().st_size != size:
            return False
        os.link(old, new)
    except OSError:
        return False
    return True
