"""Loading: bytes and a path in, articles or a named problem out.

One module per input kind; this module decodes bytes and dispatches on the file name.
Nothing here touches the disk: ``digest.build`` reads the files and hands over bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo
from pathlib import PurePosixPath

from digest.errors import ContentError
from digest.model import Article, Problem

TEXT_SUFFIXES = frozenset({".txt", ".text"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES


@dataclass(frozen=True, slots=True)
class LoadSettings:
    """What loaders need from the configuration."""

    timezone: tzinfo = UTC


@dataclass(frozen=True, slots=True)
class Loaded:
    """The outcome of loading one file: its articles, or the problem that stopped it."""

    path: str
    articles: tuple[Article, ...] = ()
    problems: tuple[Problem, ...] = ()


def is_content_file(path: PurePosixPath) -> bool:
    """True for a file digest reads: a known suffix, not hidden, not in a hidden folder.

    >>> is_content_file(PurePosixPath("afp/000.txt")), is_content_file(PurePosixPath(".git/x.md"))
    (True, False)
    """
    return path.suffix.lower() in SUFFIXES and not any(p.startswith((".", "_")) for p in path.parts)


def decode(data: bytes) -> str:
    """Text from bytes: UTF-8 (with or without a BOM), UTF-16 with a BOM, else Windows-1252.

    Raises ContentError for binary data.

    >>> decode("Café".encode("cp1252"))
    'Café'
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ContentError(
                "", "expected UTF-16 text after a UTF-16 byte-order mark, found invalid bytes"
            ) from None
    if b"\x00" in data[:8192]:
        raise ContentError("", "expected text, found binary data (NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def article_id(rel_path: str) -> str:
    """The stable id of the article in a content file: its path, without the suffix.

    >>> article_id("afp/000_09bb.txt")
    'afp/000_09bb'
    """
    return str(PurePosixPath(rel_path).with_suffix(""))


def load_bytes(data: bytes, rel_path: str, settings: LoadSettings) -> Loaded:
    """Read one content file's bytes into articles, or a problem naming the reason.

    ``rel_path`` is the file's path relative to the content folder, with "/" separators.

    >>> loaded = load_bytes(b"Headline\\nThe first paragraph of the story is long enough to read.", "a.txt", LoadSettings())
    >>> loaded.articles[0].title, loaded.problems
    ('Headline', ())
    """
    from digest.load import markdown, text

    suffix = PurePosixPath(rel_path).suffix.lower()
    try:
        if not data.strip():
            raise ContentError(rel_path, "expected an article, found an empty file")
        source = decode(data)
        if suffix in MARKDOWN_SUFFIXES:
            article = markdown.parse_markdown(source, rel_path, settings)
        elif suffix in TEXT_SUFFIXES:
            article = text.parse_wire_text(source, rel_path, settings)
        else:
            raise ContentError(
                rel_path,
                f"expected one of {', '.join(sorted(SUFFIXES))}, found {suffix or 'no suffix'}",
            )
    except ContentError as exc:
        return Loaded(rel_path, problems=(Problem(rel_path, "load", exc.reason),))
    if not article.blocks and not article.draft:
        return Loaded(
            rel_path,
            problems=(
                Problem(rel_path, "load", "expected an article body, found none after cleaning"),
            ),
        )
    return Loaded(rel_path, articles=(article,))
