"""Shells (digest.shells): the stories a rebuild keeps from the last build are exactly
the stories it would have made, placed and summarized again."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.dedup import group_stories
from digest.identity import Identities, keep_identities, stable_id
from digest.model import Article, Block, Story
from digest.shells import Shells, group_key, place_stories, shells_key
from digest.summarize import summarize

ZONE = ZoneInfo("Europe/London")
NOW = datetime(2025, 7, 14, 12, tzinfo=UTC)
DATES = [
    None,
    datetime(2025, 7, 13, 9, tzinfo=UTC),
    datetime(2025, 7, 13, 9, tzinfo=timezone(timedelta(hours=2))),
    datetime(2025, 10, 26, 0, 30, tzinfo=UTC),  # the hour London's clocks go back
    datetime(2025, 10, 26, 1, 30, tzinfo=UTC),
    datetime(2025, 7, 14, 12, tzinfo=UTC),
    # Dates given without an offset are placed in the site's zone as they are: a local
    # time the clocks skipped, and one they passed twice (each time).
    datetime(2025, 3, 30, 1, 30, tzinfo=ZONE),
    datetime(2025, 10, 26, 1, 30, tzinfo=ZONE),
    datetime(2025, 10, 26, 1, 30, fold=1, tzinfo=ZONE),
    datetime(1, 1, 1, tzinfo=ZONE),  # a placeholder date
]
TITLES = ["Rain", "Rain", "Ferry returns", "Budget vote"]


def _article(n: int, draw: st.DrawFn, version: int = 0) -> Article:
    if draw(st.integers(0, 4)) == 0:  # a whole article with no summary of its own yet
        text = f"Rain fell on the city for the {n}th day. Roads were closed."
        return Article(
            f"a{n:02d}",
            f"f{n:02d}.md",
            "Daily",
            draw(st.sampled_from(TITLES)),
            published=draw(st.sampled_from(DATES)),
            blocks=(Block("p", text, text),),
        )
    return Article(
        f"a{n:02d}",
        f"f{n:02d}.md",
        draw(st.sampled_from(["Daily", "Courier", ""])),
        draw(st.sampled_from(TITLES)) + (" again" if version else ""),
        dek=draw(st.sampled_from(["", "A standfirst."])),
        published=draw(st.sampled_from(DATES)),
        tags=tuple(draw(st.lists(st.sampled_from(["Climate", "Transport", "Courts"]), max_size=2))),
        summary=draw(st.sampled_from([(), ("One sentence.",), (f"Version {version}.",)])),
        stub_words=draw(st.integers(1, 40)),
        title_slug="",
    )


def _partition(draw: st.DrawFn, articles: Sequence[Article]) -> tuple[tuple[Article, ...], ...]:
    """Groups as folding gives them: articles by id, groups by their smallest id."""
    labels = [draw(st.integers(0, max(len(articles) // 2, 0))) for _ in articles]
    groups: dict[int, list[Article]] = {}
    for label, article in zip(labels, sorted(articles, key=lambda a: a.id), strict=True):
        groups.setdefault(label, []).append(article)
    return tuple(sorted((tuple(g) for g in groups.values()), key=lambda g: g[0].id))


def _made_afresh(
    groups: Sequence[Sequence[Article]], now: datetime, previous: Identities
) -> tuple[tuple[Story, ...], Identities]:
    """What builds made before shells: group_stories, keep_identities, summarize."""
    stories, _ = group_stories([], 0.5, now, ZONE, grouped=(groups, ()))
    stories, record = keep_identities(stories, previous)
    return tuple(s if s.summary else summarize(s, 3, 120) for s in stories), record


def _dates(stories: Sequence[Story]) -> list[tuple[str, int, str, int]]:
    """Stories' dates as they are written (== on datetimes of one zone ignores fold)."""
    return [
        (s.published.isoformat(), s.published.fold, s.updated.isoformat(), s.updated.fold)
        for s in stories
    ]


def _keys(articles: Sequence[Article]) -> dict[str, str]:
    """Each file's content key: a hash of what its article is (an edit changes it)."""
    return {a.path: hashlib.sha256(repr(a).encode()).hexdigest() for a in articles}


@st.composite
def builds(draw: st.DrawFn) -> list[tuple[tuple[tuple[Article, ...], ...], datetime]]:
    """Three builds' groups of copies and times: articles come, go, come back edited,
    and are folded as before (a rebuild's usual case) or otherwise."""
    out: list[tuple[tuple[tuple[Article, ...], ...], datetime]] = []
    articles: dict[int, Article] = {}
    for n in range(3):
        present = draw(st.sets(st.integers(0, 11), min_size=1))
        for i in sorted(present):
            if i not in articles or draw(st.integers(0, 3)) == 0:  # new, or edited
                articles[i] = _article(i, draw, version=n)
        current = [articles[i] for i in sorted(present)]
        if out and draw(st.booleans()):  # the groups of the last build, where they still are
            where = {a.id: k for k, group in enumerate(out[-1][0]) for a in group}
            grouped: dict[object, list[Article]] = {}
            for a in current:
                grouped.setdefault(where.get(a.id, a.id), []).append(a)
            groups = tuple(sorted((tuple(g) for g in grouped.values()), key=lambda g: g[0].id))
        else:
            groups = _partition(draw, current)
        out.append((groups, NOW + timedelta(hours=draw(st.integers(0, 30)))))
    return out


@settings(max_examples=400, deadline=None)
@given(builds())
def test_a_rebuild_with_shells_makes_the_stories_made_afresh(
    steps: list[tuple[tuple[tuple[Article, ...], ...], datetime]],
) -> None:
    record, shells = Identities(), Shells("", {})
    for groups, now in steps:
        keys = _keys([a for group in groups for a in group])
        made = place_stories(groups, keys, now, ZONE, record, 3, 120)
        kept = place_stories(groups, keys, now, ZONE, record, 3, 120, shells)
        assert kept[:2] == made[:2] == _made_afresh(groups, now, record)
        assert _dates(kept[0]) == _dates(made[0]), "equal datetimes, and written the same"
        assert kept[2] == made[2], "the shells for the next build are the same"
        _, record, by_group, _ = kept
        shells = Shells("", by_group)


def test_an_article_that_comes_back_claims_its_story_from_the_kept_one() -> None:
    """The record names every article that was ever in a story: one that left a story
    and comes back on its own claims the story's id, and the larger group keeps it."""
    a = Article("a", "a.md", "Daily", "Rain", published=DATES[1], summary=("Rain.",), stub_words=5)
    x = Article(
        "x", "x.md", "Courier", "Rain", published=DATES[1], summary=("Rain.",), stub_words=3
    )
    y = Article("y", "y.md", "Courier", "Rain", published=DATES[1], summary=("Wet.",), stub_words=3)
    keys = {"a.md": "1", "x.md": "2", "y.md": "3"}
    _, record, _, _ = place_stories([(a, x, y)], keys, NOW, ZONE, Identities(), 3, 120)
    _, record, shells, _ = place_stories([(a,)], keys, NOW, ZONE, record, 3, 120)
    keys["x.md"] = "2, edited"
    groups = [(a,), (x, y)]
    kept = place_stories(groups, keys, NOW, ZONE, record, 3, 120, Shells("", shells))
    assert kept[:2] == _made_afresh(groups, NOW, record)
    assert len({s.id for s in kept[0]}) == len({s.folder for s in kept[0]}) == 2
    assert [len(s.articles) for s in kept[0] if s.id == stable_id("a")] == [2]


def test_a_date_the_clocks_skipped_is_never_kept_in_a_shell() -> None:
    gap = Article(
        "g",
        "g.md",
        "Daily",
        "Rain",
        published=datetime(2025, 3, 30, 1, 30, tzinfo=ZONE),
        summary=("Rain.",),
    )
    stories, _, shells, _ = place_stories([(gap,)], {"g.md": "1"}, NOW, ZONE, Identities(), 3, 120)
    assert stories[0].published.hour == 1 and shells == {}


def test_a_kept_story_is_filled_from_its_shell_and_keeps_its_page_key() -> None:
    a = Article("a", "a.md", "Daily", "Rain", published=DATES[1], summary=("Rain fell.",))
    b = Article("b", "b.md", "Courier", "Rain", summary=("Rain fell.",), stub_words=9)
    stories, record, shells, _ = place_stories(
        [(a, b)], {"a.md": "1", "b.md": "2"}, NOW, ZONE, Identities(), 3, 120
    )
    with_keys = Shells("k", shells).with_keys({stories[0].id: "page-key"}, "sig")
    again, _, _, known = place_stories(
        [(a, b)], {"a.md": "1", "b.md": "2"}, NOW, ZONE, record, 3, 120, with_keys
    )
    assert again == stories and known == {stories[0].id: "page-key"}
    # A copy edited (its file's key changed) is a group no shell fits: made afresh.
    again, _, _, known = place_stories(
        [(a, b)], {"a.md": "1", "b.md": "3"}, NOW, ZONE, record, 3, 120, with_keys
    )
    assert again == stories and known == {}


def test_a_kept_story_sorts_by_the_id_it_had_before_it_was_placed() -> None:
    """Stories of the same date are ordered by the id they are made with; a story that
    kept an earlier id (a copy published as early joined it, and named it anew) is
    ordered by its new name, kept or made."""
    b = Article("b", "b.md", "Daily", "Rain", published=DATES[1], summary=("Rain.",), stub_words=5)
    a = Article("a", "a.md", "Daily", "Rain", published=DATES[1], summary=("Rain.",), stub_words=3)
    keys = {"a.md": "1", "b.md": "2"}
    # A third story of the same date whose name sorts between the two names of the first.
    low, high = sorted([stable_id("a"), stable_id("b")])
    n = next(n for n in range(1000) if low < stable_id(f"c{n}") < high)
    c = Article(
        f"c{n}", "c.md", "Courier", "Vote", published=DATES[1], summary=("Vote.",), stub_words=4
    )
    keys["c.md"] = "3"
    _, record, shells, _ = place_stories([(b,), (c,)], keys, NOW, ZONE, Identities(), 3, 120)
    made, record, shells, _ = place_stories(
        [(a, b), (c,)], keys, NOW, ZONE, record, 3, 120, Shells("", shells)
    )
    assert made[[s.title for s in made].index("Rain")].id == stable_id("b")  # kept its id
    kept, _, _, _ = place_stories(
        [(a, b), (c,)], keys, NOW, ZONE, record, 3, 120, Shells("", shells)
    )
    assert kept == made == _made_afresh([(a, b), (c,)], NOW, record)[0]


def test_a_group_with_a_file_not_scanned_gets_no_shell() -> None:
    a = Article("a", "a.md", "Daily", "Rain", published=DATES[1], summary=("Rain fell.",))
    _, _, shells, _ = place_stories([(a,)], {"a.md": "1"}, NOW, ZONE, Identities(), 3, 120)
    assert list(shells) == [group_key([a], {"a.md": "1"})] == ["1#a"]
    _, _, shells, _ = place_stories([(a,)], {}, NOW, ZONE, Identities(), 3, 120)
    assert shells == {}


def test_shells_read_back_and_anything_else_reads_as_none() -> None:
    shells = Shells(shells_key("config", b"{}"), {"k#a": ("x",) * 12}, "sig")
    assert Shells.from_bytes(shells.to_bytes()) == shells
    for junk in (None, b"", b"junk", Shells("k", {}).to_bytes()[:-3]):
        assert Shells.from_bytes(junk) is None
    assert shells_key("config", b"{}") != shells_key("config", b"{} ")
    assert shells_key("config", b"{}") != shells_key("other", b"{}")


def test_a_placeholder_date_before_year_one_in_utc_is_never_kept_in_a_shell() -> None:
    """Midnight of 1 January of year 1 in Berlin is still year 0 in UTC."""
    berlin = ZoneInfo("Europe/Berlin")
    first = Article("f", "f.md", "Daily", "Rain", published=datetime(1, 1, 1, tzinfo=berlin))
    stories, _, shells, _ = place_stories(
        [(first,)], {"f.md": "1"}, NOW, berlin, Identities(), 3, 120
    )
    assert stories[0].published.year == 1 and shells == {}
