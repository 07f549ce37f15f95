"""Markdown articles with YAML (``---``) or TOML (``+++``) front matter.

Keys read: title, date, source (or outlet), url, tags, summary, draft, slug, dek. The body goes
through markdown-it-py (CommonMark), then through the one sanitizer, then into blocks.
"""

from __future__ import annotations

import functools
import re
import tomllib
from html import escape as _escape
from typing import TYPE_CHECKING, Any

import yaml

from digest.clean import normalize_text
from digest.dates import parse_date_value
from digest.errors import ContentError
from digest.load import LoadSettings, article_id
from digest.model import Article, Block, BlockKind
from digest.sanitize import html_to_blocks, plain_text

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_FENCES = {"---": "YAML", "+++": "TOML"}
# libyaml's loader when PyYAML was built with it: about eight times faster than pure Python.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(text: str) -> Any:
    """YAML through libyaml; on an error, again through pure Python for its clearer message.

    Front matter of plain ``key: value`` lines is read by ``simple_yaml`` without either.
    """
    simple = simple_yaml(text)
    if simple is not None:
        return simple
    try:
        return yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError:
        return yaml.load(text, Loader=yaml.SafeLoader)


@functools.cache
def _renderer() -> MarkdownIt:
    """One CommonMark renderer (with tables and strikethrough) for the whole process.

    markdown-it-py renders an article in about a fifth of python-markdown's time here;
    the renderer keeps no state between documents, so one instance serves every call.
    Imported here: most articles take the plain path (``plain_blocks``) and never need
    it, and a rebuild that loads one such file need not pay for the import.
    """
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


# --- front matter of plain "key: value" lines without a YAML parser ----------------------
#
# Once plain bodies skip the HTML round trip, PyYAML is a large share of what is left
# (its constructor runs in Python even with libyaml). Front matter is nearly always a few
# lines of ``key: value`` in a handful of shapes, so ``simple_yaml`` reads those shapes
# itself and returns None for anything else, which then goes to PyYAML as before. It is
# hand-written only as that shortcut: every shape it accepts is one whose YAML meaning is
# certain (no resolver but the timestamp one can claim it, no indicator or line break
# inside), and the timestamp is built by PyYAML's own constructor.

_YAML_KEY_VALUE = re.compile(r"([a-z][a-z0-9_]{0,63}): +(.*)")
_YAML_QUOTED = re.compile(r'"([^"\\]*)"|\'([^\']*)\'')
# A letter first; then no indicator that could end or change a plain scalar.
_YAML_PLAIN = re.compile(r"[^\W\d_][^:#\[\]{}\"`@%&*!|<>\\]*")
_YAML_URL = re.compile(r"https?://[A-Za-z0-9._~/?@!$&'()*+,;=%:-]*[A-Za-z0-9._~/?@!$&'()*+,;=%-]")
_YAML_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:Z|[+-][0-9]{2}:[0-9]{2})?)?"
)
_YAML_ITEM = re.compile(r" *(?:([^\W\d_](?:[\w -]*\w)?)|\"([^\"\\,]*)\") *")
# Plain words YAML 1.1 reads as booleans or null, not as text.
_YAML_WORDS = frozenset(
    {
        *("yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"),
        *("true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL"),
    }
)
# Characters YAML reads as line breaks, and tabs, which it treats apart: left to PyYAML.
_YAML_AWKWARD = re.compile("[\t\x85\u2028\u2029]")
_TIMESTAMPS = yaml.constructor.SafeConstructor()


def simple_yaml(text: str) -> dict[str, Any] | None:
    """Front matter of plain ``key: value`` lines as PyYAML reads them, or None when the
    text holds anything else (nesting, block scalars, anchors, escapes, numbers...).

    >>> simple_yaml('title: "Rain, again"\\ndate: 2025-07-01\\ntags: [weather, uk]\\ndraft: false')
    {'title': 'Rain, again', 'date': datetime.date(2025, 7, 1), 'tags': ['weather', 'uk'], 'draft': False}
    >>> simple_yaml("title: Rain\\n  nested: x") is None
    True
    """
    if _YAML_AWKWARD.search(text):
        return None
    data: dict[str, Any] = {}
    for line in text.split("\n"):
        if not line or line[0] == "#":
            continue
        pair = _YAML_KEY_VALUE.fullmatch(line)
        if pair is None or pair.group(1) in _YAML_WORDS:
            return None
        value = _yaml_value(pair.group(2))
        if value is None:
            return None
        data[pair.group(1)] = value
    return data


def _yaml_value(text: str) -> Any:
    """The value of one ``key: value`` line, or None when it is not a simple one."""
    if not text or text[-1] == " ":
        return None
    if quoted := _YAML_QUOTED.fullmatch(text):
        return quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
    if text in ("true", "false"):
        return text == "true"
    if text in _YAML_WORDS:
        return None
    if text[0] == "[" and text[-1] == "]":
        items: list[str] = []
        inner = text[1:-1]
        if inner.strip(" "):
            for piece in inner.split(","):
                item = _YAML_ITEM.fullmatch(piece)
                if item is None or item.group(1) in _YAML_WORDS:
                    return None
                items.append(item.group(1) if item.group(1) is not None else item.group(2))
        elif inner:
            return None
        return items
    if _YAML_TIMESTAMP.fullmatch(text):
        node = yaml.ScalarNode("tag:yaml.org,2002:timestamp", text)
        try:
            return _TIMESTAMPS.construct_yaml_timestamp(node)
        except ValueError:  # 2025-02-30: PyYAML raises it again, with the usual message
            return None
    if _YAML_URL.fullmatch(text) or _YAML_PLAIN.fullmatch(text):
        return text
    return None


_FRONT = re.compile(r"\A(---|\+\+\+)[ \t]*\n(?:(.*?)\n)?\1[ \t]*(?:\n|\Z)", re.S)
_H1 = re.compile(r"\A#\s+(.+?)\s*#*\s*$", re.M)


def split_front_matter(source: str, rel_path: str) -> tuple[dict[str, Any], str, int]:
    """(front matter as a mapping, the body, the body's first line number).

    >>> split_front_matter("---\\ntitle: Hi\\n---\\nBody", "a.md")
    ({'title': 'Hi'}, 'Body', 4)
    """
    if not source.startswith(("---", "+++")):
        return {}, source, 1
    match = _FRONT.match(source)
    if match is None:
        fence = source[:3]
        raise ContentError(
            rel_path, f"line 1: {_FENCES[fence]} front matter opened with {fence} is never closed"
        )
    fence, text = match.group(1), match.group(2) or ""
    try:
        data = _yaml(text) if fence == "---" else tomllib.loads(text)
    except yaml.MarkedYAMLError as exc:
        line = (exc.problem_mark.line + 2) if exc.problem_mark else 1
        raise ContentError(
            rel_path, f"line {line}: invalid YAML front matter: {exc.problem}"
        ) from None
    except yaml.YAMLError as exc:
        raise ContentError(rel_path, f"invalid YAML front matter: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(rel_path, f"invalid TOML front matter: {exc}") from None
    except (ValueError, OverflowError, TypeError, RecursionError) as exc:
        # PyYAML builds dates and numbers with Python constructors, which raise these
        # for values such as 2025-02-30.
        raise ContentError(
            rel_path, f"invalid value in front matter (a date or number that cannot be): {exc}"
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentError(
            rel_path, f"front matter: expected a mapping of keys, found {type(data).__name__}"
        )
    return data, source[match.end() :], source[: match.end()].count("\n") + 1


def _string(meta: dict[str, Any], key: str, rel_path: str) -> str:
    value = meta.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ContentError(
            rel_path, f"front matter {key}: expected text, found {type(value).__name__}"
        )
    return str(value).strip()


def _tags(value: Any, rel_path: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(t, str | int) for t in value):
        raise ContentError(
            rel_path, f"front matter tags: expected a list of words, found {value!r}"
        )
    seen: dict[str, None] = {}
    for tag in value:
        name = " ".join(str(tag).split()).lower()
        if name:
            seen[name] = None
    return tuple(seen)


def parse_markdown(source: str, rel_path: str, settings: LoadSettings) -> Article:
    """Read one Markdown article with its front matter.

    >>> a = parse_markdown("---\\ntitle: Rain\\ntags: [weather]\\n---\\nIt *rained*.", "a.md", LoadSettings())
    >>> a.title, a.tags, a.blocks[0].html
    ('Rain', ('weather',), 'It <em>rained</em>.')
    """
    from digest.sentences import split_sentences

    meta, body, _ = split_front_matter(normalize_text(source), rel_path)
    title = plain_text(_string(meta, "title", rel_path))
    if not title and (h1 := _H1.search(body)):
        title, body = plain_text(h1.group(1)), body[: h1.start()] + body[h1.end() :]
    if not title:
        raise ContentError(
            rel_path, "expected a title (a 'title:' key or a '# heading'), found none"
        )
    published = None
    if meta.get("date") is not None:
        try:
            published = parse_date_value(meta["date"], settings.timezone)
        except ValueError as exc:
            raise ContentError(rel_path, f"front matter date: {exc}") from None
    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        raise ContentError(rel_path, f"front matter draft: expected true or false, found {draft!r}")
    summary = _string(meta, "summary", rel_path)
    blocks = plain_blocks(body)
    if blocks is None:
        blocks = html_to_blocks(_renderer().render(body))
    return Article(
        id=article_id(rel_path),
        path=rel_path,
        outlet=plain_text(_string(meta, "source", rel_path) or _string(meta, "outlet", rel_path)),
        title=title,
        dek=plain_text(_string(meta, "dek", rel_path) or _string(meta, "description", rel_path)),
        url=_string(meta, "url", rel_path),
        published=published,
        tags=_tags(meta.get("tags"), rel_path),
        blocks=blocks,
        summary_override=split_sentences(plain_text(summary)) if summary else (),
        draft=draft,
        slug=_string(meta, "slug", rel_path),
    )


# --- plain Markdown without the round trip through HTML ----------------------------------
#
# Most articles are paragraphs of plain prose and a few "## Subheads". For those, what
# markdown-it renders, nh3 cleans and lxml reads back is the Markdown text itself, so
# ``plain_blocks`` reads them directly, about twenty times faster. It is hand-written
# because no library offers "this Markdown has no markup" as a question: it accepts only
# text where that answer is certain and returns None for anything else, which then goes
# the whole way through markdown-it, nh3 and lxml as before. What it accepts:
#
# * no character that starts inline markup: ``\`` (escapes), backticks (code), ``*`` and
#   ``_`` (emphasis), ``~`` (strikethrough), ``[`` (links, images, reference
#   definitions), ``<`` (HTML, autolinks), ``|`` (tables), ``&#`` or ``&name;`` (entities;
#   a lone ``&`` is text);
# * every line empty or starting with a letter, a digit, an opening quote or bracket, or a
#   currency sign: so no indented code, block quote, list, rule, fence, table row or setext
#   underline, and no combining mark that Unicode normalization could fuse with the
#   ``>`` of the tag before it; a digit-led line must not look like an ordered-list item;
# * no line ending in whitespace (hard breaks; markdown-it strips the spaces of others);
# * headings as ``#`` to ``######``, one space, then text without ``#``.
#
# A paragraph's lines then come back from lxml as they are, joined by newlines: that,
# escaped (``&`` and ``>``, as ``sanitize._inner_html`` escapes the text lxml decodes), is
# the block's html, and its text is the lines squashed.

_NOT_PLAIN = re.compile(r"[\\`*_~\[<|]")
_ENTITY = re.compile(r"&(?:#|[A-Za-z0-9]+;)")
_PLAIN_OPENERS = frozenset("\"'(“‘«$£€")
_LIST_ITEM = re.compile(r"[0-9]+[.)]")
_ATX = re.compile(r"(#{1,6}) ([^#]*)")
_HEADING_KIND: dict[int, BlockKind] = {1: "h2", 2: "h2", 3: "h3", 4: "h3", 5: "h3", 6: "h3"}
# Longer bodies take the full path, whose parsers have limits of their own on huge nodes.
_PLAIN_MAX = 1_000_000


def _plain_start(line: str) -> bool:
    first = line[0]
    if first.isdigit():
        return _LIST_ITEM.match(line) is None
    return first.isalpha() or first in _PLAIN_OPENERS


def plain_blocks(body: str) -> tuple[Block, ...] | None:
    """The blocks of a Markdown body of plain paragraphs and headings, or None when the
    body holds anything else (then ``html_to_blocks`` of the rendered HTML gives them).

    >>> for block in plain_blocks("## Talks\\n\\nPutin spoke\\non Monday.\\n"):
    ...     print(block)
    Block(kind='h2', text='Talks', html='Talks')
    Block(kind='p', text='Putin spoke on Monday.', html='Putin spoke\\non Monday.')
    >>> plain_blocks("Putin *spoke*.") is None
    True
    """
    if len(body) > _PLAIN_MAX or _NOT_PLAIN.search(body) or ("&" in body and _ENTITY.search(body)):
        return None
    blocks: list[Block] = []
    lines: list[str] = []
    for line in body.split("\n"):
        if not line:
            if lines:
                blocks.append(_paragraph(lines))
                lines = []
            continue
        if line[-1].isspace():
            return None
        if line[0] == "#":
            heading = _ATX.fullmatch(line)
            if heading is None:
                return None
            text = heading.group(2)
            if not text or not _plain_start(text):
                return None
            if lines:
                blocks.append(_paragraph(lines))
                lines = []
            blocks.append(
                Block(
                    _HEADING_KIND[len(heading.group(1))],
                    " ".join(text.split()),
                    _escape(text, quote=False),
                )
            )
        elif _plain_start(line):
            lines.append(line)
        else:
            return None
    if lines:
        blocks.append(_paragraph(lines))
    return tuple(blocks)


def _paragraph(lines: list[str]) -> Block:
    text = "\n".join(lines)
    return Block("p", " ".join(text.split()), _escape(text, quote=False))
