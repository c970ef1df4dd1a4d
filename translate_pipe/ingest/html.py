"""Saved web pages: the article's title, date, address and paragraphs, by trafilatura.

Steps, each explicit: decode the bytes honouring the page's own charset (byte-order
mark, then ``<meta charset>``/XML declaration, then UTF-8, then a detector); extract
the main text with trafilatura (measured against its defaults on
``shared/data/pages`` by ``bench/extract_quality.py``); clean what it returns (soft
hyphens, the title repeated as the first paragraph); and list what the page held
outside the article, so that ``extract --format json`` and ``run --verbose`` show
what was dropped.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from ..config import IngestConfig
from ..errors import InputError
from .boilerplate import _TAIL_PARAGRAPHS, call_to_action_reason, shorten
from .common import display_name

_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,100}encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})""", re.I)
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html|<head|<body|<\?xml[^>]*>\s*<(?:!doctype\s+)?html)",
                         re.I | re.S)
_HTML_TAGS = re.compile(rb"<(?:html|head|body|div|p|title|meta|article)\b", re.I)

HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}

# Paragraph-level elements whose text, when absent from the extraction, was dropped.
_LEAF_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "figcaption", "caption")
_MAX_REPORTED = 60
# Fewer words than this is a menu or a placeholder, not a release.
_MIN_ARTICLE_WORDS = 8
_CONTROL_BYTES = (*range(0, 9), 11, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31)


def looks_like_html(data: bytes) -> bool:
    """Whether a file's bytes are a web page, whatever its name says."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(head):
        return True
    return len(_HTML_TAGS.findall(head)) >= 3


def decode_html(data: bytes, origin: str) -> tuple[str, str]:
    """The page's text and the encoding used: byte-order mark, declared charset, UTF-8,
    then a detector. Raises :class:`InputError` when none gives text."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace"), encoding
    head = data[:4096]
    declared = _CHARSET.search(head) or _XML_ENCODING.search(head)
    candidates = []
    if declared:
        candidates.append(_normalise_charset(declared.group(1).decode("ascii")))
    candidates.append("utf-8")
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
    except ImportError:  # pragma: no cover - a dependency of trafilatura
        best = None
    if best is not None and best.encoding:
        return data.decode(best.encoding, errors="replace"), best.encoding
    if b"\x00" in head:
        raise InputError(f"{display_name(origin)}: binary file (NUL bytes), not a web page")
    return data.decode("cp1252", errors="replace"), "cp1252"


def _normalise_charset(name: str) -> str:
    name = name.lower()
    # Browsers read pages declared Latin-1 as Windows-1252 (its superset); so must we.
    return {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252",
            "ascii": "cp1252"}.get(name, name)


@dataclass(frozen=True)
class ExtractedPage:
    """What extraction keeps of a page, and what it left out."""

    title: str | None
    date: str | None
    url: str | None
    lang: str | None
    paragraphs: tuple[str, ...]
    dropped: tuple[str, ...] = ()
    encoding: str = "utf-8"
    extra: dict[str, str] = field(default_factory=dict)


def extract_page(data: bytes, origin: str, config: IngestConfig | None = None,
                 report_dropped: bool = True) -> ExtractedPage:
    """Extract one saved page. Raises :class:`InputError` naming ``origin`` when the
    bytes are not a page with an article."""
    config = config or IngestConfig()
    name = display_name(origin)
    if len(data) > config.max_page_bytes:
        raise InputError(f"{name}: {len(data):,} bytes of markup is more than ingest.max_page_bytes="
                         f"{config.max_page_bytes:,}")
    if not data.strip():
        raise InputError(f"{name}: empty page")
    head = data[:4096]
    if not head.startswith((b"\xff\xfe", b"\xfe\xff")) and sum(head.count(bytes([c])) for c in _CONTROL_BYTES) * 50 > len(head):
        raise InputError(f"{name}: binary file (control bytes), not a web page")
    html, encoding = decode_html(data, origin)
    try:
        import trafilatura
    except ImportError as exc:
        raise InputError(f"{name}: reading web pages needs trafilatura ({exc}): pip install trafilatura") from None
    tree = _parse(html)
    if tree is None:
        raise InputError(f"{name}: not HTML (nothing to parse)")
    _wrap_loose_text(tree)
    title, date, url = _metadata(tree)
    # Extraction prunes the tree it is given; the original is kept for the dropped report.
    document = trafilatura.bare_extraction(
        copy.deepcopy(tree), include_comments=False, include_tables=True, with_metadata=False, config=_settings(),
        fast=True,
    )
    text = getattr(document, "text", None) if document is not None else None
    if not text or not text.strip():
        raise InputError(f"{name}: no article text found in the page")
    paragraphs = [p for p in (_clean(line) for line in text.split("\n")) if p]
    if title and paragraphs and _same(paragraphs[0], title):
        paragraphs = paragraphs[1:]
    if sum(len(p.split()) for p in paragraphs) < _MIN_ARTICLE_WORDS:
        raise InputError(f"{name}: no article text found in the page (only "
                         f"{sum(len(p.split()) for p in paragraphs)} words outside its menus)")
    paragraphs, links = _without_link_lines(tree, paragraphs)
    if date is None:
        date = _date_line(paragraphs)
    paragraphs, stamps = _without_stamp_lines(paragraphs)
    links.extend(stamps)
    captions = [paragraph for paragraph in paragraphs if _is_caption(paragraph)]
    if captions and len(captions) < len(paragraphs):
        paragraphs = [paragraph for paragraph in paragraphs if paragraph not in captions]
        links.extend(f"picture caption: {shorten(caption)}" for caption in captions)
    # The title again under the time stamps ("Posted on" / title / body): it is the title line.
    repeated = next((number for number, paragraph in enumerate(paragraphs[:_STAMP_EDGE])
                     if title and _same(paragraph, title)), None)
    if repeated is not None and len(paragraphs) > 1:
        links.append(f"title repeated: {shorten(paragraphs.pop(repeated))}")
    lang = _page_lang(tree)
    dropped = [*links, *(_left_out(tree, paragraphs, title) if report_dropped else [])]
    return ExtractedPage(title=title, date=date, url=url, lang=lang,
                         paragraphs=tuple(paragraphs), dropped=tuple(dropped), encoding=encoding)


_SETTINGS = None


def _settings():
    global _SETTINGS
    if _SETTINGS is None:
        from trafilatura.settings import use_config

        _SETTINGS = use_config()
        # The timeout uses signals, which work only on the main thread (Ray, servers).
        _SETTINGS.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return _SETTINGS


def _metadata(tree) -> tuple[str | None, str | None, str | None]:
    """Title, publication date and canonical address from the page's metadata (OpenGraph,
    meta tags, JSON-LD, the canonical link, ``htmldate`` without its slow text search);
    author, site name and tags are not needed and not computed."""
    from htmldate import find_date
    from trafilatura.metadata import examine_meta, extract_meta_json, extract_title, extract_url

    metadata = examine_meta(tree)
    try:
        metadata = extract_meta_json(tree, metadata)
    except Exception:  # noqa: BLE001 - trafilatura's JSON-LD reader fails on odd pages; metadata is optional
        pass
    title = _without_site_name(metadata.title, metadata.sitename, tree) if metadata.title else extract_title(tree)
    url = metadata.url or extract_url(tree)
    try:
        date = find_date(tree, extensive_search=False, original_date=True, url=url)
    except Exception:  # noqa: BLE001 - same: a page without a readable date has none
        date = None
    return (_clean(title) or None) if title else None, date or None, url or None


_TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+|\s+[|–—:]\s*$")


def _without_site_name(title: str, sitename: str | None, tree) -> str:
    """The article's title without the site's name that page titles add ("... | DW | 19.01.2020"):
    the page's one heading when the title contains it, else the title less a trailing site name."""
    title = " ".join(title.split())
    headings = [" ".join(" ".join(h.itertext()).split()) for h in tree.iterfind(".//h1")]
    headings = [h for h in headings if len(h) >= 8]
    if headings and headings[0] != title and headings[0].casefold() in title.casefold():
        return headings[0]
    if sitename:
        parts = _TITLE_SEPARATOR.split(title)
        if len(parts) > 1 and parts[-1].strip().casefold() == sitename.strip().casefold():
            return title[: title.rfind(parts[-1])].rstrip(" |–—-:")
    return title


# A link line that closes an article ("Our Standards: The Trust Principles.") is at most
# this many words, in the last ``_TAIL_PARAGRAPHS`` paragraphs, and mostly link text.
_TAIL_LINK_WORDS = 12
_TAIL_LINK_SHARE = 0.6
# A call to action anywhere in the article ("Get the Daily Edition by email ... Free Sign
# Up") is kept by the extractor as a paragraph; when all of it is a link, it is the site's.
_ALL_LINK_SHARE = 0.9


def _without_link_lines(tree, paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """``paragraphs`` without the page's link lines, and what was dropped, with why: a
    call to action whose text is all link, anywhere; a short line that is mostly link,
    among the last paragraphs (a standards badge, "More from ...")."""
    def may_go(number: int, paragraph: str) -> bool:
        return bool(call_to_action_reason(paragraph, 0)) or (
            len(paragraphs) - number <= _TAIL_PARAGRAPHS and len(paragraph.split()) <= _TAIL_LINK_WORDS)

    if not any(may_go(number, paragraph) for number, paragraph in enumerate(paragraphs)):
        return list(paragraphs), []  # no paragraph a link share could drop: the page's links are not measured
    shares = _link_shares(tree)
    kept: list[str] = []
    dropped: list[str] = []
    for number, paragraph in enumerate(paragraphs):
        share = shares.get(" ".join(paragraph.split()).casefold(), 0.0)
        reason = None
        if share >= _ALL_LINK_SHARE and call_to_action_reason(paragraph, 0):
            reason = "call to action (a link)"
        elif (share >= _TAIL_LINK_SHARE and len(paragraphs) - number <= _TAIL_PARAGRAPHS
              and len(paragraph.split()) <= _TAIL_LINK_WORDS):
            reason = "link at the end of the article"
        if reason:
            dropped.append(f"{reason}: {shorten(paragraph)}")
        else:
            kept.append(paragraph)
    return kept, dropped


def _link_shares(tree) -> dict[str, float]:
    """For each paragraph-level block of the page that holds a link (its text, spaces
    collapsed, case folded): how much of its text is inside links. Found from the links
    up (each to its nearest paragraph, item or div with text of its own), so a page costs
    one pass over its links, not one search per block."""
    body = tree.find("body")
    shares: dict[str, float] = {}
    if body is None:
        return shares
    linked: dict[object, int] = {}
    for link in body.iter("a"):
        # An e-mail address or a telephone number is the release's contact, not the site's link.
        if link.get("href", "").strip().lower().startswith(("mailto:", "tel:")):
            continue
        block = next((a for a in link.iterancestors()
                      if a.tag in ("p", "li") or a.tag == "div" and (a.text or "").strip()), None)
        if block is not None:
            linked[block] = linked.get(block, 0) + len(" ".join(" ".join(link.itertext()).split()))
    for block, length in linked.items():
        text = " ".join(" ".join(block.itertext()).split())
        if not text or len(text) > 400:
            continue
        key = _clean(text).casefold()
        shares[key] = max(shares.get(key, 0.0), min(1.0, length / len(text)))
    return shares


# The page's time stamps at the top or the bottom of the article ("Posted on", "May 06,
# 2022 News", "Latest update May 6th, 2022 12:49 AM", "2023-11-06"): the date is kept
# as the release's date; the line is no text to translate.
_STAMP_DATE = re.compile(
    r"(?:\b\d{1,2}(?:st|nd|rd|th|er)?\s+[^\W\d_]{3,10}\.?,?\s+\d{4}|\b[^\W\d_]{3,10}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?"
    r"\s+\d{4}|\b\d{4}-\d{2}-\d{2}|\b\d{1,2}/\d{1,2}/\d{2,4})"
    r"(?:,?\s*(?:at\s+|à\s+)?\d{1,2}[:h]\d{2}(?::\d{2})?\s*(?:[AaPp]\.?[Mm]\.?)?(?:\s*[A-Z]{2,4}\b)?)?", re.I)
_STAMP_WORDS = frozenset(
    "posted published updated update latest last modified written on at by le à publié mis jour modifié news report "
    "nouvelles actualités | / - – — : , نشر في بتاريخ آخر تحديث".split())
_STAMP_EDGE = 3


def _without_stamp_lines(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """``paragraphs`` without the time stamps among the first and last ``_STAMP_EDGE``
    (a date and label words at most, or label words alone before the first sentence)."""
    kept: list[str] = []
    dropped: list[str] = []
    for number, paragraph in enumerate(paragraphs):
        at_edge = number < _STAMP_EDGE or len(paragraphs) - number <= _STAMP_EDGE
        if at_edge and len(paragraph.split()) <= 12 and _is_stamp(paragraph, top=number < _STAMP_EDGE):
            dropped.append(f"time stamp: {shorten(paragraph)}")
        else:
            kept.append(paragraph)
    return kept, dropped


def _is_stamp(paragraph: str, top: bool) -> bool:
    dated = _STAMP_DATE.search(paragraph) is not None
    rest = [word for word in _STAMP_DATE.sub(" ", paragraph).casefold().split() if word.strip(":,.|/-–—")]
    labels = [word.strip(":,.|/-–—") for word in rest]
    if dated:
        # "May 06, 2022 News", "October 22, 2019 report": one other word at most.
        return len([word for word in labels if word not in _STAMP_WORDS]) <= 1 and len(labels) <= 6
    # "Posted on" with its date in another element: label words alone, at the top.
    return top and bool(labels) and all(word in _STAMP_WORDS for word in labels) and len(labels) <= 4


# A picture's caption that the extractor kept in the article: a short paragraph that ends
# with the picture's credit ("... daily briefings. Photo: Jonathan Nackstrand/AFP",
# "(Picture by Jameel Springer)", "Photo Source: Markus Spiske from Pexels.").
_CAPTION_CREDIT = re.compile(
    r"(?:^|[.!?…][\"”’]?\s+|\s(?=\())\(?(?:photo|picture|image|crédit photo|photo credit|image credit|photo source"
    r"|الصورة)s?"
    r"(?:\s*(?::|by|par)\s*)[^.()]{2,60}\)?\.?$", re.I)
_CAPTION_WORDS = 50


def _is_caption(paragraph: str) -> bool:
    return len(paragraph.split()) <= _CAPTION_WORDS and _CAPTION_CREDIT.search(paragraph) is not None


def _date_line(paragraphs: list[str]) -> str | None:
    from .dates import parse_date

    for paragraph in paragraphs[:4]:
        if len(paragraph) <= 60 and (parsed := parse_date(paragraph)):
            return parsed
    return None


_PARSER = None


def _parser():
    """lxml's HTML parser without comments and processing instructions: a comment's
    tail is text ("<div><!--filter-->First paragraph"), and extraction that drops the
    comment node would drop that text with it."""
    global _PARSER
    if _PARSER is None:
        from lxml import html as lxml_html

        _PARSER = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
    return _PARSER


# Loose text: text that follows a block inside a container ("<div class=photo>...</div>
# Anchor: After heavy downpours ...<br>Report: ..."), not inside any paragraph. Such a
# run of text is put in a paragraph of its own (with the inline elements after it), so
# that extraction sees a paragraph; left where it is, it went with the block before it
# when that block was pruned.
_BLOCK_TAGS = ("div", "figure", "table", "ul", "ol", "dl", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
               "section", "aside", "header", "nav", "form", "p", "pre", "hr")
_INLINE_TAGS = frozenset({"a", "b", "i", "em", "strong", "span", "br", "font", "u", "small", "sup", "sub", "abbr",
                          "cite", "q", "time", "mark"})
_LOOSE_TEXT_CONTAINERS = frozenset({"div", "article", "section", "main", "td", "body"})
_LOOSE_TEXT_MIN_WORDS = 5


def _wrap_loose_text(tree) -> None:
    """Put each run of loose text of ``_LOOSE_TEXT_MIN_WORDS`` words or more in a ``<p>``."""
    from lxml import html as lxml_html

    body = tree.find("body")
    if body is None:
        return
    for element in list(body.iter(*_BLOCK_TAGS)):
        parent = element.getparent()
        if parent is None or parent.tag not in _LOOSE_TEXT_CONTAINERS:
            continue
        if len((element.tail or "").split()) < _LOOSE_TEXT_MIN_WORDS:
            continue
        paragraph = lxml_html.Element("p")
        paragraph.text, element.tail = element.tail, None
        sibling = element.getnext()
        element.addnext(paragraph)
        while sibling is not None and sibling.tag in _INLINE_TAGS:
            following = sibling.getnext()
            paragraph.append(sibling)  # moves it, with its tail
            sibling = following


def _parse(html: str):
    from lxml import html as lxml_html
    from lxml.etree import ParserError

    # lxml refuses a str that declares its encoding; the text is decoded already.
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html, count=1)
    try:
        return lxml_html.document_fromstring(html, parser=_parser())
    except (ParserError, ValueError):
        return None


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def _clean(text: str) -> str:
    # Soft hyphens are invisible line-break hints: "Wis\u00adsen" is "Wissen".
    return _SPACES.sub(" ", text.replace("\u00ad", "").replace("\u200b", "")).strip()


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _page_lang(tree) -> str | None:
    value = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not value:
        for meta in tree.iterfind(".//meta[@http-equiv]"):
            if meta.get("http-equiv", "").lower() == "content-language":
                value = meta.get("content")
                break
    if not value:
        return None
    return value.strip().lower().replace("_", "-").split("-")[0] or None


_CONTAINERS = {"nav": "menu", "footer": "footer", "header": "page header", "aside": "sidebar", "form": "form"}


def _left_out(tree, paragraphs: list[str], title: str | None) -> list[str]:
    """The page's visible blocks of text that the extraction left out, each once, the
    first ``_MAX_REPORTED`` of them with what holds them (menu, footer, ...)."""
    kept_lines = {" ".join(p.split()).casefold() for p in paragraphs}
    kept = "\n".join(kept_lines)
    if title:
        kept_lines.add(" ".join(title.split()).casefold())
    body = tree.find("body")
    if body is None:
        return []
    seen: set[str] = set()
    dropped: list[str] = []
    for element in body.iter(*_LEAF_BLOCKS):
        text = " ".join(" ".join(element.itertext()).split())
        if len(text) < 2 or text in seen:
            continue
        seen.add(text)
        folded = _clean(text).casefold()
        if folded in kept_lines or folded in kept:
            continue
        if len(dropped) == _MAX_REPORTED:
            dropped.append("outside the article: more blocks (only the first "
                           f"{_MAX_REPORTED} are listed)")
            break
        label = next((_CONTAINERS[a.tag] for a in element.iterancestors() if a.tag in _CONTAINERS),
                     "outside the article")
        dropped.append(f"{label}: {text[:80]}{'…' if len(text) > 80 else ''}")
    return dropped
