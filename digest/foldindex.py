"""Folding again after articles were added, comparing only the new ones.

A cold folding (``digest.dedup.group_articles``) hashes every article's MinHash buckets,
pairs the articles that share buckets and checks each pair. When a build only adds
articles to those of the previous build, the pairs among the old articles are the same
as before, and so are their verdicts: only pairs with a new article are new. This module
keeps what is needed to find those pairs (every old article's bucket keys, sorted, and
the merges found), as ``FoldIndex``, and gives exactly the groups and merges a cold
folding would give. One thing new articles change about old pairs: a bucket they crowd
past SMALL_BUCKET (or whose first article they become) pairs fewer of its old articles,
so a merged pair it paired is counted again and dropped if it is no longer a candidate.
Where exactness cannot be promised (an article was removed or changed, the threshold
changed), it folds cold. Written here because no library keeps a MinHash index whose
candidate rule must match ``digest.dedup.candidate_pairs`` pair for pair.
"""

from __future__ import annotations

import marshal
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import numpy.typing as npt

from digest import dedup
from digest.dedup import Fingerprint, _buckets, group_articles, is_copy
from digest.model import Article, Merge

U64 = npt.NDArray[np.uint64]
I32 = npt.NDArray[np.int32]
Groups = tuple[tuple[Article, ...], ...]
Prints = Callable[[Sequence[Article]], Mapping[str, Fingerprint]]
"""Fingerprints of the given articles, by article id."""

_MAGIC = b"digest-fold-3\n"


@dataclass(frozen=True, slots=True)
class FoldIndex:
    """What a folding leaves for the next one: the articles it folded (``ids``, each with
    the ``token`` its fingerprint was made from), every (bucket key, article) sorted by
    key, and the merges it found."""

    threshold: float
    ids: tuple[str, ...]
    tokens: tuple[str, ...]
    keys: U64
    owners: I32
    merges: tuple[Merge, ...]

    def to_bytes(self) -> bytes:
        """The index as bytes, read back by ``from_bytes``.

        >>> FoldIndex.from_bytes(EMPTY.to_bytes()) == EMPTY
        True
        """
        return b"".join(self.to_parts())

    def to_parts(self) -> list[bytes | memoryview]:
        """``to_bytes`` in parts, to be written one after the other: the arrays are not
        copied (at 10,000 articles they are 12 MB, and copying them twice was a tenth
        of a second of every rebuild)."""
        # marshal, for plain values: JSON took 0.03 s each way for 10,000 ids and tokens.
        head = marshal.dumps(
            {
                "threshold": float(self.threshold),
                "ids": tuple(self.ids),
                "tokens": tuple(self.tokens),
                "merges": tuple(
                    (m.a, m.b, float(m.containment_ab), float(m.containment_ba), float(m.threshold))
                    for m in self.merges
                ),
                "size": int(self.keys.size),
            }
        )
        return [
            _MAGIC,
            len(head).to_bytes(8, "little"),
            head,
            bytes(_padding(len(head))),
            np.ascontiguousarray(self.keys, dtype="<u8").data.cast("B"),
            np.ascontiguousarray(self.owners, dtype="<i4").data.cast("B"),
        ]

    @classmethod
    def from_bytes(cls, data: bytes | memoryview) -> FoldIndex | None:
        """The index ``to_bytes`` wrote, or None for anything else. Its arrays are views
        of ``data`` where their byte order is the machine's and ``data`` is aligned to 8
        bytes (as a file read whole is, see ``Cache.read_kept``), else copies: numpy
        copies an unaligned array again at every search.

        >>> FoldIndex.from_bytes(b"not an index") is None
        True
        """
        try:
            if bytes(data[: len(_MAGIC)]) != _MAGIC:
                return None
            at = len(_MAGIC)
            length = int.from_bytes(data[at : at + 8], "little")
            head = marshal.loads(data[at + 8 : at + 8 + length])
            at += 8 + length + _padding(length)
            size = int(head["size"])
            keys = np.frombuffer(data, dtype="<u8", count=size, offset=at)
            owners = np.frombuffer(data, dtype="<i4", count=size, offset=at + 8 * size)
            return cls(
                float(head["threshold"]),
                tuple(head["ids"]),
                tuple(head["tokens"]),
                np.require(keys, np.uint64, "A"),
                np.require(owners, np.int32, "A"),
                tuple(
                    Merge(a, b, float(ab), float(ba), float(t))
                    for a, b, ab, ba, t in head["merges"]
                ),
            )
        except (ValueError, KeyError, TypeError, EOFError):
            return None

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, FoldIndex)
            and (self.threshold, self.ids, self.tokens, self.merges)
            == (other.threshold, other.ids, other.tokens, other.merges)
            and np.array_equal(self.keys, other.keys)
            and np.array_equal(self.owners, other.owners)
        )

    __hash__ = None  # type: ignore[assignment]


def _padding(head: int) -> int:
    """Zero bytes after a head of ``head`` bytes that put the arrays after it at a multiple
    of 8 bytes from the start of the index."""
    return -(len(_MAGIC) + 8 + head) % 8


EMPTY = FoldIndex(0.0, (), (), np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int32), ())


class NotIncremental(Exception):
    """This folding cannot be done by adding to the previous one."""


def fold(
    articles: Sequence[Article],
    threshold: float,
    tokens: Mapping[str, str],
    prints: Prints,
    previous: FoldIndex | None = None,
) -> tuple[Groups, tuple[Merge, ...], FoldIndex]:
    """Groups of copies and their merges, exactly as ``group_articles`` gives them, and
    the index for the next folding. ``tokens`` names what each article's fingerprint was
    made from (an article whose token changed is a changed article); ``prints`` gives
    fingerprints, asked only for the articles that need them.

    >>> from digest.model import Block
    >>> from digest.dedup import fingerprint
    >>> text = "Ukraine and Russia called for intensified diplomatic efforts on Sunday to avert war."
    >>> a, b = (Article(x, x, "", x, blocks=(Block("p", text, text),)) for x in "ab")
    >>> prints = lambda xs: {x.id: fingerprint(x.paragraphs) for x in xs}
    >>> groups, merges, index = fold([a], 0.5, {"a": "1"}, prints)
    >>> groups, merges, index = fold([a, b], 0.5, {"a": "1", "b": "2"}, prints, index)
    >>> [[x.id for x in g] for g in groups], [(m.a, m.b) for m in merges]
    ([['a', 'b']], [('a', 'b')])
    """
    if previous is not None:
        try:
            return _add(articles, threshold, tokens, prints, previous)
        except NotIncremental:
            pass
    return _cold(articles, threshold, tokens, prints)


def _cold(
    articles: Sequence[Article], threshold: float, tokens: Mapping[str, str], prints: Prints
) -> tuple[Groups, tuple[Merge, ...], FoldIndex]:
    ordered = sorted(articles, key=lambda a: a.id)
    table: list[tuple[U64, npt.NDArray[np.bool_]]] = []
    groups, merges = group_articles(
        ordered, threshold, prints(ordered), lambda keys, present: table.append((keys, present))
    )
    # The bucket keys folding worked out, text by text in id order (each text's keys in
    # bin order, which is _buckets' order), taken rather than hashed again.
    keys, present = table.pop()
    flat = keys.T[present.T]
    owners = np.nonzero(present.T)[0].astype(np.int32)
    del keys, present
    order = np.argsort(flat, kind="stable")
    index = FoldIndex(
        threshold,
        tuple(a.id for a in ordered),
        tuple(tokens[a.id] for a in ordered),
        flat[order],
        owners[order],
        merges,
    )
    return groups, merges, index


def _add(
    articles: Sequence[Article],
    threshold: float,
    tokens: Mapping[str, str],
    prints: Prints,
    previous: FoldIndex,
) -> tuple[Groups, tuple[Merge, ...], FoldIndex]:
    if previous.threshold != threshold:
        raise NotIncremental("the threshold changed")
    by_id = {a.id: a for a in articles}
    if len(by_id) != len(articles):
        raise NotIncremental("two articles share an id")
    for old, token in zip(previous.ids, previous.tokens, strict=True):
        if old not in by_id or tokens[old] != token:
            raise NotIncremental(f"{old} was removed or changed")
    known = set(previous.ids)
    new = sorted(a.id for a in articles if a.id not in known)
    fps = dict(prints([by_id[i] for i in new]))
    new_keys = {i: _buckets(fps[i]) for i in new}

    members: dict[int, list[str]] = {}  # each bucket key's new articles
    for article_id in new:
        for k in new_keys[article_id].tolist():
            members.setdefault(k, []).append(article_id)
    new_pairs, lost = _new_pairs(previous, members)
    counts = Counter(new_pairs)
    candidates = sorted(pair for pair, n in counts.items() if n >= dedup.MIN_SHARED_BUCKETS)
    partners = sorted({i for pair in candidates for i in pair} - fps.keys())
    fps.update(prints([by_id[i] for i in partners]))
    found = []
    for a, b in candidates:
        evidence = is_copy(fps[a], fps[b], threshold)
        if evidence is not None:
            found.append(Merge(a, b, evidence.containment_ab, evidence.containment_ba, threshold))
    kept = previous.merges
    if lost:  # old pairs a crowded bucket no longer pairs: merged ones must still be candidates
        merged = {(m.a, m.b) for m in kept} & lost
        gone = {pair for pair in merged if not _still_candidate(previous, members, pair)}
        kept = tuple(m for m in kept if (m.a, m.b) not in gone)
    merges = tuple(sorted((*kept, *found), key=lambda m: (m.a, m.b)))

    ids = previous.ids + tuple(new)
    start = len(previous.ids)
    add_keys = [new_keys[i] for i in new]
    flat = np.concatenate([np.zeros(0, dtype=np.uint64), *add_keys])
    owners = np.concatenate(
        [np.zeros(0, dtype=np.int32)]
        + [np.full(k.size, start + n, dtype=np.int32) for n, k in enumerate(add_keys)]
    )
    order = np.argsort(flat, kind="stable")
    flat, owners = flat[order], owners[order]
    at = np.searchsorted(previous.keys, flat, side="right")
    index = FoldIndex(
        threshold,
        ids,
        previous.tokens + tuple(tokens[i] for i in new),
        np.insert(previous.keys, at, flat),
        np.insert(previous.owners, at, owners),
        merges,
    )
    return _groups(articles, merges), merges, index


def _new_pairs(
    previous: FoldIndex, members: Mapping[int, list[str]]
) -> tuple[list[tuple[str, str]], set[tuple[str, str]]]:
    """Every candidate pair (a < b, by id) that the new articles add, once per bucket they
    share, by ``candidate_pairs``' rule: a bucket of at most SMALL_BUCKET articles pairs
    all of them, a larger one pairs its first article (by id) with each other one.

    Also the pairs of old articles that a bucket paired before and pairs no more (it
    grew past SMALL_BUCKET, or a new article became its first): they may have fallen
    below MIN_SHARED_BUCKETS shared buckets (see ``_still_candidate``). ``members``
    gives each bucket key's new articles."""
    if not members:
        return [], set()
    wanted = np.array(sorted(members), dtype=np.uint64)
    lo = np.searchsorted(previous.keys, wanted, side="left").tolist()
    hi = np.searchsorted(previous.keys, wanted, side="right").tolist()
    pairs: list[tuple[str, str]] = []
    lost: set[tuple[str, str]] = set()
    for k, start, stop in zip(wanted.tolist(), lo, hi, strict=True):
        old = sorted(previous.ids[o] for o in previous.owners[start:stop].tolist())
        fresh = sorted(members[k])
        size = len(old) + len(fresh)
        if size < 2:
            continue
        if size <= dedup.SMALL_BUCKET:
            every = sorted(old + fresh)
            pairs += [(a, b) for a, b in combinations(every, 2) if a in fresh or b in fresh]
            continue
        first = min(old + fresh)
        if 2 <= len(old) <= dedup.SMALL_BUCKET:  # it paired every two old articles
            lost.update(pair for pair in combinations(old, 2) if first not in pair)
        elif len(old) > dedup.SMALL_BUCKET and first != old[0]:  # it paired old[0] with each
            lost.update((old[0], x) for x in old[1:])
        pairs += [
            (first, x) for x in sorted(old + fresh) if x != first and (x in fresh or first in fresh)
        ]
    return pairs, lost


def _still_candidate(
    previous: FoldIndex, members: Mapping[int, list[str]], pair: tuple[str, str]
) -> bool:
    """Whether two old articles still share MIN_SHARED_BUCKETS buckets that pair them
    (by ``candidate_pairs``' rule), counting the new articles (``members``, by bucket
    key) in every bucket. Asked only of merged pairs a bucket stopped pairing: few."""
    a_keys, b_keys = (previous.keys[previous.owners == previous.ids.index(x)] for x in pair)
    shared = np.intersect1d(a_keys, b_keys, assume_unique=True)
    lo = np.searchsorted(previous.keys, shared, side="left").tolist()
    hi = np.searchsorted(previous.keys, shared, side="right").tolist()
    count = 0
    for k, start, stop in zip(shared.tolist(), lo, hi, strict=True):
        bucket = [previous.ids[o] for o in previous.owners[start:stop].tolist()]
        bucket += members.get(k, [])
        if len(bucket) <= dedup.SMALL_BUCKET or min(bucket) in pair:
            count += 1
    return count >= dedup.MIN_SHARED_BUCKETS


def _groups(articles: Sequence[Article], merges: Sequence[Merge]) -> Groups:
    """The partition the merges make, in ``group_articles``' order: groups by their
    smallest id, articles by id."""
    ordered = sorted(articles, key=lambda a: a.id)
    at = {a.id: n for n, a in enumerate(ordered)}
    parent = list(range(len(ordered)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for m in merges:
        ri, rj = find(at[m.a]), find(at[m.b])
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[Article]] = {}
    for i, article in enumerate(ordered):
        groups.setdefault(find(i), []).append(article)
    return tuple(tuple(g) for g in groups.values())
