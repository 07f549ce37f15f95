"""The build cache: an embedded SQLite file beside the site, ``.digest-cache/cache.sqlite``.

It holds each content file's loaded form in three parts: its head (the articles as stubs,
without their bodies, or the problem that stopped the file), its body (the articles whole,
with their summaries) and its folding fingerprints, keyed by the file's bytes, its path,
digest's version and its libraries' (``program_version``) and the settings that change
what loading makes of it; stories.json's and the sitemap's lines by story key; whether the hashes of the
last published site and of its standby folder are known; and the signature of the last
build's inputs. Beside the file, records every build reads whole are kept files
(``*.kept``, each checked on reading): ``fold.kept`` the folding index, ``files.kept``
each content file's size, times and key as last seen (so that an unchanged file need
not be read again, as git's index does it), ``outputs.kept`` and ``standby.kept`` the
hashes of the files of the site and of its standby folder, ``heads.kept`` a snapshot of
every content file's head (see ``digest.heads.dump_snapshot``); the folder
``templates`` holds Jinja's compiled templates.

Nothing in it is needed for a correct build: a missing, old or broken cache only makes a
build slower (it is then rebuilt), never different. Deleting the folder is always safe.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import marshal
import os
import pickle
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import xxhash

import digest

CACHE_FOLDER = ".digest-cache"
_SCHEMA = 10
SCAN_ROWS = 1000
"""From this many keys asked for, loaded rows are read by scanning the table."""
_KEPT_SUFFIX = ".kept"
_KEPT_MAGIC = b"digest-cache-kept-2\n"
_DAMAGED = (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT)
"""SQLite's codes for a file that is not a database, or a damaged one."""


def key(*parts: bytes | str) -> str:
    """A stable hexadecimal key for the given parts (order matters).

    >>> key("a", b"b") == key("a", b"b") != key("ab", b"")
    True
    """
    # SHA-256 (OpenSSL's, with the CPU's SHA instructions where it has them): a build keys
    # every content file it reads by its bytes, and hashlib's BLAKE2b, its reference C
    # code, hashed 0.38 GB/s here against SHA-256's 1.06.
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()[:40]


def text_key(parts: Sequence[str]) -> str:
    r"""``key`` of many short strings, hashed in one go. A build keys every page from a
    dozen strings or more; hashing them one by one took twice as long.

    The strings are joined with NUL between them, which splits back into exactly them
    when none holds a NUL; one that does has them all written with their lengths before
    them (as netstrings are), marked apart. So no two lists give the same text.

    >>> text_key(["a", "bc"]) == text_key(["a", "bc"]) != text_key(["ab", "c"])
    True
    >>> len({text_key(["a\0", ""]), text_key(["a", "\0"]), text_key(["a", "", ""])})
    3
    """
    text = "\0".join(parts)
    plain = text.count("\0") == len(parts) - 1
    text = "0" + text if plain else "1" + "".join([f"{len(p)}:{p}" for p in parts])
    # SHA-256 (OpenSSL's, with the CPU's SHA instructions where it has them) hashed a
    # build's page keys in half the time of hashlib's BLAKE2b.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:40]


@functools.cache
def program_version() -> str:
    """digest's version, Python's and the libraries installed beside it, as a key: what
    a build makes of the same input depends on them (a new python-slugify may slugify a
    headline differently, a new Jinja compile a template differently, a new Python
    write marshal's format differently), so caches are keyed by it.

    The libraries are the names of the ``.dist-info`` folders (name and version) where
    this Python installs packages: one folder listing, where asking importlib.metadata
    for a dozen versions took 60 ms of every build.

    >>> program_version() == program_version() and len(program_version()) == 40
    True
    """
    import sys
    import sysconfig

    try:
        folder = sysconfig.get_paths()["purelib"]
        found = sorted(e.name for e in os.scandir(folder) if e.name.endswith(".dist-info"))
    except (OSError, KeyError):
        found = []
    return key(digest.__version__, sys.implementation.cache_tag, *found, zone_database())


def zone_database() -> str:
    """The version of the time-zone database ``zoneinfo`` reads: the first line of its
    ``tzdata.zi`` (``# version 2025b``), or of its ``+VERSION`` (macOS's). New rules for
    a zone change the dates a build shows, so caches are keyed by it. It is read from
    the first folder of ``zoneinfo.TZPATH`` that holds either file, where the system
    keeps its database; "" when none does. (Where no folder holds a zone, zoneinfo reads
    it from the ``tzdata`` package, whose version ``program_version`` names among the
    libraries.)

    >>> isinstance(zone_database(), str)
    True
    """
    import zoneinfo

    for folder in zoneinfo.TZPATH:
        for name in ("tzdata.zi", "+VERSION"):  # macOS keeps the version in the latter
            try:
                with open(os.path.join(folder, name), "rb") as file:
                    return file.readline(200).decode("utf-8", "replace").strip()
            except OSError:
                continue
    return ""


def _table(name: str) -> str:
    if name not in ("outputs", "standby"):
        raise ValueError(f"expected the table outputs or standby, found {name!r}")
    return name


def _forget_asides(target: Path) -> None:
    """Delete what processes that are gone left half-written beside ``target`` (as
    ``keep`` names it: ``.<name>.<process id>``): a process killed while it kept a file
    (a build's forked helper, ended when the build failed) cannot delete its own. Any
    other name, a live process's file and anything not a plain file are left alone."""
    try:
        found = list(target.parent.glob(f".{target.name}.*"))
    except OSError:
        return
    for left in found:
        pid = left.name.rpartition(".")[2]
        if not (pid.isascii() and pid.isdigit()) or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:  # gone: nobody writes it any more
            with contextlib.suppress(OSError):
                if left.is_file() and not left.is_symlink():
                    left.unlink()
        except (OSError, OverflowError):  # alive (another user's), or no process id
            continue


def _checksum(parts: Sequence[bytes | memoryview]) -> int:
    """32 bits of the XXH3 hash of the parts, one after the other: a check that a kept
    file is whole (CRC-32 took three times as long over the 17 MB folding index)."""
    h = xxhash.xxh3_64()
    for part in parts:
        h.update(part)
    return h.intdigest() & 0xFFFFFFFF


def dumps(value: Any) -> bytes:
    """``value`` pickled as the cache keeps it.

    >>> pickle.loads(dumps((1, "a")))
    (1, 'a')
    """
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


class Cache:
    """A handle on the cache file; every failure to use it degrades to "not cached"."""

    def __init__(self, folder: Path, repair: bool = True) -> None:
        self.path = folder / "cache.sqlite"
        self._db: sqlite3.Connection | None = None
        try:
            self._db = self._open(folder)
        except sqlite3.Error as exc:
            # Not a database, or a damaged one: it would stay so, and every build would
            # be a first build. It holds nothing a build needs, so it is made afresh
            # (by the build, never by a worker of it). Any other failure (locked,
            # read-only, cannot be opened) leaves it as it is, unused.
            if not repair or (getattr(exc, "sqlite_errorcode", 0) & 0xFF) not in _DAMAGED:
                return
            try:
                for name in ("cache.sqlite", "cache.sqlite-wal", "cache.sqlite-shm"):
                    (folder / name).unlink(missing_ok=True)
                self._db = self._open(folder)
            except (sqlite3.Error, OSError):
                pass
        except OSError:
            pass

    def _open(self, folder: Path) -> sqlite3.Connection:
        """The cache file opened, made or brought to this version's schema."""
        db: sqlite3.Connection | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB)")
            row = db.execute("SELECT value FROM meta WHERE name='schema'").fetchone()
            version = f"{_SCHEMA}/{digest.__version__}"
            if row is None or row[0] != version:
                for table in ("loaded", "outputs", "files", "standby", "lines"):  # any schema's
                    db.execute(f"DROP TABLE IF EXISTS {table}")
                db.execute("DELETE FROM meta")
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (version,))
                for kept in folder.glob(f"*{_KEPT_SUFFIX}"):
                    kept.unlink(missing_ok=True)
            db.execute(
                "CREATE TABLE IF NOT EXISTS loaded"
                " (key TEXT PRIMARY KEY, head BLOB, body BLOB, prints BLOB)"
            )
            db.execute("CREATE TABLE IF NOT EXISTS lines (key TEXT PRIMARY KEY, line BLOB)")
            db.commit()
            return db
        except BaseException:
            if db is not None:
                db.close()
            raise

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def get_meta(self, name: str) -> bytes | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT value FROM meta WHERE name=?", (name,)).fetchone()
        except sqlite3.Error:
            return None
        return bytes(row[0]) if row else None

    def set_meta(self, name: str, value: bytes) -> None:
        self._write("INSERT OR REPLACE INTO meta VALUES (?, ?)", [(name, value)])

    def has_kept(self, name: str) -> bool:
        """Whether ``keep`` kept something under ``name`` (not whether it is whole: that
        ``read_kept`` checks)."""
        return self._db is not None and (self.path.parent / f"{name}{_KEPT_SUFFIX}").is_file()

    def read_kept(self, name: str) -> memoryview | None:
        """A view of the bytes ``keep`` last kept under ``name`` (not copied: the folding
        index is 17 MB at 10,000 articles, and a copy took 15 ms); None when there are
        none, or when the file is not whole (its length and checksum are checked)."""
        if self._db is None:
            return None
        try:
            data = (self.path.parent / f"{name}{_KEPT_SUFFIX}").read_bytes()
        except OSError:
            return None
        head = len(_KEPT_MAGIC) + 12
        if not data.startswith(_KEPT_MAGIC) or len(data) < head:
            return None
        length = int.from_bytes(data[head - 8 : head], "little")
        body = memoryview(data)[head:]
        if len(body) != length or _checksum([body]) != int.from_bytes(
            data[head - 12 : head - 8], "little"
        ):
            return None
        return body

    def keep(self, name: str, data: bytes | Sequence[bytes | memoryview]) -> bool:
        """Keep ``data`` (bytes, or its parts in order) under ``name`` in a file of its own
        beside the database, replaced whole (written aside, then renamed). For large values
        read and written by every build, such as the folding index (17 MB at 10,000
        articles): SQLite writes a value twice (its log, then the database), and took
        0.14 s to store that one; a file takes 0.02 s. Nothing is kept when the cache is
        not in use. True when it was kept."""
        if self._db is None:
            return False
        target = self.path.parent / f"{name}{_KEPT_SUFFIX}"
        aside = target.with_name(f".{target.name}.{os.getpid()}")
        _forget_asides(target)
        parts = [data] if isinstance(data, bytes) else data
        length = sum(len(part) for part in parts)
        try:
            with open(aside, "wb") as file:
                file.write(_KEPT_MAGIC)
                file.write(_checksum(parts).to_bytes(4, "little"))
                file.write(length.to_bytes(8, "little"))
                file.writelines(parts)
            os.replace(aside, target)
        except BaseException as exc:  # nothing is left aside; only the cache's own failures pass
            with contextlib.suppress(OSError):
                aside.unlink(missing_ok=True)
            if not isinstance(exc, OSError):
                raise
            return False
        return True

    @property
    def usable(self) -> bool:
        """False when the cache file could not be opened: nothing is kept between builds."""
        return self._db is not None

    def heads(
        self, keys: Iterable[str], decode: Callable[[bytes], Any] = pickle.loads
    ) -> dict[str, Any]:
        """The cached heads of those keys that are cached, read by ``decode`` (unreadable
        ones are skipped).

        The collector is paused meanwhile: heads hold no cycles, and unpickling some
        hundreds of thousands of objects otherwise sets off collection after collection
        over all of them (a twentieth of a rebuild's time at 10,000 articles).
        """
        enabled = gc.isenabled()
        gc.disable()
        try:
            return {k: v for k, v in self._column("head", keys, decode).items() if v is not None}
        finally:
            if enabled:
                gc.enable()

    def loaded_keys(self) -> set[str]:
        """The keys of every loaded file the cache holds (their heads not read)."""
        if self._db is None:
            return set()
        try:
            return {k for (k,) in self._db.execute("SELECT key FROM loaded")}
        except sqlite3.Error:
            return set()

    def body(self, key: str) -> Any:
        """The cached body under ``key``, or None."""
        return self._column("body", [key]).get(key)

    def prints(self, keys: Iterable[str]) -> dict[str, Any]:
        """The cached fingerprints of those keys that are cached."""
        return {k: v for k, v in self._column("prints", keys).items() if v is not None}

    def _column(
        self, column: str, keys: Iterable[str], decode: Callable[[bytes], Any] = pickle.loads
    ) -> dict[str, Any]:
        if self._db is None:
            return {}
        out: dict[str, Any] = {}
        wanted = list(keys)
        try:
            if len(wanted) >= SCAN_ROWS:
                # Most of the table: read it through, in half the time of finding each row.
                every = set(wanted)
                rows = ((k, blob) for k, blob in self._rows(column) if k in every)
            else:
                rows = (
                    row
                    for i in range(0, len(wanted), 500)
                    for row in self._rows(column, wanted[i : i + 500])
                )
            for k, blob in rows:
                try:
                    out[k] = decode(blob)
                except Exception:
                    continue
        except sqlite3.Error:
            return {}
        return out

    def _rows(self, column: str, keys: Sequence[str] | None = None) -> Iterable[tuple[str, bytes]]:
        """(key, ``column``) of the rows of ``keys``, or of every row."""
        db = self._db_or_fail()
        if keys is None:
            return db.execute(f"SELECT key, {column} FROM loaded")
        marks = ",".join("?" * len(keys))
        return db.execute(f"SELECT key, {column} FROM loaded WHERE key IN ({marks})", keys)

    def store_loaded(self, rows: Iterable[tuple[str, bytes, bytes, bytes]]) -> None:
        """Keep (key, head, body, prints) rows, each part already pickled (see ``dumps``)."""
        self._write("INSERT OR REPLACE INTO loaded VALUES (?, ?, ?, ?)", list(rows))

    def files(self) -> dict[str, tuple[int, int, int, int, str]] | None:
        """Each content file's (size, mtime_ns, ctime_ns, inode, key) as last stored ({}
        before any); None when the cache is not in use."""
        if self._db is None:
            return None
        record = self._record("files")
        return record if record is not None else {}

    def store_files(
        self,
        rows: Mapping[str, tuple[int, int, int, int, str]],
        was: Mapping[str, tuple[int, int, int, int, str]] | None = None,
    ) -> None:
        """Make the stored file index ``rows``; ``was`` is what ``files()`` gave, if it
        gave anything: the index is not written again when it is the same."""
        if self._db is None or (was is not None and rows == was):
            return
        self._keep_record("files", dict(rows))

    def _record(self, name: str) -> dict[str, Any] | None:
        """A mapping ``_keep_record`` kept under ``name``; None when there is none whole.

        The records every build reads whole (the file index, the site's file hashes) are
        kept files in marshal's format, not tables: SQLite gave 10,000 rows back in 12 to
        30 ms, marshal reads them in 4 to 8.
        """
        data = self.read_kept(name)
        if data is None:
            return None
        try:
            record = marshal.loads(data)
        except (ValueError, EOFError, TypeError):
            return None
        return record if isinstance(record, dict) else None

    def _keep_record(self, name: str, record: dict[str, Any]) -> bool:
        return self.keep(name, marshal.dumps(record))

    def _db_or_fail(self) -> sqlite3.Connection:
        if self._db is None:
            raise sqlite3.OperationalError("the cache is not open")
        return self._db

    def lines(self) -> dict[str, bytes]:
        """stories.json's and the sitemap's lines (UTF-8) as the last build wrote them, by
        story key (see ``feeds.stories_json`` and ``feeds.sitemap``)."""
        if self._db is None:
            return {}
        try:
            rows = self._db.execute("SELECT key, line FROM lines")
            return {k: line for k, line in rows if isinstance(line, bytes)}
        except sqlite3.Error:
            return {}

    def store_lines(self, lines: Mapping[str, bytes], stored: Mapping[str, bytes]) -> None:
        """Keep ``lines`` (this build's, by story key) where ``stored`` (what ``lines()``
        gave) was: only new keys are written and only keys no longer used deleted, so a
        rebuild does not write every story's line again."""
        if self._db is None:
            return
        try:
            self._db.executemany(
                "DELETE FROM lines WHERE key = ?", [(k,) for k in stored.keys() - lines.keys()]
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO lines VALUES (?, ?)",
                [(k, line) for k, line in lines.items() if k not in stored],
            )
            self._db.commit()
        except sqlite3.Error:
            pass

    def forget_loaded_except(
        self, keep: Iterable[str], first: Callable[[], bool] | None = None
    ) -> None:
        """Drop entries no current file needs, so the cache does not grow without bound.
        The keys are listed and only those to drop deleted: a rebuild drops a few, and
        handing SQLite every key to keep took a thirtieth of its time. ``first`` is
        called when there are some to drop, before they are: none is when it returns
        False."""
        if self._db is None:
            return
        try:
            stored = {k for (k,) in self._db.execute("SELECT key FROM loaded")}
            gone = stored.difference(keep)
            if gone and (first is None or first()):
                self._db.executemany("DELETE FROM loaded WHERE key = ?", [(k,) for k in gone])
                self._db.commit()
        except sqlite3.Error:
            pass

    def forget_kept(self, name: str) -> bool:
        """Delete what ``keep`` kept under ``name``; True when nothing is kept under it
        now."""
        if self._db is None:
            return False
        try:
            (self.path.parent / f"{name}{_KEPT_SUFFIX}").unlink(missing_ok=True)
        except OSError:
            return False
        return True

    def outputs(self, table: str = "outputs") -> dict[str, str] | None:
        """The hash of every file of the last published site, by path (of the standby
        folder's files with ``table="standby"``); None when they are not known."""
        if self._db is None or self.get_meta(_table(table)) != b"known":
            return None
        return self._record(table)

    def store_outputs(self, hashes: Mapping[str, str], table: str = "outputs") -> None:
        """Record ``hashes`` as the files of the published site (of the standby folder,
        with ``table="standby"``): kept first, then said to be known."""
        if self._db is None:
            return
        # Not known while the record changes, and known again only once it is kept whole.
        if self._forget([_table(table)]) and self._keep_record(table, dict(hashes)):
            self._write("INSERT OR REPLACE INTO meta VALUES (?, ?)", [(table, b"known")])

    def use_site(self, output: str) -> None:
        """Name the output folder this build publishes to. What the cache knew of the
        site in another folder (its files' hashes, its pages' keys, its standby folder,
        the last report) is forgotten: taken for this folder's, it would carry that
        site's pages into this one (seen: a build with ``--output elsewhere`` sharing
        the cache, then a build of the usual site that published the previous site)."""
        if self._db is None or self.get_meta("site") == output.encode():
            return
        self.forget_site()
        self.set_meta("site", output.encode())

    def forget_site(self) -> None:
        """Forget what is known of the published site (its files' hashes, its pages'
        keys, the last build's signature and report): called just before a new site is
        swapped in, so that a build killed between the swap and storing the new records
        leaves a cache that trusts nothing of the site, never one that describes the
        site before. The kept hashes stay, known to be stale."""
        self._forget(["signature", "report", "pages", "standby", "outputs"])

    def _forget(self, names: Sequence[str]) -> bool:
        """Delete the meta values ``names``; False when that failed."""
        return self._write("DELETE FROM meta WHERE name = ?", [(name,) for name in names])

    def take_standby(self) -> dict[str, str] | None:
        """The standby folder's file hashes, forgotten as they are read (the folder is
        about to change); None when they are not known."""
        hashes = self.outputs("standby")
        if hashes is None or not self._forget(["standby"]):
            return None
        return hashes

    def _write(self, sql: str, rows: list[tuple[Any, ...]]) -> bool:
        """Run ``sql`` for each of ``rows`` and commit; False when that failed."""
        if self._db is None:
            return False
        try:
            if rows:
                self._db.executemany(sql, rows)
                self._db.commit()
        except sqlite3.Error:
            return False
        return True
