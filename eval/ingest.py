"""Ingest quality: feed robustness and article body extraction from saved pages.

Two measurements, in one run:

* feeds: every file of ``DATA_DIR/feeds-feedparser-suite`` (well-formed, ill-formed,
  odd encodings, entities, JSON Feed) goes through ``digest.load.feed.parse_feed`` under
  its own name and suffix. Counted: files, feeds giving articles, articles, named
  problems (ContentError) and exceptions escaping, which must be none.
* extraction: every page of ``DATA_DIR/extraction-scrapinghub`` goes through
  ``digest.load.html.parse_html`` and, in the same run, through plain
  ``trafilatura.extract`` with its defaults. Each body is scored against the page's
  ``articleBody`` by token precision, recall and F1 (tokens: lowercase ``\\w+`` words,
  overlap counted as a multiset), per page and averaged, and as micro totals over all
  tokens. digest's body is its paragraph texts joined (``Article.paragraphs``, subheads
  left out, as ``digest inspect`` prints it); a second row adds the subheads back.

Usage: ``python eval/ingest.py [DATA_DIR] [--check]``. Exit codes: 0 done (or targets met
under ``--check``: no exception escaping, digest's F1 at least trafilatura's), 1 a target
missed under ``--check``, 2 a missing data folder.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from _common import data_argument, tokens

from digest.errors import ContentError
from digest.load import LoadSettings, decode
from digest.load.feed import parse_feed
from digest.load.html import parse_html

FEEDS = "feeds-feedparser-suite"
PAGES = "extraction-scrapinghub"
SETTINGS = LoadSettings()
T = TypeVar("T")


# --- feeds ----------------------------------------------------------------------------


@dataclass
class FeedFigures:
    files: int = 0
    giving: int = 0
    articles: int = 0
    problems: Counter[str] = field(default_factory=Counter)
    escaped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


def run_feeds(folder: Path) -> FeedFigures:
    """parse_feed over every feed file of the suite (not its README, LICENSE, PROVENANCE)."""
    figures = FeedFigures()
    files = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in (".xml", ".json")
    )
    started = time.perf_counter()
    for path in files:
        rel = path.relative_to(folder).as_posix()
        figures.files += 1
        try:
            articles = parse_feed(path.read_bytes(), rel, SETTINGS)
        except ContentError as exc:
            figures.problems[exc.reason] += 1
            continue
        except Exception as exc:
            last = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{Path(last.filename).name}:{last.lineno}"
            figures.escaped.append((rel, f"{type(exc).__name__}: {exc} (at {where})"))
            continue
        figures.articles += len(articles)
        figures.giving += bool(articles)
    figures.seconds = time.perf_counter() - started
    return figures


def print_feeds(f: FeedFigures) -> None:
    print(
        f"feeds: {f.files} files, {f.giving} feeds giving articles, {f.articles} articles, "
        f"{sum(f.problems.values())} named problems (ContentError), "
        f"{len(f.escaped)} exceptions escaping, {f.seconds:.1f} s"
    )
    for reason, n in f.problems.most_common(10):
        print(f"  problem x{n}: {reason}")
    for rel, what in f.escaped[:10]:
        print(f"  ESCAPED {rel}: {what}")


# --- extraction -----------------------------------------------------------------------


@dataclass
class Score:
    name: str
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    f1: list[float] = field(default_factory=list)
    overlap: int = 0
    extracted: int = 0
    truth: int = 0
    problems: int = 0
    seconds: float = 0.0

    def add(self, extracted: str, truth: str) -> None:
        got, want = Counter(tokens(extracted)), Counter(tokens(truth))
        overlap = sum((got & want).values())
        n_got, n_want = sum(got.values()), sum(want.values())
        p = overlap / n_got if n_got else 0.0
        r = overlap / n_want if n_want else 0.0
        self.precision.append(p)
        self.recall.append(r)
        self.f1.append(2 * p * r / (p + r) if p + r else 0.0)
        self.overlap += overlap
        self.extracted += n_got
        self.truth += n_want

    def row(self) -> str:
        n = len(self.f1) or 1
        mp = self.overlap / self.extracted if self.extracted else 0.0
        mr = self.overlap / self.truth if self.truth else 0.0
        mf = 2 * mp * mr / (mp + mr) if mp + mr else 0.0
        return (
            f"  {self.name:<40} P {sum(self.precision) / n:.3f}  R {sum(self.recall) / n:.3f}  "
            f"F1 {sum(self.f1) / n:.3f}   micro P {mp:.3f}  R {mr:.3f}  F1 {mf:.3f}   "
            f"{self.problems} no text   {self.seconds:.1f} s"
        )

    @property
    def mean_f1(self) -> float:
        return sum(self.f1) / (len(self.f1) or 1)


def run_extraction(folder: Path) -> list[Score]:
    """Our body and trafilatura's, scored page by page against the ground truth."""
    import trafilatura

    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    paragraphs = Score("digest parse_html (paragraphs)")
    blocks = Score("digest parse_html (with subheads)")
    plain = Score("trafilatura.extract (defaults)")

    def timed(score: Score, fn: Callable[..., T], *args: Any) -> T:
        started = time.perf_counter()
        try:
            return fn(*args)
        finally:
            score.seconds += time.perf_counter() - started

    for page_id in sorted(truth):
        body = truth[page_id]["articleBody"]
        data = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
        source = decode(data, html=True)
        try:
            article = timed(paragraphs, parse_html, source, f"{page_id}.html", SETTINGS)
        except ContentError:
            paragraphs.problems += 1
            blocks.problems += 1
            paragraphs.add("", body)
            blocks.add("", body)
        else:
            paragraphs.add("\n".join(article.paragraphs), body)
            blocks.add("\n".join(b.text for b in article.blocks), body)
        extracted = timed(plain, trafilatura.extract, source) or ""
        if not extracted:
            plain.problems += 1
        plain.add(extracted, body)
    blocks.seconds = paragraphs.seconds
    return [paragraphs, blocks, plain]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    data_argument(parser)
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when an exception escapes parse_feed or digest's mean F1 is below trafilatura's",
    )
    args = parser.parse_args(argv)
    data = Path(args.data)
    for name in (FEEDS, PAGES):
        if not (data / name).is_dir():
            print(
                f"ingest: {data / name}: no such folder (pass the shared data folder)",
                file=sys.stderr,
            )
            return 2

    feeds = run_feeds(data / FEEDS)
    print_feeds(feeds)
    print()
    scores = run_extraction(data / PAGES)
    print(f"extraction: {len(scores[0].f1)} pages; token P/R/F1 per page, averaged; micro totals")
    for score in scores:
        print(score.row())

    ours, theirs = scores[0].mean_f1, scores[-1].mean_f1
    failed = []
    if feeds.escaped:
        failed.append(f"{len(feeds.escaped)} exceptions escaped parse_feed")
    if ours < theirs:
        failed.append(f"digest F1 {ours:.3f} < trafilatura F1 {theirs:.3f}")
    for line in failed:
        print(f"target missed: {line}")
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
