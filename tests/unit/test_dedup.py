"""Folding copies of one story: words, shingles, containment, groups, stories and slugs."""

from __future__ import annotations

import os
import random
import sys
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xxhash

from digest import dedup, halves
from digest.dedup import (
    _TOKEN_BYTES,
    _WORD,
    MIN_SHARED_BUCKETS,
    MIN_WORDS,
    SEED,
    SMALL_BUCKET,
    Fingerprint,
    Vocabulary,
    bucket_keys,
    candidate_pairs,
    containment,
    fingerprint,
    fingerprints,
    fold_spelling,
    group_articles,
    group_stories,
    is_copy,
    words,
)
from digest.identity import Identities, keep_identities
from digest.load import LoadSettings, load_bytes
from digest.model import Article, Block, Merge, Story

CONTENT = Path(__file__).resolve().parents[2] / "content"
THRESHOLD = 0.5
NOW = datetime(2025, 7, 20, 12, 0, tzinfo=UTC)

GREECE = (
    "A magnitude 5.4 earthquake struck the Thessaly plain in central Greece shortly after "
    "midday on Saturday, cracking walls in several villages and sending residents into the "
    "streets, but causing no reported deaths, civil protection officials said.",
    "The tremor was centred about 18 kilometres north-west of the town of Elassona at a "
    "shallow depth of around 9 kilometres, according to preliminary readings from the "
    "national seismological network. It was felt as far away as Thessaloniki and Volos.",
    "Regional authorities said two people were treated in hospital for minor injuries "
    "caused by falling plaster, and that engineers had begun inspecting schools, churches "
    "and stone farmhouses built before modern building codes came into force.",
    '"The first hours are about making sure nobody is trapped and that families have '
    'somewhere safe to sleep tonight," said Eleni Markou, the deputy regional governor '
    'responsible for civil protection. "So far the picture is reassuring, but we are '
    'treating every report of damage seriously."',
    "Tents and bottled water were being distributed at a sports ground in one of the "
    "worst-affected villages, where a number of older houses were declared unsafe pending "
    "further checks. Local officials estimated that around 40 buildings had suffered "
    "visible structural cracks.",
    "Seismologists warned that aftershocks of up to magnitude 4.5 could follow over the "
    "coming days and urged residents to stay out of damaged buildings until they had been "
    "inspected by the organisation's engineers.",
    "Greece sits on several active fault lines and is regularly shaken by earthquakes, most "
    "of which cause little damage. The Thessaly region was hit by a magnitude 6.3 quake in "
    "March 2021 that destroyed hundreds of homes.",
    "The prime minister's office said a government team would visit the area on Sunday to "
    "assess the damage and coordinate emergency housing for families who could not return "
    "home.",
)

# The same subject written independently: it shares vocabulary and stock phrases
# ("sending residents into the streets", "most of which cause little damage").
PERU = (
    "A magnitude 6.1 earthquake struck off the coast of southern Peru early on Monday, "
    "shaking buildings in the cities of Arequipa and Tacna and sending residents into the "
    "streets, the national geophysical institute said.",
    "The quake was centred about 40 kilometres offshore at a depth of around 30 kilometres, "
    "according to preliminary readings. It was felt as far away as northern Chile.",
    "Civil defence officials said there were no immediate reports of deaths, although "
    "several people were treated for minor injuries and some older adobe houses suffered "
    "cracks.",
    '"We are checking schools and health centres in the affected provinces," said a '
    'spokesman for the regional government. "So far the damage appears limited, but we are '
    'treating every report seriously."',
    "The navy said the quake did not meet the conditions to generate a tsunami along the "
    "Peruvian coast, and fishing boats were allowed to return to port by mid-morning.",
    "Peru sits on the Pacific Ring of Fire and records hundreds of earthquakes every year, "
    "most of which cause little damage. A magnitude 8.0 quake in the Amazon region in 2019 "
    "destroyed dozens of homes.",
)

OTHER_HEADLINES = (
    "Related Articles",
    "Bitcoin Reaches New Milestone of $116,000",
    "EU Delays Retaliatory Tariffs Amid New U.S. Threats on Imports",
    "Severe Heatwave Claims 2,300 Lives Across Europe",
    "Junior Doctors in the UK Prepare for Five-Day Strike Over Pay Disputes",
    "Kraft Heinz Considers Splitting Off Grocery Division Amid Strategic Review",
    "US Opens First Rare Earth Mine in Over 70 Years in Wyoming",
)


def art(
    id: str,
    paragraphs: tuple[str, ...] | list[str],
    *,
    title: str | None = None,
    published: datetime | None = None,
    dek: str = "",
    outlet: str = "Wire",
    tags: tuple[str, ...] = (),
) -> Article:
    return Article(
        id=id,
        path=f"{id}.txt",
        outlet=outlet,
        title=title if title is not None else f"Headline {id}",
        dek=dek,
        published=published,
        tags=tags,
        blocks=tuple(Block("p", p, p) for p in paragraphs),
    )


def partition(articles: list[Article]) -> list[list[str]]:
    groups, _ = group_articles(articles, THRESHOLD)
    return [[a.id for a in g] for g in groups]


def day(d: int, hour: int = 0) -> datetime:
    return datetime(2025, 7, d, hour, tzinfo=UTC)


# --- words ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("organisation organization", ["organization", "organization"]),
        ("Organisations ORGANIZATIONS", ["organizations", "organizations"]),
        ("colour color colours", ["color", "color", "colors"]),
        ("centre center centres", ["center", "center", "centers"]),
        ("analysed analyzed realise", ["analyzed", "analyzed", "realize"]),
        ("travelled traveled cancelling", ["traveled", "traveled", "canceling"]),
        ("catalogue catalog", ["catalog", "catalog"]),
        ("honour labour", ["honor", "labor"]),
        ("hour four our", ["hour", "four", "our"]),
        (
            "The Organisation's colour-coded centre",
            ["the", "organization's", "color", "coded", "center"],
        ),
        ("Ukraine's Ukraine’s UKRAINE’S", ["ukraine's", "ukraine's", "ukraine's"]),
        ("Kyiv’s forces, Moscow's", ["kyiv's", "forces", "moscow's"]),
        ("12 o'clock, 30,000 troops", ["12", "o'clock", "30", "000", "troops"]),
        ("news_feed — “quoted” (OSCE)", ["news", "feed", "quoted", "osce"]),
        ("", []),
    ],
)
def test_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("organisation", "organization"),
        ("colour", "color"),
        ("centre", "center"),
        ("defence organisation's centre", "defence organization's center"),
    ],
)
def test_spelling_variants_fold_to_one_form(british: str, american: str) -> None:
    assert words(british) == words(american)


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("kilometres", "kilometers"),
        ("theatre", "theater"),
        ("neighbouring", "neighboring"),
        ("favourite", "favorite"),
    ],
)
def test_more_spelling_variants_fold(british: str, american: str) -> None:
    assert words(british) == words(american)


# --- fingerprint and containment ------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraphs", "shingles", "count"),
    [
        (["one two three four five six"], 2, 6),
        (["one two three four five"], 1, 5),
        (["one two three four"], 0, 4),
        ([], 0, 0),
        (["a b c d e", "f"], 2, 6),
        (["a a a a a a a a a a"], 1, 10),
        (["one two three four five one two three four five"], 5, 10),
    ],
)
def test_fingerprint_sizes(paragraphs: list[str], shingles: int, count: int) -> None:
    fp = fingerprint(paragraphs)
    assert (fp.shingles.size, fp.words) == (shingles, count)
    assert fp.shingles.dtype == np.uint64
    assert list(fp.shingles) == sorted(set(fp.shingles.tolist()))


def test_fingerprint_ignores_case_punctuation_paragraphing_and_spelling() -> None:
    a = fingerprint(["The colour of the organisation's centre was grey.", "It rained."])
    b = fingerprint(["the color of the ORGANIZATION’S center, was grey it rained"])
    assert np.array_equal(a.shingles, b.shingles)
    assert a.words == b.words == 10


def test_fingerprint_is_the_same_in_every_call() -> None:
    first = fingerprint(GREECE)
    assert np.array_equal(first.shingles, fingerprint(list(GREECE)).shingles)
    assert first.words == sum(len(words(p)) for p in GREECE)


def test_fingerprint_differs_for_different_word_order() -> None:
    a = fingerprint(["one two three four five six"])
    b = fingerprint(["six five four three two one"])
    assert np.intersect1d(a.shingles, b.shingles).size == 0


def u64(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.uint64)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (u64(1, 2, 3, 4), u64(3, 4, 5), (0.5, 2 / 3)),
        (u64(1, 2, 3), u64(1, 2, 3), (1.0, 1.0)),
        (u64(1, 2), u64(1, 2, 3, 4, 5, 6, 7, 8), (1.0, 0.25)),
        (u64(1, 2, 3), u64(4, 5, 6), (0.0, 0.0)),
        (u64(), u64(1, 2), (0.0, 0.0)),
        (u64(1, 2), u64(), (0.0, 0.0)),
        (u64(), u64(), (0.0, 0.0)),
        (u64(10), u64(1, 10, 100), (1.0, 1 / 3)),
    ],
)
def test_containment(a: np.ndarray, b: np.ndarray, expected: tuple[float, float]) -> None:
    assert containment(a, b) == pytest.approx(expected, abs=1e-12)


def test_containment_of_real_texts() -> None:
    full = fingerprint(GREECE)
    first_half = fingerprint(GREECE[:4])
    inside, back = containment(first_half.shingles, full.shingles)
    assert inside == 1.0
    assert back == pytest.approx(first_half.shingles.size / full.shingles.size)
    assert max(containment(fingerprint(PERU).shingles, full.shingles)) < 0.1


# --- group_articles -------------------------------------------------------------------------


def truncated(paragraphs: tuple[str, ...], share: float) -> list[str]:
    tokens = " ".join(paragraphs).split()
    return [" ".join(tokens[: int(len(tokens) * share)])]


def test_truncated_copy_folds_with_the_full_one() -> None:
    assert partition([art("full", GREECE), art("short", truncated(GREECE, 0.4))]) == [
        ["full", "short"]
    ]


def test_merge_evidence_names_both_articles_and_the_containment() -> None:
    _, merges = group_articles([art("full", GREECE), art("short", truncated(GREECE, 0.4))], 0.5)
    (merge,) = merges
    assert (merge.a, merge.b, merge.threshold) == ("full", "short", 0.5)
    assert merge.containment_ba == 1.0
    assert 0.35 < merge.containment_ab < 0.45


def test_re_headlined_copy_folds() -> None:
    a = art("a", GREECE, title="Earthquake Shakes Central Greece")
    b = art("b", GREECE[:6], title="Villagers sleep outdoors after Thessaly tremor")
    assert partition([a, b]) == [["a", "b"]]


def test_copy_wrapped_in_chrome_and_other_headlines_folds() -> None:
    wrapped = ("London Daily", "Focus on the big picture.", *GREECE, "Newsletter", *OTHER_HEADLINES)
    assert partition([art("clean", GREECE), art("wrapped", wrapped)]) == [["clean", "wrapped"]]


def test_copy_with_spelling_edits_and_a_typo_folds() -> None:
    edited = [
        p.replace("organisation", "organization")
        .replace("centred", "centered")
        .replace("Elassona", "Elasona")
        .replace("Thessaloniki", "Thesaloniki")
        for p in GREECE
    ]
    assert edited != list(GREECE)
    assert partition([art("uk", GREECE), art("us", edited)]) == [["uk", "us"]]


def test_copy_with_different_paragraphing_folds_with_containment_one() -> None:
    repar = [" ".join(GREECE[:3]), " ".join(GREECE[3:6]), *GREECE[6:]]
    groups, merges = group_articles([art("a", GREECE), art("b", repar)], THRESHOLD)
    assert [[x.id for x in g] for g in groups] == [["a", "b"]]
    assert [(m.containment_ab, m.containment_ba) for m in merges] == [(1.0, 1.0)]


def test_identical_texts_fold() -> None:
    assert partition([art("x", GREECE), art("y", GREECE), art("z", GREECE)]) == [["x", "y", "z"]]


def test_two_earthquakes_written_independently_never_merge() -> None:
    assert partition([art("greece", GREECE), art("peru", PERU)]) == [["greece"], ["peru"]]


def test_two_earthquakes_stay_apart_even_with_copies_of_each() -> None:
    articles = [
        art("g1", GREECE),
        art("g2", GREECE[:5]),
        art("p1", PERU),
        art("p2", PERU[1:]),
        art("p3", truncated(PERU, 0.5)),
    ]
    assert partition(articles) == [["g1", "g2"], ["p1", "p2", "p3"]]


@pytest.mark.parametrize(
    ("text", "folds"),
    [
        ("Heavy rain closed roads across the north.", False),  # 7 words
        ("Heavy rain closed roads across the north today.", True),  # 8 words
    ],
)
def test_texts_under_eight_words_never_merge(text: str, folds: bool) -> None:
    assert len(words(text)) == (MIN_WORDS if folds else MIN_WORDS - 1)
    expected = [["a", "b"]] if folds else [["a"], ["b"]]
    assert partition([art("a", [text]), art("b", [text])]) == expected


def test_a_short_text_inside_a_long_one_is_not_merged_when_under_eight_words() -> None:
    short = "The tremor was centred about 18 kilometres"  # 7 words, all inside GREECE
    assert partition([art("long", GREECE), art("short", [short])]) == [["long"], ["short"]]


def test_empty_articles_stay_alone() -> None:
    assert partition([art("a", []), art("b", []), art("c", GREECE)]) == [["a"], ["b"], ["c"]]


def test_groups_are_sorted_by_smallest_id_and_articles_by_id() -> None:
    articles = [art("z-peru", PERU), art("m-greece", GREECE), art("a-peru", PERU[:4])]
    assert partition(articles) == [["a-peru", "z-peru"], ["m-greece"]]


def test_folding_is_transitive_through_a_middle_copy() -> None:
    # first covers paragraphs 0-3, last covers 4-7: they share nothing, but the full copy
    # joins them.
    first, last = art("first", GREECE[:4]), art("last", GREECE[4:])
    assert partition([first, last]) == [["first"], ["last"]]
    assert partition([first, last, art("middle", GREECE)]) == [["first", "last", "middle"]]


def test_threshold_decides() -> None:
    # about 70% of the shorter text's shingles lie inside the longer one
    half = [*GREECE[:4], *PERU[:2]]
    ab, ba = containment(fingerprint(half).shingles, fingerprint(GREECE).shingles)
    assert 0.6 < max(ab, ba) < 0.8
    pair = [art("a", GREECE), art("b", half)]
    assert [[x.id for x in g] for g in group_articles(pair, 0.5)[0]] == [["a", "b"]]
    assert [[x.id for x in g] for g in group_articles(pair, 0.9)[0]] == [["a"], ["b"]]


# --- group_stories --------------------------------------------------------------------------


def stories_of(articles: list[Article], tz: timezone = UTC) -> tuple[Story, ...]:
    stories, _ = group_stories(articles, THRESHOLD, NOW, tz)
    return stories


def test_lead_is_the_longest_copy_and_published_is_the_earliest_date() -> None:
    articles = [
        art("a-short", GREECE[:3], published=day(12, 9), outlet="Early Wire"),
        art("b-full", GREECE, published=day(12, 15), outlet="Midland Courier"),
        art("c-mid", GREECE[:6], published=day(13, 8), outlet="Harbour Gazette"),
    ]
    (story,) = stories_of(articles)
    assert story.lead.id == "b-full"
    assert story.published == day(12, 9)
    assert story.updated == day(13, 8)
    assert [a.id for a in story.articles] == ["a-short", "b-full", "c-mid"]


def test_sources_are_listed_in_published_order_undated_last() -> None:
    articles = [
        art("a", GREECE, published=day(14, 12)),
        art("b", GREECE[:5], published=day(13, 7)),
        art("c", GREECE[:4]),
        art("d", GREECE[:6], published=day(13, 22)),
    ]
    (story,) = stories_of(articles)
    assert [a.id for a in story.articles] == ["b", "d", "a", "c"]
    assert story.published == day(13, 7)
    assert story.updated == day(14, 12)


def test_the_story_is_named_after_the_first_published_copy() -> None:
    articles = [
        art("late", GREECE, title="Earthquake Shakes Central Greece", published=day(13)),
        art("early", GREECE[:4], title="Quake Hits Thessaly", published=day(12)),
    ]
    (story,) = stories_of(articles)
    assert story.slug == "quake-hits-thessaly"
    assert story.title == "Earthquake Shakes Central Greece"  # the lead's headline
    assert str(story.path) == "2025/07/12/quake-hits-thessaly"


def test_lead_tie_goes_to_the_copy_with_a_standfirst_then_the_smaller_id() -> None:
    plain = [art("a", GREECE), art("b", GREECE)]
    assert stories_of(plain)[0].lead.id == "a"
    with_dek = [art("a", GREECE), art("b", GREECE, dek="A quake shook Greece.")]
    assert stories_of(with_dek)[0].lead.id == "b"


def test_undated_story_is_dated_now() -> None:
    (story,) = stories_of([art("a", GREECE), art("b", GREECE[:4])])
    assert story.published == NOW
    assert story.updated == NOW


def test_story_dates_are_in_the_sites_time_zone() -> None:
    tokyo = timezone(timedelta(hours=9))
    (story,) = stories_of([art("a", GREECE, published=day(12, 20))], tokyo)
    assert story.published == day(12, 20)
    assert story.published.utcoffset() == timedelta(hours=9)
    assert str(story.path).startswith("2025/07/13/")


def test_tags_are_the_union_in_published_order() -> None:
    articles = [
        art("a", GREECE, published=day(13), tags=("europe", "science")),
        art("b", GREECE[:5], published=day(12), tags=("greece", "europe")),
    ]
    (story,) = stories_of(articles)
    assert story.tags == ("greece", "europe", "science")


def test_stories_are_newest_first() -> None:
    articles = [
        art("g", GREECE, title="Greek Quake", published=day(12)),
        art("p", PERU, title="Peru Quake", published=day(14)),
        art(
            "t",
            ["A battery train ran between Derby and Nottingham for the first time."],
            published=day(13),
        ),
    ]
    assert [s.lead.id for s in stories_of(articles)] == ["p", "t", "g"]


def test_story_ids_are_stable_and_distinct() -> None:
    articles = [art("g", GREECE, published=day(12)), art("p", PERU, published=day(14))]
    first = {s.lead.id: s.id for s in stories_of(articles)}
    second = {s.lead.id: s.id for s in stories_of(list(reversed(articles)))}
    assert first == second
    assert len(set(first.values())) == 2
    assert all(len(i) == 12 and int(i, 16) >= 0 for i in first.values())


# --- slugs: collisions resolved deterministically -------------------------------------------


def folders(stories: tuple[Story, ...]) -> dict[str, str]:
    kept, _ = keep_identities(stories, Identities())
    return {s.lead.id: str(s.path) for s in kept}


def test_same_headline_same_day_gets_a_numbered_folder_for_the_larger_id() -> None:
    articles = [
        art("g", GREECE, title="Earthquake Strikes", published=day(12, 9)),
        art("p", PERU, title="Earthquake Strikes", published=day(12, 18)),
    ]
    stories = stories_of(articles)
    by_lead = {s.lead.id: s.id for s in stories}
    plain, numbered = sorted(by_lead, key=by_lead.__getitem__)
    assert folders(stories) == {
        plain: "2025/07/12/earthquake-strikes",
        numbered: "2025/07/12/earthquake-strikes-2",
    }
    # whatever order the articles come in
    assert folders(stories_of(list(reversed(articles)))) == folders(stories)


def test_same_headline_on_different_days_needs_no_number() -> None:
    articles = [
        art("g", GREECE, title="Earthquake Strikes", published=day(12)),
        art("p", PERU, title="Earthquake Strikes", published=day(14)),
    ]
    assert folders(stories_of(articles)) == {
        "g": "2025/07/12/earthquake-strikes",
        "p": "2025/07/14/earthquake-strikes",
    }


def test_three_way_collision_and_a_headline_that_looks_numbered() -> None:
    train = ["A battery train ran between Derby and Nottingham for the first time on Monday."]
    articles = [
        art("g", GREECE, title="Quake", published=day(12)),
        art("p", PERU, title="Quake", published=day(12)),
        art("t", train, title="Quake 2", published=day(12)),
    ]
    result = folders(stories_of(articles))
    assert sorted(result.values()) == sorted(set(result.values()))
    assert set(result.values()) >= {"2025/07/12/quake", "2025/07/12/quake-2"}
    assert folders(stories_of(list(reversed(articles)))) == result


def test_files_differing_only_in_suffix_give_order_independent_stories() -> None:
    text = (
        "Harbour Gazette\nSaturday, 12 July 2025\nDock Workers Strike\nDock Workers Strike\n"
        "Dock workers at Brackenport walked off the job on Saturday morning, halting cargo "
        "traffic at the country's third-largest port.\n"
    )
    md = "---\ntitle: Greek Quake\ndate: 2025-07-12\n---\n" + "\n\n".join(GREECE)
    a = load_bytes(text.encode(), "x.txt", LoadSettings()).articles[0]
    b = load_bytes(md.encode(), "x.md", LoadSettings()).articles[0]

    def result(order: list[Article]) -> dict[str, tuple[str, str]]:
        kept, _ = keep_identities(stories_of(order), Identities())
        return {s.title: (s.id, str(s.path)) for s in kept}

    assert result([a, b]) == result([b, a])


# --- the seed files: one wire story, twice ----------------------------------------------------


def test_seed_files_fold_into_one_story_led_by_the_full_copy() -> None:
    names = ["003_7ea263126d66c9a4.txt", "000_09bbb82b954263c9.txt"]
    articles = [
        load_bytes((CONTENT / n).read_bytes(), n, LoadSettings()).articles[0] for n in names
    ]
    stories, merges = group_stories(articles, THRESHOLD, NOW)
    (story,) = stories
    assert story.lead.id == "000_09bbb82b954263c9.txt"
    assert [a.id for a in story.articles] == [
        "000_09bbb82b954263c9.txt",
        "003_7ea263126d66c9a4.txt",
    ]
    assert story.published == datetime(2025, 7, 14, tzinfo=UTC)
    assert story.slug == "russia-ukraine-call-for-talks-blame-each-other-over-intense"
    (merge,) = merges
    assert (merge.a, merge.b) == ("000_09bbb82b954263c9.txt", "003_7ea263126d66c9a4.txt")
    # the short copy lies mostly inside the long one; the long one only partly in the short
    assert 0.8 < merge.containment_ba < 0.95
    assert 0.25 < merge.containment_ab < 0.4


# --- the quick paths agree with the plain definitions --------------------------------------
#
# group_articles and Vocabulary take shortcuts (tokens looked up once, texts fingerprinted
# in batches by numpy, most candidate pairs turned down by a bound); these check them
# against the definitions written out plainly, on awkward and on random input.

AWKWARD = (
    "",
    "   ",
    "one",
    "Colour-coded, isn't it? O'Neill's 'quoted' ''twice'' it’s ’tis",
    "Café naïve Straße İstanbul ﬁnance Ｋelvin K €5 £3 ó 30,000 12.5% x_y __init__",
    "tab\tnew\nline\r\nnbsp\u00a0thin\u2009ideo\u3000gram nul\x00byte \x1c\x1d\x1e\x1f sep",
    "a" * 17 + " " + "b" * 16 + " " + "c" * 9 + " " + "d" * 8 + " " + "ünïcödé" * 5,
    "lone \ud800 surrogate and 😀 emoji, and \u2019\u2019 apostrophes\u2019 '",
    "organisations' realised colours travelled catalogue honour's CENTRES",
)


def plain_word_hashes(text: str) -> list[int]:
    """Vocabulary.hashes as first written: the regex over the whole case-folded text."""
    return [
        xxhash.xxh64_intdigest(fold_spelling(w).encode(), SEED)
        for w in _WORD.findall(text.casefold().replace("’", "'"))
    ]


def random_texts(rng: random.Random, count: int) -> list[str]:
    pieces = [*" ".join(AWKWARD).split(" "), " ", "  ", ",", "-", "'", "’", "\n"]
    return [
        "".join(
            rng.choice(pieces) + rng.choice(["", " ", " ", "-"]) for _ in range(rng.randrange(40))
        )
        for _ in range(count)
    ]


def test_cutting_at_whitespace_never_cuts_a_word() -> None:
    # Vocabulary.hashes splits at whitespace before folding case: no whitespace character
    # folds to anything else, and nothing else folds to whitespace.
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        folded = c.casefold().replace("’", "'")
        if c.isspace():
            assert folded == c and not _WORD.search(c) and c != "'"
        else:
            assert folded and not any(f.isspace() for f in folded), hex(code)


def test_cutting_at_other_ascii_bytes_never_cuts_a_word() -> None:
    # Vocabulary.batch_hashes cuts UTF-8 at every ASCII byte but letters, digits and "'".
    for b in range(128):
        c = chr(b)
        in_token = _TOKEN_BYTES[b] == 1
        assert in_token == (c.isalnum() or c == "'")
        if not in_token:
            assert c.casefold() == c and not _WORD.search(c)
    assert all(_TOKEN_BYTES[b] == 1 for b in range(128, 256))


def test_vocabulary_hashes_are_the_plain_definition() -> None:
    vocabulary = Vocabulary()
    texts = [*AWKWARD, *random_texts(random.Random(1), 300)]
    for text in texts:
        assert vocabulary.hashes(text).tolist() == plain_word_hashes(text), repr(text)
    assert Vocabulary().hashes("").dtype == np.uint64


@pytest.mark.parametrize("slot_bits", [1, 18])
def test_batch_hashes_are_hashes_of_each_text(
    slot_bits: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With two slots the memo of token ids is overwritten all the time: still exact.
    monkeypatch.setattr(dedup, "_SLOT_BITS", slot_bits)
    vocabulary = Vocabulary()
    rng = random.Random(slot_bits)
    for size in (0, 1, 2, 5, 40, 200):
        texts = [rng.choice([*AWKWARD, *random_texts(rng, 5)]) for _ in range(size)]
        hashes, counts = vocabulary.batch_hashes(texts)
        plain = [plain_word_hashes(t) for t in texts]
        assert counts.tolist() == [len(p) for p in plain]
        assert hashes.tolist() == [h for p in plain for h in p]
        assert hashes.dtype == np.uint64 and counts.dtype == np.int64


@pytest.mark.parametrize("padded_most", [dedup.PADDED_MOST, 1])
def test_fingerprints_of_many_texts_are_each_text_s_fingerprint(
    padded_most: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Shingles never straddle two texts; short and empty texts have none. With a table
    # too large to pad, each text is made unique by itself, to the same result.
    monkeypatch.setattr(dedup, "PADDED_MOST", padded_most)
    vocabulary = Vocabulary()
    rng = random.Random(7)
    assert [f.words for f in fingerprints([[], ["a"]], vocabulary)] == [0, 1]
    for size in (0, 1, 3, 40):
        texts = [
            rng.choice(
                [
                    [],
                    ["a b"],
                    ["one two three four", "five"],
                    [*AWKWARD],
                    random_texts(rng, 3),
                    ["alpha beta gamma delta epsilon zeta " * 4] * 2,  # shingles repeated
                ]
            )
            for _ in range(size)
        ]
        got = fingerprints(texts, vocabulary)
        want = [fingerprint(t) for t in texts]
        assert [(g.shingles.tolist(), g.words) for g in got] == [
            (w.shingles.tolist(), w.words) for w in want
        ]
        assert all(g.shingles.dtype == np.uint64 for g in got)


def plain_candidate_pairs(fps: list[Fingerprint]) -> list[tuple[int, int]]:
    """candidate_pairs as first written: every bucket's members sorted, then paired."""
    members: dict[int, list[int]] = {}
    for i, fp in enumerate(fps):
        for key in bucket_keys(fp).tolist():
            members.setdefault(key, []).append(i)
    shared: dict[tuple[int, int], int] = {}
    for texts in members.values():
        if len(texts) <= SMALL_BUCKET:
            pairs = [(a, b) for k, a in enumerate(texts) for b in texts[k + 1 :]]
        else:
            pairs = [(texts[0], b) for b in texts[1:]]
        for pair in pairs:
            shared[pair] = shared.get(pair, 0) + 1
    return sorted(p for p, count in shared.items() if count >= MIN_SHARED_BUCKETS)


def plain_bucket_keys(fp: Fingerprint) -> list[int]:
    """The smallest mixed hash of each of the 128 bins, by a dictionary."""
    smallest: dict[int, int] = {}
    for value in fp.shingles.tolist():
        mixed = (value * 0xD6E8FEB86659FD93) % 2**64
        mixed ^= mixed >> 32
        smallest[mixed >> 57] = min(smallest.get(mixed >> 57, mixed), mixed)
    return [smallest[b] for b in sorted(smallest)]


def random_prints(rng: random.Random, count: int) -> list[Fingerprint]:
    # Drawn from a few pools, so that buckets are shared, some by more than SMALL_BUCKET.
    pools = [rng.sample(range(1, 10**6), 300) for _ in range(4)]
    fps = []
    for _ in range(count):
        pool = rng.choice(pools)
        size = rng.choice([0, 1, 3, 20, 150, 300])
        values = sorted(set(rng.sample(pool, size) + rng.sample(range(10**6, 10**7), size // 3)))
        fps.append(Fingerprint(np.array(values, dtype=np.uint64), rng.choice([5, 8, 400])))
    return fps


def test_bucket_keys_are_the_plain_definition() -> None:
    for fp in random_prints(random.Random(2), 30):
        assert bucket_keys(fp).tolist() == plain_bucket_keys(fp)


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_candidate_pairs_are_the_plain_definition(seed: int) -> None:
    fps = random_prints(random.Random(seed), 120)
    pairs = candidate_pairs(fps)
    assert pairs == plain_candidate_pairs(fps)
    assert len(pairs) > 100  # crowded buckets were there to be paired
    assert candidate_pairs([]) == []


def plain_group_articles(
    articles: list[Article], threshold: float, fingerprints: dict[str, Fingerprint]
) -> tuple[list[list[str]], list[Merge]]:
    """group_articles as first written: is_copy on each candidate pair, in order."""
    ordered = sorted(articles, key=lambda a: a.id)
    fps = [fingerprints.get(a.id) or fingerprint(a.paragraphs) for a in ordered]
    parent = list(range(len(ordered)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    merges = []
    for i, j in plain_candidate_pairs(fps):
        evidence = is_copy(fps[i], fps[j], threshold)
        if evidence is not None:
            merges.append(
                Merge(
                    ordered[i].id,
                    ordered[j].id,
                    evidence.containment_ab,
                    evidence.containment_ba,
                    threshold,
                )
            )
            ri, rj = find(i), find(j)
            parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[str]] = {}
    for i, a in enumerate(ordered):
        groups.setdefault(find(i), []).append(a.id)
    return list(groups.values()), merges


def random_articles(rng: random.Random, count: int) -> list[Article]:
    sentences = [*GREECE, *PERU, *AWKWARD]
    stories = [rng.sample(sentences, rng.randrange(1, 8)) for _ in range(max(count // 3, 1))]
    articles = []
    for k in range(count):
        story = list(rng.choice(stories))
        cut = rng.randrange(1, len(story) + 1)
        body = story[:cut] if rng.random() < 0.7 else rng.sample(story, cut)
        if rng.random() < 0.3:
            body.append(rng.choice(sentences))
        articles.append(art(f"{rng.randrange(10**6):06d}-{k}", body))
    return articles


@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 0.8, 1.0, float("nan")])
def test_group_articles_is_the_plain_definition(threshold: float) -> None:
    rng = random.Random(7)
    for count in (0, 1, 2, 30, 90):
        articles = random_articles(rng, count)
        # Some fingerprints given, as a build's cache gives them; one of them stale.
        given = {a.id: fingerprint(a.paragraphs) for a in articles[::3]}
        if articles:
            given[articles[0].id] = fingerprint(GREECE)
        for prints in ({}, given):
            groups, merges = group_articles(articles, threshold, prints)
            plain_groups, plain_merges = plain_group_articles(articles, threshold, prints)
            assert [[a.id for a in g] for g in groups] == plain_groups
            assert list(merges) == plain_merges


def _folded_in_one(
    seed: int, count: int
) -> tuple[list[Article], dict[str, Fingerprint], tuple[Any, tuple[Merge, ...]]]:
    """Random articles, their fingerprints, and how one process and thread folds them."""
    articles = random_articles(random.Random(seed), count)
    known = {a.id: fingerprint(a.paragraphs) for a in articles}
    return articles, known, group_articles(articles, THRESHOLD, known)


def test_texts_fingerprinted_in_two_threads_fold_as_in_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Batches of 4 texts, shared between two threads as soon as there are 2 batches,
    # when every fingerprint is known (as in a build).
    articles, known, alone = _folded_in_one(seed=11, count=90)
    monkeypatch.setattr(dedup, "_BATCH", 4)
    monkeypatch.setattr(dedup, "PRINT_THREADS_MIN", 2)
    monkeypatch.setattr(halves, "cores", lambda: 2)
    threads: list[int] = []
    real = dedup._sorted_batch
    # Each thread's first batch waits for the other thread's: else a machine busy
    # elsewhere may let one thread take every batch before the pool starts a second.
    # Were there only one, the wait would end in BrokenBarrierError, failing the test.
    both = threading.Barrier(2, timeout=10)
    here = threading.get_ident()

    def counting(*args: object) -> object:
        me = threading.get_ident()
        if me != here and me not in threads:
            both.wait()
        threads.append(me)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(dedup, "_sorted_batch", counting)
    assert group_articles(articles, THRESHOLD, known) == alone
    others = set(threads) - {here}  # this thread measures pairs exactly
    assert len(others) == 2, "two threads fingerprinted the batches"
    assert len(alone[1]) > 10, "there were merges to find"


def test_group_articles_pairs_a_crowded_bucket_through_its_first_text() -> None:
    # More copies of one text than SMALL_BUCKET: the bucket pairs its first text with
    # each other, and they all still fold into one story.
    copies = [art(f"c{k:02d}", GREECE[: 3 + k % 5]) for k in range(SMALL_BUCKET + 8)]
    groups, merges = group_articles(copies, THRESHOLD)
    assert len(groups) == 1
    plain_groups, plain_merges = plain_group_articles(copies, THRESHOLD, {})
    assert list(merges) == plain_merges and [[a.id for a in g] for g in groups] == plain_groups


def test_a_story_takes_the_slug_loading_worked_out_else_slugifies_the_headline() -> None:
    from digest.build import prepare

    day = datetime(2025, 7, 14, tzinfo=UTC)
    loaded = prepare(
        "x.md", "---\ntitle: Café “reopens”\n---\nThe café reopened.\n".encode(), "UTC", 3, 80
    ).loaded
    assert loaded.articles[0].title_slug == "cafe-reopens"
    own = prepare("y.md", b"---\ntitle: Rain\nslug: Own Slug\n---\nIt rained.\n", "UTC", 3, 80)
    assert own.loaded.articles[0].title_slug == "own-slug"
    given = Article("a", "a.md", "", "Any headline", published=day, title_slug="kept-as-given")
    plain = Article("b", "b.md", "", "Storm “hits” coast", published=day)
    stories, _ = group_stories([given, plain], 0.5, day)
    assert sorted(s.slug for s in stories) == ["kept-as-given", "storm-hits-coast"]


def test_folding_split_with_a_forked_process_folds_as_in_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # From SPLIT_MIN texts, half the bins' pair codes and half the bounds are worked out
    # in a forked process: the groups and merges are the same to the last digit.
    articles, known, alone = _folded_in_one(seed=12, count=120)
    monkeypatch.setattr(dedup, "SPLIT_MIN", 10)
    monkeypatch.setattr(halves, "cores", lambda: 2)
    forked: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counting_fork)
    assert group_articles(articles, THRESHOLD, known) == alone
    assert len(forked) == 2, "the pair codes and the bounds were each split"
    assert len(alone[1]) > 10, "there were merges to find"


@pytest.mark.parametrize(
    "heads",
    [
        [0],  # one pair
        [0, 0, 0],  # one run
        [0, 1],  # two runs of one pair
        [0, 0, 0, 0, 0, 1, 2],  # most pairs in the first run
        [0, 1, 2, 3, 3, 3, 3, 3, 3],  # most pairs in the last run
        list(range(40)) + [40] * 30 + [41] * 5,
    ],
)
def test_bounds_split_with_a_forked_process_are_the_bounds_unsplit(
    heads: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first half of the pairs (whole runs of one text) in the forked process, the
    # rest here: every pair's bound, in order, as counted in one go.
    rng = random.Random(len(heads))
    n = max(heads) + 8
    signatures = [
        np.array(sorted(rng.sample(range(300), rng.randrange(0, 60))), dtype=np.uint16)
        for _ in range(n)
    ]
    prints = dedup._Prints(
        signatures,
        np.array([s.size for s in signatures], dtype=np.int64),
        np.full(n, 100, dtype=np.int64),
    )
    first = np.array(heads, dtype=np.int64)
    second = np.array([rng.randrange(h + 1, n) for h in heads], dtype=np.int64)
    unsplit = dedup._bounds(prints, first, second)
    monkeypatch.setattr(dedup, "SPLIT_MIN", 1)
    monkeypatch.setattr(halves, "cores", lambda: 2)
    split = dedup._bounds(prints, first, second)
    assert split.dtype == unsplit.dtype and split.tolist() == unsplit.tolist()
    assert unsplit.size == len(heads)


@pytest.mark.parametrize("count", [1, 2, 9, 120])
def test_pair_codes_split_with_a_forked_process_are_the_codes_unsplit(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = random_articles(random.Random(count), count)
    table, present = dedup._key_table([dedup._buckets(fingerprint(a.paragraphs)) for a in articles])
    unsplit = np.sort(
        np.concatenate([np.zeros(0, np.int64), *dedup._pair_codes(table, present, count)])
    )
    monkeypatch.setattr(dedup, "SPLIT_MIN", 1)
    monkeypatch.setattr(halves, "cores", lambda: 2)
    split = np.sort(
        np.concatenate([np.zeros(0, np.int64), *dedup._pair_codes(table, present, count)])
    )
    assert split.tolist() == unsplit.tolist()
