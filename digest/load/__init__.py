"""Loading: bytes and a path in, articles or a named problem out.

One module per input kind; this module decodes bytes and dispatches on the file name.
Nothing here touches the disk: ``digest.build`` reads the files and hands over bytes.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from pathlib import PurePosixPath

from digest.errors import ContentError
from digest.model import Article, Problem, pickled_by_fields

TEXT_SUFFIXES = frozenset({".txt", ".text"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom", ".rdf", ".json"})
SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES


@dataclass(frozen=True, slots=True)
class LoadSettings:
    """What loaders need from the configuration."""

    timezone: tzinfo = UTC


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Loaded:
    """The outcome of loading one file: its articles, or the problem that stopped it.

    ``updated`` is, for a feed file, each entry's last-updated time (None where the feed
    gives none), so that the newest version of an entry seen in several snapshots wins.
    """

    path: str
    articles: tuple[Article, ...] = ()
    problems: tuple[Problem, ...] = ()
    updated: tuple[datetime | None, ...] = ()


def is_content_file(path: PurePosixPath) -> bool:
    """True for a file digest reads: a known suffix, not hidden, not in a hidden folder.

    >>> is_content_file(PurePosixPath("afp/000.txt")), is_content_file(PurePosixPath(".git/x.md"))
    (True, False)
    """
    return path.suffix.lower() in SUFFIXES and not any(p.startswith((".", "_")) for p in path.parts)


# Latin-script single-byte encodings that charset detection confuses with one another on
# short texts; for news in these scripts Windows-1252 is by far the likeliest.
_LATIN_FAMILY = frozenset(
    {
        "cp1250",
        "cp1252",
        "latin_1",
        "iso8859_2",
        "iso8859_15",
        "mac_roman",
        "mac_latin2",
        "cp850",
        "cp437",
    }
)
_MAGIC = (
    (b"\x1f\x8b", "a gzip file"),
    (b"PK\x03\x04", "a zip file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x7fELF", "a program"),
)
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 32)])
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def decode(data: bytes, html: bool = False) -> str:
    """Text from bytes: a BOM, then (for HTML) a meta charset, then UTF-8, then detection.

    Detection is charset-normalizer's; where it guesses among Latin-script code pages,
    Windows-1252 is taken. Raises ContentError for binary data.

    >>> decode("Café reopens after “long” repairs".encode("cp1252"))
    'Café reopens after “long” repairs'
    >>> decode('<meta charset="iso-8859-1"><p>café</p>'.encode("latin-1"), html=True)[-8:]
    'café</p>'
    """
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                raise ContentError(
                    "", f"expected {codec} text after its byte-order mark, found invalid bytes"
                ) from None
    head = data[:8192]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            raise ContentError("", f"expected text, found binary data ({kind})")
    nuls = head.count(0)
    if nuls:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if nuls > len(head) // 4 and min(even, odd) * 20 < max(even, odd):
            codec = "utf-16-le" if odd > even else "utf-16-be"
            return data.decode(codec, errors="replace")
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls * 50 > len(head):
        raise ContentError("", "expected text, found binary data (control bytes)")
    if html and (meta := _META_CHARSET.search(data[:4096])):
        try:
            return data.decode(meta.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    codec = codecs.lookup(best.encoding).name.replace("-", "_") if best is not None else "cp1252"
    if best is None or codec in _LATIN_FAMILY:
        return data.decode("cp1252", errors="replace")
    return data.decode(best.encoding, errors="replace")


def article_id(rel_path: str) -> str:
    """The stable id of the article in a content file: its path in the content folder.

    The suffix stays, so that ``x.txt`` and ``x.md`` are two articles.

    >>> article_id("afp/000_09bb.txt")
    'afp/000_09bb.txt'
    """
    return str(PurePosixPath(rel_path))


def load_bytes(data: bytes, rel_path: str, settings: LoadSettings) -> Loaded:
    """Read one content file's bytes into articles, or a problem naming the reason.

    ``rel_path`` is the file's path relative to the content folder, with "/" separators.

    >>> loaded = load_bytes(b"Headline\\nThe first paragraph of the story is long enough to read.", "a.txt", LoadSettings())
    >>> loaded.articles[0].title, loaded.problems
    ('Headline', ())
    """
    from digest.dates import plausible
    from digest.sanitize import safe_url

    suffix = PurePosixPath(rel_path).suffix.lower()
    try:
        if not data.strip():
            raise ContentError(rel_path, "expected an article, found an empty file")
        if suffix in FEED_SUFFIXES:
            from digest.load.feed import parse_feed_entries

            flaws: list[str] = []
            entries = parse_feed_entries(data, rel_path, settings, flaws)
            articles = tuple(
                replace(
                    e.article,
                    url=safe_url(e.article.url),
                    published=plausible(e.article.published),
                )
                for e in entries
            )
            # A feed cut short is read as far as it goes, and said to be cut short.
            problems = tuple(
                Problem(
                    rel_path,
                    "load",
                    f"expected a whole feed, found one that ends early, at {flaw}; "
                    + (
                        f"read the {len(articles)} entries before the end"
                        if len(articles) > 1
                        else "read the entry before the end"
                        if articles
                        else "no entry read"
                    ),
                )
                for flaw in flaws
            )
            return Loaded(
                rel_path,
                articles=articles,
                problems=problems,
                updated=tuple(e.updated for e in entries),
            )
        source = decode(data, html=suffix in HTML_SUFFIXES)
        # Each reader is imported when a file needs it (wire text brings statistics).
        if suffix in MARKDOWN_SUFFIXES:
            from digest.load.markdown import parse_markdown

            article = parse_markdown(source, rel_path, settings)
        elif suffix in TEXT_SUFFIXES:
            from digest.load.text import parse_wire_text

            article = parse_wire_text(source, rel_path, settings)
        elif suffix in HTML_SUFFIXES:
            from digest.load.html import parse_html

            article = parse_html(source, rel_path, settings)
        else:
            raise ContentError(
                rel_path,
                f"expected one of {', '.join(sorted(SUFFIXES))}, found {suffix or 'no suffix'}",
            )
    except ContentError as exc:
        return Loaded(rel_path, problems=(Problem(rel_path, "load", exc.reason),))
    article = replace(article, url=safe_url(article.url), published=plausible(article.published))
    if not article.blocks and not article.draft:
        return Loaded(
            rel_path,
            problems=(
                Problem(rel_path, "load", "expected an article body, found none after cleaning"),
            ),
        )
    return Loaded(rel_path, articles=(article,))
