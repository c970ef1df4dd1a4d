"""Sentence alignment of a document with its human translation.

Three steps, one module each: ``regions`` finds where the two documents are parallel
(anchors: sentence pairs sharing rare words, chained along one monotone path);
``dp`` aligns sentences within, by dynamic programming over 1-1, merges and one-sided
beads in a band around the anchors' path (without MT twice: the second time with a word
lexicon ``lexicon`` learns from the first path's beads, as hunalign realigns); ``score``
gives every bead, one-sided ones included, a calibrated probability of being right.
Sources: Bleualign (Sennrich & Volk 2010) and Vecalign (Thompson & Koehn 2019) for the
similarity-driven search, hunalign and Bertalign for the anchor pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..model import Bead
from .dp import BEAD_TYPES, BeadSimilarity, search
from .encoder import CharNgramEncoder, SentenceEncoder
from .lexicon import learn_lexicon, lexicon_vectors, scaled_to, training_beads, word_matrices
from .options import AlignConfig
from .regions import Region, drop_weak_ends, extend_region, find_region, guide_path, open_edges
from .score import score_beads, unaligned_score

__all__ = ["AlignConfig", "AlignmentResult", "BEAD_TYPES", "CharNgramEncoder", "SentenceEncoder", "align",
           "align_documents", "search_document"]


@dataclass(frozen=True)
class AlignmentResult:
    """The beads of two documents and whether the documents look like translations.

    ``aligned_share`` is the share of all lines (both sides) in two-sided beads scored
    at least 0.5; ``parallel`` is False when the documents do not look like translations
    of each other (then every bead is one-sided): when that share is below
    ``AlignConfig.min_parallel_share`` or fewer than ``min_chained_share`` of the
    mutual-best anchor pairs lie on the anchors' chain."""

    beads: list[Bead]
    parallel: bool
    aligned_share: float
    anchors: int = 0


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
    return align_documents(src, tgt, mt, config, encoder).beads


def align_documents(
    src: Sequence[str],
    tgt: Sequence[str],
    mt: Sequence[str] | None = None,
    config: AlignConfig | None = None,
    encoder: SentenceEncoder | None = None,
) -> AlignmentResult:
    """Align two documents and say whether they are parallel at all (see :class:`AlignmentResult`)."""
    config = config or AlignConfig()
    if mt is not None and len(mt) != len(src):
        raise ValueError(f"the MT has {len(mt)} lines, the source {len(src)}: they must match line by line")
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        beads = [Bead((i,), ()) for i in range(n)] + [Bead((), (j,)) for j in range(m)]
        return AlignmentResult(beads, parallel=False, aligned_share=0.0)
    path, similarity, region = search_document(src, tgt, mt, config, encoder)
    scores = score_beads(path, similarity, region, n, m, texts=(src, tgt))
    beads = [Bead(tuple(range(i0, i1)), tuple(range(j0, j1)), float(score))
             for (i0, i1, j0, j1), score in zip(path, scores)]
    aligned = sum(len(b.src) + len(b.tgt) for b in beads if b.src and b.tgt and b.score >= 0.5)
    share = aligned / (n + m)
    # Chance anchors between related but different documents (same site, same dates and
    # names) can form a short chain; between translations most mutual-best pairs chain.
    if share >= config.min_parallel_share and region.chained_share >= config.min_chained_share:
        return AlignmentResult(beads, parallel=True, aligned_share=share, anchors=region.size)
    # Not translations of each other (or too small a part is): every line on its own,
    # scored by how sure the pair's evidence makes it that the line is unaligned.
    unsure = unaligned_score(region.chained_share)
    split = []
    for bead in beads:
        if bead.src and bead.tgt:
            split += [Bead((i,), (), unsure) for i in bead.src] + [Bead((), (j,), unsure) for j in bead.tgt]
        else:
            split.append(bead)
    return AlignmentResult(split, parallel=False, aligned_share=share, anchors=region.size)


def search_document(src: Sequence[str], tgt: Sequence[str], mt: Sequence[str] | None, config: AlignConfig,
                    encoder: SentenceEncoder | None = None) -> tuple[list[tuple[int, int, int, int]], BeadSimilarity, Region]:
    """The best bead path ``(i0, i1, j0, j1)`` of two non-empty documents, with what scored it."""
    n, m = len(src), len(tgt)
    left = list(mt) if mt is not None else list(src)
    region = find_region(left, tgt, m / n, config.chain_max_skew, config.chain_max_stray)
    if region.chained_share < config.min_chained_share:
        # Too few of the anchors chain to trust their path: the length diagonal guides.
        region = region.without_anchors()
    encoder = encoder or CharNgramEncoder()
    first_word = None
    if isinstance(encoder, CharNgramEncoder):
        a, b, first_word = encoder.encode_with_words(left, tgt)
    else:
        a, b = encoder.encode(left, tgt)
    similarity = BeadSimilarity(a, b, left, tgt, config, region, same_language=mt is not None)
    widen = region.chained_share >= config.min_chained_share
    if mt is not None and config.mt_anchor_max_drop > 0 and region.size >= config.min_anchors:
        kept = drop_weak_ends(region, similarity.pair_cosines,
                              float(np.quantile(similarity.random_cos, config.mt_anchor_quantile)),
                              config.mt_anchor_max_drop)
        if kept != region:
            region = kept
            similarity.set_region(region)
    if region.size >= config.min_anchors:
        wider = extend_region(region, similarity.pair_cosines,
                              float(np.quantile(similarity.random_cos, config.extend_quantile)), n, m)
        if wider != region:
            region = wider
            similarity.set_region(region)
        if config.edge_length_ratio < 1.0:
            edged = open_edges(region, similarity.len_a, similarity.len_b, similarity.ratio,
                               config.edge_length_ratio, config.edge_max_lines)
            if edged != region:
                region = edged
                similarity.set_region(region)
    # Documents whose anchors do not chain are called non-parallel whatever the path (see
    # align_documents): one search per pass, no widening. Widening there chased a path
    # that wanders off any band (a block-shuffled 7k x 6k pair: 5 doublings, 53 s).
    path = _best_path(similarity, region, n, m, config, widen)
    if mt is None and config.lexicon_weight > 0 and widen and region.size >= config.min_anchors:
        # Without MT: hunalign's realign. A lexicon learned from the path's beads adds
        # word-translation evidence to the vectors, and the merge pass runs again near the
        # path (its band was widened where needed already, so it is not widened again).
        if first_word is not None:
            words_a, words_b = a[:, first_word:], b[:, first_word:]
        else:
            words_a, words_b = word_matrices(left, tgt)
        lexicon = learn_lexicon(words_a, words_b, training_beads(path), config.lexicon_min_count,
                                config.lexicon_min_dice)
        if len(lexicon):
            lex_a, lex_b = lexicon_vectors(words_a, words_b, lexicon)
            similarity = similarity.with_columns(scaled_to(lex_a, similarity.a_sq, config.lexicon_weight),
                                                 scaled_to(lex_b, similarity.b_sq, config.lexicon_weight))
            path = _best_path(similarity, region, n, m, config, widen=False, guide=path)
    return path, similarity, region


def _best_path(similarity: BeadSimilarity, region: Region, n: int, m: int, config: AlignConfig,
               widen: bool = True, guide: list[tuple[int, int, int, int]] | None = None):
    """Two passes: 1-1 and one-sided beads in a band around the anchors' path, widened
    until the path stays inside; then every bead shape near the first path. Given a
    ``guide`` path (an earlier search's), only the second pass, near it."""
    path = guide
    if path is None:
        centre = guide_path(region, n, m)
        band = config.initial_band
        simple = BEAD_TYPES[:3]
        while True:
            path, touched = search(similarity, n, m, (centre, centre), band, simple, config)
            if not touched or not widen or band >= max(n, m):
                break
            band *= 2
    first = np.full(n + 1, m, dtype=np.int64)
    last = np.zeros(n + 1, dtype=np.int64)
    for i0, i1, j0, j1 in path:
        for i, j in ((i0, j0), (i1, j1)):
            first[i] = min(first[i], j)
            last[i] = max(last[i], j)
    # Merges move the path only a few sentences off the first one; where the path still
    # touches the band, the band is widened fourfold there (rows within a few bands of
    # the touch) and the search rerun: one stretch of odd beads need not widen the
    # whole document's band (7k x 6k without MT: 1.5 s CPU).
    lo_core, hi_core = first, last
    rows = np.arange(n + 1)
    band = config.merge_band if guide is None else config.lexicon_band
    for extra in (3 * config.merge_band, 15 * config.merge_band, None):
        path, touched = search(similarity, n, m, (lo_core, hi_core), band, BEAD_TYPES, config)
        if not touched or not widen or extra is None:
            break
        near = np.zeros(n + 1, dtype=bool)
        for i in touched:
            near |= np.abs(rows - i) <= 4 * extra
        lo_core = np.where(near, first - extra, first)
        hi_core = np.where(near, last + extra, last)
    return path
