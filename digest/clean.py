"""Text normalisation and page-chrome detection, pure.

Wire copy saved from news sites carries the site's furniture along with the story:
mastheads, taglines, "Related Articles", newsletter boxes, player timestamps, close
buttons and lists of other stories' headlines. No library recognises these in plain
text (extraction libraries work on HTML trees), so the rules here are written by hand
and kept general: they look at the shape of a line, never at a particular site.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# Characters XML 1.0 forbids, and other invisible controls that never belong in text.
_ILLEGAL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff\u200b\u2060\ud800-\udfff]"
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

# A line that is one of these, whole, is furniture wherever it stands.
CHROME_LINES: frozenset[str] = frozenset(
    {
        "advertisement",
        "skip advertisement",
        "story continues below advertisement",
        "close",
        "×",
        "x",
        "share",
        "share this",
        "share this article",
        "share on facebook",
        "share on twitter",
        "listen to this article",
        "play",
        "pause",
        "read more",
        "continue reading",
        "click here",
        "sign up",
        "subscribe",
        "image caption",
        "image source",
        "getty images",
        "media playback is unsupported on your device",
        "copy link",
        "print",
        "email",
        "comments",
        "back to top",
    }
)

# A line that is one of these opens a box of links or an offer: when what follows is
# list-like (short lines without final punctuation), the box runs to the end.
SECTION_LABELS: frozenset[str] = frozenset(
    {
        "related",
        "related articles",
        "related stories",
        "related content",
        "related topics",
        "more stories",
        "more from",
        "more on this story",
        "more news",
        "most read",
        "most popular",
        "most viewed",
        "popular",
        "trending",
        "trending now",
        "recommended",
        "recommended for you",
        "read next",
        "up next",
        "you may also like",
        "you might also like",
        "latest news",
        "latest stories",
        "top stories",
        "newsletter",
        "newsletters",
        "sign up for our newsletter",
        "subscribe to our newsletter",
        "follow us",
        "topics",
        "tags",
    }
)

# No line of more words than this is furniture by ``is_chrome_line``: the longest of
# CHROME_LINES, or a player's "0:00 / 3:12" (``_key`` never adds words).
CHROME_MAX_WORDS: int = max(3, *(len(line.split()) for line in CHROME_LINES))

# The credits that close wire copy: who reported, wrote and edited it, and the agency's
# pointer to its standards. Not the story's text, and never a subhead.
_NAME = r"[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|la|le|del|der|di|du|van|von|da|al|bin))*"
_NAMES = rf"{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*(?:\s+in\s+{_NAME})?"
_CREDIT = (
    r"(?i:(?:additional|further)\s+reporting|reporting|writing|editing|compiled|graphics"
    rf"|research)\s+by\s+{_NAMES}"
)
_CREDITS = re.compile(
    rf"^\(?{_CREDIT}(?:\s*[;,]\s*{_CREDIT})*\s*\)?\.?$"
    r"|^(?i:our standards\s*:\s*the thomson reuters trust principles\.?)$"
)
_TIMESTAMP = re.compile(r"^(?:\d{1,2}:)?\d{1,2}:\d{2}(?:\s*/\s*(?:\d{1,2}:)?\d{1,2}:\d{2})?$")
_WORD = re.compile(r"\w+")
_FINAL_PUNCTUATION = tuple(".!?:;,\"'”’)…]")


def normalize_text(text: str) -> str:
    """Illegal characters removed, line ends unified, then Unicode NFC; indentation kept.

    >>> normalize_text("Caf\\u0065\\u0301  reopens\\x00\\r\\n    code")
    'Café  reopens\\n    code'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    return unicodedata.normalize("NFC", _ILLEGAL.sub("", text))


def normalize_lines(text: str) -> list[str]:
    """``normalize_text``, then each line with its runs of spaces folded and trimmed.

    >>> normalize_lines("  Two  words \\n\\tnext ")
    ['Two words', 'next']
    """
    # One substitution for the whole text: a run of spaces never holds a line break.
    return [line.strip() for line in _SPACES.sub(" ", normalize_text(text)).split("\n")]


def squash(text: str) -> str:
    """All whitespace folded to single spaces, trimmed.

    >>> squash("  two\\n lines ")
    'two lines'
    """
    return " ".join(text.split())


def strip_close_glyph(line: str) -> str:
    """Drop a close button's glyph glued to the start of a line.

    >>> strip_close_glyph("×Moscow, Kyiv call for talks")
    'Moscow, Kyiv call for talks'
    """
    return line[1:].lstrip() if line.startswith(("×", "✕", "✖")) and len(line) > 1 else line


def _key(line: str) -> str:
    return squash(line).strip(" :|-–—»›>").casefold()


def is_chrome_line(line: str) -> bool:
    """True for a line that is site furniture on its own: labels, timestamps, glyphs.

    >>> [is_chrome_line(x) for x in ["0:00", "Close", "×", "Advertisement", "Frontline Tension"]]
    [True, True, True, True, False]
    """
    key = _key(line)
    return not key or key in CHROME_LINES or bool(_TIMESTAMP.match(key))


def is_credit_line(line: str) -> bool:
    """True for a wire story's closing credits ("Reporting by ...; Editing by ...").

    >>> is_credit_line("Reporting by John Smith; Editing by Jane Doe")
    True
    >>> is_credit_line("Our Standards: The Thomson Reuters Trust Principles.")
    True
    >>> is_credit_line("(Additional reporting by Ana Ruiz in Lima; editing by Tom Hay)")
    True
    >>> is_credit_line("Reporting by the paper showed the fund had lost money.")
    False
    >>> is_credit_line("Research by Oxford Economics shows the cost will reach 2 billion.")
    False
    >>> is_credit_line("The reporting by local media was accurate, he said.")
    False
    """
    return bool(_CREDITS.match(squash(line)))


def is_section_label(line: str) -> bool:
    """True for a label that opens a box of links: "Related Articles", "Newsletter"...

    >>> is_section_label("Related Articles"), is_section_label("Related: the talks")
    (True, False)
    """
    return _key(line) in SECTION_LABELS


def ends_sentence(line: str) -> bool:
    """True when a line ends the way prose does (a full stop, a quote, a bracket...).

    >>> ends_sentence('He said "no."'), ends_sentence("Frontline Tension")
    (True, False)
    """
    return line.rstrip().endswith(_FINAL_PUNCTUATION)


def is_headline_like(line: str, max_words: int = 25) -> bool:
    """A short line without final punctuation: a headline, a subhead, a link text.

    >>> is_headline_like("Bitcoin Reaches New Milestone of $116,000")
    True
    """
    words = line.split()
    return 0 < len(words) <= max_words and not ends_sentence(line)


def is_list_like(lines: Sequence[str]) -> bool:
    """True when most lines read as link texts or furniture rather than prose.

    >>> is_list_like(["0:00", "Close", "Bitcoin Hits $116,000", "EU Delays Tariffs"])
    True
    """
    if not lines:
        return True
    listed = sum(1 for x in lines if is_chrome_line(x) or is_headline_like(x))
    return listed / len(lines) >= 0.6


def cut_trailing_chrome(lines: Sequence[str]) -> tuple[str, ...]:
    """Drop page furniture after the story: a link box and everything list-like after it.

    The first section label (see SECTION_LABELS) whose remainder is list-like ends the
    story; trailing furniture lines, wire credits (``is_credit_line``) and a trailing run
    of three or more headline-like lines go too.

    >>> cut_trailing_chrome(["Body text here.", "Related Articles", "Other story", "0:00"])
    ('Body text here.',)
    """
    items = list(lines)
    while True:
        cut = _cut_once(items)
        if cut == items:
            return tuple(items)
        items = cut


def _cut_once(items: list[str]) -> list[str]:
    items = list(items)
    for i, line in enumerate(items):
        if i > 0 and is_section_label(line) and is_list_like(items[i + 1 :]):
            items = items[:i]
            break
    while items and (
        is_chrome_line(items[-1]) or is_section_label(items[-1]) or is_credit_line(items[-1])
    ):
        items.pop()
    run = 0
    while run < len(items) and is_headline_like(items[-1 - run], 20):
        run += 1
    if run >= 3 and run < len(items):
        items = items[: len(items) - run]
    return items


def word_set(text: str) -> frozenset[str]:
    """Lower-cased word tokens, for rough similarity of short texts.

    >>> sorted(word_set("The talks, the TALKS!"))
    ['talks', 'the']
    """
    return frozenset(_WORD.findall(text.casefold()))


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the word sets of two short texts, from 0 to 1.

    >>> round(similarity("Putin pressed for talks", "Putin pressed for more talks"), 2)
    0.8
    """
    return jaccard(word_set(a), word_set(b))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two word sets (see ``word_set``), 0 when either is empty: for
    callers that compare one text with several and keep its word set.

    >>> jaccard(word_set("Putin pressed for talks"), word_set("talks"))
    0.25
    """
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def headline_from_prose(paragraph: str) -> str:
    """A headline for an article without one: the first twelve words of its text.

    >>> headline_from_prose("Heavy rain fell across the north on Monday, closing roads and schools.")
    'Heavy rain fell across the north on Monday, closing roads and schools.'
    """
    words = paragraph.split()
    return " ".join(words[:12]) + ("…" if len(words) > 12 else "")
