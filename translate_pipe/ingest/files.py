"""Files and folders in, releases out: which reader each file gets, and every skip named.

Nothing is passed over silently: a folder that cannot be read, a dangling symbolic
link, a file of no known kind come out as :class:`Skipped` with the reason (only
hidden files, whose names start with a dot, are left alone, as every tool does).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..config import IngestConfig
from ..errors import InputError
from ..model import Release
from .boilerplate import Furniture, call_to_action_reason, drop_edge_furniture, edge_lines, shorten
from .common import Skipped, clean_text, decode_text, display_name, reason_of
from .html import HTML_SUFFIXES, ExtractedPage, extract_page, looks_like_html
from .jsonl import releases_from_jsonl, releases_from_parquet
from .text import parse_release_text, release_from_blocks

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
PARQUET_SUFFIXES = {".parquet"}
RELEASE_SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES | PARQUET_SUFFIXES | HTML_SUFFIXES

# How many files of a batch teach its repeated lines (the first ones, in order).
LEARN_FROM_FILES = 1000


def origin_label(path: Path | str) -> str:
    """How a file is named in releases, messages and the store: its path, escaped when
    the name is not valid UTF-8 or holds control characters (newlines, escapes)."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return display_name(text)
    return text if text.isprintable() else display_name(text)


def scan_inputs(inputs: Iterable[str | Path]) -> Iterator[Path | Skipped]:
    """The files named by ``inputs`` (as given; folders searched, sorted), and a
    :class:`Skipped` for each thing in a folder that cannot be read or is no release.

    A path that does not exist, or a folder with nothing in it, raises
    :class:`InputError`: that is a usage mistake, not bad data."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = list(_scan_folder(path))
            if not found:
                raise InputError(f"{display_name(path)}: no releases in this folder (looked for .txt, .html, "
                                 f".jsonl and .parquet files)")
            yield from found
        elif path.is_file():
            yield path
        elif path.is_symlink():
            raise InputError(f"{display_name(path)}: dangling symbolic link (to {display_name(os.readlink(path))})")
        else:
            raise InputError(f"{display_name(path)}: no such file or folder")


def _scan_folder(folder: Path) -> Iterator[Path | Skipped]:
    problems: list[Skipped] = []

    def unreadable(error: OSError) -> None:
        where = error.filename or folder
        problems.append(Skipped(origin_label(where), f"cannot read folder: {error.strerror}"))

    entries: list[Path | Skipped] = []
    visited: set[str] = set()
    for root, dirs, files in os.walk(folder, onerror=unreadable, followlinks=True):
        real = os.path.realpath(root)
        if real in visited:  # a symbolic link back up the tree
            dirs[:] = []
            continue
        visited.add(real)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.startswith("."):
                continue
            path = Path(root) / name
            if not path.exists():
                target = display_name(os.readlink(path)) if path.is_symlink() else "?"
                entries.append(Skipped(origin_label(path), f"dangling symbolic link (to {target})"))
            elif not path.is_file():
                entries.append(Skipped(origin_label(path), "not a regular file"))
            elif path.suffix.lower() in RELEASE_SUFFIXES or _sniffs_as_html(path):
                entries.append(path)
            else:
                entries.append(Skipped(origin_label(path), f"not a release file ({path.suffix or 'no suffix'}); "
                                                           f"neither text, HTML, JSON lines nor Parquet"))
    entries.sort(key=lambda entry: str(entry) if isinstance(entry, Path) else entry.origin)
    yield from problems
    yield from entries


def _sniffs_as_html(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return looks_like_html(handle.read(4096))
    except OSError:
        return False


def expand_inputs(inputs: Iterable[str | Path]) -> Iterator[Path]:
    """The release files named by ``inputs``: files as given, folders searched, sorted
    (what cannot be read is left out here; :func:`read_releases` reports it)."""
    for entry in scan_inputs(inputs):
        if isinstance(entry, Path):
            yield entry


def read_releases(
    inputs: Iterable[str | Path], config: IngestConfig | None = None, lang: str = "en",
    learn_furniture: bool = True,
) -> Iterator[Release | Skipped]:
    """Every release in ``inputs`` (files or folders), in a stable order.

    Bad files come out as :class:`Skipped` with the reason; a path that does not
    exist raises :class:`InputError` since that is a usage mistake, not bad data.
    With ``learn_furniture``, lines repeated at the edges of many files of the batch
    are learned first and dropped as site furniture (see :mod:`.boilerplate`).
    """
    config = config or IngestConfig()
    entries = list(scan_inputs(inputs))
    # What learning read, so that no file is read twice: pages extracted, texts decoded.
    pages: dict[Path, ExtractedPage | Skipped] = {}
    texts: dict[Path, str] = {}
    furniture = _learn(entries, config, pages, texts) if learn_furniture else None
    for entry in entries:
        if isinstance(entry, Skipped):
            yield entry
            continue
        origin = origin_label(entry)
        if entry in pages:
            yield _release_from_page(pages.pop(entry), origin, config, lang, furniture)
            continue
        if entry in texts:
            try:
                yield parse_release_text(texts.pop(entry), origin, config, lang=lang, furniture=furniture)
            except InputError as exc:
                yield Skipped(origin, reason_of(exc, origin))
            continue
        try:
            data = entry.read_bytes()
        except OSError as exc:
            yield Skipped(origin, f"cannot read: {exc.strerror}")
            continue
        yield from releases_from_bytes(origin, data, config, lang, furniture)


# How much decoded text of the learning sample is kept for ingest (characters, in all):
# the first thousand releases of a batch are a few megabytes; past this, files are read
# again rather than held.
LEARN_CACHE_CHARS = 32_000_000


def _learn(entries: list[Path | Skipped], config: IngestConfig,
           pages: dict[Path, ExtractedPage | Skipped], decoded: dict[Path, str] | None = None) -> Furniture | None:
    """Furniture of the batch, from its first text files and pages. Pages extracted here
    are kept in ``pages`` and, given ``decoded``, text files decoded here are kept in it
    (up to ``LEARN_CACHE_CHARS`` characters), so that no file is read twice."""
    texts: list[str] = []
    kept_chars = 0
    for entry in entries[:LEARN_FROM_FILES]:
        if not isinstance(entry, Path):
            continue
        suffix = entry.suffix.lower()
        if suffix in JSONL_SUFFIXES | PARQUET_SUFFIXES:
            continue
        try:
            data = entry.read_bytes()
        except OSError:
            continue
        if suffix in HTML_SUFFIXES or looks_like_html(data):
            page = _extract(data, origin_label(entry), config)
            pages[entry] = page
            if isinstance(page, ExtractedPage):
                texts.append("\n".join(page.paragraphs))
        elif len(data) <= config.max_release_chars:
            try:
                text = decode_text(data, str(entry))
            except InputError:
                continue
            texts.append(text)
            if decoded is not None and kept_chars + len(text) <= LEARN_CACHE_CHARS:
                decoded[entry] = text
                kept_chars += len(text)
    if len(texts) < 3:
        return None
    return Furniture.learn(texts)


def learn_furniture(paths: Iterable[str | Path], config: IngestConfig | None = None) -> Furniture | None:
    """The furniture of a batch of files (see :mod:`.boilerplate`), for engines that read
    the files elsewhere and hand their bytes to :func:`releases_from_bytes`."""
    return _learn([Path(p) for p in paths], config or IngestConfig(), {})


def site_furniture(folder: str | Path, config: IngestConfig | None = None) -> Furniture:
    """The furniture learned from the release files of ``folder`` (searched as ``run``
    searches a folder), for :func:`extract_release`: what ``run FOLDER`` drops from each
    of its files as repeated site lines. Raises :class:`InputError` when ``folder`` is
    not a folder or holds too few files to learn from."""
    path = Path(folder)
    if not path.is_dir():
        raise InputError(f"{origin_label(path)}: not a folder (--site names the folder of the site's releases)")
    furniture = _learn(list(scan_inputs([path])), config or IngestConfig(), {})
    if furniture is None:
        raise InputError(f"{origin_label(path)}: fewer than 3 readable text files or pages to learn the site's "
                         f"repeated lines from")
    return furniture


def _extract(data: bytes, origin: str, config: IngestConfig) -> ExtractedPage | Skipped:
    try:
        return extract_page(data, origin, config)
    except InputError as exc:
        return Skipped(origin, reason_of(exc, origin))


def releases_from_bytes(
    origin: str, data: bytes, config: IngestConfig | None = None, lang: str = "en",
    furniture: Furniture | None = None,
) -> Iterator[Release | Skipped]:
    """The releases in one file's bytes: a web page, a text release, or JSON lines or
    Parquet when ``origin`` says so.

    Each engine (local or Ray) reads files its own way and hands the bytes here, so
    both parse exactly alike.
    """
    config = config or IngestConfig()
    suffix = Path(origin).suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        yield from releases_from_parquet(origin, data, config, lang)
        return
    if suffix in HTML_SUFFIXES or (suffix not in JSONL_SUFFIXES and looks_like_html(data)):
        yield _release_from_page(_extract(data, origin, config), origin, config, lang, furniture)
        return
    try:
        text = decode_text(data, origin)
    except InputError as exc:
        yield Skipped(origin, reason_of(exc, origin))
        return
    if suffix in JSONL_SUFFIXES:
        yield from releases_from_jsonl(origin, text, config, lang)
        return
    try:
        yield parse_release_text(text, origin, config, lang=lang, furniture=furniture)
    except InputError as exc:
        yield Skipped(origin, reason_of(exc, origin))


def _release_from_page(page: ExtractedPage | Skipped, origin: str, config: IngestConfig, lang: str,
                       furniture: Furniture | None) -> Release | Skipped:
    if isinstance(page, Skipped):
        return page
    return release_from_page(page, origin, config, lang, furniture)


def release_from_page(page: ExtractedPage, origin: str, config: IngestConfig | None = None, lang: str = "en",
                      furniture: Furniture | None = None) -> Release | Skipped:
    """The release of an extracted page: its title, date and address, paragraphs in order."""
    config = config or IngestConfig()
    paragraphs, learned = drop_edge_furniture(list(page.paragraphs), furniture)
    for number in range(len(paragraphs) - 1, max(len(paragraphs) - 4, -1), -1):
        if reason := call_to_action_reason(paragraphs[number], len(paragraphs) - 1 - number):
            learned.append(f"{reason}: {shorten(paragraphs.pop(number))}")
    text, removed, warnings = clean_text("\n".join(paragraphs))
    try:
        return release_from_blocks(
            text.split("\n"), origin, config, title=page.title, date=page.date, lang=page.lang or lang,
            url=page.url, dropped=[*removed, *page.dropped, *learned], warnings=warnings,
        )
    except InputError as exc:
        return Skipped(origin, reason_of(exc, origin))


def extract_release(path: str | Path, config: IngestConfig | None = None, lang: str = "en",
                    record: int | None = None, furniture: Furniture | None = None) -> Release:
    """What ingest keeps of one input: a web page, a text release, or one record (the
    first, or the one on line ``record``) of a JSON-lines or Parquet file. Raises
    :class:`InputError` naming the file when nothing can be kept.

    ``furniture`` (see :func:`site_furniture`) drops the lines a batch repeats, as
    :func:`read_releases` does for the files of its batch."""
    path = Path(path)
    origin = origin_label(path)
    if path.is_dir():
        raise InputError(f"{origin}: a folder; extract reads one file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{origin}: no such file") from None
    except OSError as exc:
        raise InputError(f"{origin}: cannot read: {exc.strerror}") from None
    first_skip: Skipped | None = None
    for item in releases_from_bytes(origin, data, config, lang, furniture):
        number = _record_number(item.origin, origin)
        if record is not None and number != record:
            continue
        if isinstance(item, Release):
            return item
        first_skip = first_skip or item
        if record is not None or number is None:
            break
    if first_skip is not None:
        raise InputError(f"{display_name(first_skip.origin)}: {first_skip.reason}")
    raise InputError(f"{origin}: no record on line {record}" if record else f"{origin}: no release in this file")


def _record_number(item_origin: str, origin: str) -> int | None:
    tail = item_origin[len(origin):]
    return int(tail[1:]) if tail.startswith(":") and tail[1:].isdigit() else None


__all__ = [
    "JSONL_SUFFIXES", "PARQUET_SUFFIXES", "RELEASE_SUFFIXES", "TEXT_SUFFIXES", "edge_lines", "expand_inputs",
    "extract_release", "learn_furniture",
    "origin_label", "read_releases", "release_from_page", "releases_from_bytes", "scan_inputs", "site_furniture",
]
