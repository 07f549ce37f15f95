"""The plain-text wire-copy loader: a table of small realistic files → exact articles.

Each case gives the file's bytes (or text, stored as UTF-8) and everything the loader must
make of it: outlet, headline, standfirst, published date and every body block with its
kind ("p" for a paragraph, "h2" for a subhead).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from digest.load import Loaded, LoadSettings, load_bytes
from digest.load.text import parse_wire_text
from digest.model import Article, Problem

CONTENT = Path(__file__).resolve().parents[2] / "content"
SEED_FULL = "000_09bbb82b954263c9.txt"
SEED_SHORT = "003_7ea263126d66c9a4.txt"


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes | str
    outlet: str
    title: str
    published: datetime | None
    blocks: tuple[tuple[str, str], ...]
    dek: str = ""
    path: str = "x.txt"


def P(text: str) -> tuple[str, str]:
    return ("p", text)


def H(text: str) -> tuple[str, str]:
    return ("h2", text)


JUL_12 = datetime(2025, 7, 12, tzinfo=UTC)
JUL_14 = datetime(2025, 7, 14, tzinfo=UTC)

DOCK_1 = (
    "Dock workers at Brackenport walked off the job on Saturday morning, halting cargo "
    "traffic at the country's third-largest port."
)
DOCK_2 = (
    "The union said the strike would last 48 hours unless the port authority reopened "
    "talks on pay and shift patterns."
)
DOCK_3 = "Port officials said three container ships had been diverted to neighbouring harbours."

GLACIER_1 = (
    "Scientists measuring the Morteratsch glacier said on Sunday that its tongue had "
    "retreated 42 metres over the past year, the most since records began."
)
GLACIER_2 = (
    "The survey team, from the University of Bern, used drones and ground markers to map the ice."
)
GLACIER_3 = (
    '"We have never seen a loss like this in a single season," said lead researcher Anna Keller.'
)

TRAIN_1 = (
    "A battery-powered passenger train completed its first trial run between Derby and "
    "Nottingham on Monday, the operator said."
)
TRAIN_2 = (
    "The three-car unit ran the 16-mile route twice without recharging, reaching speeds of 75 mph."
)

WALKOUT_LEDE = "Dock workers at Brackenport stayed off the job for a second day on Monday after talks broke down."
WALKOUT_END = "The union said it would ballot members on further action next week."

PERU_1 = (
    "A magnitude 6.1 earthquake struck off the coast of southern Peru on Monday, shaking "
    "buildings in Arequipa and Tacna."
)
PERU_2 = (
    "The geophysical institute said the quake's epicentre was 40 kilometres offshore at a "
    "depth of 30 kilometres."
)
PERU_3 = "There were no immediate reports of damage, and no tsunami warning was issued."

FLOOD = (
    "The weather agency issued flood warnings for three river basins on Wednesday after "
    "two days of heavy rain."
)

CASES = [
    Case(
        "masthead, tagline and date above a headline printed twice",
        "Harbour Gazette\n\nNews you can trust.\nSaturday, 12 July 2025\n\n"
        "Dock Workers Strike At Brackenport\n\nDock Workers Strike At Brackenport\n\n"
        f"{DOCK_1}\n\n{DOCK_2}\n\n{DOCK_3}\n",
        outlet="Harbour Gazette",
        title="Dock Workers Strike At Brackenport",
        published=JUL_12,
        blocks=(P(DOCK_1), P(DOCK_2), P(DOCK_3)),
    ),
    Case(
        "headline as the first line, no masthead, no date",
        f"Glacier Survey Finds Record Retreat\n{GLACIER_1}\n{GLACIER_2}\n{GLACIER_3}\n",
        outlet="",
        title="Glacier Survey Finds Record Retreat",
        published=None,
        blocks=(P(GLACIER_1), P(GLACIER_2), P(GLACIER_3)),
    ),
    Case(
        "date line after the headline",
        f"Battery Train Completes First Trial Run\nJuly 14, 2025\n{TRAIN_1}\n{TRAIN_2}\n",
        outlet="",
        title="Battery Train Completes First Trial Run",
        published=JUL_14,
        blocks=(P(TRAIN_1), P(TRAIN_2)),
    ),
    Case(
        "labelled date line with a zone abbreviation after a doubled headline",
        "Midland Courier\nFlood Warnings Issued For Three Rivers\n"
        "Flood Warnings Issued For Three Rivers\nUpdated: 14 July 2025 10:32 BST\n"
        f"{FLOOD}\nResidents were told to move valuables upstairs.\n",
        outlet="Midland Courier",
        title="Flood Warnings Issued For Three Rivers",
        published=datetime(2025, 7, 14, 10, 32, tzinfo=timezone(timedelta(hours=1))),
        blocks=(P(FLOOD), P("Residents were told to move valuables upstairs.")),
    ),
    Case(
        "standfirst that the body repeats becomes the dek",
        "Northern Wire\n\nPort Walkout Enters Second Day\n\nPort Walkout Enters Second Day\n\n"
        "Talks between the union and the port authority broke down late on Sunday, leaving "
        "cargo stranded.\n\n"
        f"{WALKOUT_LEDE}\n\n"
        "Talks between the union and the port authority broke down late on Sunday night, "
        "leaving cargo stranded on the quays.\n\n"
        f"{WALKOUT_END}\n",
        outlet="Northern Wire",
        title="Port Walkout Enters Second Day",
        published=None,
        dek=(
            "Talks between the union and the port authority broke down late on Sunday, "
            "leaving cargo stranded."
        ),
        blocks=(
            P(WALKOUT_LEDE),
            P(
                "Talks between the union and the port authority broke down late on Sunday "
                "night, leaving cargo stranded on the quays."
            ),
            P(WALKOUT_END),
        ),
    ),
    Case(
        "standfirst that the body does not repeat stays in the body",
        "Northern Wire\n\nPort Walkout Enters Second Day\n\nPort Walkout Enters Second Day\n\n"
        "Cargo worth millions is stuck on the quays as the strike drags on.\n\n"
        f"{WALKOUT_LEDE}\n\n{WALKOUT_END}\n",
        outlet="Northern Wire",
        title="Port Walkout Enters Second Day",
        published=None,
        blocks=(
            P("Cargo worth millions is stuck on the quays as the strike drags on."),
            P(WALKOUT_LEDE),
            P(WALKOUT_END),
        ),
    ),
    Case(
        "subheads before prose are h2; a short final line is a paragraph",
        "Quake Shakes Thessaly\n\n"
        "A magnitude 5.8 earthquake struck central Greece on Saturday, damaging old "
        "buildings in several villages near Larissa.\n\n"
        "Rescue Effort\n\n"
        "Firefighters searched collapsed houses through the night, and the civil protection "
        "agency said two people had been taken to hospital.\n\n"
        "No deaths were reported by Sunday morning.\n\n"
        "Aftershocks Expected\n\n"
        "Seismologists warned that aftershocks of up to magnitude 5 could follow in the "
        "coming days.\n\n"
        "Schools in Larissa stay closed on Monday\n",
        outlet="",
        title="Quake Shakes Thessaly",
        published=None,
        blocks=(
            P(
                "A magnitude 5.8 earthquake struck central Greece on Saturday, damaging old "
                "buildings in several villages near Larissa."
            ),
            H("Rescue Effort"),
            P(
                "Firefighters searched collapsed houses through the night, and the civil "
                "protection agency said two people had been taken to hospital."
            ),
            P("No deaths were reported by Sunday morning."),
            H("Aftershocks Expected"),
            P(
                "Seismologists warned that aftershocks of up to magnitude 5 could follow in "
                "the coming days."
            ),
            P("Schools in Larissa stay closed on Monday"),
        ),
    ),
    Case(
        "trailing chrome and an advertisement in the middle of the body",
        "Southern Cross Wire\nMonday, Jul 14, 2025\nOffshore Quake Rattles Peru Coast\n"
        f"Offshore Quake Rattles Peru Coast\n{PERU_1}\nAdvertisement\n{PERU_2}\n{PERU_3}\n"
        "Newsletter\nRelated Articles\n0:00\n0:00\nClose\n"
        "Bitcoin Reaches New Milestone of $116,000\n"
        "EU Delays Retaliatory Tariffs Amid New U.S. Threats on Imports\n"
        "Severe Heatwave Claims 2,300 Lives Across Europe\n×",
        outlet="Southern Cross Wire",
        title="Offshore Quake Rattles Peru Coast",
        published=JUL_14,
        blocks=(P(PERU_1), P(PERU_2), P(PERU_3)),
    ),
    Case(
        "a list of other stories' headlines after the story, with no label",
        f"Offshore Quake Rattles Peru Coast\n{PERU_1}\n{PERU_2}\n{PERU_3}\n"
        "Heatwave Grips Southern Spain\nTrain Drivers Vote To Strike\n"
        "Markets Slip As Oil Climbs\nClose\n",
        outlet="",
        title="Offshore Quake Rattles Peru Coast",
        published=None,
        blocks=(P(PERU_1), P(PERU_2), P(PERU_3)),
    ),
    Case(
        "a close button's glyph glued to the headline",
        "×Moscow, Kyiv call for talks amid intense shellfire\n"
        "Ukraine and Russia both called Sunday for intensified diplomatic efforts to avert "
        "all-out war, but blamed each other for a sharp escalation in shelling.\n"
        "Washington is warning a Russian invasion of Ukraine is imminent, officials said.\n",
        outlet="",
        title="Moscow, Kyiv call for talks amid intense shellfire",
        published=None,
        blocks=(
            P(
                "Ukraine and Russia both called Sunday for intensified diplomatic efforts to "
                "avert all-out war, but blamed each other for a sharp escalation in shelling."
            ),
            P("Washington is warning a Russian invasion of Ukraine is imminent, officials said."),
        ),
    ),
    Case(
        "player, listen and share furniture around the story",
        "Midland Courier\nFlood Warnings Issued For Three Rivers\nListen to this article\n"
        f"0:00 / 2:35\n{FLOOD}\nResidents were told to move valuables upstairs.\n"
        "Share this article\n",
        outlet="Midland Courier",
        title="Flood Warnings Issued For Three Rivers",
        published=None,
        blocks=(P(FLOOD), P("Residents were told to move valuables upstairs.")),
    ),
    Case(
        "text hard-wrapped at about 70 columns, blank lines between paragraphs",
        "Lakeside Observer\n\nGlacier Survey Finds Record Retreat\n\n"
        "Scientists measuring the Morteratsch glacier said on Sunday that its\n"
        "tongue had retreated 42 metres over the past year, the most since\n"
        "records began in the late nineteenth century.\n\n"
        "The survey team, from the University of Bern, used drones and ground\n"
        "markers to map the ice, and compared the results with aerial photos\n"
        "taken every summer since 1990.\n\n"
        '"We have never seen a loss like this in a single season," said lead\n'
        "researcher Anna Keller, who has worked on the glacier for 20 years.\n",
        outlet="Lakeside Observer",
        title="Glacier Survey Finds Record Retreat",
        published=None,
        blocks=(
            P(
                "Scientists measuring the Morteratsch glacier said on Sunday that its tongue "
                "had retreated 42 metres over the past year, the most since records began in "
                "the late nineteenth century."
            ),
            P(
                "The survey team, from the University of Bern, used drones and ground markers "
                "to map the ice, and compared the results with aerial photos taken every "
                "summer since 1990."
            ),
            P(
                '"We have never seen a loss like this in a single season," said lead '
                "researcher Anna Keller, who has worked on the glacier for 20 years."
            ),
        ),
    ),
    Case(
        "CRLF line endings",
        b"Lakeside Observer\r\n\r\nGlacier Survey Finds Record Retreat\r\n\r\n"
        + GLACIER_1.encode()
        + b"\r\n\r\n"
        + GLACIER_2.encode()
        + b"\r\n",
        outlet="Lakeside Observer",
        title="Glacier Survey Finds Record Retreat",
        published=None,
        blocks=(P(GLACIER_1), P(GLACIER_2)),
    ),
    Case(
        "a UTF-8 byte-order mark before the headline",
        "\ufeffCafé Owners Protest Rent Rise\n"
        "Café owners in Lyon marched on Tuesday against a rent increase they say will force "
        "dozens to close.\nThe city council will debate the rise next week.\n".encode(),
        outlet="",
        title="Café Owners Protest Rent Rise",
        published=None,
        blocks=(
            P(
                "Café owners in Lyon marched on Tuesday against a rent increase they say will "
                "force dozens to close."
            ),
            P("The city council will debate the rise next week."),
        ),
    ),
    Case(
        "Windows-1252 bytes: accents, curly quotes and a dash",
        "Café Owners Protest “Rent Rise”\n"
        "Café owners in Lyon marched on Tuesday against a rent increase – they say it will "
        "force dozens to close.\nThe city council will debate the rise next week.\n".encode(
            "cp1252"
        ),
        outlet="",
        title="Café Owners Protest “Rent Rise”",
        published=None,
        blocks=(
            P(
                "Café owners in Lyon marched on Tuesday against a rent increase – they say it "
                "will force dozens to close."
            ),
            P("The city council will debate the rise next week."),
        ),
    ),
    Case(
        "a file in a subfolder without a masthead: the folder names the outlet",
        f"Flood Warnings Issued\n{FLOOD}\nResidents were told to move valuables upstairs.\n",
        path="afp/x.txt",
        outlet="afp",
        title="Flood Warnings Issued",
        published=None,
        blocks=(P(FLOOD), P("Residents were told to move valuables upstairs.")),
    ),
    Case(
        "a question headline printed twice",
        "Will Talks Avert War?\nWill Talks Avert War?\n"
        "Ukraine and Russia both called Sunday for intensified diplomatic efforts to avert "
        "all-out war, officials said.\nWashington is warning a Russian invasion of Ukraine is "
        "imminent.\n",
        outlet="",
        title="Will Talks Avert War?",
        published=None,
        blocks=(
            P(
                "Ukraine and Russia both called Sunday for intensified diplomatic efforts to "
                "avert all-out war, officials said."
            ),
            P("Washington is warning a Russian invasion of Ukraine is imminent."),
        ),
    ),
    Case(
        "the headline's second printing differs in case and spacing",
        "LONDON DAILY\nPutin, Macron  Hold Call\nPUTIN, MACRON HOLD CALL\n"
        "Russian leader Vladimir Putin and France's Emmanuel Macron spoke for 105 minutes on "
        "Sunday, the Kremlin said.\nThe two leaders agreed that their foreign ministers would "
        "meet in the coming days.\n",
        outlet="LONDON DAILY",
        title="Putin, Macron Hold Call",
        published=None,
        blocks=(
            P(
                "Russian leader Vladimir Putin and France's Emmanuel Macron spoke for 105 "
                "minutes on Sunday, the Kremlin said."
            ),
            P("The two leaders agreed that their foreign ministers would meet in the coming days."),
        ),
    ),
    Case(
        "prose only: the headline is the first twelve words",
        f"{FLOOD}\n\nResidents were told to move valuables upstairs.",
        outlet="",
        title="The weather agency issued flood warnings for three river basins on Wednesday…",
        published=None,
        blocks=(P(FLOOD), P("Residents were told to move valuables upstairs.")),
    ),
    Case(
        "wire credits and the agency's standards line after the story",
        "Dock Workers Strike At Brackenport\n\n"
        f"{DOCK_1}\n\n{DOCK_2}\n\n{DOCK_3}\n\n"
        "Reporting by John Smith; Editing by Jane Doe\n\n"
        "Our Standards: The Thomson Reuters Trust Principles.\n",
        outlet="",
        title="Dock Workers Strike At Brackenport",
        published=None,
        blocks=(P(DOCK_1), P(DOCK_2), P(DOCK_3)),
    ),
    Case(
        "a sentence set under the headline is not the headline",
        "Dock Workers Strike At Brackenport\n\n12:52 p.m. EDT July 12, 2025\n\n"
        f"They walked out today.\n\n{DOCK_1}\n\n{DOCK_2}\n",
        outlet="",
        title="Dock Workers Strike At Brackenport",
        published=datetime(2025, 7, 12, 12, 52, tzinfo=timezone(timedelta(hours=-4))),
        blocks=(P("They walked out today."), P(DOCK_1), P(DOCK_2)),
    ),
    Case(
        "a long headline, its deck and a bare dateline",
        "Dock Workers At Brackenport Walk Out Over Pay And Shift Patterns In Third Strike\n\n"
        "Union Says Talks Must Resume By Monday\n\nBRACKENPORT-July 12 -\n\n"
        f"{DOCK_1}\n\n{DOCK_2}\n",
        outlet="",
        title="Dock Workers At Brackenport Walk Out Over Pay And Shift Patterns In Third Strike",
        published=None,
        blocks=(P(DOCK_1), P(DOCK_2)),
        dek="Union Says Talks Must Resume By Monday",
    ),
    Case(
        "a masthead above a headline that ends with a full stop",
        f"Harbour Gazette\n\nDock workers walk out at Brackenport.\n\n{DOCK_1}\n\n{DOCK_2}\n",
        outlet="Harbour Gazette",
        title="Dock workers walk out at Brackenport.",
        published=None,
        blocks=(P(DOCK_1), P(DOCK_2)),
    ),
    Case(
        "a masthead's tagline above the date is not the headline",
        "Harbour Gazette\n\nAll the news from the port that is fit to print\n\n"
        f"Saturday, 12 July 2025\n\nDock Workers Strike\n\n{DOCK_1}\n\n{DOCK_2}\n",
        outlet="Harbour Gazette",
        title="Dock Workers Strike",
        published=JUL_12,
        blocks=(P(DOCK_1), P(DOCK_2)),
    ),
    Case(
        "a headline ending in an abbreviation under a masthead and a date",
        f"Harbour Gazette\n\nSaturday, 12 July 2025\n\nTrade Talks Stall With The U.S.\n\n{DOCK_1}\n",
        outlet="Harbour Gazette",
        title="Trade Talks Stall With The U.S.",
        published=JUL_12,
        blocks=(P(DOCK_1),),
    ),
]


def _load(case: Case) -> Article:
    data = case.data.encode("utf-8") if isinstance(case.data, str) else case.data
    loaded = load_bytes(data, case.path, LoadSettings())
    assert loaded.problems == ()
    assert len(loaded.articles) == 1
    return loaded.articles[0]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_wire_copy_table(case: Case) -> None:
    article = _load(case)
    assert article.outlet == case.outlet
    assert article.title == case.title
    assert article.dek == case.dek
    assert article.published == case.published
    if article.published is not None:
        assert article.published.utcoffset() == case.published.utcoffset()  # type: ignore[union-attr]
    assert tuple((b.kind, b.text) for b in article.blocks) == case.blocks


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_id_and_path_come_from_the_relative_path(case: Case) -> None:
    article = _load(case)
    assert article.path == case.path
    assert article.id == case.path


def test_parse_wire_text_directly_matches_the_table() -> None:
    case = CASES[0]
    assert isinstance(case.data, str)
    article = parse_wire_text(case.data, "harbour/dock.txt", LoadSettings())
    assert (article.id, article.path, article.outlet) == (
        "harbour/dock.txt",
        "harbour/dock.txt",
        "Harbour Gazette",
    )
    assert article.paragraphs == (DOCK_1, DOCK_2, DOCK_3)


def test_paragraph_html_is_escaped_text() -> None:
    source = (
        "Rates Rise\nThe bank raised rates to 5% & said <more> rises could follow this year, "
        "officials said.\nMarkets fell.\n"
    )
    article = parse_wire_text(source, "x.txt", LoadSettings())
    assert article.blocks[0].html == (
        "The bank raised rates to 5% &amp; said &lt;more&gt; rises could follow this year, "
        "officials said."
    )


def test_a_date_without_a_zone_is_read_in_the_configured_zone() -> None:
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    source = f"Battery Train Completes First Trial Run\nJuly 14, 2025\n{TRAIN_1}\n{TRAIN_2}\n"
    article = parse_wire_text(source, "x.txt", LoadSettings(timezone=london))
    assert article.published == datetime(2025, 7, 14, tzinfo=london)
    assert article.published is not None
    assert article.published.utcoffset() == timedelta(hours=1)


# --- files that are not articles: a Problem with a reason, never an exception ------------


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        (b"", "x.txt", "expected an article, found an empty file"),
        (b"  \n\r\n\t \n", "x.txt", "expected an article, found an empty file"),
        (
            b"Newsletter\nRelated Articles\n0:00\nClose\n",
            "x.txt",
            "expected an article body, found none after cleaning",
        ),
        (b"Headline Only", "afp/x.txt", "expected an article body, found none after cleaning"),
    ],
    ids=["empty", "whitespace only", "chrome only", "headline only"],
)
def test_files_that_are_not_articles_are_problems(data: bytes, path: str, message: str) -> None:
    loaded = load_bytes(data, path, LoadSettings())
    assert loaded == Loaded(path, problems=(Problem(path, "load", message),))


@pytest.mark.parametrize("data", [b"\x00\x01\x02binary", b"PK\x03\x04\x00\x00\x08\x00"])
def test_binary_data_is_a_problem(data: bytes) -> None:
    loaded = load_bytes(data, "x.txt", LoadSettings())
    assert loaded.articles == ()
    (only,) = loaded.problems
    assert (only.path, only.stage) == ("x.txt", "load")
    assert only.message.startswith("expected text, found binary data")


# --- the two seed files: one wire story, a full copy in page chrome and a short re-edit --


def _seed(name: str) -> Article:
    loaded = load_bytes((CONTENT / name).read_bytes(), name, LoadSettings())
    assert loaded.problems == ()
    (article,) = loaded.articles
    return article


def test_seed_full_copy_header() -> None:
    article = _seed(SEED_FULL)
    assert article.outlet == "London Daily"
    assert article.title == "Russia, Ukraine Call For Talks, Blame Each Other Over Intense Shelling"
    assert article.published == datetime(2025, 7, 14, tzinfo=UTC)
    assert article.dek == (
        "After separate calls with France's Emmanuel Macron, both Russian leader Vladimir "
        "Putin and Ukraine's Volodymyr Zelensky pressed for more talks."
    )


def test_seed_full_copy_subheads_are_the_only_h2_blocks() -> None:
    article = _seed(SEED_FULL)
    assert [b.text for b in article.blocks if b.kind == "h2"] == [
        "Frontline Tension",
        "Screws Tighten",
        "Occupied Enclave",
    ]
    assert {b.kind for b in article.blocks} == {"p", "h2"}


def test_seed_full_copy_body_runs_from_the_lede_to_the_last_paragraph() -> None:
    article = _seed(SEED_FULL)
    paragraphs = article.paragraphs
    assert paragraphs[0].startswith("Ukraine and Russia called for intensified diplomatic efforts")
    assert paragraphs[-1].startswith("Hundreds of artillery and mortar attacks")
    assert paragraphs[-1].endswith("claimed more than 14,000 lives.")
    assert len(paragraphs) == 31  # 7 + 7 + 9 + 8 under the three subheads
    assert len(article.blocks) == 34


@pytest.mark.parametrize(
    "chrome", ["Related Articles", "Newsletter", "0:00", "Bal des Pompiers", "Close", "×"]
)
def test_seed_full_copy_drops_the_page_chrome(chrome: str) -> None:
    article = _seed(SEED_FULL)
    texts = [article.title, article.dek, *(b.text for b in article.blocks)]
    assert not any(chrome in text for text in texts)


def test_seed_short_copy() -> None:
    article = _seed(SEED_SHORT)
    assert article.outlet == ""
    assert article.title == "Moscow, Kyiv call for talks amid intense shellfire"
    assert article.published is None
    assert article.dek == ""
    assert all(b.kind == "p" for b in article.blocks)
    assert len(article.paragraphs) == 11
    assert article.paragraphs[0].startswith("Ukraine and Russia both called Sunday")
    assert article.paragraphs[-1].endswith("Cooperation in Europe (OSCE).")


# --- bugs: each test states the right behaviour and fails today --------------------------


def test_hard_wrapped_paragraph_with_a_short_last_line() -> None:
    source = (
        "Lakeside Observer\n\nGlacier Survey Finds Record Retreat\n\n"
        "Scientists measuring the Morteratsch glacier said on Sunday that its\n"
        "tongue had retreated 42 metres over the past year, the most since\n"
        "records began.\n\n"
        "The survey team, from the University of Bern, used drones and ground\n"
        "markers to map the ice, and compared the results with aerial photos\n"
        "taken every summer since 1990 by the federal mapping office in Bern\n"
        "and Zurich.\n\n"
        "Keller said the retreat was twice the average of the past decade.\n"
    )
    article = parse_wire_text(source, "x.txt", LoadSettings())
    assert article.title == "Glacier Survey Finds Record Retreat"
    assert article.paragraphs == (
        "Scientists measuring the Morteratsch glacier said on Sunday that its tongue had "
        "retreated 42 metres over the past year, the most since records began.",
        "The survey team, from the University of Bern, used drones and ground markers to map "
        "the ice, and compared the results with aerial photos taken every summer since 1990 "
        "by the federal mapping office in Bern and Zurich.",
        "Keller said the retreat was twice the average of the past decade.",
    )


def test_newsletter_label_in_the_middle_keeps_the_story_after_it() -> None:
    source = (
        "Midland Courier\nFlood Warnings Issued For Three Rivers\n"
        f"{FLOOD}\nNewsletter\n"
        "Residents were told to move valuables upstairs on Wednesday night.\n"
        "The agency said the rivers would peak on Thursday.\n"
        "Schools in two towns will stay closed until Friday.\n"
    )
    article = parse_wire_text(source, "x.txt", LoadSettings())
    assert article.paragraphs == (
        FLOOD,
        "Residents were told to move valuables upstairs on Wednesday night.",
        "The agency said the rivers would peak on Thursday.",
        "Schools in two towns will stay closed until Friday.",
    )


def test_a_date_line_with_an_impossible_offset_never_raises() -> None:
    data = f"Flood Warnings Issued\nJuly 14, 2025 10:00 +2500\n{FLOOD}\n".encode()
    loaded = load_bytes(data, "x.txt", LoadSettings())
    assert isinstance(loaded, Loaded)
    assert [a.title for a in loaded.articles] == ["Flood Warnings Issued"]
