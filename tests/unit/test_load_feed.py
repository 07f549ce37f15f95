"""Tests for digest.load.feed: RSS 2.0, Atom, RDF and JSON Feed in, articles out."""

from __future__ import annotations

import doctest
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import digest.load.feed
from digest.errors import ContentError
from digest.load import LoadSettings
from digest.load.feed import (
    FeedEntry,
    entry_id,
    newest_versions,
    parse_feed,
    parse_feed_entries,
)
from digest.model import Article

SETTINGS = LoadSettings()
BST = timezone(timedelta(hours=1))

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Harbour Gazette</title>
  <link>https://harbourgazette.example/</link>
  <description>News from the coast</description>
  <item>
    <title>Dockworkers strike at Brackenport</title>
    <link>https://harbourgazette.example/2025/07/12/dock-strike</link>
    <guid isPermaLink="false">hg-2025-0712-001</guid>
    <pubDate>Sat, 12 Jul 2025 06:45:00 +0100</pubDate>
    <category>Business</category>
    <category>Brackenport</category>
    <description>A 48-hour walkout halts container traffic.</description>
    <content:encoded><![CDATA[<p>Dockworkers at the port of Brackenport began a 48-hour strike
    on Saturday.</p><h2>Ships wait offshore</h2><p>Eleven container ships were anchored in
    the bay.</p><p>Share this article</p>]]></content:encoded>
  </item>
  <item>
    <title>Ferry timetable changes for summer</title>
    <link>https://harbourgazette.example/2025/07/11/ferries</link>
    <pubDate>Fri, 11 Jul 2025 17:00:00 GMT</pubDate>
    <description>&lt;p&gt;Ferries will sail &lt;b&gt;twice&lt;/b&gt; an hour.&lt;/p&gt;</description>
  </item>
</channel>
</rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">Northern &lt;em&gt;Wire&lt;/em&gt;</title>
  <id>tag:northernwire.example,2025:feed</id>
  <link rel="alternate" href="https://northernwire.example/"/>
  <link rel="self" href="https://northernwire.example/atom.xml"/>
  <updated>2025-07-13T09:00:00Z</updated>
  <entry>
    <title>Port walkout enters second day</title>
    <id>tag:northernwire.example,2025:walkout-2</id>
    <link rel="alternate" type="text/html" href="https://northernwire.example/walkout-day-two"/>
    <published>2025-07-13T07:15:00+01:00</published>
    <updated>2025-07-13T08:30:00+01:00</updated>
    <category term="strikes" label="Strikes"/>
    <category term="ports"/>
    <summary>Talks remain stalled.</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
      <p>The walkout at Brackenport entered its second day on Sunday.</p>
      <ul><li>Eleven ships wait</li><li>Two ferries diverted</li></ul>
    </div></content>
  </entry>
</feed>
"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://midlandcourier.example/rss">
    <title>Midland Courier</title>
    <link>https://midlandcourier.example/</link>
    <description>Midland news</description>
    <items><rdf:Seq><rdf:li rdf:resource="https://midlandcourier.example/quake"/></rdf:Seq></items>
  </channel>
  <item rdf:about="https://midlandcourier.example/quake">
    <title>Moderate earthquake shakes central Greece</title>
    <link>https://midlandcourier.example/quake</link>
    <description>A magnitude 5.2 earthquake damaged older buildings in Thessaly.</description>
    <dc:date>2025-07-12T14:20:00+03:00</dc:date>
    <dc:subject>Earthquakes</dc:subject>
  </item>
</rdf:RDF>
"""

JSON_FEED = json.dumps(
    {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Coast Daily",
        "home_page_url": "https://coastdaily.example/",
        "feed_url": "https://coastdaily.example/feed.json",
        "items": [
            {
                "id": "https://coastdaily.example/p/1",
                "url": "https://coastdaily.example/p/1",
                "title": "Harbour reopens",
                "content_html": "<p>The harbour reopened on Monday.</p>"
                "<p>Crews cleared the berths overnight.</p>",
                "summary": "Ships are moving again.",
                "date_published": "2025-07-14T06:00:00+01:00",
                "date_modified": "2025-07-14T09:00:00+01:00",
                "tags": ["Ports", "Brackenport"],
            },
            {
                "id": 2,
                "title": "Tide tables",
                "content_text": "High tide at 06:12.\n\nLow tide at 12:30.",
                "date_published": "2025-07-14T05:00:00Z",
            },
        ],
    }
).encode()

HOSTILE = b"""<rss version="2.0"><channel><title>Hostile</title>
<link>https://hostile.example/</link>
<item><title>Tricks &lt;script&gt;alert(1)&lt;/script&gt;</title>
<guid>https://hostile.example/1</guid>
<description><![CDATA[<p onclick="steal()">Click <a href="javascript:alert(2)">here</a> or
<a href="https://hostile.example/ok" onmouseover="x()">there</a>.</p>
<script>alert(3)</script><style>p{}</style><iframe src="https://evil.example/"></iframe>
<p><img src="x" onerror="alert(4)">Pictures follow.</p>]]></description>
</item></channel></rss>
"""


def kinds_and_texts(article: Article) -> list[tuple[str, str]]:
    return [(b.kind, b.text) for b in article.blocks]


def test_doctests() -> None:
    assert doctest.testmod(digest.load.feed, optionflags=doctest.ELLIPSIS).failed == 0


def test_rss_full_content_wins_and_description_becomes_the_dek() -> None:
    first, _ = parse_feed(RSS, "feeds/gazette.xml", SETTINGS)
    assert first.path == "feeds/gazette.xml"
    assert first.outlet == "Harbour Gazette"
    assert first.title == "Dockworkers strike at Brackenport"
    assert first.dek == "A 48-hour walkout halts container traffic."
    assert first.url == "https://harbourgazette.example/2025/07/12/dock-strike"
    assert first.published == datetime(2025, 7, 12, 5, 45, tzinfo=UTC)
    assert first.tags == ("business", "brackenport")
    # "Share this article" is page furniture, as in saved pages.
    assert kinds_and_texts(first) == [
        ("p", "Dockworkers at the port of Brackenport began a 48-hour strike on Saturday."),
        ("h2", "Ships wait offshore"),
        ("p", "Eleven container ships were anchored in the bay."),
    ]
    assert first.id == entry_id("harbourgazette.example", "hg-2025-0712-001")


def test_a_title_in_plain_text_keeps_what_reads_as_markup() -> None:
    # Only a title given as HTML loses its tags: RSS titles are plain text unless they
    # hold markup feedparser knows, Atom's unless type="html", JSON Feed's always.
    body = "The bridge reopened on Monday after two weeks of repairs, the council said."
    rss = (
        '<rss version="2.0"><channel><title>Post</title><link>https://post.example/</link>'
        "<item><title>Bridge &amp; road reopen after &lt;repairs&gt;</title>"
        f"<guid>https://post.example/1</guid><description>{body}</description></item>"
        "<item><title>&lt;b&gt;Breaking&lt;/b&gt;: bridge reopens</title>"
        f"<guid>https://post.example/2</guid><description>{body}</description></item>"
        "</channel></rss>"
    ).encode()
    assert [a.title for a in parse_feed(rss, "post.rss", SETTINGS)] == [
        "Bridge & road reopen after <repairs>",
        "Breaking: bridge reopens",
    ]
    atom = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>urn:w</id>'
        '<entry><id>urn:x:1</id><title type="html">&lt;em&gt;Bridge&lt;/em&gt; reopens</title>'
        f"<updated>2025-07-14T06:00:00Z</updated><content>{body}</content></entry>"
        "<entry><id>urn:x:2</id><title>Tolls &lt; 2 euros &amp; falling</title>"
        f"<updated>2025-07-14T06:00:00Z</updated><content>{body}</content></entry></feed>"
    ).encode()
    assert [a.title for a in parse_feed(atom, "wire.atom", SETTINGS)] == [
        "Bridge reopens",
        "Tolls < 2 euros & falling",
    ]
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "J",
        "items": [{"id": "1", "title": "Costs <rise> & fall", "content_text": body}],
    }
    assert [a.title for a in parse_feed(json.dumps(feed).encode(), "j.json", SETTINGS)] == [
        "Costs <rise> & fall"
    ]


def test_rss_html_only_summary_is_the_body() -> None:
    _, second = parse_feed(RSS, "feeds/gazette.xml", SETTINGS)
    assert second.title == "Ferry timetable changes for summer"
    assert second.dek == ""
    assert [(b.kind, b.text, b.html) for b in second.blocks] == [
        ("p", "Ferries will sail twice an hour.", "Ferries will sail <b>twice</b> an hour.")
    ]
    assert second.published == datetime(2025, 7, 11, 17, 0, tzinfo=UTC)
    # No guid: the link identifies the entry.
    assert second.id == entry_id(
        "harbourgazette.example", "harbourgazette.example/2025/07/11/ferries"
    )


def test_a_summary_that_repeats_the_content_is_no_dek() -> None:
    feed = (
        b'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        b"<channel><title>T</title>"
        # Content only: feedparser copies it into the summary.
        b"<item><title>A</title><guid>1</guid><content:encoded><![CDATA[<p>The port reopened "
        b"on Monday.</p><p>Crews cleared the berths overnight.</p>]]></content:encoded></item>"
        # A teaser cut short with an ellipsis.
        b"<item><title>B</title><guid>2</guid><description>The port reopened on Monday. "
        b"Crews cleared [&#8230;]</description><content:encoded><![CDATA[<p>The port reopened "
        b"on Monday.</p><p>Crews cleared the berths overnight.</p>]]></content:encoded></item>"
        b"</channel></rss>"
    )
    for article in parse_feed(feed, "t.xml", SETTINGS):
        assert article.dek == ""
        assert article.paragraphs == (
            "The port reopened on Monday.",
            "Crews cleared the berths overnight.",
        )


def test_atom_entry() -> None:
    [entry] = parse_feed_entries(ATOM, "feeds/wire.atom", SETTINGS)
    article = entry.article
    assert article.outlet == "Northern Wire"
    assert article.title == "Port walkout enters second day"
    assert article.dek == "Talks remain stalled."
    assert article.url == "https://northernwire.example/walkout-day-two"
    assert article.published == datetime(2025, 7, 13, 6, 15, tzinfo=UTC)
    assert entry.updated == datetime(2025, 7, 13, 7, 30, tzinfo=UTC)
    assert article.tags == ("strikes", "ports")
    assert [(b.kind, b.text, b.html) for b in article.blocks] == [
        (
            "p",
            "The walkout at Brackenport entered its second day on Sunday.",
            "The walkout at Brackenport entered its second day on Sunday.",
        ),
        (
            "ul",
            "Eleven ships wait Two ferries diverted",
            "<li>Eleven ships wait</li>\n<li>Two ferries diverted</li>",
        ),
    ]


def test_rdf_item() -> None:
    [article] = parse_feed(RDF, "feeds/courier.rdf.xml", SETTINGS)
    assert article.outlet == "Midland Courier"
    assert article.title == "Moderate earthquake shakes central Greece"
    assert article.url == "https://midlandcourier.example/quake"
    assert article.published == datetime(2025, 7, 12, 11, 20, tzinfo=UTC)
    assert article.tags == ("earthquakes",)
    assert article.paragraphs == (
        "A magnitude 5.2 earthquake damaged older buildings in Thessaly.",
    )


def test_json_feed_html_and_text_items() -> None:
    first, second = parse_feed_entries(JSON_FEED, "feeds/coast.json", SETTINGS)
    assert first.article.outlet == "Coast Daily"
    assert first.article.title == "Harbour reopens"
    assert first.article.dek == "Ships are moving again."
    assert first.article.url == "https://coastdaily.example/p/1"
    assert first.article.published == datetime(2025, 7, 14, 6, 0, tzinfo=BST)
    assert first.updated == datetime(2025, 7, 14, 9, 0, tzinfo=BST)
    assert first.article.tags == ("ports", "brackenport")
    assert first.article.paragraphs == (
        "The harbour reopened on Monday.",
        "Crews cleared the berths overnight.",
    )
    assert second.article.title == "Tide tables"
    assert second.article.url == ""
    assert second.article.paragraphs == ("High tide at 06:12.", "Low tide at 12:30.")
    assert second.article.id == entry_id("coastdaily.example", "2")


def test_json_feed_version_1_is_read() -> None:
    data = json.loads(JSON_FEED)
    data["version"] = "https://jsonfeed.org/version/1"
    assert len(parse_feed(json.dumps(data).encode(), "feeds/coast.json", SETTINGS)) == 2


def test_scripts_event_handlers_and_javascript_links_are_gone() -> None:
    [article] = parse_feed(HOSTILE, "feeds/hostile.xml", SETTINGS)
    html = "".join(b.html for b in article.blocks)
    text = " ".join(b.text for b in article.blocks) + article.title
    for bad in ("<script", "onclick", "onmouseover", "onerror", "javascript:", "<iframe", "<style"):
        assert bad not in html.lower()
    assert "alert(3)" not in text and "p{}" not in text
    assert article.title == "Tricks"
    assert '<a href="https://hostile.example/ok" rel="noopener noreferrer">there</a>' in html
    assert article.paragraphs == ("Click here or there.", "Pictures follow.")


def test_two_snapshots_one_article_newest_wins() -> None:
    day1 = ATOM
    day2 = ATOM.replace(b"2025-07-13T08:30:00+01:00", b"2025-07-13T11:00:00+01:00").replace(
        b"Talks remain stalled.", b"Talks resume on Monday."
    )
    old = parse_feed_entries(day1, "feeds/wire-2025-07-13T09.atom", SETTINGS)
    new = parse_feed_entries(day2, "feeds/wire-2025-07-13T12.atom", SETTINGS)
    assert old[0].article.id == new[0].article.id
    for order in ([*old, *new], [*new, *old]):
        [winner] = newest_versions(order)
        assert winner.dek == "Talks resume on Monday."
        assert winner.path == "feeds/wire-2025-07-13T12.atom"


def test_newest_versions_ties_go_to_the_later_path_and_bare_articles_use_published() -> None:
    [a] = parse_feed(RDF, "feeds/a.xml", SETTINGS)
    assert a.published is not None
    b = replace(a, path="feeds/b.xml", title="Later snapshot")
    assert [x.title for x in newest_versions([b, a])] == ["Later snapshot"]
    assert [x.title for x in newest_versions([a, b])] == ["Later snapshot"]
    earlier = replace(a, path="feeds/z.xml", published=a.published - timedelta(hours=1))
    assert newest_versions([earlier, a]) == (a,)
    undated = replace(a, path="feeds/zz.xml", published=None)
    assert newest_versions([undated, a]) == (a,)


def test_newest_versions_keeps_first_place_order_of_distinct_ids() -> None:
    articles = parse_feed(RSS, "feeds/gazette.xml", SETTINGS)
    assert newest_versions(reversed(articles)) == tuple(reversed(articles))
    entries = parse_feed_entries(RSS, "feeds/gazette.xml", SETTINGS)
    assert newest_versions(entries) == articles
    assert isinstance(entries[0], FeedEntry)


def test_ids_come_from_the_feed_and_entry_not_the_file_name() -> None:
    [a] = parse_feed(RDF, "feeds/2025-07-12/courier.xml", SETTINGS)
    [b] = parse_feed(RDF, "elsewhere/renamed.rss", SETTINGS)
    assert a.id == b.id
    moved = RDF.replace(
        b"<link>https://midlandcourier.example/</link>", b"<link>https://other.example/</link>"
    )
    [c] = parse_feed(moved, "feeds/2025-07-12/courier.xml", SETTINGS)
    assert c.id != a.id


def test_feed_link_is_normalised_for_identity() -> None:
    [a] = parse_feed(RDF, "a.xml", SETTINGS)
    www = RDF.replace(
        b"<link>https://midlandcourier.example/</link>",
        b"<link>http://www.midlandcourier.example</link>",
    )
    [b] = parse_feed(www, "b.xml", SETTINGS)
    assert a.id == b.id


def test_duplicate_guids_in_one_file_are_one_article() -> None:
    item = b"<item><guid>same</guid><title>%s</title><pubDate>%s</pubDate></item>"
    feed = (
        b'<rss version="2.0"><channel><title>T</title>'
        + item % (b"First", b"Mon, 14 Jul 2025 08:00:00 GMT")
        + item % (b"Corrected", b"Mon, 14 Jul 2025 09:00:00 GMT")
        + b"</channel></rss>"
    )
    assert [a.title for a in parse_feed(feed, "t.xml", SETTINGS)] == ["Corrected"]


def test_entries_without_title_and_text_are_skipped_untitled_ones_get_a_headline() -> None:
    feed = (
        b'<rss version="2.0"><channel><title>T</title>'
        b"<item><guid>1</guid></item>"
        b"<item><guid>2</guid><description>Only text here, and no title for it.</description></item>"
        b"<item><guid>3</guid><title>Only a title</title></item>"
        b"</channel></rss>"
    )
    articles = parse_feed(feed, "t.xml", SETTINGS)
    assert [(a.title, a.paragraphs) for a in articles] == [
        ("Only text here, and no title for it.", ("Only text here, and no title for it.",)),
        ("Only a title", ()),
    ]


def test_outlet_falls_back_to_the_feed_links_domain() -> None:
    feed = (
        b'<rss version="2.0"><channel><link>https://www.quiet.example/news</link>'
        b"<item><title>A</title><link>https://www.quiet.example/a</link></item>"
        b"</channel></rss>"
    )
    assert parse_feed(feed, "t.xml", SETTINGS)[0].outlet == "quiet.example"


def test_empty_feed_gives_no_articles() -> None:
    assert (
        parse_feed(
            b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>', "q.xml", SETTINGS
        )
        == ()
    )
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Quiet</title></feed>'
    assert parse_feed(atom, "q.atom", SETTINGS) == ()
    empty_json = b'{"version": "https://jsonfeed.org/version/1.1", "title": "Q", "items": []}'
    assert parse_feed(empty_json, "q.json", SETTINGS) == ()


def test_bozo_feed_with_entries_still_gives_articles() -> None:
    feed = (
        b'<rss version="2.0"><channel><title>Tom & Jerry News</title>'
        b"<item><title>Cats & dogs</title><description>Rain & wind</description></item>"
        b"</channel></rss>"
    )
    [article] = parse_feed(feed, "bozo.xml", SETTINGS)
    assert (article.outlet, article.title, article.paragraphs) == (
        "Tom & Jerry News",
        "Cats & dogs",
        ("Rain & wind",),
    )


EXPECTED = "expected an RSS, Atom or JSON feed, found "


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (
            b"<!DOCTYPE html><html><head><title>Dock strike</title></head>"
            b"<body><p>Dockworkers began a strike.</p></body></html>",
            "an HTML page",
        ),
        (b"<html><body><p>Saved page</p></body></html>", "an HTML page"),
        (bytes(range(256)) * 4, "binary data"),
        (b"\x00\x01\x02\x03\xff\xfe\xfd" * 50, "binary data"),
        (b"Dockworkers began a strike on Saturday.\nMore later.", "plain text, not XML"),
        (b"", "an empty file"),
        (b"  \n\t", "an empty file"),
        (b"<!-- nothing -->", "an XML document without elements"),
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>',
            "an XML document whose root element is <svg>",
        ),
        (
            b'{"name": "not a feed"}',
            'JSON with no version (a JSON Feed has "version": "https://jsonfeed.org/version/1.1")',
        ),
        (b"[1, 2]", "JSON that is an array, not a JSON Feed object"),
        (b'{"version": ', "invalid JSON (Expecting value: line 1 column 13 (char 12))"),
        (b"[" * 100_000, "JSON nested too deeply"),
    ],
)
def test_not_a_feed_is_a_named_problem(data: bytes, found: str) -> None:
    with pytest.raises(ContentError) as raised:
        parse_feed(data, "feeds/page.xml", SETTINGS)
    assert raised.value.reason == EXPECTED + found
    assert str(raised.value.path) == "feeds/page.xml"


def test_control_characters_in_titles_are_dropped() -> None:
    # Found by fuzzing: lxml refuses control characters, so they go before plain_text.
    feed = ATOM.replace(b"Northern &lt;em&gt;", b"North\x01ern &lt;em&gt;").replace(
        b"Port walkout", b"Port\x02 walkout"
    )
    [article] = parse_feed(feed, "wire.atom", SETTINGS)
    assert (article.outlet, article.title) == ("Northern Wire", "Port walkout enters second day")


def test_bytes_naming_a_file_are_data_not_a_path() -> None:
    # feedparser.parse opens bytes that name an existing file; parse_feed never lets it.
    with pytest.raises(ContentError) as raised:
        parse_feed(b"/etc/hostname", "x.xml", SETTINGS)
    assert raised.value.reason == EXPECTED + "plain text, not XML"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_give_articles_or_a_content_error(data: bytes) -> None:
    try:
        result = parse_feed(data, "fuzz.xml", SETTINGS)
    except ContentError:
        return
    assert isinstance(result, tuple)


_PIECES = st.sampled_from(
    [
        "<rss version='2.0'>",
        "<channel>",
        "</channel>",
        "</rss>",
        "<item>",
        "</item>",
        "<entry>",
        "</entry>",
        "<feed xmlns='http://www.w3.org/2005/Atom'>",
        "</feed>",
        "<title>",
        "</title>",
        "<description>",
        "</description>",
        "<link>",
        "</link>",
        "<guid>",
        "</guid>",
        "<pubDate>",
        "</pubDate>",
        "<![CDATA[",
        "]]>",
        "&amp;",
        "&",
        "&#0;",
        "&#xD800;",
        "&nbsp;",
        "<!DOCTYPE x [<!ENTITY a 'b'>]>",
        "&a;",
        "<p>",
        "</p>",
        "<script>",
        "</script>",
        "<content type='xhtml'>",
        "</content>",
        "<![",
        "<?xml ?>",
        "Mon, 31 Feb 2025 25:61:00 +9999",
        "9999-99-99T99:99:99Z",
        "javascript:x()",
        "http://",
        "\x00",
        "\ufeff",
        "é",
        "{",
        '"version": "https://jsonfeed.org/version/1"',
        '"items": [',
        "]",
        "}",
        ",",
        '{"id": 1, "content_html": "<b>x"}',
        " ",
        "\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=20)), max_size=40))
def test_feed_like_junk_gives_articles_or_a_content_error(pieces: list[str]) -> None:
    data = "".join(pieces).encode("utf-8", "surrogatepass")
    try:
        result = parse_feed(data, "fuzz.xml", SETTINGS)
    except ContentError:
        return
    for article in result:
        assert article.id.startswith("feed:")
        assert article.title or article.blocks


@settings(max_examples=100, deadline=None)
@given(st.permutations(list(range(6))))
def test_newest_versions_does_not_depend_on_input_order(order: list[int]) -> None:
    [base] = parse_feed(RDF, "feeds/a.xml", SETTINGS)
    assert base.published is not None
    versions = [
        replace(base, path=f"feeds/{i % 3}.xml", published=base.published + timedelta(hours=i // 2))
        for i in range(6)
    ]
    expected = newest_versions(versions)
    assert newest_versions([versions[i] for i in order]) == expected
    assert expected[0].path == "feeds/2.xml"


def test_a_feed_cut_short_is_read_as_far_as_it_goes_and_named() -> None:
    from digest.load import load_bytes

    body = "The bridge reopened on Monday after two weeks of repairs, the council said."
    whole = (
        '<rss version="2.0"><channel><title>Post</title>'
        f"<item><title>Bridge reopens</title><guid>https://p.example/1</guid><description>{body}"
        "</description></item><item><title>Second</title><guid>https://p.example/2</guid>"
        f"<description>{body}</description></item></channel></rss>"
    ).encode()
    cut = whole[: whole.index(b"<item><title>Second")] + b"<item><title>Sec"
    loaded = load_bytes(cut, "post.xml", SETTINGS)
    assert [a.title for a in loaded.articles] == ["Bridge reopens"]
    [problem] = loaded.problems
    assert problem.message.startswith("expected a whole feed, found one that ends early, at line 1")
    assert problem.message.endswith(": no element found; read the entry before the end")
    broken = load_bytes(b"<rss><channel><title>x</title><item><title>unclosed", "x.xml", SETTINGS)
    assert broken.articles == ()
    assert broken.problems[0].message == (
        "expected a whole feed, found one that ends early, at line 1, column 52: no element "
        "found; no entry read"
    )
    assert load_bytes(whole, "post.xml", SETTINGS).problems == ()
    # A stray "&" is read past, every entry with it: no problem.
    stray = whole.replace(b"<title>Bridge reopens", b"<title>Tom & Jerry reopen the bridge")
    assert [a.title for a in load_bytes(stray, "post.xml", SETTINGS).articles] == [
        "Tom & Jerry reopen the bridge",
        "Second",
    ]
    assert load_bytes(stray, "post.xml", SETTINGS).problems == ()
