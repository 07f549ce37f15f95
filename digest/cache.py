"""The build cache: an embedded SQLite file beside the site, ``.digest-cache/cache.sqlite``.

It holds each content file's loaded form (articles with their sentences, or the problem
that stopped the file) and its folding fingerprints, keyed by the file's bytes, its path,
the digest version and the settings that change what loading makes of it; the hashes of
the files of the last published site; and the signature of the last build's inputs.

Nothing in it is needed for a correct build: a missing, old or broken cache only makes a
build slower (it is then rebuilt), never different. Deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import digest

CACHE_FOLDER = ".digest-cache"
_SCHEMA = 2


def key(*parts: bytes | str) -> str:
    """A stable hexadecimal key for the given parts (order matters).

    >>> key("a", b"b") == key("a", b"b") != key("ab", b"")
    True
    """
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


class Cache:
    """A handle on the cache file; every failure to use it degrades to "not cached"."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "cache.sqlite"
        self._db: sqlite3.Connection | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB)")
            row = db.execute("SELECT value FROM meta WHERE name='schema'").fetchone()
            version = f"{_SCHEMA}/{digest.__version__}"
            if row is None or row[0] != version:
                db.execute("DROP TABLE IF EXISTS loaded")
                db.execute("DROP TABLE IF EXISTS outputs")
                db.execute("DELETE FROM meta")
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (version,))
            db.execute("CREATE TABLE IF NOT EXISTS loaded (key TEXT PRIMARY KEY, value BLOB)")
            db.execute("CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, hash TEXT)")
            db.commit()
            self._db = db
        except (sqlite3.Error, OSError):
            self._db = None

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

    def loaded(self, keys: Iterable[str]) -> dict[str, Any]:
        """The cached values of those keys that are cached (unpicklable ones are skipped)."""
        if self._db is None:
            return {}
        out: dict[str, Any] = {}
        wanted = list(keys)
        try:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i : i + 500]
                marks = ",".join("?" * len(chunk))
                for k, blob in self._db.execute(
                    f"SELECT key, value FROM loaded WHERE key IN ({marks})", chunk
                ):
                    try:
                        out[k] = pickle.loads(blob)
                    except Exception:
                        continue
        except sqlite3.Error:
            return {}
        return out

    def store_loaded(self, items: Mapping[str, Any]) -> None:
        rows = [(k, pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL)) for k, v in items.items()]
        self._write("INSERT OR REPLACE INTO loaded VALUES (?, ?)", rows)

    def forget_loaded_except(self, keep: Iterable[str]) -> None:
        """Drop entries no current file needs, so the cache does not grow without bound."""
        if self._db is None:
            return
        try:
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
            self._db.execute("DELETE FROM keep")
            self._db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", [(k,) for k in keep])
            self._db.execute("DELETE FROM loaded WHERE key NOT IN (SELECT key FROM keep)")
            self._db.commit()
        except sqlite3.Error:
            pass

    def outputs(self) -> dict[str, str]:
        """The hash of every file of the last published site, by path."""
        if self._db is None:
            return {}
        try:
            return dict(self._db.execute("SELECT path, hash FROM outputs").fetchall())
        except sqlite3.Error:
            return {}

    def store_outputs(self, hashes: Mapping[str, str]) -> None:
        if self._db is None:
            return
        try:
            self._db.execute("DELETE FROM outputs")
            self._db.executemany("INSERT INTO outputs VALUES (?, ?)", list(hashes.items()))
            self._db.commit()
        except sqlite3.Error:
            pass

    def _write(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if self._db is None or not rows:
            return
        try:
            self._db.executemany(sql, rows)
            self._db.commit()
        except sqlite3.Error:
            pass
