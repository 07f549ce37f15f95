"""Folding copies of one story together, pure, seeded and independent of input order.

A copy is recognised by *containment*: the share of the smaller text's 5-word shingles
that lie inside the larger text. Republished copies are truncated, re-headlined and
wrapped in other chrome, so their Jaccard similarity is low (the two seed files: 0.18)
while containment stays high (0.85). Headlines are never compared.

Candidate pairs come from MinHash LSH so that the work grows with the number of
articles, not its square: each text gets 128 one-permutation MinHash values (one hash
pass over its shingles, values binned by their top bits), every (bin, value) is a bucket,
and two texts that share at least two buckets are a candidate pair. Candidates are then
checked exactly. This is written here rather than taken from datasketch because
datasketch's LSH bands for Jaccard, not containment, and ``import datasketch`` pulls in
scipy at 0.84 s a process start; the banding below is a few dozen lines over numpy.

``group_articles`` gives what ``is_copy`` on every pair of ``candidate_pairs`` gives, but
is built for 100,000 articles and more: texts are fingerprinted in batches, tokenized by
numpy over their UTF-8 bytes; of each fingerprint only its bucket keys and two bytes a
shingle are kept; candidates, most of which share no more than a stock phrase, are
turned down by an upper bound on their shared shingles counted on those two bytes; and
only the few that pass are measured exactly, from fingerprints made again.
"""

from __future__ import annotations

import bisect
import itertools
import re
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

import numpy as np
import numpy.typing as npt
import xxhash

from digest import halves
from digest.model import Article, Merge, Story
from digest.stories import newest_first, story_of_group

SHINGLE_WORDS = 5
MIN_WORDS = 8
BINS = 128
MIN_SHARED_BUCKETS = 2
SMALL_BUCKET = 32
SEED = 0x5EED

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
U16 = npt.NDArray[np.uint16]

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# Spelling variants that are one word to a reader: folded to one form before hashing.
_SPELLING = (
    (re.compile(r"isation(s?)$"), r"ization\1"),
    (re.compile(r"is(e|ed|es|ing)$"), r"iz\1"),
    (re.compile(r"ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"(?<=[^aeiou])our(s|ed|ing|ite|ites|able|ably|er|ers|hood|hoods)?$"), r"or\1"),
    (re.compile(r"tre(s?)$"), r"ter\1"),
    (re.compile(r"ll(ed|ing|er)$"), r"l\1"),
    (re.compile(r"ogue$"), "og"),
)


# One look tells whether a word can have a variant at all; most words cannot.
_FOLDABLE = re.compile(
    r"(?:isations?|is(?:e|ed|es|ing)|ys(?:e|ed|es|ing)|tres?|ll(?:ed|ing|er)|ogue"
    r"|our(?:s|ed|ing|ite|ites|able|ably|er|ers|hood|hoods)?)$"
)


def fold_spelling(word: str) -> str:
    """One spelling for words that differ only by British or American spelling.

    >>> [fold_spelling(w) for w in ["organisation's", "colours", "centre", "travelled", "four"]]
    ["organization's", 'colors', 'center', 'traveled', 'four']
    """
    stem, apostrophe, rest = word.partition("'")
    if len(stem) <= 4 or not _FOLDABLE.search(stem):
        return word
    for pattern, repl in _SPELLING:
        stem = pattern.sub(repl, stem)
    return stem + apostrophe + rest


def words(text: str) -> list[str]:
    """The text's words, case-folded, apostrophes unified, spelling variants folded.

    >>> words("The Organisation's colour-coded centre")
    ['the', "organization's", 'color', 'coded', 'center']
    """
    raw = _WORD.findall(text.casefold().replace("’", "'"))
    folded = {w: fold_spelling(w) for w in set(raw)}
    return [folded[w] for w in raw]


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """An article's shingle hashes (sorted, unique) and its word count."""

    shingles: U64
    words: int


_MULT = np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0xD6E8FEB86659FD93)
_BIN_SHIFT = np.uint64(57)  # 2**7 == BINS: a mixed value's top 7 bits are its bin
_NATIVE_U64 = struct.Struct("=Q")


class _TokenHashes(dict[str, bytes]):
    """Each token's word hashes, as native uint64 bytes, made on first use.

    Cutting a text at whitespace and looking the pieces up here gives the same words as
    running ``_WORD`` over the whole text: a match never contains whitespace, and case
    folding is done character by character and never makes whitespace out of anything
    else, nor anything else out of whitespace (``test_dedup`` checks that for every code
    point). Keeping bytes makes a text's word hashes one ``bytes.join``.
    """

    __slots__ = ("_words",)

    def __init__(self) -> None:
        super().__init__()
        self._words: dict[str, int] = {}

    def __missing__(self, token: str) -> bytes:
        words = self._words
        values = []
        for word in _WORD.findall(token.casefold().replace("’", "'")):
            value = words.get(word)
            if value is None:
                value = words[word] = xxhash.xxh64_intdigest(fold_spelling(word).encode(), SEED)
            values.append(value)
        data = self[token] = b"".join(map(_NATIVE_U64.pack, values))
        return data


# The bytes of UTF-8 text that a word can contain (ASCII letters, digits and the
# apostrophe, and every byte of a non-ASCII character) translate to 1, all others to 0.
# Every other byte is an ASCII character that no word contains, case-folded or not, so
# a text cut at such bytes has, piece by piece, the words of the whole.
_TOKEN_BYTES = bytes(1 if b >= 0x80 or chr(b) == "'" or chr(b).isalnum() else 0 for b in range(256))
# Tokens of up to 16 bytes are told apart by their bytes, read as two integers.
_SHORT = 16
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)
_K1 = np.uint64(0x9E3779B97F4A7C15)
_K2 = np.uint64(0xC2B2AE3D27D4EB4F)
# Slots of the direct-mapped memo of token ids that ``Vocabulary.batch_hashes`` keeps.
_SLOT_BITS = 18


class Vocabulary:
    """Each word's hash (of its folded spelling), remembered for one build.

    News reuses a vocabulary of some tens of thousands of words, so folding and hashing
    each distinct word once, rather than each occurrence, is most of the speed of
    fingerprinting; the same goes for each token between spaces or punctuation. Make
    one per build; it is not shared between builds.

    >>> Vocabulary().hashes("Colour color").tolist()[0] == Vocabulary().hashes("color").tolist()[0]
    True
    """

    __slots__ = ("_by_bytes", "_by_key", "_ids", "_slots", "_tokens")

    def __init__(self) -> None:
        self._tokens = _TokenHashes()
        # For batch_hashes: token ids (an id's word hashes are _ids.hashes[id]) by a
        # short token's bytes as one integer, by a long token's bytes, and a memo of the
        # ids of the short tokens last seen, one per slot (bytes as two integers, id).
        self._by_key: dict[int, int] = {}
        self._by_bytes: dict[bytes, int] = {}
        self._ids = _TokenIds()
        # Made on first use: most vocabularies only ever serve ``hashes``.
        self._slots: tuple[U64, U64, I64] | None = None

    def hash_bytes(self, text: str) -> bytes:
        """The hash of every word of ``text``, in order, as native uint64 bytes.

        >>> len(Vocabulary().hash_bytes("The cat's mat, again!"))
        32
        """
        return b"".join(map(self._tokens.__getitem__, text.split()))

    def hashes(self, text: str) -> U64:
        """The hash of every word of ``text``, in order.

        >>> Vocabulary().hashes("colour-coded, centre").size
        3
        """
        return np.frombuffer(self.hash_bytes(text), dtype=np.uint64).copy()

    def batch_hashes(self, texts: Sequence[str]) -> tuple[U64, I64]:
        """The hashes of every word of each text, concatenated, and each text's word
        count: ``hashes`` of each text, for many texts at once.

        The texts are cut into tokens by numpy over one buffer of UTF-8, at bytes no word
        contains; a token of up to 16 bytes is then two integers, looked up first in a
        memo of one token per slot (a hit needs both integers equal) and only otherwise
        in a dictionary. This does in numpy what ``hashes`` does a token at a time.

        >>> vocabulary = Vocabulary()
        >>> hashes, counts = vocabulary.batch_hashes(["Colour-coded, isn't it?", "", "centre"])
        >>> counts.tolist(), hashes.tolist() == vocabulary.hashes("colour coded isn't it centre").tolist()
        ([4, 0, 1], True)
        """
        encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
        sizes = np.array([len(e) + 1 for e in encoded], dtype=np.int64)
        # Each text followed by a newline (no part of a word), then padding so that 16
        # bytes can be read from wherever a token starts.
        buf = b"\n".join(encoded) + bytes(_SHORT + 1)
        del encoded
        inside = np.frombuffer(b"\0" + buf.translate(_TOKEN_BYTES), dtype=np.bool_)
        # Padding before and after, so edges alternate: where a token starts, where it ends.
        edges = np.flatnonzero(inside[1:] != inside[:-1])
        del inside
        starts, lengths = edges[0::2], edges[1::2] - edges[0::2]
        del edges
        ids = np.empty(starts.size, dtype=np.int64)
        short = lengths <= _SHORT
        if short.all():
            ids[:] = self._short_ids(buf, starts, lengths)
        else:
            at = np.flatnonzero(short)
            ids[at] = self._short_ids(buf, starts[at], lengths[at])
            for k in np.flatnonzero(~short).tolist():
                ids[k] = self._long_id(buf[starts[k] : starts[k] + lengths[k]])
        firsts, counts, flat = self._ids.arrays()
        per_token = counts[ids]
        if per_token.size and per_token.min() == 1 and per_token.max() == 1:
            hashes = flat[firsts[ids]]
            words = np.arange(starts.size + 1)
        else:
            ends = np.cumsum(per_token)
            total = int(ends[-1]) if ends.size else 0
            hashes = flat[np.repeat(firsts[ids] - (ends - per_token), per_token) + np.arange(total)]
            words = np.concatenate(([0], ends))
        bounds = np.searchsorted(starts, np.cumsum(sizes))
        bounds = np.concatenate(([0], bounds))
        return hashes, words[bounds[1:]] - words[bounds[:-1]]

    def _long_id(self, token: bytes) -> int:
        """The id of a token of more than 16 bytes."""
        found = self._by_bytes.get(token)
        if found is None:
            found = self._by_bytes[token] = self._ids.add(self._tokens, token)
        return found

    def _short_ids(self, buf: bytes, starts: I64, lengths: I64) -> I64:
        """The token ids of tokens of up to 16 bytes at ``starts`` in ``buf``."""
        loads = np.ndarray((len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))
        low = loads[starts] & _LOW_BYTES[np.minimum(lengths, 8)]
        high = np.zeros(starts.size, dtype=np.uint64)
        longer = np.flatnonzero(lengths > 8)
        high[longer] = loads[starts[longer] + 8] & _LOW_BYTES[lengths[longer] - 8]
        with np.errstate(over="ignore"):
            slot = ((low * _K1 ^ high * _K2) >> np.uint64(64 - _SLOT_BITS)).astype(np.intp)
        if self._slots is None:
            size = 1 << _SLOT_BITS
            self._slots = (
                np.zeros(size, np.uint64),
                np.zeros(size, np.uint64),
                np.zeros(size, np.int64),
            )
        slot_low, slot_high, slot_id = self._slots
        ids = slot_id[slot]
        # An empty slot holds zeros, which no token is (a token has a byte other than 0).
        missed = np.flatnonzero((slot_low[slot] != low) | (slot_high[slot] != high))
        if missed.size:
            by_key, tokens, add = self._by_key, self._tokens, self._ids.add
            begins = starts[missed].tolist()
            sizes = lengths[missed].tolist()
            keys = [
                a | (b << 64)
                for a, b in zip(low[missed].tolist(), high[missed].tolist(), strict=True)
            ]
            found = list(map(by_key.get, keys))
            for k, value in enumerate(found):
                if value is None:
                    value = by_key.get(keys[k])  # the same new token seen earlier here
                    if value is None:
                        token = buf[begins[k] : begins[k] + sizes[k]]
                        value = by_key[keys[k]] = add(tokens, token)
                    found[k] = value
            values = np.array(found, dtype=np.int64)
            ids[missed] = values
            # Remember them, one token per slot, so that a slot's three values agree.
            where, one = np.unique(slot[missed], return_index=True)
            chosen = missed[one]
            slot_low[where], slot_high[where], slot_id[where] = (
                low[chosen],
                high[chosen],
                values[one],
            )
        return ids


class _TokenIds:
    """Token ids and their word hashes: ``flat[firsts[id] : firsts[id] + counts[id]]``."""

    __slots__ = ("_arrays", "_counts", "_firsts", "_flat")

    def __init__(self) -> None:
        self._flat = bytearray()
        self._firsts: list[int] = []
        self._counts: list[int] = []
        self._arrays = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.uint64))

    def add(self, tokens: _TokenHashes, token: bytes) -> int:
        """A new id for ``token`` (UTF-8 bytes), with its words' hashes."""
        data = tokens[token.decode("utf-8", "surrogatepass")]
        self._firsts.append(len(self._flat) >> 3)
        self._counts.append(len(data) >> 3)
        self._flat += data
        return len(self._firsts) - 1

    def arrays(self) -> tuple[I64, I64, U64]:
        """``firsts``, ``counts`` and ``flat`` as arrays, including every id so far."""
        firsts, counts, flat = self._arrays
        if firsts.size < len(self._firsts):
            firsts = np.array(self._firsts, dtype=np.int64)
            counts = np.array(self._counts, dtype=np.int64)
            flat = np.frombuffer(bytes(self._flat), dtype=np.uint64)
            self._arrays = firsts, counts, flat
        return firsts, counts, flat


def _shingle_hashes(word_hashes: U64) -> U64:
    """``shingle_hashes`` without the short-text check: one value per start position
    ``0 .. size - SHINGLE_WORDS``, each from the five word hashes starting there only."""
    n = word_hashes.size - SHINGLE_WORDS + 1
    acc = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(SHINGLE_WORDS):
            acc *= _MULT
            acc += word_hashes[k : k + n]
            acc ^= acc >> np.uint64(29)
    return acc


def shingle_hashes(word_hashes: U64) -> U64:
    """The hash of every 5-word shingle, in text order (one per position), from the
    hashes of the words; combined with numpy, seeded, the same in every process.

    >>> shingle_hashes(Vocabulary().hashes("one two three four five six")).size
    2
    """
    if word_hashes.size < SHINGLE_WORDS:
        return np.zeros(0, dtype=np.uint64)
    return _shingle_hashes(word_hashes)


def fingerprint(paragraphs: Iterable[str], vocabulary: Vocabulary | None = None) -> Fingerprint:
    """The 5-word shingles of a text, hashed to sorted unique 64-bit values.

    >>> fingerprint(["one two three four five six"]).shingles.size
    2
    """
    hashes = (vocabulary or Vocabulary()).hashes(" ".join(paragraphs))
    return Fingerprint(np.unique(shingle_hashes(hashes)), int(hashes.size))


PADDED_MOST = 1 << 22
"""The most cells (texts times the longest text's shingles) ``fingerprints`` pads into one
table, 32 MB: past it (a 100,000-word text among a feed's thousand entries would need
gigabytes) each text is made unique by itself."""


def fingerprints(
    texts: Sequence[Iterable[str]], vocabulary: Vocabulary | None = None
) -> list[Fingerprint]:
    """``fingerprint`` of each text (its paragraphs), worked out for all of them at once.

    One ``Vocabulary.batch_hashes`` and one pass of shingle hashing over the batch cost
    less than a call a text (32 articles of the benchmark corpus: 0.20 ms an article
    against 0.32); each text's shingles are those that start and end inside it.

    >>> texts = [["one two three four five six"], [], ["a b c d e", "f"]]
    >>> [(f.shingles.tolist() == fingerprint(t).shingles.tolist(), f.words) for f, t in
    ...  zip(fingerprints(texts), texts)]
    [(True, 6), (True, 0), (True, 6)]
    """
    hashes, words = (vocabulary or Vocabulary()).batch_hashes([" ".join(t) for t in texts])
    counts = np.maximum(words - (SHINGLE_WORDS - 1), 0)
    shingles = _shingle_hashes(hashes) if hashes.size >= SHINGLE_WORDS else hashes[:0]
    starts = np.cumsum(words) - words
    if not counts.size:
        return []
    width = max(int(counts.max()), 1)
    if counts.size * width > PADDED_MOST:  # one long text among many: text by text
        return [
            Fingerprint(np.unique(shingles[start : start + count]), size)
            for start, count, size in zip(
                starts.tolist(), counts.tolist(), words.tolist(), strict=True
            )
        ]
    # Each text's shingles sorted and made unique all at once, a row per text padded with
    # the largest value (a row's own values are its first counts[k] once sorted, whatever
    # they are): np.unique a text cost more than its shingling (0.14 ms an article).
    inside = np.arange(width) < counts[:, None]
    table = np.full((counts.size, width), np.iinfo(np.uint64).max, dtype=np.uint64)
    positions = np.repeat(starts, counts) + (
        np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    )
    table[inside] = shingles[positions]
    table.sort(axis=1)
    distinct = inside
    distinct[:, 1:] &= table[:, 1:] != table[:, :-1]
    rows = np.split(table[distinct], np.cumsum(distinct.sum(axis=1))[:-1])
    return [Fingerprint(row, size) for row, size in zip(rows, words.tolist(), strict=True)]


def containment(a: U64, b: U64) -> tuple[float, float]:
    """(share of a's shingles inside b, share of b's shingles inside a).

    >>> containment(np.array([1, 2, 3, 4], dtype=np.uint64), np.array([3, 4, 5], dtype=np.uint64))
    (0.5, 0.6666666666666666)
    """
    if a.size == 0 or b.size == 0:
        return 0.0, 0.0
    shared = np.intersect1d(a, b, assume_unique=True).size
    return shared / a.size, shared / b.size


def _mix(shingles: U64) -> U64:
    """The shingle hashes as MinHash bins them: a bijection of 64-bit values, so two sets
    of mixed values share exactly as many values as the sets they were mixed from."""
    with np.errstate(over="ignore"):
        mixed = shingles * _MIX
        mixed ^= mixed >> np.uint64(32)
    return mixed


def _buckets(fp: Fingerprint) -> U64:
    """One-permutation MinHash: the smallest mixed hash in each of BINS bins, as keys."""
    if fp.shingles.size == 0:
        return np.zeros(0, dtype=np.uint64)
    order = np.sort(_mix(fp.shingles))
    bins = order >> _BIN_SHIFT
    first = np.ones(order.size, dtype=bool)
    first[1:] = bins[1:] != bins[:-1]
    return order[first]


def bucket_keys(fp: Fingerprint) -> U64:
    """A text's MinHash bucket keys, ascending: the smallest mixed shingle hash of each
    of the BINS bins its shingles fall in (the top 7 bits of a key are its bin).

    >>> keys = bucket_keys(fingerprint(["one two three four five six seven eight nine"]))
    >>> keys.size, bool((np.diff(keys) > 0).all())
    (5, True)
    """
    return _buckets(fp)


SPLIT_MIN = 4000
"""Texts from which a cold folding does half of its two longest steps (the pair codes and
the bounds) in a forked process (see ``digest.halves``)."""


def _pair_codes(keys: U64, present: npt.NDArray[np.bool_], n: int) -> list[I64]:
    """``candidate_pairs``' rule over a table of bucket keys: every pair of texts that
    share a bucket, once per bucket, as codes ``i * n + j`` (see ``_shared_enough``).

    ``keys[b, i]`` is text ``i``'s key in bin ``b`` where ``present[b, i]``. Keys of
    different bins never meet (a key's top bits are its bin), so buckets are formed one
    bin at a time, which keeps the sorting small. From SPLIT_MIN texts, the second half
    of the bins is done by a forked process meanwhile (the codes' order does not matter).
    """
    if n < SPLIT_MIN:
        return _bin_codes(keys, present, n, range(keys.shape[0]))
    from digest.halves import in_halves

    half = keys.shape[0] // 2
    there, found = in_halves(
        lambda: _joined(_bin_codes(keys, present, n, range(half, keys.shape[0]))),
        lambda: _bin_codes(keys, present, n, range(half)),
    )
    return [*found, there]


def _joined(codes: list[I64]) -> I64:
    return np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64)


def _bin_codes(keys: U64, present: npt.NDArray[np.bool_], n: int, bins: range) -> list[I64]:
    """``_pair_codes`` of the given bins."""
    found: list[I64] = []
    for b in bins:
        rows = np.flatnonzero(present[b])
        if rows.size < 2:
            continue
        values = keys[b, rows]
        order = np.argsort(values)
        values, rows = values[order], rows[order]
        change = np.empty(values.size, dtype=bool)
        change[0] = True
        np.not_equal(values[1:], values[:-1], out=change[1:])
        starts = np.flatnonzero(change)
        sizes = np.diff(np.append(starts, values.size))
        crowded = sizes >= 2
        starts, sizes = starts[crowded], sizes[crowded]
        for size in np.unique(sizes).tolist():
            # Each row a bucket's texts in ascending order, as the rule wants them.
            groups = np.sort(rows[starts[sizes == size][:, None] + np.arange(size)], axis=1)
            if size <= SMALL_BUCKET:
                i, j = np.triu_indices(size, 1)
                found.append((groups[:, i] * n + groups[:, j]).ravel())
            else:
                found.append((groups[:, :1] * n + groups[:, 1:]).ravel())
    return found


def _shared_enough(found: list[I64]) -> I64:
    """The codes that occur at least MIN_SHARED_BUCKETS times in ``found`` (emptied, so
    that its arrays are freed as soon as they are joined), sorted and unique."""
    if not found:
        return np.zeros(0, dtype=np.int64)
    codes = np.concatenate(found)
    found.clear()
    codes.sort()
    if MIN_SHARED_BUCKETS == 2:
        # A code equal to its successor occurs twice or more; this spares the large
        # arrays of run starts and counts that np.unique would make.
        repeated: I64 = codes[:-1][codes[1:] == codes[:-1]]
        del codes
        keep = np.empty(repeated.size, dtype=bool)
        keep[:1] = True
        np.not_equal(repeated[1:], repeated[:-1], out=keep[1:])
        return repeated[keep]
    values, counts = np.unique(codes, return_counts=True)
    return values[counts >= MIN_SHARED_BUCKETS]


def _key_table(keys: Sequence[U64]) -> tuple[U64, npt.NDArray[np.bool_]]:
    """Bucket keys of texts (each as ``_buckets`` gives them) as a table by bin and text."""
    table = np.zeros((BINS, len(keys)), dtype=np.uint64)
    present = np.zeros((BINS, len(keys)), dtype=bool)
    if keys:
        sizes = [k.size for k in keys]
        values = np.concatenate(keys)
        bins = (values >> _BIN_SHIFT).astype(np.intp)
        texts = np.repeat(np.arange(len(keys)), sizes)
        table[bins, texts] = values
        present[bins, texts] = True
    return table, present


def candidate_pairs(fps: Sequence[Fingerprint]) -> list[tuple[int, int]]:
    """Index pairs (i < j) sharing at least MIN_SHARED_BUCKETS MinHash buckets.

    A bucket of up to SMALL_BUCKET texts pairs every two of them; a larger one (a phrase
    many texts share, or a story a great many outlets carried) pairs its first text with
    each other, so that its cost grows with its size, not the square of it, and the
    copies of a widely carried story still meet. Counting is done in numpy.

    >>> same = Fingerprint(np.arange(1, 400, dtype=np.uint64), 400)
    >>> candidate_pairs([same, same, Fingerprint(np.arange(1000, 1400, dtype=np.uint64), 400)])
    [(0, 1)]
    """
    table, present = _key_table([_buckets(fp) for fp in fps])
    n = len(fps)
    codes = _shared_enough(_pair_codes(table, present, n))
    return list(zip((codes // n).tolist(), (codes % n).tolist(), strict=True))


def is_copy(a: Fingerprint, b: Fingerprint, threshold: float) -> Merge | None:
    """The merge evidence when one text lies inside the other, else None.

    Texts under MIN_WORDS words never fold by shingles alone.
    """
    if a.words < MIN_WORDS or b.words < MIN_WORDS:
        return None
    ab, ba = containment(a.shingles, b.shingles)
    if max(ab, ba) < threshold:
        return None
    return Merge("", "", ab, ba, threshold)


# How many texts are fingerprinted together: enough that numpy's per-call cost is spread
# thin, few enough that the batch's temporaries (a few megabytes) stay in cache; 256 was
# the quickest of 64 to 1024 on 20,000 generated articles.
_BATCH = 256


PRINT_THREADS_MIN = 8
"""Batches from which ``_prints`` shares them between two threads."""


@dataclass(frozen=True, slots=True)
class _Prints:
    """What folding keeps of every text's fingerprint, in a few arrays: ``size[i]``, how
    many distinct shingles text ``i`` has; ``words[i]``, its word count; and
    ``signatures``, the low 16 bits of each of its mixed shingle hashes (``_mix``, sorted),
    text after text, in chunks. Two bytes a shingle rather than eight: enough to bound
    the shingles two texts share, and the exact sets are made again for the few pairs
    that need them (``_exact``).
    """

    signatures: list[U16]
    size: I64
    words: I64


def _batch_shingles(
    batch: Sequence[Article], known: Mapping[str, Fingerprint], vocabulary: Vocabulary
) -> tuple[U64, I64, I64]:
    """The shingle hashes of a batch of texts (not sorted, duplicates kept), concatenated;
    how many each text has; and each text's word count."""
    given: dict[int, Fingerprint] = {}
    texts: list[str] = []
    for k, article in enumerate(batch):
        fp = known.get(article.id)
        if fp is not None:
            given[k] = fp
            texts.append("")
        else:
            texts.append(" ".join(article.paragraphs))
    hashes, words = vocabulary.batch_hashes(texts)
    del texts
    counts = np.maximum(words - (SHINGLE_WORDS - 1), 0)
    if hashes.size >= SHINGLE_WORDS:
        # Shingles over the whole batch at once; those that straddle two texts are left out.
        ends = np.cumsum(counts)
        firsts = np.cumsum(words) - words - (ends - counts)
        positions = np.repeat(firsts, counts) + np.arange(int(ends[-1]))
        shingles = _shingle_hashes(hashes)[positions]
    else:
        shingles = np.zeros(0, dtype=np.uint64)
    del hashes
    if given:
        ends = np.cumsum(counts)
        pieces = []
        for k in range(len(batch)):
            fp = given.get(k)
            if fp is None:
                pieces.append(shingles[ends[k] - counts[k] : ends[k]])
            else:
                pieces.append(fp.shingles)
                counts[k] = fp.shingles.size
                words[k] = fp.words
        shingles = np.concatenate(pieces)
    return shingles, counts, words


def _sorted_batch(
    batch: Sequence[Article], known: Mapping[str, Fingerprint], vocabulary: Vocabulary
) -> tuple[U64, npt.NDArray[np.bool_], npt.NDArray[np.bool_], I64]:
    """A batch's mixed shingle hashes as a table, a row per text, sorted; where a row holds
    a text's values; where it holds their distinct values; and each text's word count."""
    shingles, counts, words = _batch_shingles(batch, known, vocabulary)
    # Rows padded with the largest value and sorted row by row: a text's values are then
    # the first counts[k] of its row, whatever they are.
    width = max(int(counts.max()), 1) if counts.size else 1
    table = np.full((len(batch), width), np.iinfo(np.uint64).max, dtype=np.uint64)
    inside = np.arange(width) < counts[:, None]
    table[inside] = _mix(shingles)
    del shingles
    table.sort(axis=1)
    distinct = inside.copy()
    distinct[:, 1:] &= table[:, 1:] != table[:, :-1]
    return table, inside, distinct, words


def _prints(
    ordered: Sequence[Article], known: Mapping[str, Fingerprint], vocabulary: Vocabulary
) -> tuple[_Prints, U64, npt.NDArray[np.bool_]]:
    """Fingerprint the texts batch by batch, keeping only compact arrays: the prints, and
    the table of bucket keys that ``_pair_codes`` reads (by bin, then text).

    When every fingerprint is known (a build's are, from its cache), the batches are
    shared between two threads: a batch is mostly numpy sorting and indexing, which
    runs without the GIL, and each batch writes only its own columns of the tables
    (10,000 articles: 0.36 s in one thread, 0.21 s in two). The vocabulary, which
    fingerprints the others, is not made to be shared.
    """
    n = len(ordered)
    keys = np.zeros((BINS, n), dtype=np.uint64)
    present = np.zeros((BINS, n), dtype=bool)
    starts = range(0, n, _BATCH)
    signatures: list[U16] = [np.zeros(0, dtype=np.uint16)] * len(starts)
    sizes = np.zeros(n, dtype=np.int64)
    words = np.zeros(n, dtype=np.int64)

    def one_batch(number: int) -> None:
        lo = starts[number]
        batch = ordered[lo : lo + _BATCH]
        table, inside, distinct, batch_words = _sorted_batch(batch, known, vocabulary)
        words[lo : lo + len(batch)] = batch_words
        signatures[number] = table[distinct].astype(np.uint16)
        sizes[lo : lo + len(batch)] = distinct.sum(axis=1)
        # A bin's key is the first (smallest) value of its run of the sorted row.
        bins = table >> _BIN_SHIFT
        first = inside
        first[:, 1:] &= bins[:, 1:] != bins[:, :-1]
        text, column = np.nonzero(first)
        where = bins[text, column].astype(np.intp), text + lo
        keys[where] = table[text, column]
        present[where] = True

    shared = len(starts) >= PRINT_THREADS_MIN and all(a.id in known for a in ordered)
    if shared and halves.cores() >= 2:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            for _ in pool.map(one_batch, range(len(starts))):
                pass
    else:
        for number in range(len(starts)):
            one_batch(number)
    return _Prints(signatures, sizes, words), keys, present


def _bounds(prints: _Prints, first: I64, second: I64) -> I64:
    """For pairs (``first`` sorted, then ``second``), at least how many shingles each
    pair shares, counted on the signatures.

    Text ``i``'s signatures set flags in a table of 2**16 and each partner counts its
    signatures that find a flag: every shared shingle does, and about one other in a
    hundred. Pairs are taken a run of one ``i`` at a time, and its partners together.
    """
    signatures = np.concatenate(prints.signatures) if prints.signatures else np.zeros(0, np.uint16)
    sizes = prints.size
    ends = np.cumsum(sizes)
    begin, end = (ends - sizes).tolist(), ends.tolist()
    their = sizes[second]
    cuts = np.flatnonzero(first[1:] != first[:-1]) + 1
    bounds = [0, *cuts.tolist(), first.size]
    # Where each partner's flags start among its run's.
    runs = np.cumsum(their) - their
    offsets = runs - np.repeat(runs[bounds[:-1]], np.diff(bounds))
    heads, partners = first.tolist(), second.tolist()

    def count(runs: Sequence[int]) -> I64:
        """The bounds of the pairs from ``runs[0]`` to ``runs[-1]``."""
        shared = np.zeros(runs[-1] - runs[0], dtype=np.int64)
        mark = np.zeros(1 << 16, dtype=bool)
        for lo, hi in itertools.pairwise(runs):
            i = heads[lo]
            # Index arrays of intp, and take(): numpy's quick paths (uint16 indices are not).
            own = signatures[begin[i] : end[i]].astype(np.intp)
            mark[own] = True
            others = [signatures[begin[j] : end[j]] for j in partners[lo:hi]]
            hits = mark.take(np.concatenate(others) if len(others) > 1 else others[0])
            mark[own] = False
            at = lo - runs[0]
            shared[at : at + hi - lo] = np.add.reduceat(hits, offsets[lo:hi], dtype=np.int32)
        return shared

    if len(sizes) < SPLIT_MIN:
        return count(bounds)
    from digest.halves import in_halves

    # The runs of the first half of the pairs in a forked process, the rest here: by
    # pairs, not runs, since a text early in id order has the most partners (j > i).
    middle = min(max(bisect.bisect_left(bounds, first.size // 2), 1), len(bounds) - 1)
    before, rest = in_halves(lambda: count(bounds[: middle + 1]), lambda: count(bounds[middle:]))
    return np.concatenate([before, rest])


def _exact(
    ordered: Sequence[Article],
    known: Mapping[str, Fingerprint],
    vocabulary: Vocabulary,
    wanted: Iterable[int],
) -> dict[int, U64]:
    """The mixed shingle hashes (sorted, unique) of the texts ``wanted``, by index."""
    out: dict[int, U64] = {}
    todo = sorted(set(wanted))
    for lo in range(0, len(todo), _BATCH):
        which = todo[lo : lo + _BATCH]
        table, _, distinct, _ = _sorted_batch([ordered[k] for k in which], known, vocabulary)
        values = table[distinct]
        del table
        rows = np.split(values, np.cumsum(distinct.sum(axis=1))[:-1])
        out.update(zip(which, rows, strict=True))
    return out


def _copies(
    ordered: Sequence[Article],
    known: Mapping[str, Fingerprint],
    vocabulary: Vocabulary,
    prints: _Prints,
    codes: I64,
    threshold: float,
) -> list[tuple[int, int, float, float]]:
    """The candidate pairs (sorted codes ``i * n + j``) that ``is_copy`` would fold, with
    their containments, in code order.

    Most candidates share only a stock phrase or two, and are turned down by the upper
    bound of ``_bounds`` on their shared shingles: a pair whose bound falls short of the
    threshold cannot fold. The others are measured exactly with ``containment`` on their
    mixed hashes, a bijection of the shingles, so the counts are those of the shingles.
    """
    n = len(ordered)
    first, second = codes // n, codes % n
    small = (prints.words < MIN_WORDS) | (prints.size == 0)
    wanted = ~(small[first] | small[second])
    first, second = first[wanted], second[wanted]
    if first.size == 0:
        return []
    shared = _bounds(prints, first, second)
    sizes = prints.size
    # Written as the negation of is_copy's rejection, so that a NaN threshold keeps all.
    keep = ~(np.maximum(shared / sizes[first], shared / sizes[second]) < threshold)
    first, second = first[keep].tolist(), second[keep].tolist()
    exact = _exact(ordered, known, vocabulary, [*first, *second])
    found: list[tuple[int, int, float, float]] = []
    for i, j in zip(first, second, strict=True):
        ab, ba = containment(exact[i], exact[j])
        if max(ab, ba) < threshold:
            continue
        found.append((i, j, ab, ba))
    return found


def group_articles(
    articles: Sequence[Article],
    threshold: float,
    fingerprints: Mapping[str, Fingerprint] | None = None,
    buckets: Callable[[U64, npt.NDArray[np.bool_]], None] | None = None,
) -> tuple[tuple[tuple[Article, ...], ...], tuple[Merge, ...]]:
    """Partition articles into groups of copies, with every merge that joined them.

    The result does not depend on the order of ``articles``: groups are sorted by their
    smallest article id, and articles inside a group by id. ``fingerprints`` (by article
    id, e.g. from the build cache) spare the fingerprinting of the articles they cover.
    ``buckets``, when given, is handed the table of bucket keys (``keys[bin, i]`` where
    ``present[bin, i]``; text ``i`` in id order), which a folding index keeps.

    The same as checking ``is_copy`` on every pair of ``candidate_pairs``, in their
    order, but with the fingerprints held in a few large arrays and most candidates
    turned down by a cheap bound (``_copies``), which is what makes 100,000 articles fit
    in a minute and a couple of gigabytes.

    >>> from digest.model import Block
    >>> text = "Ukraine and Russia called for intensified diplomatic efforts on Sunday."
    >>> a = Article("a", "a.txt", "A", "One", blocks=(Block("p", text, text),))
    >>> b = Article("b", "b.txt", "B", "Two", blocks=(Block("p", text + " More.", text),))
    >>> groups, merges = group_articles([b, a], 0.5)
    >>> [[x.id for x in g] for g in groups], [(m.a, m.b) for m in merges]
    ([['a', 'b']], [('a', 'b')])
    """
    ordered = sorted(articles, key=lambda a: a.id)
    n = len(ordered)
    known = fingerprints or {}
    vocabulary = Vocabulary()
    prints, keys, present = _prints(ordered, known, vocabulary)
    if buckets is not None:
        buckets(keys, present)
    found = _pair_codes(keys, present, n)
    # The key table is not needed any more: freed before the pair codes are joined.
    del keys, present
    copies = _copies(ordered, known, vocabulary, prints, _shared_enough(found), threshold)
    del prints
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    merges: list[Merge] = []
    for i, j, ab, ba in copies:
        merges.append(Merge(ordered[i].id, ordered[j].id, ab, ba, threshold))
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[Article]] = {}
    for i, article in enumerate(ordered):
        groups.setdefault(find(i), []).append(article)
    return tuple(tuple(g) for g in groups.values()), tuple(merges)


def group_stories(
    articles: Sequence[Article],
    threshold: float,
    now: datetime,
    tz: tzinfo = UTC,
    fingerprints: Mapping[str, Fingerprint] | None = None,
    grouped: tuple[Sequence[Sequence[Article]], tuple[Merge, ...]] | None = None,
) -> tuple[tuple[Story, ...], tuple[Merge, ...]]:
    """Fold copies into stories, newest first; ``now`` dates a story none of whose copies is dated.
    A story's summary is its lead's own (``Article.summary``), where loading worked it out.
    ``grouped``, when given, is the folding already done (``group_articles``' result, as
    ``digest.foldindex.fold`` gives it for a build that only added articles).

    A story's dates are given in the site's time zone ``tz``, so that its folder
    (``YYYY/MM/DD``) is the day the site's readers saw it.

    >>> from datetime import UTC
    >>> from digest.model import Block
    >>> text = "Ukraine and Russia called for intensified diplomatic efforts on Sunday to avert war."
    >>> a = Article("a", "a.txt", "A", "One", blocks=(Block("p", text, text),))
    >>> b = Article("b", "b.txt", "B", "Two", blocks=(Block("p", text + " More.", text),))
    >>> stories, merges = group_stories([a, b], 0.5, datetime(2025, 7, 14, tzinfo=UTC))
    >>> len(stories), [x.id for x in stories[0].articles]
    (1, ['a', 'b'])
    """
    groups, merges = grouped or group_articles(articles, threshold, fingerprints)
    stories = [story_of_group(group, now, tz) for group in groups]
    return tuple(sorted(stories, key=newest_first)), merges


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why two texts are, or are not, one story."""

    same_story: bool
    containment_ab: float
    containment_ba: float
    threshold: float
    shared_buckets: int
    words_a: int
    words_b: int
    passages: tuple[str, ...]
    reason: str


def shared_passages(a: Iterable[str], b: Iterable[str], most: int = 3) -> tuple[str, ...]:
    """The longest runs of words of text ``a`` that also stand in text ``b``, longest first.

    >>> shared_passages(["the cat sat on the mat today"], ["a cat sat on the mat today too"])
    ('cat sat on the mat today',)
    """
    vocabulary = Vocabulary()
    text_a = " ".join(a)
    tokens = words(text_a)
    hashes_a = shingle_hashes(vocabulary.hashes(text_a))
    inside = np.isin(hashes_a, shingle_hashes(vocabulary.hashes(" ".join(b))))
    runs: list[tuple[int, int]] = []
    start = None
    for i, hit in enumerate([*inside.tolist(), False]):
        if hit and start is None:
            start = i
        elif not hit and start is not None:
            runs.append((start, i - 1 + SHINGLE_WORDS))
            start = None
    runs.sort(key=lambda r: (r[0] - r[1], r[0]))
    return tuple(" ".join(tokens[s:e]) for s, e in runs[:most])


def explain(a: Article, b: Article, threshold: float) -> Explanation:
    """Whether two articles are one story, with the evidence: containment both ways,
    the threshold, the MinHash buckets they share and the passages they share.
    """
    fa, fb = fingerprint(a.paragraphs), fingerprint(b.paragraphs)
    ab, ba = containment(fa.shingles, fb.shingles)
    shared = int(np.intersect1d(_buckets(fa), _buckets(fb)).size)
    if fa.words < MIN_WORDS or fb.words < MIN_WORDS:
        same, reason = False, f"a text under {MIN_WORDS} words never folds by shingles alone"
    elif max(ab, ba) >= threshold:
        same, reason = (
            True,
            f"{max(ab, ba):.0%} of the smaller text lies inside the larger (threshold {threshold:.0%})",
        )
    else:
        same, reason = (
            False,
            f"at most {max(ab, ba):.0%} of either text lies inside the other (threshold {threshold:.0%})",
        )
    if same and shared < MIN_SHARED_BUCKETS:
        reason += (
            f"; but they share only {shared} MinHash bucket(s), so a build would not compare them"
        )
        same = False
    return Explanation(
        same,
        ab,
        ba,
        threshold,
        shared,
        fa.words,
        fb.words,
        shared_passages(a.paragraphs, b.paragraphs),
        reason,
    )
