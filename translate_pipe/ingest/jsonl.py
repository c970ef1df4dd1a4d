"""Records: JSON lines and Parquet rows with ``text`` plus optional ``id``, ``title``,
``date``, ``lang``. One bad record is skipped with the file and line named; the rest
of the file is read."""

from __future__ import annotations

import json
from collections.abc import Iterator

from ..config import IngestConfig
from ..errors import InputError
from ..model import Release
from .common import Skipped, reason_of
from .dates import parse_date
from .text import parse_release_text


def releases_from_jsonl(origin: str, text: str, config: IngestConfig, lang: str = "en") -> Iterator[Release | Skipped]:
    """The releases of a JSON-lines file's text, one per line.

    Lines are split on ``\\n`` only: U+2028, U+2029 and U+0085 are legal inside a JSON
    string, and ``str.splitlines`` would cut the record there."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        yield Skipped(origin, "empty file")
        return
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        line_origin = f"{origin}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Skipped(line_origin, f"not valid JSON ({exc.msg})")
            continue
        except RecursionError:
            yield Skipped(line_origin, "not a release: JSON nested too deeply")
            continue
        except ValueError as exc:  # an integer of more digits than Python converts
            yield Skipped(line_origin, f"not a usable JSON record ({exc})")
            continue
        yield release_from_record(record, line_origin, config, lang)


def releases_from_parquet(origin: str, data: bytes, config: IngestConfig, lang: str) -> Iterator[Release | Skipped]:
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


_FIELDS = ("text", "title", "date", "id", "lang")


def release_from_record(record: object, origin: str, config: IngestConfig, lang: str = "en") -> Release | Skipped:
    """A release from a JSON-lines record or Parquet row: ``text`` plus optional ``id``, ``title``, ``date``, ``lang``."""
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return Skipped(origin, 'not a release: needs a "text" string')
    for key in _FIELDS:
        value = record.get(key)
        if isinstance(value, str) and not _encodable(value):
            return Skipped(origin, f'not a release: "{key}" holds a lone surrogate (\\ud800-\\udfff escape), '
                                   f"not text")
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
        return Skipped(origin, reason_of(exc, origin))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _optional_str(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)[:200]
    return str(value)


def _normalise_date(value: object) -> str | None:
    text = _optional_str(value)
    return (parse_date(text) or text) if text else None
