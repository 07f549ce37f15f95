"""Every feed of the built site, the site's own and each topic's, is valid.

Atom files validate against the RELAX NG schema of RFC 4287 kept in the shared folder
beside the project; RSS and Atom parse in feedparser without a complaint (``bozo == 0``);
the JSON Feed carries what version 1.1 requires, checked by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import etree

from digest.config import load_config

ROOT = Path(__file__).resolve().parents[2]
ATOM_RNG = ROOT.parent / "shared" / "schemas" / "atom.rng"
GOLDEN_TOML = ROOT / "tests" / "golden" / "basic" / "digest.toml"


def _feeds(site: Path, name: str) -> list[Path]:
    found = [site / name, *sorted(site.glob(f"topics/*/{name}"))]
    return [p for p in found if p.is_file()]


def _rel(path: Path, site: Path) -> str:
    return path.relative_to(site).as_posix()


def test_the_site_and_every_topic_have_feeds(built_site: Path) -> None:
    topics = sorted(p.parent for p in built_site.glob("topics/*/index.html"))
    assert topics, "the golden site has no topic pages"
    for folder in [built_site, *topics]:
        for name in ("rss.xml", "atom.xml"):
            assert (folder / name).is_file(), f"{_rel(folder / name, built_site)} is missing"
    assert (built_site / "feed.json").is_file()


def test_atom_feeds_validate_against_the_rfc_4287_schema(built_site: Path) -> None:
    if not ATOM_RNG.is_file():
        pytest.skip(f"{ATOM_RNG} is not here (it lives in the shared folder beside the project)")
    schema = etree.RelaxNG(etree.parse(str(ATOM_RNG)))
    failures = []
    for feed in _feeds(built_site, "atom.xml"):
        if not schema.validate(etree.parse(str(feed))):
            errors = "\n".join(
                f"    line {e.line}: {e.message}" for e in schema.error_log.filter_from_errors()
            )
            failures.append(f"{_rel(feed, built_site)}:\n{errors}")
    assert not failures, "Atom feeds that do not validate:\n" + "\n".join(failures)


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_feeds_parse_in_feedparser_without_complaint(built_site: Path, name: str) -> None:
    feeds = _feeds(built_site, name)
    assert feeds, f"no {name} in the built site"
    for feed in feeds:
        parsed = feedparser.parse(feed.read_bytes())
        assert parsed.bozo == 0, (_rel(feed, built_site), repr(parsed.get("bozo_exception")))
        assert parsed.version, f"{_rel(feed, built_site)}: feedparser did not recognise it"
        assert parsed.feed.get("title"), f"{_rel(feed, built_site)} has no title"
        assert parsed.entries, f"{_rel(feed, built_site)} has no entries"
        for entry in parsed.entries:
            assert entry.get("title") and entry.get("link"), (_rel(feed, built_site), entry)


def _check_json_feed(feed: dict[str, Any], base_url: str) -> list[str]:
    """What JSON Feed 1.1 (https://jsonfeed.org/version/1.1) requires, and is missing."""
    problems = []
    if feed.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append(f"version is {feed.get('version')!r}")
    if not isinstance(feed.get("title"), str) or not feed["title"]:
        problems.append("title is missing")
    for key in ("home_page_url", "feed_url"):
        if key in feed and not str(feed[key]).startswith(base_url):
            problems.append(f"{key} {feed[key]!r} is not under {base_url}")
    items = feed.get("items")
    if not isinstance(items, list) or not items:
        return [*problems, "items is missing or empty"]
    ids = [item.get("id") for item in items]
    if len(set(map(str, ids))) != len(ids):
        problems.append("item ids are not unique")
    for n, item in enumerate(items):
        where = f"items[{n}]"
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"{where}: id must be a non-empty string, is {item.get('id')!r}")
        if not any(isinstance(item.get(k), str) for k in ("content_html", "content_text")):
            problems.append(f"{where}: neither content_html nor content_text")
        if "url" in item and not str(item["url"]).startswith(base_url):
            problems.append(f"{where}: url {item['url']!r} is not under {base_url}")
        for key in ("date_published", "date_modified"):
            if key in item and "T" not in str(item[key]):
                problems.append(f"{where}: {key} {item[key]!r} is not RFC 3339")
        if "tags" in item and not all(isinstance(t, str) for t in item["tags"]):
            problems.append(f"{where}: tags must be strings")
    return problems


def test_json_feeds_carry_what_version_1_1_requires(built_site: Path) -> None:
    base_url = load_config(GOLDEN_TOML).base_url
    failures = []
    paths = _feeds(built_site, "feed.json")  # feedparser does not read JSON Feed
    assert paths, "no feed.json in the built site"
    for path in paths:
        feed = json.loads(path.read_text(encoding="utf-8"))
        failures += [f"{_rel(path, built_site)}: {p}" for p in _check_json_feed(feed, base_url)]
    assert not failures, "\n".join(failures)
