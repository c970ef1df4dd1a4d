"""Parquet in the Hugging Face ``datasets`` translation layout.

One row per pair: ``translation`` is a struct ``{"en": ..., "fr": ...}`` (what
``datasets.Translation`` features hold), beside the pair's provenance, label, review
status, combined score, one float column per score (``score_<name>``, null where a pair
has no such score) and the names of the flags that fired. ``datasets.load_dataset(
"parquet", data_files=...)`` reads it as is. The pairs are held in memory once to find
the union of score names (about 1 KB a pair); rows go out in row groups of 10,000.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..atomic import atomic_path
from ..errors import ConfigError
from ..model import Pair

ROW_GROUP = 10_000

# Scores every backend writes; others (entropy, dropout, reference metrics) join when present.
_BASE_SCORES = ("logprob_mean", "logprob_std", "confidence", "length_ratio", "output_tokens")


def write(pairs: Iterable[Pair], out: Path, tgt_lang: str) -> tuple[int, list[str]]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError("the parquet format needs pyarrow: pip install pyarrow") from None
    rows = list(pairs)  # the score columns are the union over all pairs
    names = list(_BASE_SCORES) + sorted({n for p in rows for n in p.scores} - set(_BASE_SCORES))
    src_lang = rows[0].src_lang if rows else "en"
    schema = pa.schema(
        [
            ("translation", pa.struct([(src_lang, pa.string()), (tgt_lang, pa.string())])),
            ("release_id", pa.string()),
            ("segment_index", pa.int32()),
            ("model", pa.string()),
            ("origin", pa.string()),
            ("status", pa.string()),
            ("label", pa.string()),
            ("combined", pa.float64()),
            *[(f"score_{name}", pa.float64()) for name in names],
            ("flags", pa.list_(pa.string())),
        ]
    )
    with atomic_path(out) as temp, pq.ParquetWriter(temp, schema) as writer:
        for start in range(0, max(len(rows), 1), ROW_GROUP):
            group = rows[start : start + ROW_GROUP]
            columns = {
                "translation": [{src_lang: p.src, tgt_lang: p.tgt} for p in group],
                "release_id": [p.release_id for p in group],
                "segment_index": [p.segment_index for p in group],
                "model": [p.system for p in group],
                "origin": [p.origin for p in group],
                "status": [p.status for p in group],
                "label": [p.label for p in group],
                "combined": [p.combined for p in group],
                **{f"score_{name}": [p.scores.get(name) for p in group] for name in names},
                "flags": [[f.name for f in p.flags] for p in group],
            }
            writer.write_table(pa.table(columns, schema=schema))
    return len(rows), [str(out)]
