"""The golden sites: content in, expected site out, compared byte for byte.

Each folder under tests/golden/ holds ``digest.toml``, ``content/`` and ``expected/``.
Regenerate on purpose with ``pytest tests/golden --update-golden`` (or ``make golden``)
and read the ``git diff`` of expected/ before committing it.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from digest.cli import main

HERE = Path(__file__).parent
CASES = sorted(p.name for p in HERE.iterdir() if (p / "content").is_dir())
EPOCH = "1752537600"  # 2025-07-15T00:00:00Z


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("case", CASES)
def test_golden_site(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    source = HERE / case
    site = tmp_path / "site"
    shutil.copytree(source, site, ignore=shutil.ignore_patterns("expected"))
    monkeypatch.chdir(site)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert main(["build"]) == 0
    built = _tree(site / "public")
    expected_dir = source / "expected"
    if request.config.getoption("--update-golden"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(site / "public", expected_dir)
    expected = _tree(expected_dir)
    assert sorted(built) == sorted(expected), "the set of files differs from the golden site"
    for name, data in expected.items():
        if built[name] != data:
            diff = difflib.unified_diff(
                data.decode("utf-8", "replace").splitlines(),
                built[name].decode("utf-8", "replace").splitlines(),
                f"expected/{name}",
                f"built/{name}",
                lineterm="",
            )
            pytest.fail(f"{name} differs from the golden site:\n" + "\n".join(list(diff)[:80]))
