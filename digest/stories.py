"""Stories made from groups of copies, before they are placed: their founder, lead,
dates, tags and slug (see ``digest.dedup.group_stories``).

Apart from ``digest.dedup`` so that a build which folds elsewhere (in a forked half,
see ``digest.build``) makes its stories without importing numpy (0.11 s a process).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo

from digest.identity import stable_id
from digest.model import Article, Story


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


def _story(group: Sequence[Article], now: datetime, tz: tzinfo) -> Story:
    """The story of a group of copies (see ``group_stories``)."""
    dates = sorted(a.published for a in group if a.published is not None)
    published = (dates[0] if dates else now).astimezone(tz)
    founder = _founder(group)
    in_order = tuple(sorted(group, key=lambda a: (a.published is None, a.published or now, a.id)))
    tags: dict[str, None] = {}
    for article in in_order:
        tags.update(dict.fromkeys(article.tags))
    lead = _lead(group)
    return Story(
        id=stable_id(founder.id),
        slug=(founder.title_slug or slugify(founder.slug or founder.title)) or "story",
        lead=lead,
        articles=in_order,
        published=published,
        updated=dates[-1].astimezone(tz) if dates else published,
        tags=tuple(tags),
        summary=lead.summary,
    )


def _single_story(only: Article, now: datetime, tz: tzinfo) -> Story:
    """``_story`` of one article, without its sorting: most stories have one copy."""
    published = (only.published or now).astimezone(tz)
    return Story(
        id=stable_id(only.id),
        slug=(only.title_slug or slugify(only.slug or only.title)) or "story",
        lead=only,
        articles=(only,),
        published=published,
        updated=published,
        tags=tuple(dict.fromkeys(only.tags)),
        summary=only.summary,
    )


def story_of_group(group: Sequence[Article], now: datetime, tz: tzinfo = UTC) -> Story:
    """The story of one group of copies, before it is placed (see ``group_stories``)."""
    return _single_story(group[0], now, tz) if len(group) == 1 else _story(group, now, tz)


def newest_first(story: Story) -> tuple[float, str]:
    """The order of stories made from groups (before they are placed): newest first, then
    by id."""
    return (-story.published.timestamp(), story.id)


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
