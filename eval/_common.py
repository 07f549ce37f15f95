"""Helpers shared by the evaluation scripts: data paths, article files, running digest.

The scripts import this module as a sibling (``python eval/folding.py`` puts ``eval/`` on
``sys.path``). Nothing here copies data into the project: articles are written into a
temporary folder that the caller owns and removes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_DATA = "../shared/data"
# A fixed build clock, so that two runs of a script build byte-identical sites.
SOURCE_DATE_EPOCH = "1752451200"

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_TOKEN = re.compile(r"\w+")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
# A line that is page furniture (a date line, a time stamp, a byline), not a headline or news.
_FURNITURE = re.compile(
    r"^(?:by\s+[A-Z]|(?:last\s+)?updated\b|posted\b|published\b|article posted\b|"
    r"(?:on\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|"
    r"\d{1,2}\s*[:/]\s*\d{1,2}|\d{1,2}\.\d{1,2}\.\d{2,4}|\d{1,2}\s*[ap]\.?\s?m\b|"
    rf"{_MONTH}\s+\d{{1,2}}\b|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\s+\d{{4}})",
    re.IGNORECASE,
)


def data_argument(parser: argparse.ArgumentParser) -> None:
    """Add the positional data folder argument every script takes."""
    parser.add_argument(
        "data",
        nargs="?",
        default=DEFAULT_DATA,
        metavar="DATA_DIR",
        help=f"the shared evaluation data folder (default: {DEFAULT_DATA})",
    )


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every JSON object of a JSON Lines file, in order."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def safe_stem(name: str, taken: set[str]) -> str:
    """A file name stem made of letters, digits, '.', '-' and '_', unique among ``taken``.

    digest skips files whose name starts with '.' or '_', so a stem never does.

    >>> taken = set()
    >>> safe_stem("a/b c", taken), safe_stem("a/b:c", taken), safe_stem("_x", taken)
    ('a_b_c', 'a_b_c-2', 'x')
    """
    stem = _UNSAFE.sub("_", name).strip("._-") or "article"
    candidate, n = stem, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem}-{n}"
    taken.add(candidate.casefold())
    return candidate


def article_text(title: str | None, paragraphs: Sequence[str], separator: str = "\n\n") -> str:
    """A plain-text article: the title line (when there is one), a blank line, the paragraphs.

    >>> article_text("Rain", ["One.", "Two."])
    'Rain\\n\\nOne.\\n\\nTwo.\\n'
    """
    parts = ([title] if title else []) + [p for p in paragraphs if p.strip()]
    return separator.join(parts) + "\n"


def lines(text: str) -> list[str]:
    """The non-empty lines of a data set's ``text`` field (its paragraphs), stripped."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def looks_like_furniture(line: str) -> bool:
    """True for a line that starts like a date line, a time stamp or a byline.

    >>> [looks_like_furniture(x) for x in ("Updated 5 / 5 / 2010", "8:24am:", "By Jo Smith")]
    [True, True, True]
    >>> [looks_like_furniture(x) for x in ("5.9 Earthquake Jolts Iran", "May Day marches")]
    [False, False]
    """
    return bool(_FURNITURE.search(line.strip()))


def tokens(text: str) -> list[str]:
    """Lowercase word tokens (``\\w+``), the evaluation's own, independent of digest's."""
    return _TOKEN.findall(text.lower())


def shingles(text: str, size: int = 5) -> frozenset[tuple[str, ...]]:
    """The set of ``size``-word shingles of a text.

    >>> sorted(shingles("a b c d e f"))
    [('a', 'b', 'c', 'd', 'e'), ('b', 'c', 'd', 'e', 'f')]
    """
    words = tokens(text)
    return frozenset(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def containment(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]]) -> float:
    """The share of the smaller shingle set that lies inside the other (0 when one is empty)."""
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return len(small & large) / len(small)


@dataclass(frozen=True)
class Build:
    """What one ``digest build`` run left behind."""

    stories: list[dict[str, Any]]
    merges: list[dict[str, Any]]
    seconds: float
    summary_line: str
    problems: list[str]
    warnings: list[str]


def run_build(workdir: Path, content: Path) -> Build:
    """Run ``digest build`` on ``content`` as a subprocess inside ``workdir``.

    The working folder is ``workdir`` so that no ``digest.toml`` of the caller's is read.
    Raises RuntimeError with digest's own message when the build fails.
    """
    output, report = workdir / "site", workdir / "merges.json"
    command = [
        sys.executable,
        "-m",
        "digest",
        "build",
        "--content",
        str(content),
        "--output",
        str(output),
        "--report",
        str(report),
    ]
    env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(
            f"digest build exited {done.returncode}:\n{done.stderr.strip() or done.stdout.strip()}"
        )
    stderr = done.stderr.splitlines()
    return Build(
        stories=json.loads((output / "stories.json").read_text(encoding="utf-8")),
        merges=json.loads(report.read_text(encoding="utf-8"))["merges"],
        seconds=seconds,
        summary_line=done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "",
        problems=[
            line.removeprefix("problem: ") for line in stderr if line.startswith("problem: ")
        ],
        warnings=[line.split("Warning: ", 1)[1] for line in stderr if "Warning: " in line],
    )


def run_inspect(workdir: Path, files: Sequence[Path], batch: int = 200) -> Iterator[dict[str, Any]]:
    """``digest inspect FILE... --json`` on ``files`` in batches: one record per article.

    Raises RuntimeError when digest fails on a batch without printing anything.
    """
    env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH)
    for start in range(0, len(files), batch):
        chunk = [str(f) for f in files[start : start + batch]]
        command = [sys.executable, "-m", "digest", "inspect", *chunk, "--json"]
        done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
        records = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
        if done.returncode not in (0, 1) or (done.returncode and not records):
            raise RuntimeError(f"digest inspect exited {done.returncode}:\n{done.stderr.strip()}")
        yield from records


def pairs_within(groups: Iterable[Iterable[str]]) -> set[tuple[str, str]]:
    """Every unordered pair (as a sorted tuple) of items that share a group."""
    out: set[tuple[str, str]] = set()
    for group in groups:
        members = sorted(set(group))
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                out.add((a, b))
    return out
