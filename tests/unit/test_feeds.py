"""stories.json written by hand as json would write it, and feed entries shared between feeds."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from digest import feeds
from digest.config import Config
from digest.model import Article, Story

WHEN = datetime(2025, 7, 14, 9, 30, tzinfo=UTC)
CONFIG = Config(base_url="https://n.example/news/", feed_items=2)

# Everything json must escape or may pass through: quotes, backslashes, control
# characters, non-ASCII letters, the line separators JavaScript dislikes, lone surrogates.
AWKWARD = st.text(
    alphabet=st.sampled_from(
        ['"', "\\", "\n", "\t", "\x00", "\x1f", "é", "–", "\u2028", "😀", "a", "<", "&", "/"]
    )
    | st.characters(),
    max_size=12,
)


def _story(
    n: int, title: str = "T", outlet: str = "Daily", summary: tuple[str, ...] = ("One.",)
) -> Story:
    a = Article(f"a{n}", f"a{n}.md", outlet, title, url=f"https://o.example/{n}", published=WHEN)
    b = Article(f"b{n}", f"b{n}.md", "", title + " (copy)", published=None)
    published = WHEN - timedelta(hours=n)
    return Story(f"s{n}", f"s-{n}", a, (a, b), published, published, ("Tag", "Other"), summary)


def _reference(config: Config, stories: list[Story]) -> bytes:
    """stories.json as it was first written: json's encoder, one dict a line."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    items = [feeds._story_dict(feeds._story_url(config, s), s) for s in stories]
    return ("[\n" + ",\n".join(encode(i) for i in items) + "\n]\n").encode("utf-8")


@given(title=AWKWARD, outlet=AWKWARD, summary=st.lists(AWKWARD, max_size=3))
def test_story_lines_are_what_json_writes(title: str, outlet: str, summary: list[str]) -> None:
    story = _story(1, title, outlet, tuple(summary))
    url = feeds._story_url(CONFIG, story)
    line = feeds._story_line(url, story)
    expected = json.dumps(feeds._story_dict(url, story), ensure_ascii=False, separators=(",", ":"))
    assert line == expected
    assert json.loads(line)["title"] == title


def test_stories_json_matches_the_encoder_byte_for_byte() -> None:
    zones = [UTC, timezone(timedelta(hours=-5)), ZoneInfo("Europe/London")]
    stories = [_story(n) for n in range(5)]
    stories.append(
        Story(
            "z", "z", stories[0].lead, (), WHEN.astimezone(zones[2]), WHEN.astimezone(zones[1]), ()
        )
    )
    assert feeds.stories_json(CONFIG, stories) == _reference(CONFIG, stories)
    assert feeds.stories_json(CONFIG, []) == _reference(CONFIG, []) == b"[\n\n]\n"


def test_stories_json_takes_the_last_builds_line_of_a_story_whose_key_is_unchanged() -> None:
    stories = [_story(n) for n in range(3)]
    keys = {s.id: f"key-{s.id}" for s in stories}
    made: dict[str, bytes] = {}
    fresh = feeds.stories_json(CONFIG, stories, keys, {}, made)
    assert fresh == _reference(CONFIG, stories)
    assert list(made) == list(keys.values())
    kept = {**made, keys[stories[1].id]: b'{"kept":true}'}
    again: dict[str, bytes] = {}
    out = feeds.stories_json(CONFIG, stories, keys, kept, again).decode().split(",\n")
    assert out[1] == '{"kept":true}' and again == kept
    assert feeds.stories_json(CONFIG, stories, {}, kept) == fresh  # no key: made afresh


def test_a_shared_entry_writes_the_same_feed_as_a_new_one() -> None:
    stories = [_story(n) for n in range(4)]
    place = feeds.FeedPlace("topics/tag", "Tag")
    fresh = [feeds.rss(CONFIG, stories, WHEN, place), feeds.atom(CONFIG, stories, WHEN, place)]
    entries = feeds.Entries()
    feeds.rss(CONFIG, stories, WHEN, entries=entries)
    feeds.atom(CONFIG, stories, WHEN, entries=entries)
    # The entries are kept now: the topic's feeds reuse them.
    assert entries.entry(CONFIG, stories[0]) is entries.entry(CONFIG, stories[0])
    again = [
        feeds.rss(CONFIG, stories, WHEN, place, entries),
        feeds.atom(CONFIG, stories, WHEN, place, entries),
    ]
    assert again == fresh
    assert b"<title>T</title>" in fresh[0] and b"<title>T</title>" in fresh[1]


def test_an_entry_is_reused_only_for_the_same_story_and_site() -> None:
    entries = feeds.Entries()
    first = _story(1, "First")
    assert b"First" in feeds.rss(CONFIG, [first], WHEN, entries=entries)
    # An equal id in another story object, or another site, gets its own entry.
    second = _story(1, "Second")
    assert b"Second" in feeds.rss(CONFIG, [second], WHEN, entries=entries)
    other = Config(base_url="https://other.example/", feed_items=2)
    assert b"https://other.example/" in feeds.rss(other, [second], WHEN, entries=entries)
    assert b"https://n.example/" not in feeds.rss(other, [second], WHEN, entries=entries)


def test_sitemap_lists_the_front_page_folders_and_stories() -> None:
    stories = [_story(n) for n in range(2)]
    site = feeds.sitemap(CONFIG, stories, WHEN, ["topics", "a&b"]).decode()
    lines = site.splitlines()
    assert (
        lines[2]
        == f"  <url><loc>https://n.example/news/</loc><lastmod>{WHEN.isoformat()}</lastmod></url>"
    )
    assert lines[4] == "  <url><loc>https://n.example/news/a&amp;b/</loc></url>"
    assert lines[5].startswith("  <url><loc>https://n.example/news/2025/07/14/s-0/</loc><lastmod>")
    assert lines[-1] == "</urlset>"
