"""Merges across lines that read as continued (dp.continuation, AlignConfig.join_weight)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from translate_pipe.align import AlignConfig, CharNgramEncoder, align
from translate_pipe.align.dp import BeadSimilarity, continuation
from translate_pipe.beads import parse_bead

from .conftest import SHARED_DATA

TEXTBERG = SHARED_DATA / "alignment" / "textberg_dev"


@pytest.mark.parametrize(("line", "value"), [
    ("Les parois , il est vrai , ne laissent aucun espoir ;", 1.0),
    ("Die erfolgreichen Bergsteiger waren :", 0.7),
    ("7. Kangchendzönga , ca. 8597 m , Leiter Ch .", 0.3),
    ("Evans , Gipfelmannschaften G. Band-J .", 0.3),
    ("وقال الوزير ؛", 1.0),
    ("Erst am 12. Juni konnte das Basislager errichtet werden .", 0.0),
    ("Er kam .", 0.0),
    ("Seite 12", 0.0),
    ("", 0.0),
])
def test_continuation_reads_clause_ends_colons_and_abbreviations(line: str, value: float) -> None:
    assert continuation(line) == value


def test_join_gain_counts_the_lines_a_merge_joins_to_the_next() -> None:
    left = ["Er sagte :", "Wir gehen .", "Dr .", "Meier kam ."]
    right = ["Il a dit ;", "nous partons .", "Le Dr Meier vint ."]
    a, b = CharNgramEncoder().encode(left, right)
    similarity = BeadSimilarity(a, b, left, right, replace(AlignConfig(), join_weight=0.5))
    ends = np.array([2, 4]), np.array([2, 3])
    # A 2-2 bead ending at (2, 2) joins "Er sagte :" (0.7) and "Il a dit ;" (1.0); a 2-1
    # bead ending at (4, 3) joins "Dr ." (0.3); the last line of a bead joins nothing.
    assert similarity.join_gain(2, 2, ends[0][:1], ends[1][:1]) == pytest.approx([0.5 * 1.7])
    assert similarity.join_gain(2, 1, ends[0][1:], ends[1][1:]) == pytest.approx([0.5 * 0.3])
    assert similarity.join_gain(1, 1, *ends) == pytest.approx(0.0)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_more_gold_merges_across_continued_lines_are_found_without_mt() -> None:
    if not TEXTBERG.is_dir():
        pytest.skip("shared/data/alignment is not beside this checkout")
    src, tgt = _lines(TEXTBERG / "001.src"), _lines(TEXTBERG / "001.tgt")
    gold = [parse_bead(line) for line in _lines(TEXTBERG / "001.gold") if line.strip()]
    joined = {(b.src, b.tgt) for b in gold if b.src and b.tgt
              and (any(continuation(src[i]) for i in b.src[:-1]) or any(continuation(tgt[j]) for j in b.tgt[:-1]))}
    found = {}
    for weight in (0.0, AlignConfig().join_weight):
        beads = align(src, tgt, None, replace(AlignConfig(), join_weight=weight))
        found[weight] = len(joined & {(b.src, b.tgt) for b in beads})
    # 82 gold beads join a line that reads as continued to the next: measured 62 found
    # without the join gain, 66 with it.
    assert weight > 0 and found[weight] >= found[0.0] + 3
