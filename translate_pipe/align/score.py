"""The bead score: an estimate of the probability that a bead is right, for every bead.

Each bead gets features of the evidence for it (:data:`TWO_SIDED_FEATURES`,
:data:`ONE_SIDED_FEATURES`); a logistic model per kind of bead (two-sided, one-sided)
weighs the few its data file names (``translate_pipe/data/bead_score.json``, fitted by
``bench/align_fit_score.py`` on one half of the development document and reported on the
other). The strongest is the bead's **posterior**: with every path through a band around
the found one weighted by exp(its gain in the search's own objective / 0.1), the share of
the weight on paths that hold the bead (forward-backward, :func:`bead_posteriors`). The
shipped two-sided model also weighs the bead's similarity, its *rival* (the bead's lines
match their neighbours across about as well as each other: a shifted bead or a missed
merge) and the margin between the two, whether dropping a line at an edge would raise
its similarity (a spurious merge), its length cost, how many of its neighbours are
one-sided, and whether an edge of the bead follows a pause (colon, semicolon, comma; see
:func:`line_ends`) on one side only: a sentence split there on one side and not by the
translator, the bead a piece of a gold merge. (Lines without punctuation on one side
only, ``open_asymmetry``, are computed too; the search now pays for such furniture
lines itself, and the shipped model leaves it out.) The one-sided model weighs the
best match of the line across, the length of its one-sided run, its distance to the
nearest anchor and how many of the mutual-best anchors chained (low between unrelated
documents); both, whether the pair has no anchored region at all. A third model scores
the lines of a pair called not parallel (:func:`unaligned_score`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from .dp import (
    BEAD_TYPES,
    PAUSE_MARKS,
    SENTENCE_MARKS,
    BeadSimilarity,
    bead_gain,
    last_mark,
)
from .regions import Region, anchor_distance, log_density

#: Every feature the score can use; a model (bead_score.json) names the ones it weighs.
TWO_SIDED_FEATURES = ("bias", "similarity", "margin", "rival", "length_cost", "merged", "anchor_agreement",
                      "anchor_distance", "outside_region", "anchor_density", "context", "extend_gain",
                      "shrink_gain", "one_to_one", "relative_similarity", "anchor_share", "document_z",
                      "posterior", "no_region", "split_pause", "open_asymmetry", "one_sided_neighbours")
ONE_SIDED_FEATURES = ("bias", "best_across", "outside_region", "run_length", "anchor_density",
                      "anchor_distance", "line_length", "context", "join_gain", "anchor_share", "document_z",
                      "source_side", "posterior", "line_posterior", "no_region", "open_lines")
#: Features read from the lines' text (their last character), not from the similarity.
TEXT_FEATURES = frozenset({"split_pause", "open_asymmetry", "open_lines"})

#: Features of the score of a line of a pair called not parallel (see unaligned_score).
UNALIGNED_FEATURES = ("bias", "chained_share")

Path4 = tuple[int, int, int, int]

#: How a line ends (see line_ends): a sentence end, a pause (the sentence goes on), no punctuation.
SENTENCE_END, PAUSE, OPEN = 0, 1, 2
#: Paths are weighted by exp(gain / this) for the beads' posteriors (gains: see band_gains).
POSTERIOR_TEMPERATURE = 0.1  # held out (part B, MT / no MT): 0.05 gave AUC 0.815 / 0.850, 0.1 0.844 / 0.838, 0.2 0.841 / 0.822


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
    """One logistic model for two-sided beads, one for one-sided beads, and one for the
    lines of a pair called not parallel (:func:`unaligned_score`)."""

    two_sided: LogisticModel
    one_sided: LogisticModel
    fitted_on: str = ""
    unaligned: LogisticModel | None = None


def model_from_json(raw: dict) -> BeadScoreModel:
    """The model as ``bench/align_fit_score.py --write`` stores it."""
    kinds = []
    for kind, available in (("two_sided", TWO_SIDED_FEATURES), ("one_sided", ONE_SIDED_FEATURES),
                            ("unaligned", UNALIGNED_FEATURES)):
        if kind == "unaligned" and kind not in raw:
            kinds.append(None)
            continue
        features = tuple(raw[kind]["features"])
        unknown = sorted(set(features) - set(available))
        if unknown or len(features) != len(raw[kind]["weights"]):
            raise ValueError(f"bead_score.json: {kind} model does not fit this code ({unknown or 'weights'}): refit it")
        kinds.append(LogisticModel(features, tuple(float(w) for w in raw[kind]["weights"])))
    return BeadScoreModel(kinds[0], kinds[1], raw.get("fitted_on", ""), kinds[2])


@lru_cache(maxsize=1)
def default_model() -> BeadScoreModel:
    text = resources.files("translate_pipe").joinpath("data/bead_score.json").read_text(encoding="utf-8")
    return model_from_json(json.loads(text))


def line_ends(lines: Sequence[str]) -> np.ndarray:
    """How each line ends: :data:`PAUSE` after a colon, semicolon or comma (Latin or
    Arabic), :data:`OPEN` without any punctuation (headings, page furniture, a sentence cut
    off), else :data:`SENTENCE_END`. Closing quotes and brackets are looked through."""
    out = np.full(len(lines), SENTENCE_END, dtype=np.int8)
    for t, line in enumerate(lines):
        mark = last_mark(line)  # "" when the line has nothing but closers: OPEN
        if mark in PAUSE_MARKS:
            out[t] = PAUSE
        elif mark not in SENTENCE_MARKS:
            out[t] = OPEN
    return out


def _text_features(path: Sequence[Path4], two: np.ndarray, src: Sequence[str], tgt: Sequence[str],
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The line-shape evidence of every bead (see :func:`bead_features`): split_pause and
    open_asymmetry (two-sided beads), open_lines (one-sided)."""
    # A sentence split at a pause on one side only is a 1-2 or 2-2 bead that the search
    # may have cut in two: the bead's edge sits after a pause on one side and after a
    # sentence end on the other. Beyond either end of a document there is a sentence end.
    pause_a = np.concatenate([[False], line_ends(src) == PAUSE, [False]])
    pause_b = np.concatenate([[False], line_ends(tgt) == PAUSE, [False]])
    # A document's last line is left out: a document cut off mid-sentence (a crawl, a
    # translation that stops early) ends without punctuation on one side only.
    open_a = np.concatenate([[0], np.cumsum(line_ends(src[:-1]) == OPEN), [0]])
    open_b = np.concatenate([[0], np.cumsum(line_ends(tgt[:-1]) == OPEN), [0]])
    open_a[-1], open_b[-1] = open_a[-2], open_b[-2]
    bounds = np.array(path, dtype=np.int64).reshape(-1, 4)
    i0, i1, j0, j1 = bounds.T
    # pause_*[k] says whether line k - 1 (the last line before edge k) ends in a pause.
    split = (pause_a[i0] != pause_b[j0]).astype(float) + (pause_a[i1] != pause_b[j1])
    # A heading or a page line merged into a translation: lines without punctuation on one
    # side only (two titles paired 1-1 have one each).
    asymmetry = np.abs((open_a[i1] - open_a[i0]) - (open_b[j1] - open_b[j0])).astype(float)
    # A one-sided line without punctuation, or after one: page furniture, rightly alone.
    lines_open = np.where(i1 > i0, open_a[i1] - open_a[np.maximum(i0 - 1, 0)],
                          open_b[j1] - open_b[np.maximum(j0 - 1, 0)]).astype(float)
    return np.where(two, split, 0.0), np.where(two, asymmetry, 0.0), np.where(two, 0.0, lines_open)


def bead_features(path: Sequence[Path4], similarity: BeadSimilarity, region: Region, n: int, m: int,
                  needed: Collection[str] | None = None,
                  texts: tuple[Sequence[str], Sequence[str]] | None = None,
                  ) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Features of every bead: (two-sided mask, two-sided features, one-sided features),
    each feature a column by name (:data:`TWO_SIDED_FEATURES`, :data:`ONE_SIDED_FEATURES`),
    in path order within each kind. The costly ones are computed only when ``needed``
    names them (None: all; the others are then 0). ``texts`` (source, target lines: the
    source itself, not its MT) gives the :data:`TEXT_FEATURES`; without it they are 0."""
    need = set(TWO_SIDED_FEATURES) | set(ONE_SIDED_FEATURES) if needed is None else set(needed)
    zeros = np.zeros(len(path))
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
    # No region known (too few anchors chained): no line is outside it, as in the search
    # (dp.BeadSimilarity.set_region); ``no_region`` says so instead.
    no_region = float(region.size < similarity.config.min_anchors)
    in_src = np.full(n, bool(no_region))
    in_tgt = np.full(m, bool(no_region))
    if not no_region:
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

    kinds = [k for k, name in enumerate(("extend_gain", "shrink_gain", "join_gain")) if name in need]
    if kinds:
        extend, shrink, join = _reshaping_gains(path, two, cos, similarity, n, m, kinds)
    else:
        extend = shrink = join = zeros
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

    if texts is not None and need & TEXT_FEATURES:
        split_pause, open_asymmetry, open_lines = _text_features(path, two, texts[0], texts[1])
    else:
        split_pause = open_asymmetry = open_lines = zeros
    # One-sided beads next to a two-sided one: a 1-0 beside a 1-1 is often a 2-1 cut in two.
    one_sided_neighbours = np.zeros(len(path))
    one_sided_neighbours[1:] += ~two[:-1]
    one_sided_neighbours[:-1] += ~two[1:]

    if need & {"posterior", "line_posterior"}:
        posterior, line_posterior = bead_posteriors(path, similarity, POSTERIOR_TEMPERATURE)
    else:
        posterior = line_posterior = zeros
    # log scale: the objective's differences span 0.001 to 10

    two_cols: dict[str, list[float]] = {name: [] for name in TWO_SIDED_FEATURES}
    one_cols: dict[str, list[float]] = {name: [] for name in ONE_SIDED_FEATURES}
    for b, (i0, i1, j0, j1) in enumerate(path):
        if two[b]:
            held = anchor_of[i0:i1]
            agreement = float(np.sum(np.where(held < 0, 0, np.where((held >= j0) & (held < j1), 1, -1))))
            values = {
                "bias": 1.0, "similarity": strength[b], "margin": (cos[b] - best_other[b]) / scale,
                "rival": (best_other[b] - base) / scale,
                "length_cost": min(float(length_costs[b]), 10.0) / 10, "merged": i1 - i0 + j1 - j0 - 2,
                "anchor_agreement": agreement, "anchor_distance": np.log1p(dist_a[i0]),
                "outside_region": float(not (in_src[i0:i1].all() and in_tgt[j0:j1].all())),
                "anchor_density": density, "context": context[b], "extend_gain": extend[b], "shrink_gain": shrink[b],
                "one_to_one": float(i1 - i0 == 1 and j1 - j0 == 1), "relative_similarity": min(relative[b], 5.0),
                "anchor_share": anchor_share, "document_z": document_z,
                "posterior": posterior[b], "no_region": no_region, "split_pause": split_pause[b],
                "open_asymmetry": open_asymmetry[b], "one_sided_neighbours": one_sided_neighbours[b],
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
                "anchor_share": anchor_share, "document_z": document_z, "source_side": float(i1 > i0),
                "posterior": posterior[b], "line_posterior": line_posterior[b], "no_region": no_region,
                "open_lines": open_lines[b],
            }
            cols = one_cols
        for name in cols:
            cols[name].append(float(values[name]))
    return (two, {name: np.array(v, dtype=np.float64) for name, v in two_cols.items()},
            {name: np.array(v, dtype=np.float64) for name, v in one_cols.items()})


def _reshaping_gains(path: Sequence[Path4], two: np.ndarray, cos: np.ndarray, similarity: BeadSimilarity,
                     n: int, m: int, kinds: Collection[int] = (0, 1, 2)) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How much a bead's cosine would rise if it took one more line at an edge (a missed
    merge, kind 0), or lost one (a spurious merge, 1); for a one-sided bead, how much a
    two-sided neighbour's would rise by taking its line in (2). Only ``kinds`` are computed."""
    variants: list[Path4] = []
    owners: list[tuple[int, int, int]] = []  # (kind: 0 extend, 1 shrink, 2 join; bead; bead whose cosine is the base)
    for b, (i0, i1, j0, j1) in enumerate(path):
        if two[b]:
            for v in ((i0 - 1, i1, j0, j1), (i0, i1 + 1, j0, j1), (i0, i1, j0 - 1, j1), (i0, i1, j0, j1 + 1)):
                if 0 in kinds and v[0] >= 0 and v[1] <= n and v[2] >= 0 and v[3] <= m and v[1] - v[0] <= 4 and v[3] - v[2] <= 5:
                    variants.append(v)
                    owners.append((0, b, b))
            for v in ((i0 + 1, i1, j0, j1), (i0, i1 - 1, j0, j1), (i0, i1, j0 + 1, j1), (i0, i1, j0, j1 - 1)):
                if 1 in kinds and v[1] > v[0] and v[3] > v[2]:
                    variants.append(v)
                    owners.append((1, b, b))
        elif 2 in kinds:
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
                model: BeadScoreModel | None = None,
                texts: tuple[Sequence[str], Sequence[str]] | None = None) -> np.ndarray:
    """The calibrated score of every bead of ``path``, in [0, 1]. ``texts``: the source and
    target lines, needed when the model weighs how lines end (:data:`TEXT_FEATURES`)."""
    model = model or default_model()
    needed = set(model.two_sided.features) | set(model.one_sided.features)
    if texts is None and needed & TEXT_FEATURES:
        raise ValueError(f"the bead score weighs {sorted(needed & TEXT_FEATURES)}: give the texts")
    two, x_two, x_one = bead_features(path, similarity, region, n, m, needed, texts)
    scores = np.zeros(len(path))
    scores[two] = model.two_sided.probabilities(x_two)
    scores[~two] = model.one_sided.probabilities(x_one)
    return np.round(scores, 4)


def unaligned_score(chained_share: float, model: BeadScoreModel | None = None) -> float:
    """The score of each line of a pair called not parallel, once its beads are split into
    one-sided ones: the probability that the line really has no counterpart. The evidence
    is the pair's, not the bead's: translations whose anchors barely chain (short texts
    without shared names or numbers) are called not parallel too, and their lines do have
    counterparts, so the fewer of the mutual-best anchor pairs chained, the surer."""
    model = model or default_model()
    if model.unaligned is None:
        return 0.5
    columns = {"bias": np.ones(1), "chained_share": np.array([float(chained_share)])}
    return round(float(model.unaligned.probabilities(columns)[0]), 4)


def _band_of_path(path: Sequence[Path4], width: int) -> tuple[np.ndarray, np.ndarray]:
    """Per DP row from the path's first row to its last, the column range ``[lo, hi]``
    within ``width`` of the path (and within the path's own first and last columns)."""
    top, bottom = path[0][0], path[-1][1]
    left, right = path[0][2], path[-1][3]
    first = np.full(bottom - top + 1, right, dtype=np.int64)
    last = np.full(bottom - top + 1, left, dtype=np.int64)
    for i0, i1, j0, j1 in path:
        for i in range(i0, i1 + 1):  # rows a merge passes over count too
            first[i - top] = min(first[i - top], j0 if i < i1 else j1)
            last[i - top] = max(last[i - top], j1 if i > i0 else j0)
    lo = np.clip(first - width, left, right)
    hi = np.clip(last + width, left, right)
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    hi = np.maximum.accumulate(hi)
    hi[:-1] = np.maximum(hi[:-1], lo[1:])
    return lo, hi


def band_gains(similarity: BeadSimilarity, top: int, lo: np.ndarray, hi: np.ndarray,
               ) -> tuple[list[tuple[int, int]], np.ndarray]:
    """The search's gain (``dp.search``'s objective) of every bead shape ending at every cell
    of a band of rows ``top`` .. ``top + len(lo) - 1``: (shapes with k >= 1, gains[row -
    top, shape, x] for column lo[row - top] + x; -inf outside the band). The same
    arithmetic as ``dp.search``, over a narrow band."""
    cfg = similarity.config
    rows_n = len(lo) - 1  # source lines in the band
    width = int((hi - lo).max()) + 1
    cols = lo[:, None] + np.arange(width)[None, :]
    inside = cols <= hi[:, None]
    cols = np.minimum(cols, hi[:, None])
    span = int(hi.max() - lo.min())  # target lines in the band
    shapes = [t for t in BEAD_TYPES if 0 < t[0] <= max(rows_n, 1) and t[1] <= span]
    max_k = max(k for k, _ in shapes)
    max_l = max(l for _, l in shapes)
    if rows_n == 0:
        return shapes, np.full((1, len(shapes), width), -np.inf)
    win_lo = np.maximum(lo[:rows_n] - max_l, 0)
    win_hi = hi[np.minimum(np.arange(rows_n) + max_k, rows_n)]
    pad = max_l + 1
    win_width = int((win_hi - win_lo).max()) + 2 * pad + 1
    # dot products of each source line with the target lines its beads may cover, as
    # prefix sums along the row; read from the search's band (pair_dots) where it holds them
    counts = (win_hi - win_lo).astype(np.int64)
    local = np.repeat(np.arange(rows_n), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    flat = np.zeros((rows_n, win_width - pad - 1))
    if len(local):
        flat[local, offsets] = similarity.pair_dots(top + local, np.repeat(win_lo, counts) + offsets)
    cum = np.zeros((rows_n, win_width))
    cum[:, pad + 1:] = np.cumsum(flat, axis=1)
    base = win_lo - pad
    cum_len_a = np.concatenate([[0.0], np.cumsum(similarity.len_a)])
    cum_len_b = np.concatenate([[0.0], np.cumsum(similarity.len_b)])
    all_rows = np.arange(rows_n + 1)[:, None]
    out = np.full((rows_n + 1, len(shapes), width), -np.inf)
    for s, (k, l) in enumerate(shapes):
        if l == 0:
            out[:, s, :] = np.where(inside & (all_rows >= k), -cfg.skip_cost, -np.inf)
            continue
        ok = inside & (all_rows >= k) & (cols - l >= lo[0])
        ends = np.where(ok, cols, lo[0] + l)
        ends_a = top + np.clip(all_rows, k, rows_n)

        def run_dot(d: int, u0: int, u1: int, ends=ends, l=l) -> np.ndarray:
            r = np.clip(all_rows[:, 0] - d, 0, rows_n - 1)
            return (cum[r[:, None], np.clip(ends - l + u1 - base[r][:, None], 0, win_width - 1)]
                    - cum[r[:, None], np.clip(ends - l + u0 - base[r][:, None], 0, win_width - 1)])

        gain = bead_gain(similarity, k, l, ends_a, ends, run_dot, cum_len_a, cum_len_b)
        out[:, s, :] = np.where(ok, gain, -np.inf)
    return shapes, out


def _posteriors_of(path: Sequence[Path4], similarity: BeadSimilarity, temperature: float, width: int) -> np.ndarray:
    """log posteriors of the beads of a stretch of path, given that it starts and ends where it does."""
    top, left = path[0][0], path[0][2]
    lo, hi = _band_of_path(path, width)
    shapes, gains = band_gains(similarity, top, lo, hi)
    gains = gains / temperature
    rows_n = len(lo) - 1
    band = gains.shape[2]
    shape_k = np.array([k for k, _ in shapes])
    shape_l = np.array([l for _, l in shapes])
    shape_ids = np.arange(len(shapes))[:, None]
    skip = -similarity.config.skip_cost / temperature
    x = np.arange(band)
    inside = (lo[:, None] + x[None, :]) <= hi[:, None]
    alpha = np.full((rows_n + 1, band), -np.inf)
    beta = np.full((rows_n + 1, band), -np.inf)
    rows = np.arange(rows_n + 1)
    # Where each bead shape ending at (row, x) starts, for all rows at once; gains made
    # -inf where that start is outside the band, so the row loops only gather and add.
    prev = np.maximum(rows[:, None] - shape_k[None, :], 0)  # (rows, shapes)
    px = x[None, None, :] + (lo[:, None] - lo[prev])[:, :, None] - shape_l[None, :, None]
    into_gain = np.where((px >= 0) & (px < band) & (rows[:, None] >= shape_k[None, :])[:, :, None], gains, -np.inf)
    px = np.clip(px, 0, band - 1)
    # ... and where each shape starting at (row, x) ends.
    nxt = np.minimum(rows[:, None] + shape_k[None, :], rows_n)
    nx = x[None, None, :] + (lo[:, None] - lo[nxt])[:, :, None] + shape_l[None, :, None]
    nx_ok = (nx >= 0) & (nx < band) & (rows[:, None] + shape_k[None, :] <= rows_n)[:, :, None]
    nx = np.clip(nx, 0, band - 1)
    out_gain = np.where(nx_ok, gains[nxt[:, :, None], shape_ids[None, :, :], nx], -np.inf)
    ramp = skip * x
    with np.errstate(invalid="ignore"):
        for t in range(rows_n + 1):
            if t == 0:
                into = np.full(band, -np.inf)
                into[left - lo[0]] = 0.0
            else:
                into = np.logaddexp.reduce(alpha[prev[t][:, None], px[t]] + into_gain[t], axis=0)
            # 0-1 beads within the row: alpha[x] = logsumexp over x' <= x of into[x'] + (x - x') * skip
            into[~inside[t]] = -np.inf
            row = np.logaddexp.accumulate(into - ramp) + ramp
            row[~inside[t]] = -np.inf
            alpha[t] = row
        for t in range(rows_n, -1, -1):
            if t == rows_n:
                out = np.full(band, -np.inf)
                out[path[-1][3] - lo[t]] = 0.0
            else:
                out = np.logaddexp.reduce(out_gain[t] + beta[nxt[t][:, None], nx[t]], axis=0)
            # beta[x] = logsumexp over x' >= x of out[x'] + (x' - x) * skip
            out[~inside[t]] = -np.inf
            row = np.logaddexp.accumulate((out + ramp)[::-1])[::-1] - ramp
            row[~inside[t]] = -np.inf
            beta[t] = row
    total = alpha[rows_n, path[-1][3] - lo[rows_n]]
    index = {shape: s for s, shape in enumerate(shapes)}
    logp = np.zeros(len(path))
    for b, (i0, i1, j0, j1) in enumerate(path):
        start = alpha[i0 - top, j0 - lo[i0 - top]]
        if i1 == i0:  # a 0-1 bead: one skip within the row
            logp[b] = start + skip + beta[i0 - top, j1 - lo[i0 - top]] - total
        else:
            t = i1 - top
            logp[b] = start + gains[t, index[(i1 - i0, j1 - j0)], j1 - lo[t]] + beta[t, j1 - lo[t]] - total
    line = logp.copy()
    columns = lo[:, None] + x[None, :]
    with np.errstate(invalid="ignore"):
        for b, (i0, i1, j0, j1) in enumerate(path):
            if i1 > i0 and j1 > j0:
                continue
            if i1 > i0:
                # A source line left out: the probability that it is left out anywhere
                # (the order of the one-sided beads of a run is arbitrary), i.e. a 1-0 step
                # from row i0 to i0 + 1 in any column of both rows.
                t0, t1 = i0 - top, i1 - top
                x1 = x + lo[t0] - lo[t1]
                ok = inside[t0] & (x1 >= 0) & (x1 < band)
                ok[ok] &= inside[t1][x1[ok]]
                line[b] = np.logaddexp.reduce(alpha[t0, ok] + gains[t1, index[(1, 0)], x1[ok]]
                                              + beta[t1, x1[ok]]) - total
            else:
                # A target line left out: a 0-1 step from column j0 to j0 + 1 in any row.
                rows_with = (columns[:, :-1] == j0) & inside[:, 1:]
                t_of, x_of = np.nonzero(rows_with)
                line[b] = np.logaddexp.reduce(alpha[t_of, x_of] + skip + beta[t_of, x_of + 1]) - total
    return np.stack([logp, line])


def bead_posteriors(path: Sequence[Path4], similarity: BeadSimilarity, temperature: float = 1.0,
                    width: int = 6, chunk: int = 300, context: int = 40) -> np.ndarray:
    """log P(bead | documents) of every bead of ``path`` when paths are weighted by
    exp(total gain / temperature): the share of the nearby alignments (forward-backward
    over a band of ``width`` columns around the path) that hold the bead: row 0;
    row 1 is the same for two-sided beads and, for a one-sided bead, the log probability
    that its line is left out at all (the order of a run of one-sided beads is arbitrary).
    Computed on stretches of ``chunk`` beads with ``context`` beads either side (the path
    is taken as given beyond them), so a long one-sided run widens only its own band."""
    logp = np.zeros((2, len(path)))
    for start in range(0, len(path), chunk):
        lo_b, hi_b = max(start - context, 0), min(start + chunk + context, len(path))
        part = _posteriors_of(path[lo_b:hi_b], similarity, temperature, width)
        logp[:, start: start + chunk] = part[:, start - lo_b: start - lo_b + min(chunk, len(path) - start)]
    return np.minimum(logp, 0.0)
