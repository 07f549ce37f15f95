"""The site's sections, pure: the ranked front page, archives, topics and outlets.

Every listing is a value (``Listing``) that names its folder, its heading and its
stories; ``render`` turns each into a page and ``feeds`` gives topics their own feeds.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from digest.model import Story
from digest.stories import slugify

SOURCE_BONUS = timedelta(hours=6)
"""How much newer each further source makes a story count on the front page."""
_BONUS_SECONDS = SOURCE_BONUS.total_seconds()


def rank_key(story: Story) -> tuple[float, str]:
    """The front page's order: newer first, each source after the first counting as
    SOURCE_BONUS newer, so a story ten outlets carried outranks a fresher single report.

    >>> from datetime import UTC
    >>> from digest.model import Article
    >>> a = Article("a", "a", "", "T")
    >>> one = Story("x", "x", a, (a,), datetime(2025, 7, 14, 12, tzinfo=UTC), datetime(2025, 7, 14, tzinfo=UTC), ())
    >>> three = Story("y", "y", a, (a, a, a), datetime(2025, 7, 14, 3, tzinfo=UTC), datetime(2025, 7, 14, tzinfo=UTC), ())
    >>> [s.id for s in sorted([one, three], key=rank_key)]
    ['y', 'x']
    """
    bonus = _BONUS_SECONDS * (len(story.articles) - 1)
    return (-(story.published.timestamp() + bonus), story.id)


@dataclass(frozen=True, slots=True)
class Listing:
    """One page that lists stories: a page of the front page, a day, a topic, an outlet.

    ``page`` is 0 for a listing's first page (its own folder) and, for an older page,
    its number counted from the oldest (see ``paginate``); ``newer`` and ``older`` are
    the folders of the pages next to it, if any.
    """

    folder: PurePosixPath
    title: str
    heading: str
    description: str
    stories: tuple[Story, ...]
    kind: str
    page: int = 0
    newer: PurePosixPath | None = None
    older: PurePosixPath | None = None
    first_folder: PurePosixPath = field(default_factory=lambda: PurePosixPath("."))

    @property
    def file(self) -> PurePosixPath:
        return self.folder / "index.html"


def paginate(
    stories: Sequence[Story],
    per_page: int,
    folder: PurePosixPath,
    title: str,
    heading: str,
    description: str,
    kind: str,
) -> list[Listing]:
    """A listing split into pages, newest first: its first page ``folder/`` with the
    newest stories (``per_page`` to ``2 * per_page - 1`` of them, or all when fewer),
    then older pages of ``per_page`` stories each, ``folder/page/N/``, numbered from
    the oldest (page 1 holds the oldest stories).

    Numbered this way, a story arriving at the top changes the first page only (and,
    each ``per_page`` stories, makes one more older page): an older page keeps its
    address and its stories as news arrives, so links to it stay true, and a rebuild
    need not write every page of a long listing again.

    >>> pages = paginate(list("abcdefg"), 3, PurePosixPath("t"), "T", "h", "d", "topic")
    >>> [(str(x.folder), "".join(x.stories), str(x.older)) for x in pages]
    [('t', 'abcd', 't/page/1'), ('t/page/1', 'efg', 'None')]
    >>> [str(x.folder) for x in paginate([], 10, PurePosixPath("topics/x"), "t", "h", "d", "topic")]
    ['topics/x']
    """
    older_pages = max(len(stories) // per_page - 1, 0)
    first = len(stories) - older_pages * per_page
    numbers = [0, *range(older_pages, 0, -1)]  # newest first

    def folder_of(number: int) -> PurePosixPath:
        return folder if number == 0 else _older_page(folder, number)

    out = []
    for i, number in enumerate(numbers):
        start = 0 if number == 0 else first + (older_pages - number) * per_page
        stop = first if number == 0 else start + per_page
        out.append(
            Listing(
                folder_of(number),
                title if number == 0 else f"{title} (page {number})",
                heading,
                description,
                tuple(stories[start:stop]),
                kind,
                number,
                folder_of(numbers[i - 1]) if i > 0 else None,
                folder_of(numbers[i + 1]) if i + 1 < len(numbers) else None,
                folder,
            )
        )
    return out


@functools.lru_cache(maxsize=65536)
def _older_page(folder: PurePosixPath, number: int) -> PurePosixPath:
    """``folder/page/number``, memoized as ``topic_folder`` is: every build pages every
    listing again, and joining paths costs pathlib a parse each time."""
    return folder / "page" / str(number)


@dataclass(frozen=True, slots=True)
class Sections:
    """Every listing page of the site, and the indexes of topics, outlets and archives."""

    front: tuple[Listing, ...]
    days: tuple[Listing, ...]
    months: tuple[Listing, ...]
    years: tuple[Listing, ...]
    topics: tuple[Listing, ...]
    outlets: tuple[Listing, ...]

    @property
    def listings(self) -> tuple[Listing, ...]:
        return self.front + self.days + self.months + self.years + self.topics + self.outlets

    def counts(self) -> dict[PurePosixPath, int]:
        """How many stories each listing holds over all its pages, by its first folder."""
        out: dict[PurePosixPath, int] = {}
        for page in self.listings:
            out[page.first_folder] = out.get(page.first_folder, 0) + len(page.stories)
        return out

    def topic_stories(self) -> dict[PurePosixPath, tuple[str, tuple[Story, ...]]]:
        """Each topic's folder, its name, and all its stories (every page's), in order."""
        out: dict[PurePosixPath, tuple[str, tuple[Story, ...]]] = {}
        for page in self.topics:
            name, stories = out.get(page.first_folder, (page.title, ()))
            out[page.first_folder] = (name, stories + page.stories)
        return out


@functools.lru_cache(maxsize=65536)
def topic_folder(tag: str) -> PurePosixPath:
    """The folder of a topic's listing.

    Memoized, like ``slugify``: every story names its topics, and a listing and every
    story page ask again; the path is immutable, so handing out one object is safe, and
    it keeps its hash and its string once worked out.

    >>> str(topic_folder("Climate Change"))
    'topics/climate-change'
    """
    return PurePosixPath("topics") / (slugify(tag) or "topic")


@functools.lru_cache(maxsize=65536)
def outlet_folder(outlet: str) -> PurePosixPath:
    """The folder of an outlet's listing (memoized, as ``topic_folder`` is).

    >>> str(outlet_folder("London Daily"))
    'outlets/london-daily'
    """
    return PurePosixPath("outlets") / (slugify(outlet) or "outlet")


def _by_prefix(
    days: Sequence[str], by_day: dict[str, list[Story]], width: int
) -> dict[str, tuple[Story, ...]]:
    """The stories of each month (``width`` 7) or year (4), days newest first.

    One pass over the days, which come sorted newest first, instead of a pass over every
    day for each month and year.

    >>> _by_prefix(["2025/07/14", "2025/06/30"], {"2025/07/14": [], "2025/06/30": []}, 4)
    {'2025': ()}
    """
    grouped: dict[str, list[Story]] = {}
    for day in days:
        grouped.setdefault(day[:width], []).extend(by_day[day])
    return {prefix: tuple(stories) for prefix, stories in grouped.items()}


def make_sections(stories: Sequence[Story], per_page: int) -> Sections:
    """All listings, from stories given newest first (their dates in the site's zone).

    >>> from datetime import UTC
    >>> from digest.model import Article
    >>> a = Article("a", "a.md", "London Daily", "T")
    >>> when = datetime(2025, 7, 14, 12, tzinfo=UTC)
    >>> s = Story("x", "x", a, (a,), when, when, ("Climate",))
    >>> [str(x.folder) for x in make_sections([s], 10).listings]
    ['.', '2025/07/14', '2025/07', '2025', 'topics/climate', 'outlets/london-daily']
    """
    ranked = sorted(stories, key=rank_key)
    front = paginate(
        ranked,
        per_page,
        PurePosixPath("."),
        "Latest",
        "Latest stories",
        "The day's stories, each once, ranked by how recent and how widely carried.",
        "front",
    )

    by_day: dict[str, list[Story]] = defaultdict(list)
    day_of: dict[int, str] = {}  # strftime once a day, not once a story
    for story in stories:
        when = story.published
        day = day_of.get(when.toordinal())
        if day is None:
            day = day_of[when.toordinal()] = when.strftime("%Y/%m/%d")
        by_day[day].append(story)
    newest_first = sorted(by_day, reverse=True)
    days, months, years = [], [], []
    for day in newest_first:
        when = by_day[day][0].published
        days += paginate(
            by_day[day],
            per_page,
            PurePosixPath(day),
            when.strftime("%-d %B %Y"),
            f"Stories of {when.strftime('%A %-d %B %Y')}",
            f"Every story first reported on {when.strftime('%-d %B %Y')}.",
            "day",
        )
    # A day is "YYYY/MM/DD", so its first 7 characters name its month and its first 4 its
    # year, exactly the days the prefix test of a month or a year picks.
    by_month = _by_prefix(newest_first, by_day, 7)
    for month in sorted(by_month, reverse=True):
        # (Not strptime, whose module a rebuild would import for this alone.)
        when = datetime(int(month[:4]), int(month[5:7]), 1)
        months.append(
            Listing(
                PurePosixPath(month),
                when.strftime("%B %Y"),
                f"Stories of {when.strftime('%B %Y')}",
                f"Every day of {when.strftime('%B %Y')} with stories.",
                by_month[month],
                "month",
                first_folder=PurePosixPath(month),
            )
        )
    by_year = _by_prefix(newest_first, by_day, 4)
    for year in sorted(by_year, reverse=True):
        years.append(
            Listing(
                PurePosixPath(year),
                year,
                f"Stories of {year}",
                f"Every month of {year} with stories.",
                by_year[year],
                "year",
                first_folder=PurePosixPath(year),
            )
        )

    # Folders are memoized path objects, so these dicts hash each folder once.
    by_topic: dict[PurePosixPath, list[Story]] = defaultdict(list)
    topic_name: dict[PurePosixPath, str] = {}
    by_outlet: dict[PurePosixPath, list[Story]] = defaultdict(list)
    outlet_name: dict[PurePosixPath, str] = {}
    for story in stories:
        for tag in story.tags:
            folder = topic_folder(tag)
            topic_name.setdefault(folder, tag)
            by_topic[folder].append(story)
        copies = story.articles
        # Most stories have one copy: its outlet, without a generator and a dict a story.
        carried_by: Iterable[str] = (
            (copies[0].outlet,)
            if len(copies) == 1
            else dict.fromkeys(a.outlet for a in copies if a.outlet)
        )
        for outlet in carried_by:
            if not outlet:
                continue
            folder = outlet_folder(outlet)
            outlet_name.setdefault(folder, outlet)
            by_outlet[folder].append(story)
    topics = [
        page
        for folder in sorted(by_topic)
        for page in paginate(
            by_topic[folder],
            per_page,
            folder,
            topic_name[folder].title(),
            f"Topic: {topic_name[folder]}",
            f"Every story tagged {topic_name[folder]}.",
            "topic",
        )
    ]
    outlets = [
        page
        for folder in sorted(by_outlet)
        for page in paginate(
            by_outlet[folder],
            per_page,
            folder,
            outlet_name[folder],
            f"Everything {outlet_name[folder]} carried",
            f"Every story with a report from {outlet_name[folder]}.",
            "outlet",
        )
    ]
    return Sections(
        tuple(front), tuple(days), tuple(months), tuple(years), tuple(topics), tuple(outlets)
    )
