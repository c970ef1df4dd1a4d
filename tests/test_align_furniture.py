"""Page furniture paired with sentences costs the search (dp.furniture, AlignConfig.furniture_cost)."""

from __future__ import annotations

import random
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from translate_pipe.align import AlignConfig, CharNgramEncoder, align
from translate_pipe.align.dp import BeadSimilarity, ends_sentence, furniture

from .conftest import SHARED_DATA

TEXTBERG = SHARED_DATA / "alignment" / "textberg_dev"


@pytest.mark.parametrize(("line", "is_furniture", "is_sentence"), [
    ("Seite 12", True, False),
    ("3 juin 1987", True, False),
    ("Press release", True, False),
    ("الدائرة الإعلامية", True, False),
    ("Die Teilnehmer waren :", False, True),
    ("Er kam .", False, True),
    ("« Welche Enttäuschung ! »", False, True),
    ("هل هذا صحيح؟", False, True),
    ("Russian Occupation Forces Commit Two Massacres in Rural Idlib", False, False),
    ("", True, False),
])
def test_furniture_is_short_and_unpunctuated(line: str, is_furniture: bool, is_sentence: bool) -> None:
    assert furniture(line) == is_furniture
    assert ends_sentence(line) == is_sentence


def test_furniture_costs_only_against_sentences() -> None:
    left = ["Seite 12", "Der Gipfel wurde erreicht .", "Kapitel 3", "Archiv"]
    right = ["Le sommet fut atteint .", "Chapitre 3", "Il neigeait ."]
    a, b = CharNgramEncoder().encode(left, right)
    similarity = BeadSimilarity(a, b, left, right, replace(AlignConfig(), furniture_cost=0.5))

    def gain(k: int, l: int, end_a: int, end_b: int) -> float:
        return float(similarity.furniture_gain(k, l, np.array([end_a]), np.array([end_b]))[0])

    assert gain(1, 1, 1, 1) == pytest.approx(-0.5)  # "Seite 12" with a sentence
    assert gain(2, 1, 2, 1) == pytest.approx(-0.5)  # merged into a sentence's bead
    assert gain(1, 1, 2, 1) == pytest.approx(0.0)  # sentence with sentence
    assert gain(1, 1, 3, 2) == pytest.approx(0.0)  # "Kapitel 3" with "Chapitre 3": titles
    assert gain(2, 1, 4, 3) == pytest.approx(-1.0)  # two of them against a sentence


def test_header_lines_stay_one_sided_without_mt() -> None:
    if not TEXTBERG.is_dir():
        pytest.skip("shared/data/alignment is not beside this checkout")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from align_robust import perturb, read_units

    units = read_units(TEXTBERG)
    units = units[: len(units) // 2]
    paired = {}
    for cost in (0.0, AlignConfig().furniture_cost):
        rng = random.Random(3)
        paired[cost] = 0
        for _ in range(6):  # 30-bead windows with 2-4 header lines at the start of one side, 1-3 at the end of the other
            start = rng.randrange(0, len(units) - 40)
            case = perturb(units, start, start + 30, "headers", rng)
            alone_src = {i for b in case.gold if not b.tgt for i in b.src}
            alone_tgt = {j for b in case.gold if not b.src for j in b.tgt}
            for bead in align(case.src, case.tgt, None, replace(AlignConfig(), furniture_cost=cost)):
                if bead.src and bead.tgt:
                    paired[cost] += len(alone_src & set(bead.src)) + len(alone_tgt & set(bead.tgt))
    # Of the 90 lines gold leaves one-sided (headers, mostly), measured 12 put in two-sided
    # beads without the cost, 1 with it.
    assert cost > 0 and paired[cost] <= paired[0.0] - 6
