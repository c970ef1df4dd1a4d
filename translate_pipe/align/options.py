"""The aligner's knobs, in one frozen dataclass."""

from __future__ import annotations

from dataclasses import dataclass


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
    #: two-sided beads pay this per line outside the anchored region (see regions.py)
    outside_cost: float = 1.0
    #: lines either side of the outer anchors still inside the region
    region_slack: int = 2
    #: fewer chained anchors than this: no region is imposed
    min_anchors: int = 3
    #: gain for each chained anchor a bead holds (minus for each it breaks)
    anchor_weight: float = 0.3
    #: below this share of lines in two-sided beads scored >= 0.5, the documents are
    #: not called parallel and every bead is one-sided
    min_parallel_share: float = 0.1


