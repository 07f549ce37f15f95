"""``digest new``: a new site folder that builds as it is and explains itself.

The ``digest.toml`` it writes lists every key of ``digest.config.Config``, commented out
with its default and its documentation, generated from ``config_reference()`` so that it
never drifts from the schema. The example article, the notes in ``templates/`` and
``static/`` and the next steps are plain text written here.
"""

from __future__ import annotations

import json
import re
import shlex
import textwrap
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from digest.config import Config, config_reference
from digest.errors import DigestError
from digest.theme import theme_dir

DEFAULT_BASE_URL = Config().base_url
"""Where ``digest serve`` shows a new site; the generated file says to change it."""

EXAMPLE_DATE = date(2025, 7, 14)
"""The example article's date when none is given (the CLI gives today's)."""

_UNCOMMENTED = frozenset({"title", "base_url"})
_BLOCK = re.compile(r"{%-?\s*block\s+(\w+)")

_FEEDS_EXAMPLE = """\
# [[feeds]]
# url = "https://news.example.org/rss.xml"
# outlet = "Example News"
"""

_ARTICLE = """\
---
# The front matter: what digest reads besides the text. Keys: title, date, source
# (or outlet), url, tags, and optionally summary, dek, slug and draft: true.
title: {headline}
date: {date}
source: {source}
url: https://example.org/welcome-to-your-digest
tags: [digest, getting started]
---

This site was set up with digest, a static site generator for news digests. It reads a
folder of articles gathered from many outlets, folds the copies of one story together,
and writes a website with RSS, Atom and JSON feeds that any plain static host can serve.

Each file in the content folder is one article: Markdown with front matter like this one,
plain wire copy saved as text, or a saved web page or feed. When two outlets carried the
same report, even re-headlined and trimmed, the site shows one story listing both, with a
summary made of the lead sentences of its most complete copy.

To see the site, run digest serve and open the address it prints; every change to the
content, the templates or the configuration rebuilds the site and reloads the page. When
the site looks right, digest build writes it into the output folder, ready to publish.
Delete this article once your own are in place.
"""

_TEMPLATES_NOTE = """\
# Templates

This folder overrides the default theme. A file here replaces the default file of the
same name; files you do not add keep coming from the theme. The theme's templates are:

{names}

A template here can extend the default of the same name, through the `!default/` prefix,
and change only the blocks it needs to. For example, this `base.html` adds a stylesheet
of the site's own (`static/site.css`) to every page:

```jinja
{{% extends "!default/base.html" %}}
{{% block head %}}{{{{ super() }}}}
<link rel="stylesheet" href="{{{{ link('static/site.css') }}}}">
{{% endblock %}}
```

`{{{{ super() }}}}` keeps what the default block holds. The blocks of `base.html` are
{blocks}.

Templates are Jinja with autoescaping on, and an undefined name is an error, so a typo
fails the build instead of leaving a gap on the page. `digest serve` rebuilds as you save.
"""

_STATIC_NOTE = """\
# Static files

Files here are copied into the site under `static/`: a file `static/site.css` is
published as `static/site.css`. A file with the name of one of the default theme's
files replaces it; the theme's files are:

{names}

Link to them from templates with `{{{{ link('static/site.css') }}}}` so that the link
honours the base URL's path. Names starting with a dot are not published.
"""


def toml_value(value: Any) -> str:
    """A value as TOML: strings, whole numbers, numbers, booleans and lists of them.

    >>> toml_value("Morning Brief"), toml_value(3), toml_value(0.5), toml_value(False)
    ('"Morning Brief"', '3', '0.5', 'false')
    >>> toml_value(("a", 'say "hi"'))
    '["a", "say \\\\"hi\\\\""]'
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        # JSON escapes are TOML escapes too; DEL is the one control JSON leaves as it is.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"expected a string, number, boolean or list, found {type(value).__name__}")


def _comment(text: str) -> str:
    return "".join(f"# {line}\n" for line in textwrap.wrap(text, 86))


def config_toml(title: str, base_url: str = DEFAULT_BASE_URL) -> str:
    """A commented ``digest.toml``: every key with its documentation and default, the
    ``title`` and ``base_url`` set, the others commented out.

    >>> text = config_toml("Morning Brief")
    >>> print("\\n".join(text.splitlines()[3:8]))
    # The site's name, shown on every page and in the feeds.
    title = "Morning Brief"
    <BLANKLINE>
    # One line about the site, used in feeds and the front page's meta description.
    # description = "Each story once, with every outlet that carried it."
    """
    values = {"title": title, "base_url": base_url}
    parts = [
        "# The configuration of this digest site. Every key is listed with its default;\n"
        "# uncomment a line to change it. Folders are relative to this file.\n"
    ]
    feeds = ""
    for name, _type, default, doc in config_reference():
        if name == "feeds":  # [[feeds]] tables end the top-level keys, so they go last
            feeds = _comment(f"{doc} None by default; for example:") + _FEEDS_EXAMPLE
            continue
        if name in _UNCOMMENTED:
            note = " Change it to the address the site is published at." * (name == "base_url")
            parts.append(_comment(doc + note) + f"{name} = {toml_value(values[name])}\n")
        else:
            parts.append(_comment(doc) + f"# {name} = {toml_value(default)}\n")
    parts.append(feeds)
    return "\n".join(parts)


def title_from_folder(path: Path) -> str:
    """A site title made from its folder's name.

    >>> title_from_folder(Path("sites/morning-brief")), title_from_folder(Path("/"))
    ('Morning Brief', 'Digest')
    """
    words = path.name.replace("-", " ").replace("_", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words) or "Digest"


def _clean_title(title: str) -> str:
    cleaned = "".join(ch for ch in " ".join(title.split()) if ch.isprintable())
    if not cleaned:
        raise DigestError(f"expected a site title with some text, found {title!r}")
    return cleaned


def example_article(title: str, when: date = EXAMPLE_DATE) -> str:
    """The example Markdown article a new site starts with.

    >>> 'title: "Welcome to Morning Brief"' in example_article("Morning Brief")
    True
    """
    return _ARTICLE.format(
        headline=json.dumps(f"Welcome to {title}", ensure_ascii=False),
        source=json.dumps(title, ensure_ascii=False),
        date=when.isoformat(),
    )


def _listing(names: Iterable[str]) -> str:
    return "\n".join(f"- `{name}`" for name in sorted(names))


def templates_note() -> str:
    """The note in a new site's ``templates/``, naming the default theme's templates and
    the blocks of its ``base.html``.

    >>> note = templates_note()
    >>> "- `base.html`" in note, "`head`" in note
    (True, True)
    """
    folder = theme_dir("templates")
    names = (p.name for p in folder.glob("*.html") if not p.name.startswith(("_", ".")))
    blocks = dict.fromkeys(_BLOCK.findall((folder / "base.html").read_text(encoding="utf-8")))
    shown = [f"`{b}`" for b in blocks]
    listed = ", ".join(shown[:-1]) + f" and {shown[-1]}" if len(shown) > 1 else "".join(shown)
    return _TEMPLATES_NOTE.format(names=_listing(names), blocks=listed or "no blocks")


def static_note() -> str:
    """The note in a new site's ``static/``, naming the default theme's static files.

    >>> "- `style.css`" in static_note()
    True
    """
    folder = theme_dir("static")
    names = (
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    )
    return _STATIC_NOTE.format(names=_listing(names))


def new_site(path: Path, title: str | None = None, *, today: date | None = None) -> list[Path]:
    """Write a new site into ``path`` (created if missing, refused unless empty).

    ``title`` defaults to one made from the folder's name; ``today`` dates the example
    article (``EXAMPLE_DATE`` if not given). Returns the files written.
    """
    if path.exists() and not path.is_dir():
        raise DigestError(f"{path}: expected a folder for the new site, found a file")
    if path.is_dir() and any(path.iterdir()):
        raise DigestError(
            f"{path}: refusing to write a new site into a folder that is not empty; "
            "choose a new or an empty folder"
        )
    title = _clean_title(title if title is not None else title_from_folder(path.absolute()))
    when = today or EXAMPLE_DATE
    files = {
        path / "digest.toml": config_toml(title),
        path / "content" / f"{when.isoformat()}-welcome.md": example_article(title, when),
        path / "templates" / "README.md": templates_note(),
        path / "static" / "README.md": static_note(),
    }
    try:
        for file, text in files.items():
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DigestError(f"{path}: could not write the new site: {exc.strerror}") from None
    return list(files)


def next_steps(path: Path) -> str:
    """What to run after ``new_site``, as lines for the terminal.

    >>> print(next_steps(Path("my news")))
    cd 'my news'
    digest build      # write the site into public/
    digest serve      # see it at http://127.0.0.1:8000/, rebuilt as you edit
    """
    return (
        f"cd {shlex.quote(str(path))}\n"
        "digest build      # write the site into public/\n"
        "digest serve      # see it at http://127.0.0.1:8000/, rebuilt as you edit"
    )
