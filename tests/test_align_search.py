"""The search's parts: the region's edges, the guide path, the band of dot products shared
by the passes and the bead score."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_pipe.align import AlignConfig, CharNgramEncoder
from translate_pipe.align.dp import BEAD_TYPES, BeadSimilarity, search
from translate_pipe.align.regions import Region, extend_region, guide_path, trim_chain
from translate_pipe.testing import corpus_lines

EN, FR = corpus_lines("en"), corpus_lines("fr")


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
