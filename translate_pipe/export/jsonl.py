"""JSON lines: one pair per line with every score and flag."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from ..atomic import atomic_open
from ..model import Pair


def pair_record(pair: Pair) -> dict[str, object]:
    return {
        "release_id": pair.release_id,
        "segment_index": pair.segment_index,
        "src_lang": pair.src_lang,
        "tgt_lang": pair.tgt_lang,
        "src": pair.src,
        "tgt": pair.tgt,
        "scores": {**pair.scores, "combined": pair.combined},
        "label": pair.label,
        "flags": [{"name": f.name, "reason": f.reason} for f in pair.flags],
        "model": pair.system,
        "origin": pair.origin,
        "status": pair.status,
        "version": pair.version,
    }


def write(pairs: Iterable[Pair], out: Path, tgt_lang: str) -> tuple[int, list[str]]:
    count = 0
    with atomic_open(out) as handle:
        for pair in pairs:
            handle.write(json.dumps(pair_record(pair), ensure_ascii=False) + "\n")
            count += 1
    return count, [str(out)]

