"""The aligner's knobs, in one frozen dataclass."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlignConfig:
    """Knobs of the aligner's bead gain: ``similarity_weight * ((k + l) / 2) ** size_exponent
    * (cos - unrelated_cos) - length_weight * gale_church_cost - merge_cost * (extra
    sentences)`` plus the region's term (``outside_cost``, ``anchor_weight``), and
    ``-skip_cost`` for a 1-0 or 0-1 bead. Chosen by a coarse grid on perturbed windows of
    the development document (de-fr, bench/align_robust.py with seed 7; the benchmark
    reports seed 1)."""

    similarity_weight: float = 2.0
    length_weight: float = 0.08
    skip_cost: float = 0.2
    merge_cost: float = 0.2
    initial_band: int = 40
    #: the second pass (every bead shape) searches this many columns either side of the
    #: first pass's path, widened fourfold while the best path touches the band's edge
    merge_band: int = 12
    #: a bead's similarity gain is scaled by ((k + l) / 2) ** size_exponent
    size_exponent: float = 0.5
    #: two-sided beads pay this per line outside the anchored region (see regions.py)
    outside_cost: float = 1.0
    #: with MT (both sides in one language): merge_cost and size_exponent. MT cosines hold
    #: up over merged lines, so a merge's gain grows nearly with its size (Text+Berg gold:
    #: 35% of two-sided beads are merges; the search found too few). On the ridge
    #: merge_cost ~ 0.3 * size_exponent, chosen on part A of the dev document (windows of
    #: seeds 10-11, bench/align_fit_score.py's parts); 0.2 / 1.0 over-merges (F1 -0.08)
    mt_merge_cost: float = 0.25
    mt_size_exponent: float = 0.85
    #: up to chain_max_stray anchors at an end of the anchors' chain, beyond a step that
    #: is off the length ratio by more than chain_max_skew lines, are dropped (0: kept)
    chain_max_skew: float = 10.0
    chain_max_stray: int = 2
    #: without MT, each line of a two-sided bead gains this: for the search the same as a
    #: skip cost higher by as much without MT only (fewer spurious 1-0/0-1 beads; with
    #: MT a higher skip cost lowered F1). Chosen on part-A windows (seeds 10-11)
    pair_line_gain: float = 0.15
    #: lines either side of the outer anchors still inside the region
    region_slack: int = 2
    #: fewer chained anchors than this: no region is imposed
    min_anchors: int = 3
    #: gain for each chained anchor a bead holds (minus for each it breaks)
    anchor_weight: float = 0.3
    #: below this share of lines in two-sided beads scored >= 0.5, the documents are
    #: not called parallel and every bead is one-sided
    min_parallel_share: float = 0.1
    #: chained anchors / (mutual-best pairs + 2) below this: not parallel. On the
    #: development windows translations give 0.56-0.9, unrelated windows 0.2-0.36, and
    #: the real hard negative of the release set (two French and English Coalition
    #: pages of the same weeks) 0.36
    min_chained_share: float = 0.5
    #: weight of the runs' own mean cosine with random lines, subtracted from a bead's cosine
    hub_weight: float = 1.0
    #: the region grows beyond its outer anchors over pairs whose cosine is above this
    #: quantile of random pairs' cosines (see regions.extend_region)
    extend_quantile: float = 0.99
    #: in a merge (with MT), each line whose cosine with the other side is below the unrelated
    #: baseline (as the bead's own cosine is measured) costs this much of the shortfall
    line_weight: float = 1.0
    #: the lines before the region on both sides (after it on both sides) join it when
    #: their total lengths, scaled by the length ratio, are within this ratio (shorter /
    #: longer): a document's first lines that hold no anchor but pair by length (see
    #: regions.open_edges); 1.0 turns it off
    edge_length_ratio: float = 0.8
    #: edges with more lines than this on a side stay outside the region
    edge_max_lines: int = 40
    #: a merge gains this for each line it joins to the next that reads as continued
    #: (clause punctuation, a colon, an abbreviation: see dp.continuation); with MT its own
    #: Chosen on part-A windows (seeds 10-11; 0.05-0.15 tried): no MT 0.1, MT 0.05
    join_weight: float = 0.1
    mt_join_weight: float = 0.05
    #: without MT, a second search with a word lexicon learned from the first pass's beads
    #: (see lexicon.py): the lexicon part of a line's vector has this share of its n-gram
    #: part's norm (0: one pass only); entries need min_count beads and this Dice. Chosen on
    #: part-A windows (seeds 10-11) of weights 0.3-1.0 and Dice 0.3-0.7
    lexicon_weight: float = 0.5
    lexicon_min_count: int = 2
    lexicon_min_dice: float = 0.5
    #: the lexicon's search runs every bead shape within this many columns of the first
    #: path (4, 6, 8 and 12 gave the same part-A figures within 0.004; the bead score reads
    #: the dot products of a 6-column band around the path, which 6 leaves in the band)
    lexicon_band: int = 6
    #: a two-sided bead pays this for each furniture line (short, no sentence punctuation at
    #: its end: see dp.furniture) it holds when its other side holds none; with MT its own.
    #: Chosen on part-A windows (seeds 10-11) of 0.1/0.2/0.4/0.7/1.0: without MT flat from
    #: 0.4 on, with MT flat from 0.2 (the clean part lower at 0.7)
    furniture_cost: float = 0.4
    mt_furniture_cost: float = 0.2
