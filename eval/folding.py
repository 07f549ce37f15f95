"""Story folding quality: does ``digest build`` fold copies together without over-merging?

Two content sets are built with the real CLI (``python -m digest build``) in a temporary
folder, and scored from the ``stories.json`` and ``--report`` merges it writes:

* real: every article of ``DATA_DIR/stories-ecbplus/articles.jsonl`` as a ``.txt`` file;
* synthetic: a seeded sample of those articles plus 1-3 republished copies of each, made
  the way outlets copy wire stories (truncated, re-headlined, wrapped in page chrome
  with other stories' headlines, respelled, with typos, re-paragraphed).

Figures per set: stories built, wrong merges (article pairs in one story whose labels
differ), copy recall (share of copy pairs that landed in one story), B-cubed precision,
recall and F1 against the ``story_id`` labels, and the build's wall time. See
``eval/README.md`` for the definitions.

Usage: ``python eval/folding.py [DATA_DIR] [--seed N] [--sample N] [--check]``.
Exit codes: 0 done (or targets met under ``--check``), 1 a target missed under
``--check``, 2 bad data folder or a failed build.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from _common import (
    Build,
    article_text,
    containment,
    data_argument,
    lines,
    looks_like_furniture,
    pairs_within,
    read_jsonl,
    run_build,
    safe_stem,
    shingles,
)

COPY_CONTAINMENT = 0.5
TARGET_RECALL = 0.98
ARTICLES = Path("stories-ecbplus") / "articles.jsonl"
MAX_DETAILS = 12

Shingles = frozenset[tuple[str, ...]]


@dataclass(frozen=True)
class Doc:
    """One content file: its stem (digest's article id), label and text as written."""

    key: str
    label: str
    text: str
    origin: str
    body: str = ""
    ops: tuple[str, ...] = ()


@dataclass(frozen=True)
class Figures:
    """The scores of one build."""

    name: str
    articles: int
    built: int
    stories: int
    wrong_pairs: int
    wrong_stories: int
    copy_pairs: int
    copies_together: int
    precision: float
    recall: float
    f1: float
    seconds: float
    details: list[str] = field(default_factory=list)

    @property
    def copy_recall(self) -> float:
        return self.copies_together / self.copy_pairs if self.copy_pairs else 1.0


# ---------------------------------------------------------------------------- scoring


def bcubed(clusters: Mapping[str, str], labels: Mapping[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of ``clusters`` (item → cluster) against ``labels``.

    Every item of ``labels`` counts; an item missing from ``clusters`` is a singleton.

    >>> [round(x, 3) for x in bcubed({"a": "1", "b": "1", "c": "2"}, {"a": "x", "b": "x", "c": "x"})]
    [1.0, 0.556, 0.714]
    """
    cluster_of = {item: clusters.get(item, f"\0{item}") for item in labels}
    by_cluster: dict[str, list[str]] = defaultdict(list)
    by_label: dict[str, list[str]] = defaultdict(list)
    for item, cluster in cluster_of.items():
        by_cluster[cluster].append(item)
        by_label[labels[item]].append(item)
    both = Counter((cluster_of[i], labels[i]) for i in labels)
    precision = recall = 0.0
    for item in labels:
        shared = both[cluster_of[item], labels[item]]
        precision += shared / len(by_cluster[cluster_of[item]])
        recall += shared / len(by_label[labels[item]])
    n = len(labels) or 1
    precision, recall = precision / n, recall / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def copy_pairs_of(texts: Mapping[str, str]) -> dict[tuple[str, str], float]:
    """Pairs whose smaller text has at least half of its 5-word shingles inside the other.

    An inverted index over shingles keeps this exact without comparing every pair.
    """
    sets = {key: shingles(text) for key, text in texts.items()}
    owners: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for key in sorted(sets):
        for shingle in sets[key]:
            owners[shingle].append(key)
    shared: Counter[tuple[str, str]] = Counter()
    for keys in owners.values():
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                shared[a, b] += 1
    out = {}
    for (a, b), count in shared.items():
        score = count / min(len(sets[a]), len(sets[b]))
        if score >= COPY_CONTAINMENT:
            out[a, b] = score
    return out


def score(
    name: str,
    docs: Sequence[Doc],
    copies: Mapping[tuple[str, str], float],
    build: Build,
    what_copies: str,
) -> Figures:
    """Score one build against the docs' labels and the known copy pairs."""
    labels = {d.key: d.label for d in docs}
    by_key = {d.key: d for d in docs}
    clusters: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    for story in build.stories:
        keys = [Path(s["path"]).with_suffix("").as_posix() for s in story["sources"]]
        members[story["id"]] = keys
        for key in keys:
            clusters[key] = story["id"]
    unknown = sorted(set(clusters) - set(labels))
    if unknown:
        raise RuntimeError(f"stories.json names files that were not written: {unknown[:5]}")

    together = pairs_within(members.values())
    wrong = {(a, b) for a, b in together if labels[a] != labels[b]}
    wrong_stories = [sid for sid, keys in members.items() if len({labels[k] for k in keys}) > 1]
    hit = {pair for pair in copies if tuple(sorted(pair)) in together}
    precision, recall, f1 = bcubed(clusters, labels)

    details: list[str] = [f"digest: {build.summary_line}"]
    missing = sorted(set(labels) - set(clusters))
    if missing:
        details.append(f"{len(missing)} article(s) not in stories.json: {', '.join(missing)}")
    details += [f"problem: {p}" for p in build.problems[:MAX_DETAILS]]
    if build.warnings:
        details.append(
            f"{len(build.warnings)} warning(s) on digest's stderr, e.g. {build.warnings[0]!r}"
        )
    details += _furniture(build.stories)
    details += _explain_wrong(wrong_stories, members, labels, by_key, build.merges)
    details += _explain_missed(
        sorted(set(copies) - hit), copies, clusters, members, by_key, what_copies
    )
    return Figures(
        name=name,
        articles=len(docs),
        built=len(clusters),
        stories=len(build.stories),
        wrong_pairs=len(wrong),
        wrong_stories=len(wrong_stories),
        copy_pairs=len(copies),
        copies_together=len(hit),
        precision=precision,
        recall=recall,
        f1=f1,
        seconds=build.seconds,
        details=details,
    )


def _furniture(stories: Sequence[Mapping[str, Any]]) -> list[str]:
    """Stories titled with a date line or byline, and summaries that open with one."""
    lead = [_lead_path(s) for s in stories]
    titles = [(path, str(s["title"])) for path, s in zip(lead, stories, strict=True)]
    ledes = [
        (path, str(s["summary"][0])) for path, s in zip(lead, stories, strict=True) if s["summary"]
    ]
    out = []
    for what, texts in (("story title", titles), ("summary's first sentence", ledes)):
        hits = [(path, text) for path, text in texts if looks_like_furniture(text)]
        if hits:
            examples = "; ".join(f"{path}: {text[:50]!r}" for path, text in hits[:4])
            out.append(f"{len(hits)} {what}(s) look like a date line or byline, e.g. {examples}")
    return out


def _lead_path(story: Mapping[str, Any]) -> str:
    """The path of the source the story is titled after (its lead), else its first source."""
    sources = story["sources"]
    return str(
        next((x["path"] for x in sources if x["title"] == story["title"]), sources[0]["path"])
    )


def _explain_wrong(
    wrong_stories: Sequence[str],
    members: Mapping[str, Sequence[str]],
    labels: Mapping[str, str],
    docs: Mapping[str, Doc],
    merges: Iterable[Mapping[str, Any]],
) -> list[str]:
    """One line per merge that joined two differently labelled articles, with shared text."""
    out: list[str] = []
    story_of = {key: sid for sid, keys in members.items() for key in keys}
    bad = set(wrong_stories)
    for merge in merges:
        # Article ids are paths in the content folder; the docs are keyed without suffix.
        a, b = (Path(merge[k]).with_suffix("").as_posix() for k in ("a", "b"))
        if story_of.get(a) not in bad or labels.get(a) == labels.get(b):
            continue
        common = sorted(shingles(docs[a].text) & shingles(docs[b].text))
        sample = " | ".join(" ".join(s) for s in common[:3])
        out.append(
            f"wrong merge: {a} [{labels[a]}] + {b} [{labels[b]}]: containment "
            f"{merge['containment_a_in_b']:.2f}/{merge['containment_b_in_a']:.2f} "
            f"(threshold {merge['threshold']}); {len(common)} shared shingles, e.g. {sample!r}"
        )
    return out[:MAX_DETAILS] + (
        [f"... {len(out) - MAX_DETAILS} more wrong merges"] if len(out) > MAX_DETAILS else []
    )


def _explain_missed(
    missed: Sequence[tuple[str, str]],
    copies: Mapping[tuple[str, str], float],
    clusters: Mapping[str, str],
    members: Mapping[str, Sequence[str]],
    docs: Mapping[str, Doc],
    what_copies: str,
) -> list[str]:
    out = []
    for a, b in missed[:MAX_DETAILS]:
        sizes = "/".join(str(len(members[clusters[k]])) if k in clusters else "-" for k in (a, b))
        ops = docs[b].ops or docs[a].ops
        file_score = containment(shingles(docs[a].text), shingles(docs[b].text))
        out.append(
            f"missed copy: {a} ~ {b}: containment {copies[a, b]:.2f} ({what_copies}), "
            f"{file_score:.2f} (files as written); story sizes {sizes}"
            + (f"; edits: {', '.join(ops)}" if ops else "")
        )
    if len(missed) > MAX_DETAILS:
        out.append(f"... {len(missed) - MAX_DETAILS} more missed copy pairs")
    return out


# ------------------------------------------------------------------------ real data


def header_and_body(row: Mapping[str, Any]) -> tuple[str | None, list[str]]:
    """The title line to write (None when the text already carries it) and the paragraphs.

    ecbplus texts begin with their headline (the ``title`` field was taken from it), often
    after a date line; writing the title again would print the headline twice.
    """
    paragraphs = lines(row["text"])
    title = (row.get("title") or "").strip() or None
    if title is not None and title in paragraphs:
        title = None
    return title, paragraphs


def real_docs(rows: Sequence[Mapping[str, Any]]) -> list[Doc]:
    taken: set[str] = set()
    docs = []
    for row in rows:
        title, paragraphs = header_and_body(row)
        docs.append(
            Doc(
                key=safe_stem(str(row["id"]), taken),
                label=str(row["story_id"]),
                text=article_text(title, paragraphs),
                origin=str(row["id"]),
                body=row["text"],
            )
        )
    return docs


# ------------------------------------------------------------------- synthetic copies

OUTLETS = (
    "London Daily",
    "Harbour Gazette",
    "Midland Courier",
    "Northern Wire",
    "The Lakeside Observer",
    "Southern Cross Wire",
    "Valley Herald",
    "Capital Times Online",
    "Evening Standard-Bearer",
    "Metro Dispatch",
)
TAGLINES = (
    "Focus on the big picture.",
    "News you can trust.",
    "Independent since 1887.",
    "All the news, every hour.",
    "Your city. Your stories.",
    "Read it first.",
)
SPELLINGS = (
    ("organisation", "organization"),
    ("organisations", "organizations"),
    ("organised", "organized"),
    ("colour", "color"),
    ("colours", "colors"),
    ("centre", "center"),
    ("centres", "centers"),
    ("defence", "defense"),
    ("offence", "offense"),
    ("licence", "license"),
    ("favour", "favor"),
    ("favourite", "favorite"),
    ("honour", "honor"),
    ("labour", "labor"),
    ("neighbour", "neighbor"),
    ("neighbours", "neighbors"),
    ("harbour", "harbor"),
    ("behaviour", "behavior"),
    ("rumours", "rumors"),
    ("analyse", "analyze"),
    ("analysed", "analyzed"),
    ("realise", "realize"),
    ("realised", "realized"),
    ("recognise", "recognize"),
    ("recognised", "recognized"),
    ("criticised", "criticized"),
    ("apologised", "apologized"),
    ("travelled", "traveled"),
    ("travelling", "traveling"),
    ("cancelled", "canceled"),
    ("modelling", "modeling"),
    ("fuelled", "fueled"),
    ("labelled", "labeled"),
    ("theatre", "theater"),
    ("programme", "program"),
    ("catalogue", "catalog"),
    ("jewellery", "jewelry"),
    ("grey", "gray"),
)
_SWAP = {a: b for a, b in SPELLINGS} | {b: a for a, b in SPELLINGS}
_SPELLING_WORD = re.compile(r"\b(" + "|".join(sorted(_SWAP, key=len, reverse=True)) + r")\b", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’]))\s+(?=[A-Z\"“])")
# Words a re-headline leaves out.
_STOP_WORDS = (
    "a an the of in on at to for and or but is are was were be been has have had it its "
    "that this with by from as he she they his her their who which said says will would"
)
_STOP = frozenset(_STOP_WORDS.split())
OPS = ("truncate", "headline", "chrome", "spelling", "typos", "paragraphs")


def _respell(rng: random.Random, paragraphs: list[str]) -> list[str]:
    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        if rng.random() < 0.2:
            return word
        other = _SWAP[word.lower()]
        return other.capitalize() if word[0].isupper() else other

    return [_SPELLING_WORD.sub(swap, p) for p in paragraphs]


def _typos(rng: random.Random, paragraphs: list[str], count: int) -> list[str]:
    """Drop one letter from ``count`` words, names (capitalised, mid-sentence) first."""
    out = list(paragraphs)
    for _ in range(count):
        words = [
            (i, m)
            for i, p in enumerate(out)
            for m in _WORD.finditer(p)
            if len(m.group(0)) >= 5 and m.group(0).isalpha()
        ]
        if not words:
            break
        names = [(i, m) for i, m in words if m.group(0)[0].isupper() and m.start() > 0]
        i, m = rng.choice(names if names and rng.random() < 0.7 else words)
        word = m.group(0)
        cut = rng.randrange(1, len(word) - 1)
        out[i] = out[i][: m.start()] + word[:cut] + word[cut + 1 :] + out[i][m.end() :]
    return out


def _reparagraph(rng: random.Random, paragraphs: list[str]) -> list[str]:
    """Join pairs of paragraphs, or split a long one at a sentence boundary."""
    splittable = [i for i, p in enumerate(paragraphs) if len(_SENTENCE_END.split(p)) >= 2]
    if splittable and (rng.random() < 0.5 or len(paragraphs) < 2):
        i = max(splittable, key=lambda k: len(paragraphs[k]))
        sentences = _SENTENCE_END.split(paragraphs[i])
        at = rng.randrange(1, len(sentences))
        return [
            *paragraphs[:i],
            " ".join(sentences[:at]),
            " ".join(sentences[at:]),
            *paragraphs[i + 1 :],
        ]
    out: list[str] = []
    i = 0
    while i < len(paragraphs):
        if i + 1 < len(paragraphs) and rng.random() < 0.5:
            out.append(f"{paragraphs[i]} {paragraphs[i + 1]}")
            i += 2
        else:
            out.append(paragraphs[i])
            i += 1
    return out


def _new_headline(rng: random.Random, title: str | None, paragraphs: Sequence[str]) -> str:
    """A re-headline: the old one reordered, or other words taken from the lede."""
    if title and rng.random() < 0.5:
        parts = [p for p in re.split(r"\s*(?::|;|,| - | – | — )\s*", title) if p]
        if len(parts) >= 2:
            return ", ".join(parts[1:] + parts[:1])
        words = title.split()
        if len(words) >= 4:
            k = rng.randrange(1, len(words))
            return " ".join(words[k:] + words[:k])
    lede = paragraphs[0] if paragraphs else (title or "News")
    words = [w for w in _WORD.findall(lede) if w.lower() not in _STOP]
    start = rng.randrange(0, max(1, min(4, len(words) - 5)))
    picked = words[start : start + rng.randint(5, 9)] or ["Latest", "News"]
    return " ".join(w[0].upper() + w[1:] for w in picked)


def _dateline(rng: random.Random) -> str:
    day = date(2005, 1, 1) + timedelta(days=rng.randrange(0, 9 * 365))
    style = rng.choice(("%A, %b %d, %Y", "%B %d, %Y", "%d %B %Y", "Updated %d/%m/%Y"))
    return day.strftime(style)


def make_copy(
    rng: random.Random,
    title: str | None,
    body: Sequence[str],
    other_headlines: Sequence[str],
) -> tuple[str, str, tuple[str, ...]]:
    """One republished copy: (file text, body text, the edits applied)."""
    ops = tuple(op for op in OPS if rng.random() < 0.5) or (rng.choice(OPS),)
    paragraphs = list(body)
    if "spelling" in ops:
        paragraphs = _respell(rng, paragraphs)
    if "typos" in ops:
        paragraphs = _typos(rng, paragraphs, rng.randint(1, 3))
    if "truncate" in ops:
        keep = max(1, math.ceil(len(paragraphs) * rng.uniform(0.4, 0.8)))
        paragraphs = paragraphs[:keep]
    if "paragraphs" in ops:
        paragraphs = _reparagraph(rng, paragraphs)
    headline = _new_headline(rng, title, body) if "headline" in ops else title
    separator = "\n" if "paragraphs" in ops and rng.random() < 0.3 else "\n\n"
    text = article_text(headline, paragraphs, separator)
    if "chrome" in ops:
        top = [rng.choice(OUTLETS), "", rng.choice(TAGLINES), _dateline(rng), ""]
        if headline:
            top += [headline, ""] + ([headline, ""] if rng.random() < 0.6 else [])
        related = rng.sample(list(other_headlines), min(len(other_headlines), rng.randint(10, 40)))
        bottom = ["", "Newsletter", "", "Related Articles", "", "0:00", "0:00", "Close"]
        text = (
            "\n".join(top)
            + "\n"
            + separator.join(paragraphs)
            + "\n"
            + "\n".join([*bottom, *related, "×"])
            + "\n"
        )
    return text, "\n".join(paragraphs), ops


def copy_body(row: Mapping[str, Any]) -> list[str]:
    """The paragraphs a republisher copies: the text without its headline and date lines."""
    paragraphs = lines(row["text"])
    title = (row.get("title") or "").strip()
    if title and title in paragraphs[:3]:
        paragraphs = paragraphs[paragraphs.index(title) + 1 :]
    while len(paragraphs) > 1 and looks_like_furniture(paragraphs[0]):
        paragraphs = paragraphs[1:]
    return paragraphs


def synthetic_docs(
    rows: Sequence[Mapping[str, Any]], seed: int, sample: int
) -> tuple[list[Doc], dict[tuple[str, str], float]]:
    """Sampled originals plus their copies, and the (original, copy) pairs with containment.

    Originals are articles with at least 3 paragraphs and 100 words after their headline.
    """
    rng = random.Random(seed)
    eligible = sorted(
        (r for r in rows if len(copy_body(r)) >= 3 and len(" ".join(copy_body(r)).split()) >= 100),
        key=lambda r: str(r["id"]),
    )
    chosen = sorted(rng.sample(eligible, min(sample, len(eligible))), key=lambda r: str(r["id"]))
    headlines = sorted(
        {(str(r["story_id"]), str(r["title"]).strip()) for r in rows if r.get("title")}
    )
    taken: set[str] = set()
    docs: list[Doc] = []
    pairs: dict[tuple[str, str], float] = {}
    for row in chosen:
        title, paragraphs = header_and_body(row)
        original = Doc(
            key=safe_stem(str(row["id"]), taken),
            label=str(row["story_id"]),
            text=article_text(title, paragraphs),
            origin=str(row["id"]),
            body="\n".join(copy_body(row)),
        )
        docs.append(original)
        others = [h for story, h in headlines if story != original.label]
        for n in range(1, rng.randint(1, 3) + 1):
            text, body, ops = make_copy(
                rng, (row.get("title") or "").strip() or None, copy_body(row), others
            )
            copy = Doc(
                key=safe_stem(f"copy-{original.key}-{n}", taken),
                label=original.label,
                text=text,
                origin=str(row["id"]),
                body=body,
                ops=ops,
            )
            docs.append(copy)
            pairs[original.key, copy.key] = containment(shingles(original.body), shingles(body))
    return docs, pairs


# ------------------------------------------------------------------------ the runs


def build_and_score(
    name: str,
    docs: Sequence[Doc],
    copies: Mapping[tuple[str, str], float],
    what_copies: str,
) -> Figures:
    with tempfile.TemporaryDirectory(prefix=f"digest-eval-{name}-") as tmp:
        work = Path(tmp)
        content = work / "content"
        content.mkdir()
        for doc in docs:
            (content / f"{doc.key}.txt").write_text(doc.text, encoding="utf-8")
        build = run_build(work, content)
    return score(name, docs, copies, build, what_copies)


def ideal(docs: Sequence[Doc], copies: Iterable[tuple[str, str]]) -> tuple[float, float, float]:
    """B-cubed of the partition that folds exactly the copy pairs (transitively)."""
    parent = {d.key: d.key for d in docs}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, b in copies:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return bcubed({d.key: find(d.key) for d in docs}, {d.key: d.label for d in docs})


def table(rows: Sequence[tuple[Figures, tuple[float, float, float]]]) -> str:
    head = (
        f"{'set':<10} {'articles':>8} {'built':>6} {'stories':>7} {'wrong pairs':>11} "
        f"{'copy pairs':>10} {'copy recall':>11} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} "
        f"{'ideal R':>7} {'build s':>7}"
    )
    out = [head, "-" * len(head)]
    for f, best in rows:
        wrong = f"{f.wrong_pairs} ({f.wrong_stories})"
        out.append(
            f"{f.name:<10} {f.articles:>8} {f.built:>6} {f.stories:>7} {wrong:>11} "
            f"{f.copy_pairs:>10} {f.copy_recall:>11.3f} {f.precision:>6.3f} {f.recall:>6.3f} "
            f"{f.f1:>6.3f} {best[1]:>7.3f} {f.seconds:>7.2f}"
        )
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    data_argument(parser)
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic copies")
    parser.add_argument(
        "--sample", type=int, default=150, help="originals to copy in the synthetic set"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help=f"exit 1 on any wrong merge or a copy recall under {TARGET_RECALL}",
    )
    args = parser.parse_args(argv)

    path = Path(args.data) / ARTICLES
    if not path.is_file():
        print(f"folding: {path}: no such file (pass the shared data folder)", file=sys.stderr)
        return 2
    rows = read_jsonl(path)

    real = real_docs(rows)
    real_copies = copy_pairs_of({d.key: d.body for d in real})
    label = {d.key: d.label for d in real}
    same = sum(1 for a, b in real_copies if label[a] == label[b])
    print(
        f"real: {len(real)} articles, {len({d.label for d in real})} story labels; "
        f"{len(real_copies)} copy pairs by 5-word shingle containment >= {COPY_CONTAINMENT} "
        f"({same} within one story)"
    )
    synthetic, synthetic_copies = synthetic_docs(rows, args.seed, args.sample)
    weak = sum(1 for c in synthetic_copies.values() if c < COPY_CONTAINMENT)
    print(
        f"synthetic (seed {args.seed}): {len(synthetic) - len(synthetic_copies)} originals + "
        f"{len(synthetic_copies)} copies; {weak} copy bodies under {COPY_CONTAINMENT} "
        "containment by the evaluation's own shingles"
    )

    results = []
    try:
        for name, docs, copies, what in (
            ("real", real, real_copies, "raw texts"),
            ("synthetic", synthetic, synthetic_copies, "bodies before chrome"),
        ):
            results.append((build_and_score(name, docs, copies, what), ideal(docs, copies)))
    except RuntimeError as exc:
        print(f"folding: {exc}", file=sys.stderr)
        return 2

    print()
    print(table(results))
    print(
        "wrong pairs: article pairs in one story with different story_id (stories affected); "
        "ideal R: B3 recall if exactly the copy pairs were folded"
    )
    for figures, _ in results:
        if figures.details:
            print(f"\n{figures.name}:")
            for line in figures.details:
                print(f"  {line}")

    failed = [f.name for f, _ in results if f.wrong_pairs > 0 or f.copy_recall < TARGET_RECALL]
    if args.check and failed:
        print(
            f"\ncheck failed on {', '.join(failed)}: targets are 0 wrong merges and copy recall "
            f">= {TARGET_RECALL}"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
