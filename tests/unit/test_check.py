"""``digest.check``: the problems a build would meet, found without writing anything."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from digest.check import check
from digest.config import Config
from digest.errors import DigestError
from digest.model import Problem

ROOT = Path(__file__).resolve().parents[2]


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "tests" / "golden" / "basic" / "content", tmp_path / "content")
    return tmp_path


def test_good_content_has_no_problems_and_nothing_is_written(site: Path) -> None:
    before = _tree(site)
    assert check(Config(root=site)) == ()
    assert _tree(site) == before
    assert not (site / "public").exists()


def test_a_broken_file_is_its_problem(site: Path) -> None:
    (site / "content" / "broken.md").write_text("---\ntitle: [unclosed\n---\nBody.\n")
    (site / "content" / "empty.txt").write_bytes(b"")
    before = _tree(site)
    problems = check(Config(root=site))
    assert [(p.path, p.stage) for p in problems] == [("broken.md", "load"), ("empty.txt", "load")]
    assert "YAML" in problems[0].message
    assert _tree(site) == before
    assert not (site / "public").exists()


def test_a_broken_template_is_a_problem_naming_the_file(site: Path) -> None:
    (site / "templates").mkdir()
    (site / "templates" / "story.html").write_text('{% extends "!default/story.html" %}{% if %}')
    problems = check(Config(root=site))
    assert len(problems) == 1
    assert (problems[0].path, problems[0].stage) == ("templates/story.html", "render")
    assert problems[0].message.startswith("line 1: ")


def test_an_undefined_name_in_a_template_is_a_problem(site: Path) -> None:
    (site / "templates").mkdir()
    (site / "templates" / "404.html").write_text("<p>{{ no_such_name }}</p>\n")
    problems = check(Config(root=site))
    assert problems == (
        Problem("templates/404.html", "render", "line 1: 'no_such_name' is undefined"),
    )


def test_nothing_to_build_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "draft.md").write_text("---\ntitle: Later\ndraft: true\n---\nSoon.\n")
    problems = check(Config(root=tmp_path))
    assert [(p.path, p.stage) for p in problems] == [("content/", "build")]


def test_a_missing_content_folder_raises_as_build_does(tmp_path: Path) -> None:
    with pytest.raises(DigestError, match="expected a folder of articles"):
        check(Config(root=tmp_path))
