"""Saved web pages: the article's main text and metadata, read by trafilatura.

trafilatura finds the main text of a page and reads its metadata (headline, date, site
name, canonical URL, author). Its body tree keeps subheads, lists and quotations; this
module turns that tree into HTML, hands it to the one sanitizer
(``digest.sanitize.html_to_blocks``), and then drops what news pages leave around a
story even after extraction: the repeated headline, bylines, share prompts, "Read more:"
lines, credits and rights notices, newsletter offers and trailing boxes of related links.

Extraction is deterministic: trafilatura's duplicate filter (a module-global cache whose
results depend on earlier calls) is off, and the date search is capped at a fixed date
rather than at the day of the build.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html

from digest.clean import (
    ends_sentence,
    headline_from_prose,
    is_chrome_line,
    is_credit_line,
    is_headline_like,
    is_list_like,
    is_section_label,
    normalize_text,
    similarity,
    squash,
)
from digest.dates import parse_date_line, parse_date_value, plausible
from digest.errors import ContentError
from digest.load import LoadSettings, article_id
from digest.model import Article, Block
from digest.sanitize import html_to_blocks, plain_text, safe_url

if TYPE_CHECKING:
    from trafilatura.settings import Document

NO_TEXT = "expected an article in this page, found no main text"

# A precise extraction with less body text than this is retried in balanced mode.
MIN_WORDS = 50

# htmldate compares candidate dates with the latest plausible one, by default today:
# a fixed cap keeps the result independent of the day of the build.
_DATE_PARAMS = (
    ("original_date", True),
    ("extensive_search", True),
    ("max_date", "2100-01-01"),
    ("outputformat", "%Y-%m-%dT%H:%M:%S%z"),
)

# trafilatura's body tree → HTML. "head", "hi", "list", "cell" and "code" depend on
# attributes or context and are handled in _append().
_TAGS = {
    "p": "p",
    "item": "li",
    "quote": "blockquote",
    "lb": "br",
    "ref": "span",
    "table": "table",
    "row": "tr",
    "div": "div",
    "del": "del",
}
_BREAKS = frozenset({"br", "li", "tr", "td", "th", "p", "h2", "h3", "h4", "h5", "h6"})
_HI = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}
_SOCIAL = (
    r"(?:twitter|x|facebook|instagram|linkedin|youtube|tiktok|threads|bluesky|mastodon|"
    r"telegram|whatsapp|google\s+news|flipboard|pinterest|snapchat)"
)

# A block that is one of these, whole, is furniture wherever it stands.
_PROMPT = re.compile(
    rf"""(?ix)^(?:
        (?:click\s+(?:here\s+)?to\s+)?share\s+(?:this|on|via|the|your)\b.{{0,60}}
      | (?:follow|like|join)\s+(?:us|\w+(?:\s\w+){{0,3}})\s+on\s+{_SOCIAL}\b.{{0,100}}
      | (?:read|see|watch|listen)\s+(?:more|also|next)\s*[:|-].{{0,200}}
      | (?:related|more|also\s+read|recommended|further\s+reading)\s*:.{{0,200}}
      | (?:click\s+here\s+to\s+)?(?:sign\s*up|subscribe|register)\b.{{0,100}}
            \b(?:newsletters?|email|inbox|updates|alerts)\b.{{0,120}}
      | (?:photo|image|picture|video|file\s+photo|illustration)\s*(?:credit)?\s*:.{{0,120}}
      | (?:this|the)\s+(?:article|story|post|piece)\s+(?:was\s+)?(?:originally|first)\s+
            (?:appeared|published|ran)\b.{{0,160}}
      | (?:©|\(c\)).{{0,200}}
      | copyright\s*(?:©|\(c\))?\s*(?:19|20)\d\d\b.{{0,160}}
      | copyright\s+(?:\S+\s+){{0,3}}(?:19|20)\d\d\b(?:\s*[-–|].{{0,60}}|\.)?
      | the\s+post\s+.{{1,200}}?\s+appeared\s+first\s+on\b.{{0,120}}
      | continue\s+reading\b.{{0,160}}
      | (?:leave|post|add)\s+a\s+comment\b.{{0,40}}
      | \d+\s+comments?
      | (?:tags?|topics?|filed\s+under)\s*:.{{0,200}}
      | (?:https?://|www\.)\S+
    )$""",
)
_RIGHTS = re.compile(
    r"(?i)\ball rights reserved\b|\bfor your personal,? non-commercial use\b"
    r"|\bmay not be (?:re)?published, broadcast\b"
)
_NEWSLETTER = re.compile(r"(?i)\b(?:newsletters?|briefings?|bulletins?|digest)\b")
_UPDATED = re.compile(r"(?i)^(?:last\s+)?updated\s*(?::|at\b|on\b)\s*\S")
_OFFER = re.compile(
    r"(?i)\b(?:sign\s*up|subscribe|subscribing|inbox|email address|privacy policy)\b"
)
_CONTACT = re.compile(
    rf"(?i)\b(?:follow\s+(?:him|her|them|me|us)\s+on\s+{_SOCIAL}"
    r"|(?:can|may)\s+be\s+reached\s+at|[\w.+-]+@[\w-]+\.[\w.]+|have\s+a\s+(?:news\s+)?tip\?)"
)
_BYLINE = re.compile(r"(?i)^(?:(?:words|story|written|reporting)\s+)?by\s+(.{2,80})$")
# Words that open "By Monday, ..." and are no names.
_NOT_NAMES = re.compile(
    r"(?i)^(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|today|tonight|tomorrow|jan(?:uary)?|"
    r"feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?$"
)
_NAME_JOINERS = frozenset({"and", "&", "of", "the", "in", "at", "for", "de", "van", "von", "le"})
# <meta property="article:published_time" content="..."> and its kin, in either
# attribute order; and "datePublished": "..." in JSON-LD.
_DATE_NAMES = (
    r"(?:article:published_time|og:published_time|datePublished|publish(?:ed)?[_-]?date|"
    r"pubdate|dc\.date\.issued|dcterms\.(?:created|issued)|parsely-pub-date|sailthru\.date)"
)
_META_DATE = re.compile(
    rf"""(?ix)<meta\s[^>]*?(?:property|name|itemprop)\s*=\s*["']?{_DATE_NAMES}["'\s][^>]*?
        content\s*=\s*["'](?P<a>[^"'<>]{{6,40}})["']
      | <meta\s[^>]*?content\s*=\s*["'](?P<b>[^"'<>]{{6,40}})["'][^>]*?
        (?:property|name|itemprop)\s*=\s*["']?{_DATE_NAMES}["'\s/>]"""
)
_JSON_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"<>]{6,40})"')
_HEAD_CHARS = 200_000
_PROSE_WORDS = 8
_PROSE_CJK_CHARS = 15
_CJK_FIRST = "\u2e80"
_CJK_STOPS = ("。", "！", "？", "」", "』")
_MAX_DEK_WORDS = 60
_ZONE_SLACK_BEFORE = timedelta(hours=-14)
_ZONE_SLACK_AFTER = timedelta(hours=24 + 14)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:$|[T ]\d{2}:\d{2})")
_SITE_SUFFIX = re.compile(r"\s+[|–—:-]\s+[^|–—]{1,60}$")


def parse_html(source: str, rel_path: str, settings: LoadSettings) -> Article:
    """Read a saved news page: headline, outlet, date, canonical URL and the cleaned body.

    Raises ContentError when the page has no main text.

    >>> page = (
    ...     '<html><head><title>Rain Closes Roads | Daily Post</title>'
    ...     '<meta property="og:site_name" content="Daily Post">'
    ...     '<link rel="canonical" href="https://dailypost.example/rain">'
    ...     '<meta property="article:published_time" content="2025-07-01T09:30:00+01:00">'
    ...     '</head><body><article><h1>Rain Closes Roads</h1>'
    ...     '<p>Heavy rain fell across the north on Monday, closing roads and schools.</p>'
    ...     '<h2>Clean-up begins</h2>'
    ...     '<p>Crews worked through the night to clear fallen trees from the main roads.</p>'
    ...     '<p>Share this article</p></article></body></html>'
    ... )
    >>> a = parse_html(page, "pages/rain.html", LoadSettings())
    >>> a.title, a.outlet, a.url, a.published.isoformat()
    ('Rain Closes Roads', 'Daily Post', 'https://dailypost.example/rain', '2025-07-01T09:30:00+01:00')
    >>> [(b.kind, b.text[:20]) for b in a.blocks]
    [('p', 'Heavy rain fell acro'), ('h2', 'Clean-up begins'), ('p', 'Crews worked through')]
    """
    document, blocks = _extract_body(source)
    if document is None or not _has_text(blocks):
        raise ContentError(rel_path, NO_TEXT)
    url = safe_url(document.url or "")
    sitename = _plain(document.sitename or "")
    title = _headline(_plain(document.title or ""), sitename)
    if not title:
        title = headline_from_prose(next(b.text for b in blocks if not b.is_heading))
    return Article(
        id=article_id(rel_path),
        path=rel_path,
        outlet=_outlet(sitename, url, rel_path),
        title=title,
        dek=standfirst(_plain(document.description or ""), blocks),
        url=url,
        published=_published(document.date, source, settings),
        blocks=blocks,
    )


def _extract_body(source: str) -> tuple[Document | None, tuple[Block, ...]]:
    """trafilatura's Document and the cleaned blocks; (None, ()) when there is no main text.

    The precise extraction comes first; when it leaves little text, the page is read again
    in trafilatura's balanced mode and the longer body wins.
    """
    best: tuple[Document | None, tuple[Block, ...]] = (None, ())
    for precision in (True, False):
        document = _extract(source, precision=precision)
        if document is None or document.body is None:
            continue
        blocks = clean_blocks(
            html_to_blocks(body_html(document.body)),
            title=_plain(document.title or ""),
            author=_plain(document.author or ""),
        )
        if best[0] is None or _words(blocks) > _words(best[1]):
            best = (document, blocks)
        if _words(best[1]) >= MIN_WORDS:
            break
    return best


def _has_text(blocks: tuple[Block, ...]) -> bool:
    """True when some paragraph reads as prose: a sentence, eight words or more, or a run of
    CJK text (a page of menus and link lists has none)."""
    return any(b.kind in ("p", "blockquote", "pre") and _is_prose(b.text) for b in blocks)


def _is_prose(text: str) -> bool:
    if ends_sentence(text) or text.endswith(_CJK_STOPS) or len(text.split()) >= _PROSE_WORDS:
        return True
    return sum(1 for c in text if c >= _CJK_FIRST) >= _PROSE_CJK_CHARS


def _words(blocks: tuple[Block, ...]) -> int:
    return sum(len(b.text.split()) for b in blocks if not b.is_heading)


def _extract(source: str, *, precision: bool) -> Document | None:
    """trafilatura's Document for a page, or None when it finds no main text."""
    import trafilatura
    from trafilatura.settings import Document

    if not source.strip():
        return None
    result = trafilatura.bare_extraction(
        source,
        favor_precision=precision,
        include_comments=False,
        include_formatting=True,
        include_links=False,
        include_tables=True,
        include_images=False,
        deduplicate=False,
        with_metadata=True,
        date_extraction_params=dict(_DATE_PARAMS),
    )
    return result if isinstance(result, Document) else None


def body_html(body: etree._Element) -> str:
    """trafilatura's body tree (p, head, list, item, quote, hi...) as an HTML fragment.

    >>> from lxml import etree
    >>> tree = etree.fromstring('<body><head rend="h2">Talks</head><p>Putin <hi rend="#i">spoke</hi>.</p></body>')
    >>> body_html(tree)
    '<div><h2>Talks</h2>\\n<p>Putin <em>spoke</em>.</p>\\n</div>'
    """
    root = etree.Element("div")
    root.text = body.text
    for child in body:
        _append(root, child)
    return etree.tostring(root, method="html", encoding="unicode")


def _append(parent: etree._Element, element: etree._Element) -> None:
    """Append a converted copy of ``element`` (and its children) to ``parent``."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "graphic" or not tag:
        _add_text(parent, element.tail)
        return
    rend = element.get("rend") or ""
    if tag == "head":
        name = f"h{max(2, int(rend[1]))}" if re.fullmatch(r"h[1-6]", rend) else "h3"
    elif tag == "hi":
        name = _HI.get(rend, "em")
    elif tag == "list":
        name = "ol" if rend == "ol" else "ul"
    elif tag == "cell":
        name = "th" if element.get("role") == "head" else "td"
    elif tag == "code":
        name = "code" if parent.tag in ("p", "li", "td", "th") else "pre"
    else:
        name = _TAGS.get(tag, "span")
    copy = etree.SubElement(parent, name)
    copy.text = element.text
    # A line break between items, cells and lines, so that their texts never run together.
    copy.tail = f"\n{element.tail or ''}" if name in _BREAKS else element.tail
    for child in element:
        _append(copy, child)


def _add_text(parent: etree._Element, text: str | None) -> None:
    if not text:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def is_prompt(text: str) -> bool:
    """True for a share prompt, a "Read more:" line, a newsletter offer, a credit line...

    >>> [is_prompt(x) for x in ["Share this article", "Follow us on Twitter", "Read more: Rain"]]
    [True, True, True]
    >>> is_prompt("Read more about the strike in our earlier report.")
    False
    """
    line = squash(text)
    if len(line) > 300:
        return False
    if _PROMPT.match(line):
        return True
    words = len(line.split())
    if _RIGHTS.search(line) and words <= 60:
        return True
    if _UPDATED.match(line) and words <= 8 and any(c.isdigit() for c in line):
        return True
    return bool(_NEWSLETTER.search(line) and _OFFER.search(line) and words <= 30)


def clean_blocks(
    blocks: tuple[Block, ...], *, title: str = "", author: str = ""
) -> tuple[Block, ...]:
    """Body blocks without page furniture.

    Dropped: the headline, bylines and date lines printed above the story; chrome lines
    and prompts anywhere; a link box's label with the list after it; and at the end, a box
    of links or offers, contact lines and dangling subheads.

    >>> def b(kind, text):
    ...     return Block(kind, text, text)
    >>> body = (b("h2", "Rain"), b("p", "By Ann Lee"), b("p", "It rained all day."),
    ...         b("p", "Follow us on Facebook"), b("h2", "Related Articles"),
    ...         Block("ul", "Sun returns Wind drops", "<li>Sun returns</li><li>Wind drops</li>"))
    >>> [x.text for x in clean_blocks(body, title="Rain", author="Ann Lee")]
    ['It rained all day.']
    """
    items = tuple(blocks)
    while True:  # to a fixed point, so that cleaning twice changes nothing
        cleaned = _clean_once(items, title, author)
        if cleaned == items:
            return items
        items = cleaned


def _clean_once(blocks: tuple[Block, ...], title: str, author: str) -> tuple[Block, ...]:
    items = [b for b in blocks if not is_chrome_line(b.text) and not is_prompt(b.text)]
    start = 0
    while start < min(len(items), 6) and _is_header_line(items[start].text, title, author):
        start += 1
    items = _cut_trailing(items[start:])
    kept: list[Block] = []
    skip_list = False
    for block in items:
        if is_section_label(block.text):
            skip_list = True
            continue
        if not (skip_list and block.kind in ("ul", "ol")):
            kept.append(block)
        skip_list = False
    return tuple(kept)


def _is_header_line(text: str, title: str, author: str) -> bool:
    """The headline again, a byline or a date line, as pages print them above a story."""
    if title and (squash(text).casefold() == title.casefold() or similarity(text, title) >= 0.8):
        return True
    if author and squash(text).casefold().strip(" .,") == author.casefold():
        return True
    return is_byline(text) or parse_date_line(text, UTC) is not None


def is_byline(text: str) -> bool:
    """True for "By Name" with the names capitalised; a role or an outlet may follow.

    >>> is_byline("By Mara Quill, Harbour Gazette"), is_byline("By Monday, ships were waiting")
    (True, False)
    """
    line = squash(text)
    match = _BYLINE.match(line)
    if not match or len(line.split()) > 12 or line.endswith((".", "!", "?")):
        return False
    # The names: what comes before a comma or bar (a role or an outlet may follow).
    words = str(re.split(r"[,|/]", match.group(1))[0]).split()
    names = [w for w in words if w.casefold() not in _NAME_JOINERS]
    if not names or _NOT_NAMES.match(names[0]):
        return False
    return sum(w[0].isupper() for w in names) * 4 >= len(names) * 3


def _cut_trailing(items: list[Block]) -> list[Block]:
    """Drop the furniture after the story, as ``digest.clean.cut_trailing_chrome`` does
    for lines: the first section label (a link box, a newsletter box) whose remainder is
    list-like ends the story; trailing labels, subheads, contact lines, wire credits
    (``digest.clean.is_credit_line``) and a trailing run
    of three or more headline-like paragraphs go too. Lists are read item by item."""
    for i, block in enumerate(items):
        if i > 0 and is_section_label(block.text):
            rest = [line for later in items[i + 1 :] for line in _lines(later)]
            if is_list_like(rest):
                items = items[:i]
                break
    while items and (
        items[-1].is_heading
        or is_section_label(items[-1].text)
        or is_credit_line(items[-1].text)
        or (len(items[-1].text.split()) <= 60 and _CONTACT.search(items[-1].text))
    ):
        items.pop()
    run = 0
    while (
        run < len(items)
        and items[-1 - run].kind == "p"
        and is_headline_like(items[-1 - run].text, 20)
    ):
        run += 1
    if 3 <= run < len(items):
        items = items[: len(items) - run]
    return items


def _lines(block: Block) -> list[str]:
    """A block's lines for the list-likeness test: a list's items, else its text."""
    if block.kind not in ("ul", "ol"):
        return [block.text]
    root = lxml_html.fragment_fromstring(f"<ul>{block.html}</ul>")
    items = [squash(li.text_content()) for li in root.iter("li")]
    return [x for x in items if x] or [block.text]


def _headline(title: str, sitename: str) -> str:
    """The page title without a trailing " | Site Name" when the site name is known.

    >>> _headline("Rain Closes Roads | Daily Post", "Daily Post")
    'Rain Closes Roads'
    """
    match = _SITE_SUFFIX.search(title)
    if match and match.start() > 0 and sitename and similarity(match.group(0), sitename) >= 0.5:
        return title[: match.start()].strip()
    return title


def _outlet(sitename: str, url: str, rel_path: str) -> str:
    """The site's name; else the canonical URL's domain; else the file's folder.

    >>> _outlet("", "https://www.dailypost.example/rain", "rain.html")
    'dailypost.example'
    """
    if sitename and not sitename.startswith("@"):
        return sitename
    host = (urlsplit(url).hostname or "").removeprefix("www.") if url else ""
    if host:
        return host
    parent = PurePosixPath(rel_path).parent
    return "" if str(parent) == "." else parent.name


def standfirst(description: str, blocks: tuple[Block, ...]) -> str:
    """A description as the standfirst, unless it repeats the opening of the body (in full
    or cut short with an ellipsis) or is too long to be one.

    >>> body = (Block("p", "Heavy rain fell across the north.", "Heavy rain fell across the north."),)
    >>> standfirst("Heavy rain fell across the north.", body), standfirst("Roads shut.", body)
    ('', 'Roads shut.')
    >>> standfirst("Heavy rain fell across […]", body)
    ''
    """
    description = squash(description)
    if not description or len(description.split()) > _MAX_DEK_WORDS:
        return ""
    paragraphs = [b.text for b in blocks if not b.is_heading]
    first = paragraphs[0] if paragraphs else ""
    if similarity(description, first) >= 0.6:
        return ""
    opening = re.sub(r"\W+", " ", description.rstrip(".…[] ")).strip().casefold()
    body = re.sub(r"\W+", " ", " ".join(paragraphs)).strip().casefold()
    if opening and body.startswith(opening):
        return ""
    return description


def _published(found: str | None, source: str, settings: LoadSettings) -> datetime | None:
    """The publication time: htmldate's (through trafilatura), made precise by the time
    the page states in its metadata (article:published_time, JSON-LD datePublished...).

    htmldate often gives the day alone, read from the URL or the page text; a stated time
    within that day, allowing for time zones (up to 14 hours either side), replaces it.
    """
    day = _date(found, settings)
    if found and day is not None and _is_copyright_year(found, source):
        day = None
    stated = _stated_date(source, settings)
    if day is None:
        return stated
    if stated is None or (stated.hour, stated.minute, stated.second) == (0, 0, 0):
        return day
    if _ZONE_SLACK_BEFORE <= stated - day < _ZONE_SLACK_AFTER:
        return stated
    return day


def _is_copyright_year(found: str, source: str) -> bool:
    """True for htmldate's last resort: January 1 of the year in the copyright notice.

    >>> _is_copyright_year("2025-01-01T00:00:00", "<p>&copy; 2025 Harbour Gazette</p>")
    True
    """
    if not found.endswith("-01-01T00:00:00"):
        return False
    year = re.escape(found[:4])
    return (
        re.search(rf"(?i)(?:©|&copy;|copyright)\s*(?:\d{{4}}\s*[-–]\s*)?{year}", source) is not None
    )


def _date(value: str | None, settings: LoadSettings) -> datetime | None:
    """An ISO 8601 date or time; anything else (which dateutil would complete from today's
    date) is no date."""
    if not value or not _ISO_DATE.match(value.strip()):
        return None
    try:
        when = parse_date_value(value, settings.timezone)
    except ValueError:
        return None
    return plausible(when)  # 0001-01-01 and kin are placeholders


def _stated_date(source: str, settings: LoadSettings) -> datetime | None:
    """The first publication time the page states in its meta tags or JSON-LD."""
    for match in _META_DATE.finditer(source[:_HEAD_CHARS]):
        when = _date(unescape(match.group("a") or match.group("b") or ""), settings)
        if when is not None:
            return when
    for match in _JSON_LD_DATE.finditer(source):
        when = _date(match.group(1), settings)
        if when is not None:
            return when
    return None


def _plain(fragment: str) -> str:
    """``plain_text`` of outside text, its control characters removed first (lxml refuses
    them)."""
    return plain_text(normalize_text(fragment))
