"""Read press releases from text files, JSON lines and folders of either.

A text release looks like ``shared/data/seed_release.txt``: a date line, a title,
paragraphs separated by blank lines, a ``(Source: ...)`` trailer and site navigation
(a breadcrumb that repeats the title). Ingest keeps the text as it is, drops the
navigation, and says what it dropped and why, so nothing disappears unreported.

Files that cannot be releases (empty, binary, not UTF-8, a megabyte without a
sentence end) are skipped with a warning naming the file: :func:`read_releases`
yields :class:`Skipped` items for them, and the caller decides whether that is fatal.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .config import IngestConfig
from .errors import InputError
from .model import Paragraph, Release
from .segment import split_sentences

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
PARQUET_SUFFIXES = {".parquet"}

_MONTH_NAMES = [
    # English, French, Arabic (Egyptian/Gulf), Arabic (Levantine/Iraqi)
    ("january", "jan", "janvier", "janv", "يناير", "كانون الثاني"),
    ("february", "feb", "février", "fevrier", "févr", "فبراير", "شباط"),
    ("march", "mar", "mars", "مارس", "آذار"),
    ("april", "apr", "avril", "avr", "أبريل", "ابريل", "إبريل", "نيسان"),
    ("may", "mai", "مايو", "أيار"),
    ("june", "jun", "juin", "يونيو", "حزيران"),
    ("july", "jul", "juillet", "juil", "يوليو", "تموز"),
    ("august", "aug", "août", "aout", "أغسطس", "آب"),
    ("september", "sep", "sept", "septembre", "سبتمبر", "أيلول"),
    ("october", "oct", "octobre", "أكتوبر", "اكتوبر", "تشرين الأول"),
    ("november", "nov", "novembre", "نوفمبر", "تشرين الثاني"),
    ("december", "dec", "décembre", "decembre", "déc", "ديسمبر", "كانون الأول"),
]
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names}
_WORD = r"[^\W\d_]+"
# An optional weekday in any language ("Monday,", "Mardi", "الثلاثاء،").
_WEEKDAY = r"(?:" + _WORD + r"\.?[,،]?\s+)?"
_MONTH = r"(?P<month>" + _WORD + r"(?:\s" + _WORD + r")?)"
_TIME = r"(?:[,،\s]+(?:at\s+|à\s+)?(?P<hour>\d{1,2})[:.h]\s?(?P<minute>\d{2})\s*(?P<ampm>[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?"
_DATE_PATTERNS = [
    # Monday, 10 September 2018 16:14 / Mardi 12 mars 2024 09:30 / الثلاثاء 12 آذار 2024
    re.compile(_WEEKDAY + r"(?P<day>\d{1,2})(?:st|nd|rd|th|er)?\s+" + _MONTH + r"\.?[,،]?\s+(?P<year>\d{4})" + _TIME + r"$", re.I),
    # Monday, September 10, 2018 4:14 pm
    re.compile(_WEEKDAY + _MONTH + r"\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})" + _TIME + r"$", re.I),
    # 2018-09-10 16:14
    re.compile(r"(?P<year>\d{4})-(?P<mnum>\d{2})-(?P<day>\d{2})" + r"(?:[T\s]+(?P<hour>\d{2}):(?P<minute>\d{2})(?::\d{2})?)?" + r"$"),
]
_ARABIC_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}

_SOURCE_TRAILER = re.compile(r"\(\s*Source\s*:\s*(?P<source>[^()]{1,200})\)\s*$", re.I)

# Lines that are site navigation, not release text.
_BOILERPLATE_LINES = [
    (re.compile(r"^(share|share this|print|email|tweet|read more|related( news| articles)?|back to top|advertisement)[:.]?$", re.I), "navigation link"),
    (re.compile(r"^(tags?|categories|filed under)\s*:", re.I), "tag list"),
    (re.compile(r"^(copyright|©|all rights reserved)", re.I), "copyright notice"),
    (re.compile(r"^(home|accueil|الرئيسية)(\s*[›»>/|]\s*|\s+)\S", re.I), "breadcrumb"),
]


@dataclass(frozen=True)
class Skipped:
    """An input that was not read as a release, and why."""

    origin: str
    reason: str


def release_id(title: str, paragraphs: Iterable[Paragraph]) -> str:
    """Content hash of a release: the same text under another name gets the same id."""
    digest = hashlib.sha256()
    for part in (title, *(p.text for p in paragraphs)):
        normalised = " ".join(unicodedata.normalize("NFC", part).split())
        digest.update(normalised.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()[:16]


def parse_date(line: str) -> str | None:
    """An ISO date (``2018-09-10T16:14`` or ``2018-09-10``) if ``line`` is a dateline."""
    line = line.strip().translate(_ARABIC_DIGITS)
    if len(line) > 60:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.match(line)
        if not match:
            continue
        groups = match.groupdict()
        month = int(groups["mnum"]) if groups.get("mnum") else _MONTHS.get(groups["month"].lower().rstrip("."))
        if month is None:
            continue
        try:
            day = datetime(int(groups["year"]), month, int(groups["day"]))
        except ValueError:
            continue
        if groups.get("hour"):
            hour = int(groups["hour"])
            ampm = (groups.get("ampm") or "").lower().replace(".", "")
            if ampm == "pm" and hour < 12:
                hour += 12
            elif ampm == "am" and hour == 12:
                hour = 0
            if hour > 23 or int(groups["minute"]) > 59:
                continue
            return f"{day:%Y-%m-%d}T{hour:02d}:{int(groups['minute']):02d}"
        return f"{day:%Y-%m-%d}"
    return None


def parse_release_text(
    text: str,
    origin: str,
    config: IngestConfig | None = None,
    *,
    title: str | None = None,
    date: str | None = None,
    external_id: str | None = None,
    lang: str = "en",
) -> Release:
    """Parse one release. Raises :class:`InputError` when the text cannot be one."""
    config = config or IngestConfig()
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise InputError(f"{origin}: empty release")
    if len(text) > config.max_release_chars:
        raise InputError(
            f"{origin}: {len(text):,} characters is more than ingest.max_release_chars="
            f"{config.max_release_chars:,}"
        )
    blocks = [" ".join(line.strip() for line in block.splitlines() if line.strip())
              for block in re.split(r"\n[ \t\u00a0]*\n", text)]
    # A single-newline layout (one paragraph per line) is common in scraped text.
    if len(blocks) == 1 and text.count("\n") >= 2:
        blocks = [line.strip() for line in text.splitlines()]
    blocks = [b for b in blocks if b]

    dropped: list[str] = []
    if date is None and blocks and (parsed := parse_date(blocks[0])):
        date = parsed
        blocks = blocks[1:]
    if title is None:
        if not blocks:
            raise InputError(f"{origin}: no title or text after the date line")
        title = blocks[0]
        blocks = blocks[1:]

    body: list[str] = []
    for block in blocks:
        reason = _boilerplate_reason(block, title)
        if reason:
            dropped.append(f"{reason}: {block[:80]}{'…' if len(block) > 80 else ''}")
        else:
            body.append(block)

    source = None
    if body and (match := _SOURCE_TRAILER.search(body[-1])):
        source = match.group("source").strip()

    paragraphs = [Paragraph(title, "title")]
    for number, block in enumerate(body):
        kind = "trailer" if number == len(body) - 1 and _SOURCE_TRAILER.fullmatch(block.strip()) else "body"
        paragraphs.append(Paragraph(block, kind))

    for paragraph in paragraphs:
        _check_sentence_lengths(paragraph.text, origin, config, lang)

    return Release(
        id=release_id(title, paragraphs[1:]),
        title=title,
        paragraphs=tuple(paragraphs),
        lang=lang,
        date=date,
        source=source,
        origin=origin,
        external_id=external_id,
        dropped=tuple(dropped),
    )


def _boilerplate_reason(block: str, title: str) -> str | None:
    stripped = block.strip()
    # The breadcrumb repeats the title after the site's navigation words.
    if title and stripped.endswith(title.strip()) and len(stripped) > len(title.strip()):
        prefix = stripped[: -len(title.strip())].strip()
        if prefix and not re.search(r"[.!?؟]$", prefix) and len(prefix.split()) <= 8:
            return "breadcrumb"
    if len(stripped) > 200:
        return None
    for pattern, reason in _BOILERPLATE_LINES:
        if pattern.search(stripped):
            return reason
    return None


def _check_sentence_lengths(text: str, origin: str, config: IngestConfig, lang: str) -> None:
    if len(text) <= config.max_sentence_chars:
        return
    for sentence in split_sentences(text, lang):
        if len(sentence) > config.max_sentence_chars:
            raise InputError(
                f"{origin}: a {len(sentence):,}-character sentence is longer than "
                f"ingest.max_sentence_chars={config.max_sentence_chars:,} (not prose?)"
            )


def read_text(path: Path) -> str:
    """The file's text, or :class:`InputError` for binary or non-UTF-8 content."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    return decode_text(data, str(path))


def decode_text(data: bytes, origin: str) -> str:
    """Bytes of a release file as text, or :class:`InputError` naming ``origin``."""
    if b"\x00" in data[:65536]:
        raise InputError(f"{origin}: binary file (NUL bytes), not a text release")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{origin}: not valid UTF-8 (byte {exc.start}); convert it with iconv first") from None


def read_releases(
    inputs: Iterable[str | Path], config: IngestConfig | None = None, lang: str = "en"
) -> Iterator[Release | Skipped]:
    """Every release in ``inputs`` (files or folders), in a stable order.

    Bad files come out as :class:`Skipped` with the reason; a path that does not
    exist raises :class:`InputError` since that is a usage mistake, not bad data.
    """
    config = config or IngestConfig()
    for path in expand_inputs(inputs):
        try:
            data = path.read_bytes()
        except OSError as exc:
            yield Skipped(str(path), f"cannot read: {exc.strerror}")
            continue
        yield from releases_from_bytes(str(path), data, config, lang)


def releases_from_bytes(
    origin: str, data: bytes, config: IngestConfig | None = None, lang: str = "en"
) -> Iterator[Release | Skipped]:
    """The releases in one file's bytes: a text release, or JSON lines or Parquet when ``origin`` says so.

    Each engine (local or Ray) reads files its own way and hands the bytes here, so
    both parse exactly alike.
    """
    config = config or IngestConfig()
    if Path(origin).suffix.lower() in PARQUET_SUFFIXES:
        yield from _releases_from_parquet(origin, data, config, lang)
        return
    try:
        text = decode_text(data, origin)
    except InputError as exc:
        yield Skipped(origin, _reason(exc, origin))
        return
    if Path(origin).suffix.lower() in JSONL_SUFFIXES:
        yield from _read_jsonl_text(origin, text, config, lang)
        return
    try:
        yield parse_release_text(text, origin, config, lang=lang)
    except InputError as exc:
        yield Skipped(origin, _reason(exc, origin))


def _releases_from_parquet(origin: str, data: bytes, config: IngestConfig, lang: str) -> Iterator[Release | Skipped]:
    """Rows of a Parquet file with the JSON-lines fields as columns (``text``; ``id``, ``title``, ``date``, ``lang``)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        yield Skipped(origin, "reading Parquet needs pyarrow: pip install pyarrow")
        return
    try:
        table = pq.read_table(pa.BufferReader(data))
    except Exception as exc:  # pyarrow raises several types for a damaged file
        yield Skipped(origin, f"not a readable Parquet file ({exc})")
        return
    for number, record in enumerate(table.to_pylist(), start=1):
        yield release_from_record(record, f"{origin}:{number}", config, lang)


def _reason(exc: InputError, path: Path | str) -> str:
    message = str(exc)
    prefix = f"{path}: "
    return message[len(prefix):] if message.startswith(prefix) else message


def expand_inputs(inputs: Iterable[str | Path]) -> Iterator[Path]:
    """The release files named by ``inputs``: files as given, folders searched, sorted."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*")
                if p.is_file() and not p.name.startswith(".")
                and p.suffix.lower() in TEXT_SUFFIXES | JSONL_SUFFIXES | PARQUET_SUFFIXES
            )
            if not files:
                raise InputError(f"{path}: no releases in this folder (looked for .txt, .jsonl and .parquet files)")
            yield from files
        elif path.is_file():
            yield path
        else:
            raise InputError(f"{path}: no such file or folder")


def _read_jsonl_text(origin: str, text: str, config: IngestConfig, lang: str = "en") -> Iterator[Release | Skipped]:
    if not text.strip():
        yield Skipped(origin, "empty file")
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        line_origin = f"{origin}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Skipped(line_origin, f"not valid JSON ({exc.msg})")
            continue
        yield release_from_record(record, line_origin, config, lang)


def release_from_record(record: object, origin: str, config: IngestConfig, lang: str = "en") -> Release | Skipped:
    """A release from a JSON-lines record or Parquet row: ``text`` plus optional ``id``, ``title``, ``date``, ``lang``."""
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return Skipped(origin, 'not a release: needs a "text" string')
    try:
        return parse_release_text(
            record["text"],
            origin,
            config,
            title=_optional_str(record.get("title")),
            date=_normalise_date(record.get("date")),
            external_id=_optional_str(record.get("id")),
            lang=_optional_str(record.get("lang")) or lang,
        )
    except InputError as exc:
        return Skipped(origin, _reason(exc, origin))


def _optional_str(value: object) -> str | None:
    if value is None:
        return None
    return str(value)


def _normalise_date(value: object) -> str | None:
    text = _optional_str(value)
    return (parse_date(text) or text) if text else None


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


def read_lines(path: Path) -> list[str]:
    """A file's lines, split on line breaks only (as sacrebleu and aligners count lines):
    U+2028 or a form feed inside a line does not make two."""
    lines = read_text(path).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines
