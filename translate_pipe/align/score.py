"""The bead score: an estimate of the probability that a bead is right, for every bead.

Each bead gets a few features of the evidence for it: how far its similarity is above
that of unrelated sentences in the same document, its margin over the neighbouring
alternatives, the length cost, whether it holds or breaks an anchor and how far the
nearest anchor is, how parallel the documents look as a whole (anchors per 100 lines),
and the strength of the beads beside it. For a one-sided bead: how well the line
matches what lies across it, whether it is outside the anchored region, and the length
of the one-sided run it belongs to. A logistic model per kind of bead (two-sided,
one-sided) turns them into a probability; its coefficients are data
(``translate_pipe/data/bead_score.json``), fitted by ``bench/align_fit_score.py`` on
perturbed development documents and checked on others by ``bench/align_robust.py``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from .dp import BeadSimilarity
from .regions import Region, anchor_distance, log_density

TWO_SIDED_FEATURES = ("bias", "similarity", "margin", "length_cost", "merged", "anchor_agreement",
                      "anchor_distance", "outside_region", "anchor_density", "context", "extend_gain",
                      "shrink_gain", "one_to_one", "relative_similarity", "anchor_share", "document_z")
ONE_SIDED_FEATURES = ("bias", "best_across", "outside_region", "run_length", "anchor_density",
                      "anchor_distance", "line_length", "context", "join_gain", "anchor_share", "document_z")

Path4 = tuple[int, int, int, int]


@dataclass(frozen=True)
class BeadScoreModel:
    """Logistic weights over :data:`TWO_SIDED_FEATURES` and :data:`ONE_SIDED_FEATURES`."""

    two_sided: tuple[float, ...]
    one_sided: tuple[float, ...]
    fitted_on: str = ""

    def probabilities(self, features: np.ndarray, two_sided: bool) -> np.ndarray:
        weights = np.array(self.two_sided if two_sided else self.one_sided)
        return 1.0 / (1.0 + np.exp(-np.clip(features @ weights, -30, 30)))


@lru_cache(maxsize=1)
def default_model() -> BeadScoreModel:
    raw = json.loads(resources.files("translate_pipe").joinpath("data/bead_score.json").read_text(encoding="utf-8"))
    assert tuple(raw["two_sided"]["features"]) == TWO_SIDED_FEATURES, "bead_score.json: refit the model"
    assert tuple(raw["one_sided"]["features"]) == ONE_SIDED_FEATURES, "bead_score.json: refit the model"
    return BeadScoreModel(tuple(raw["two_sided"]["weights"]), tuple(raw["one_sided"]["weights"]),
                          raw.get("fitted_on", ""))


def bead_features(path: Sequence[Path4], similarity: BeadSimilarity, region: Region, n: int, m: int,
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features of every bead: (two-sided mask, two-sided features, one-sided features),
    the feature rows in path order within each kind."""
    base = similarity.baseline
    scale = max(1.0 - base, 1e-6)
    two = np.array([i0 < i1 and j0 < j1 for i0, i1, j0, j1 in path], dtype=bool)
    cos = similarity.bead_cosines(path)
    strength = np.where(two, np.clip((cos - base) / scale, -1, 1), 0.0)
    density = log_density(region, n, m)
    # Chance anchors between unrelated text rarely chain: the share that did.
    anchor_share = region.size / (region.candidates + 2)
    dist_a = anchor_distance(region, n)
    anchor_cols = np.array([b for _, b in region.anchors] or [-(10**9)])
    anchor_of = similarity.anchor_of
    in_src = np.zeros(n, dtype=bool)
    in_tgt = np.zeros(m, dtype=bool)
    if region.size >= similarity.config.min_anchors:
        slack = similarity.config.region_slack
        in_src[max(region.src_start - slack, 0): region.src_stop + slack] = True
        in_tgt[max(region.tgt_start - slack, 0): region.tgt_stop + slack] = True

    # The strength of the nearest two-sided beads on either side of each bead.
    idx_two = np.flatnonzero(two)
    positions = np.arange(len(path))
    at = np.searchsorted(idx_two, positions)
    prev_strength = np.where(at > 0, strength[idx_two[np.clip(at - 1, 0, max(len(idx_two) - 1, 0))]]
                             if len(idx_two) else 0.0, 0.0)
    nxt = np.searchsorted(idx_two, positions, side="right")
    next_strength = np.where(nxt < len(idx_two), strength[idx_two[np.clip(nxt, 0, max(len(idx_two) - 1, 0))]]
                             if len(idx_two) else 0.0, 0.0)
    context = (prev_strength + next_strength) / 2

    # Margin: the bead's cosine against the best 1-1 cosine of its lines with the lines
    # just outside it across (two before, two after).
    rows, cols, owner = [], [], []
    for b, (i0, i1, j0, j1) in enumerate(path):
        if two[b]:
            for i in range(i0, i1):
                for j in (j0 - 2, j0 - 1, j1, j1 + 1):
                    if 0 <= j < m:
                        rows.append(i), cols.append(j), owner.append(b)
            for j in range(j0, j1):
                for i in (i0 - 2, i0 - 1, i1, i1 + 1):
                    if 0 <= i < n:
                        rows.append(i), cols.append(j), owner.append(b)
        else:
            # One-sided: the best match of the line among the lines across near it.
            if i1 > i0:
                rows += [i0] * 6
                cols += [min(max(j, 0), m - 1) for j in range(j0 - 3, j0 + 3)]
            else:
                rows += [min(max(i, 0), n - 1) for i in range(i0 - 3, i0 + 3)]
                cols += [j0] * 6
            owner += [b] * 6
    best_other = np.full(len(path), -1.0)
    if rows:
        np.maximum.at(best_other, np.array(owner), similarity.pair_cosines(np.array(rows), np.array(cols)))
    best_other = np.maximum(best_other, 0.0)

    # One-sided runs: consecutive one-sided beads.
    run = np.zeros(len(path))
    start = 0
    for b in range(len(path) + 1):
        if b == len(path) or two[b]:
            run[start:b] = b - start
            start = b + 1

    extend, shrink, join = _reshaping_gains(path, two, cos, similarity, n, m)
    extend, shrink, join = extend / scale, shrink / scale, join / scale
    # The same cosine means more without MT than with: compare with this document's own beads.
    typical = float(np.median(strength[two])) if two.any() else 1.0
    relative = strength / max(typical, 0.02)
    # How far above chance the document's two-sided beads are, in random pairs' spreads:
    # a few chance anchors can make a region in unrelated text, but not similar beads.
    typical_cos = float(np.median(cos[two])) if two.any() else similarity.random_mean
    document_z = float(np.clip((typical_cos - similarity.random_mean) / similarity.random_std, -3, 10))

    # Gale-Church cost of every bead at once (one-sided beads get one too, unused).
    cum_a = np.concatenate([[0.0], np.cumsum(similarity.len_a)])
    cum_b = np.concatenate([[0.0], np.cumsum(similarity.len_b)])
    bounds = np.array(path, dtype=np.int64).reshape(-1, 4)
    length_costs = similarity.length_cost(cum_a[bounds[:, 1]] - cum_a[bounds[:, 0]],
                                          cum_b[bounds[:, 3]] - cum_b[bounds[:, 2]])

    two_rows, one_rows = [], []
    for b, (i0, i1, j0, j1) in enumerate(path):
        if two[b]:
            held = anchor_of[i0:i1]
            agreement = float(np.sum(np.where(held < 0, 0, np.where((held >= j0) & (held < j1), 1, -1))))
            length_cost = float(length_costs[b])
            outside = float(not (in_src[i0:i1].all() and in_tgt[j0:j1].all()))
            two_rows.append((1.0, strength[b], (cos[b] - best_other[b]) / scale, min(length_cost, 10.0) / 10,
                             i1 - i0 + j1 - j0 - 2, agreement, np.log1p(dist_a[i0]), outside, density, context[b],
                             extend[b], shrink[b], float(i1 - i0 == 1 and j1 - j0 == 1),
                             min(relative[b], 5.0), anchor_share, document_z))
        else:
            if i1 > i0:
                outside = float(not in_src[i0])
                dist = np.log1p(dist_a[i0])
                length = similarity.len_a[i0]
            else:
                outside = float(not in_tgt[j0])
                k = np.searchsorted(anchor_cols, j0)
                near = min(abs(j0 - anchor_cols[min(k, len(anchor_cols) - 1)]), abs(j0 - anchor_cols[max(k - 1, 0)]))
                dist = np.log1p(min(near, m))
                length = similarity.len_b[j0]
            one_rows.append((1.0, (best_other[b] - base) / scale, outside, np.log1p(run[b]), density, dist,
                             np.log1p(length), context[b], join[b], anchor_share, document_z))
    return (two, np.array(two_rows, dtype=np.float64).reshape(-1, len(TWO_SIDED_FEATURES)),
            np.array(one_rows, dtype=np.float64).reshape(-1, len(ONE_SIDED_FEATURES)))


def _reshaping_gains(path: Sequence[Path4], two: np.ndarray, cos: np.ndarray, similarity: BeadSimilarity,
                     n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How much a bead's cosine would rise if it took one more line at an edge (a missed
    merge), or lost one (a spurious merge); for a one-sided bead, how much a two-sided
    neighbour's would rise by taking its line in."""
    variants: list[Path4] = []
    owners: list[tuple[int, int, int]] = []  # (kind: 0 extend, 1 shrink, 2 join; bead; bead whose cosine is the base)
    for b, (i0, i1, j0, j1) in enumerate(path):
        if two[b]:
            for v in ((i0 - 1, i1, j0, j1), (i0, i1 + 1, j0, j1), (i0, i1, j0 - 1, j1), (i0, i1, j0, j1 + 1)):
                if v[0] >= 0 and v[1] <= n and v[2] >= 0 and v[3] <= m and v[1] - v[0] <= 4 and v[3] - v[2] <= 5:
                    variants.append(v)
                    owners.append((0, b, b))
            for v in ((i0 + 1, i1, j0, j1), (i0, i1 - 1, j0, j1), (i0, i1, j0 + 1, j1), (i0, i1, j0, j1 - 1)):
                if v[1] > v[0] and v[3] > v[2]:
                    variants.append(v)
                    owners.append((1, b, b))
        else:
            for nb in (b - 1, b + 1):
                if 0 <= nb < len(path) and two[nb]:
                    p0, p1, q0, q1 = path[nb]
                    v = (min(p0, i0), max(p1, i1), min(q0, j0), max(q1, j1))
                    if v[1] - v[0] <= 4 and v[3] - v[2] <= 5:
                        variants.append(v)
                        owners.append((2, b, nb))  # the gain is over the neighbour's cosine
    gains = np.full((3, len(path)), -1.0)
    if variants:
        for (kind, bead, base), value in zip(owners, similarity.bead_cosines(variants)):
            gains[kind, bead] = max(gains[kind, bead], value - cos[base])
    extend, shrink, join = gains
    return np.maximum(extend, -1.0), np.where(shrink == -1.0, -0.2, shrink), join


def score_beads(path: Sequence[Path4], similarity: BeadSimilarity, region: Region, n: int, m: int,
                model: BeadScoreModel | None = None) -> np.ndarray:
    """The calibrated score of every bead of ``path``, in [0, 1]."""
    model = model or default_model()
    two, x_two, x_one = bead_features(path, similarity, region, n, m)
    scores = np.zeros(len(path))
    scores[two] = model.probabilities(x_two, True)
    scores[~two] = model.probabilities(x_one, False)
    return np.round(scores, 4)
