"""BeadSimilarity's set-up (translate_pipe/align/dp.py) equals the straightforward computations
it replaces: hubness from one product with the sample's mean unit vector, neighbour dot
products on row views."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from translate_pipe.align import AlignConfig, CharNgramEncoder
from translate_pipe.align.dp import BeadSimilarity

from .conftest import SHARED_DATA

TEXTBERG = SHARED_DATA / "alignment" / "textberg_dev"


def reference_hubness(similarity: BeadSimilarity, max_k: int, max_l: int, samples: int = 100):
    """Mean cosine of every run with the sampled lines, one cosine per sampled line (the
    implementation before the mean-unit-vector product)."""
    rng = np.random.default_rng(1)
    n, m = similarity.a.shape[0], similarity.b.shape[0]
    ys = rng.integers(0, m, min(samples, m * 4))
    xs = rng.integers(0, n, min(samples, n * 4))
    out = []
    for mat, other, sq_other, norms, size in (
            (similarity.a, similarity.b[ys], similarity.b_sq[ys], similarity.run_norm_a, max_k),
            (similarity.b, similarity.a[xs], similarity.a_sq[xs], similarity.run_norm_b, max_l)):
        dots = (mat @ other.T).toarray()
        prefix = np.vstack([np.zeros((1, dots.shape[1])), np.cumsum(dots, axis=0)])
        hubs = [np.zeros(len(prefix))]
        for k in range(1, size + 1):
            h = np.zeros(len(prefix))
            if k < len(prefix):
                run = prefix[k:] - prefix[:-k]
                h[k:] = (run / np.sqrt(norms[k][k:, None] * sq_other[None, :] + 1e-12)).mean(1)
            hubs.append(h)
        out.append(hubs)
    ref = (out[0][1][1:].mean() + out[1][1][1:].mean()) / 2
    return out[0], out[1], float(ref)


def _assert_hubness_equal(similarity: BeadSimilarity) -> None:
    hub_a, hub_b, hub_ref = reference_hubness(similarity, len(similarity.hub_a) - 1, len(similarity.hub_b) - 1)
    assert len(hub_a) == len(similarity.hub_a) and len(hub_b) == len(similarity.hub_b)
    for new, old in zip(similarity.hub_a + similarity.hub_b, hub_a + hub_b):
        # Two summation orders of the same cosines: hypothesis found one 1.8e-9 apart
        # relatively (seed 65708, 10 x 3 random vectors); a wrong formula is off by far more.
        np.testing.assert_allclose(new, old, rtol=1e-7, atol=1e-12)
    assert similarity.hub_ref == pytest.approx(hub_ref, rel=1e-9, abs=1e-12)


def _textberg(mt: bool, lines: int = 300) -> tuple[list[str], list[str]]:
    if not TEXTBERG.is_dir():
        pytest.skip("shared/data/alignment is not beside this checkout")
    left = (TEXTBERG / ("001.mt.google" if mt else "001.src")).read_text(encoding="utf-8").splitlines()
    right = (TEXTBERG / "001.tgt").read_text(encoding="utf-8").splitlines()
    return left[:lines], right[:lines]


def test_hubness_equals_the_mean_of_per_line_cosines_on_a_real_document() -> None:
    left, right = _textberg(mt=True)
    a, b = CharNgramEncoder().encode(left, right)
    similarity = BeadSimilarity(a, b, left, right, AlignConfig(), same_language=True)
    assert similarity.hub_ref > 0  # hubness applies with MT
    _assert_hubness_equal(similarity)


@given(st.integers(0, 2**32 - 1), st.integers(1, 12), st.integers(1, 12))
@settings(max_examples=40, deadline=None)
def test_hubness_equals_the_mean_of_per_line_cosines_on_random_vectors(seed: int, n: int, m: int) -> None:
    # Short documents (fewer lines than the longest run, fewer than the 100 samples) and
    # empty vectors (a line without n-grams) included.
    rng = np.random.default_rng(seed)
    a = sparse.random(n, 40, density=0.2, format="csr", random_state=rng)
    b = sparse.random(m, 40, density=0.2, format="csr", random_state=rng)
    a = sparse.diags((rng.random(n) > 0.2).astype(float)) @ a  # some lines without n-grams
    b = sparse.csr_matrix(sparse.diags((rng.random(m) > 0.2).astype(float)) @ b)
    a = sparse.csr_matrix(a)
    similarity = BeadSimilarity(a, b, ["x" * 10] * n, ["y" * 12] * m, AlignConfig(), same_language=True)
    _assert_hubness_equal(similarity)


def reference_neighbour_dots(matrix: sparse.csr_matrix, distances: range) -> list[np.ndarray]:
    """Dot products of rows ``t`` and ``t + d`` through sliced copies (before the row views)."""
    return [np.asarray(matrix[:-d].multiply(matrix[d:]).sum(1)).ravel() if matrix.shape[0] > d else np.zeros(0)
            for d in distances]


def _assert_neighbour_dots_equal(similarity: BeadSimilarity) -> None:
    for near, matrix in ((similarity.a_near, similarity.a), (similarity.b_near, similarity.b)):
        reference = reference_neighbour_dots(matrix, range(1, len(near) + 1))
        assert all(np.array_equal(new, old) for new, old in zip(near, reference, strict=True))


@pytest.mark.parametrize("mt", [True, False])
def test_neighbour_dots_equal_the_sliced_products_on_a_real_document(mt: bool) -> None:
    left, right = _textberg(mt)
    a, b = CharNgramEncoder().encode(left, right)
    similarity = BeadSimilarity(a, b, left, right, AlignConfig(), same_language=mt)
    assert similarity.a_near[0].any() and similarity.b_near[4].any()
    _assert_neighbour_dots_equal(similarity)


@given(st.integers(0, 2**32 - 1), st.integers(1, 8), st.integers(1, 8), st.booleans())
@settings(max_examples=40, deadline=None)
def test_neighbour_dots_equal_the_sliced_products_on_random_vectors(seed: int, n: int, m: int,
                                                                   unsorted: bool) -> None:
    rng = np.random.default_rng(seed)
    a = sparse.random(n, 30, density=0.3, format="csr", random_state=rng)
    b = sparse.random(m, 30, density=0.3, format="csr", random_state=rng)
    if unsorted:  # column indices in reverse order within each row: still the same matrix
        coo = b.tocoo()
        order = np.lexsort((-coo.col, coo.row))
        b = sparse.csr_matrix((coo.data[order], coo.col[order], b.indptr.copy()), shape=b.shape)
    similarity = BeadSimilarity(a, b, ["x" * 10] * n, ["y" * 12] * m, AlignConfig())
    _assert_neighbour_dots_equal(similarity)


def test_anchors_do_not_depend_on_the_hash_seed() -> None:
    """find_anchors numbered its vocabulary in set order, so the float sums of shared-word
    scores, their mutual-best ties and then the path changed with PYTHONHASHSEED (one dev
    window aligned to 61 or 60 beads). Each hash seed runs in a process of its own."""
    import subprocess
    import sys

    if not TEXTBERG.is_dir():
        pytest.skip("shared/data/alignment is not beside this checkout")
    program = (
        "import sys; from pathlib import Path; from translate_pipe.align.regions import find_anchors\n"
        "folder = Path(sys.argv[1])\n"
        "left = (folder / '001.mt.google').read_text(encoding='utf-8').splitlines()\n"
        "right = (folder / '001.tgt').read_text(encoding='utf-8').splitlines()\n"
        "print(repr(find_anchors(left, right)))\n"
    )
    outputs = set()
    for seed in ("1", "2", "3", "5", "7"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", program, str(TEXTBERG)], env=env, capture_output=True,
                              text=True, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert len(outputs.pop()) > 100  # anchors were found
