"""Whether two documents are translations of each other: parallel, partly, not, or uncertain.

``align_documents`` answers parallel or not from what it can see: anchors that chain
and beads the bead score trusts. That answer needs words the two sides can share.
English against Arabic without MT shares only digits and the odd Latin name, so a real
translation finds too few anchors and would be called "not parallel" with one-sided
beads scored 0.9 and more: a confident verdict with nothing behind it. Here such a pair
is called *uncertain* instead: the beads are the aligner's guess from lengths and
numbers, and every score is kept below :data:`UNCERTAIN_CAP` (the bead score was
calibrated on text whose words can be compared; it has no data for this case), so the
default ``--min-align-score`` 0.5 keeps none of them. With MT into the target language
the sides share a script again and the usual decision applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Bead
from ..signals import script_share
from . import (
    AlignConfig,
    AlignmentResult,
    SentenceEncoder,
    align_documents,
    search_document,
)
from .score import score_beads

#: Scores of the beads of an uncertain pair stay below this.
UNCERTAIN_CAP = 0.4
#: A script counts for a side when at least this share of its letters are in it.
SCRIPT_SHARE = 0.2

#: Verdicts, as stored with a reference pair (``alignments.verdict``).
PARALLEL, PARTIAL, NOT_PARALLEL, UNCERTAIN = "parallel", "partial", "not_parallel", "uncertain"
VERDICTS = (PARALLEL, PARTIAL, NOT_PARALLEL, UNCERTAIN)


@dataclass(frozen=True)
class JudgedAlignment:
    """An alignment and the verdict on the pair (one of :data:`VERDICTS`); ``partial`` is
    parallel with under half of the lines in beads scored >= 0.5."""

    result: AlignmentResult
    verdict: str
    comparable: bool = True

    @property
    def beads(self) -> list[Bead]:
        return self.result.beads


def scripts(lines: Sequence[str]) -> frozenset[str]:
    """The scripts (Arabic, Latin) that hold at least :data:`SCRIPT_SHARE` of the letters of ``lines``."""
    text = "\n".join(lines)
    shares = {"Arabic": script_share(text, "ar"), "Latin": script_share(text, "en")}
    return frozenset(name for name, share in shares.items() if share is not None and share >= SCRIPT_SHARE)


def comparable(left: Sequence[str], right: Sequence[str]) -> bool:
    """Whether the aligner can compare the words of ``left`` (the source or its MT) with
    those of ``right``: they share a script (or one side has no letters at all)."""
    a, b = scripts(left), scripts(right)
    return not a or not b or bool(a & b)


def judge_documents(
    src: Sequence[str],
    tgt: Sequence[str],
    mt: Sequence[str] | None = None,
    config: AlignConfig | None = None,
    encoder: SentenceEncoder | None = None,
) -> JudgedAlignment:
    """Align two documents and give the verdict on the pair (see the module's docstring)."""
    config = config or AlignConfig()
    left = list(mt) if mt is not None else list(src)
    if not src or not tgt or comparable(left, tgt):
        result = align_documents(src, tgt, mt, config, encoder)
        if not result.parallel:
            verdict = NOT_PARALLEL
        else:
            verdict = PARALLEL if result.aligned_share >= 0.5 else PARTIAL
        return JudgedAlignment(result, verdict)
    if mt is not None and len(mt) != len(src):
        raise ValueError(f"the MT has {len(mt)} lines, the source {len(src)}: they must match line by line")
    # Words cannot be compared: keep the aligner's guess, say it is one, score it low.
    path, similarity, region = search_document(src, tgt, mt, config, encoder)
    scores = score_beads(path, similarity, region, len(src), len(tgt), texts=(src, tgt))
    beads = [Bead(tuple(range(i0, i1)), tuple(range(j0, j1)), round(min(float(s), UNCERTAIN_CAP), 4))
             for (i0, i1, j0, j1), s in zip(path, scores)]
    result = AlignmentResult(beads, parallel=False, aligned_share=0.0, anchors=region.size)
    return JudgedAlignment(result, UNCERTAIN, comparable=False)


__all__ = [
    "NOT_PARALLEL",
    "PARALLEL",
    "PARTIAL",
    "UNCERTAIN",
    "UNCERTAIN_CAP",
    "VERDICTS",
    "JudgedAlignment",
    "comparable",
    "judge_documents",
    "scripts",
]
