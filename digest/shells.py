"""Stories made from groups of copies and placed at their addresses, reusing what the
last build made of every group that is still the same.

A story is a pure function of its copies (loaded under the same settings), the site's
time zone and the build time; its id and folder come from the identity record the last
build wrote, unless another story claims them. A rebuild that adds one article changes
one group of copies; made again, each of the others gives the story the last build
gave, at the address it already has.
So the last build's stories are kept without their articles, as *shells* (a story's
fields, its lead and copies as places in its group), by what their group is made of:
every copy's file (by its content key) and id. A shell is filled with the group's
articles again; only the groups no shell fits are made into stories and placed.

The shells hold for the configuration, the digest version and the identity record they
were made with (``Shells.key``); a build whose inputs differ makes every story again.
A shell is not kept whose story's id a story made afresh claims: the record remembers
every article that was ever in a story, and one that left and comes back claims its id
again (``keep_identities`` decides between the two), nor made for a story whose dates
would not come back exactly (a local time the clocks skipped).
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
from digest.identity import Identities, claim, keep_identities
from digest.model import Article, Story, make_story
from digest.stories import newest_first, story_of_group

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
        by_group = {}
        for group, shell in self.by_group.items():
            k = story_keys.get(shell[2], "")
            # A kept story's shell has its key already: the same tuple, not a copy.
            by_group[group] = shell if shell[_KEY] == k else (*shell[:_KEY], k)
        return Shells(self.key, by_group, signature)

    @classmethod
    def from_bytes(cls, blob: bytes | memoryview | None) -> Shells | None:
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


def _microseconds(when: datetime, tz: tzinfo, local: bool) -> int | None:
    """A story's date as its shell keeps it; None when ``_date`` would not give it back
    exactly: in another zone, or a local time the clocks skipped. A story's dates are
    its copies' (or the build's time) given in the site's zone by ``astimezone``, which
    makes every local time one the clocks showed, but for a date already in the site's
    zone (one given without an offset is placed there as it is): only with such a copy
    (``local``) is the date read back to be sure."""
    if when.tzinfo is not tz:
        return None
    kept = (when - _EPOCH) // _MICROSECOND
    if local:
        try:
            back = _date(kept, tz)
        except OverflowError:  # a local date whose instant is before year 1 (or after 9999)
            return None
        if back.replace(tzinfo=None) != when.replace(tzinfo=None) or back.fold != when.fold:
            return None
    return kept


def _date(microseconds: int, tz: tzinfo) -> datetime:
    return (_EPOCH + timedelta(microseconds=microseconds)).astimezone(tz)


def _shell(story: Story, group: Sequence[Article], made: Story, tz: tzinfo) -> Shell | None:
    """The shell of a placed story made from ``group`` (``made``: as it was before it was
    placed); None when a date would not come back exactly (see ``_microseconds``)."""
    local = any(a.published is not None and a.published.tzinfo is tz for a in group)
    published = _microseconds(story.published, tz, local)
    updated = (
        published if story.updated is story.published else _microseconds(story.updated, tz, local)
    )
    if published is None or updated is None:
        return None
    if len(group) == 1:  # most stories: one copy, its lead, in its place
        lead, order = 0, None
    else:
        at = {id(a): n for n, a in enumerate(group)}
        lead = at[id(story.lead)]
        places = tuple(at[id(a)] for a in story.articles)
        order = None if places == tuple(range(len(group))) else places
    return (
        made.id,
        None if _undated(group) else made.published.timestamp(),
        story.id,
        story.folder,
        story.slug,
        lead,
        order,
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
    when = _date(published, tz)
    return make_story(
        sid,
        slug,
        lead_article,
        tuple(group) if order is None else tuple(group[i] for i in order),
        when,
        when if updated is None else _date(updated, tz),
        tuple(tags),
        lead_article.summary if summary is None else tuple(summary),
        folder,
    )


def _undated(group: Sequence[Article]) -> bool:
    return all(article.published is None for article in group)


def _summarize(story: Story, sentences: int, max_words: int) -> Story:
    """``digest.summarize.summarize`` of ``story``, imported only when its lead was loaded
    without a summary. Loading works out every article's (see ``build.prepare_files``),
    and importing the summarizer, whose modules compile 18 regular expressions, took
    17 ms of a rebuild that places one new story."""
    if story.lead.summary:
        return story.summarized(story.lead.summary)
    from digest.summarize import summarize

    return summarize(story, sentences, max_words)


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
    checks) has a shell for is filled from it instead, unless a story made afresh claims
    its id (the record names every article that was ever in a story: one that left and
    came back claims its old story's id). Placing the others alone then places them as
    placing every story would: no other story claims a kept story's id, and the record
    already names it and its copies.

    >>> from datetime import UTC
    >>> a = Article("a", "a.md", "Daily", "Rain")
    >>> now = datetime(2025, 7, 14, tzinfo=UTC)
    >>> stories, record, kept, _ = place_stories([[a]], {"a.md": "k"}, now, UTC, Identities(), 3, 120)
    >>> again, _, _, _ = place_stories([[a]], {"a.md": "k"}, now, UTC, record, 3, 120, Shells("", kept))
    >>> again == stories, str(stories[0].path)
    (True, '2025/07/14/rain')
    """
    known = shells.by_group if shells is not None else {}
    kept: list[tuple[Shell, Sequence[Article], str]] = []
    made: list[tuple[Sequence[Article], str | None]] = []
    for group in groups:
        gk = group_key(group, file_keys)
        shell = known.get(gk) if gk is not None else None
        if shell is not None and gk is not None:
            kept.append((shell, group, gk))
        else:
            made.append((group, gk))
    fresh = [story_of_group(group, now, tz) for group, _ in made]
    # An id a story made afresh claims is no kept story's to keep: placing decides.
    claimed = {claim(story, previous) for story in fresh} if kept else set()
    if claimed.intersection(shell[2] for shell, _, _ in kept):
        contested = [(shell, group, gk) for shell, group, gk in kept if shell[2] in claimed]
        kept = [(shell, group, gk) for shell, group, gk in kept if shell[2] not in claimed]
        made += [(group, gk) for _, group, gk in contested]
        fresh += [story_of_group(group, now, tz) for _, group, _ in contested]
    placed, record = keep_identities(fresh, previous)
    now_stamp = now.timestamp()
    everything: list[tuple[tuple[float, str], Story]] = []
    out: dict[str, Shell] = {}
    keys: dict[str, str] = {}
    for shell, group, gk in kept:
        # Its place in the order is the one the story made afresh would take: by its date
        # and id before placing (an undated story is dated now until placed).
        stamp = now_stamp if shell[1] is None else shell[1]
        everything.append(((-stamp, shell[0]), _fill(shell, group, tz)))
        out[gk] = shell
        if shell[_KEY]:
            keys[shell[2]] = shell[_KEY]
    for (group, gk), story, final in zip(made, fresh, placed, strict=True):
        if not final.summary:
            final = _summarize(final, sentences, max_words)
        everything.append((newest_first(story), final))
        if gk is not None:
            shell = _shell(final, group, story, tz)
            if shell is not None:
                out[gk] = shell
    everything.sort(key=lambda pair: pair[0])
    return tuple(story for _, story in everything), record, out, keys
