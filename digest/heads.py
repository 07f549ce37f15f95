"""A loaded file's head (its articles as stubs, or its problems) as the cache keeps it.

Every build reads the head of every content file back from the cache, so how fast a
head is read is a floor under every rebuild. Pickled, a head costs a lookup of each
class, a dataclass built from keywords and three calls to make its date (10,000 heads:
0.21 s); here it is a tuple of plain values in ``marshal``'s format, and its dates text
that ``datetime.fromisoformat`` reads (0.14 s). A head holding anything else (a body,
a date in some other kind of zone) is pickled, marked apart, and reads back the same.

Hand-written because no library serializes these dataclasses faster than pickle does;
``marshal`` is the standard library's, for exactly such plain values (its format may
change between Python versions, and the cache is keyed by the version in use).
"""

from __future__ import annotations

import marshal
import pickle
from collections.abc import Iterable, Mapping
from dataclasses import fields
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from digest.load import Loaded
from digest.model import Article, Problem, make_article

_PLAIN = b"M"
_PICKLED = b"P"
_NAMES = tuple(f.name for f in fields(Article))
_PUBLISHED = _NAMES.index("published")
_BODY = (_NAMES.index("blocks"), _NAMES.index("sentences"))


class _NotPlain(Exception):
    """A value the plain form does not hold exactly."""


def _when(value: datetime | None) -> tuple[Any, ...] | None:
    """A date as text, its fold, and the kind of its zone: none, a fixed offset without a
    name of its own, or a zone by its key."""
    if value is None:
        return None
    zone = value.tzinfo
    if zone is None:
        return ("n", value.isoformat(), value.fold)
    if type(zone) is timezone:
        offset = zone.utcoffset(None)
        if zone.tzname(None) == timezone(offset).tzname(None):  # unnamed: text keeps all
            return ("t", value.isoformat(), value.fold)
    elif type(zone) is ZoneInfo and zone.key and ZoneInfo(zone.key) is zone:
        return ("z", value.replace(tzinfo=None).isoformat(), value.fold, zone.key)
    raise _NotPlain(repr(zone))


def _date(text: tuple[Any, ...] | None) -> datetime | None:
    if text is None:
        return None
    value = datetime.fromisoformat(text[1])
    if text[0] == "z":
        return value.replace(tzinfo=ZoneInfo(text[3]), fold=text[2])
    return value.replace(fold=1) if text[2] else value


def dump_head(head: Loaded) -> bytes:
    """``head`` as the cache keeps it; ``load_head`` reads it back equal.

    >>> from datetime import UTC
    >>> head = Loaded("a.md", (Article("a.md", "a.md", "Daily", "Rain", published=datetime(2025, 7, 14, tzinfo=UTC)),))
    >>> load_head(dump_head(head)) == head, dump_head(head)[:1]
    (True, b'M')
    """
    try:
        articles = []
        for article in head.articles:
            values: list[Any] = [getattr(article, name) for name in _NAMES]
            if any(values[i] for i in _BODY):
                raise _NotPlain("a body")
            values[_PUBLISHED] = _when(values[_PUBLISHED])
            articles.append(tuple(values))
        problems = tuple((p.path, p.stage, p.message) for p in head.problems)
        updated = tuple(_when(u) for u in head.updated)
        return _PLAIN + marshal.dumps((head.path, tuple(articles), problems, updated))
    except (_NotPlain, ValueError):  # ValueError: a value marshal does not take
        return _PICKLED + pickle.dumps(head, protocol=pickle.HIGHEST_PROTOCOL)


def load_head(blob: bytes) -> Loaded:
    """The head ``dump_head`` made (or a head pickled whole, as older caches kept them)."""
    kind = blob[:1]
    if kind == _PICKLED:
        head = pickle.loads(memoryview(blob)[1:])
    elif kind == _PLAIN:
        head = _plain_head(marshal.loads(memoryview(blob)[1:]))
    else:
        head = pickle.loads(blob)
    if not isinstance(head, Loaded):
        raise ValueError(f"expected a loaded file's head, found {type(head).__name__}")
    return head


def _plain_head(value: tuple[Any, ...]) -> Loaded:
    """The head a plain form (``dump_head``'s tuple) holds. Lists made and turned into
    tuples, and empty parts not made at all: 10,000 heads took 95 ms this way, 111 ms
    with a generator for each part."""
    path, articles, problems, updated = value
    at = _PUBLISHED
    return Loaded(
        path,
        tuple([make_article(*v[:at], _date(v[at]), *v[at + 1 :]) for v in articles]),
        tuple([Problem(*p) for p in problems]) if problems else (),
        tuple([_date(u) for u in updated]) if updated else (),
    )


def dump_snapshot(rows: Iterable[tuple[str, bytes]]) -> bytes:
    """The heads of ``rows`` (each a key and a head as ``dump_head`` made it) as one value
    that ``load_snapshot`` reads back at once. Read from the database, each head is a row
    to find and a value to read: at 10,000 heads 91 to 107 ms, against 39 to 64 ms for
    one snapshot of them all (marshalled; pickled, as now, 26 against 47 ms).

    >>> from datetime import UTC
    >>> head = Loaded("a.md", (Article("a.md", "a.md", "Daily", "Rain", published=datetime(2025, 7, 14, tzinfo=UTC)),))
    >>> heads = load_snapshot(dump_snapshot([("k", dump_head(head))]))
    >>> snapshot_head(heads["k"]) == head
    True
    """
    out: dict[str, Any] = {}
    for k, blob in rows:
        # A plain head as its tuple, so that reading the snapshot reads every head at
        # once; any other head as its bytes, read as ``load_head`` reads it.
        out[k] = marshal.loads(memoryview(blob)[1:]) if blob[:1] == _PLAIN else bytes(blob)
    # Pickled, not marshalled: the helper writes it, but every build reads it, and the
    # snapshot of 10,000 heads (11 MB) read back in 26 ms pickled, 47 ms marshalled.
    return pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)


def load_snapshot(data: bytes | memoryview) -> Mapping[str, Any]:
    """The heads ``dump_snapshot`` kept, by key, each for ``snapshot_head`` to read;
    ValueError when ``data`` is not such a snapshot."""
    try:
        value = pickle.loads(data)
    except Exception as exc:  # whatever the bytes make unpickling fail with
        raise ValueError(f"expected a snapshot of heads: {exc!r}") from exc
    if not isinstance(value, dict):
        raise ValueError(f"expected a snapshot of heads, found {type(value).__name__}")
    return value


def snapshot_head(value: Any) -> Loaded:
    """The head one entry of a snapshot holds; ValueError (or TypeError) when it holds
    none."""
    if isinstance(value, tuple):
        return _plain_head(value)
    if isinstance(value, bytes):
        return load_head(value)
    raise ValueError(f"expected a head, found {type(value).__name__}")
