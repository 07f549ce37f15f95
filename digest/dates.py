"""Reading dates as news pages print them, pure.

dateutil does the parsing; this module decides which lines are date lines at all, so
that a sentence with a year in it is never taken for one.
"""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime, time, tzinfo

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE_SHAPE = re.compile(
    rf"(?i)\b(?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?)\b"
)
_LABEL = re.compile(r"(?i)^(?:published|updated|last updated|posted|first published|date)\s*:?\s*")


def parse_date_line(line: str, default_tz: tzinfo) -> datetime | None:
    """The date a short date line gives, or None when the line is not a date line.

    >>> from datetime import UTC
    >>> parse_date_line("Monday, Jul 14, 2025", UTC).isoformat()
    '2025-07-14T00:00:00+00:00'
    >>> parse_date_line("Updated: 14 July 2025 10:32 BST", UTC).isoformat()
    '2025-07-14T10:32:00+01:00'
    >>> parse_date_line("The war began on July 14, 2014 and goes on.", UTC) is None
    True
    """
    text = _LABEL.sub("", line.strip())
    if (
        not text
        or len(text.split()) > 9
        or not _DATE_SHAPE.search(text)
        or text.endswith((".", "?", "!"))
    ):
        return None
    try:
        return as_aware(_parse(text, fuzzy=True), default_tz)
    except (ValueError, OverflowError):  # dateutil's ParserError is a ValueError
        return None


_DATEISH_WORD = re.compile(
    rf"(?i)^(?:{_MONTHS}|[a-z]{{3,6}}er|mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|today|yesterday|am|pm|a\.m|p\.m|a|p|m|at|on|of|the|"
    r"[a-z]{1,2}t|gmt|utc|bst|cet|cest|[ecmp][sd]?t|ist|jst|aest|"
    r"published|updated|last|posted|first|modified|date|ago|years?|months?|weeks?|days?|"
    r"hours?|minutes?|mins?|hrs?|\d+(?:st|nd|rd|th|am|pm)?|\d{1,2}[:.]\d{2}(?:am|pm)?)$"
)
_CLOCK = re.compile(
    r"(?i)\b\d{1,2}[:.]\d{2}\s*(?:am|pm|a\.m\.|p\.m\.)?|\b\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{2,4}\b"
)
_YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b")
_BRACKETED = re.compile(r"\[[^\]]*\]|\([^)]*\)")
# What separates the tokens of a date line besides whitespace, and how many it may have.
_SEPARATORS = ",/|•·–—-"
_MAX_TOKENS = 24


def looks_like_date_line(line: str) -> bool:
    """True for a short line made of dates, times and their labels, even a misspelt one.

    Catches what ``parse_date_line`` cannot read: "04 / 28 / 09 07:35 PM ET",
    "Updated 5 / 5 / 2010 1:41 PM", "8:24am:", "Novemer 27, 2005", "Posted 2 days ago".

    >>> [looks_like_date_line(x) for x in ["04 / 28 / 09 07:35 PM ET", "Novemer 27, 2005",
    ...  "8:24am:", "Posted 1 year, 160 days ago", "Three die in bank during Greek riots",
    ...  "Updated 5:40 p. m. ET", "Posted: Nov 27, 2005 8:20 AM ET Last Updated: Nov 27, 2005 9:14 PM ET"]]
    [True, True, True, True, False, True, True]
    """
    # The answer of the plain version below, worked out in C where it can be and in an
    # order that gives up early on ordinary sentences (summaries ask about every sentence
    # they consider):
    #   tokens = [t for t in re.split(r"[\s,/|•·–—-]+", text.strip(" .:;|")) if t.strip(".:;")]
    #   dateish = sum(1 for t in tokens if _DATEISH_WORD.match(t.strip(".:;")))
    #   return 0 < len(tokens) <= 24 and has_anchor and dateish / len(tokens) >= 0.75
    text = _BRACKETED.sub(" ", line) if "[" in line or "(" in line else line
    text = text.strip(" .:;|")
    for separator in _SEPARATORS:
        if separator in text:
            text = text.replace(separator, " ")
    parts = text.split()  # ``\s`` and ``str.split()`` agree on what is whitespace
    # Only parts made of nothing but ".:;" are not tokens: each holds one of those.
    if len(parts) - text.count(".") - text.count(":") - text.count(";") > _MAX_TOKENS:
        return False
    tokens = [t for t in parts if t.strip(".:;")]
    if not tokens or len(tokens) > _MAX_TOKENS:
        return False
    # At least three tokens in four dateish (4 * dateish >= 3 * len is dateish / len >= 0.75).
    allowed = len(tokens) - (3 * len(tokens) + 3) // 4
    for token in tokens:
        if not _DATEISH_WORD.match(token.strip(".:;")):
            allowed -= 1
            if allowed < 0:
                return False
    return bool(_CLOCK.search(line) or _YEAR.search(line) or "ago" in line.lower())


_DEFAULT = datetime(2000, 1, 1)


def _parse(text: str, fuzzy: bool) -> datetime:
    # Imported here: a front-matter date is mostly YAML's own, and a rebuild that reads
    # no date from text need not import the parser (9 to 12 ms by -X importtime).
    from dateutil import parser as dateparser

    # An unknown zone abbreviation ("AKDT") makes dateutil warn and return a naive time,
    # which is then read in the site's zone: the warning would only be noise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dateparser.UnknownTimezoneWarning)
        # A fixed default: parts a text leaves out never come from the day of the build.
        return dateparser.parse(text, fuzzy=fuzzy, tzinfos=_TZINFOS, default=_DEFAULT)


FIRST_YEAR, LAST_YEAR = 1900, 9998
"""Dates outside these years are placeholders (0001-01-01 from an empty field, 9999-12-31
for "never"), not when a story was published; near either end of the calendar, moving a
date into another zone overflows it."""


def plausible(when: datetime | None) -> datetime | None:
    """``when`` when it can be a publication date, else None (a placeholder: the article
    is taken as undated).

    >>> from datetime import UTC
    >>> plausible(datetime(1, 1, 1, tzinfo=UTC)) is None, plausible(datetime(2025, 7, 14)).year
    (True, 2025)
    """
    return when if when is not None and FIRST_YEAR <= when.year <= LAST_YEAR else None


def as_aware(value: datetime | date, default_tz: tzinfo) -> datetime:
    """A tz-aware datetime; a date alone is midnight, a naive time is in ``default_tz``.

    >>> from datetime import UTC
    >>> as_aware(date(2025, 7, 14), UTC).isoformat()
    '2025-07-14T00:00:00+00:00'
    """
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=default_tz)
    return value


def parse_date_value(value: object, default_tz: tzinfo) -> datetime:
    """A front-matter date (a datetime, a date or a string) as a tz-aware datetime.

    Raises ValueError saying what was expected and what was found.

    >>> from datetime import UTC
    >>> parse_date_value("2025-07-13T07:15:00+01:00", UTC).isoformat()
    '2025-07-13T07:15:00+01:00'
    """
    if isinstance(value, datetime | date):
        return as_aware(value, default_tz)
    if isinstance(value, str) and value.strip():
        try:
            return as_aware(_parse(value, fuzzy=False), default_tz)
        except (ValueError, OverflowError) as exc:
            raise ValueError(
                f"expected a date such as 2025-07-14T09:30:00+01:00, found {value!r} ({exc})"
            ) from None
    raise ValueError(f"expected a date such as 2025-07-14T09:30:00+01:00, found {value!r}")


# Zone abbreviations news pages print; dateutil knows only UTC/GMT by itself.
_TZINFOS = {
    "BST": 3600,
    "CET": 3600,
    "CEST": 7200,
    "EET": 7200,
    "EEST": 10800,
    "EST": -18000,
    "EDT": -14400,
    "CST": -21600,
    "CDT": -18000,
    "MST": -25200,
    "MDT": -21600,
    "PST": -28800,
    "PDT": -25200,
    "IST": 19800,
    "JST": 32400,
    "AEST": 36000,
    "AEDT": 39600,
}
