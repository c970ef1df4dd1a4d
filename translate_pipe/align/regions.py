"""Where two documents are parallel: anchors, the chain they form, the region it spans.

An anchor is a sentence pair that shares rare words (numbers, names, cognates; with MT,
any rare word), each being the other's best match. Anchors of a true translation lie
along one monotone path; chance anchors between unrelated text scatter. The chain is
the heaviest sequence of anchors increasing on both sides whose steps stay close to the
length ratio (each step pays for its distance from that slope), found by dynamic
programming over a bounded number of predecessors. Its first and last anchors bound
the parallel region; the search outside it is one-sided unless the text is strong
evidence. Like Bertalign's and hunalign's first pass, but on rare words only, so it
costs one sparse product whatever the document's size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse

from ..signals import anchor_tokens, script_share

#: predecessors the chain looks back over (anchors sorted by source line).
_LOOK_BACK = 64
#: a step to an anchor at the chain's end is a stray's when one side's gap is less than
#: this share of the other's (and off the ratio by more than ``max_skew`` lines)
_STRAY_STRETCH = 0.5


@dataclass(frozen=True)
class Region:
    """Half-open line ranges of the parallel part and the anchors found on its path."""

    src_start: int
    src_stop: int
    tgt_start: int
    tgt_stop: int
    anchors: tuple[tuple[int, int], ...]
    candidates: int  # mutual-best pairs before chaining
    rejected: int = 0  # anchors of a chain too weak to guide the search (see ``chained_share``)

    @property
    def size(self) -> int:
        return len(self.anchors)

    @property
    def chained_share(self) -> float:
        """Chained anchors / (mutual-best pairs + 2): most of them between translations,
        few between unrelated documents, where chance pairs scatter."""
        return (self.size + self.rejected) / (self.candidates + 2)

    def without_anchors(self) -> Region:
        """The same counts, no anchors to guide the search."""
        return Region(0, 0, 0, 0, (), self.candidates, self.size + self.rejected)


def find_anchors(left: Sequence[str], right: Sequence[str], max_df: int = 3) -> list[tuple[int, int, float]]:
    """Mutual-best pairs ``(i, j, weight)`` of sentences sharing words rare on both sides."""
    vocab: dict[str, int] = {}
    rows_a, cols_a, rows_b, cols_b = [], [], [], []
    # Arabic against Latin script (no MT): names meet as consonant skeletons instead.
    scripts = [_script(left), _script(right)]
    across = scripts if scripts[0] != scripts[1] else [None, None]
    for rows, cols, lines, script in ((rows_a, cols_a, left, across[0]), (rows_b, cols_b, right, across[1])):
        for n, line in enumerate(lines):
            for token in dict.fromkeys(anchor_tokens(line, script)):
                rows.append(n)
                cols.append(vocab.setdefault(token, len(vocab)))
    if not vocab:
        return []
    shape_a, shape_b = (len(left), len(vocab)), (len(right), len(vocab))
    a = sparse.csr_matrix((np.ones(len(rows_a)), (rows_a, cols_a)), shape=shape_a)
    b = sparse.csr_matrix((np.ones(len(rows_b)), (rows_b, cols_b)), shape=shape_b)
    df_a = np.asarray(a.sum(0)).ravel()
    df_b = np.asarray(b.sum(0)).ravel()
    rare = (df_a >= 1) & (df_b >= 1) & (df_a <= max_df) & (df_b <= max_df)
    if not rare.any():
        return []
    idf = np.where(rare, np.log((len(left) + len(right)) / (df_a + df_b)), 0.0)
    shared = (a @ sparse.diags(idf) @ b.T).tocsr()
    shared.eliminate_zeros()
    if shared.nnz == 0:
        return []
    coo = shared.tocoo()
    best_of_row = np.zeros(len(left))
    best_of_col = np.zeros(len(right))
    np.maximum.at(best_of_row, coo.row, coo.data)
    np.maximum.at(best_of_col, coo.col, coo.data)
    mutual = (coo.data >= best_of_row[coo.row]) & (coo.data >= best_of_col[coo.col])
    return sorted(zip(coo.row[mutual].tolist(), coo.col[mutual].tolist(), coo.data[mutual].tolist()))


def _script(lines: Sequence[str]) -> str:
    """``"ar"`` when most letters of ``lines`` are Arabic, else ``"en"`` (Latin script)."""
    share = script_share("\n".join(lines), "ar")
    return "ar" if share is not None and share >= 0.5 else "en"


def chain_anchors(anchors: list[tuple[int, int, float]], ratio: float, slope_cost: float = 0.5,
                  ) -> list[tuple[int, int]]:
    """The heaviest chain increasing in both lines; a step of (di, dj) costs
    ``slope_cost * sqrt(|dj - ratio * di|)``, so chance anchors far off the path do not pay."""
    if not anchors:
        return []
    count = len(anchors)
    i = np.array([x[0] for x in anchors])
    j = np.array([x[1] for x in anchors])
    w = np.array([x[2] for x in anchors])
    best = w.copy()
    back = np.full(count, -1)
    for n in range(1, count):
        lo = max(0, n - _LOOK_BACK)
        di = i[n] - i[lo:n]
        dj = j[n] - j[lo:n]
        ok = (di > 0) & (dj > 0)
        if not ok.any():
            continue
        gain = np.where(ok, best[lo:n] + w[n] - slope_cost * np.sqrt(np.abs(dj - ratio * di)), -np.inf)
        k = int(gain.argmax())
        if gain[k] > best[n]:
            best[n] = gain[k]
            back[n] = lo + k
    end = int(best.argmax())
    chain = []
    while end >= 0:
        chain.append((int(i[end]), int(j[end])))
        end = int(back[end])
    return chain[::-1]


def trim_chain(chain: list[tuple[int, int]], ratio: float, max_skew: float, max_stray: int) -> list[tuple[int, int]]:
    """``chain`` without stray anchors at its ends: up to ``max_stray`` anchors beyond a
    step whose target gap differs from the length ratio times its source gap by more than
    ``max_skew`` lines. One chance pair of rare words in a cut tail (37 source lines on,
    one target line on) outweighs the chain's slope cost, and would stretch the region
    over the whole tail."""
    def skewed(a: tuple[int, int], b: tuple[int, int]) -> bool:
        # Off by more than max_skew lines, and at least twice as long on one side: between
        # sparse anchors (one per chapter) a translation's own ratio varies by more.
        across, down = b[1] - a[1], ratio * (b[0] - a[0])
        return abs(across - down) > max_skew and min(across, down) < _STRAY_STRETCH * max(across, down)

    while len(chain) > max_stray + 1:
        for stray in range(1, max_stray + 1):
            if skewed(chain[-stray - 1], chain[-stray]):
                chain = chain[:-stray]
                break
            if skewed(chain[stray - 1], chain[stray]):
                chain = chain[stray:]
                break
        else:
            return chain
    return chain


def find_region(left: Sequence[str], right: Sequence[str], ratio: float, max_skew: float = 0.0,
                max_stray: int = 2) -> Region:
    """The parallel region of two documents (``left`` is the source or its MT); with
    ``max_skew`` > 0, stray anchors at the chain's ends are dropped (see ``trim_chain``)."""
    anchors = find_anchors(left, right)
    chain = chain_anchors(anchors, ratio)
    if max_skew > 0:
        chain = trim_chain(chain, ratio, max_skew, max_stray)
    if not chain:
        return Region(0, 0, 0, 0, (), len(anchors))
    return Region(chain[0][0], chain[-1][0] + 1, chain[0][1], chain[-1][1] + 1, tuple(chain), len(anchors))


def guide_path(region: Region, n: int, m: int) -> np.ndarray:
    """For each source row 0..n, the target column the anchors' path passes (the DP band's centre)."""
    if not region.anchors:
        return np.round(np.arange(n + 1) * (m / max(n, 1))).astype(np.int64)
    ai = np.array([0] + [a for a, _ in region.anchors] + [n], dtype=np.float64)
    aj = np.array([0] + [b for _, b in region.anchors] + [m], dtype=np.float64)
    # Beyond the outer anchors the path follows the local slope, not the corner.
    slope = (aj[-2] - aj[1]) / max(ai[-2] - ai[1], 1.0) if len(region.anchors) > 1 else m / max(n, 1)
    aj[0] = max(0.0, aj[1] - slope * ai[1])
    aj[-1] = min(float(m), aj[-2] + slope * (n - ai[-2]))
    keep = np.concatenate([[True], np.diff(ai) > 0])
    centre = np.interp(np.arange(n + 1), ai[keep], aj[keep])
    # Beyond the outer anchors the slope line runs into the document's edge (a cut tail
    # uses up the other side early), not a gentle line to the corner.
    rows = np.arange(n + 1)
    first_i, first_j = ai[1], aj[1]
    last_i, last_j = ai[-2], aj[-2]
    centre = np.where(rows < first_i, first_j - slope * (first_i - rows), centre)
    centre = np.where(rows > last_i, last_j + slope * (rows - last_i), centre)
    return np.clip(np.round(centre), 0, m).astype(np.int64)


def anchor_distance(region: Region, n: int) -> np.ndarray:
    """For each source line, how many lines away the nearest chained anchor is (n when none)."""
    if not region.anchors:
        return np.full(n, n, dtype=np.int64)
    rows = np.array([a for a, _ in region.anchors])
    at = np.searchsorted(rows, np.arange(n))
    before = np.abs(np.arange(n) - rows[np.clip(at - 1, 0, len(rows) - 1)])
    after = np.abs(rows[np.clip(at, 0, len(rows) - 1)] - np.arange(n))
    return np.minimum(before, after)


def log_density(region: Region, n: int, m: int) -> float:
    """log of chained anchors per 100 lines of the shorter side: near zero or below when unrelated."""
    return math.log((region.size + 0.5) / max(min(n, m), 1) * 100)


def extend_region(region: Region, pair_cosines: Callable[[np.ndarray, np.ndarray], np.ndarray],
                  threshold: float, n: int, m: int) -> Region:
    """The region grown at both ends while the text goes on matching beyond the outer anchors.

    Anchors need rare shared words, so a document's first and last sentences often have
    none, and the region would leave them one-sided. From each outer anchor, step outward to
    the best-matching of the nearest pairs (1-1, a 1-2 or 2-1 step, or over one weak pair)
    while its cosine is above ``threshold`` (a high quantile of random pairs' cosines), as
    Bleualign fills the gaps between its anchors with pairs that match well enough.
    """
    if not region.anchors:
        return region
    steps = np.array([(1, 1), (1, 2), (2, 1), (2, 2)])
    ends = []
    for (i, j), sign in ((region.anchors[0], -1), (region.anchors[-1], 1)):
        while True:
            rows = i + sign * steps[:, 0]
            cols = j + sign * steps[:, 1]
            ok = (rows >= 0) & (rows < n) & (cols >= 0) & (cols < m)
            if not ok.any():
                break
            cos = np.where(ok, pair_cosines(np.clip(rows, 0, n - 1), np.clip(cols, 0, m - 1)), -1.0)
            best = int(cos.argmax())
            if cos[best] < threshold:
                break
            i, j = int(rows[best]), int(cols[best])
        ends.append((i, j))
    (i0, j0), (i1, j1) = ends
    return replace(region, src_start=min(i0, region.src_start), tgt_start=min(j0, region.tgt_start),
                   src_stop=max(i1 + 1, region.src_stop), tgt_stop=max(j1 + 1, region.tgt_stop))


def open_edges(region: Region, len_a: np.ndarray, len_b: np.ndarray, ratio: float, min_ratio: float,
               max_lines: int) -> Region:
    """The region grown to the document's start (end) where the lines before (after) it on
    both sides are of similar total length: ``min(la * ratio, lb) >= min_ratio * max(la *
    ratio, lb)``, with at most ``max_lines`` lines on each side.

    Anchors need rare shared words, and without MT the cosines of a document's first
    lines (titles, a dateline, an opening sentence) are at chance level, so neither the
    anchors nor ``extend_region`` reach them. When both sides have lines there of
    about the same length, they are most likely each other's translation, and the search
    may align them by length, as Bleualign aligns the gaps between its anchors; when one
    side's are much longer (a cut tail, an extra lead) they stay outside.
    """
    if not region.anchors:
        return region
    n, m = len(len_a), len(len_b)
    start_a, start_b, stop_a, stop_b = region.src_start, region.tgt_start, region.src_stop, region.tgt_stop

    def similar(a0: int, a1: int, b0: int, b1: int) -> bool:
        la, lb = float(len_a[a0:a1].sum()) * ratio, float(len_b[b0:b1].sum())
        return (0 < a1 - a0 <= max_lines and 0 < b1 - b0 <= max_lines
                and min(la, lb) >= min_ratio * max(la, lb))

    # Measured from the region's edge and from the outer anchor itself: region growth
    # may stop a line off on one side (a 1-3 bead taken as 1-1).
    (first_a, first_b), (last_a, last_b) = region.anchors[0], region.anchors[-1]
    if similar(0, start_a, 0, start_b) or similar(0, first_a, 0, first_b):
        start_a, start_b = 0, 0
    if similar(stop_a, n, stop_b, m) or similar(last_a + 1, n, last_b + 1, m):
        stop_a, stop_b = n, m
    return replace(region, src_start=start_a, tgt_start=start_b, src_stop=stop_a, tgt_stop=stop_b)


def drop_weak_ends(region: Region, pair_cosines: Callable[[np.ndarray, np.ndarray], np.ndarray], threshold: float,
                   max_drop: int) -> Region:
    """``region`` without up to ``max_drop`` anchors at each end of its chain whose pair's
    cosine is below ``threshold``: with MT an anchor's two lines translate each other as a
    whole, and a chance pair of rare words in a cut tail or an inserted block does not (it
    would stretch the region over lines that have no counterpart). Dropped anchors count as
    rejected, so the chained share stays."""
    anchors = list(region.anchors)
    if len(anchors) <= 2 * max_drop + 1:
        return region
    cos = pair_cosines(np.array([i for i, _ in anchors]), np.array([j for _, j in anchors]))
    first, last = 0, len(anchors)
    while first < max_drop and cos[first] < threshold:
        first += 1
    while len(anchors) - last < max_drop and cos[last - 1] < threshold:
        last -= 1
    if (first, last) == (0, len(anchors)):
        return region
    kept = anchors[first:last]
    return Region(kept[0][0], kept[-1][0] + 1, kept[0][1], kept[-1][1] + 1, tuple(kept), region.candidates,
                  region.rejected + len(anchors) - len(kept))
