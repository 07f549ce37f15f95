"""Tests for digest.load.html: saved news pages in, one clean article out."""

from __future__ import annotations

import doctest
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import digest.load.html
from digest.errors import ContentError
from digest.load import LoadSettings, article_id
from digest.load.html import NO_TEXT, clean_blocks, is_byline, is_prompt, parse_html
from digest.model import Block

SETTINGS = LoadSettings()
BST = timezone(timedelta(hours=1))

STRIKE_LEDE = (
    "Dockworkers at the port of Brackenport began a 48-hour strike on Saturday morning, "
    "halting container traffic at the busiest harbour on the coast as talks over new shift "
    "patterns broke down."
)
STRIKE_BODY = [
    ("p", STRIKE_LEDE),
    (
        "p",
        "The union said more than 1,200 members had walked out at six o'clock, and that picket "
        "lines would stay at all three terminal gates until Monday morning.",
    ),
    ("h2", "Shift patterns at the heart of the dispute"),
    (
        "p",
        "The port authority wants to move crews from three eight-hour shifts to two twelve-hour "
        "shifts, a change it says would cut waiting times for ships by a fifth.",
    ),
    (
        "p",
        "Union officials say the longer shifts are unsafe for crane operators, who already work "
        "long hours in the summer season, and that no risk assessment has been shared.",
    ),
    ("h2", "Ships wait offshore"),
    (
        "p",
        "By midday, eleven container ships were anchored in the bay waiting for berths, and two "
        "ferries had been diverted to the neighbouring port of Selmouth.",
    ),
    (
        "p",
        "The port authority said it remained open to talks and urged the union to return to the "
        "table before the strike causes lasting damage to the harbour's reputation.",
    ),
]


def news_page(head: str = "", extra_body: str = "") -> str:
    """A news page: masthead and nav, the article with subheads and furniture, a footer."""
    paragraphs = "\n".join(
        f"<h2>{text}</h2>" if kind == "h2" else f"<p>{text}</p>" for kind, text in STRIKE_BODY
    )
    # Furniture inside the article, without the class names that give it away.
    paragraphs = paragraphs.replace(
        "<h2>Shift patterns", "<div><p>Share this article</p></div>\n<h2>Shift patterns"
    ).replace(
        "<h2>Ships wait",
        "<p>Read more: Brackenport port expansion approved despite objections</p>\n<h2>Ships wait",
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Dockworkers Strike at Brackenport | Harbour Gazette</title>
{head}
<script>window.tracking = {{page: "article"}};</script>
</head>
<body>
<header>
  <a href="/">Harbour Gazette</a>
  <nav><ul>
    <li><a href="/news">News</a></li><li><a href="/business">Business</a></li>
    <li><a href="/sport">Sport</a></li><li><a href="/opinion">Opinion</a></li>
  </ul></nav>
</header>
<main><article>
  <h1>Dockworkers Strike at Brackenport</h1>
  <p>By Mara Quill</p>
  {paragraphs}
  <p onclick="track()">Follow us on Twitter for live updates.</p>
  {extra_body}
  <h3>Related Articles</h3>
  <ul>
    <li><a href="/a">Brackenport port expansion approved despite objections</a></li>
    <li><a href="/b">Selmouth ferry timetable changes for summer</a></li>
    <li><a href="/c">Crane operators warn of fatigue on long shifts</a></li>
  </ul>
  <div>
    <h3>Newsletter</h3>
    <p>Sign up for our morning briefing and get the day's top stories in your inbox.</p>
  </div>
</article></main>
<footer>
  <p>© 2025 Harbour Gazette. All rights reserved.</p>
  <ul><li><a href="/privacy">Privacy</a></li><li><a href="/terms">Terms</a></li></ul>
</footer>
</body>
</html>
"""


FULL_HEAD = """
<meta property="og:site_name" content="Harbour Gazette">
<meta property="og:title" content="Dockworkers Strike at Brackenport">
<meta property="og:description" content="A 48-hour walkout over shift patterns halts container traffic.">
<meta name="author" content="Mara Quill">
<meta property="article:published_time" content="2025-07-12T06:45:00+01:00">
<link rel="canonical" href="https://harbourgazette.example/2025/07/12/dock-strike">
"""


def test_doctests() -> None:
    assert doctest.testmod(digest.load.html).failed == 0


def test_news_page_metadata() -> None:
    article = parse_html(news_page(FULL_HEAD), "gazette/strike.html", SETTINGS)
    assert article.id == article_id("gazette/strike.html")
    assert article.path == "gazette/strike.html"
    assert article.title == "Dockworkers Strike at Brackenport"
    assert article.outlet == "Harbour Gazette"
    assert article.url == "https://harbourgazette.example/2025/07/12/dock-strike"
    assert article.published == datetime(2025, 7, 12, 6, 45, tzinfo=BST)
    assert article.dek == "A 48-hour walkout over shift patterns halts container traffic."


def test_news_page_body_keeps_subheads_and_drops_the_furniture() -> None:
    article = parse_html(news_page(FULL_HEAD), "gazette/strike.html", SETTINGS)
    # Gone: masthead, nav, headline, byline, share prompt, "Read more:", "Follow us",
    # the related links with their label, the newsletter box, the footer.
    assert [(b.kind, b.text) for b in article.blocks] == STRIKE_BODY
    assert all(b.html == b.text for b in article.blocks)


def test_scripts_and_event_handlers_never_reach_the_blocks() -> None:
    extra = (
        '<p>Officials <a href="javascript:alert(1)" onclick="x()">spoke</a> at noon.'
        "<script>alert(2)</script></p>"
    )
    article = parse_html(news_page(FULL_HEAD, extra), "gazette/strike.html", SETTINGS)
    html = "".join(b.html for b in article.blocks)
    for bad in ("<script", "onclick", "javascript:", "alert"):
        assert bad not in html
    assert "Officials spoke at noon." in article.paragraphs


def test_outlet_falls_back_to_the_canonical_domain_then_the_folder() -> None:
    head = '<link rel="canonical" href="https://www.harbourgazette.example/2025/07/12/dock-strike">'
    article = parse_html(news_page(head), "saved/strike.html", SETTINGS)
    assert article.url == "https://www.harbourgazette.example/2025/07/12/dock-strike"
    assert article.outlet == "harbourgazette.example"
    bare = parse_html(news_page(), "saved/strike.html", SETTINGS)
    assert (bare.url, bare.outlet, bare.title) == ("", "saved", "Dockworkers Strike at Brackenport")


def test_the_copyright_year_is_not_a_publication_date() -> None:
    # htmldate's last resort is January 1 of the footer's "© 2025".
    assert parse_html(news_page(), "saved/strike.html", SETTINGS).published is None


def test_a_date_without_a_zone_is_in_the_configured_zone() -> None:
    head = '<meta property="article:published_time" content="2025-07-12">'
    london = LoadSettings(timezone=ZoneInfo("Europe/London"))
    article = parse_html(news_page(head), "strike.html", london)
    assert article.published == datetime(2025, 7, 12, tzinfo=ZoneInfo("Europe/London"))
    assert article.published.utcoffset() == timedelta(hours=1)


def test_results_do_not_depend_on_call_history() -> None:
    page = news_page(FULL_HEAD)
    first = parse_html(page, "a.html", SETTINGS)
    parse_html(news_page(), "b.html", SETTINGS)
    again = parse_html(page, "a.html", SETTINGS)
    assert again == first
    # The same page under another name is read in full, not dropped as a duplicate.
    assert parse_html(page, "copy.html", SETTINGS).blocks == first.blocks


@pytest.mark.parametrize(
    "page",
    [
        "",
        "   ",
        "<html><body></body></html>",
        "just a few words",
        "<html><head><title>Harbour Gazette</title></head><body><header><nav><ul>"
        '<li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>'
        "</header><footer><p>© 2025 Harbour Gazette. All rights reserved.</p></footer></body></html>",
        "<html><body><article><p>Share this article</p><p>Follow us on Twitter</p>"
        "<p>Advertisement</p></article></body></html>",
    ],
)
def test_a_page_without_main_text_is_a_named_problem(page: str) -> None:
    with pytest.raises(ContentError) as raised:
        parse_html(page, "saved/menu.html", SETTINGS)
    assert raised.value.reason == NO_TEXT == "expected an article in this page, found no main text"
    assert str(raised.value.path) == "saved/menu.html"


@pytest.mark.parametrize(
    "line",
    [
        "Share this article",
        "Share on Facebook",
        "Click to share on Twitter (Opens in new window)",
        "Follow us on Twitter for live updates.",
        "Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.",
        "Read more: Brackenport port expansion approved",
        "READ MORE: Ferry timetable changes",
        "See also: Tide tables",
        "Related: Ferry timetable changes",
        "Sign up for our morning briefing and get the day's top stories in your inbox.",
        "Get the latest updates right in your inbox. Subscribe to our newsletters.",
        "Photo: Reuters",
        "© 2025 Harbour Gazette. All rights reserved.",
        "Copyright 2019 Hawaii News Now. All rights reserved.",
        "copyright Inexhibit 2019 - ISSN: 2283-5474",
        "This article originally appeared on The Conversation.",
        "The post Harbour reopens appeared first on Coast Daily.",
        "Continue reading Harbour reopens →",
        "Updated at 1:23 p.m.",
        "UPDATED: Tue., Nov. 19, 2019",
        "https://harbourgazette.example/2025/07/12/dock-strike",
        "Tags: ports, strikes",
        "12 comments",
    ],
)
def test_prompts(line: str) -> None:
    assert is_prompt(line)


@pytest.mark.parametrize(
    "line",
    [
        "Read more about the strike in our earlier report.",
        "The union will share its proposals on Monday.",
        "Readers can follow the talks on our live blog, which is updated every hour.",
        "Copyright law changed in 2019, and publishers say the rules favour platforms.",
        "Subscribers to the newsletter were told of the change in May.",
        "Updated figures show 1,200 members walked out.",
        "Updated at the port: crews return",
        "More than 1,200 members walked out.",
        "Shift patterns at the heart of the dispute",
    ],
)
def test_not_prompts(line: str) -> None:
    assert not is_prompt(line)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("By Mara Quill", True),
        ("BY MARA QUILL", True),
        ("By Mara Quill and Tom Reed, Reuters", True),
        ("By Jane Doe, staff writer", True),
        ("Written by Jane Doe | Staff Writer", True),
        ("By midday, ships were waiting.", False),
        ("By Monday, the port will reopen", False),
        ("By the time the ships arrived the port was closed", False),
    ],
)
def test_bylines(line: str, expected: bool) -> None:
    assert is_byline(line) is expected


def b(kind: str, text: str) -> Block:
    return Block(kind, text, text)  # type: ignore[arg-type]


BODY = (b("p", "The strike began on Saturday."), b("p", "Talks resume on Monday."))


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        # The headline, byline and date line again above the story.
        (
            (b("h2", "Dock Strike Begins"), b("p", "By Mara Quill"), b("p", "12 July 2025"), *BODY),
            BODY,
        ),
        # The author's name alone, as a byline.
        ((b("p", "Mara Quill"), *BODY), BODY),
        # A story that opens "By Monday, ..." keeps its opening.
        (
            (b("p", "By Monday, the port will reopen."), *BODY),
            (b("p", "By Monday, the port will reopen."), *BODY),
        ),
        # A related-links box at the end, its list read item by item.
        (
            (
                *BODY,
                b("h3", "More on this story"),
                Block(
                    "ul",
                    "Port expansion approved Ferry timetable changes Crane operators warn",
                    "<li>Port expansion approved</li><li>Ferry timetable changes</li>"
                    "<li>Crane operators warn</li>",
                ),
            ),
            BODY,
        ),
        # A newsletter box at the end: an offer, or a form's labels.
        ((*BODY, b("h3", "Newsletter"), b("p", "Sign up to get our briefing by email.")), BODY),
        (
            (*BODY, b("h3", "Newsletter"), b("p", "The Morning Briefing"), b("p", "Your email")),
            BODY,
        ),
        # A label in the middle followed by prose is a subhead: the prose stays.
        (
            (BODY[0], b("h3", "Newsletter"), BODY[1], b("p", "It will run all week.")),
            (BODY[0], BODY[1], b("p", "It will run all week.")),
        ),
        # A link box in the middle: the label and its list go, the story around it stays.
        (
            (
                BODY[0],
                b("h3", "Related"),
                Block("ul", "Port expansion approved", "<li>Port expansion approved</li>"),
                b("p", "Union officials say the longer shifts are unsafe for crane operators."),
                b("p", "The port authority said it remained open to talks with the union."),
            ),
            (
                BODY[0],
                b("p", "Union officials say the longer shifts are unsafe for crane operators."),
                b("p", "The port authority said it remained open to talks with the union."),
            ),
        ),
        # Contact lines and a dangling subhead at the end.
        (
            (
                *BODY,
                b("p", "Have a tip? Mara Quill may be reached at mq@harbourgazette.example."),
                b("h2", "Comments"),
            ),
            BODY,
        ),
        # A trailing run of other stories' headlines.
        (
            (*BODY, b("p", "Port expansion approved"), b("p", "Ferries change"), b("p", "Cranes")),
            BODY,
        ),
        # A subhead within the story and a closing list of facts stay.
        (
            (
                BODY[0],
                b("h2", "What happens next"),
                BODY[1],
                Block(
                    "ul",
                    "Ships wait Ferries diverted",
                    "<li>Ships wait</li><li>Ferries diverted</li>",
                ),
            ),
            (
                BODY[0],
                b("h2", "What happens next"),
                BODY[1],
                Block(
                    "ul",
                    "Ships wait Ferries diverted",
                    "<li>Ships wait</li><li>Ferries diverted</li>",
                ),
            ),
        ),
    ],
)
def test_clean_blocks(blocks: tuple[Block, ...], expected: tuple[Block, ...]) -> None:
    assert clean_blocks(blocks, title="Dock Strike Begins", author="Mara Quill") == expected


_LINES = st.sampled_from(
    [
        "The strike began on Saturday.",
        "Talks resume on Monday.",
        "Related Articles",
        "Newsletter",
        "Share this article",
        "By Mara Quill",
        "12 July 2025",
        "Dock Strike Begins",
        "Port expansion approved",
        "Ferries change",
        "Reach Mara Quill at mq@harbourgazette.example.",
        "Union officials say the longer shifts are unsafe for crane operators.",
    ]
)
_BLOCKS = st.builds(
    lambda kind, text: Block(kind, text, text), st.sampled_from(["p", "h2", "h3", "ul"]), _LINES
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_BLOCKS, max_size=12))
def test_clean_blocks_is_idempotent(blocks: list[Block]) -> None:
    once = clean_blocks(tuple(blocks), title="Dock Strike Begins", author="Mara Quill")
    assert clean_blocks(once, title="Dock Strike Begins", author="Mara Quill") == once
    assert set(once) <= set(blocks)


def test_clean_blocks_is_idempotent_on_the_news_page() -> None:
    article = parse_html(news_page(FULL_HEAD), "strike.html", SETTINGS)
    assert clean_blocks(article.blocks, title=article.title) == article.blocks


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "<p>",
                    "</p>",
                    "<h2>",
                    "</h2>",
                    "<ul><li>",
                    "</li></ul>",
                    "<article>",
                    "<div>",
                    "<script>",
                    "</script>",
                    "<meta property='article:published_time' content='",
                    "'>",
                    "2025-07-12T06:45:00+01:00",
                    "0001-01-01",
                    "&amp;",
                    "<!--",
                    "-->",
                ]
            ),
            st.text(max_size=60),
        ),
        max_size=30,
    )
)
def test_any_text_gives_an_article_or_a_content_error(pieces: list[str]) -> None:
    try:
        article = parse_html("".join(pieces), "fuzz.html", SETTINGS)
    except ContentError:
        return
    assert article.blocks and article.title
