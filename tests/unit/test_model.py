"""The model's values: stories placed and summarized keep every other field."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.model import Article, Story, is_plain_path

A = Article("a", "a.md", "Outlet", "Title")
B = Article("b", "b.md", "Other", "Title")
STORY = Story(
    "id1",
    "slug",
    B,
    (A, B),
    datetime(2025, 7, 14, 12, tzinfo=UTC),
    datetime(2025, 7, 15, 12, tzinfo=UTC),
    ("tag",),
    ("One.",),
    "2025/07/14/slug",
)


def test_placed_and_summarized_change_only_their_fields() -> None:
    assert [f.name for f in dataclasses.fields(Story)] == [
        "id", "slug", "lead", "articles", "published", "updated", "tags", "summary", "folder",
    ], "Story.placed and Story.summarized spell out every field: add a new one there"  # fmt: skip
    assert STORY.placed("id2", "x/y") == dataclasses.replace(STORY, id="id2", folder="x/y")
    assert STORY.summarized(("Two.",)) == dataclasses.replace(STORY, summary=("Two.",))


def test_a_story_is_in_its_folder_once_given_else_its_day_and_slug() -> None:
    assert STORY.path == PurePosixPath("2025/07/14/slug")
    assert STORY.placed("id1", "elsewhere/a").path == PurePosixPath("elsewhere/a")
    assert STORY.placed("id1", "").path == STORY.dated_path == PurePosixPath("2025/07/14/slug")
    assert STORY.placed("id1", "a//b/").path == PurePosixPath("a/b")
    for folder in ("2025/07/14/slug", "a//b/", "", "./x"):
        placed = STORY.placed("id1", folder)
        assert placed.place == str(placed.path)


@given(st.lists(st.sampled_from(["a", "2025", ".", "..", "", "b-c", " ", ".x"]), max_size=5))
def test_a_plain_folder_is_written_by_pathlib_as_it_is(parts: list[str]) -> None:
    folder = "/".join(parts)
    if is_plain_path(folder):
        assert str(PurePosixPath(folder)) == folder


def test_slot_maker_makes_what_the_class_makes_and_refuses_what_it_cannot_make() -> None:
    from digest.model import make_article, make_story, slot_maker

    a = Article("a", "a.md", "Daily", "Rain", published=datetime(2025, 7, 14, tzinfo=UTC))
    values = [getattr(a, f.name) for f in dataclasses.fields(Article)]
    made = make_article(*values)
    assert made == a and hash(made) == hash(a) and repr(made) == repr(a)
    assert make_article("b", "b.md", "Daily", "Sun") == Article("b", "b.md", "Daily", "Sun")
    story = Story("s", "s", a, (a,), a.published, a.published, ("x",))
    assert make_story("s", "s", a, (a,), a.published, a.published, ("x",)) == story

    @dataclasses.dataclass(frozen=True, slots=True)
    class KeywordOnly:
        a: str
        b: str = dataclasses.field(default="", kw_only=True)

    @dataclasses.dataclass(frozen=True, slots=True)
    class Factory:
        a: list[str] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(frozen=True)
    class Unslotted:
        a: str

    for cls in (KeywordOnly, Factory, Unslotted):
        with pytest.raises(TypeError, match="expected a slotted dataclass"):
            slot_maker(cls)
