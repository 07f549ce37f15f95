"""Stories made from groups of copies and placed at their addresses, reusing what the
last build made of every group that is still the same.

A story is a pure function of its copies (loaded under the same settings), the site's
time zone and the build time, and its id and folder of the identity record the last
build wrote. A rebuild that adds one article changes one group of copies; made again,
each of the others gives the story the last build gave, at the address it already has.
So the last build's stories are kept without their articles, as *shells* (a story's
fields, its lead and copies as places in its group), by what their group is made of:
every copy's file (by its content key) and id. A shell is filled with the group's
articles again; only the groups no shell fits are made into stories and placed.

The shells hold for the configuration, the digest version and the identity record they
were made with (``Shells.key``); a build whose inputs differ makes every story again.
What a cold build makes and what a rebuild makes are the same bytes: the shells keep
each story's values exactly, and the order of stories (newest first, by the date and
id a story has before it is placed) is worked out again from what they keep.

Written here because what is reused is this project's own stories and identity rules;
the format is ``marshal``'s, for plain values, as ``digest.heads``'.
"""

from __future__ import annotations

import marshal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from digest.cache import key, program_version
from digest.dedup import _single_story, _story
from digest.identity import Identities, keep_identities
from digest.model import Article, Story
from digest.summarize import summarize

_MAGIC = "digest-shells-4"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

Shell = tuple[Any, ...]
"""A story without its articles: (its id before placing, its date as it sorts before
placing or None when no copy is dated, id, folder, slug, its lead's place in the group,
its copies' places or None when in the group's order, published, updated or None when
the same, tags, summary or None when the lead's, and its page's key or "" when not
known). Dates are microseconds since 1970 (UTC), given in the site's time zone again
when filled."""

_KEY = 11
"""Where a shell keeps its story page's key (``digest.render``'s, for ``Shells.signature``):
a kept story is the same story, so its page's key is the one the last build worked out."""


@dataclass(frozen=True, slots=True)
class Shells:
    """The shells of the stories one build made, by group (see ``group_key``), the key of
    what they were made under (see ``shells_key``), and the signature of the pages their
    keys were worked out for (``digest.render.PageMemo.signature``; "" for none)."""

    key: str
    by_group: Mapping[str, Shell]
    signature: str = ""

    def to_bytes(self) -> bytes:
        """The shells as the cache keeps them; ``from_bytes`` reads them back.

        >>> Shells.from_bytes(Shells("k", {"g": ("a",)}, "s").to_bytes())
        Shells(key='k', by_group={'g': ('a',)}, signature='s')
        """
        return marshal.dumps((_MAGIC, self.key, dict(self.by_group), self.signature))

    def with_keys(self, story_keys: Mapping[str, str], signature: str) -> Shells:
        """These shells with their stories' page keys (by story id) worked out for the
        pages of ``signature``.

        >>> Shells("k", {"g": ("m", None, "s1", *[None] * 8, "")}).with_keys({"s1": "p"}, "sig").by_group["g"][-1]
        'p'
        """
        by_group = {
            group: (*shell[:_KEY], story_keys.get(shell[2], ""))
            for group, shell in self.by_group.items()
        }
        return Shells(self.key, by_group, signature)

    @classmethod
    def from_bytes(cls, blob: bytes | None) -> Shells | None:
        """Shells ``to_bytes`` wrote; None for anything else.

        >>> Shells.from_bytes(b"not shells") is None
        True
        """
        if not blob:
            return None
        try:
            magic, made_under, by_group, signature = marshal.loads(blob)
        except (ValueError, EOFError, TypeError):
            return None
        if (
            magic != _MAGIC
            or not isinstance(made_under, str)
            or not isinstance(by_group, dict)
            or not isinstance(signature, str)
        ):
            return None
        return cls(made_under, by_group, signature)


def shells_key(config_repr: str, record: bytes) -> str:
    """What shells are made under: the digest version, the configuration (its ``repr``)
    and the identity record the stories were placed by (its bytes, as published).

    >>> shells_key("c", b"{}") == shells_key("c", b"{}") != shells_key("c", b"{ }")
    True
    """
    return key(_MAGIC, program_version(), config_repr, record)


def group_key(group: Sequence[Article], file_keys: Mapping[str, str]) -> str | None:
    """What a group of copies is made of: each copy's file, by its content key (its first
    128 bits), and its id where that is not the file's path, in the group's order. None
    when a copy's file has no key (it was not scanned).

    >>> a, b = Article("a.md", "a.md", "", "T"), Article("b", "b.xml", "", "T")
    >>> group_key([a, b], {"a.md": "k1", "b.xml": "k2"})
    'k1\\nk2#b'
    >>> group_key([a], {}) is None
    True
    """
    if len(group) == 1:  # most groups: one copy, from a file of its own
        only = group[0]
        file = file_keys.get(only.path)
        if file is None:
            return None
        return file[:32] if only.id == only.path else f"{file[:32]}#{only.id}"
    parts = []
    for article in group:
        file = file_keys.get(article.path)
        if file is None:
            return None
        parts.append(file[:32] if article.id == article.path else f"{file[:32]}#{article.id}")
    return "\n".join(parts)


def _microseconds(when: datetime) -> int:
    return (when - _EPOCH) // _MICROSECOND


def _shell(story: Story, group: Sequence[Article], made: Story, tz: tzinfo) -> Shell | None:
    """The shell of a placed story made from ``group`` (``made``: as it was before it was
    placed); None when a value would not come back exactly (a date in another zone)."""
    if story.published.tzinfo is not tz or story.updated.tzinfo is not tz:
        return None
    at = {id(a): n for n, a in enumerate(group)}
    order = tuple(at[id(a)] for a in story.articles)
    published = _microseconds(story.published)
    updated = _microseconds(story.updated)
    return (
        made.id,
        None if _undated(group) else made.published.timestamp(),
        story.id,
        story.folder,
        story.slug,
        at[id(story.lead)],
        None if order == tuple(range(len(group))) else order,
        published,
        None if updated == published else updated,
        story.tags,
        None if story.summary == story.lead.summary else story.summary,
        "",
    )


def _fill(shell: Shell, group: Sequence[Article], tz: tzinfo) -> Story:
    """The story a shell keeps, with the articles of its group."""
    _, _, sid, folder, slug, lead, order, published, updated, tags, summary, _ = shell
    lead_article = group[lead]
    when = (_EPOCH + timedelta(microseconds=published)).astimezone(tz)
    return Story(
        sid,
        slug,
        lead_article,
        tuple(group) if order is None else tuple(group[i] for i in order),
        when,
        when if updated is None else (_EPOCH + timedelta(microseconds=updated)).astimezone(tz),
        tuple(tags),
        lead_article.summary if summary is None else tuple(summary),
        folder,
    )


def _undated(group: Sequence[Article]) -> bool:
    return all(article.published is None for article in group)


def place_stories(
    groups: Sequence[Sequence[Article]],
    file_keys: Mapping[str, str],
    now: datetime,
    tz: tzinfo,
    previous: Identities,
    sentences: int,
    max_words: int,
    shells: Shells | None = None,
) -> tuple[tuple[Story, ...], Identities, dict[str, Shell], dict[str, str]]:
    """The stories of ``groups`` of copies (as ``digest.dedup.group_articles`` gives
    them), newest first, placed by the identity record ``previous`` and summarized, the
    new record, and the shells to keep for the next build: exactly what
    ``group_stories``, ``keep_identities`` and ``summarize`` make, in that order. Also the
    page key each kept story's shell holds, by story id (for ``shells.signature``).

    A group that ``shells`` (made under the same key, see ``shells_key``: the caller
    checks) has a shell for is filled from it instead. Placing the others alone places
    them as placing every story would: a kept story's copies belong to no other group,
    so no other story claims its id, and the record already names it and its copies.

    >>> from datetime import UTC
    >>> a = Article("a", "a.md", "Daily", "Rain")
    >>> now = datetime(2025, 7, 14, tzinfo=UTC)
    >>> stories, record, kept, _ = place_stories([[a]], {"a.md": "k"}, now, UTC, Identities(), 3, 120)
    >>> again, _, _, _ = place_stories([[a]], {"a.md": "k"}, now, UTC, record, 3, 120, Shells("", kept))
    >>> again == stories, str(stories[0].path)
    (True, '2025/07/14/rain')
    """
    known = shells.by_group if shells is not None else {}
    kept: list[tuple[tuple[float, str], Story, str, Shell]] = []
    made: list[tuple[tuple[float, str], Story, Sequence[Article], str | None]] = []
    now_stamp = now.timestamp()
    for group in groups:
        gk = group_key(group, file_keys)
        shell = known.get(gk) if gk is not None else None
        if shell is not None and gk is not None:
            # Its place in the order is the one the story made afresh would take: by its
            # date and id before placing (an undated story is dated now until placed).
            stamp = now_stamp if shell[1] is None else shell[1]
            kept.append(((-stamp, shell[0]), _fill(shell, group, tz), gk, shell))
            continue
        story = _single_story(group[0], now, tz) if len(group) == 1 else _story(group, now, tz)
        made.append(((-story.published.timestamp(), story.id), story, group, gk))
    placed, record = keep_identities([m[1] for m in made], previous)
    everything: list[tuple[tuple[float, str], Story]] = [(k[0], k[1]) for k in kept]
    out: dict[str, Shell] = {gk: shell for _, _, gk, shell in kept}
    keys = {shell[2]: shell[_KEY] for _, _, _, shell in kept if shell[_KEY]}
    for (order, story, group, gk), final in zip(made, placed, strict=True):
        if not final.summary:
            final = summarize(final, sentences, max_words)
        everything.append((order, final))
        if gk is not None:
            shell = _shell(final, group, story, tz)
            if shell is not None:
                out[gk] = shell
    everything.sort(key=lambda pair: pair[0])
    return tuple(story for _, story in everything), record, out, keys
