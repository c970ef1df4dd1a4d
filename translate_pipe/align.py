"""Sentence alignment of a document with its human translation.

The method, in the spirit of Bleualign (Sennrich & Volk 2010) and Vecalign (Thompson &
Koehn 2019), with the parts chosen to run fast and offline:

* **Similarity.** Each sentence becomes a tf-idf vector of character n-grams and words.
  Source sentences are represented by their machine translation into the target
  language when one is given, so the comparison is within one language; without MT
  the raw source is used (names, numbers and cognates still match). The similarity of a
  bead is the cosine of the summed vectors of its sentences, computed from dot products
  alone, so merged beads need no new vectors. The similarity is pluggable: any
  :class:`SentenceEncoder` producing vectors (an embedding model) can replace it.
* **Length.** Gale-Church's length model scores each bead's character lengths.
* **Search.** Dynamic programming over beads of up to 4 source x 5 target sentences,
  plus 1-0 and 0-1, restricted to a band around the length-based diagonal. The DP is
  vectorised over each row of the band, and the band is widened and the search rerun
  whenever the best path touches its edge, so memory and time stay linear in the
  document length while large omissions are still found.

Every bead gets a score in [0, 1]: how far its similarity is above that of unrelated
sentence pairs in the same document.
"""

from __future__ import annotations

import math
import re
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy import sparse, special

from .model import Bead

#: Bead shapes the search considers (source sentences, target sentences).
BEAD_TYPES: tuple[tuple[int, int], ...] = (
    (1, 1), (1, 0), (0, 1), (1, 2), (2, 1), (1, 3), (3, 1), (2, 2),
    (1, 4), (4, 1), (2, 3), (3, 2), (1, 5), (3, 3),
)
_HASH_BASE = np.uint64(1_000_003)
_HASH_MIX = 0x9E3779B97F4A7C15
_TOKEN = re.compile(r"\w+", re.UNICODE)


class SentenceEncoder(Protocol):
    """Turns sentences into vectors whose dot products measure similarity."""

    def encode(self, left: Sequence[str], right: Sequence[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """Vectors for two lists of sentences, in one space."""
        ...


@dataclass(frozen=True)
class CharNgramEncoder:
    """Character n-grams and words, sublinear tf, idf over both sides.

    Vectorised with numpy: each n-gram is a 64-bit polynomial hash of its code points
    (computed for all positions of all lines at once), numbered by ``np.unique``. Two
    different n-grams would need a 64-bit collision to share a feature (about 1e-8 for
    a million distinct n-grams), so this equals an exact vocabulary; words are numbered
    by a dictionary, apart from n-grams of the same spelling.
    """

    min_n: int = 2
    max_n: int = 4
    word_weight: float = 1.0

    def encode(self, left: Sequence[str], right: Sequence[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        texts = [" " + " ".join(line.casefold().split()) + " " for line in itertools.chain(left, right)]
        n_lines = len(texts)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n_lines)
        codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        line_of = np.repeat(np.arange(n_lines, dtype=np.int64), lengths)
        line_end = np.repeat(np.cumsum(lengths), lengths)
        position = np.arange(len(codes), dtype=np.int64)
        keys, rows = [], []
        hashes = np.zeros(len(codes), dtype=np.uint64)
        for n in range(1, self.max_n + 1):
            # hash of the n-gram starting at each position; uint64 arithmetic wraps around.
            hashes = hashes[: len(codes) - n + 1] * _HASH_BASE + codes[n - 1 :]
            if n >= self.min_n:
                inside = position[: len(hashes)] + n <= line_end[: len(hashes)]  # not across lines
                keys.append(hashes[inside] ^ np.uint64((n * _HASH_MIX) % (1 << 64)))
                rows.append(line_of[: len(hashes)][inside])
        all_keys = np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64)
        gram_rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        distinct, gram_features = np.unique(all_keys, return_inverse=True)
        words: defaultdict[str, int] = defaultdict(itertools.count(len(distinct)).__next__)
        word_rows: list[int] = []
        word_features: list[int] = []
        for row, text in enumerate(texts):
            found = _TOKEN.findall(text)
            word_features.extend(map(words.__getitem__, found))  # numbers new words in C
            word_rows.extend([row] * len(found))
        n_features = max(len(distinct) + len(words), 1)
        counts = sparse.csr_matrix(
            (np.concatenate([np.ones(len(gram_rows)), np.full(len(word_rows), self.word_weight)]),
             (np.concatenate([gram_rows, np.array(word_rows, dtype=np.int64)]),
              np.concatenate([gram_features.astype(np.int64).ravel(), np.array(word_features, dtype=np.int64)]))),
            shape=(n_lines, n_features),
        )
        counts.sum_duplicates()
        counts.data = 1.0 + np.log(counts.data)
        df = np.bincount(counts.indices, minlength=n_features)
        idf = np.log((n_lines + 1) / (df + 1)) + 1.0
        weighted = (counts @ sparse.diags(idf)).tocsr()
        return weighted[: len(left)], weighted[len(left) :]


@dataclass(frozen=True)
class AlignConfig:
    """Knobs of the aligner's bead gain: ``similarity_weight * (cos - unrelated_cos)
    - length_weight * gale_church_cost - merge_cost * (extra sentences)``, and
    ``-skip_cost`` for a 1-0 or 0-1 bead. Chosen by a coarse grid on one development
    document (de-fr), in the middle of a plateau rather than at its best cell."""

    similarity_weight: float = 2.0
    length_weight: float = 0.05
    skip_cost: float = 0.2
    merge_cost: float = 0.15
    initial_band: int = 40


def align(
    src: Sequence[str],
    tgt: Sequence[str],
    mt: Sequence[str] | None = None,
    config: AlignConfig | None = None,
    encoder: SentenceEncoder | None = None,
) -> list[Bead]:
    """Beads that cover every line of ``src`` and ``tgt`` once, in order.

    ``mt`` is a line-by-line translation of ``src`` into the language of ``tgt``;
    without it the source lines themselves are compared with the target lines.
    """
    config = config or AlignConfig()
    if mt is not None and len(mt) != len(src):
        raise ValueError(f"the MT has {len(mt)} lines, the source {len(src)}: they must match line by line")
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [Bead((i,), ()) for i in range(n)] + [Bead((), (j,)) for j in range(m)]
    left = list(mt) if mt is not None else list(src)
    a, b = (encoder or CharNgramEncoder()).encode(left, tgt)
    scorer = _BeadScorer(a, b, left, tgt, config)

    # Pass 1: only 1-1, 1-0 and 0-1 beads, in a band around the length diagonal that
    # widens until the path stays inside it. Cheap, and finds where the path runs.
    cum_a = np.concatenate([[0.0], np.cumsum(scorer.len_a)])
    cum_b = np.concatenate([[0.0], np.cumsum(scorer.len_b)])
    centre = np.searchsorted(cum_b, cum_a * (cum_b[-1] / max(cum_a[-1], 1.0))).astype(np.int64)
    band = max(config.initial_band, int(0.02 * max(n, m)))
    simple = BEAD_TYPES[:3]
    while True:
        path, touched = _search(scorer, n, m, (centre, centre), band, simple, config)
        if not touched or band >= max(n, m):
            break
        band *= 2
    # Pass 2: every bead shape, in a narrow band around the columns the first path
    # visits on each row.
    first = np.full(n + 1, m, dtype=np.int64)
    last = np.zeros(n + 1, dtype=np.int64)
    for i0, i1, j0, j1 in path:
        for i, j in ((i0, j0), (i1, j1)):
            first[i] = min(first[i], j)
            last[i] = max(last[i], j)
    # Merges move the path only a few sentences off the first one; a path that still
    # touches this band is searched once more in a band four times as wide.
    path, touched = _search(scorer, n, m, (first, last), 48, BEAD_TYPES, config)
    if touched:
        path, _ = _search(scorer, n, m, (first, last), 192, BEAD_TYPES, config)
    return [Bead(tuple(range(i0, i1)), tuple(range(j0, j1)), score)
            for (i0, i1, j0, j1), score in zip(path, scorer.confidences(path))]


class _BeadScorer:
    """Similarities and length costs of beads, from dot products in a band."""

    def __init__(self, a: sparse.csr_matrix, b: sparse.csr_matrix, left: Sequence[str], right: Sequence[str],
                 config: AlignConfig):
        self.a, self.b, self.config = a, b, config
        self.a_sq = np.asarray(a.multiply(a).sum(1)).ravel()
        self.b_sq = np.asarray(b.multiply(b).sum(1)).ravel()
        # Dot products of neighbours on each side, for the norms of merged sentences.
        self.a_near = [np.asarray(a[:-d].multiply(a[d:]).sum(1)).ravel() if a.shape[0] > d else np.zeros(0)
                       for d in range(1, 5)]
        self.b_near = [np.asarray(b[:-d].multiply(b[d:]).sum(1)).ravel() if b.shape[0] > d else np.zeros(0)
                       for d in range(1, 6)]
        self.len_a = np.array([len(s) for s in left], dtype=np.float64)
        self.len_b = np.array([len(s) for s in right], dtype=np.float64)
        self.ratio = (self.len_b.sum() + 1) / (self.len_a.sum() + 1)
        self.baseline = self._unrelated_similarity()
        max_k = max(k for k, _ in BEAD_TYPES)
        max_l = max(l for _, l in BEAD_TYPES)
        # run_norm_a[k][e] = |sum of the k source vectors ending before e|^2 (0 where e < k).
        self.run_norm_a = [self._run_norms(self.a_sq, self.a_near, k) for k in range(max_k + 1)]
        self.run_norm_b = [self._run_norms(self.b_sq, self.b_near, l) for l in range(max_l + 1)]

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
        return float(np.quantile(cos, 0.9))

    def block_dots(self, rows: slice, cols: slice) -> np.ndarray:
        return (self.a[rows] @ self.b[cols].T).toarray()

    def length_cost(self, la: np.ndarray, lb: np.ndarray) -> np.ndarray:
        """Gale-Church: -log P(match | lengths), variance 6.8 per character."""
        mean = (la + lb / self.ratio) / 2
        delta = (lb - la * self.ratio) / np.sqrt(6.8 * np.maximum(mean, 1.0))
        tail = special.erfc(np.abs(delta) / math.sqrt(2))
        return -np.log(np.maximum(tail, 1e-12))

    def confidences(self, beads: Sequence[tuple[int, int, int, int]]) -> list[float]:
        """Confidence in [0, 1] of each bead ``(i0, i1, j0, j1)``, all at once.

        The cosine of a bead's summed vectors needs the dot products of its sentence
        pairs (one sparse row-wise product for every pair of every bead) and the norms
        of the sums, which ``run_norm_a``/``run_norm_b`` already hold.
        """
        scale = max(1.0 - self.baseline, 1e-6)
        # A sentence left unaligned: sure when it resembles nothing across.
        skipped = round(1.0 - min(1.0, self.baseline), 4)
        rows, cols, owner = [], [], []
        for n, (i0, i1, j0, j1) in enumerate(beads):
            for i in range(i0, i1):
                for j in range(j0, j1):
                    rows.append(i)
                    cols.append(j)
                    owner.append(n)
        dots = np.zeros(len(beads))
        if rows:
            pair_dots = np.asarray(self.a[rows].multiply(self.b[cols]).sum(1)).ravel()
            np.add.at(dots, np.array(owner), pair_dots)
        scores = []
        for n, (i0, i1, j0, j1) in enumerate(beads):
            if i0 == i1 or j0 == j1:
                scores.append(skipped)
                continue
            norms = self.run_norm_a[i1 - i0][i1] * self.run_norm_b[j1 - j0][j1]
            cos = float(dots[n] / math.sqrt(max(norms, 0.0) + 1e-12))
            scores.append(round(min(1.0, max(0.0, (cos - self.baseline) / scale)) ** 0.5, 4))
        return scores


def _search(scorer: _BeadScorer, n: int, m: int, core: tuple[np.ndarray, np.ndarray], band: int,
            bead_types: Sequence[tuple[int, int]], config: AlignConfig):
    """Best monotone bead path within ``band`` of the per-row column range ``core``;
    also whether the path touched the band's edge (then a wider band may do better)."""
    lo = np.clip(core[0] - band, 0, m)
    hi = np.clip(core[1] + band, 0, m)
    lo = np.minimum.accumulate(lo[::-1])[::-1]  # monotone edges keep every step inside
    hi = np.maximum.accumulate(hi)
    lo[0], hi[n] = 0, m
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
    win_width = int((win_hi - win_lo).max()) + 2 * pad + 1
    cum = np.zeros((n, win_width))
    block = 64
    for start in range(0, n, block):
        stop = min(start + block, n)
        c0, c1 = int(win_lo[start:stop].min()), int(win_hi[start:stop].max())
        chunk = scorer.block_dots(slice(start, stop), slice(c0, c1))
        for r in range(start, stop):
            r0, r1 = int(win_lo[r]), int(win_hi[r])
            row = np.cumsum(chunk[r - start, r0 - c0 : r1 - c0])
            cum[r, pad + 1 : pad + 1 + len(row)] = row
            if len(row):
                cum[r, pad + 1 + len(row):] = row[-1]
    base = win_lo - pad  # cum[r, c - base[r]] = sum of dots of r with targets < c

    cum_len_a = np.concatenate([[0.0], np.cumsum(scorer.len_a)])
    cum_len_b = np.concatenate([[0.0], np.cumsum(scorer.len_b)])
    neg = -np.inf
    rows = np.arange(n + 1)[:, None]
    gains: dict[tuple[int, int], np.ndarray] = {}
    for k, l in bead_types:
        if k == 0:
            continue
        if l == 0:
            gains[(k, l)] = np.full((n + 1, width), -config.skip_cost)
            continue
        if k > n or l > m:
            continue  # a shape larger than the document cannot occur
        ok = inside & (rows >= k) & (cols >= l)
        ends = np.where(ok, cols, l)
        dot = np.zeros((n + 1, width))
        for d in range(1, k + 1):
            r = np.clip(rows[:, 0] - d, 0, n - 1)
            idx = np.clip(ends - base[r][:, None], 0, win_width - 1)
            idx_l = np.clip(ends - l - base[r][:, None], 0, win_width - 1)
            dot += cum[r[:, None], idx] - cum[r[:, None], idx_l]
        ends_a = np.clip(rows, k, n)
        cos = dot / np.sqrt(scorer.run_norm_a[k][ends_a] * scorer.run_norm_b[l][ends] + 1e-12)
        la = cum_len_a[ends_a] - cum_len_a[ends_a - k]
        lb = cum_len_b[ends] - cum_len_b[ends - l]
        gain = (config.similarity_weight * (cos - scorer.baseline)
                - config.length_weight * scorer.length_cost(np.broadcast_to(la, lb.shape), lb)
                - config.merge_cost * (k + l - 2))
        gains[(k, l)] = np.where(ok, gain, neg)

    # The row loop handles every bead shape at once: one gather of the previous rows'
    # scores for all shapes, one max over shapes.
    shapes = [t for t in bead_types if t[0] > 0]
    shape_k = np.array([k for k, _ in shapes])
    shape_l = np.array([l for _, l in shapes])
    shape_id = np.array([BEAD_TYPES.index(t) for t in shapes], dtype=np.int8)
    shapes = [t for t in shapes if t in gains]
    shape_k = np.array([k for k, _ in shapes])
    shape_l = np.array([l for _, l in shapes])
    shape_id = np.array([BEAD_TYPES.index(t) for t in shapes], dtype=np.int8)
    gain_stack = np.stack([gains[t] for t in shapes], axis=1)  # (rows, shapes, width)
    score = np.full((n + 1, width), neg)
    back = np.zeros((n + 1, width), dtype=np.int8)
    skip = -config.skip_cost
    skip_offsets = np.arange(width) * skip
    x = np.arange(width)
    t01 = BEAD_TYPES.index((0, 1))
    has_01 = (0, 1) in bead_types
    for i in range(n + 1):
        if i == 0:
            best = np.full(width, neg)
            best[0] = 0.0
            arg = np.zeros(width, dtype=np.int8)
        else:
            usable = shape_k <= i
            prev_rows = np.maximum(i - shape_k, 0)
            px = x[None, :] + (lo[i] - lo[prev_rows])[:, None] - shape_l[:, None]
            valid = (px >= 0) & (px < width) & usable[:, None]
            candidates = np.where(valid, score[prev_rows[:, None], np.clip(px, 0, width - 1)], neg) + gain_stack[i]
            choice = candidates.argmax(0)
            best = candidates[choice, x]
            arg = shape_id[choice]
        best = np.where(inside[i], best, neg)
        if has_01:
            # 0-1 beads: runs of skipped targets within the row, as a running maximum.
            from_left = np.maximum.accumulate(best - skip_offsets) + skip_offsets
            use_skip = from_left > best + 1e-12
            best = np.where(use_skip, from_left, best)
            arg = np.where(use_skip, t01, arg)
        score[i] = best
        back[i] = arg

    path = []
    i, j = n, m
    touched = False
    while i > 0 or j > 0:
        k, l = BEAD_TYPES[int(back[i, j - lo[i]])]
        if (j == lo[i] and lo[i] > 0) or (j == hi[i] and hi[i] < m):
            touched = True
        path.append((i - k, i, j - l, j))
        i, j = i - k, j - l
    path.reverse()
    return path, touched
