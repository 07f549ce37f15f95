"""The one place where HTML from outside is made safe and read into blocks.

nh3 (the Rust ammonia sanitizer) removes scripts, event handlers, ``javascript:`` URLs
and anything not on the allow-list below; lxml then reads the clean fragment into the
body blocks that every later stage works on.
"""

from __future__ import annotations

from copy import deepcopy
from html import escape
from typing import TYPE_CHECKING

import nh3

from digest.clean import normalize_text, squash
from digest.model import Block, BlockKind

if TYPE_CHECKING:
    from lxml import html as lxml_html

INLINE_TAGS: frozenset[str] = frozenset(
    {
        "a",
        "abbr",
        "b",
        "br",
        "cite",
        "code",
        "del",
        "em",
        "i",
        "ins",
        "mark",
        "q",
        "s",
        "small",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
    }
)
BLOCK_TAGS: frozenset[str] = frozenset(
    {
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "pre",
        "figure",
        "figcaption",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "hr",
        "div",
        "section",
        "article",
    }
)
_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "time": {"datetime"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(fragment: str) -> str:
    """Outside HTML with everything but the allow-listed tags and attributes removed.

    >>> sanitize_html('<p onclick="x()">Hi <script>evil()</script><a href="javascript:x">y</a></p>')
    '<p>Hi <a rel="noopener noreferrer">y</a></p>'
    """
    return nh3.clean(
        fragment,
        tags=set(INLINE_TAGS | BLOCK_TAGS),
        attributes={k: set(v) for k, v in _ATTRIBUTES.items()},
        url_schemes=set(_URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def safe_url(url: str) -> str:
    """The URL when it is an absolute http(s) URL, else the empty string.

    >>> safe_url("https://example.org/a?b=1"), safe_url("javascript:alert(1)"), safe_url("/x")
    ('https://example.org/a?b=1', '', '')
    """
    from urllib.parse import urlsplit

    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.netloc
        or any(c in url for c in ' <>"\n\t')
    ):
        return ""
    return url


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment, tags dropped and entities decoded, for titles.

    >>> plain_text("Caf&eacute; <b>reopens</b>")
    'Café reopens'
    """
    fragment = normalize_text(fragment)  # lxml refuses control characters
    if "<" not in fragment and "&" not in fragment:
        return squash(fragment)
    cleaned = nh3.clean(fragment, tags=set())
    if not cleaned.strip():
        return ""
    from lxml import html as lxml_html  # here: most titles are plain (lxml: 15 ms to import)

    return squash(
        normalize_text(lxml_html.fragment_fromstring(cleaned, create_parent="div").text_content())
    )


_GLUED_TAGS = frozenset({"br", "li", "td", "th", "dt", "dd", "tr", "p", "div"})


def _text(element: lxml_html.HtmlElement) -> str:
    """The element's text with its list items, cells and line breaks kept apart.

    (``text_content()`` alone reads ``<li>a</li><li>b</li>`` as "ab".)
    """
    if not any(child.tag in _GLUED_TAGS for child in element.iterdescendants()):
        return squash(element.text_content())
    copy = deepcopy(element)
    for child in copy.iterdescendants():
        if child.tag in _GLUED_TAGS:
            child.tail = " " + (child.tail or "")
    return squash(copy.text_content())


_KIND: dict[str, BlockKind] = {
    "p": "p",
    "h1": "h2",
    "h2": "h2",
    "h3": "h3",
    "h4": "h3",
    "h5": "h3",
    "h6": "h3",
    "ul": "ul",
    "ol": "ol",
    "blockquote": "blockquote",
    "pre": "pre",
}


def _inner_html(element: lxml_html.HtmlElement) -> str:
    # lxml gives the leading text decoded ("&lt;script&gt;" reads "<script>"): it is
    # escaped again here, as tostring escapes the children and their tails.
    from lxml import html as lxml_html

    parts = [escape(element.text or "", quote=False)]
    parts.extend(lxml_html.tostring(child, encoding="unicode") for child in element)
    return "".join(parts).strip()


def html_to_blocks(fragment: str) -> tuple[Block, ...]:
    """Sanitize an HTML fragment and read its top-level elements as body blocks.

    Containers (div, section, figure...) are read through; loose text becomes a paragraph.

    >>> [(b.kind, b.text) for b in html_to_blocks("<h2>Talks</h2><p>Putin <em>spoke</em>.</p>")]
    [('h2', 'Talks'), ('p', 'Putin spoke.')]
    >>> [b.text for b in html_to_blocks("<ul><li>one</li><li>two</li></ul><p>a<br>b</p>")]
    ['one two', 'a b']
    """
    clean = sanitize_html(normalize_text(fragment))  # indentation kept for <pre>
    if not clean.strip():
        return ()
    from lxml import html as lxml_html  # here, as in plain_text

    root = lxml_html.fragment_fromstring(clean, create_parent="div")
    blocks: list[Block] = []
    _collect(root, blocks)
    return tuple(blocks)


def _collect(container: lxml_html.HtmlElement, blocks: list[Block]) -> None:
    loose: list[str] = []

    def flush() -> None:
        text = squash("".join(loose))
        if text:
            escaped = escape(text, quote=False)
            blocks.append(Block("p", text, escaped))
        loose.clear()

    loose.append(container.text or "")
    for child in container:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in INLINE_TAGS:
            loose.append((" " if child.tag == "br" else child.text_content()) + (child.tail or ""))
            continue
        flush()
        kind = _KIND.get(tag)
        if kind is not None:
            text = _text(child)
            if text:
                blocks.append(Block(kind, text, _inner_html(child)))
        elif tag in ("div", "section", "article", "figure", "table", "thead", "tbody", "tr"):
            _collect(child, blocks)
        elif tag not in ("hr", ""):
            text = _text(child)
            if text:
                blocks.append(Block("p", text, escape(text, quote=False)))
        loose.append(child.tail or "")
    flush()
