"""Sentence alignment of a document with its human translation.

``regions`` finds where the two documents are parallel (anchors), ``dp`` aligns
sentences within, ``score`` gives every bead a calibrated probability of being right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..model import Bead
from .dp import BEAD_TYPES, BeadSimilarity, search
from .encoder import CharNgramEncoder, SentenceEncoder
from .options import AlignConfig

__all__ = ["AlignConfig", "AlignmentResult", "BEAD_TYPES", "CharNgramEncoder", "SentenceEncoder", "align",
           "align_documents"]


@dataclass(frozen=True)
class AlignmentResult:
    beads: list[Bead]
    parallel: bool = True
    aligned_share: float = 1.0


def align_documents(src, tgt, mt=None, config=None, encoder=None) -> AlignmentResult:
    return AlignmentResult(align(src, tgt, mt, config, encoder))


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
    scorer = BeadSimilarity(a, b, left, tgt, config)

    # Pass 1: only 1-1, 1-0 and 0-1 beads, in a band around the length diagonal that
    # widens until the path stays inside it. Cheap, and finds where the path runs.
    cum_a = np.concatenate([[0.0], np.cumsum(scorer.len_a)])
    cum_b = np.concatenate([[0.0], np.cumsum(scorer.len_b)])
    centre = np.searchsorted(cum_b, cum_a * (cum_b[-1] / max(cum_a[-1], 1.0))).astype(np.int64)
    band = max(config.initial_band, int(0.02 * max(n, m)))
    simple = BEAD_TYPES[:3]
    while True:
        path, touched = search(scorer, n, m, (centre, centre), band, simple, config)
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
    path, touched = search(scorer, n, m, (first, last), 48, BEAD_TYPES, config)
    if touched:
        path, _ = search(scorer, n, m, (first, last), 192, BEAD_TYPES, config)
    return [Bead(tuple(range(i0, i1)), tuple(range(j0, j1)), score)
            for (i0, i1, j0, j1), score in zip(path, scorer.confidences(path))]


