"""Markdown articles with YAML (``---``) or TOML (``+++``) front matter.

Keys read: title, date, source (or outlet), url, tags, summary, draft, slug, dek. The body goes
through markdown-it-py (CommonMark), then through the one sanitizer, then into blocks.
"""

from __future__ import annotations

import functools
import re
import tomllib
from typing import Any

import yaml
from markdown_it import MarkdownIt

from digest.clean import normalize_text
from digest.dates import parse_date_value
from digest.errors import ContentError
from digest.load import LoadSettings, article_id
from digest.model import Article
from digest.sanitize import html_to_blocks, plain_text

_FENCES = {"---": "YAML", "+++": "TOML"}
# libyaml's loader when PyYAML was built with it: about eight times faster than pure Python.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml(text: str) -> Any:
    """YAML through libyaml; on an error, again through pure Python for its clearer message."""
    try:
        return yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError:
        return yaml.load(text, Loader=yaml.SafeLoader)


@functools.cache
def _renderer() -> MarkdownIt:
    """One CommonMark renderer (with tables and strikethrough) for the whole process.

    markdown-it-py renders an article in about a fifth of python-markdown's time here;
    the renderer keeps no state between documents, so one instance serves every call.
    """
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


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
    html = _renderer().render(body)
    return Article(
        id=article_id(rel_path),
        path=rel_path,
        outlet=plain_text(_string(meta, "source", rel_path) or _string(meta, "outlet", rel_path)),
        title=title,
        dek=plain_text(_string(meta, "dek", rel_path) or _string(meta, "description", rel_path)),
        url=_string(meta, "url", rel_path),
        published=published,
        tags=_tags(meta.get("tags"), rel_path),
        blocks=html_to_blocks(html),
        summary_override=split_sentences(plain_text(summary)) if summary else (),
        draft=draft,
        slug=_string(meta, "slug", rel_path),
    )
