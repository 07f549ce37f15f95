"""What may open a lead summary, pure: datelines, bylines, timestamps and captions may not.

Real article text starts with junk more often than not: "LONDON (Reuters) -",
"By . Daily Mail Reporter .", "PUBLISHED: 12:01 EST, 3 April 2015 | UPDATED: ...",
photo credits, "Media playback is unsupported on your device", "Read more:". These are
conventions of news copy, not of any markup, so no library removes them; the patterns
below are written from the conventions and tested on a table of real-looking openings.
"""

from __future__ import annotations

import re

from digest.clean import CHROME_MAX_WORDS, is_chrome_line
from digest.dates import looks_like_date_line

_UPPER_PLACE = r"[A-Z][A-Z.'’-]+(?:\s+[A-Z][A-Z.'’-]+){0,3}"
_TITLE_PLACE = r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}"
_AGENCY = r"\((?:[A-Z][\w.&/ -]{0,30})\)"
_DATE = r"(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?|\d{1,2}\s+[A-Z][a-z]{2,8}(?:\s+\d{4})?)"
_DASH = r"\s*(?:-{1,2}|—|–|:)\s+"

_DATELINE = re.compile(
    rf"^(?:"
    rf"{_UPPER_PLACE}(?:,\s*{_TITLE_PLACE})?(?:,?\s*{_DATE})?\s*(?:{_AGENCY})?{_DASH}"
    rf"|{_TITLE_PLACE}(?:,\s*{_TITLE_PLACE})?,?\s*(?:{_DATE}\s*)?{_AGENCY}{_DASH}"
    rf"|{_AGENCY}\s*(?:-{{1,2}}|—|–)?\s*"
    rf")"
)
_BYLINE = re.compile(
    r"^(?:by\s*\.?\s+[\w.'’ -]{0,60}\.?$|by\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}"
    r"(?:,\s*[\w ]{1,40})?(?:\s+(?:and|&)\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})?\s*\.?$)",
    re.I,
)
# Timestamps and captions are each two patterns: the part anchored at the start, tried
# only there, and the part that may match anywhere, searched only when the text holds the
# colon (or bracket) it needs. Searching one pattern for both cost more than all the other
# tests of ``is_junk`` together, since every position of the text was tried.
_STAMP_START = re.compile(
    r"(?i)(?:\W*(?:published|updated|last updated|posted|created|modified)\s*:?\s*\.?\s*)"
    r"(?:[\d:.,| ]|[a-z]{2,9}\b|\.)*$"
)
_STAMP_INSIDE = re.compile(r"(?i)\b(?:published|updated)\s*:\s*\.?\s*\d{1,2}[:.]\d{2}")
_CAPTION_START = re.compile(
    r"(?i)(?:image|photo|picture|pictured|video|caption|credit|source|photograph|illustration)"
    r"(?:\s+(?:copyright|caption|source))?\s*[:|]"
    r"|(?:image|photo|picture|video)\s+(?:copyright|caption|source|credit)\b"
    r"|(?:getty images|reuters|ap photo|afp)\b.{0,40}$"
)
_CAPTION_END = re.compile(
    r"(?i)(?:\b(?:credit|photo|picture|image)\s*:\s*[\w .&/-]{2,40}"
    r"|\((?:getty|ap|reuters|afp|pa|epa)[^)]*\))\s*$"
)
_PROMPTS = re.compile(
    r"(?i)^(?:read more|read next|related(?:\s+(?:articles?|stories|content|links|topics))?\s*[:|]|"
    r"see also|watch|listen|click here|scroll down|"
    r"follow (?:us|@)|sign up|subscribe|share this|advertisement|media playback is unsupported|"
    r"this video can not be played|download the app|get our|join our)\b"
)
# Notes to readers set above a story: not its news. "EDITOR'S NOTE —" alone is a dateline
# to ``strip_dateline``, which leaves the note's text ("This story contains...").
_NOTES = re.compile(
    r"(?i)^(?:editor[’']?s[’']?\s+note|note to (?:readers|editors)|correction"
    r"|clarification)\s*[:—–-]"
    r"|^this (?:story|article) (?:has been|was|is being) (?:updated|corrected)\b"
    r"|^this (?:story|article) (?:contains|includes) (?:details|descriptions|images|content)\b"
    r"|^an earlier version of this (?:story|article)\b"
)
_READING_TIME = re.compile(r"(?i)^\d{1,3}\s*-?\s*min(?:ute)?s?\.?\s+read\b")
# An agency's photo credit closing a caption: "... attends a news conference. REUTERS/Kim
# Kyung-Hoon". No full stop after it: "according to Reuters/Ipsos." is a sentence.
_AGENCY_CREDIT = re.compile(
    r"\b(?:REUTERS|Reuters|AP Photo|AFP|EPA(?:-EFE)?|Xinhua|ANADOLU|Anadolu)\s*/\s*"
    r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,4}(?:\s*/\s*File Photo)?\s*\)?(?<!\.)$"
)
_OPEN_QUOTE = ("“", '"', "‘", "'")
_CLOCK_PREFIX = re.compile(
    r"(?i)^\d{1,2}[:.]\d{2}\s*(?:am|pm|a\.m\.|p\.m\.)?\s*(?:[A-Z]{2,4}\s*)?[:–—-]\s*"
)


def strip_dateline(sentence: str) -> str:
    """The sentence without a leading dateline such as "LONDON (Reuters) -".

    >>> strip_dateline("LONDON (Reuters) - Shares fell on Monday.")
    'Shares fell on Monday.'
    >>> strip_dateline("(CNN) -- The storm moved north.")
    'The storm moved north.'
    >>> strip_dateline("2:16pm: Take it with a grain of salt, he said.")
    'Take it with a grain of salt, he said.'
    >>> strip_dateline("US officials said the talks would go on.")
    'US officials said the talks would go on.'
    """
    match = _DATELINE.match(sentence) or _CLOCK_PREFIX.match(sentence)
    if not match:
        return sentence
    rest = sentence[match.end() :].lstrip()
    if len(rest.split()) < 3 or not (
        rest[0].isupper() or rest[0].isdigit() or rest[0] in _OPEN_QUOTE
    ):
        return sentence
    return rest


def is_junk(sentence: str) -> bool:
    """True for a sentence that must never enter a summary: bylines, timestamps,
    captions and credits, share and "read more" prompts, editors' notes and corrections,
    reading times, page furniture, fragments.

    >>> [is_junk(s) for s in ["By . Daily Mail Reporter .", "PUBLISHED: 12:01 EST, 3 April 2015",
    ...  "Read more: Why the talks failed", "Posted 1 year, 160 days ago [downloaded on 2 October 2013]",
    ...  "Shares fell sharply on Monday."]]
    [True, True, True, True, False]
    """
    text = sentence.strip()
    words = text.split()
    if len(words) < 3 or text.endswith(" ."):
        return True
    if len(words) <= CHROME_MAX_WORDS and is_chrome_line(text):
        return True
    if not any(ch.isalpha() and ch.islower() for ch in text) or looks_like_date_line(text):
        return True
    return bool(
        _BYLINE.match(text)
        or _STAMP_START.match(text)
        or (":" in text and _STAMP_INSIDE.search(text))
        or _CAPTION_START.match(text)
        or ((":" in text or ")" in text) and _CAPTION_END.search(text))
        or _PROMPTS.match(text)
        or _NOTES.match(text)
        or _READING_TIME.match(text)
        or ("/" in text and _AGENCY_CREDIT.search(text))
    )


def opens_quote(sentence: str) -> bool:
    """Whether the sentence opens with a quotation mark (as a pull quote does).

    >>> opens_quote(' "We will rebuild."'), opens_quote("He said so.")
    (True, False)
    """
    return sentence.strip().startswith(_OPEN_QUOTE)


def is_pull_quote(sentence: str, later: list[str]) -> bool:
    """A quotation set apart that the body repeats further down.

    >>> is_pull_quote('"We will rebuild."', ['He said: "We will rebuild."'])
    True
    """
    text = sentence.strip()
    if not text.startswith(_OPEN_QUOTE):
        return False
    core = text.strip("“”\"‘’' .")
    return any(core and core in other for other in later)
