"""``digest.scaffold``: a new site is complete, documented, and builds as it is."""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from digest.build import build
from digest.config import CONFIG_KEYS, Config, load_config
from digest.errors import DigestError
from digest.scaffold import config_toml, new_site, next_steps

NOW = datetime(2025, 7, 15, 6, 0, tzinfo=UTC)


def test_new_site_writes_config_article_and_notes(tmp_path: Path) -> None:
    site = tmp_path / "morning-brief"
    written = new_site(site, today=date(2025, 7, 14))
    names = sorted(p.relative_to(site).as_posix() for p in written)
    assert names == [
        "content/2025-07-14-welcome.md",
        "digest.toml",
        "static/README.md",
        "templates/README.md",
    ]
    assert all(p.is_file() for p in written)
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()) == names
    article = (site / "content" / "2025-07-14-welcome.md").read_text(encoding="utf-8")
    front = article.split("---\n")[1]
    for key in ("title:", "date: 2025-07-14", "source:", "url:", "tags:"):
        assert key in front
    body = article.split("---\n", 2)[2].strip()
    assert len(body.split("\n\n")) == 3
    assert '{% extends "!default/base.html" %}' in (site / "templates" / "README.md").read_text()


def test_title_is_given_or_made_from_the_folder(tmp_path: Path) -> None:
    new_site(tmp_path / "morning-brief")
    assert load_config(tmp_path / "morning-brief" / "digest.toml").title == "Morning Brief"
    new_site(tmp_path / "b", title='The "Evening" Wire\\ café')
    assert load_config(tmp_path / "b" / "digest.toml").title == 'The "Evening" Wire\\ café'


def test_the_generated_site_builds(tmp_path: Path) -> None:
    site = tmp_path / "site"
    new_site(site, title="Harbour Notes")
    config = load_config(site / "digest.toml")
    assert config.title == "Harbour Notes"
    assert config.base_url == "http://localhost:8000/"
    report = build(config, NOW)
    assert (report.articles, report.stories, report.problems) == (1, 1, ())
    front = (site / "public" / "index.html").read_text(encoding="utf-8")
    assert "Welcome to Harbour Notes" in front
    assert (site / "public" / "rss.xml").is_file()


def test_the_templates_note_example_works(tmp_path: Path) -> None:
    """The README's override, copied into templates/base.html, builds and shows."""
    site = tmp_path / "site"
    new_site(site)
    note = (site / "templates" / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```jinja\n(.*?)```", note, re.S)
    assert example is not None
    (site / "templates" / "base.html").write_text(example.group(1), encoding="utf-8")
    build(load_config(site / "digest.toml"), NOW)
    assert "static/site.css" in (site / "public" / "index.html").read_text(encoding="utf-8")


def test_every_config_key_is_documented_with_its_default() -> None:
    text = config_toml("T")
    docs = {f.name: f.metadata["doc"] for f in fields(Config)}
    for key in CONFIG_KEYS:
        assert re.search(rf"^(# )?{key} = |^# \[\[{key}\]\]$", text, re.M), key
        first_words = " ".join(docs[key].split()[:4])
        assert first_words in " ".join(text.replace("# ", " ").split()), key
    # Uncommenting every `# key = value` line gives the defaults back.
    uncommented = "\n".join(
        line[2:] if re.match(r"# \w+ = ", line) else line
        for line in text.split("# [[feeds]]")[0].splitlines()
    )
    values = tomllib.loads(uncommented)
    defaults = Config()
    for key in CONFIG_KEYS:
        if key not in ("feeds", "title"):
            assert values[key] == getattr(defaults, key), key
    assert set(values) == set(CONFIG_KEYS) - {"feeds"}
    # ... and uncommenting the feeds example gives a valid [[feeds]] table.
    feeds = text.split("# [[feeds]]")[1]
    example = "[[feeds]]" + "".join(line.removeprefix("#") + "\n" for line in feeds.splitlines())
    assert tomllib.loads(example)["feeds"][0]["url"].startswith("https://")


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(DigestError, match="not empty"):
        new_site(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(DigestError, match="found a file"):
        new_site(tmp_path / "file")


def test_an_empty_folder_is_fine_and_a_blank_title_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert new_site(tmp_path / "empty")
    with pytest.raises(DigestError, match="title"):
        new_site(tmp_path / "other", title=" \n ")
    assert not (tmp_path / "other").exists()


def test_next_steps_names_the_folder_and_commands() -> None:
    steps = next_steps(Path("sites/morning brief"))
    assert steps.splitlines()[0] == "cd 'sites/morning brief'"
    assert "digest build" in steps and "digest serve" in steps
