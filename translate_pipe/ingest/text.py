"""Plain-text releases: a date line, a title, paragraphs separated by blank lines.

A text release looks like ``shared/data/seed_release.txt``: a date line, a title,
paragraphs, a ``(Source: ...)`` trailer and site navigation (a breadcrumb that repeats
the title). Ingest keeps the text as it is, drops the navigation, and says what it
dropped and why, so nothing disappears unreported.

Line breaks inside a paragraph are kept: a header block ("Press release" / "Media
Department" / "March 22, 2018") is several lines, and the segmenter makes each line a
segment of its own, in ``run`` exactly as in ``segment``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..config import IngestConfig
from ..errors import InputError
from ..model import Paragraph, Release
from ..segment import split_sentences
from .boilerplate import Furniture, boilerplate_reason, drop_edge_furniture, shorten, split_trailing_link
from .common import clean_text, display_name, release_id
from .dates import parse_date

_SOURCE_TRAILER = re.compile(r"\(\s*Source\s*:\s*(?P<source>[^()]{1,200})\)\s*$", re.I)
_LISTING_DATE = re.compile(r"\s+(?:In|Dans|في)\s+")
_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")


def parse_release_text(
    text: str,
    origin: str,
    config: IngestConfig | None = None,
    *,
    title: str | None = None,
    date: str | None = None,
    external_id: str | None = None,
    lang: str = "en",
    furniture: Furniture | None = None,
) -> Release:
    """Parse one release. Raises :class:`InputError` when the text cannot be one.

    ``furniture`` is what the batch this text came in taught about its site's
    repeated lines (see :mod:`.boilerplate`)."""
    config = config or IngestConfig()
    name = display_name(origin)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text, dropped, warnings = clean_text(text)
    if title is not None:  # a record's own title (JSON lines, Parquet) is text to store too
        title, title_dropped, title_warnings = clean_text(title)
        dropped += [f"title: {entry}" for entry in title_dropped]
        warnings += [f"title: {entry}" for entry in title_warnings]
    if not text.strip():
        raise InputError(f"{name}: empty release")
    if len(text) > config.max_release_chars:
        raise InputError(
            f"{name}: {len(text):,} characters is more than ingest.max_release_chars="
            f"{config.max_release_chars:,}"
        )
    lines, learned = drop_edge_furniture(text.split("\n"), furniture)
    dropped += learned
    blocks = [block.strip("\n") for block in _BLANK_LINE.split("\n".join(lines))]
    # A single-newline layout (one paragraph per line) is common in scraped text.
    if len(blocks) == 1 and blocks[0].count("\n") >= 2:
        blocks = blocks[0].split("\n")
    return release_from_blocks(blocks, origin, config, title=title, date=date, external_id=external_id,
                               lang=lang, dropped=dropped, warnings=warnings)


def release_from_blocks(
    blocks: Sequence[str],
    origin: str,
    config: IngestConfig,
    *,
    title: str | None = None,
    date: str | None = None,
    external_id: str | None = None,
    lang: str = "en",
    url: str | None = None,
    dropped: Sequence[str] = (),
    warnings: Sequence[str] = (),
) -> Release:
    """A release from its paragraphs (lines inside one kept): the date line and title
    are found at the top unless given, furniture is dropped line by line and reported."""
    name = display_name(origin)
    dropped = list(dropped)
    title_hint = title or ""
    listing_dates: set[str | None] = set()
    kept: list[str] = []
    for block in blocks:
        lines = []
        for line in block.split("\n"):
            line = line.strip()
            if not line:
                continue
            line, link = split_trailing_link(line)
            if link:
                dropped.append(f"language link: {link}")
            reason = boilerplate_reason(line, title_hint)
            if reason:
                dropped.append(f"{reason}: {shorten(line)}")
                if reason == "listing header":
                    # "20 October 2017 In Coalition News": the item's date.
                    # "21 آذار/مارس 2018": either month name is the month.
                    listing_dates.add(parse_date(re.sub(r"\s*/\s*\S+", "", _LISTING_DATE.split(line, maxsplit=1)[0])))
            else:
                lines.append(line)
        if lines:
            kept.append("\n".join(lines))

    if date is None and kept and (parsed := parse_date(kept[0].split("\n")[0])):
        date = parsed
        first_lines = kept[0].split("\n")[1:]
        kept = (["\n".join(first_lines)] if first_lines else []) + kept[1:]
    if title is None:
        if not kept:
            raise InputError(f"{name}: no title or text after the date line")
        title, _, rest = kept[0].partition("\n")
        kept = ([rest] if rest else []) + kept[1:]
        # The breadcrumb at the end repeats the title: only known now.
        kept, crumbs = _drop_breadcrumbs(kept, title)
        dropped += crumbs
    listing_dates.discard(None)
    if date is None and listing_dates:
        # A listing page: the earliest of its items' dates ("21 آذار/مارس 2018 In ..."), as
        # pairing takes the earliest date of an opening (later items look back less often).
        date = min(d for d in listing_dates if d)
    if date is None:
        date = _date_in_header(kept)

    source = None
    if kept and (match := _SOURCE_TRAILER.search(kept[-1])):
        source = match.group("source").strip()

    paragraphs = [Paragraph(title, "title")]
    for number, block in enumerate(kept):
        kind = "trailer" if number == len(kept) - 1 and _SOURCE_TRAILER.fullmatch(block.strip()) else "body"
        paragraphs.append(Paragraph(block, kind))

    for paragraph in paragraphs:
        _check_sentence_lengths(paragraph.text, name, config, lang)

    return Release(
        id=release_id(title, paragraphs[1:]),
        title=title,
        paragraphs=tuple(paragraphs),
        lang=lang,
        date=date,
        source=source or url,
        origin=origin,
        external_id=external_id,
        dropped=tuple(dropped),
        url=url,
        warnings=tuple(warnings),
    )


def _drop_breadcrumbs(blocks: list[str], title: str) -> tuple[list[str], list[str]]:
    kept, dropped = [], []
    for block in blocks:
        lines = []
        for line in block.split("\n"):
            if boilerplate_reason(line, title) == "breadcrumb":
                dropped.append(f"breadcrumb: {shorten(line)}")
            else:
                lines.append(line)
        if lines:
            kept.append("\n".join(lines))
    return kept, dropped


def _date_in_header(blocks: list[str]) -> str | None:
    """The date line of a header block ("Media Department" / "March 22, 2018")."""
    for block in blocks[:3]:
        for line in block.split("\n")[:6]:
            if parsed := parse_date(line):
                return parsed
    return None


def _check_sentence_lengths(text: str, name: str, config: IngestConfig, lang: str) -> None:
    if len(text) <= config.max_sentence_chars:
        return
    for sentence in split_sentences(text, lang):
        if len(sentence) > config.max_sentence_chars:
            raise InputError(
                f"{name}: a {len(sentence):,}-character sentence is longer than "
                f"ingest.max_sentence_chars={config.max_sentence_chars:,} (not prose?)"
            )
