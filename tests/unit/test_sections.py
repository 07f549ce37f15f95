"""Sections: archives grouped in one pass over the days, memoized topic and outlet folders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from digest.model import Article, Story
from digest.sections import make_sections, outlet_folder, topic_folder

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


def test_days_are_paginated_newest_first() -> None:
    sections = make_sections(_stories(40), 2)
    days = [(str(d.folder), d.page, d.pages) for d in sections.days]
    assert days[:3] == [("2025/01/14", 1, 1), ("2025/01/13", 1, 2), ("2025/01/13/page/2", 2, 2)]
    assert sections.days[1].title == "13 January 2025"
    assert sections.days[2].title == "13 January 2025 (page 2)"


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
