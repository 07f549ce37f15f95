"""Lead cleaning: what may open a summary, as a table of real-looking openings."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import lead
from digest.dates import looks_like_date_line
from digest.lead import is_junk, is_pull_quote, strip_dateline
from digest.model import Article, Block
from digest.summarize import lead_summary, with_sentences

DATELINES = [
    ("LONDON (Reuters) - Shares fell on Monday.", "Shares fell on Monday."),
    ("WASHINGTON — The Senate voted late on Tuesday.", "The Senate voted late on Tuesday."),
    ("NEW YORK, July 14 (AP) — Stocks rose in early trading.", "Stocks rose in early trading."),
    ("(CNN) -- The storm moved north overnight.", "The storm moved north overnight."),
    ("(CNN)The storm moved north overnight.", "The storm moved north overnight."),
    (
        "Kyiv, Feb 20 (AFP) - Ukraine and Russia called for talks.",
        "Ukraine and Russia called for talks.",
    ),
    ("PARIS: Protesters marched through the capital.", "Protesters marched through the capital."),
    ("SAN JUAN, Puerto Rico (AP) — Power returned to most homes.", "Power returned to most homes."),
    ("US officials said the talks would go on.", "US officials said the talks would go on."),
    ("NATO allies met in Brussels on Sunday.", "NATO allies met in Brussels on Sunday."),
    ("UK inflation fell to 2% in June.", "UK inflation fell to 2% in June."),
    (
        "BBC - the broadcaster - said it would appeal.",
        "BBC - the broadcaster - said it would appeal.",
    ),
    ("LONDON - yes.", "LONDON - yes."),
]


@pytest.mark.parametrize(("sentence", "expected"), DATELINES, ids=[d[0][:30] for d in DATELINES])
def test_strip_dateline(sentence: str, expected: str) -> None:
    assert strip_dateline(sentence) == expected


JUNK = [
    "By . Daily Mail Reporter .",
    "By John Smith",
    "By John Smith, Political Editor",
    "By Jane Doe and Richard Roe",
    "PUBLISHED: 12:01 EST, 3 April 2015",
    "PUBLISHED: . 12:01 EST, 3 April 2015 . | . UPDATED: . 12:05 EST, 3 April 2015 .",
    "Last updated at 10:32",
    "Media playback is unsupported on your device",
    "Read more: Why the talks failed",
    "READ MORE: The full list of winners",
    "Advertisement",
    "Image copyright Getty Images",
    "Image caption: Firefighters at the scene",
    "Photo: Jane Doe/Reuters",
    "Scroll down for video",
    "Follow us on Twitter",
    "Share this article",
    "Sign up for our daily newsletter",
    "0:00",
    "Close",
    "He said.",
    "GETTY IMAGES",
    "Click here to watch the full interview",
    "Editor's note: This story has been updated with comments from the governor.",
    "EDITORS' NOTE: The names of the victims have been withheld.",
    "Editor’s note: This story has been updated.",
    "EDITOR’S NOTE: The names of the victims have been withheld.",
    "Correction: An earlier version of this story misstated the date of the vote.",
    "This story has been updated to include a statement from the company.",
    "This story contains details some readers may find distressing.",
    "An earlier version of this article gave the wrong figure for the loan.",
    "3 min read",
    "5-minute read",
    "Bank of Japan Governor Kazuo Ueda attends a news conference in Tokyo, Japan. REUTERS/Kim Kyung-Hoon",
    "Rescuers search the rubble in Antakya, Turkey, February 8, 2023. REUTERS/Umit Bektas/File Photo",
]


@pytest.mark.parametrize("sentence", JUNK)
def test_junk_never_opens_a_summary(sentence: str) -> None:
    assert is_junk(sentence)


PROSE = [
    "Shares fell sharply on Monday.",
    "By the end of the day, 40 people had been rescued.",
    "Byron Bay was evacuated overnight as the fire spread.",
    "Published figures show inflation fell to 2% in June.",
    "The image of the flooded square went around the world.",
    "Photographers gathered outside the court before dawn.",
    "Reading the verdict, the judge said the case was exceptional.",
    "Watchdogs warned that the merger would raise prices.",
    "Related charges were dropped last year, the court heard.",
    "He said the plan was dead.",
    "The correction in share prices wiped out a month of gains.",
    "This story began, as so many do, with a phone call.",
    "The report was updated on Tuesday, the ministry said, to add 40 names.",
    "Minutes after the vote, read receipts showed the memo had been opened.",
    "Reuters/Ipsos polling showed support for the plan at 41 percent.",
    "The deal was reported by Reuters/Breakingviews columnists on Monday.",
    "Support for the president fell to 38 percent, according to Reuters/Ipsos.",
    "The survey was carried out by Reuters/Ipsos.",
    "This article was amended in 1992 to let the president serve a third term.",
]


@pytest.mark.parametrize("sentence", PROSE)
def test_prose_is_not_junk(sentence: str) -> None:
    assert not is_junk(sentence)


def test_a_pull_quote_the_body_repeats_is_skipped() -> None:
    assert is_pull_quote(
        "“We will rebuild.”", ["The mayor said: “We will rebuild.” Then she left."]
    )
    assert not is_pull_quote("“We will rebuild.”", ["The mayor said nothing."])
    assert not is_pull_quote("The mayor spoke.", ["The mayor spoke."])


def _summary(*paragraphs: str, dek: str = "", n: int = 3) -> tuple[str, ...]:
    blocks = tuple(Block("p", p, p) for p in paragraphs)
    return lead_summary(with_sentences(Article("a", "a.txt", "", "T", dek=dek, blocks=blocks)), n)


def test_a_daily_mail_opening_starts_at_the_story() -> None:
    got = _summary(
        "By . Daily Mail Reporter . PUBLISHED: . 12:01 EST, 3 April 2015 . | . UPDATED: . 12:05 EST, 3 April 2015 .",
        "A man has been arrested after a car crashed into a shop front in the town centre.",
        "Police said nobody was seriously hurt.",
    )
    assert got == (
        "A man has been arrested after a car crashed into a shop front in the town centre.",
        "Police said nobody was seriously hurt.",
    )


def test_a_bbc_opening_skips_the_media_notice_and_caption() -> None:
    got = _summary(
        "Media playback is unsupported on your device",
        "Image caption: Residents were moved to a school hall",
        "Hundreds of people have been evacuated from their homes after a river burst its banks.",
        "The Environment Agency issued three severe flood warnings.",
    )
    assert got[0].startswith("Hundreds of people have been evacuated")
    assert len(got) == 2


def test_a_reuters_dateline_is_removed_from_the_lede_only() -> None:
    got = _summary(
        "LONDON (Reuters) - Shares fell on Monday as oil prices rose. Traders were nervous all day."
    )
    assert got == ("Shares fell on Monday as oil prices rose.", "Traders were nervous all day.")


def test_a_standfirst_that_the_body_repeats_is_read_once() -> None:
    dek = "Both leaders pressed for more talks after separate calls with Macron."
    got = _summary(
        "Ukraine and Russia called for intensified diplomatic efforts on Sunday.",
        "Both leaders pressed for more talks after separate calls with President Macron.",
        "Washington is warning an invasion is imminent.",
        dek=dek,
    )
    assert got == (
        "Ukraine and Russia called for intensified diplomatic efforts on Sunday.",
        "Washington is warning an invasion is imminent.",
    )


# --- the patterns ``is_junk`` splits for speed match as the single patterns did --------------

STAMP = re.compile(
    r"(?i)^(?:\W*(?:published|updated|last updated|posted|created|modified)\s*:?\s*\.?\s*)"
    r"(?:[\d:.,| ]|[a-z]{2,9}\b|\.)*$"
    r"|\b(?:published|updated)\s*:\s*\.?\s*\d{1,2}[:.]\d{2}"
)
CAPTION = re.compile(
    r"(?i)^(?:image|photo|picture|pictured|video|caption|credit|source|photograph|illustration)"
    r"(?:\s+(?:copyright|caption|source))?\s*[:|]"
    r"|^(?:image|photo|picture|video)\s+(?:copyright|caption|source|credit)\b"
    r"|(?:\b(?:credit|photo|picture|image)\s*:\s*[\w .&/-]{2,40}|\((?:getty|ap|reuters|afp|pa|epa)[^)]*\))\s*$"
    r"|^(?:getty images|reuters|ap photo|afp)\b.{0,40}$"
)
WORDS = st.sampled_from(
    [
        "Published",
        "Updated",
        "published:",
        "UPDATED:",
        "last",
        "posted",
        "Image",
        "photo",
        "Picture",
        "Video",
        "caption",
        "copyright",
        "credit:",
        "Getty",
        "Images",
        "(Getty",
        "(AP)",
        "Reuters",
        "AFP",
        "AP",
        "Photo",
        "12:01",
        "3",
        "April",
        "2015",
        "EST",
        "|",
        ".",
        ":",
        "-",
        "the",
        "scene",
        "on",
        "Monday",
        "Jo",
        "Bloggs/AP",
        "İ",
        "ı",
        "ſ",
    ]
)


def stamp(text: str) -> bool:
    return bool(lead._STAMP_START.match(text) or (":" in text and lead._STAMP_INSIDE.search(text)))


def caption(text: str) -> bool:
    return bool(
        lead._CAPTION_START.match(text)
        or ((":" in text or ")" in text) and lead._CAPTION_END.search(text))
    )


@pytest.mark.parametrize("sentence", JUNK + PROSE)
def test_split_patterns_match_as_the_single_ones(sentence: str) -> None:
    assert stamp(sentence) == bool(STAMP.search(sentence))
    assert caption(sentence) == bool(CAPTION.search(sentence))


@settings(max_examples=500, deadline=None)
@given(st.lists(WORDS | st.text(max_size=6), max_size=12), st.sampled_from([" ", "", "\n"]))
def test_split_patterns_never_differ(words: list[str], glue: str) -> None:
    text = glue.join(words)
    assert stamp(text) == bool(STAMP.search(text))
    assert caption(text) == bool(CAPTION.search(text))


def date_line_as_written(line: str) -> bool:
    """``looks_like_date_line`` as it was first written, before it was made faster."""
    text = re.sub(r"\[[^\]]*\]|\([^)]*\)", " ", line)
    tokens = [t for t in re.split(r"[\s,/|•·–—-]+", text.strip(" .:;|")) if t.strip(".:;")]
    if not tokens or len(tokens) > 24:
        return False
    dateish = sum(1 for t in tokens if lead_dateish(t.strip(".:;")))
    has_anchor = bool(
        re.search(
            r"(?i)\b\d{1,2}[:.]\d{2}\s*(?:am|pm|a\.m\.|p\.m\.)?"
            r"|\b\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{2,4}\b",
            line,
        )
        or re.search(r"\b(?:1[89]|20)\d{2}\b", line)
        or "ago" in line.lower()
    )
    return has_anchor and dateish / len(tokens) >= 0.75


def lead_dateish(token: str) -> bool:
    from digest.dates import _DATEISH_WORD

    return bool(_DATEISH_WORD.match(token))


DATE_WORDS = st.sampled_from(
    [
        "Updated",
        "Posted:",
        "on",
        "5",
        "/",
        "2010",
        "1:41",
        "PM",
        "ET",
        "Nov",
        "27,",
        "2005",
        "8:20",
        "AM",
        "days",
        "ago",
        "[x]",
        "(y)",
        ".",
        ":",
        ";",
        "|",
        "-",
        "—",
        "•",
        "·",
        "Monday",
        "the",
        "storm",
        "hit",
        "2025",
        "10:32",
        "BST",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(DATE_WORDS | st.text(max_size=5), max_size=30), st.sampled_from([" ", ", ", ""]))
def test_date_lines_are_read_as_before(words: list[str], glue: str) -> None:
    line = glue.join(words)
    assert looks_like_date_line(line) == date_line_as_written(line)
