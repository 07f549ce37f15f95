"""Lead summaries: which sentences, in which order, and how long a summary may be."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from digest.load import LoadSettings, load_bytes
from digest.model import Article, Block
from digest.summarize import MAX_SUMMARY_CHARS, lead_summary, with_sentences

CONTENT = Path(__file__).resolve().parents[2] / "content"


def P(text: str) -> Block:
    return Block("p", text, text)


def H(text: str) -> Block:
    return Block("h2", text, text)


def article(*blocks: Block, dek: str = "", override: tuple[str, ...] = ()) -> Article:
    return with_sentences(
        Article("a", "a.txt", "Wire", "T", dek=dek, blocks=blocks, summary_override=override)
    )


@dataclass(frozen=True)
class Case:
    name: str
    article: Article
    expected: tuple[str, ...]
    sentences: int = 3
    max_words: int = 120


DEK = "The weather agency said more storms were on the way."

CASES = [
    Case(
        "three sentences in order across paragraphs",
        article(
            P("Heavy rain fell across the north on Monday. Roads were closed near Leeds."),
            P("Schools shut early in three towns. Trains ran up to two hours late."),
            P("More rain is forecast for Tuesday."),
        ),
        (
            "Heavy rain fell across the north on Monday.",
            "Roads were closed near Leeds.",
            "Schools shut early in three towns.",
        ),
    ),
    Case(
        "five sentences run on into later paragraphs",
        article(
            P("Heavy rain fell across the north on Monday."),
            P("Roads were closed near Leeds. Schools shut early in three towns."),
            P("Trains ran up to two hours late. More rain is forecast for Tuesday."),
            P("Forecasters expect the weekend to be dry."),
        ),
        (
            "Heavy rain fell across the north on Monday.",
            "Roads were closed near Leeds.",
            "Schools shut early in three towns.",
            "Trains ran up to two hours late.",
            "More rain is forecast for Tuesday.",
        ),
        sentences=5,
    ),
    Case(
        "one sentence",
        article(P("Heavy rain fell across the north on Monday. Roads were closed near Leeds.")),
        ("Heavy rain fell across the north on Monday.",),
        sentences=1,
    ),
    Case(
        "subheads are not sentences",
        article(
            P("Heavy rain fell across the north on Monday."),
            H("Travel Chaos Spreads"),
            P("Roads were closed near Leeds. Trains ran up to two hours late."),
        ),
        (
            "Heavy rain fell across the north on Monday.",
            "Roads were closed near Leeds.",
            "Trains ran up to two hours late.",
        ),
    ),
    Case(
        "a standfirst that the body repeats is read once",
        article(
            P("Heavy rain fell across the north on Monday, closing roads."),
            P("The weather agency said more storms were on the way this week."),
            P("Schools shut early in three towns."),
            dek=DEK,
        ),
        (
            "Heavy rain fell across the north on Monday, closing roads.",
            "Schools shut early in three towns.",
        ),
    ),
    Case(
        "a repeated sentence is skipped",
        article(
            P("Heavy rain fell across the north on Monday."),
            P("Heavy rain fell across the north on Monday, officials said."),
            P("Roads were closed near Leeds."),
        ),
        ("Heavy rain fell across the north on Monday.", "Roads were closed near Leeds."),
    ),
    Case(
        "max_words drops whole sentences and stops there",
        article(
            P(
                "One two three four five. Six seven eight nine ten eleven twelve. Thirteen fourteen fifteen."
            )
        ),
        ("One two three four five.",),
        max_words=10,
    ),
    Case(
        "max_words exactly reached keeps the sentence",
        article(P("One two three four five. Six seven eight nine ten. Eleven twelve thirteen.")),
        ("One two three four five.", "Six seven eight nine ten."),
        max_words=10,
    ),
    Case(
        "a single over-long first sentence is cut at a word boundary",
        article(P("One two three four five six seven eight nine ten eleven twelve thirteen.")),
        ("One two three four five six seven eight nine ten…",),
        max_words=10,
    ),
    Case(
        "the cut drops a trailing comma before the ellipsis",
        article(
            P(
                "Rain, then sleet, then snow fell all day long across the north and the west, "
                "closing roads; schools shut."
            )
        ),
        ("Rain, then sleet, then snow fell all day long across…",),
        max_words=10,
    ),
    Case(
        "fewer sentences than asked: all of them",
        article(P("Heavy rain fell across the north on Monday.")),
        ("Heavy rain fell across the north on Monday.",),
        sentences=3,
    ),
    Case("no body: no summary", article(), ()),
    Case(
        "a front-matter summary is used as given",
        article(
            P("Heavy rain fell across the north on Monday."),
            override=("Given first sentence.", "Given second sentence, never cut."),
        ),
        ("Given first sentence.", "Given second sentence, never cut."),
        sentences=1,
        max_words=10,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_lead_summary_table(case: Case) -> None:
    got = lead_summary(case.article, case.sentences, case.max_words)
    assert got == case.expected


def test_without_the_standfirst_the_repeat_is_kept() -> None:
    case = next(c for c in CASES if c.name.startswith("a standfirst"))
    assert case.article.dek == DEK
    assert lead_summary(replace(case.article, dek="")) == (
        "Heavy rain fell across the north on Monday, closing roads.",
        "The weather agency said more storms were on the way this week.",
        "Schools shut early in three towns.",
    )


def test_with_sentences_gives_one_tuple_per_paragraph_and_skips_subheads() -> None:
    got = with_sentences(
        Article(
            "a",
            "a.txt",
            "",
            "T",
            blocks=(
                P("Rain fell on Monday. Roads shut."),
                H("Travel Chaos"),
                P("Trains ran late."),
            ),
        )
    )
    assert got.sentences == (("Rain fell on Monday.", "Roads shut."), ("Trains ran late.",))
    assert got.blocks[1].text == "Travel Chaos"


def test_lead_summary_splits_the_paragraphs_of_an_article_without_sentences() -> None:
    # with_sentences was never called: the summary splits what it reads itself
    raw = Article(
        "a", "a.txt", "", "T", blocks=(P("Heavy rain fell across the north. Roads shut."),)
    )
    assert lead_summary(raw, 1) == ("Heavy rain fell across the north.",)
    assert lead_summary(raw) == lead_summary(with_sentences(raw))


# --- length limits ---------------------------------------------------------------------------


def _distinct_sentence(i: int, words: int) -> str:
    return "Report" + " ".join(f"item{i}x{j}" for j in range(words)) + "."


@pytest.mark.parametrize("max_words", [10, 120, 400])
def test_a_five_thousand_word_sentence_stays_under_the_character_limit(max_words: int) -> None:
    huge = "Officials " + " ".join(f"said{j}" for j in range(5000)) + "."
    got = lead_summary(article(P(huge)), 3, max_words)
    assert len(got) == 1
    assert len(got[0]) <= MAX_SUMMARY_CHARS
    assert got[0].endswith("…")
    assert got[0].startswith("Officials said0 said1 ")
    # cut at a word boundary: every word before the ellipsis is whole
    assert got[0][:-1].split()[-1] in {f"said{j}" for j in range(5000)}
    assert len(got[0][:-1].split()) <= max_words


def test_long_words_hit_the_character_limit_before_the_word_limit() -> None:
    huge = "Officials " + " ".join(["incomprehensibilities"] * 5000) + "."
    (got,) = lead_summary(article(P(huge)), 3, 400)
    assert len(got) <= MAX_SUMMARY_CHARS
    assert got.endswith("incomprehensibilities…")


def test_one_unbroken_five_thousand_character_word_is_cut_before_it() -> None:
    (got,) = lead_summary(article(P("Officials said " + "x" * 5000 + ".")), 3, 400)
    assert got == "Officials said…"


def test_many_long_sentences_stop_at_the_character_limit() -> None:
    paragraphs = [P(_distinct_sentence(i, 35)) for i in range(10)]
    got = lead_summary(article(*paragraphs), 10, 400)
    assert 1 < len(got) < 10
    assert len(" ".join(got)) <= MAX_SUMMARY_CHARS
    # whole sentences only, in order
    assert got == tuple(p.text for p in paragraphs[: len(got)])


# --- the seed article ------------------------------------------------------------------------


def test_seed_summary_is_the_lede_then_skips_the_repeated_standfirst() -> None:
    name = "000_09bbb82b954263c9.txt"
    (seed,) = load_bytes((CONTENT / name).read_bytes(), name, LoadSettings()).articles
    assert lead_summary(with_sentences(seed)) == (
        "Ukraine and Russia called for intensified diplomatic efforts Sunday to avert all-out "
        "war, each blaming the other for a sharp escalation in shelling on the front line "
        "separating Kyiv's forces from Moscow-backed separatists.",
        "Washington is warning a Russian invasion of Ukraine is imminent, and Macron's office "
        'dubbed the calls "the last possible and necessary efforts to avoid a major conflict '
        'in Ukraine".',
        'US Secretary of State Antony Blinken said Russia remained "on the brink" of invading '
        "Ukraine, but promised that President Joe Biden was ready to talk to Putin and that "
        'Washington would seek a diplomatic solution until Russian "tanks are actually '
        'rolling".',
    )


def test_seed_summary_fits_the_default_budget() -> None:
    name = "000_09bbb82b954263c9.txt"
    (seed,) = load_bytes((CONTENT / name).read_bytes(), name, LoadSettings()).articles
    got = lead_summary(with_sentences(seed))
    assert [len(s.split()) for s in got] == [33, 29, 41]
    assert lead_summary(with_sentences(seed), 3, 103) == got
    assert lead_summary(with_sentences(seed), 3, 102) == got[:2]


def test_later_sentences_are_compared_with_the_cut_first_one() -> None:
    # The first sentence is cut at 150 words, which leaves only its five repeated words;
    # the second sentence is those five words, so it repeats the summary's first sentence
    # (though not the whole first sentence, which has fifty other words).
    first = "alpha beta gamma delta epsilon " * 30 + " ".join(f"word{i}" for i in range(50))
    second = "Alpha beta gamma delta epsilon."
    third = "Something else entirely happened on Tuesday."
    for dek in ("", "An unrelated standfirst about the weather."):
        summary = lead_summary(article(P(f"{first}. {second} {third}"), dek=dek), 3, 1000)
        assert summary == (("alpha beta gamma delta epsilon " * 30).strip() + "…", third)
