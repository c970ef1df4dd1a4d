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

from .dp import BEAD_TYPES, BeadSimilarity
from .regions import Region, anchor_distance, log_density

#: Every feature the score can use; a model (bead_score.json) names the ones it weighs.
TWO_SIDED_FEATURES = ("bias", "similarity", "margin", "length_cost", "merged", "anchor_agreement",
                      "anchor_distance", "outside_region", "anchor_density", "context", "extend_gain",
                      "shrink_gain", "one_to_one", "relative_similarity", "anchor_share", "document_z",
                      "sureness", "neighbour_sureness", "gap_fill")
ONE_SIDED_FEATURES = ("bias", "best_across", "outside_region", "run_length", "anchor_density",
                      "anchor_distance", "line_length", "context", "join_gain", "anchor_share", "document_z",
                      "sureness", "neighbour_sureness", "source_side", "gap_fill")

Path4 = tuple[int, int, int, int]


@dataclass(frozen=True)
class LogisticModel:
    """P(right) = logistic(sum of weight * feature) over the named features."""

    features: tuple[str, ...]
    weights: tuple[float, ...]

    def probabilities(self, columns: dict[str, np.ndarray]) -> np.ndarray:
        count = len(next(iter(columns.values()))) if columns else 0
        z = np.zeros(count)
        for name, weight in zip(self.features, self.weights):
            z += weight * columns[name]
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


@dataclass(frozen=True)
class BeadScoreModel:
    """One logistic model for two-sided beads, one for one-sided beads."""

    two_sided: LogisticModel
    one_sided: LogisticModel
    fitted_on: str = ""


def model_from_json(raw: dict) -> BeadScoreModel:
    """The model as ``bench/align_fit_score.py --write`` stores it."""
    kinds = []
    for kind, available in (("two_sided", TWO_SIDED_FEATURES), ("one_sided", ONE_SIDED_FEATURES)):
        features = tuple(raw[kind]["features"])
        unknown = sorted(set(features) - set(available))
        if unknown or len(features) != len(raw[kind]["weights"]):
            raise ValueError(f"bead_score.json: {kind} model does not fit this code ({unknown or 'weights'}): refit it")
        kinds.append(LogisticModel(features, tuple(float(w) for w in raw[kind]["weights"])))
    return BeadScoreModel(kinds[0], kinds[1], raw.get("fitted_on", ""))


@lru_cache(maxsize=1)
def default_model() -> BeadScoreModel:
    text = resources.files("translate_pipe").joinpath("data/bead_score.json").read_text(encoding="utf-8")
    return model_from_json(json.loads(text))


def bead_features(path: Sequence[Path4], similarity: BeadSimilarity, region: Region, n: int, m: int,
                  ) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Features of every bead: (two-sided mask, two-sided features, one-sided features),
    each feature a column by name (:data:`TWO_SIDED_FEATURES`, :data:`ONE_SIDED_FEATURES`),
    in path order within each kind."""
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

    fill = _gap_fill(bounds, two, cum_a, cum_b, similarity)
    margin = alternative_margins(path, two, similarity)
    # log scale: the objective's differences span 0.001 to 10
    sureness = np.log(np.maximum(-margin, 0.0) + 0.02)
    neighbours = np.concatenate([[sureness[0]], sureness[:-1]]), np.concatenate([sureness[1:], [sureness[-1]]])
    neighbour_sureness = np.minimum(*neighbours)

    two_cols: dict[str, list[float]] = {name: [] for name in TWO_SIDED_FEATURES}
    one_cols: dict[str, list[float]] = {name: [] for name in ONE_SIDED_FEATURES}
    for b, (i0, i1, j0, j1) in enumerate(path):
        if two[b]:
            held = anchor_of[i0:i1]
            agreement = float(np.sum(np.where(held < 0, 0, np.where((held >= j0) & (held < j1), 1, -1))))
            values = {
                "bias": 1.0, "similarity": strength[b], "margin": (cos[b] - best_other[b]) / scale,
                "length_cost": min(float(length_costs[b]), 10.0) / 10, "merged": i1 - i0 + j1 - j0 - 2,
                "anchor_agreement": agreement, "anchor_distance": np.log1p(dist_a[i0]),
                "outside_region": float(not (in_src[i0:i1].all() and in_tgt[j0:j1].all())),
                "anchor_density": density, "context": context[b], "extend_gain": extend[b], "shrink_gain": shrink[b],
                "one_to_one": float(i1 - i0 == 1 and j1 - j0 == 1), "relative_similarity": min(relative[b], 5.0),
                "anchor_share": anchor_share, "document_z": document_z, "sureness": sureness[b],
                "neighbour_sureness": neighbour_sureness[b], "gap_fill": fill[b],
            }
            cols = two_cols
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
            values = {
                "bias": 1.0, "best_across": (best_other[b] - base) / scale, "outside_region": outside,
                "run_length": np.log1p(run[b]), "anchor_density": density, "anchor_distance": dist,
                "line_length": np.log1p(length), "context": context[b], "join_gain": join[b],
                "anchor_share": anchor_share, "document_z": document_z, "sureness": sureness[b],
                "neighbour_sureness": neighbour_sureness[b], "source_side": float(i1 > i0), "gap_fill": fill[b],
            }
            cols = one_cols
        for name in cols:
            cols[name].append(float(values[name]))
    return (two, {name: np.array(v, dtype=np.float64) for name, v in two_cols.items()},
            {name: np.array(v, dtype=np.float64) for name, v in one_cols.items()})


def _gap_fill(bounds: np.ndarray, two: np.ndarray, cum_a: np.ndarray, cum_b: np.ndarray,
              similarity: BeadSimilarity, max_lines: int = 6) -> np.ndarray:
    """How much better the lengths of a two-sided bead would fit if it took in the run of
    one-sided lines beside it (Gale-Church cost before minus after, /10): high when a
    source sentence was translated by several target sentences and only one was paired
    (a missed merge). A one-sided bead gets the figure of the neighbour that would take it in."""
    count = len(bounds)
    fill = np.zeros(count)
    best_one = np.full(count, -1.0)
    idx_two = np.flatnonzero(two)
    if not len(idx_two):
        return fill

    def cost(i0, i1, j0, j1):
        return np.minimum(similarity.length_cost(cum_a[i1] - cum_a[i0], cum_b[j1] - cum_b[j0]), 10.0) / 10

    for direction in (1, -1):
        # the run of one-sided beads beside each two-sided bead, on this side
        stop = idx_two.copy()
        steps = np.zeros(len(idx_two), dtype=np.int64)
        while True:
            nxt = stop + direction
            ok = (nxt >= 0) & (nxt < count) & (steps < max_lines)
            ok[ok] &= ~two[nxt[ok]]
            if not ok.any():
                break
            stop[ok] = nxt[ok]
            steps[ok] += 1
        has = steps > 0
        if not has.any():
            continue
        own = bounds[idx_two[has]]
        edge = bounds[stop[has]]
        if direction == 1:
            wider = (own[:, 0], edge[:, 1], own[:, 2], edge[:, 3])
        else:
            wider = (edge[:, 0], own[:, 1], edge[:, 2], own[:, 3])
        gain = cost(*own.T) - cost(*wider)
        fill[idx_two[has]] = np.maximum(fill[idx_two[has]], gain)
        for t, s, g in zip(idx_two[has], stop[has], gain):
            run = range(t + direction, s + direction, direction)
            best_one[list(run)] = np.maximum(best_one[list(run)], g)
    fill[~two] = np.maximum(best_one[~two], 0.0)
    return fill


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
    scores[two] = model.two_sided.probabilities(x_two)
    scores[~two] = model.one_sided.probabilities(x_one)
    return np.round(scores, 4)


def dp_gains(beads: Sequence[Path4], similarity: BeadSimilarity) -> np.ndarray:
    """The search's own gain of each bead (see ``dp.search``): one-sided beads cost
    ``skip_cost`` per line, two-sided ones gain for similarity above chance and lose for
    length mismatch, extra sentences and lines outside the anchored region."""
    cfg = similarity.config
    bounds = np.array(beads, dtype=np.int64).reshape(-1, 4)
    k = bounds[:, 1] - bounds[:, 0]
    l = bounds[:, 3] - bounds[:, 2]
    two = (k > 0) & (l > 0)
    out = -cfg.skip_cost * (k + l).astype(np.float64)
    if not two.any():
        return out
    cos = similarity.bead_cosines([tuple(b) for b in bounds[two]])
    cum_a = np.concatenate([[0.0], np.cumsum(similarity.len_a)])
    cum_b = np.concatenate([[0.0], np.cumsum(similarity.len_b)])
    b2 = bounds[two]
    k2, l2 = k[two], l[two]
    length = similarity.length_cost(cum_a[b2[:, 1]] - cum_a[b2[:, 0]], cum_b[b2[:, 3]] - cum_b[b2[:, 2]])
    gain = (cfg.similarity_weight * ((k2 + l2) / 2) ** cfg.size_exponent * (cos - similarity.baseline)
            - cfg.length_weight * length - cfg.merge_cost * (k2 + l2 - 2))
    region = np.zeros(len(b2))
    for shape in set(zip(k2.tolist(), l2.tolist())):
        at = (k2 == shape[0]) & (l2 == shape[1])
        region[at] = similarity.region_gain(shape[0], shape[1], b2[at, 1], b2[at, 3])
    out[two] = gain + region
    return out


def alternative_margins(path: Sequence[Path4], two: np.ndarray, similarity: BeadSimilarity) -> np.ndarray:
    """For every bead, how much the search's objective would change under the best local
    alternative that replaces it (at most 0 for the path the search found, up to the band's
    limits): take in or give up a line at an edge, merge with or split from a neighbour,
    shift a boundary, pair two facing one-sided lines, or leave a two-sided bead's lines
    unaligned. Near 0: the search nearly chose otherwise, so the bead is unsure; far
    below: every nearby alternative is much worse. A local stand-in for the DP's
    second-best path through the bead."""
    shapes = set(BEAD_TYPES)
    alternatives: list[tuple[list[Path4], tuple[int, ...]]] = []

    def add(new: list[Path4], replaced: tuple[int, ...]) -> None:
        for i0, i1, j0, j1 in new:
            if i1 > i0 and j1 > j0 and (i1 - i0, j1 - j0) not in shapes:
                return
        alternatives.append((new, replaced))

    count = len(path)
    for b, (i0, i1, j0, j1) in enumerate(path):
        if two[b]:
            k, l = i1 - i0, j1 - j0
            # give up one line at an edge (it becomes one-sided)
            if k > 1:
                add([(i0 + 1, i1, j0, j1), (i0, i0 + 1, j0, j0)], (b,))
                add([(i0, i1 - 1, j0, j1), (i1 - 1, i1, j1, j1)], (b,))
            if l > 1:
                add([(i0, i1, j0 + 1, j1), (i0, i0, j0, j0 + 1)], (b,))
                add([(i0, i1, j0, j1 - 1), (i1, i1, j1 - 1, j1)], (b,))
            # split into two two-sided beads
            for si in range(i0 + 1, i1):
                for sj in range(j0 + 1, j1):
                    add([(i0, si, j0, sj), (si, i1, sj, j1)], (b,))
            # leave every line unaligned
            add([(i, i + 1, j0, j0) for i in range(i0, i1)] + [(i1, i1, j, j + 1) for j in range(j0, j1)], (b,))
            if b + 1 < count:
                p0, p1, q0, q1 = path[b + 1]
                # take in the next bead (one-sided or two-sided)
                add([(i0, p1, j0, q1)], (b, b + 1))
                if two[b + 1]:
                    # shift the boundary with the next two-sided bead by one line
                    if k > 1:
                        add([(i0, i1 - 1, j0, j1), (i1 - 1, p1, q0, q1)], (b, b + 1))
                    if p1 - p0 > 1:
                        add([(i0, p0 + 1, j0, j1), (p0 + 1, p1, q0, q1)], (b, b + 1))
                    if l > 1:
                        add([(i0, i1, j0, j1 - 1), (p0, p1, j1 - 1, q1)], (b, b + 1))
                    if q1 - q0 > 1:
                        add([(i0, i1, j0, q0 + 1), (p0, p1, q0 + 1, q1)], (b, b + 1))
            if b > 0 and not two[b - 1]:
                p0, p1, q0, q1 = path[b - 1]
                add([(p0, i1, q0, j1)], (b - 1, b))
        elif b + 1 < count and not two[b + 1]:
            p0, p1, q0, q1 = path[b + 1]
            if (i1 > i0) != (p1 > p0):
                # a source line and a target line left unaligned side by side: pair them
                add([(min(i0, p0), max(i1, p1), min(j0, q0), max(j1, q1))], (b, b + 1))
    best = np.full(count, -10.0)
    if not alternatives:
        return best
    own = dp_gains(path, similarity)
    flat = [bead for new, _ in alternatives for bead in new]
    gains = dp_gains(flat, similarity)
    at = 0
    for new, replaced in alternatives:
        delta = gains[at: at + len(new)].sum() - own[list(replaced)].sum()
        at += len(new)
        for b in replaced:
            best[b] = max(best[b], delta)
    return np.clip(best, -10.0, 2.0)
