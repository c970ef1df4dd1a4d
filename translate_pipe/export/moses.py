"""Moses plain text: two line-aligned files, ``OUT.<src>`` and ``OUT.<tgt>``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..atomic import StagedFiles
from ..model import Pair


def _one_line(text: str) -> str:
    return " ".join(text.split())


def write(pairs: Iterable[Pair], out: Path, tgt_lang: str) -> tuple[int, list[str]]:
    src_path = out.with_name(f"{out.name}.en")
    tgt_path = out.with_name(f"{out.name}.{tgt_lang}")
    count = 0
    # Both sides are renamed into place together, so they never disagree in length.
    with StagedFiles() as stage, stage.open(src_path) as src, stage.open(tgt_path) as tgt:
        for pair in pairs:
            src.write(_one_line(pair.src) + "\n")
            tgt.write(_one_line(pair.tgt) + "\n")
            count += 1
    return count, [str(src_path), str(tgt_path)]
