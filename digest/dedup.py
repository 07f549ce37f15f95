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
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

import numpy as np
import numpy.typing as npt
import xxhash

from digest.identity import stable_id
from digest.model import Article, Merge, Story

SHINGLE_WORDS = 5
MIN_WORDS = 8
BINS = 128
MIN_SHARED_BUCKETS = 2
SMALL_BUCKET = 32
SEED = 0x5EED

U64 = npt.NDArray[np.uint64]

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


class Vocabulary:
    """Each word's hash (of its folded spelling), remembered for one build.

    News reuses a vocabulary of some tens of thousands of words, so folding and hashing
    each distinct word once, rather than each occurrence, is most of the speed of
    fingerprinting. Make one per build; it is not shared between builds.

    >>> Vocabulary().hashes("Colour color").tolist()[0] == Vocabulary().hashes("color").tolist()[0]
    True
    """

    def __init__(self) -> None:
        self._hash: dict[str, int] = {}

    def hashes(self, text: str) -> U64:
        """The hash of every word of ``text``, in order."""
        raw = _WORD.findall(text.casefold().replace("’", "'"))
        known = self._hash
        get = known.get
        values = [get(w) for w in raw]
        if None in values:
            for i, value in enumerate(values):
                if value is None:
                    word = raw[i]
                    value = known.get(word)
                    if value is None:
                        value = known[word] = xxhash.xxh64_intdigest(
                            fold_spelling(word).encode(), SEED
                        )
                    values[i] = value
        return np.array(values, dtype=np.uint64)


def shingle_hashes(word_hashes: U64) -> U64:
    """The hash of every 5-word shingle, in text order (one per position), from the
    hashes of the words; combined with numpy, seeded, the same in every process.

    >>> shingle_hashes(Vocabulary().hashes("one two three four five six")).size
    2
    """
    if word_hashes.size < SHINGLE_WORDS:
        return np.zeros(0, dtype=np.uint64)
    n = word_hashes.size - SHINGLE_WORDS + 1
    acc = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(SHINGLE_WORDS):
            acc = acc * _MULT + word_hashes[k : k + n]
            acc ^= acc >> np.uint64(29)
    return acc


def fingerprint(paragraphs: Iterable[str], vocabulary: Vocabulary | None = None) -> Fingerprint:
    """The 5-word shingles of a text, hashed to sorted unique 64-bit values.

    >>> fingerprint(["one two three four five six"]).shingles.size
    2
    """
    hashes = (vocabulary or Vocabulary()).hashes(" ".join(paragraphs))
    return Fingerprint(np.unique(shingle_hashes(hashes)), int(hashes.size))


def containment(a: U64, b: U64) -> tuple[float, float]:
    """(share of a's shingles inside b, share of b's shingles inside a).

    >>> containment(np.array([1, 2, 3, 4], dtype=np.uint64), np.array([3, 4, 5], dtype=np.uint64))
    (0.5, 0.6666666666666666)
    """
    if a.size == 0 or b.size == 0:
        return 0.0, 0.0
    shared = np.intersect1d(a, b, assume_unique=True).size
    return shared / a.size, shared / b.size


def _buckets(fp: Fingerprint) -> U64:
    """One-permutation MinHash: the smallest mixed hash in each of BINS bins, as keys."""
    if fp.shingles.size == 0:
        return np.zeros(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        mixed = fp.shingles * np.uint64(0xD6E8FEB86659FD93)
        mixed ^= mixed >> np.uint64(32)
    order = np.sort(mixed)
    bins = order >> np.uint64(57)
    first = np.ones(order.size, dtype=bool)
    first[1:] = bins[1:] != bins[:-1]
    return order[first]


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
    keys = [_buckets(fp) for fp in fps]
    if not keys:
        return []
    owner = np.concatenate([np.full(k.size, i, dtype=np.int64) for i, k in enumerate(keys)])
    allkeys = np.concatenate(keys)
    order = np.lexsort((owner, allkeys))
    allkeys, owner = allkeys[order], owner[order]
    starts = np.flatnonzero(np.r_[True, allkeys[1:] != allkeys[:-1]])
    sizes = np.diff(np.r_[starts, allkeys.size])
    n = np.int64(len(fps))
    encoded: list[npt.NDArray[np.int64]] = []
    for size in np.unique(sizes[sizes >= 2]).tolist():
        groups = owner[starts[sizes == size][:, None] + np.arange(size)]
        if size <= SMALL_BUCKET:
            i, j = np.triu_indices(size, 1)
            encoded.append((groups[:, i] * n + groups[:, j]).ravel())
        else:
            encoded.append((groups[:, :1] * n + groups[:, 1:]).ravel())
    if not encoded:
        return []
    pairs, counts = np.unique(np.concatenate(encoded), return_counts=True)
    hits = pairs[counts >= MIN_SHARED_BUCKETS]
    return [(int(p // n), int(p % n)) for p in hits]


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


def group_articles(
    articles: Sequence[Article],
    threshold: float,
    fingerprints: Mapping[str, Fingerprint] | None = None,
) -> tuple[tuple[tuple[Article, ...], ...], tuple[Merge, ...]]:
    """Partition articles into groups of copies, with every merge that joined them.

    The result does not depend on the order of ``articles``: groups are sorted by their
    smallest article id, and articles inside a group by id. ``fingerprints`` (by article
    id, e.g. from the build cache) spare the fingerprinting of the articles they cover.
    """
    ordered = sorted(articles, key=lambda a: a.id)
    vocabulary = Vocabulary()
    known = fingerprints or {}
    fps = [known.get(a.id) or fingerprint(a.paragraphs, vocabulary) for a in ordered]
    parent = list(range(len(ordered)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    merges: list[Merge] = []
    for i, j in candidate_pairs(fps):
        evidence = is_copy(fps[i], fps[j], threshold)
        if evidence is None:
            continue
        merges.append(
            Merge(
                ordered[i].id,
                ordered[j].id,
                evidence.containment_ab,
                evidence.containment_ba,
                threshold,
            )
        )
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[Article]] = {}
    for i, article in enumerate(ordered):
        groups.setdefault(find(i), []).append(article)
    return tuple(tuple(g) for g in groups.values()), tuple(merges)


def _founder(group: Sequence[Article]) -> Article:
    """The copy a story is named after: the first published (undated last), then by id."""
    return min(
        group,
        key=lambda a: (a.published is None, a.published.timestamp() if a.published else 0.0, a.id),
    )


def _lead(group: Sequence[Article]) -> Article:
    """The most complete copy: most words, then the one with a standfirst, then by id."""
    if len(group) == 1:
        return group[0]
    return min(group, key=lambda a: (-a.word_count, not a.dek, a.id))


def group_stories(
    articles: Sequence[Article],
    threshold: float,
    now: datetime,
    tz: tzinfo = UTC,
    fingerprints: Mapping[str, Fingerprint] | None = None,
    grouped: tuple[Sequence[Sequence[Article]], tuple[Merge, ...]] | None = None,
) -> tuple[tuple[Story, ...], tuple[Merge, ...]]:
    """Fold copies into stories, newest first; ``now`` dates a story none of whose copies is dated.
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
    stories = []
    for group in groups:
        dates = sorted(a.published for a in group if a.published is not None)
        published = (dates[0] if dates else now).astimezone(tz)
        founder = _founder(group)
        in_order = tuple(
            sorted(group, key=lambda a: (a.published is None, a.published or now, a.id))
        )
        tags: dict[str, None] = {}
        for article in in_order:
            tags.update(dict.fromkeys(article.tags))
        stories.append(
            Story(
                id=stable_id(founder.id),
                slug=slugify(founder.slug or founder.title) or "story",
                lead=_lead(group),
                articles=in_order,
                published=published,
                updated=dates[-1].astimezone(tz) if dates else published,
                tags=tuple(tags),
            )
        )
    return tuple(sorted(stories, key=lambda s: (-s.published.timestamp(), s.id))), merges


@functools.lru_cache(maxsize=65536)
def slugify(title: str, max_length: int = 60) -> str:
    """A URL slug from any Unicode headline, transliterated to ASCII.

    >>> slugify("Café reopens after “long” repairs")
    'cafe-reopens-after-long-repairs'

    Memoized: pages name the same topics and outlets thousands of times, and
    python-slugify's transliteration is the slow part. The result depends only on the
    arguments, so the cache cannot change an outcome.
    """
    from slugify import slugify as _slugify

    return str(_slugify(title, max_length=max_length, word_boundary=True))


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
