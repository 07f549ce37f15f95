"""``build(config, now)``: the whole job, top to bottom, as the design picture draws it.

content/ → load → clean → sentences → group_stories → summarize → render + feeds → publish
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

from digest import feeds
from digest.config import Config
from digest.dedup import group_stories
from digest.errors import DigestError
from digest.identity import IDENTITY_FILE, Identities, keep_identities
from digest.load import Loaded, LoadSettings, is_content_file, load_bytes
from digest.model import Article, BuildReport, Merge, Problem, Story
from digest.publish import publish
from digest.render import Renderer, static_files
from digest.sections import make_sections
from digest.summarize import summarize, with_sentences


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


def discover(content: Path, exclude: Path | None = None) -> Iterator[tuple[Path, str]]:
    """Every content file under ``content`` as (path, path relative to it), sorted."""
    if not content.is_dir():
        raise DigestError(
            f"{content}: expected a folder of articles, found {'a file' if content.exists() else 'nothing'}"
        )
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


def read_all(config: Config) -> list[Loaded]:
    """Load every content file; an unreadable file becomes a problem, never an exception."""
    settings = LoadSettings(timezone=ZoneInfo(config.timezone))
    loaded = []
    for path, rel in discover(config.content_dir, exclude=config.output_dir):
        try:
            data = path.read_bytes()
        except OSError as exc:
            loaded.append(
                Loaded(
                    rel,
                    problems=(Problem(rel, "read", f"could not read the file: {exc.strerror}"),),
                )
            )
            continue
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


def make_site(config: Config, loaded: list[Loaded], now: datetime, previous: Identities) -> Site:
    """Everything between loading and writing: pure, given the loaded files, the time and
    the identities the previous site gave its stories."""
    problems = tuple(p for item in loaded for p in item.problems)
    articles = tuple(with_sentences(a) for a in current_articles(loaded) if not a.draft)
    stories, merges = group_stories(articles, config.fold_threshold, now, ZoneInfo(config.timezone))
    stories, identities = keep_identities(stories, previous)
    stories = tuple(
        summarize(s, config.summary_sentences, config.summary_max_words) for s in stories
    )

    sections = make_sections(stories, config.front_page_stories)

    renderer = Renderer(config, now)
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
    return Site(articles, stories, files, problems, merges)


def build(config: Config, now: datetime, strict: bool = False) -> BuildReport:
    """Build the site described by ``config``; ``now`` is the build time (an input).

    Raises NothingToBuild when no article could be read, StrictFailure under ``strict``
    when any file had a problem; in both cases the previous site is left as it was.
    """
    loaded = read_all(config)
    site = make_site(config, loaded, now, previous_identities(config))
    if strict and site.problems:
        raise StrictFailure(site.problems)
    if not site.articles:
        raise NothingToBuild(f"{config.content_dir}: no article could be built from this folder")
    count = publish(site.files, config.output_dir)
    return BuildReport(
        articles=len(site.articles),
        stories=len(site.stories),
        problems=site.problems,
        files=count,
        merges=site.merges,
    )
