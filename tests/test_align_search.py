"""The search's parts: the region's edges, the guide path, the band of dot products shared
by the passes and the bead score."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_pipe.align import AlignConfig, CharNgramEncoder, search_document
from translate_pipe.align.dp import BEAD_TYPES, BeadSimilarity, search
from translate_pipe.align.regions import (
    Region,
    drop_weak_ends,
    extend_region,
    guide_path,
    trim_chain,
)
from translate_pipe.testing import corpus_lines

from .conftest import SHARED_DATA

EN, FR = corpus_lines("en"), corpus_lines("fr")
TEXTBERG = SHARED_DATA / "alignment" / "textberg_dev"


def _diagonal_cosines(matches: set[tuple[int, int]]):
    def cosines(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return np.array([1.0 if (int(i), int(j)) in matches else 0.0 for i, j in zip(rows, cols)])
    return cosines


def test_region_grows_over_pairs_that_match_beyond_the_outer_anchors() -> None:
    region = Region(5, 16, 6, 17, ((5, 6), (10, 11), (15, 16)), candidates=3)
    # Lines 0..4 match 1..5 (one target header line before them); after the last anchor,
    # a 1-2 step (16 -> 17, 18) and then 17 -> 19; nothing matches after that.
    matches = {(i, i + 1) for i in range(5)} | {(16, 18), (17, 19)}
    wider = extend_region(region, _diagonal_cosines(matches), 0.5, 30, 30)
    assert (wider.src_start, wider.tgt_start) == (0, 1)
    assert (wider.src_stop, wider.tgt_stop) == (18, 20)
    assert wider.anchors == region.anchors
    # Nothing matches: the region stays as the anchors made it.
    assert extend_region(region, _diagonal_cosines(set()), 0.5, 30, 30) == region


def test_guide_runs_along_the_anchors_slope_into_the_documents_edge() -> None:
    # A target cut after line 40 of 100: beyond the last anchor the guide keeps the slope
    # until it meets the target's end, then stays there (not a gentle line to the corner).
    region = Region(10, 31, 10, 31, ((10, 10), (20, 20), (30, 30)), candidates=3)
    centre = guide_path(region, 100, 40)
    assert list(centre[[0, 5, 10, 25, 35, 40, 60, 100]]) == [0, 5, 10, 25, 35, 40, 40, 40]


@given(st.integers(0, 2**32 - 1))
@settings(max_examples=25, deadline=None)
def test_dot_products_from_the_band_equal_the_sparse_products(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = CharNgramEncoder().encode(EN, FR)
    similarity = BeadSimilarity(a, b, EN, FR, AlignConfig())
    n, m = len(EN), len(FR)
    for _ in range(2):  # the second band reuses rows the first one held
        lo = np.sort(rng.integers(0, m, n))
        hi = np.minimum(lo + rng.integers(0, 12, n), m)
        band = similarity.band_dots(lo, hi)
        full = (a @ b.T).toarray()
        for r in range(n):
            assert np.allclose(band[r, : hi[r] - lo[r]], full[r, lo[r]: hi[r]])
            assert not band[r, hi[r] - lo[r]:].any()
    rows, cols = rng.integers(0, n, 200), rng.integers(0, m, 200)  # inside the band and outside it
    assert np.allclose(similarity.pair_dots(rows, cols), full[rows, cols])


def test_stray_anchors_beyond_a_skewed_gap_leave_the_chain() -> None:
    # Two chance anchors before a skewed gap (39 source lines, 19 target lines after them)
    # and one in the source's uncut tail (39 source lines on, 3 target lines) are dropped; an inserted block (6 more target lines, anchors beyond it)
    # stays, as does the whole chain when nothing is off the slope by more than max_skew.
    body = [(i, i - 20) for i in range(40, 60, 2)] + [(i, i - 14) for i in range(60, 80, 2)]
    chain = [(0, 0), (1, 1)] + body + [(117, 67)]
    assert trim_chain(chain, 1.0, 10.0, 2) == body
    assert trim_chain(chain, 1.0, 50.0, 2) == chain
    # Only up to max_stray anchors count as strays: three beyond the gap stay.
    three = body + [(120, 66), (121, 67), (122, 68)]
    assert trim_chain(three, 1.0, 10.0, 2) == three
    # Sparse anchors (one per chapter) whose steps stray from the overall ratio by more
    # than max_skew lines but are not one-sided stretches stay: chapters vary in ratio.
    chapters = [(0, 0), (50, 70), (100, 110), (150, 175), (200, 215)]
    assert trim_chain(chapters, 0.82, 10.0, 2) == chapters


def test_a_path_along_the_band_edge_into_the_documents_corner_is_not_a_touch() -> None:
    # The band's right edge runs one column right of the diagonal, then on it for the last
    # three rows before the document's last column: a path into a cut tail's corner. Within
    # band / 8 columns of the document's edge a wider band could move the path by those
    # few columns only, so the first pass is not rerun at twice the band for it.
    a, b = CharNgramEncoder().encode(EN, EN)
    n = m = len(EN)
    similarity = BeadSimilarity(a, b, EN, EN, AlignConfig(), same_language=True)
    band = 32
    hi = np.array([min(i + 1, m) if i < n - 3 else i for i in range(n + 1)])
    centre = hi - band
    path, touched = search(similarity, n, m, (centre, centre), band, BEAD_TYPES[:3], AlignConfig())
    assert path == [(i, i + 1, i, i + 1) for i in range(n)]
    assert touched == []
    # Further from the edge it still counts: the edge on the diagonal from row n - 8 on.
    hi = np.array([min(i + 1, m) if i < n - 8 else i for i in range(n + 1)])
    _, touched = search(similarity, n, m, (hi - band, hi - band), band, BEAD_TYPES[:3], AlignConfig())
    assert touched and max(touched) < m - band // 8 and min(touched) >= n - 8


def test_anchors_at_the_chains_ends_that_do_not_match_as_wholes_are_dropped() -> None:
    anchors = ((0, 0), (10, 11), (20, 22), (30, 33), (40, 44), (45, 60), (47, 70))
    region = Region(0, 48, 0, 71, anchors, candidates=9)
    weak = {(0, 0), (45, 60), (47, 70)}  # a chance pair at the start, two in a cut tail

    def cosines(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return np.array([0.05 if (int(i), int(j)) in weak else 0.6 for i, j in zip(rows, cols)])

    kept = drop_weak_ends(region, cosines, 0.2, 2)
    assert kept.anchors == anchors[1:5]
    assert (kept.src_start, kept.src_stop, kept.tgt_start, kept.tgt_stop) == (10, 41, 11, 45)
    assert kept.chained_share == region.chained_share  # dropped anchors count as rejected
    # At most max_drop at each end; weak anchors inside the chain stay.
    assert drop_weak_ends(region, cosines, 0.2, 1).anchors == anchors[1:6]
    assert drop_weak_ends(region, lambda r, c: np.full(len(r), 0.6), 0.2, 2) == region



def test_with_mt_a_chance_anchor_in_a_cut_tail_no_longer_stretches_the_region() -> None:
    # Part A of the development document, seed 12's first window, all perturbations at
    # once (87 x 82 lines): the chain's last anchor pairs a source line after the target's
    # cut with a line of the block inserted into the target (cosine below chance), and the
    # region stretched over 9 source lines that have no counterpart.
    if not TEXTBERG.is_dir():
        pytest.skip("shared/data/alignment is not beside this checkout")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from align_fit_score import part_cases, part_units
    from align_robust import read_units

    case = next(c for c in part_cases(part_units(read_units(TEXTBERG), "A"), 12, 8) if c.name == "all")
    assert (len(case.src), len(case.tgt)) == (87, 82)
    alone_src = {i for b in case.gold if not b.tgt for i in b.src}
    regions, paired = {}, {}
    for drop in (0, AlignConfig().mt_anchor_max_drop):
        path, _, regions[drop] = search_document(case.src, case.tgt, case.mt,
                                                 replace(AlignConfig(), mt_anchor_max_drop=drop))
        paired[drop] = sum(1 for i0, i1, j0, j1 in path if j1 > j0 for i in range(i0, i1) if i in alone_src)
    assert drop > 0 and regions[0].anchors[-1] == (53, 73) and regions[drop].anchors[-1] == (44, 72)
    assert paired[drop] < paired[0]
