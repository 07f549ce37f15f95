"""`pip install .` gives a working digest: the wheel carries the default theme."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(
            f"could not build a wheel here (no build backend reachable?): {result.stderr[-300:]}"
        )
    return next(out.glob("digest-*.whl"))


def test_the_wheel_carries_every_template_and_static_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("templates", "static"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file():
                assert f"digest/{folder}/{path.relative_to(ROOT / folder).as_posix()}" in names


def test_the_wheel_has_the_console_script(wheel: Path) -> None:
    entry_points = next(
        n for n in zipfile.ZipFile(wheel).namelist() if n.endswith("entry_points.txt")
    )
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "digest = digest.cli:run" in text


def test_an_installed_digest_builds_a_site_from_any_folder(wheel: Path, tmp_path: Path) -> None:
    """Install the wheel (dependencies from this environment) into a fresh folder and build."""
    target = tmp_path / "site-packages"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    site = tmp_path / "elsewhere"
    (site / "content").mkdir(parents=True)
    (site / "content" / "a.md").write_text(
        "---\ntitle: Hello\n---\nA first article, long enough to build.\n"
    )
    env = {"PYTHONPATH": str(target), "SOURCE_DATE_EPOCH": "1752537600", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import digest.cli, sys; print(digest.__file__, file=sys.stderr); sys.exit(digest.cli.main(['build']))",
        ],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(str(target)), "the installed copy ran, not the checkout"
    assert (site / "public" / "index.html").read_text().count("Hello") >= 1
    assert (site / "public" / "static" / "style.css").is_file()
