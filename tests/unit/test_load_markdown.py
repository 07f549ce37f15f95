"""Markdown articles: front matter (YAML and TOML), every key, the body, and bad files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.clean import normalize_text
from digest.errors import ContentError
from digest.load import Loaded, LoadSettings, load_bytes
from digest.load.markdown import (
    _renderer,
    parse_markdown,
    plain_blocks,
    simple_yaml,
    split_front_matter,
)
from digest.model import Article, Problem
from digest.sanitize import html_to_blocks

SETTINGS = LoadSettings()
PLUS_ONE = timezone(timedelta(hours=1))


def load(source: str, path: str = "a.md", settings: LoadSettings = SETTINGS) -> Article:
    loaded = load_bytes(source.encode("utf-8"), path, settings)
    assert loaded.problems == ()
    (article,) = loaded.articles
    return article


def problem(source: str, path: str = "a.md") -> str:
    loaded = load_bytes(source.encode("utf-8"), path, SETTINGS)
    assert loaded.articles == ()
    (only,) = loaded.problems
    assert (only.path, only.stage) == (path, "load")
    return only.message


# --- split_front_matter -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "meta", "body", "first_line"),
    [
        ("---\ntitle: Hi\n---\nBody", {"title": "Hi"}, "Body", 4),
        ('+++\ntitle = "Hi"\n+++\nBody', {"title": "Hi"}, "Body", 4),
        ("---\ntitle: Hi\ndate: x\n---\n\nBody\n", {"title": "Hi", "date": "x"}, "\nBody\n", 5),
        ("No front matter.\n", {}, "No front matter.\n", 1),
        ("---\n# only a comment\n---\nBody", {}, "Body", 4),
        ("---  \ntitle: Hi\n---\t\nBody", {"title": "Hi"}, "Body", 4),
        ("---\ntitle: Hi\n---\n", {"title": "Hi"}, "", 4),
    ],
    ids=[
        "yaml",
        "toml",
        "blank line before body",
        "none",
        "yaml comment only",
        "spaces after fences",
        "no body",
    ],
)
def test_split_front_matter(
    source: str, meta: dict[str, object], body: str, first_line: int
) -> None:
    assert split_front_matter(source, "a.md") == (meta, body, first_line)


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("---\ntitle: Hi\nBody\n", "line 1: YAML front matter opened with --- is never closed"),
        ('+++\ntitle = "Hi"\nBody\n', "line 1: TOML front matter opened with +++ is never closed"),
        ("---\n- one\n- two\n---\nBody\n", "front matter: expected a mapping of keys, found list"),
        (
            "---\nJust a sentence.\n---\nBody\n",
            "front matter: expected a mapping of keys, found str",
        ),
    ],
    ids=["yaml unclosed", "toml unclosed", "list", "scalar"],
)
def test_split_front_matter_errors(source: str, reason: str) -> None:
    with pytest.raises(ContentError) as caught:
        split_front_matter(source, "a.md")
    assert caught.value.reason == reason


# --- every key -----------------------------------------------------------------------------

FULL_YAML = """---
title: Dock Strike Halts Brackenport
date: 2025-07-12T08:30:00+01:00
source: Harbour Gazette
url: https://harbour.example/2025/07/12/strike
tags: [Ports, labour, ports]
summary: Dock workers walked out. Cargo is stranded.
draft: false
---
Dock workers at **Brackenport** walked off the job on Saturday.

## Talks

The union said the strike would last 48 hours.
"""


def test_yaml_front_matter_every_key() -> None:
    article = load(FULL_YAML, "harbour/strike.md")
    assert article.id == "harbour/strike.md"
    assert article.path == "harbour/strike.md"
    assert article.title == "Dock Strike Halts Brackenport"
    assert article.published == datetime(2025, 7, 12, 8, 30, tzinfo=PLUS_ONE)
    assert article.published is not None
    assert article.published.utcoffset() == timedelta(hours=1)
    assert article.outlet == "Harbour Gazette"
    assert article.url == "https://harbour.example/2025/07/12/strike"
    assert article.tags == ("ports", "labour")
    assert article.summary_override == ("Dock workers walked out.", "Cargo is stranded.")
    assert article.draft is False
    assert [(b.kind, b.text, b.html) for b in article.blocks] == [
        (
            "p",
            "Dock workers at Brackenport walked off the job on Saturday.",
            "Dock workers at <strong>Brackenport</strong> walked off the job on Saturday.",
        ),
        ("h2", "Talks", "Talks"),
        (
            "p",
            "The union said the strike would last 48 hours.",
            "The union said the strike would last 48 hours.",
        ),
    ]


FULL_TOML = """+++
title = "Glacier Survey Finds Record Retreat"
date = 2025-07-13T07:15:00+02:00
outlet = "Lakeside Observer"
url = "https://lakeside.example/glacier"
tags = ["Climate", "Alps"]
summary = "The glacier lost 42 metres."
draft = true
+++
Scientists said the glacier retreated 42 metres.
"""


def test_toml_front_matter_every_key() -> None:
    article = load(FULL_TOML)
    assert article.title == "Glacier Survey Finds Record Retreat"
    assert article.published == datetime(2025, 7, 13, 5, 15, tzinfo=UTC)
    assert article.outlet == "Lakeside Observer"
    assert article.url == "https://lakeside.example/glacier"
    assert article.tags == ("climate", "alps")
    assert article.summary_override == ("The glacier lost 42 metres.",)
    assert article.draft is True
    assert article.paragraphs == ("Scientists said the glacier retreated 42 metres.",)


# date: every form it can take, and the zone a date without one is read in
LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("front", "settings", "expected", "offset"),
    [
        ("---\ntitle: T\ndate: 2025-07-14\n---\n", SETTINGS, datetime(2025, 7, 14, tzinfo=UTC), 0),
        (
            "---\ntitle: T\ndate: 2025-07-14 09:30\n---\n",
            SETTINGS,
            datetime(2025, 7, 14, 9, 30, tzinfo=UTC),
            0,
        ),
        (
            "---\ntitle: T\ndate: 2025-07-14 09:30\n---\n",
            LoadSettings(timezone=LONDON),
            datetime(2025, 7, 14, 9, 30, tzinfo=LONDON),
            1,
        ),
        (
            "---\ntitle: T\ndate: 2025-07-14T09:30:00-04:00\n---\n",
            LoadSettings(timezone=LONDON),
            datetime(2025, 7, 14, 13, 30, tzinfo=UTC),
            -4,
        ),
        (
            '---\ntitle: T\ndate: "14 July 2025"\n---\n',
            SETTINGS,
            datetime(2025, 7, 14, tzinfo=UTC),
            0,
        ),
        (
            '---\ntitle: T\ndate: "Mon, 14 Jul 2025 09:30:00 GMT"\n---\n',
            LoadSettings(timezone=LONDON),
            datetime(2025, 7, 14, 9, 30, tzinfo=UTC),
            0,
        ),
        (
            "+++\ntitle = 'T'\ndate = 2025-07-14\n+++\n",
            LoadSettings(timezone=LONDON),
            datetime(2025, 7, 14, tzinfo=LONDON),
            1,
        ),
        (
            "+++\ntitle = 'T'\ndate = 2025-07-14T09:30:00\n+++\n",
            SETTINGS,
            datetime(2025, 7, 14, 9, 30, tzinfo=UTC),
            0,
        ),
        ("---\ntitle: T\ndate:\n---\n", SETTINGS, None, None),
        ("---\ntitle: T\n---\n", SETTINGS, None, None),
    ],
    ids=[
        "yaml date",
        "yaml naive datetime in UTC",
        "yaml naive datetime in London",
        "yaml aware datetime",
        "string date",
        "string RFC 2822 date",
        "toml local date",
        "toml local datetime",
        "empty date",
        "no date",
    ],
)
def test_date_values(
    front: str,
    settings: LoadSettings,
    expected: datetime | None,
    offset: int | None,
) -> None:
    article = load(front + "Body.\n", settings=settings)
    assert article.published == expected
    if offset is not None:
        assert article.published is not None
        assert article.published.utcoffset() == timedelta(hours=offset)


@pytest.mark.parametrize(
    ("keys", "outlet"),
    [
        ("source: Harbour Gazette\noutlet: Northern Wire\n", "Harbour Gazette"),
        ("outlet: Northern Wire\n", "Northern Wire"),
        ("source: ''\noutlet: Northern Wire\n", "Northern Wire"),
        ("source: '  Harbour   <b>Gazette</b> '\n", "Harbour Gazette"),
        ("", ""),
    ],
    ids=["source wins", "outlet", "empty source", "markup and spaces", "neither"],
)
def test_source_or_outlet(keys: str, outlet: str) -> None:
    assert load(f"---\ntitle: T\n{keys}---\nBody.\n").outlet == outlet


@pytest.mark.parametrize(
    ("value", "tags"),
    [
        ("[Ports, labour, ports]", ("ports", "labour")),
        ("\n  - Science\n  - Europe", ("science", "europe")),
        ("'Climate, Alps ,  glaciers'", ("climate", "alps", "glaciers")),
        ("'weather'", ("weather",)),
        ("['  Middle   East ', 2025]", ("middle east", "2025")),
        ("'a,,b, '", ("a", "b")),
        ("[]", ()),
        ("", ()),
    ],
    ids=[
        "list",
        "block list",
        "comma string",
        "one word",
        "spaces and numbers",
        "empty items",
        "empty list",
        "null",
    ],
)
def test_tags(value: str, tags: tuple[str, ...]) -> None:
    assert load(f"---\ntitle: T\ntags: {value}\n---\nBody.\n").tags == tags


def test_summary_override_is_split_into_sentences() -> None:
    article = load(
        "---\ntitle: T\nsummary: Dock workers walked out on Saturday.  Cargo is "
        "<em>stranded</em>. Talks resume Monday.\n---\nBody.\n"
    )
    assert article.summary_override == (
        "Dock workers walked out on Saturday.",
        "Cargo is stranded.",
        "Talks resume Monday.",
    )


def test_no_summary_key_means_no_override() -> None:
    assert load("---\ntitle: T\n---\nBody.\n").summary_override == ()


def test_a_draft_without_a_body_still_loads() -> None:
    article = load("---\ntitle: Council weighs cycle lanes\ndraft: true\n---\n")
    assert (article.title, article.draft, article.blocks) == (
        "Council weighs cycle lanes",
        True,
        (),
    )


def test_title_markup_and_entities_become_plain_text() -> None:
    article = load("---\ntitle: 'Caf&eacute; <b>reopens</b>  after   repairs'\n---\nBody.\n")
    assert article.title == "Café reopens after repairs"


def test_a_number_title_is_text() -> None:
    assert load("---\ntitle: 1984\n---\nBody.\n").title == "1984"


# --- title from a heading -----------------------------------------------------------------


def test_title_from_heading_when_no_title_key() -> None:
    article = load(
        "---\ndate: 2025-07-14\n---\n# Battery Train Trial\n\nA battery train ran for the first time.\n"
    )
    assert article.title == "Battery Train Trial"
    assert [(b.kind, b.text) for b in article.blocks] == [
        ("p", "A battery train ran for the first time.")
    ]


def test_title_from_heading_without_front_matter() -> None:
    article = load("# Rain Falls #\n\nHeavy rain fell.\n")
    assert article.title == "Rain Falls"
    assert article.paragraphs == ("Heavy rain fell.",)


def test_title_key_wins_and_the_heading_stays_in_the_body() -> None:
    article = load("---\ntitle: From Front Matter\n---\n# In The Body\n\nText.\n")
    assert article.title == "From Front Matter"
    assert [(b.kind, b.text) for b in article.blocks] == [("h2", "In The Body"), ("p", "Text.")]


# --- the body is sanitized ------------------------------------------------------------------

DANGEROUS = """---
title: Rain
---
The union said the strike <script>alert(document.cookie)</script> would last 48 hours.

<p onclick="steal()">Port officials said <a href="javascript:alert(1)">three ships</a> were diverted.</p>

Body <img src=x onerror=alert(1)> and <iframe src="https://evil.example"></iframe> text.

<div onmouseover="x()">Hover</div>

[A safe link](https://harbour.example/a) stays.
"""


def test_scripts_and_event_handlers_are_removed() -> None:
    article = load(DANGEROUS)
    html = "\n".join(b.html for b in article.blocks)
    for bad in ("<script", "alert(", "onclick", "onerror", "onmouseover", "javascript:", "<iframe"):
        assert bad not in html
    assert article.paragraphs == (
        "The union said the strike would last 48 hours.",
        "Port officials said three ships were diverted.",
        "Body and text.",
        "Hover",
        "A safe link stays.",
    )
    assert article.blocks[-1].html == (
        '<a href="https://harbour.example/a" rel="noopener noreferrer">A safe link</a> stays.'
    )


# --- bad files: a Problem naming the reason ---------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "---\ntitle: Rain\nurl: https://x.example/a: b\ndate: 2025-07-14\n---\nBody.\n",
            "line 3: invalid YAML front matter: mapping values are not allowed here",
        ),
        (
            "---\ntitle: Rain\ndate: 2025-07-14\ntags: [a, b\n---\nBody text.\n",
            "line 4: invalid YAML front matter: expected ',' or ']', but got '<stream end>'",
        ),
        (
            "---\ntitle: Rain\nBody text with no closing fence.\n",
            "line 1: YAML front matter opened with --- is never closed",
        ),
        (
            "+++\ntitle = 'Rain'\nBody.\n",
            "line 1: TOML front matter opened with +++ is never closed",
        ),
        (
            "+++\ntitle = \n+++\nBody.\n",
            "invalid TOML front matter: Invalid value (at end of document)",
        ),
        (
            "---\n- one\n- two\n---\nBody.\n",
            "front matter: expected a mapping of keys, found list",
        ),
        (
            "---\ntitle: Rain\ndate: not a date\n---\nBody.\n",
            "front matter date: expected a date such as 2025-07-14T09:30:00+01:00, "
            "found 'not a date' (Unknown string format: not a date)",
        ),
        (
            "---\ntitle: Rain\ndate: 12\n---\nBody.\n",
            "front matter date: expected a date such as 2025-07-14T09:30:00+01:00, found 12",
        ),
        (
            "---\ntitle: Rain\ndraft: yes please\n---\nBody.\n",
            "front matter draft: expected true or false, found 'yes please'",
        ),
        (
            "---\ntitle: Rain\ndraft: 1\n---\nBody.\n",
            "front matter draft: expected true or false, found 1",
        ),
        (
            "---\ndate: 2025-07-14\n---\nJust a body, no heading.\n",
            "expected a title (a 'title:' key or a '# heading'), found none",
        ),
        (
            "Just a body, no heading.\n",
            "expected a title (a 'title:' key or a '# heading'), found none",
        ),
        ("---\ntitle: [a, b]\n---\nBody.\n", "front matter title: expected text, found list"),
        (
            "---\ntitle: Rain\nurl: true\n---\nBody.\n",
            "front matter url: expected text, found bool",
        ),
        (
            "---\ntitle: Rain\ntags: {a: 1}\n---\nBody.\n",
            "front matter tags: expected a list of words, found {'a': 1}",
        ),
        (
            "---\ntitle: Rain\ntags: [[nested]]\n---\nBody.\n",
            "front matter tags: expected a list of words, found [['nested']]",
        ),
        ("---\ntitle: Rain\n---\n", "expected an article body, found none after cleaning"),
        ("", "expected an article, found an empty file"),
        ("\n \n", "expected an article, found an empty file"),
    ],
    ids=[
        "broken yaml names the line",
        "unclosed yaml list",
        "unclosed yaml front matter",
        "unclosed toml front matter",
        "broken toml",
        "front matter is a list",
        "bad date string",
        "date is a number",
        "draft is a string",
        "draft is a number",
        "no title key and no heading",
        "no front matter and no heading",
        "title is a list",
        "url is a bool",
        "tags is a mapping",
        "tags nested",
        "no body and not a draft",
        "empty file",
        "whitespace only",
    ],
)
def test_bad_markdown_is_a_problem(source: str, message: str) -> None:
    assert problem(source) == message


def test_problem_is_the_whole_loaded_value() -> None:
    loaded = load_bytes(b"---\n- one\n---\nBody.\n", "wires/a.markdown", SETTINGS)
    assert loaded == Loaded(
        "wires/a.markdown",
        problems=(
            Problem(
                "wires/a.markdown", "load", "front matter: expected a mapping of keys, found list"
            ),
        ),
    )


def test_parse_markdown_raises_content_error_with_the_path() -> None:
    with pytest.raises(ContentError) as caught:
        parse_markdown("---\ndraft: maybe\ntitle: T\n---\nBody.\n", "x/a.md", SETTINGS)
    assert str(caught.value.path) == "x/a.md"
    assert caught.value.reason == "front matter draft: expected true or false, found 'maybe'"


def test_crlf_and_bom_front_matter() -> None:
    for data in (
        b"---\r\ntitle: Rain\r\n---\r\nBody.\r\n",
        b"\xef\xbb\xbf---\ntitle: Rain\n---\nBody.\n",
    ):
        loaded = load_bytes(data, "a.md", SETTINGS)
        assert [(a.title, a.paragraphs) for a in loaded.articles] == [("Rain", ("Body.",))]


# --- bugs: each test states the right behaviour and fails today ---------------------------


@pytest.mark.parametrize("value", ["2025-02-30", "2025-13-01", "2025-07-14T25:00:00"])
def test_an_impossible_yaml_date_is_a_problem(value: str) -> None:
    message = problem(f"---\ntitle: Rain\ndate: {value}\n---\nBody.\n")
    assert "date" in message


def test_empty_front_matter_is_no_keys() -> None:
    assert split_front_matter("---\n---\n# Heading\n\nBody.\n", "a.md") == (
        {},
        "# Heading\n\nBody.\n",
        3,
    )


def test_indented_code_block_survives() -> None:
    article = load("---\ntitle: Code\n---\nRun this:\n\n    print('hello')\n    x = 1\n\nDone.\n")
    assert [(b.kind, b.text) for b in article.blocks] == [
        ("p", "Run this:"),
        ("pre", "print('hello') x = 1"),
        ("p", "Done."),
    ]


def test_folded_yaml_summary() -> None:
    article = load(
        "---\ntitle: T\nsummary: >\n  Dock workers walked out on Saturday.\n"
        "  Cargo is stranded. Talks resume Monday.\n---\nBody.\n"
    )
    assert article.summary_override == (
        "Dock workers walked out on Saturday.",
        "Cargo is stranded.",
        "Talks resume Monday.",
    )


def test_nested_mapping_under_source_is_refused() -> None:
    assert problem("---\ntitle: Rain\nsource:\n  name: Harbour Gazette\n---\nBody.\n") == (
        "front matter source: expected text, found dict"
    )


# --- the shortcuts: plain bodies without HTML, plain front matter without PyYAML ------------


def full_path_blocks(body: str) -> object:
    """What the body gives through markdown-it, nh3 and lxml: what a shortcut must equal."""
    return html_to_blocks(_renderer().render(body))


PLAIN_BODIES = [
    "",
    "One paragraph.",
    "Two\nlines, one paragraph.\n\nAnd a second one.\n",
    "# Title level one\n\n## Sub\n\n### Three\n\n###### Six\n\nText.",
    "Text before\n## a heading that interrupts it\nand text after.",
    "AT&T and M&S > rivals, 5 > 3 & \"quoted\" 'single' (bracketed) £5 $6 €7.",
    "2025 was a year.\n\n10 people came.",
    "Café «naïve» – 日本語 — Ünïcödé ½ ²\ttab inside.",
    "A line ending in\u00a0nbsp inside\nthen more.",
]
NOT_PLAIN_BODIES = [
    "Some *emphasis*.",
    "Some _emphasis_.",
    "A [link](https://example.org).",
    "`code`",
    "Escaped \\* star.",
    "~~struck~~",
    "<b>html</b>",
    "Entity &amp; and &#65;.",
    "| a | b |\n|---|---|",
    "- a list",
    "1. a list",
    "2) a list",
    "> a quote",
    "    indented code",
    "  two spaces",
    "hard  \nbreak",
    "soft \nbreak",
    "Setext\n===",
    "Setext\n---",
    "#hashtag",
    "## ",
    "## heading ##",
    "##  two spaces",
    "\u0338 combining mark first",
    "x\n\n \n\ny",
]


@pytest.mark.parametrize("body", PLAIN_BODIES)
def test_plain_body_gives_the_blocks_of_the_full_path(body: str) -> None:
    blocks = plain_blocks(body)
    assert blocks is not None
    assert blocks == full_path_blocks(body)


@pytest.mark.parametrize("body", NOT_PLAIN_BODIES)
def test_body_with_markup_takes_the_full_path(body: str) -> None:
    assert plain_blocks(body) is None


LINES = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="ab #*_-1.>&;<\u00a0\u0338é\t ", max_size=12),
    st.sampled_from(["", "## Head", "1. x", "A & B", "x > y", "Tom's “quote”", "a  ", "  b"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINES, max_size=8))
def test_plain_body_never_differs_from_the_full_path(lines: list[str]) -> None:
    body = normalize_text("\n".join(lines))
    blocks = plain_blocks(body)
    if blocks is not None:
        assert blocks == full_path_blocks(body)


SIMPLE_FRONT = [
    "",
    "# a comment only",
    'title: "Talks fail: a strike looms"\ndate: 2025-07-02T17:22:00+00:00',
    "title: 'single \"quoted\"'\nsource: Plain outlet name",
    "date: 2025-07-02T17:22:00Z\nurl: https://example.com/a/b?c=1&d=(2)",
    "date: 2025-07-02T17:22:00-04:30\ndraft: true",
    "date: 2025-07-02\ndraft: false",
    "tags: [labour, energy, new york]\nempty: []",
    'tags: ["a b", c_d, x-y]',
    "title: Tom's  two  spaces, and a comma",
    "title: A\ntitle: B",
]


@pytest.mark.parametrize("text", SIMPLE_FRONT)
def test_simple_front_matter_is_what_yaml_reads(text: str) -> None:
    simple = simple_yaml(text)
    assert simple is not None
    expected = yaml.load(text, Loader=yaml.SafeLoader) or {}
    assert simple == expected
    assert repr(simple) == repr(expected)  # the same types, the same time zones


@pytest.mark.parametrize(
    "text",
    [
        "title: yes",
        "title: No",
        "title: null",
        "title: ~",
        "title: 12",
        "title: 1.5",
        "title:",
        "title: x ",
        "title: 'It''s'",
        "title: a: b",
        "title: a #comment",
        "title: &anchor x",
        "title: *alias",
        "title: !tag x",
        "title: |\n  block",
        "title: >\n  folded",
        'title: "escaped \\" quote"',
        'title: "a" trailing',
        "source:\n  name: x",
        "tags:\n  - a",
        "tags: [yes, no]",
        "tags: [1, 2]",
        "tags: [a, ]",
        "tags: {a: 1}",
        "on: x",
        "Title: x",
        " title: x",
        "title : x",
        "title:\tx",
        "title: a\u2029b",
        "date: 2025-02-30",
        "date: 2025-07-02 17:22:00",
        "url: http://x:",
        "--- x",
    ],
)
def test_other_front_matter_goes_to_pyyaml(text: str) -> None:
    assert simple_yaml(text) is None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["title", "tags", "date", "x_1"]) | st.text(max_size=6),
            st.text(max_size=20)
            | st.text(max_size=20).map(lambda s: f'"{s}"')
            | st.text(max_size=20).map(lambda s: f"'{s}'")
            | st.lists(st.text(max_size=8), max_size=4).map(lambda v: f"[{', '.join(v)}]"),
        ),
        max_size=5,
    )
)
def test_simple_front_matter_never_differs_from_yaml(pairs: list[tuple[str, str]]) -> None:
    text = normalize_text("\n".join(f"{key}: {value}" for key, value in pairs))
    simple = simple_yaml(text)
    if simple is not None:
        expected = yaml.load(text, Loader=yaml.SafeLoader) or {}
        assert repr(simple) == repr(expected)
