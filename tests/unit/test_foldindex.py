"""Folding by adding to the previous index gives exactly what folding cold gives."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import dedup
from digest.dedup import fingerprint, group_articles
from digest.foldindex import EMPTY, FoldIndex, fold
from digest.model import Article, Block

WORDS = [f"w{n}" for n in range(60)]


def _article(name: str, text: str) -> Article:
    return Article(name, f"{name}.md", "", name, blocks=(Block("p", text, text),))


def _corpus(seed: int, n: int) -> list[Article]:
    """Originals from a small vocabulary (so unrelated texts share buckets) and copies
    of them, truncated or lightly edited."""
    rng = random.Random(seed)
    out: list[Article] = []
    for i in range(n):
        if out and rng.random() < 0.4:
            base = rng.choice(out).blocks[0].text.split()
            cut = base[: max(8, int(len(base) * rng.uniform(0.5, 1.0)))]
            if rng.random() < 0.5:
                cut[rng.randrange(len(cut))] = rng.choice(WORDS)
            text = " ".join(cut)
        else:
            text = " ".join(rng.choices(WORDS, k=rng.randint(4, 60)))
        out.append(_article(f"a{rng.randrange(10_000):04}-{i}", text))
    return out


def _prints(articles: list[Article]) -> dict[str, dedup.Fingerprint]:
    return {a.id: fingerprint(a.paragraphs) for a in articles}


def _tokens(articles: list[Article]) -> dict[str, str]:
    return {a.id: a.blocks[0].text for a in articles}


def _ids(groups: tuple[tuple[Article, ...], ...]) -> list[list[str]]:
    return [[a.id for a in g] for g in groups]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    size=st.integers(2, 40),
    steps=st.lists(st.integers(1, 8), min_size=1, max_size=4),
    small=st.sampled_from([2, 3, 32]),
)
def test_adding_equals_folding_cold(seed: int, size: int, steps: list[int], small: int) -> None:
    articles = _corpus(seed, size + sum(steps))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dedup, "SMALL_BUCKET", small)
        index: FoldIndex | None = None
        upto = size
        for step in [0, *steps]:
            upto += step
            now = articles[:upto]
            groups, merges, index = fold(now, 0.5, _tokens(now), _prints, index)
            cold_groups, cold_merges = group_articles(now, 0.5)
            assert _ids(groups) == _ids(cold_groups)
            assert merges == cold_merges
            assert FoldIndex.from_bytes(index.to_bytes()) == index


def test_a_removed_or_changed_article_folds_cold() -> None:
    articles = _corpus(1, 30)
    _, _, index = fold(articles, 0.5, _tokens(articles), _prints)
    asked: list[int] = []

    def prints(xs: list[Article]) -> dict[str, dedup.Fingerprint]:
        asked.append(len(xs))
        return _prints(xs)

    fewer = articles[1:]
    groups, merges, _ = fold(fewer, 0.5, _tokens(fewer), prints, index)
    assert asked == [29], "every article was fingerprinted: a cold folding"
    assert (_ids(groups), merges) == (
        _ids(group_articles(fewer, 0.5)[0]),
        group_articles(fewer, 0.5)[1],
    )
    changed = {**_tokens(articles), articles[3].id: "edited"}
    asked.clear()
    fold(articles, 0.5, changed, prints, index)
    assert asked == [30]


def test_adding_asks_only_for_the_new_articles_and_their_candidates() -> None:
    articles = _corpus(2, 200)
    old, new = articles[:199], articles[199:]
    _, _, index = fold(old, 0.5, _tokens(old), _prints)
    asked: list[str] = []

    def prints(xs: list[Article]) -> dict[str, dedup.Fingerprint]:
        asked.extend(a.id for a in xs)
        return _prints(xs)

    fold(articles, 0.5, _tokens(articles), prints, index)
    assert asked[0] == new[0].id
    assert len(asked) < 100, "old articles that share no candidate pair are not fingerprinted"


def test_the_index_survives_bytes_and_rejects_garbage() -> None:
    articles = _corpus(3, 20)
    _, _, index = fold(articles, 0.5, _tokens(articles), _prints)
    assert FoldIndex.from_bytes(index.to_bytes()) == index
    assert FoldIndex.from_bytes(index.to_bytes()[:-3]) is None
    assert FoldIndex.from_bytes(b"") is None
    assert FoldIndex.from_bytes(EMPTY.to_bytes()) == EMPTY


@pytest.mark.parametrize("seed", [4, 5])
def test_the_index_keeps_exactly_every_articles_bucket_keys(seed: int) -> None:
    """A cold folding takes the bucket keys from group_articles rather than hashing them
    again: they must be _buckets' keys, article by article."""
    articles = sorted(_corpus(seed, 60), key=lambda a: a.id)
    _, _, index = fold(articles, 0.5, _tokens(articles), _prints)
    prints = _prints(articles)
    for n, article in enumerate(articles):
        mine = np.sort(index.keys[index.owners == n])
        assert mine.tolist() == dedup._buckets(prints[article.id]).tolist(), article.id


@pytest.mark.parametrize("count", range(9))
def test_a_kept_index_reads_back_as_aligned_views_of_the_file(tmp_path: Path, count: int) -> None:
    """Whatever the length of its head, an index read from the cache has arrays that are
    aligned views of the file's bytes: numpy copies an unaligned array at every search."""
    from digest.cache import Cache

    ids = tuple("x" * (k + 1) for k in range(count))  # heads of every length modulo 8
    keys = np.arange(3 * count, dtype=np.uint64)
    index = FoldIndex(0.5, ids, ids, keys, np.arange(3 * count, dtype=np.int32), ())
    cache = Cache(tmp_path)
    cache.keep("fold", index.to_parts())
    kept = cache.read_kept("fold")
    assert kept is not None
    back = FoldIndex.from_bytes(kept)
    assert back == index
    for array in (back.keys, back.owners):
        assert array.flags.aligned and not array.flags.owndata
    unaligned = FoldIndex.from_bytes(memoryview(b"?" + bytes(kept))[1:])
    assert unaligned == index and unaligned.keys.flags.aligned
