"""The dynamic programming within a parallel region: bead similarities, length costs, the search.

Similarity of a bead is the cosine of the summed vectors of its sentences, computed
from dot products alone, so merged beads need no new vectors. Gale-Church's length
model scores each bead's character lengths. The search is vectorised over each row of
a band around a guide path (the anchors' path, see ``regions.py``), and the band is
widened and the search rerun whenever the best path touches its edge, so memory and
time stay linear in the document length while large omissions are still found.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse, special

from .encoder import row_view
from .options import AlignConfig
from .regions import Region

#: Bead shapes the search considers (source sentences, target sentences).
BEAD_TYPES: tuple[tuple[int, int], ...] = (
    (1, 1), (1, 0), (0, 1), (1, 2), (2, 1), (1, 3), (3, 1), (2, 2),
    (1, 4), (4, 1), (2, 3), (3, 2), (1, 5), (3, 3),
)


#: Marks that end a sentence: Latin, the Arabic question mark and full stop, the ellipsis.
SENTENCE_MARKS = frozenset(".!?\u2026\u061f\u06d4")
#: Colon, semicolon and comma, Latin and Arabic: a line that ends in one is a piece of a sentence.
PAUSE_MARKS = frozenset(":;,\u061b\u060c")
#: Closing quotes and brackets after the final mark ("end.»", "end.)") are looked through.
CLOSING_MARKS = "\"'»”’)]›"
#: A line that ends in these ends a sentence or a clause; after a comma it is a fragment
#: (a date "May 8,", a list item).
_TEXT_ENDS = SENTENCE_MARKS | (PAUSE_MARKS - {",", "\u060c"})
_ABBREVIATION = re.compile(r"(?:^|[\s(\-])(?:[^\W\d]|[A-Z][a-z]{1,2}|\w+\.\w*)\s*\.$")


def last_mark(line: str) -> str:
    """The last character of ``line``, trailing spaces, closing quotes and brackets looked
    through ("" when nothing else is left): how every test of how a line ends reads it (the
    search's joins and furniture here, the bead score's ``line_ends``)."""
    end = line.rstrip().rstrip(CLOSING_MARKS + " ")
    return end[-1] if end else ""


def continuation(line: str) -> float:
    """How strongly ``line`` reads as continued by the next line: 1 after clause punctuation
    (``;`` ``,``), 0.7 after a colon, 0.3 after what looks like an abbreviation (one letter,
    a capitalised word of two or three letters or a dotted word before the final full
    stop), else 0. Segmenters split at these, and translators often do not: on the first half of the
    development document (de-fr, gold beads) the lines after a semicolon join the next in
    one bead 67% of the time, after a colon 49%, after an abbreviation 23%, after any other
    full stop 13%; the values are the log-odds above a full stop's, scaled to 1."""
    mark = last_mark(line)
    if mark == ":":
        return 0.7
    if mark in PAUSE_MARKS:
        return 1.0
    if mark == "." and _ABBREVIATION.search(line.rstrip()):
        return 0.3
    return 0.0


def furniture(line: str, max_words: int = 6) -> bool:
    """Whether ``line`` looks like page furniture rather than text: at most ``max_words``
    words and no sentence punctuation at its end (a page number, a date, a menu item, a
    fragment of a caption)."""
    return len(line.split()) <= max_words and not ends_sentence(line)


def ends_sentence(line: str) -> bool:
    """Whether ``line`` ends with sentence or clause punctuation (closing quotes and
    brackets after it aside)."""
    return last_mark(line) in _TEXT_ENDS


def _neighbour_dots(matrix: sparse.csr_matrix, distance: int) -> np.ndarray:
    """Dot product of each row ``t`` with row ``t + distance``: on row views, as a 7k-line
    document's two copies per distance were most of BeadSimilarity's set-up."""
    n = matrix.shape[0]
    if n <= distance:
        return np.zeros(0)
    matrix = sparse.csr_matrix(matrix)
    head, tail = row_view(matrix, 0, n - distance), row_view(matrix, distance, n)
    return np.asarray(head.multiply(tail).sum(1)).ravel()


def _fill_band(out: np.ndarray, lo: np.ndarray, hi: np.ndarray, todo: np.ndarray, a: sparse.csr_matrix,
               b: sparse.csr_matrix) -> None:
    """Rows ``todo`` of a band (see ``BeadSimilarity.band_dots``): each row's dot products
    with targets ``lo[r]`` .. ``hi[r] - 1``, from sparse products of 64 rows at a time."""
    offsets = np.arange(out.shape[1])
    for at in range(0, len(todo), 64):
        rows = todo[at: at + 64]
        c0, c1 = int(lo[rows].min()), int(hi[rows].max())
        if c1 <= c0:
            continue
        contiguous = rows[-1] - rows[0] + 1 == len(rows)
        chunk = (a[slice(int(rows[0]), int(rows[-1]) + 1) if contiguous else rows] @ b[c0:c1].T).toarray()
        idx = np.minimum(lo[rows, None] - c0 + offsets[None, :], c1 - c0 - 1)
        out[rows] = np.where(offsets[None, :] < (hi - lo)[rows, None], chunk[np.arange(len(rows))[:, None], idx], 0.0)


class BeadSimilarity:
    """Similarities and length costs of beads, from dot products in a band."""

    def __init__(self, a: sparse.csr_matrix, b: sparse.csr_matrix, left: Sequence[str], right: Sequence[str],
                 config: AlignConfig, region: Region | None = None, same_language: bool = False):
        self.a, self.b, self.config = a, b, config
        # Measured on the development windows: with MT both terms lift strict F1 on every
        # variant (0.01-0.02); across languages (no MT) cosines are too weak for them and
        # they cost 0.005-0.02, so they apply only when the two sides share a language.
        self.hub_weight = config.hub_weight if same_language else 0.0
        self.line_weight = config.line_weight if same_language else 0.0
        # MT cosines are strong enough to reward a merge by its size; across languages
        # a large merge is too often a chance match (see AlignConfig.mt_merge_cost).
        self.merge_cost = config.mt_merge_cost if same_language else config.merge_cost
        self.size_exponent = config.mt_size_exponent if same_language else config.size_exponent
        # Without MT each line of a two-sided bead gains this: for the search the same as a
        # higher skip cost (every path covers every line once, so paths differ by a
        # constant), while the bead score's forward-backward keeps one skip cost.
        self.pair_line_gain = 0.0 if same_language else config.pair_line_gain
        self.a_sq = np.asarray(a.multiply(a).sum(1)).ravel()
        self.b_sq = np.asarray(b.multiply(b).sum(1)).ravel()
        # Dot products of neighbours on each side, for the norms of merged sentences.
        self.a_near = [_neighbour_dots(a, d) for d in range(1, 5)]
        self.b_near = [_neighbour_dots(b, d) for d in range(1, 6)]
        self.len_a = np.array([len(s) for s in left], dtype=np.float64)
        self.len_b = np.array([len(s) for s in right], dtype=np.float64)
        # Prefix sums of each line's continuation (see ``continuation``): a merge gains
        # join_weight times those of the lines it joins to the next.
        self.join_weight = config.join_weight if not same_language else config.mt_join_weight
        self.cum_join_a = np.concatenate([[0.0], np.cumsum([continuation(s) for s in left])])
        self.cum_join_b = np.concatenate([[0.0], np.cumsum([continuation(s) for s in right])])
        # Prefix counts of furniture lines (see ``furniture``) and of lines that end like a
        # sentence: a two-sided bead pays furniture_cost for each furniture line it holds
        # when every line of its other side ends like a sentence.
        self.furniture_cost = config.furniture_cost if not same_language else config.mt_furniture_cost
        self.cum_furn_a = np.concatenate([[0], np.cumsum([furniture(s) for s in left])])
        self.cum_furn_b = np.concatenate([[0], np.cumsum([furniture(s) for s in right])])
        self.cum_text_a = np.concatenate([[0], np.cumsum([ends_sentence(s) for s in left])])
        self.cum_text_b = np.concatenate([[0], np.cumsum([ends_sentence(s) for s in right])])
        self._band: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # see band_dots
        self.set_region(region)
        self._set_run_statistics()

    def _set_run_statistics(self) -> None:
        """What the vectors' norms and neighbour products give: the unrelated baseline, the
        norms of runs of lines and their hubness."""
        self.baseline = self._unrelated_similarity()
        max_k = max(k for k, _ in BEAD_TYPES)
        max_l = max(l for _, l in BEAD_TYPES)
        # run_norm_a[k][e] = |sum of the k source vectors ending before e|^2 (0 where e < k).
        self.run_norm_a = [self._run_norms(self.a_sq, self.a_near, k) for k in range(max_k + 1)]
        self.run_norm_b = [self._run_norms(self.b_sq, self.b_near, l) for l in range(max_l + 1)]
        self.hub_a, self.hub_b, self.hub_ref = self._hubness(max_k, max_l) if self.hub_weight else ([], [], 0.0)

    def with_columns(self, extra_a: sparse.csr_matrix, extra_b: sparse.csr_matrix) -> BeadSimilarity:
        """The same similarity over the vectors with ``extra_a`` / ``extra_b`` appended as
        columns (the lexicon's, see lexicon.py): norms and neighbour products add the new
        columns' to the old ones' instead of recomputing them over every n-gram."""
        new = copy.copy(self)
        new.a = sparse.hstack([self.a, extra_a], format="csr")
        new.b = sparse.hstack([self.b, extra_b], format="csr")
        new.a_sq = self.a_sq + np.asarray(extra_a.multiply(extra_a).sum(1)).ravel()
        new.b_sq = self.b_sq + np.asarray(extra_b.multiply(extra_b).sum(1)).ravel()
        new.a_near = [old + _neighbour_dots(extra_a, d) for d, old in enumerate(self.a_near, 1)]
        new.b_near = [old + _neighbour_dots(extra_b, d) for d, old in enumerate(self.b_near, 1)]
        new._band = None
        if self._band is not None:  # the last band's products, plus the new columns'
            lo, hi, old = self._band
            extra = np.zeros_like(old)
            _fill_band(extra, lo, hi, np.arange(len(lo)), extra_a, extra_b)
            new._band = (lo, hi, old + extra)
        new._set_run_statistics()
        return new

    def _hubness(self, max_k: int, max_l: int, samples: int = 100):
        """Mean cosine of every run of 1..max_k source lines (1..max_l target lines) with
        random lines of the other side. A long run, or a line of common n-grams, is
        somewhat similar to anything; a bead's cosine counts only above its lines' own
        level (Vecalign normalises its costs by random pairs the same way)."""
        rng = np.random.default_rng(1)
        n, m = self.a.shape[0], self.b.shape[0]
        ys = rng.integers(0, m, min(samples, m * 4))
        xs = rng.integers(0, n, min(samples, n * 4))
        out = []
        for mat, other, sq_other, norms, size in ((self.a, self.b[ys], self.b_sq[ys], self.run_norm_a, max_k),
                                                  (self.b, self.a[xs], self.a_sq[xs], self.run_norm_b, max_l)):
            # The mean cosine of a run r with the sampled lines y is the mean of
            # (r . y) / (|r| |y|) = (r . mean_y(y / |y|)) / |r|: one product with the mean
            # unit vector of the sample, not one per sampled line. A zero vector (on either
            # side) has a cosine of 0 with anything.
            norm_other = np.sqrt(sq_other)
            weight = np.divide(1.0, norm_other * len(sq_other), out=np.zeros(len(sq_other)), where=norm_other > 0)
            mean_unit = np.asarray(other.T @ weight).ravel()
            prefix = np.concatenate([[0.0], np.cumsum(mat @ mean_unit)])
            hubs = [np.zeros(len(prefix))]
            for k in range(1, size + 1):
                h = np.zeros(len(prefix))
                if k < len(prefix):
                    run = prefix[k:] - prefix[:-k]
                    run_norm = np.sqrt(np.maximum(norms[k][k:], 0.0))
                    h[k:] = np.divide(run, run_norm, out=np.zeros(len(run)), where=run_norm > 0)
                hubs.append(h)
            out.append(hubs)
        ref = (out[0][1][1:].mean() + out[1][1][1:].mean()) / 2
        return out[0], out[1], float(ref)

    def set_region(self, region: Region | None) -> None:
        """Use ``region`` for the length ratio and the cost of lines outside it."""
        config = self.config
        n, m = len(self.len_a), len(self.len_b)
        self.ratio = (self.len_b.sum() + 1) / (self.len_a.sum() + 1)
        self.region = region
        if region is not None and region.size >= 2:
            # Inside the anchored region the length ratio is the translation's own, not
            # skewed by a cut tail or an extra lead.
            self.ratio = ((self.len_b[region.tgt_start:region.tgt_stop].sum() + 1)
                          / (self.len_a[region.src_start:region.src_stop].sum() + 1))
        # Lines outside the region (with a little slack), as prefix counts: a two-sided
        # bead pays for each of its lines out there.
        slack = config.region_slack
        out_a = np.ones(n)
        out_b = np.ones(m)
        self.anchor_of = np.full(n, -1, dtype=np.int64)
        if region is not None and region.size >= config.min_anchors:
            out_a[max(region.src_start - slack, 0): region.src_stop + slack] = 0
            out_b[max(region.tgt_start - slack, 0): region.tgt_stop + slack] = 0
            for i, j in region.anchors:
                self.anchor_of[i] = j
        else:  # no region known: no line is outside it
            out_a[:] = 0
            out_b[:] = 0
        self.has_region = bool(out_a.any() or out_b.any() or (self.anchor_of >= 0).any())
        self.cum_out_a = np.concatenate([[0.0], np.cumsum(out_a)])
        self.cum_out_b = np.concatenate([[0.0], np.cumsum(out_b)])

    @staticmethod
    def _run_norms(sq: np.ndarray, near: list[np.ndarray], size: int) -> np.ndarray:
        """|v[e-size] + ... + v[e-1]|^2 for every end e, from prefix sums."""
        out = np.zeros(len(sq) + 1)
        if size == 0 or size > len(sq):
            return out
        ends = np.arange(size, len(sq) + 1)
        prefix = np.concatenate([[0.0], np.cumsum(sq)])
        out[ends] = prefix[ends] - prefix[ends - size]
        for d in range(1, size):
            # Pairs (t, t+d) inside the run: t from e-size to e-1-d.
            pre = np.concatenate([[0.0], np.cumsum(near[d - 1])])
            out[ends] += 2 * (pre[ends - d] - pre[ends - size])
        return out

    def _unrelated_similarity(self) -> float:
        """Typical cosine of sentences that are not translations: shifted far off the diagonal."""
        rng = np.random.default_rng(0)
        n, m = self.a.shape[0], self.b.shape[0]
        count = min(2000, n * m)
        rows = rng.integers(0, n, count)
        cols = rng.integers(0, m, count)
        dots = np.asarray(self.a[rows].multiply(self.b[cols]).sum(1)).ravel()
        cos = dots / np.sqrt(self.a_sq[rows] * self.b_sq[cols] + 1e-12)
        # Mean and spread of random pairs too: the bead score asks how far above chance
        # the document's beads are.
        self.random_mean, self.random_std = float(cos.mean()), float(cos.std() + 1e-3)
        self.random_cos = np.sort(cos)
        return float(np.quantile(cos, 0.9))

    def region_gain(self, k: int, l: int, ends_a: np.ndarray, ends_b: np.ndarray) -> np.ndarray:
        """Gain of two-sided ``k``-``l`` beads ending at (ends_a, ends_b) from the region and
        its anchors: minus a cost per line outside the region, plus a bonus for each
        chained anchor the bead holds, minus one for each it breaks (its source line in
        the bead, its target outside)."""
        cfg = self.config
        if not self.has_region:
            return np.zeros(())  # no anchors, nothing outside: skip the gathers
        outside = (self.cum_out_a[ends_a] - self.cum_out_a[ends_a - k]
                   + self.cum_out_b[ends_b] - self.cum_out_b[np.maximum(ends_b - l, 0)])
        agree = np.zeros(np.broadcast(ends_a, ends_b).shape)
        for d in range(1, k + 1):
            at = self.anchor_of[np.clip(ends_a - d, 0, len(self.anchor_of) - 1)]
            held = (at >= ends_b - l) & (at < ends_b)
            agree += np.where(at < 0, 0.0, np.where(held, 1.0, -1.0))
        return cfg.anchor_weight * agree - cfg.outside_cost * outside

    def join_gain(self, k: int, l: int, ends_a: np.ndarray, ends_b: np.ndarray) -> np.ndarray:
        """Gain of ``k``-``l`` beads ending at (ends_a, ends_b) for the lines they join to the
        next one (every line of a merge but its last) that read as continued."""
        if not self.join_weight or (k < 2 and l < 2):
            return np.zeros(())
        joined = np.zeros(())
        if k > 1:
            joined = joined + self.cum_join_a[ends_a - 1] - self.cum_join_a[np.maximum(ends_a - k, 0)]
        if l > 1:
            joined = joined + self.cum_join_b[np.maximum(ends_b - 1, 0)] - self.cum_join_b[np.maximum(ends_b - l, 0)]
        return self.join_weight * joined

    def length_cost(self, la: np.ndarray, lb: np.ndarray) -> np.ndarray:
        """Gale-Church: -log P(match | lengths), variance 6.8 per character."""
        mean = (la + lb / self.ratio) / 2
        delta = (lb - la * self.ratio) / np.sqrt(6.8 * np.maximum(mean, 1.0))
        tail = special.erfc(np.abs(delta) / math.sqrt(2))
        return -np.log(np.maximum(tail, 1e-12))

    def furniture_gain(self, k: int, l: int, ends_a: np.ndarray, ends_b: np.ndarray) -> np.ndarray:
        """Minus ``furniture_cost`` for each furniture line of a ``k``-``l`` bead whose other
        side is all sentences (a header or page number paired with text)."""
        if not self.furniture_cost:
            return np.zeros(())
        starts_b = np.maximum(ends_b - l, 0)
        fa = self.cum_furn_a[ends_a] - self.cum_furn_a[ends_a - k]
        fb = self.cum_furn_b[ends_b] - self.cum_furn_b[starts_b]
        text_a = self.cum_text_a[ends_a] - self.cum_text_a[ends_a - k] == k
        text_b = self.cum_text_b[ends_b] - self.cum_text_b[starts_b] == l
        return -self.furniture_cost * (np.where(text_b, fa, 0) + np.where(text_a, fb, 0))

    def band_dots(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Row ``r``'s dot products with targets ``lo[r]`` .. ``hi[r] - 1``, as an array of
        width ``max(hi - lo)`` (zeros beyond ``hi[r]``). Rows whose range the last call's
        band already held are copied from it (the merge pass's band lies within the first
        pass's); the rest come from sparse products of 64 rows at a time."""
        n = len(lo)
        width = max(int((hi - lo).max()), 0)
        out = np.zeros((n, width))
        offsets = np.arange(width)
        held = np.zeros(n, dtype=bool)
        if self._band is not None:
            old_lo, old_hi, old = self._band
            held = (lo >= old_lo) & (hi <= old_hi)
            rows = np.flatnonzero(held)
            idx = np.minimum(lo[rows, None] - old_lo[rows, None] + offsets[None, :], old.shape[1] - 1)
            out[rows] = np.where(offsets[None, :] < (hi - lo)[rows, None], old[rows[:, None], idx], 0.0)
        _fill_band(out, lo, hi, np.flatnonzero(~held), self.a, self.b)
        self._band = (lo, hi, out)
        return out

    def pair_dots(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Dot products of source line ``rows[t]`` with target line ``cols[t]``: from the
        last search's band where it holds them, else by sparse row-wise products."""
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        out = np.zeros(len(rows))
        known = np.zeros(len(rows), dtype=bool)
        if self._band is not None and len(rows):
            lo, hi, band = self._band
            known = (cols >= lo[rows]) & (cols < hi[rows])
            at = np.flatnonzero(known)
            out[at] = band[rows[at], cols[at] - lo[rows[at]]]
        rest = np.flatnonzero(~known)
        if len(rest):
            out[rest] = np.asarray(self.a[rows[rest]].multiply(self.b[cols[rest]]).sum(1)).ravel()
        return out

    def pair_cosines(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Cosine of source line ``rows[t]`` with target line ``cols[t]``, for every t."""
        if len(rows) == 0:
            return np.zeros(0)
        dots = self.pair_dots(rows, cols)
        return dots / np.sqrt(self.a_sq[rows] * self.b_sq[cols] + 1e-12)

    def bead_cosines(self, beads: Sequence[tuple[int, int, int, int]]) -> np.ndarray:
        """Cosine of each bead ``(i0, i1, j0, j1)``'s summed vectors (0 for one-sided beads).

        Needs the dot products of its sentence pairs (one sparse row-wise product for
        every pair of every bead) and the norms of the sums, which
        ``run_norm_a``/``run_norm_b`` already hold.
        """
        rows, cols, owner = [], [], []
        for n, (i0, i1, j0, j1) in enumerate(beads):
            for i in range(i0, i1):
                for j in range(j0, j1):
                    rows.append(i)
                    cols.append(j)
                    owner.append(n)
        dots = np.zeros(len(beads))
        if rows:
            np.add.at(dots, np.array(owner), self.pair_dots(np.array(rows), np.array(cols)))
        out = np.zeros(len(beads))
        for n, (i0, i1, j0, j1) in enumerate(beads):
            if i0 < i1 and j0 < j1:
                norms = self.run_norm_a[i1 - i0][i1] * self.run_norm_b[j1 - j0][j1]
                out[n] = dots[n] / math.sqrt(max(norms, 0.0) + 1e-12)
        return out



def bead_gain(scorer: BeadSimilarity, k: int, l: int, ends_a: np.ndarray, ends_b: np.ndarray,
              run_dot: Callable[[int, int, int], np.ndarray], cum_len_a: np.ndarray,
              cum_len_b: np.ndarray) -> np.ndarray:
    """The search's gain of two-sided ``k``-``l`` beads ending at (``ends_a``, ``ends_b``)
    (arrays of one shape): the one objective of ``search`` and of the bead score's
    posteriors (``score.band_gains``). ``run_dot(d, u0, u1)`` gives the dot products of
    source line ``ends_a - d`` with target lines ``ends_b - l + u0`` .. ``ends_b - l + u1 - 1``
    summed (each caller reads them from its own band); ``cum_len_*`` are prefix sums of
    the lines' lengths."""
    cfg = scorer.config
    shape = np.broadcast(ends_a, ends_b).shape
    dot = np.zeros(shape)
    unexplained = np.zeros(shape)
    line_dots = [np.zeros(shape) for _ in range(l)] if l > 1 and scorer.line_weight else []
    for d in range(1, k + 1):
        dot_d = run_dot(d, 0, l)
        dot += dot_d
        if k > 1 and scorer.line_weight:
            # With MT, each line of a merge whose cosine with the other side is below
            # chance costs its shortfall: a merge must be explained line by line.
            line_cos = dot_d / np.sqrt(scorer.a_sq[ends_a - d] * scorer.run_norm_b[l][ends_b] + 1e-12)
            unexplained += np.minimum(line_cos - scorer.baseline, 0.0)
        for u, acc in enumerate(line_dots):
            acc += run_dot(d, u, u + 1)
    for u, acc in enumerate(line_dots):
        j = np.clip(ends_b - l + u, 0, len(scorer.b_sq) - 1)
        line_cos = acc / np.sqrt(scorer.b_sq[j] * scorer.run_norm_a[k][ends_a] + 1e-12)
        unexplained += np.minimum(line_cos - scorer.baseline, 0.0)
    cos = dot / np.sqrt(scorer.run_norm_a[k][ends_a] * scorer.run_norm_b[l][ends_b] + 1e-12)
    if scorer.hub_weight:
        cos = cos - scorer.hub_weight * ((scorer.hub_a[k][ends_a] + scorer.hub_b[l][ends_b]) / 2 - scorer.hub_ref)
    la = np.broadcast_to(cum_len_a[ends_a] - cum_len_a[ends_a - k], shape)
    lb = np.broadcast_to(cum_len_b[ends_b] - cum_len_b[ends_b - l], shape)
    size = ((k + l) / 2) ** scorer.size_exponent  # Vecalign: evidence grows with the sentences covered
    return (cfg.similarity_weight * (size * (cos - scorer.baseline) + scorer.line_weight * unexplained)
            - cfg.length_weight * scorer.length_cost(la, lb)
            - scorer.merge_cost * (k + l - 2)
            + scorer.pair_line_gain * (k + l)
            + scorer.join_gain(k, l, np.broadcast_to(ends_a, shape), np.broadcast_to(ends_b, shape))
            + scorer.furniture_gain(k, l, np.broadcast_to(ends_a, shape), np.broadcast_to(ends_b, shape))
            + scorer.region_gain(k, l, np.broadcast_to(ends_a, shape), np.broadcast_to(ends_b, shape)))


def search(scorer: BeadSimilarity, n: int, m: int, core: tuple[np.ndarray, np.ndarray], band: int,
            bead_types: Sequence[tuple[int, int]], config: AlignConfig):
    """Best monotone bead path within ``band`` of the per-row column range ``core``;
    also the rows where the path touched the band's edge (then a wider band may do better
    there; empty when it stayed inside)."""
    lo = np.clip(core[0] - band, 0, m)
    hi = np.clip(core[1] + band, 0, m)
    lo = np.minimum.accumulate(lo[::-1])[::-1]  # monotone edges keep every step inside
    hi = np.maximum.accumulate(hi)
    lo[0], hi[n] = 0, m
    # Each row's band must reach the next one's (a 1-0 bead steps straight down), else a
    # steep guide path (1 line against 90) leaves no path at all.
    hi[:-1] = np.maximum(hi[:-1], lo[1:])
    width = int((hi - lo).max()) + 1
    # The band as a rectangle: cell (i, x) is column lo[i] + x of DP row i.
    cols = lo[:, None] + np.arange(width)[None, :]
    inside = cols <= hi[:, None]
    cols = np.minimum(cols, m)

    max_k = max(k for k, _ in bead_types)
    max_l = max(l for _, l in bead_types)
    # Dot products of source sentence r with the targets that beads ending at rows
    # r+1 .. r+max_k can cover, as cumulative sums padded so that the sum over a run of
    # l targets is a difference of two lookups.
    win_lo = np.maximum(lo[:n] - max_l, 0)
    win_hi = np.minimum(hi[np.minimum(np.arange(n) + max_k, n)], m)
    pad = max_l + 1
    dots = scorer.band_dots(win_lo, np.maximum(win_hi, win_lo))
    win_width = dots.shape[1] + 2 * pad + 1
    cum = np.zeros((n, win_width))
    cum[:, pad + 1: pad + 1 + dots.shape[1]] = np.cumsum(dots, axis=1)
    cum[:, pad + 1 + dots.shape[1]:] = cum[:, pad + dots.shape[1]: pad + 1 + dots.shape[1]]
    base = win_lo - pad  # cum[r, c - base[r]] = sum of dots of r with targets < c

    cum_len_a = np.concatenate([[0.0], np.cumsum(scorer.len_a)])
    cum_len_b = np.concatenate([[0.0], np.cumsum(scorer.len_b)])
    neg = -np.inf
    # Gains are computed for the cells inside the band only (a flat list), then laid into
    # the rectangle: where one row's range is wide (a long one-sided run), most of the
    # rectangle lies outside the band.
    cell_row, cell_x = np.nonzero(inside)
    cell_col = cols[cell_row, cell_x]
    shapes = [t for t in bead_types if t[0] > 0 and (t[1] == 0 or (t[0] <= n and t[1] <= m))]
    shape_k = np.array([k for k, _ in shapes])
    shape_l = np.array([l for _, l in shapes])
    shape_id = np.array([BEAD_TYPES.index(t) for t in shapes], dtype=np.int8)
    gain_stack = np.full((n + 1, len(shapes), width), neg)  # (rows, shapes, width)
    for s_at, (k, l) in enumerate(shapes):
        if l == 0:
            gain_stack[:, s_at, :] = -config.skip_cost
            continue
        ok = (cell_row >= k) & (cell_col >= l)
        rows = cell_row[ok]
        ends = cell_col[ok]

        def run_dot(d: int, u0: int, u1: int, rows=rows, ends=ends, l=l) -> np.ndarray:
            r = rows - d
            return (cum[r, np.clip(ends - l + u1 - base[r], 0, win_width - 1)]
                    - cum[r, np.clip(ends - l + u0 - base[r], 0, win_width - 1)])

        gain = bead_gain(scorer, k, l, rows, ends, run_dot, cum_len_a, cum_len_b)
        gain_stack[rows, s_at, cell_x[ok]] = gain

    # The row loop handles every bead shape at once: one gather of the previous rows'
    # scores for all shapes, one max over shapes. Where each shape comes from (a flat index
    # into the scores) and its gain, masked where it cannot occur, are prepared for a block
    # of rows at a time, so the loop itself does five array operations per row.
    score = np.full((n + 1) * width, neg)
    back = np.zeros((n + 1, width), dtype=np.int8)
    skip = -config.skip_cost
    skip_offsets = np.arange(width) * skip
    x = np.arange(width)
    t01 = BEAD_TYPES.index((0, 1))
    has_01 = (0, 1) in bead_types
    block = max(1, 2_000_000 // max(len(shapes) * width, 1))
    for start in range(0, n + 1, block):
        stop = min(start + block, n + 1)
        here = np.arange(start, stop)
        prev = np.maximum(here[:, None] - shape_k[None, :], 0)  # (rows, shapes)
        px = x[None, None, :] + (lo[here][:, None] - lo[prev])[:, :, None] - shape_l[None, :, None]
        valid = ((px >= 0) & (px < width) & (shape_k[None, :] <= here[:, None])[:, :, None]
                 & inside[here][:, None, :])
        source = prev[:, :, None] * width + np.clip(px, 0, width - 1)
        gain = np.where(valid, gain_stack[here], neg)
        for i in here:
            if i == 0:
                best = np.full(width, neg)
                best[0] = 0.0
                arg = np.zeros(width, dtype=np.int8)
                best = np.where(inside[0], best, neg)
            else:
                candidates = score[source[i - start]] + gain[i - start]
                choice = candidates.argmax(0)
                best = candidates[choice, x]
                arg = shape_id[choice]
            if has_01:
                # 0-1 beads: runs of skipped targets within the row, as a running maximum.
                from_left = np.maximum.accumulate(best - skip_offsets) + skip_offsets
                use_skip = from_left > best + 1e-12
                best = np.where(use_skip, from_left, best)
                arg = np.where(use_skip, t01, arg)
            score[i * width: (i + 1) * width] = best
            back[i] = arg
    score = score.reshape(n + 1, width)

    path = []
    i, j = n, m
    touched: list[int] = []
    # A band edge within band / 8 columns of the document's first or last column does not
    # count: a wider band could move the path there by those few columns only, and a path
    # running into a cut tail's corner along the edge doubled the whole first pass (7k x 6k
    # without MT: 1 s).
    margin = band // 8
    while i > 0 or j > 0:
        k, l = BEAD_TYPES[int(back[i, j - lo[i]])]
        if (j == lo[i] and lo[i] > margin) or (j == hi[i] and hi[i] < m - margin):
            touched.append(int(i))
        path.append((i - k, i, j - l, j))
        i, j = i - k, j - l
    path.reverse()
    return path, touched
