"""Lead-summary quality: ``digest inspect``'s summaries against BBC reference summaries.

Every pair of ``DATA_DIR/summaries-bbc/pairs.jsonl`` is written as a ``.txt`` article
(title line, blank line, the text's paragraphs separated by blank lines) into a temporary
folder; ``python -m digest inspect FILE... --json`` reads them all, and each article's
``summary`` (joined with spaces) is scored against its ``reference`` with ROUGE-1,
ROUGE-2 and ROUGE-L F1 (``rouge_score``, Porter stemming on). A naive Lead-3 baseline is
scored in the same run: the first three sentences of the text, split naively after
'.', '!' or '?' (and after a closing quote that follows one). ROUGE-Lsum (sentences on separate lines) is shown as well, for
comparison with the figures in the data's PROVENANCE.md.

Usage: ``python eval/summaries.py [DATA_DIR] [--check]``.
Exit codes: 0 done, 1 ours below Lead-3 on ROUGE-1 or ROUGE-2 under ``--check``,
2 bad data folder, ``rouge_score`` missing, or digest failed.
"""

from __future__ import annotations

import argparse
import importlib
import re
import statistics
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from _common import (
    article_text,
    data_argument,
    lines,
    looks_like_furniture,
    read_jsonl,
    run_inspect,
    safe_stem,
)

PAIRS = Path("summaries-bbc") / "pairs.jsonl"
METRICS = ("rouge1", "rouge2", "rougeL", "rougeLsum", "words")
# Naive: a boundary after '.', '!' or '?', or after one of them and a closing quote; no
# abbreviation list, no look at what follows. (Without the quote case, a "sentence" ending
# in ." swallows the next ones and the baseline's summaries run to 139 words.)
NAIVE_SENTENCE = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"”’'])\s+")
# A closing quote after a full stop, to spot a baseline sentence that runs on.
QUOTED_END = re.compile(r"[.!?][\"”’']\s+\S")
MAX_DETAILS = 8


class _Score(Protocol):
    fmeasure: float


class _Scorer(Protocol):
    def score(self, target: str, prediction: str) -> Mapping[str, _Score]: ...


def lead3(text: str) -> list[str]:
    """The first three sentences by a naive split after '.', '!' or '?'.

    >>> lead3('One. Two! "Three?" Four.')
    ['One.', 'Two!', '"Three?"']
    """
    return [s for s in NAIVE_SENTENCE.split(text.strip()) if s][:3]


def scores(
    flat: _Scorer,
    by_line: _Scorer,
    summary: Sequence[str],
    reference: str,
    sentences: Sequence[str],
) -> dict[str, float]:
    """ROUGE F1 (x100) of one summary, and its length in words.

    ``flat`` scores ROUGE-1/2/L on space-joined text; ``by_line`` scores ROUGE-Lsum on
    sentence-per-line text.
    """
    out = {m: 100 * f.fmeasure for m, f in flat.score(reference, " ".join(summary)).items()}
    out |= {
        m: 100 * f.fmeasure
        for m, f in by_line.score("\n".join(sentences), "\n".join(summary)).items()
    }
    out["words"] = float(sum(len(s.split()) for s in summary))
    return out


def mean_row(rows: Sequence[Mapping[str, float]]) -> dict[str, float]:
    return {m: statistics.fmean(r[m] for r in rows) if rows else 0.0 for m in METRICS}


def summaries_of(pairs: Sequence[Mapping[str, Any]]) -> tuple[dict[str, list[str]], list[str]]:
    """digest's summary for every pair id, and the ids digest returned nothing for."""
    with tempfile.TemporaryDirectory(prefix="digest-eval-summaries-") as tmp:
        work = Path(tmp)
        taken: set[str] = set()
        files: dict[str, str] = {}
        for pair in pairs:
            name = f"{safe_stem(str(pair['id']), taken)}.txt"
            title = str(pair.get("title") or "").strip() or None
            (work / name).write_text(article_text(title, lines(pair["text"])), encoding="utf-8")
            files[name] = str(pair["id"])
        records = list(run_inspect(work, [Path(name) for name in files]))
    out: dict[str, list[str]] = {}
    for record in records:
        key = files.get(Path(record["path"]).name)
        if key is not None and key not in out:
            out[key] = [str(s) for s in record.get("summary") or []]
    missing = [str(p["id"]) for p in pairs if str(p["id"]) not in out]
    return out, missing


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    data_argument(parser)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if ours is below Lead-3 on ROUGE-1 or ROUGE-2"
    )
    args = parser.parse_args(argv)

    try:
        rouge_scorer = importlib.import_module("rouge_score.rouge_scorer")
    except ImportError:
        print(
            "summaries: the rouge_score package is not installed (pip install rouge-score); "
            "no scores computed",
            file=sys.stderr,
        )
        return 2

    path = Path(args.data) / PAIRS
    if not path.is_file():
        print(f"summaries: {path}: no such file (pass the shared data folder)", file=sys.stderr)
        return 2
    pairs = read_jsonl(path)
    try:
        ours, missing = summaries_of(pairs)
    except RuntimeError as exc:
        print(f"summaries: {exc}", file=sys.stderr)
        return 2

    flat: _Scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    by_line: _Scorer = rouge_scorer.RougeScorer(["rougeLsum"], use_stemmer=True)
    our_rows, lead_rows = [], []
    notes: list[str] = []
    for pair in pairs:
        key = str(pair["id"])
        reference, reference_sentences = pair["reference"], pair["reference_sentences"]
        summary = ours.get(key, [])
        baseline = lead3(pair["text"])
        mine = scores(flat, by_line, summary, reference, reference_sentences)
        base = scores(flat, by_line, baseline, reference, reference_sentences)
        our_rows.append(mine)
        lead_rows.append(base)
        if summary and looks_like_furniture(summary[0]):
            notes.append(f"{key}: summary starts with furniture: {summary[0][:90]!r}")
        if [x.strip() for x in summary] != baseline:
            notes.append(
                f"{key}: differs from Lead-3: ROUGE-1 {mine['rouge1']:.1f} vs {base['rouge1']:.1f}, "
                f"{mine['words']:.0f} vs {base['words']:.0f} words; Lead-3's last sentence "
                f"{baseline[-1][:60] if baseline else ''!r}..."
            )

    ours_mean, lead_mean = mean_row(our_rows), mean_row(lead_rows)
    lengths = [len(ours.get(str(p["id"]), [])) for p in pairs]
    print(
        f"{len(pairs)} BBC articles; digest summarized {len(pairs) - len(missing)}, "
        f"{statistics.fmean(lengths):.2f} sentences on average; "
        "ROUGE F1 x100, Porter stemming"
    )
    print()
    head = (
        f"{'system':<10} {'ROUGE-1':>8} {'ROUGE-2':>8} {'ROUGE-L':>8} {'ROUGE-Lsum':>10} "
        f"{'words':>6}"
    )
    print(head)
    print("-" * len(head))
    for name, row in (("digest", ours_mean), ("Lead-3", lead_mean)):
        print(
            f"{name:<10} {row['rouge1']:>8.2f} {row['rouge2']:>8.2f} "
            f"{row['rougeL']:>8.2f} {row['rougeLsum']:>10.2f} {row['words']:>6.1f}"
        )
    same = len(pairs) - sum(1 for note in notes if ": differs from Lead-3:" in note)
    print(f"\ndigest's summary is exactly the naive Lead-3 for {same} of {len(pairs)} articles")
    overlong = sum(1 for p in pairs if any(QUOTED_END.search(x) for x in lead3(p["text"])))
    if overlong:
        print(
            f"Lead-3 runs past three sentences in {overlong} articles (a closing quote it missed)"
        )
    if missing:
        print(f"no summary from digest for {len(missing)}: {', '.join(missing[:MAX_DETAILS])}")
    for line in notes[:MAX_DETAILS]:
        print(f"  {line}")
    if len(notes) > MAX_DETAILS:
        print(f"  ... {len(notes) - MAX_DETAILS} more")

    worse = [m for m in ("rouge1", "rouge2") if ours_mean[m] < lead_mean[m]]
    if args.check and worse:
        print(f"\ncheck failed: digest below Lead-3 on {', '.join(worse)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
