"""The documentation is complete: every command, option and configuration key is
documented, and the generated references match the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.config import CONFIG_KEYS
from digest.reference import cli_markdown, cli_options, configuration_markdown

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_readme_shows_the_two_commands_first() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert "make site" in first_block and "make test" in first_block


def test_configuration_reference_is_up_to_date() -> None:
    assert (ROOT / "docs" / "configuration.md").read_text() == configuration_markdown(), (
        "docs/configuration.md is stale: run python -m digest.reference"
    )


def test_cli_reference_is_up_to_date() -> None:
    assert (ROOT / "docs" / "cli.md").read_text() == cli_markdown(), (
        "docs/cli.md is stale: run python -m digest.reference"
    )


@pytest.mark.parametrize("key", CONFIG_KEYS)
def test_every_config_key_is_documented(key: str) -> None:
    assert f"| `{key}` |" in configuration_markdown()


@pytest.mark.parametrize("command", sorted(cli_options()))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"`digest {command}" in README


@pytest.mark.parametrize(
    ("command", "option"), [(c, o) for c, options in sorted(cli_options().items()) for o in options]
)
def test_every_option_is_documented(command: str, option: str) -> None:
    cli = (ROOT / "docs" / "cli.md").read_text()
    section = cli.split(f"## digest {command}\n", 1)[1].split("\n## ", 1)[0]
    assert option in section
