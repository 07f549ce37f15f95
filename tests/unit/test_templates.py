"""The theme's story cards: rendered once per story and build, and the same either way."""

from __future__ import annotations

from datetime import UTC, datetime

from markupsafe import escape

from digest.config import Config
from digest.model import Article, Story
from digest.render import Renderer

WHEN = datetime(2025, 7, 14, 9, 30, tzinfo=UTC)
CARDS = '{% from "_macros.html" import story_card %}'


def _story(title: str, sources: int = 1, summary: tuple[str, ...] = ("One <b>.", "Two.")) -> Story:
    a = Article("a", "a.md", "Daily", title)
    return Story("s1", "s-1", a, (a,) * sources, WHEN, WHEN, (), summary)


def _card(story: Story, heading: str = "h2") -> str:
    """A card as the theme's story_card macro wrote it, one macro call a card."""
    sources = "source" if len(story.articles) == 1 else "sources"
    summary = (
        f'      <p class="summary">{escape(" ".join(story.summary))}</p>\n' if story.summary else ""
    )
    return (
        '  <li class="story-card">\n    <article>\n'
        f'      <{heading}><a href="/news/2025/07/14/s-1/">{escape(story.title)}</a></{heading}>\n'
        f'      <p class="meta"><time datetime="{WHEN.isoformat()}">14 July 2025</time> · '
        f"{len(story.articles)} {sources}</p>\n"
        f"{summary}    </article>\n  </li>\n"
    )


def test_cards_are_the_macro_cards_each_followed_by_an_empty_line() -> None:
    r = Renderer(Config(base_url="https://n.example/news/"), WHEN)
    one, two = _story("A & B"), _story("Two", sources=2, summary=())
    page = r.env.from_string(CARDS + "{{ story_cards(stories) }}|{{ story_card(one, 'h3') }}|")
    assert page.render(stories=[one, two, one], one=one) == (
        f"{_card(one)}\n{_card(two)}\n{_card(one)}\n|{_card(one, 'h3')}|"
    )


def test_a_kept_card_is_only_reused_for_the_same_story_and_heading() -> None:
    r = Renderer(Config(base_url="https://n.example/news/"), WHEN)
    page = r.env.from_string(CARDS + "{{ story_cards(stories, heading) }}")
    first = _story("First")
    assert "First" in page.render(stories=[first], heading="h2")
    # Same id, another story object: rendered afresh, never the kept card.
    second = _story("Second")
    assert page.render(stories=[second], heading="h2") == f"{_card(second)}\n"
    assert page.render(stories=[second], heading="h3") == f"{_card(second, 'h3')}\n"
    # Another build's environment keeps nothing of this one's.
    fresh = Renderer(Config(base_url="https://n.example/news/"), WHEN)
    later = fresh.env.from_string(CARDS + "{{ story_cards(stories, 'h2') }}")
    assert later.render(stories=[first]) == f"{_card(first)}\n"
