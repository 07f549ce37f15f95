"""Reading dates as news pages print them, pure.

dateutil does the parsing; this module decides which lines are date lines at all, so
that a sentence with a year in it is never taken for one.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, tzinfo

from dateutil import parser as dateparser

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
        parsed = dateparser.parse(text, fuzzy=True, tzinfos=_TZINFOS)
    except (ValueError, OverflowError):
        return None
    return as_aware(parsed, default_tz)


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
            return as_aware(dateparser.parse(value, tzinfos=_TZINFOS), default_tz)
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
