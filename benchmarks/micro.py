"""Micro-benchmarks of two stages alone, each run in its own process by ``run.py``.

* ``fold N``: ``digest.dedup.group_articles`` over N generated articles (a fifth of them
  copies). The articles are built as ``Article`` values straight from the generated
  paragraphs, without going through the Markdown loader, so that only folding is timed.
* ``split N``: ``digest.sentences.split_sentences`` over every paragraph of N generated
  articles, in milliseconds per article.

Each prints one JSON object on standard output: what was timed, how long it took (and,
for ``fold``, the CPU time it took, as the machine may be shared), and the process's
peak resident memory (``ru_maxrss``) before and after the timed part.

Usage: ``python benchmarks/micro.py fold|split N``.
"""

from __future__ import annotations

import argparse
import html
import json
import resource
import sys
import time
from collections.abc import Sequence
from typing import Any

import corpus

from digest.model import Article, Block


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def article(doc: corpus.Doc) -> Article:
    """A generated document as the loader would give it: blocks of plain text."""
    return Article(
        id=doc.name,
        path=f"{doc.name}.md",
        outlet=doc.outlet,
        title=doc.title,
        url=doc.url,
        published=doc.published,
        tags=doc.tags,
        blocks=tuple(
            Block(kind, text, html.escape(text, quote=False))
            for kind, text in ((k, " ".join(s)) for k, s in doc.blocks)
        ),
    )


def articles(docs: Sequence[corpus.Doc]) -> list[Article]:
    """The generated documents as the loader would give them: blocks of plain text."""
    return [article(doc) for doc in docs]


def take_articles(docs: list[corpus.Doc]) -> list[Article]:
    """``articles(docs)``, emptying ``docs`` as it goes: each document is let go as soon
    as its article is made, so that the process never holds all the documents and all
    the articles at once (at 100,000 articles that was half a gigabyte of peak memory
    before folding had begun)."""
    docs.reverse()
    out = []
    while docs:
        out.append(article(docs.pop()))
    return out


def fold(n: int) -> dict[str, Any]:
    """Time ``group_articles`` over ``n`` generated articles."""
    from digest.config import Config
    from digest.dedup import group_articles

    started = time.perf_counter()
    items = take_articles(corpus.generate(n))
    prepared = time.perf_counter() - started
    before = peak_mb()
    started = time.perf_counter()
    cpu = time.process_time()
    groups, merges = group_articles(items, Config().fold_threshold)
    cpu = time.process_time() - cpu
    seconds = time.perf_counter() - started
    return {
        "stage": "fold",
        "articles": n,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "groups": len(groups),
        "merges": len(merges),
        "expected_groups": n - int(n * corpus.COPY_SHARE),
        "prepare_seconds": prepared,
        "peak_mb_before": before,
        "peak_mb": peak_mb(),
    }


def split(n: int) -> dict[str, Any]:
    """Time ``split_sentences`` over every paragraph of ``n`` generated articles."""
    from digest.sentences import split_sentences

    paragraphs = [p for doc in corpus.generate(n) for p in doc.paragraphs]
    split_sentences("Warm up. The splitter is ready.")
    started = time.perf_counter()
    sentences = sum(len(split_sentences(p)) for p in paragraphs)
    seconds = time.perf_counter() - started
    return {
        "stage": "split",
        "articles": n,
        "paragraphs": len(paragraphs),
        "sentences": sentences,
        "seconds": seconds,
        "ms_per_article": seconds * 1000 / n,
        "peak_mb": peak_mb(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: run one micro-benchmark and print its JSON result."""
    parser = argparse.ArgumentParser(prog="python benchmarks/micro.py", description=__doc__)
    parser.add_argument("stage", choices=("fold", "split"))
    parser.add_argument("n", type=int, metavar="N", help="how many generated articles")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error(f"N: expected a positive number of articles, found {args.n}")
    result = fold(args.n) if args.stage == "fold" else split(args.n)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
