"""Tests for digest.sentences: a table of hard cases, properties, and very large inputs."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

import digest.sentences
from digest.sentences import split_sentences

# (paragraph, expected sentences)
CASES: list[tuple[str, tuple[str, ...]]] = [
    # Abbreviations for countries and unions: they end a sentence only before an opener.
    (
        "The U.S. economy grew. Markets rallied.",
        ("The U.S. economy grew.", "Markets rallied."),
    ),
    (
        "He moved to the U.S. The move was hard.",
        ("He moved to the U.S.", "The move was hard."),
    ),
    (
        "The U.K. government said no. It will appeal.",
        ("The U.K. government said no.", "It will appeal."),
    ),
    (
        "The U.N. Security Council met on Monday.",
        ("The U.N. Security Council met on Monday.",),
    ),
    (
        "E.U. leaders met in Brussels. They agreed.",
        ("E.U. leaders met in Brussels.", "They agreed."),
    ),
    (
        "It is a hit in the U.S. It's a flop in the U.K.",
        ("It is a hit in the U.S.", "It's a flop in the U.K."),
    ),
    (
        "It was slow in the U.S. But, critics said, it worked.",
        ("It was slow in the U.S.", "But, critics said, it worked."),
    ),
    (
        "He was born in Washington, D.C. He moved later.",
        ("He was born in Washington, D.C.", "He moved later."),
    ),
    ("THE U.S. LEFT. IT WAS SAD.", ("THE U.S. LEFT.", "IT WAS SAD.")),
    # Titles never end a sentence.
    (
        "Mr. Smith and Mrs. Jones met Ms. Brown.",
        ("Mr. Smith and Mrs. Jones met Ms. Brown.",),
    ),
    (
        "Dr. Anthony Fauci spoke. Prof. Jane Doe disagreed.",
        ("Dr. Anthony Fauci spoke.", "Prof. Jane Doe disagreed."),
    ),
    (
        "Lt. Gen. John Smith, Sgt. Maj. Ann Lee and Capt. Bob Wu met.",
        ("Lt. Gen. John Smith, Sgt. Maj. Ann Lee and Capt. Bob Wu met.",),
    ),
    (
        "Gov. Gavin Newsom, Sen. Ted Cruz and Rep. Nancy Pelosi spoke.",
        ("Gov. Gavin Newsom, Sen. Ted Cruz and Rep. Nancy Pelosi spoke.",),
    ),
    ("U.S. Sen. Ted Cruz spoke.", ("U.S. Sen. Ted Cruz spoke.",)),
    ("Col. Tom Reed met Gen. Ann Lee.", ("Col. Tom Reed met Gen. Ann Lee.",)),
    ("The Rev. Al Sharpton spoke.", ("The Rev. Al Sharpton spoke.",)),
    ("MR. SMITH LEFT.", ("MR. SMITH LEFT.",)),
    # Places, companies and name suffixes may end a sentence.
    (
        "They visited St. Louis and Mt. Everest.",
        ("They visited St. Louis and Mt. Everest.",),
    ),
    (
        "He lives on Main St. The house is old.",
        ("He lives on Main St.", "The house is old."),
    ),
    (
        "Martin Luther King Jr. Day is a holiday.",
        ("Martin Luther King Jr. Day is a holiday.",),
    ),
    (
        "The speech was by Martin Luther King Jr. He gave it in 1963.",
        ("The speech was by Martin Luther King Jr.", "He gave it in 1963."),
    ),
    (
        "Apple Inc. said profits rose. Shares fell.",
        ("Apple Inc. said profits rose.", "Shares fell."),
    ),
    (
        "He works for Acme Corp. The firm is big.",
        ("He works for Acme Corp.", "The firm is big."),
    ),
    ("Smith & Co. Ltd. was sold.", ("Smith & Co. Ltd. was sold.",)),
    (
        "He flew to Sacramento, Calif. on Monday.",
        ("He flew to Sacramento, Calif. on Monday.",),
    ),
    (
        "He flew to Sacramento, Calif. The trip was short.",
        ("He flew to Sacramento, Calif.", "The trip was short."),
    ),
    ("She earned a Ph.D. in physics.", ("She earned a Ph.D. in physics.",)),
    (
        "She has a Ph.D. The degree took years.",
        ("She has a Ph.D.", "The degree took years."),
    ),
    # Latin and other fixed abbreviations.
    ("It was Smith vs. Jones in the final.", ("It was Smith vs. Jones in the final.",)),
    ("Roe v. Wade was overturned.", ("Roe v. Wade was overturned.",)),
    ("Bring fruit, e.g. Apples or pears.", ("Bring fruit, e.g. Apples or pears.",)),
    ("Some fruit, i.e. Apples, were eaten.", ("Some fruit, i.e. Apples, were eaten.",)),
    ("Apples, pears, etc. are sold here.", ("Apples, pears, etc. are sold here.",)),
    (
        "He bought apples, pears, etc. The bill was large.",
        ("He bought apples, pears, etc.", "The bill was large."),
    ),
    # Months and numbers: no split before a digit.
    (
        "The vote is on Jan. 5. Results follow.",
        ("The vote is on Jan. 5.", "Results follow."),
    ),
    (
        "It happened on Feb. 14, 2023, in Paris.",
        ("It happened on Feb. 14, 2023, in Paris.",),
    ),
    (
        "Sales rose in Mar. 2024 and fell in Aug. 2024.",
        ("Sales rose in Mar. 2024 and fell in Aug. 2024.",),
    ),
    ("He met Jan. The two talked.", ("He met Jan.", "The two talked.")),
    (
        "Sept. 11 changed everything. Oct. 7 did too.",
        ("Sept. 11 changed everything.", "Oct. 7 did too."),
    ),
    (
        "He lives at No. 10 Downing Street. It is old.",
        ("He lives at No. 10 Downing Street.", "It is old."),
    ),
    ("The answer was No. The vote failed.", ("The answer was No.", "The vote failed.")),
    ("See p. 5 for details.", ("See p. 5 for details.",)),
    (
        "The deal closed (see Fig. 3) last week.",
        ("The deal closed (see Fig. 3) last week.",),
    ),
    # Times of day.
    (
        "The meeting starts at 9 a.m. The police said it was calm.",
        ("The meeting starts at 9 a.m.", "The police said it was calm."),
    ),
    ("It ends at 5 p.m. Monday.", ("It ends at 5 p.m. Monday.",)),
    (
        "The blast happened at 10 p.m. local time.",
        ("The blast happened at 10 p.m. local time.",),
    ),
    ("Doors open at 7 p.m. But few came.", ("Doors open at 7 p.m.", "But few came.")),
    # Initials.
    ("J. K. Rowling wrote a new book.", ("J. K. Rowling wrote a new book.",)),
    (
        "George W. Bush visited Texas. He left Friday.",
        ("George W. Bush visited Texas.", "He left Friday."),
    ),
    ("J.R.R. Tolkien wrote it.", ("J.R.R. Tolkien wrote it.",)),
    (
        "He met Dr. J. A. Smith Jr. at the St. James Hotel.",
        ("He met Dr. J. A. Smith Jr. at the St. James Hotel.",),
    ),
    (
        "The plan was called Plan B. It failed.",
        ("The plan was called Plan B.", "It failed."),
    ),
    # Decimals, currency, percentages, versions.
    (
        "Growth was 3.5 percent. Inflation fell.",
        ("Growth was 3.5 percent.", "Inflation fell."),
    ),
    (
        "The firm paid $1.2 billion for the site. It was a bargain.",
        ("The firm paid $1.2 billion for the site.", "It was a bargain."),
    ),
    ("Shares rose 4.5% to £2.30 on Friday.", ("Shares rose 4.5% to £2.30 on Friday.",)),
    (
        "Version v2.0 was released. It is faster.",
        ("Version v2.0 was released.", "It is faster."),
    ),
    ("Profits hit $5.6bn. Revenue was €3.2bn.", ("Profits hit $5.6bn.", "Revenue was €3.2bn.")),
    ("The price was $5. $3 of it was tax.", ("The price was $5.", "$3 of it was tax.")),
    ("He left. 2024 was hard.", ("He left.", "2024 was hard.")),
    ("It was great! 10 people came.", ("It was great!", "10 people came.")),
    # Ellipses.
    ("Well... maybe we will go.", ("Well... maybe we will go.",)),
    ("Wait… what?", ("Wait… what?",)),
    ("He paused... The crowd waited.", ("He paused...", "The crowd waited.")),
    # Quotations.
    ('He said "we will win." Then he left.', ('He said "we will win."', "Then he left.")),
    ('"Are you sure?" Then she left.', ('"Are you sure?"', "Then she left.")),
    ("'Why?' he asked.", ("'Why?' he asked.",)),
    (
        '"Why?" Smith asked. He got no answer.',
        ('"Why?" Smith asked.', "He got no answer."),
    ),
    ('"Why?" Mr. John Smith asked.', ('"Why?" Mr. John Smith asked.',)),
    ('"Why?" asked Mr. John Smith.', ('"Why?" asked Mr. John Smith.',)),
    ("'Stop!' Then silence.", ("'Stop!'", "Then silence.")),
    ("'Get out!' 'No!'", ("'Get out!'", "'No!'")),
    ("“We will win.” Then he left.", ("“We will win.”", "Then he left.")),
    ("‘We will win.’ Then he left.", ("‘We will win.’", "Then he left.")),
    (
        "He said the “plan is dead.” Officials disagreed.",
        ("He said the “plan is dead.”", "Officials disagreed."),
    ),
    ('"We won," he said. "Now we rest."', ('"We won," he said.', '"Now we rest."')),
    ('"It is over." "No, it is not."', ('"It is over."', '"No, it is not."')),
    ('He shouted "Run!" and fled.', ('He shouted "Run!" and fled.',)),
    (
        'I am not a party girl. " Then she left.',
        ('I am not a party girl. "', "Then she left."),
    ),
    # Parentheses and brackets.
    ("He won (again.) The crowd cheered.", ("He won (again.)", "The crowd cheered.")),
    (
        "He left. (He was tired.) Then he slept.",
        ("He left.", "(He was tired.)", "Then he slept."),
    ),
    ("The company (Acme Inc.) grew.", ("The company (Acme Inc.) grew.",)),
    (
        "It grew fast [citation needed]. Then it shrank.",
        ("It grew fast [citation needed].", "Then it shrank."),
    ),
    # Web addresses and e-mail addresses.
    ("Visit example.com for details.", ("Visit example.com for details.",)),
    (
        "Read more at https://bbc.co.uk/news. Then comment.",
        ("Read more at https://bbc.co.uk/news.", "Then comment."),
    ),
    (
        "Email john.smith@example.org. We reply fast.",
        ("Email john.smith@example.org.", "We reply fast."),
    ),
    (
        "See www.gov.uk/guidance or e-mail info@nhs.uk for help.",
        ("See www.gov.uk/guidance or e-mail info@nhs.uk for help.",),
    ),
    # Question and exclamation marks.
    ("Really?! Yes.", ("Really?!", "Yes.")),
    ("What? No way!", ("What?", "No way!")),
    ("He asked why? nobody knew.", ("He asked why? nobody knew.",)),
    ("I'm tired. It's late.", ("I'm tired.", "It's late.")),
    # No final punctuation.
    ("Breaking news from the U.S.", ("Breaking news from the U.S.",)),
    ("He left. She stayed", ("He left.", "She stayed")),
    ("No punctuation here", ("No punctuation here",)),
    # Whitespace.
    (
        "He left.   She  stayed.\n\nThey met.",
        ("He left.", "She stayed.", "They met."),
    ),
    ("  Leading and\ttrailing space.  ", ("Leading and trailing space.",)),
    ("Line one.\nLine two.", ("Line one.", "Line two.")),
    ("Non-breaking\u00a0space. Next\u2003one.", ("Non-breaking space.", "Next one.")),
    ("", ()),
    ("   \n\t ", ()),
]


def _case_id(paragraph: str) -> str:
    """A short, readable test id: the paragraph itself, whitespace shown as one space."""
    if not paragraph:
        return "<empty>"
    flat = " ".join(paragraph.split())
    if not flat:
        return "<whitespace>"
    return flat if len(flat) <= 60 else flat[:57] + "..."


@pytest.mark.parametrize(
    ("paragraph", "expected"), CASES, ids=[_case_id(paragraph) for paragraph, _ in CASES]
)
def test_split_sentences(paragraph: str, expected: tuple[str, ...]) -> None:
    assert split_sentences(paragraph) == expected


def test_case_ids_are_unique() -> None:
    ids = [_case_id(paragraph) for paragraph, _ in CASES]
    assert len(ids) == len(set(ids))


def test_docstring_examples() -> None:
    assert doctest.testmod(digest.sentences).failed == 0


def _assert_lossless(text: str) -> None:
    sentences = split_sentences(text)
    assert isinstance(sentences, tuple)
    assert " ".join(sentences) == " ".join(text.split())
    for sentence in sentences:
        assert sentence
        assert sentence == sentence.strip()


@given(st.text())
def test_no_characters_lost_or_added(text: str) -> None:
    _assert_lossless(text)


# Pieces that reach every rule: abbreviations, quotes, brackets, digits, odd whitespace.
_PIECES = [
    "a",
    "The",
    "he",
    "Smith",
    "said",
    "asked",
    "U.S.",
    "Mr.",
    "Jan.",
    "a.m.",
    "J.",
    "etc.",
    "3.5",
    "$",
    "2024",
    ".",
    "..",
    "…",
    "!",
    "?",
    '"',
    "'",
    "“",
    "”",
    "’",
    "(",
    ")",
    "[",
    ",",
    " ",
    "  ",
    "\n",
    "\u00a0",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=60).map("".join))
def test_no_characters_lost_or_added_in_news_like_text(text: str) -> None:
    _assert_lossless(text)


def test_a_million_characters_without_spaces() -> None:
    text = ("example.com/a.b?c!d...“e.”(f.)" * 40_000)[:1_000_000]
    assert len(text) == 1_000_000
    assert split_sentences(text) == (text,)


def test_a_million_dots() -> None:
    text = "." * 1_000_000
    assert split_sentences(text) == (text,)


def test_five_megabyte_paragraph() -> None:
    base = (
        "The U.S. economy grew 3.5 percent in the first quarter, Mr. Smith said on Jan. 5. "
        '"We will win," he said at 9 a.m. The markets rallied! Did prices rise? They did. '
    )
    expected = split_sentences(base)
    assert len(expected) == 5
    repeats = 5_000_000 // len(base) + 1
    sentences = split_sentences(base * repeats)
    assert len(sentences) == 5 * repeats
    assert sentences[:5] == expected
    assert sentences[-5:] == expected
