"""Read press releases from text files, web pages, JSON lines, Parquet and folders of them.

Every input kind ends in the same :class:`~translate_pipe.model.Release`: metadata,
paragraphs in order, and what ingest dropped and why. Files that cannot be releases
(empty, binary, undecodable, a page with no article, a megabyte without a sentence
end) come out of :func:`read_releases` as :class:`Skipped` items naming the file and
the reason; the caller decides whether that is fatal.

- ``text``: plain-text releases (date line, title, paragraphs, header blocks);
- ``jsonl``: JSON-lines and Parquet records;
- ``html``: saved web pages, through trafilatura;
- ``boilerplate``: site furniture, by shape and by repetition across a batch;
- ``files``: folders, file kinds, and the one entry point :func:`read_releases`;
- ``common`` and ``dates``: what they share.
"""

from __future__ import annotations

from pathlib import Path

from ..model import Release
from .boilerplate import Furniture, boilerplate_reason
from .common import (
    BIDI_CONTROLS, Skipped, clean_text, decode_text, display_name, read_lines, read_text, release_id,
)
from .dates import parse_date
from .files import (
    JSONL_SUFFIXES, PARQUET_SUFFIXES, RELEASE_SUFFIXES, TEXT_SUFFIXES, expand_inputs, extract_release, learn_furniture,
    origin_label,
    read_releases, release_from_page, releases_from_bytes, scan_inputs, site_furniture,
)
from .html import HTML_SUFFIXES, ExtractedPage, extract_page, looks_like_html
from .jsonl import release_from_record, releases_from_jsonl
from .text import parse_release_text


def origin_key(origin: str, external_id: str | None) -> str:
    """How a release is matched with its human translation: its JSON-lines id, else
    its file name without the extension (``releases/2024-03-harbour.txt`` and
    ``references/fr/2024-03-harbour.txt`` match)."""
    if external_id:
        return external_id
    for suffix in (".jsonl:", ".ndjson:", ".parquet:"):
        path, _, line = origin.partition(suffix)
        if line:
            return f"{Path(path).name}:{line}"
    return Path(origin).stem


def release_key(release: Release) -> str:
    return origin_key(release.origin, release.external_id)


__all__ = [
    "BIDI_CONTROLS", "ExtractedPage", "Furniture", "HTML_SUFFIXES", "JSONL_SUFFIXES", "PARQUET_SUFFIXES",
    "RELEASE_SUFFIXES", "Skipped", "TEXT_SUFFIXES", "boilerplate_reason", "clean_text", "decode_text",
    "display_name", "expand_inputs", "extract_page", "extract_release", "learn_furniture", "looks_like_html", "origin_key", "origin_label", "parse_date",
    "parse_release_text", "read_lines", "read_releases", "read_text", "release_from_page", "release_from_record",
    "release_id", "release_key", "releases_from_bytes", "releases_from_jsonl", "scan_inputs", "site_furniture",
]
