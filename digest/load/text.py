"""Plain-text wire copy: a story as a news site printed it, page furniture and all.

The shape this reads (see ``content/000_*.txt``)::

    London Daily                       masthead: a short line before the headline
    Focus on the big picture.          tagline: dropped
    Monday, Jul 14, 2025               date line: the published date
    Russia, Ukraine Call For Talks     headline: the line printed twice, else the first
    Russia, Ukraine Call For Talks
    After separate calls with ...      standfirst: an opening paragraph the body repeats
    Ukraine and Russia called ...      body paragraphs
    Frontline Tension                  subhead: a short line without final punctuation
    ...
    Newsletter / Related Articles      furniture: cut, with the list of headlines after it
    0:00 / Close / ×

No parser exists for this (it is not a format, only a habit of copy-and-paste), so the
rules are hand-written and look only at the shape of lines, never at a particular site.
"""

from __future__ import annotations

import re
import statistics
from datetime import UTC, datetime
from html import escape
from pathlib import PurePosixPath

from digest.clean import (
    cut_trailing_chrome,
    ends_sentence,
    headline_from_prose,
    is_chrome_line,
    is_headline_like,
    normalize_lines,
    similarity,
    squash,
    strip_close_glyph,
)
from digest.dates import looks_like_date_line, parse_date_line
from digest.load import LoadSettings, article_id
from digest.model import Article, Block
from digest.sanitize import plain_text

_MAX_SUBHEAD_WORDS = 10
_MAX_MASTHEAD_WORDS = 6


def parse_wire_text(source: str, rel_path: str, settings: LoadSettings) -> Article:
    """Read one plain-text article: headline, outlet, date, standfirst, subheads, body.

    >>> lede = "Heavy rain fell across the north on Monday, closing roads."
    >>> a = parse_wire_text(f"Daily Post\\n\\nJuly 1, 2025\\n\\nRain Falls\\n\\n{lede}", "x.txt", LoadSettings())
    >>> a.outlet, a.title, a.published.date().isoformat(), len(a.paragraphs)
    ('Daily Post', 'Rain Falls', '2025-07-01', 1)
    """
    lines = [strip_close_glyph(line) for line in normalize_lines(source)]
    items = [p for p in cut_trailing_chrome(_paragraphs(lines)) if not is_chrome_line(p)]
    header, headline, rest = _split_header(items)

    published = None
    masthead = ""
    for line in header:
        when = parse_date_line(line, settings.timezone)
        if when is not None:
            published = published or when
        elif not masthead and _is_masthead(line):
            masthead = line
    published, rest = _skip_bylines_and_dates(rest, published, settings)
    dek = ""
    if len(rest) > 2 and any(similarity(rest[0], later) >= 0.6 for later in rest[1:4]):
        dek, rest = rest[0], rest[1:]
    elif (len(rest) > 1 and _is_deck(rest[0]) and _is_prose(rest[1])) or _is_deck_before(rest):
        # A line set under the headline, before the story: its deck.
        dek, rest = rest[0], rest[1:]
        published, rest = _skip_bylines_and_dates(rest, published, settings)

    return Article(
        id=article_id(rel_path),
        path=rel_path,
        outlet=masthead or _outlet_from_folder(rel_path),
        title=plain_text(headline),
        dek=dek,
        published=published,
        blocks=_blocks(rest),
    )


def _skip_bylines_and_dates(
    rest: list[str], published: datetime | None, settings: LoadSettings
) -> tuple[datetime | None, list[str]]:
    """The story's lines without the bylines, date lines and bare datelines ("WASHINGTON-
    April 27 -") above it, and the first date they gave, if ``published`` is none."""
    while rest and (
        _is_byline(rest[0])
        or looks_like_date_line(rest[0])
        or parse_date_line(rest[0], settings.timezone)
        or (len(rest[0].split()) <= 6 and rest[0].rstrip().endswith(("-", "–", "—")))
    ):
        published = published or parse_date_line(rest[0], settings.timezone)
        rest = rest[1:]
    return published, rest


_CONNECTORS = frozenset({"of", "the", "and", "&", "de", "la", "le", "du", "des", "del", "y"})


def _titled_name(line: str) -> bool:
    """A line of at most four words, each capitalized (but connectors), as an outlet's
    name is: "Harbour Gazette", "The Times of India"; a headline is longer.

    >>> _titled_name("The Times of India"), _titled_name("Lindsay Lohan checks into rehab")
    (True, False)
    >>> _titled_name("Dock Workers Strike At Brackenport")
    False
    """
    words = line.split()
    return 0 < len(words) <= 4 and all(
        w[0].isupper() or w[0].isdigit() or w.casefold() in _CONNECTORS for w in words
    )


def _is_deck(line: str) -> bool:
    """A line that may be a deck: headline-like, not a sentence, not a label."""
    return (
        is_headline_like(line)
        and not _is_prose(line)
        and not line.rstrip().endswith((".", *_LABEL_ENDS))
    )


def _is_deck_before(rest: list[str]) -> bool:
    """A deck followed by a bare dateline or a date, then the story."""
    return (
        len(rest) > 2
        and _is_deck(rest[0])
        and not _is_prose(rest[1])
        and not _is_deck(rest[1])
        and _is_prose(rest[2])
    )


def _paragraphs(lines: list[str]) -> list[str]:
    """Non-empty lines as paragraphs; hard-wrapped text (every line short) is re-joined."""
    filled = [line for line in lines if line]
    if not filled:
        return []
    width = (
        statistics.quantiles([len(x) for x in filled], n=20)[-1]
        if len(filled) > 1
        else len(filled[0])
    )
    wrapped = max(len(x) for x in filled) <= 100 and len(filled) < len(lines) and len(filled) >= 4
    paragraphs: list[str] = []
    previous = ""
    for line in lines:
        if not line:
            previous = ""
            continue
        if wrapped and previous and len(previous) >= 0.7 * width and not looks_like_date_line(line):
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
        else:
            paragraphs.append(line)
        previous = line
    return paragraphs


def _is_prose(line: str) -> bool:
    words = len(line.split())
    return words > 25 or (words > 8 and ends_sentence(line))


def _split_header(items: list[str]) -> tuple[list[str], str, list[str]]:
    """(lines before the headline, the headline, the lines after it)."""
    for i in range(min(len(items) - 1, 12)):
        if squash(items[i]).casefold() == squash(items[i + 1]).casefold() and is_headline_like(
            items[i], 30
        ):
            return items[:i], items[i], items[i + 2 :]
    first_prose = next((i for i, line in enumerate(items) if _is_prose(line)), len(items))
    candidates = [
        i
        for i in range(first_prose)
        if parse_date_line(items[i], UTC) is None
        and not looks_like_date_line(items[i])
        and not _is_byline(items[i])
        and not items[i].rstrip().endswith(_LABEL_ENDS)
    ]
    # A line that ends with a full stop is a sentence set apart (a kicker), not the
    # headline, where a line above it reads as one rather than as a masthead ("Harbour
    # Gazette" above "Ports close as storm nears." leaves the latter the headline). A
    # line too long for a masthead is the headline, and the lines after it its decks,
    # when it opens the file or only lines like it follow it; under a masthead, a date
    # line after it makes it the masthead's tagline ("All the news that's fit to print").
    unstopped = [i for i in candidates if not items[i].rstrip().endswith(".")]
    headlines = unstopped if any(not _titled_name(items[i]) for i in unstopped) else candidates
    long = [i for i in headlines if len(items[i].split()) > _MAX_MASTHEAD_WORDS]
    if headlines:
        h = headlines[-1]
        if long and (long[0] == 0 or all(i in headlines for i in range(long[0], h))):
            h = long[0]
        return items[:h], _strip_date_prefix(items[h]), items[h + 1 :]
    lead = next((i for i, line in enumerate(items) if not looks_like_date_line(line)), len(items))
    if lead < len(items):
        return items[:lead], headline_from_prose(items[lead]), items[lead:]
    return items, "", []


# A line ending so is a label or a bare dateline ("WASHINGTON-April 27 -"), never a headline.
_LABEL_ENDS = ("-", "–", "—", ":")
_DATE_PREFIX = re.compile(r"^\d{1,2}\s*[/.]\s*\d{1,2}\s*[/.]\s*\d{2,4}\s*[-–—:|]\s*")


def _strip_date_prefix(headline: str) -> str:
    """A headline without a numeric date glued to its start ("27 / 09 / 2013-Turkmenistan")."""
    rest = _DATE_PREFIX.sub("", headline)
    return rest if rest.strip() else headline


def _is_byline(line: str) -> bool:
    return (
        line.casefold().startswith("by ")
        and len(line.split()) <= 8
        and not line.endswith((".", "!", "?"))
    )


def _is_masthead(line: str) -> bool:
    return len(line.split()) <= _MAX_MASTHEAD_WORDS and not ends_sentence(line)


def _outlet_from_folder(rel_path: str) -> str:
    """The first folder of the path, where editors sort copy by outlet: "afp/2025/x.txt" → "afp"."""
    parts = PurePosixPath(rel_path).parts
    return parts[0] if len(parts) > 1 else ""


def _is_subhead(items: list[str], i: int) -> bool:
    line = items[i]
    return (
        0 < i < len(items) - 1
        and len(line.split()) <= _MAX_SUBHEAD_WORDS
        and is_headline_like(line)
        and (line[0].isupper() or line[0].isdigit())
        and not is_headline_like(items[i + 1])
    )


def _blocks(items: list[str]) -> tuple[Block, ...]:
    return tuple(
        Block("h2" if _is_subhead(items, i) else "p", line, escape(line, quote=False))
        for i, line in enumerate(items)
    )
