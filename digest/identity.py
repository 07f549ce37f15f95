"""Stable story identity across builds, pure.

A story's id and URL are given once, when it first appears, and kept: a copy that joins
later, a longer copy that becomes the lead, or a new story with the same headline on the
same day never moves an existing story to another address. What was given is recorded
in the site itself (``.digest-identity.json``), so the record is published, and swapped
in, together with the pages it describes.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from json.encoder import encode_basestring

from digest.model import Story

IDENTITY_FILE = ".digest-identity.json"


def stable_id(text: str) -> str:
    """A short, stable hexadecimal id for a string.

    >>> stable_id("a") == stable_id("a") != stable_id("b")
    True
    """
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Identities:
    """Which story each article belonged to, and each story's folder in the site."""

    story_of: Mapping[str, str] = field(default_factory=dict)
    folder_of: Mapping[str, str] = field(default_factory=dict)
    first_seen: Mapping[str, str] = field(default_factory=dict)
    """When a story none of whose copies carries a date was first built (ISO 8601)."""

    def to_json(self) -> bytes:
        """The record as ``json.dumps(..., indent=1, ensure_ascii=False)`` writes it, keys
        sorted: written line by line with json's own string quoting, since json's
        encoder runs in Python when it indents (0.12 s for 18,000 entries a build).

        >>> print(Identities({"a": "s1"}, {"s1": "2025/07/14/x"}).to_json().decode(), end="")
        {
         "stories": {
          "s1": "2025/07/14/x"
         },
         "articles": {
          "a": "s1"
         },
         "first_seen": {}
        }
        """
        parts = [
            _json_section("stories", self.folder_of),
            _json_section("articles", self.story_of),
            _json_section("first_seen", self.first_seen),
        ]
        return ("{\n" + ",\n".join(parts) + "\n}\n").encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Identities:
        """Read a record; anything malformed reads as no record (ids are given afresh).

        >>> Identities.from_json(b"not json").folder_of
        {}
        """
        try:
            raw = json.loads(data)
            stories, articles = dict(raw["stories"]), dict(raw["articles"])
            first_seen = dict(raw.get("first_seen", {}))
            for value in first_seen.values():
                datetime.fromisoformat(value)
        except (ValueError, KeyError, TypeError, AttributeError):
            return cls()
        pairs = [*stories.items(), *articles.items(), *first_seen.items()]
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in pairs):
            return cls()
        return cls(articles, stories, first_seen)


def _json_section(name: str, values: Mapping[str, str]) -> str:
    """One member of the record (a map of strings, keys sorted) as json indents it."""
    q = encode_basestring
    if not values:
        return f" {q(name)}: {{}}"
    lines = ",\n".join([f"  {q(k)}: {q(values[k])}" for k in sorted(values)])
    return f" {q(name)}: {{\n{lines}\n }}"


def claim(story: Story, previous: Identities) -> str | None:
    """The earlier id most of this story's articles held, if any (ties: the smaller id)."""
    if len(story.articles) == 1:  # most stories: no counting needed
        sid = previous.story_of.get(story.articles[0].id)
        return sid if sid is not None and sid in previous.folder_of else None
    held = Counter(previous.story_of[a.id] for a in story.articles if a.id in previous.story_of)
    held = Counter({sid: n for sid, n in held.items() if sid in previous.folder_of})
    return min(held, key=lambda sid: (-held[sid], sid)) if held else None


def keep_identities(
    stories: Sequence[Story], previous: Identities
) -> tuple[tuple[Story, ...], Identities]:
    """Stories with the ids and folders they had before; new stories get fresh ones.

    Where a story of the last build split in two, the part holding most of its articles
    keeps the id. A new folder never takes one already given: a second story with the
    same slug on the same day gets ``-2``. The result keeps the order of ``stories``.

    >>> from datetime import UTC, datetime
    >>> from digest.model import Article
    >>> a, b = Article("a", "a", "", "Rain"), Article("b", "b", "", "Rain")
    >>> day = datetime(2025, 7, 14, tzinfo=UTC)
    >>> old = Identities({"a": "s1"}, {"s1": "2025/07/13/rain"})
    >>> new, record = keep_identities([Story("x9", "rain", b, (a, b), day, day, ())], old)
    >>> new[0].id, str(new[0].path), dict(record.story_of)
    ('s1', '2025/07/13/rain', {'a': 's1', 'b': 's1'})
    """
    winners: dict[str, int] = {}
    for i, story in enumerate(stories):
        sid = claim(story, previous)
        if sid is None:
            continue
        j = winners.get(sid)
        if j is None or (-len(story.articles), story.id) < (
            -len(stories[j].articles),
            stories[j].id,
        ):
            winners[sid] = i
    kept = {i: sid for sid, i in winners.items()}

    result: list[Story | None] = [None] * len(stories)
    used_ids = set(previous.folder_of)
    taken = set(previous.folder_of.values())
    for i, sid in kept.items():
        result[i] = stories[i].placed(sid, previous.folder_of[sid])
    fresh = sorted((i for i in range(len(stories)) if i not in kept), key=lambda i: stories[i].id)
    for i in fresh:
        story = stories[i]
        sid, n = story.id, 1
        while sid in used_ids:
            n += 1
            sid = stable_id(f"{story.id}#{n}")
        used_ids.add(sid)
        base = str(story.dated_path)
        folder, n = base, 1
        while folder in taken:
            n += 1
            folder = f"{base}-{n}"
        taken.add(folder)
        result[i] = story.placed(sid, folder)

    final = tuple(_dated(s, previous) for s in result if s is not None)
    story_of = dict(previous.story_of)
    folder_of = dict(previous.folder_of)
    first_seen = dict(previous.first_seen)
    for story in final:
        sid = story.id
        folder_of[sid] = story.folder
        for article in story.articles:
            story_of[article.id] = sid
        if story.lead.published is None and all(a.published is None for a in story.articles):
            first_seen.setdefault(sid, story.published.isoformat())
    return final, Identities(story_of, folder_of, first_seen)


def _dated(story: Story, previous: Identities) -> Story:
    """A story no copy of which is dated keeps the time it was first built, so that it
    does not look new again in every build."""
    seen = previous.first_seen.get(story.id)
    if seen is None or any(a.published is not None for a in story.articles):
        return story
    when = datetime.fromisoformat(seen).astimezone(story.published.tzinfo)
    return replace(story, published=when, updated=when)
