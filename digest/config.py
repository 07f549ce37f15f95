"""The site's configuration: a declared schema, read from ``digest.toml``.

Every field carries its documentation, its type and its check. ``load_config`` collects
every error in the file and raises once with all of them; unknown keys are refused, so a
typo never silently falls back to a default.
"""

from __future__ import annotations

import tomllib
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from digest.errors import ConfigError

Check = Callable[[Any], str | None]


def _doc(text: str, check: Check | None = None) -> dict[str, Any]:
    return {"doc": text, "check": check}


def _int_between(low: int, high: int) -> Check:
    def check(value: Any) -> str | None:
        if not low <= value <= high:
            return f"expected a whole number from {low} to {high}, found {value}"
        return None

    return check


def _float_between(low: float, high: float) -> Check:
    def check(value: Any) -> str | None:
        if not low <= value <= high:
            return f"expected a number from {low} to {high}, found {value}"
        return None

    return check


def _absolute_url(value: Any) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return (
            f"expected an absolute http(s) URL such as 'https://news.example.org/', found {value!r}"
        )
    return None


def _timezone(value: Any) -> str | None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a folder
        return f"expected an IANA time zone such as 'Europe/London', found {value!r}"
    return None


def _non_empty(value: Any) -> str | None:
    return None if value.strip() else "expected a non-empty string, found an empty one"


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One ``[[feeds]]`` table: a feed ``digest fetch`` downloads, and its outlet's name."""

    url: str
    outlet: str = ""


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a build needs to know besides the content itself."""

    title: str = field(
        default="Digest",
        metadata=_doc("The site's name, shown on every page and in the feeds.", _non_empty),
    )
    description: str = field(
        default="Each story once, with every outlet that carried it.",
        metadata=_doc(
            "One line about the site, used in feeds and the front page's meta description."
        ),
    )
    base_url: str = field(
        default="http://localhost:8000/",
        metadata=_doc(
            "The absolute URL the site is served from; story and feed links start with it.",
            _absolute_url,
        ),
    )
    language: str = field(
        default="en",
        metadata=_doc("The site's language as a BCP 47 tag, e.g. 'en' or 'en-GB'.", _non_empty),
    )
    timezone: str = field(
        default="UTC",
        metadata=_doc(
            "IANA time zone for dates given without one, and for dates shown on pages.", _timezone
        ),
    )
    content: str = field(
        default="content",
        metadata=_doc("The folder of articles, relative to the configuration file.", _non_empty),
    )
    output: str = field(
        default="public",
        metadata=_doc(
            "The folder the site is written to, relative to the configuration file.", _non_empty
        ),
    )
    summary_sentences: int = field(
        default=3,
        metadata=_doc("How many lead sentences make a story's summary.", _int_between(1, 10)),
    )
    summary_max_words: int = field(
        default=120,
        metadata=_doc(
            "The most words a summary may have; whole sentences are dropped to fit.",
            _int_between(10, 400),
        ),
    )
    fold_threshold: float = field(
        default=0.5,
        metadata=_doc(
            "How much of the smaller text (share of its 5-word shingles) must lie inside the larger "
            "for two articles to be one story.",
            _float_between(0.05, 1.0),
        ),
    )
    feed_items: int = field(
        default=50,
        metadata=_doc("How many of the newest stories the feeds carry.", _int_between(1, 10000)),
    )
    front_page_stories: int = field(
        default=30,
        metadata=_doc(
            "How many stories a page of a listing holds: the first page of the front page,"
            " a topic, an outlet or a day holds this many to twice that less one (its"
            " newest), each older page this many.",
            _int_between(1, 10000),
        ),
    )
    max_file_bytes: int = field(
        default=10_000_000,
        metadata=_doc(
            "The largest content file read, in bytes; a larger one is a problem, not read"
            " (one 82 MB file took 70 s and 3.6 GB to build).",
            _int_between(1_000, 1_000_000_000),
        ),
    )
    feeds: tuple[FeedEntry, ...] = field(
        default=(),
        metadata=_doc(
            "Feeds for `digest fetch`, as [[feeds]] tables with `url` (absolute http(s)) and "
            "an optional `outlet` name."
        ),
    )
    fetch_timeout: float = field(
        default=20.0,
        metadata=_doc(
            "Seconds one fetch attempt may take, connecting to last byte.",
            _float_between(0.1, 600.0),
        ),
    )
    fetch_retries: int = field(
        default=3,
        metadata=_doc(
            "Further attempts after a network error or a 5xx answer.", _int_between(0, 10)
        ),
    )
    fetch_per_host: int = field(
        default=2,
        metadata=_doc("The most requests in flight to one host at once.", _int_between(1, 16)),
    )
    fetch_max_bytes: int = field(
        default=10_000_000,
        metadata=_doc(
            "The largest response body accepted, in bytes.", _int_between(1_000, 1_000_000_000)
        ),
    )
    fetch_max_redirects: int = field(
        default=5,
        metadata=_doc("The most redirects followed for one request.", _int_between(0, 20)),
    )
    fetch_pages: bool = field(
        default=False,
        metadata=_doc(
            "Also save the article page each new feed entry links to, under content/pages/."
        ),
    )
    root: Path = field(
        default=Path("."), metadata=_doc("(not a key) the folder paths are relative to")
    )

    @property
    def content_dir(self) -> Path:
        return self.root / self.content

    @property
    def output_dir(self) -> Path:
        return self.root / self.output

    @property
    def site_url(self) -> str:
        """The base URL, always ending in a slash."""
        return self.base_url if self.base_url.endswith("/") else self.base_url + "/"


CONFIG_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Config) if f.name != "root")


def config_reference() -> tuple[tuple[str, str, Any, str], ...]:
    """Every key with its type, default and documentation, for the docs.

    >>> config_reference()[0][:3]
    ('title', 'str', 'Digest')
    """
    return tuple(
        (f.name, str(f.type), f.default, f.metadata["doc"])
        for f in fields(Config)
        if f.name != "root"
    )


_TYPES: Mapping[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (float, int),
    "bool": (bool,),
}


def _feeds(value: Any, errors: list[str]) -> tuple[FeedEntry, ...]:
    if not isinstance(value, list):
        errors.append(f"feeds: expected [[feeds]] tables, found {type(value).__name__}")
        return ()
    out: list[FeedEntry] = []
    seen: set[str] = set()
    for n, table in enumerate(value, 1):
        where = f"feeds[{n}]"
        if not isinstance(table, dict):
            errors.append(
                f"{where}: expected a table with url and outlet, found {type(table).__name__}"
            )
            continue
        for key in sorted(set(table) - {"url", "outlet"}):
            errors.append(f"{where}.{key}: unknown key; expected url or outlet")
        url, outlet = table.get("url"), table.get("outlet", "")
        if not isinstance(url, str) or (message := _absolute_url(url)):
            errors.append(
                f"{where}.url: "
                + (
                    message
                    if isinstance(url, str) and message
                    else f"expected a URL, found {url!r}"
                )
            )
            continue
        if not isinstance(outlet, str):
            errors.append(f"{where}.outlet: expected a string, found {type(outlet).__name__}")
            continue
        if url in seen:
            errors.append(f"{where}.url: {url} is listed twice")
            continue
        seen.add(url)
        out.append(FeedEntry(url, outlet.strip()))
    return tuple(out)


def parse_config(
    data: Mapping[str, Any], source: str = "digest.toml", root: Path = Path(".")
) -> Config:
    """Check a mapping of settings and make a Config, or raise ConfigError with every error.

    >>> parse_config({"title": "Morning Brief"}).title
    'Morning Brief'
    >>> parse_config({"titel": "x", "summary_sentences": 0})
    Traceback (most recent call last):
    ...
    digest.errors.ConfigError: digest.toml: summary_sentences: expected a whole number from 1 to 10, found 0
    digest.toml: titel: unknown key; expected one of title, description, ...
    """
    errors: list[str] = []
    values: dict[str, Any] = {}
    known = {f.name: f for f in fields(Config) if f.name != "root"}
    for name, f in known.items():
        if name not in data:
            continue
        value = data[name]
        if name == "feeds":
            values[name] = _feeds(value, errors)
            continue
        expected = _TYPES[str(f.type)]
        if (isinstance(value, bool) and str(f.type) != "bool") or not isinstance(value, expected):
            errors.append(f"{name}: expected {f.type!s}, found {type(value).__name__} {value!r}")
            continue
        check: Check | None = f.metadata["check"]
        message = check(value) if check else None
        if message:
            errors.append(f"{name}: {message}")
            continue
        values[name] = float(value) if isinstance(value, int) and str(f.type) == "float" else value
    for name in sorted(set(data) - set(known)):
        errors.append(f"{name}: unknown key; expected one of {', '.join(CONFIG_KEYS)}")
    if errors:
        raise ConfigError(source, errors)
    return replace(Config(root=root), **values)


def load_config(path: Path | None, overrides: Mapping[str, Any] | None = None) -> Config:
    """Read ``path`` (TOML), apply command-line ``overrides``, check everything at once.

    With ``path`` None the defaults are used, relative to the working folder.
    """
    data: dict[str, Any] = {}
    root = Path(".")
    source = "defaults"
    if path is not None:
        source = str(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(source, ["file not found"]) from None
        except IsADirectoryError:
            raise ConfigError(source, ["expected a TOML file, found a folder"]) from None
        except OSError as exc:
            raise ConfigError(source, [f"could not read the file: {exc.strerror}"]) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(source, [f"expected valid TOML: {exc}"]) from None
        root = path.parent
    data.update(overrides or {})
    return parse_config(data, source, root)
