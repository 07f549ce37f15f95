"""The configuration: defaults, every key, every kind of error, all reported at once."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from digest.config import CONFIG_KEYS, Config, config_reference, load_config, parse_config
from digest.errors import ConfigError, DigestError

CORE_KEYS = (
    "title",
    "description",
    "base_url",
    "language",
    "timezone",
    "content",
    "output",
    "summary_sentences",
    "summary_max_words",
    "fold_threshold",
    "feed_items",
    "front_page_stories",
)
# The unknown-key message lists every key in declaration order (more keys may be added).
KNOWN = ", ".join(CONFIG_KEYS)


def errors_of(data: dict[str, Any]) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert caught.value.source == "digest.toml"
    return caught.value.errors


# --- defaults and valid values --------------------------------------------------------------


def test_defaults() -> None:
    config = parse_config({})
    assert config == Config()
    assert (
        config.title,
        config.description,
        config.base_url,
        config.language,
        config.timezone,
        config.content,
        config.output,
        config.summary_sentences,
        config.summary_max_words,
        config.fold_threshold,
        config.feed_items,
        config.front_page_stories,
        config.root,
    ) == (
        "Digest",
        "Each story once, with every outlet that carried it.",
        "http://localhost:8000/",
        "en",
        "UTC",
        "content",
        "public",
        3,
        120,
        0.5,
        50,
        30,
        Path("."),
    )


def test_keys_are_every_field_but_root() -> None:
    assert tuple(f.name for f in fields(Config) if f.name != "root") == CONFIG_KEYS
    assert CONFIG_KEYS[: len(CORE_KEYS)] == CORE_KEYS
    assert "root" not in CONFIG_KEYS
    assert [row[0] for row in config_reference()] == list(CONFIG_KEYS)
    assert all(row[3] for row in config_reference())  # every key is documented


def test_config_reference_rows() -> None:
    rows = {name: (kind, default) for name, kind, default, _ in config_reference()}
    assert rows["title"] == ("str", "Digest")
    assert rows["summary_sentences"] == ("int", 3)
    assert rows["fold_threshold"] == ("float", 0.5)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("title", "Morning Brief"),
        ("description", ""),
        ("description", "Every story, once."),
        ("base_url", "https://news.example.org/"),
        ("base_url", "https://news.example.org/digest"),
        ("base_url", "http://localhost:8080/x/"),
        ("language", "en-GB"),
        ("timezone", "Europe/London"),
        ("timezone", "America/New_York"),
        ("timezone", "UTC"),
        ("content", "articles"),
        ("output", "site/public"),
        ("summary_sentences", 1),
        ("summary_sentences", 10),
        ("summary_max_words", 10),
        ("summary_max_words", 400),
        ("fold_threshold", 0.05),
        ("fold_threshold", 1.0),
        ("fold_threshold", 0.75),
        ("feed_items", 1),
        ("feed_items", 10000),
        ("front_page_stories", 1),
        ("front_page_stories", 10000),
    ],
)
def test_every_key_accepts_a_valid_value(key: str, value: Any) -> None:
    config = parse_config({key: value})
    assert getattr(config, key) == value
    assert type(getattr(config, key)) is type(value)


def test_an_integer_threshold_is_a_float() -> None:
    config = parse_config({"fold_threshold": 1})
    assert config.fold_threshold == 1.0
    assert type(config.fold_threshold) is float


def test_site_url_always_ends_in_a_slash() -> None:
    assert parse_config({"base_url": "https://news.example.org/d"}).site_url == (
        "https://news.example.org/d/"
    )
    assert parse_config({"base_url": "https://news.example.org/"}).site_url == (
        "https://news.example.org/"
    )


def test_folders_are_relative_to_the_root() -> None:
    config = parse_config({"content": "in", "output": "out"}, root=Path("/srv/site"))
    assert config.content_dir == Path("/srv/site/in")
    assert config.output_dir == Path("/srv/site/out")


# --- one error each -------------------------------------------------------------------------

URL_HINT = "expected an absolute http(s) URL such as 'https://news.example.org/'"
TZ_HINT = "expected an IANA time zone such as 'Europe/London'"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": 3}, "title: expected str, found int 3"),
        ({"title": ""}, "title: expected a non-empty string, found an empty one"),
        ({"title": "   "}, "title: expected a non-empty string, found an empty one"),
        ({"description": ["a"]}, "description: expected str, found list ['a']"),
        ({"base_url": 5}, "base_url: expected str, found int 5"),
        ({"base_url": "ftp://x.example/"}, f"base_url: {URL_HINT}, found 'ftp://x.example/'"),
        ({"base_url": "news.example.org"}, f"base_url: {URL_HINT}, found 'news.example.org'"),
        ({"base_url": "https:///path"}, f"base_url: {URL_HINT}, found 'https:///path'"),
        ({"base_url": "/digest/"}, f"base_url: {URL_HINT}, found '/digest/'"),
        ({"language": ""}, "language: expected a non-empty string, found an empty one"),
        ({"timezone": "Mars/Olympus"}, f"timezone: {TZ_HINT}, found 'Mars/Olympus'"),
        ({"timezone": ""}, f"timezone: {TZ_HINT}, found ''"),
        ({"timezone": "utc"}, f"timezone: {TZ_HINT}, found 'utc'"),
        ({"timezone": "Europe/London "}, f"timezone: {TZ_HINT}, found 'Europe/London '"),
        ({"timezone": "../../etc/passwd"}, f"timezone: {TZ_HINT}, found '../../etc/passwd'"),
        ({"timezone": 1}, "timezone: expected str, found int 1"),
        ({"content": ""}, "content: expected a non-empty string, found an empty one"),
        ({"output": "  "}, "output: expected a non-empty string, found an empty one"),
        (
            {"summary_sentences": 0},
            "summary_sentences: expected a whole number from 1 to 10, found 0",
        ),
        (
            {"summary_sentences": 11},
            "summary_sentences: expected a whole number from 1 to 10, found 11",
        ),
        ({"summary_sentences": 2.0}, "summary_sentences: expected int, found float 2.0"),
        ({"summary_sentences": "3"}, "summary_sentences: expected int, found str '3'"),
        ({"summary_sentences": True}, "summary_sentences: expected int, found bool True"),
        (
            {"summary_max_words": 9},
            "summary_max_words: expected a whole number from 10 to 400, found 9",
        ),
        (
            {"summary_max_words": 401},
            "summary_max_words: expected a whole number from 10 to 400, found 401",
        ),
        ({"fold_threshold": 1.5}, "fold_threshold: expected a number from 0.05 to 1.0, found 1.5"),
        (
            {"fold_threshold": 0.01},
            "fold_threshold: expected a number from 0.05 to 1.0, found 0.01",
        ),
        ({"fold_threshold": 0}, "fold_threshold: expected a number from 0.05 to 1.0, found 0"),
        (
            {"fold_threshold": float("nan")},
            "fold_threshold: expected a number from 0.05 to 1.0, found nan",
        ),
        ({"fold_threshold": False}, "fold_threshold: expected float, found bool False"),
        ({"feed_items": 0}, "feed_items: expected a whole number from 1 to 10000, found 0"),
        ({"feed_items": 10001}, "feed_items: expected a whole number from 1 to 10000, found 10001"),
        (
            {"front_page_stories": -1},
            "front_page_stories: expected a whole number from 1 to 10000, found -1",
        ),
        ({"titel": "x"}, f"titel: unknown key; expected one of {KNOWN}"),
        ({"root": "x"}, f"root: unknown key; expected one of {KNOWN}"),
        ({"site": {"title": "x"}}, f"site: unknown key; expected one of {KNOWN}"),
    ],
)
def test_one_error(data: dict[str, Any], message: str) -> None:
    assert errors_of(data) == (message,)


def test_several_errors_are_reported_at_once_in_key_order_then_unknown_keys() -> None:
    data = {
        "zzz": 1,
        "feed_items": True,
        "title": 3,
        "titel": "x",
        "timezone": "Mars/Olympus",
        "base_url": "ftp://x",
        "summary_sentences": 0,
        "summary_max_words": 401,
        "fold_threshold": 1.5,
        "language": "",
        "description": 5,
    }
    assert errors_of(data) == (
        "title: expected str, found int 3",
        "description: expected str, found int 5",
        f"base_url: {URL_HINT}, found 'ftp://x'",
        "language: expected a non-empty string, found an empty one",
        f"timezone: {TZ_HINT}, found 'Mars/Olympus'",
        "summary_sentences: expected a whole number from 1 to 10, found 0",
        "summary_max_words: expected a whole number from 10 to 400, found 401",
        "fold_threshold: expected a number from 0.05 to 1.0, found 1.5",
        "feed_items: expected int, found bool True",
        f"titel: unknown key; expected one of {KNOWN}",
        f"zzz: unknown key; expected one of {KNOWN}",
    )


def test_config_error_message_has_one_line_per_error() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"title": "", "feed_items": 0}, source="site/digest.toml")
    assert str(caught.value) == (
        "site/digest.toml: title: expected a non-empty string, found an empty one\n"
        "site/digest.toml: feed_items: expected a whole number from 1 to 10000, found 0"
    )
    assert isinstance(caught.value, DigestError)


# --- load_config: the file ------------------------------------------------------------------


def test_load_config_reads_the_file_and_roots_paths_at_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text(
        'title = "Morning Brief"\nbase_url = "https://news.example.org/"\n'
        'timezone = "Europe/London"\nfold_threshold = 1\ncontent = "articles"\n',
        encoding="utf-8",
    )
    config = load_config(path)
    assert (config.title, config.base_url, config.timezone, config.fold_threshold) == (
        "Morning Brief",
        "https://news.example.org/",
        "Europe/London",
        1.0,
    )
    assert config.root == tmp_path
    assert config.content_dir == tmp_path / "articles"
    assert config.output_dir == tmp_path / "public"


def test_overrides_win_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text('output = "public"\ntitle = "File"\n', encoding="utf-8")
    config = load_config(path, {"output": "elsewhere"})
    assert (config.title, config.output) == ("File", "elsewhere")


def test_bad_overrides_are_reported_with_the_file_errors(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text("feed_items = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, {"content": ""})
    assert caught.value.source == str(path)
    assert caught.value.errors == (
        "content: expected a non-empty string, found an empty one",
        "feed_items: expected a whole number from 1 to 10000, found 0",
    )


def test_no_file_means_defaults_in_the_working_folder() -> None:
    assert load_config(None) == Config()
    assert load_config(None, {"title": "X"}).title == "X"


def test_errors_without_a_file_name_the_defaults() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(None, {"feed_items": 0})
    assert caught.value.source == "defaults"


def test_errors_in_a_file_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text('title = "T"\nfold_threshold = 2\n[site]\nx = 1\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"{path}: fold_threshold: expected a number from 0.05 to 1.0, found 2\n"
        f"{path}: site: unknown key; expected one of {KNOWN}"
    )


def test_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text('title = "Morning\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.source == str(path)
    assert caught.value.errors == (
        "expected valid TOML: Illegal character '\\n' (at line 1, column 17)",
    )


def test_duplicate_key_is_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text('title = "A"\ntitle = "B"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    (message,) = caught.value.errors
    assert message.startswith("expected valid TOML: ")
    assert "line 2" in message


def test_file_not_in_utf8(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_bytes('title = "Café"\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    (message,) = caught.value.errors
    assert message.startswith("expected valid TOML: 'utf-8' codec can't decode byte 0xe9")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.toml"
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert (caught.value.source, caught.value.errors) == (str(path), ("file not found",))
    assert str(caught.value) == f"{path}: file not found"


# --- bugs: each test states the right behaviour and fails today ---------------------------


@pytest.mark.parametrize("name", ["Europe", "America"])
def test_a_zone_group_name_is_a_config_error(name: str) -> None:
    assert errors_of({"timezone": name}) == (f"timezone: {TZ_HINT}, found '{name}'",)


def test_a_folder_given_as_the_config_file_is_a_config_error(tmp_path: Path) -> None:
    folder = tmp_path / "digest.toml"
    folder.mkdir()
    with pytest.raises(ConfigError) as caught:
        load_config(folder)
    assert caught.value.source == str(folder)
