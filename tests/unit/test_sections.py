"""Sections: archives grouped in one pass over the days, memoized topic and outlet folders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath

from digest.model import Article, Story
from digest.sections import make_sections, outlet_folder, paginate, topic_folder

START = datetime(2024, 12, 30, 23, 0, tzinfo=UTC)


def _stories(n: int) -> list[Story]:
    """Stories every nine hours from the end of 2024 on: several a day, over three months
    and two years, with tags that share a slug and outlets that repeat."""
    out = []
    for i in range(n):
        outlets = ("Daily", "Wire", "Daily") if i % 3 == 0 else ("Wire",)
        arts = tuple(Article(f"a{i}{k}", f"a{i}{k}.md", o, f"T{i}") for k, o in enumerate(outlets))
        tags = ("AI", "ai") if i % 4 == 0 else ("Climate Change",) if i % 4 == 1 else ()
        when = START + timedelta(hours=9 * i)
        out.append(Story(f"s{i}", f"s{i}", arts[0], arts, when, when, tags))
    return sorted(out, key=lambda s: (-s.published.timestamp(), s.id))


def _prefix_stories(stories: list[Story], prefix: str) -> list[str]:
    """The stories of a month or year as the archive always picked them: every day that
    starts with the prefix, newest day first, each day's stories in their order."""
    by_day: dict[str, list[Story]] = {}
    for s in stories:
        by_day.setdefault(s.published.strftime("%Y/%m/%d"), []).append(s)
    return [s.id for d in sorted(by_day, reverse=True) if d.startswith(prefix) for s in by_day[d]]


def test_months_and_years_hold_the_stories_of_their_days() -> None:
    stories = _stories(300)
    sections = make_sections(stories, 7)
    assert [str(m.folder) for m in sections.months] == [
        "2025/04",
        "2025/03",
        "2025/02",
        "2025/01",
        "2024/12",
    ]
    assert [str(y.folder) for y in sections.years] == ["2025", "2024"]
    for listing in sections.months + sections.years:
        assert [s.id for s in listing.stories] == _prefix_stories(stories, str(listing.folder))
        assert listing.first_folder == listing.folder
    assert sections.months[0].title == "April 2025"
    assert sections.years[1].description == "Every month of 2024 with stories."


def test_older_pages_are_numbered_from_the_oldest() -> None:
    stories = _stories(11)
    ids = [s.id for s in stories]
    pages = paginate(stories, 3, PurePosixPath("2025/01/02"), "2 January 2025", "h", "d", "day")
    assert (
        [(str(p.folder), p.page, [s.id for s in p.stories]) for p in pages]
        == [
            ("2025/01/02", 0, ids[:5]),  # the first page holds 3 to 5
            ("2025/01/02/page/2", 2, ids[5:8]),
            ("2025/01/02/page/1", 1, ids[8:]),  # page 1: the oldest
        ]
    )
    assert [p.title for p in pages] == [
        "2 January 2025",
        "2 January 2025 (page 2)",
        "2 January 2025 (page 1)",
    ]
    assert [str(p.newer) for p in pages] == ["None", "2025/01/02", "2025/01/02/page/2"]
    assert [str(p.older) for p in pages] == ["2025/01/02/page/2", "2025/01/02/page/1", "None"]
    assert {p.first_folder for p in pages} == {PurePosixPath("2025/01/02")}


def test_a_story_arriving_at_the_top_changes_only_the_first_page() -> None:
    stories = _stories(100)
    before = {str(x.folder): x.stories for x in make_sections(stories[1:], 7).front}
    after = {str(x.folder): x.stories for x in make_sections(stories, 7).front}
    assert [f for f in after if after[f] != before.get(f)] == ["."]
    assert list(before) == ["."] + [f"page/{n}" for n in range(13, 0, -1)]
    assert len(before["."]) == 99 - 13 * 7


def test_tags_sharing_a_slug_make_one_topic_named_by_the_first() -> None:
    stories = _stories(12)
    sections = make_sections(stories, 100)
    topics = {str(t.folder): t for t in sections.topics}
    assert list(topics) == ["topics/ai", "topics/climate-change"]
    assert topics["topics/ai"].title == "Ai" and topics["topics/ai"].heading == "Topic: AI"
    # A story tagged both "AI" and "ai" is listed under each tag, as it always was.
    tagged = [s.id for s in stories if s.tags[:1] == ("AI",)]
    assert [s.id for s in topics["topics/ai"].stories] == [i for i in tagged for _ in range(2)]
    outlets = {str(o.folder): [s.id for s in o.stories] for o in sections.outlets}
    assert outlets["outlets/daily"] == [
        s.id for s in stories if "Daily" in {a.outlet for a in s.articles}
    ]
    assert len(outlets["outlets/wire"]) == 12


def test_folders_are_memoized_path_objects() -> None:
    assert topic_folder("Climate Change") is topic_folder("Climate Change")
    assert str(topic_folder("!!!")) == "topics/topic"
    assert outlet_folder("London Daily") is outlet_folder("London Daily")
    assert str(outlet_folder("")) == "outlets/outlet"


def test_no_stories_make_one_empty_front_page() -> None:
    sections = make_sections([], 10)
    assert [(str(x.folder), x.stories) for x in sections.listings] == [(".", ())]
