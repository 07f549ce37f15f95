"""``build(config, now)``: the whole job, top to bottom, as the design picture draws it.

content/ → load → clean → sentences → group_stories → summarize → render + feeds → publish

Heavy modules (numpy, Jinja, feedgen, trafilatura, the Markdown renderer) are imported
only when there is work for them, so that a rebuild where nothing changed stays fast.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import digest
from digest.cache import CACHE_FOLDER, Cache, key
from digest.config import Config
from digest.errors import DigestError
from digest.identity import IDENTITY_FILE, Identities
from digest.model import Article, BuildReport, Merge, Problem, Story

if TYPE_CHECKING:
    from digest.dedup import Fingerprint, Vocabulary
    from digest.load import Loaded
    from digest.render import PageMemo

PARALLEL_MIN = 500
"""New files below this count are parsed in this process; above it, on every core."""


class NothingToBuild(DigestError):
    """The content folder holds no article that could be built."""


class StrictFailure(DigestError):
    """``--strict`` and there were problems: the previous site is left as it was."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) under --strict; the site was not written")


@dataclass(frozen=True, slots=True)
class Site:
    """What a build made, before it is written: stories, files, problems, merges."""

    articles: tuple[Article, ...]
    stories: tuple[Story, ...]
    files: dict[PurePosixPath, bytes]
    problems: tuple[Problem, ...]
    merges: tuple[Merge, ...]
    carried: frozenset[PurePosixPath] = frozenset()
    page_keys: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Prepared:
    """A content file after loading: its articles (with sentences) and their fingerprints."""

    loaded: Loaded
    fingerprints: Mapping[str, tuple[bytes, int]]


def discover(content: Path, exclude: Path | None = None) -> Iterator[tuple[Path, str]]:
    """Every content file under ``content`` as (path, path relative to it), sorted."""
    from digest.load import is_content_file

    if not content.is_dir():
        found = "a file" if content.exists() else "nothing"
        raise DigestError(f"{content}: expected a folder of articles, found {found}")
    skip = exclude.resolve() if exclude is not None else None
    for root, dirs, names in os.walk(content):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith((".", "_")) and (skip is None or Path(root, d).resolve() != skip)
        )
        for name in sorted(names):
            path = Path(root, name)
            rel = path.relative_to(content).as_posix()
            if is_content_file(PurePosixPath(rel)):
                yield path, rel


def read_inputs(config: Config) -> list[tuple[str, bytes | str]]:
    """Every content file's bytes by relative path, or the reason it could not be read."""
    inputs: list[tuple[str, bytes | str]] = []
    for path, rel in discover(config.content_dir, exclude=config.output_dir):
        try:
            inputs.append((rel, path.read_bytes()))
        except OSError as exc:
            inputs.append((rel, f"could not read the file: {exc.strerror}"))
    return inputs


def prepare(
    rel: str,
    data: bytes,
    timezone: str,
    sentences: int,
    max_words: int,
    vocabulary: Vocabulary | None = None,
) -> Prepared:
    """Load one file, split its sentences, summarize and fingerprint its articles (pure;
    a ``vocabulary`` shared between calls only saves work)."""
    from dataclasses import replace

    from digest.dedup import Vocabulary, fingerprint
    from digest.load import Loaded, LoadSettings, load_bytes
    from digest.summarize import lead_summary, with_sentences

    loaded = load_bytes(data, rel, LoadSettings(timezone=ZoneInfo(timezone)))
    articles = tuple(with_sentences(a) for a in loaded.articles)
    articles = tuple(replace(a, summary=lead_summary(a, sentences, max_words)) for a in articles)
    loaded = Loaded(loaded.path, articles, loaded.problems, loaded.updated)
    vocabulary = vocabulary or Vocabulary()
    prints = {a.id: fingerprint(a.paragraphs, vocabulary) for a in articles}
    return Prepared(loaded, {i: (f.shingles.tobytes(), f.words) for i, f in prints.items()})


def _prepare_many(jobs: list[tuple[str, bytes, str, int, int]]) -> list[Prepared]:
    from digest.dedup import Vocabulary

    vocabulary = Vocabulary()
    return [prepare(*job, vocabulary) for job in jobs]


def load_all(
    config: Config,
    inputs: list[tuple[str, bytes | str]],
    cache: Cache,
    file_keys: Mapping[str, str] | None = None,
) -> list[Prepared]:
    """Every file loaded: from the cache where its bytes were seen before, else parsed
    (on every core when many files are new). Unreadable files become problems."""
    from digest.load import Loaded

    shape = (config.timezone, config.summary_sentences, config.summary_max_words)
    settings = key(digest.__version__, repr(shape))
    file_keys = file_keys or content_keys(inputs)
    keys = {rel: key(settings, file_keys[rel]) for rel, data in inputs if isinstance(data, bytes)}
    cached: dict[str, Any] = cache.loaded(keys.values())
    jobs = [
        (rel, data, *shape)
        for rel, data in inputs
        if isinstance(data, bytes) and keys[rel] not in cached
    ]
    fresh: dict[str, Prepared] = {}
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) >= PARALLEL_MIN and workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        chunks = [jobs[i::workers] for i in range(workers)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for chunk, results in zip(chunks, pool.map(_prepare_many, chunks), strict=True):
                fresh.update({job[0]: result for job, result in zip(chunk, results, strict=True)})
    else:
        fresh = dict(zip((job[0] for job in jobs), _prepare_many(jobs), strict=True))
    cache.store_loaded({keys[rel]: prepared for rel, prepared in fresh.items()})
    cache.forget_loaded_except(keys.values())
    out: list[Prepared] = []
    for rel, data in inputs:
        if isinstance(data, str):
            out.append(Prepared(Loaded(rel, problems=(Problem(rel, "read", data),)), {}))
        else:
            out.append(fresh.get(rel) or cached[keys[rel]])
    return out


def read_all(config: Config) -> list[Loaded]:
    """Load every content file without a cache; an unreadable file becomes a problem."""
    from digest.load import Loaded, LoadSettings, load_bytes

    settings = LoadSettings(timezone=ZoneInfo(config.timezone))
    loaded = []
    for rel, data in read_inputs(config):
        if isinstance(data, str):
            loaded.append(Loaded(rel, problems=(Problem(rel, "read", data),)))
        else:
            loaded.append(load_bytes(data, rel, settings))
    return loaded


def previous_identities(config: Config) -> Identities:
    """The ids and folders the published site gave its stories (none before a first build)."""
    try:
        return Identities.from_json((config.output_dir / IDENTITY_FILE).read_bytes())
    except OSError:
        return Identities()


def current_articles(loaded: list[Loaded]) -> list[Article]:
    """Every article, with an entry that several feed snapshots carry kept once, its
    newest version winning (see ``digest.load.feed.newest_versions``)."""
    from digest.load.feed import FeedEntry, newest_versions

    single = [a for item in loaded if not item.updated for a in item.articles]
    entries = [
        FeedEntry(article, updated)
        for item in loaded
        if item.updated
        for article, updated in zip(item.articles, item.updated, strict=True)
    ]
    return single + list(newest_versions(entries))


def make_site(
    config: Config,
    loaded: list[Loaded],
    now: datetime,
    previous: Identities,
    fingerprints: Mapping[str, Fingerprint] | None = None,
    memo: PageMemo | None = None,
) -> Site:
    """Everything between loading and writing: pure, given the loaded files, the time and
    the identities the previous site gave its stories (and, optionally, fingerprints)."""
    from digest import feeds
    from digest.dedup import group_stories
    from digest.identity import keep_identities
    from digest.render import Renderer, static_files
    from digest.sections import make_sections
    from digest.summarize import summarize, with_sentences

    problems = tuple(p for item in loaded for p in item.problems)
    articles = tuple(
        a if a.sentences or not a.blocks else with_sentences(a)
        for a in current_articles(loaded)
        if not a.draft
    )
    tz = ZoneInfo(config.timezone)
    stories, merges = group_stories(articles, config.fold_threshold, now, tz, fingerprints)
    stories, identities = keep_identities(stories, previous)
    stories = tuple(
        summarize(s, config.summary_sentences, config.summary_max_words) for s in stories
    )

    sections = make_sections(stories, config.front_page_stories)

    renderer = Renderer(config, now, memo)
    files = renderer.pages(stories, sections)
    files[PurePosixPath("rss.xml")] = feeds.rss(config, stories, now)
    files[PurePosixPath("atom.xml")] = feeds.atom(config, stories, now)
    for folder, (name, in_topic) in sections.topic_stories().items():
        place = feeds.FeedPlace(str(folder), name)
        files[folder / "rss.xml"] = feeds.rss(config, in_topic, now, place)
        files[folder / "atom.xml"] = feeds.atom(config, in_topic, now, place)
    files[PurePosixPath("feed.json")] = feeds.json_feed(config, stories)
    files[PurePosixPath("stories.json")] = feeds.stories_json(config, stories)
    listing_folders = [str(x.folder) for x in sections.listings if str(x.folder) != "."]
    index_folders = ["topics", "outlets", "archive"]
    files[PurePosixPath("sitemap.xml")] = feeds.sitemap(
        config, stories, now, index_folders + listing_folders
    )
    files[PurePosixPath("news-sitemap.xml")] = feeds.news_sitemap(config, stories, now)
    files[PurePosixPath("robots.txt")] = feeds.robots(config)
    files[PurePosixPath(IDENTITY_FILE)] = identities.to_json()
    files.update(static_files(config.root / "static"))
    return Site(
        articles, stories, files, problems, merges, frozenset(renderer.carried), renderer.page_keys
    )


def theme_signature(config: Config) -> str:
    """A key over every template and static file the build may read, default and site's."""
    from digest.theme import theme_dir

    parts: list[bytes | str] = []
    for folder in (
        theme_dir("templates"),
        theme_dir("static"),
        config.root / "templates",
        config.root / "static",
    ):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    parts += [str(path.relative_to(folder)), path.read_bytes()]
        parts.append("|")
    return key(*parts)


def content_keys(inputs: list[tuple[str, bytes | str]]) -> dict[str, str]:
    """Each content file's key: its path and bytes (or the reason it could not be read)."""
    return {rel: key(rel, data) for rel, data in inputs}


def inputs_signature(
    config: Config, file_keys: Mapping[str, str], theme: str, now: datetime
) -> str:
    """Everything a build's output depends on: the digest version, the configuration,
    the theme, every content file, and the build time to the hour (the news sitemap is a
    two-day window, accurate to the hour)."""
    hour = now.replace(minute=0, second=0, microsecond=0).isoformat()
    content = [f"{rel}={k}" for rel, k in file_keys.items()]
    return key(digest.__version__, repr(config), theme, hour, *content)


def _report_bytes(report: BuildReport) -> bytes:
    import pickle

    return pickle.dumps(report)


def _unchanged(config: Config, cache: Cache, signature: str) -> BuildReport | None:
    """The last report, when nothing the output depends on changed and the site is whole."""
    import pickle

    from digest.publish import MARKER

    if cache.get_meta("signature") != signature.encode():
        return None
    out = config.output_dir
    if not (out / MARKER).is_file() or not (out / IDENTITY_FILE).is_file():
        return None
    blob = cache.get_meta("report")
    try:
        report = pickle.loads(blob) if blob else None
    except Exception:
        return None
    return report if isinstance(report, BuildReport) else None


def build(config: Config, now: datetime, strict: bool = False) -> BuildReport:
    """Build the site described by ``config``; ``now`` is the build time (an input).

    Raises NothingToBuild when no article could be read, StrictFailure under ``strict``
    when any file had a problem; in both cases the previous site is left as it was.
    """
    cache = Cache(config.root / CACHE_FOLDER)
    try:
        inputs = read_inputs(config)
        file_keys = content_keys(inputs)
        theme = theme_signature(config)
        signature = inputs_signature(config, file_keys, theme, now)
        unchanged = _unchanged(config, cache, signature)
        if unchanged is not None:
            if strict and unchanged.problems:
                raise StrictFailure(unchanged.problems)
            return unchanged

        prepared = load_all(config, inputs, cache, file_keys)
        loaded = [p.loaded for p in prepared]
        fingerprints = _fingerprints(prepared)
        identities = previous_identities(config)
        memo = _page_memo(config, file_keys, theme, cache)
        site = make_site(config, loaded, now, identities, fingerprints, memo)
        if strict and site.problems:
            raise StrictFailure(site.problems)
        if not site.articles:
            raise NothingToBuild(
                f"{config.content_dir}: no article could be built from this folder"
            )
        from digest.publish import CarryError, publish

        try:
            count, hashes = publish(site.files, config.output_dir, cache.outputs(), site.carried)
        except CarryError:  # the previous site changed under us: render every page
            site = make_site(config, loaded, now, identities, fingerprints, None)
            count, hashes = publish(site.files, config.output_dir, cache.outputs())
        report = BuildReport(
            articles=len(site.articles),
            stories=len(site.stories),
            problems=site.problems,
            files=count,
            merges=site.merges,
        )
        cache.store_outputs(hashes)
        cache.set_meta("pages", json.dumps(site.page_keys or {}).encode())
        cache.set_meta("report", _report_bytes(report))
        cache.set_meta("signature", signature.encode())
        return report
    finally:
        cache.close()


def _page_memo(config: Config, file_keys: Mapping[str, str], theme: str, cache: Cache) -> PageMemo:
    """What the renderer needs to keep unchanged pages of the site now published."""
    from digest.render import PageMemo

    try:
        previous = json.loads(cache.get_meta("pages") or b"{}")
    except ValueError:
        previous = {}
    out = config.output_dir
    reusable = frozenset(
        path for path in cache.outputs() if path in previous and out.joinpath(path).is_file()
    )
    shape = (config.timezone, config.summary_sentences, config.summary_max_words)
    signature = key(digest.__version__, repr(config), repr(shape), theme)
    return PageMemo(signature, file_keys, previous, reusable)


def _fingerprints(prepared: list[Prepared]) -> dict[str, Fingerprint]:
    import numpy as np

    from digest.dedup import Fingerprint

    return {
        article_id: Fingerprint(np.frombuffer(shingles, dtype=np.uint64), words)
        for p in prepared
        for article_id, (shingles, words) in p.fingerprints.items()
    }
