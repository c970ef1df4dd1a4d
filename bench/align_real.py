"""Alignment of the real translation pairs of the shared release set, against a gold made by reading them.

The four pairs of ``../shared/data/releases/pairs.tsv`` (two English-French, two
English-Arabic; three of them have a listing page on one side, every one is cut by the
archive) are segmented as ``translate-pipe align --segment`` segments them, aligned without
MT (no MT weights can be loaded here; a random-weight model's output would say nothing)
through :func:`judge_documents`, as the ``align`` command does, and compared with the gold
in ``tests/fixtures/alignment/release_pairs.gold.json``. Printed per pair: the verdict,
strict and lax F1 (Sennrich & Volk 2011, as bench/align_robust.py), the gold's two-sided
beads found, and the beads scored >= 0.5 with how many of them are right (a bead is right
when it equals a gold bead, one-sided ones included). A length-only Gale-Church aligner
(1-1, 1-0, 0-1, 2-1, 1-2, 2-2; Gale & Church 1993's priors and variance), run in this
script on the same lines, is the baseline.

English-Arabic without MT shares only digits and the odd Latin name, so the verdict there
is ``uncertain`` and every score stays below 0.4: what is measured is the guess.

Run: python bench/align_real.py [--data ../shared/data/releases]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path

from translate_pipe.beads import parse_bead
from translate_pipe.model import Bead

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from align_quality import (
    f1 as quality_f1,  # strict and lax F1, as every alignment benchmark scores them
)

GOLD = ROOT / "tests" / "fixtures" / "alignment" / "release_pairs.gold.json"
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "releases"


def sentences(path: Path, lang: str) -> list[str]:
    """The lines ``align --segment`` aligns."""
    from translate_pipe.ingest import read_text
    from translate_pipe.segment import segment_document

    return [" ".join(span.text.splitlines()) for span in segment_document(read_text(path), lang)]


def digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


def f1(predicted: list[Bead], gold: list[Bead]) -> tuple[float, float, int, int]:
    """(strict F1, lax F1, gold two-sided beads found, gold two-sided beads)."""
    scores = quality_f1(predicted, gold)
    gold_two = [(b.src, b.tgt) for b in gold if b.src and b.tgt]
    pred = {(b.src, b.tgt) for b in predicted if b.src and b.tgt}
    return scores[2], scores[5], sum(bead in pred for bead in gold_two), len(gold_two)


# Gale & Church (1993): prior of each bead shape, c = 1 (characters of the target per
# character of the source: fitted per pair below), s2 = 6.8.
_PRIORS = {(1, 1): 0.89, (1, 0): 0.0099 / 2, (0, 1): 0.0099 / 2, (2, 1): 0.089 / 2, (1, 2): 0.089 / 2, (2, 2): 0.011}


def gale_church(src: list[str], tgt: list[str]) -> list[Bead]:
    """The length-only baseline: the cheapest path under Gale-Church's cost."""
    ratio = max(sum(map(len, tgt)), 1) / max(sum(map(len, src)), 1)

    def cost(a: int, b: int, shape: tuple[int, int]) -> float:
        mean = (a + b / ratio) / 2
        z = (b / ratio - a) / math.sqrt(6.8 * max(mean, 1e-9)) if mean else 0.0
        tail = max(math.erfc(abs(z) / math.sqrt(2)), 1e-12)
        return -math.log(_PRIORS[shape]) - (math.log(tail) if shape[0] and shape[1] else 0.0)

    n, m = len(src), len(tgt)
    best = {(0, 0): (0.0, None)}
    for i in range(n + 1):
        for j in range(m + 1):
            if (i, j) == (0, 0):
                continue
            options = []
            for shape in _PRIORS:
                k, l = shape
                if i >= k and j >= l and (i - k, j - l) in best:
                    a, b = sum(map(len, src[i - k: i])), sum(map(len, tgt[j - l: j]))
                    options.append((best[(i - k, j - l)][0] + cost(a, b, shape), (i - k, j - l)))
            best[(i, j)] = min(options)
    beads, at = [], (n, m)
    while at != (0, 0):
        before = best[at][1]
        beads.append(Bead(tuple(range(before[0], at[0])), tuple(range(before[1], at[1])), 1.0))
        at = before
    return beads[::-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    if not args.data.exists():
        print(f"{args.data}: not found (the shared release set beside this checkout)", file=sys.stderr)
        return 1
    from translate_pipe.align.verdict import judge_documents

    pairs = json.loads(GOLD.read_text(encoding="utf-8"))["pairs"]
    print(f"real release pairs ({len(pairs)}), without MT; gold: {GOLD.relative_to(ROOT)}")
    totals = {"ours": [0, 0], "gale-church": [0, 0]}
    for pair in pairs:
        src = sentences(args.data / pair["src"], "en")
        tgt = sentences(args.data / pair["tgt"], pair["tgt_lang"])
        if (digest(src), digest(tgt)) != (pair["src_sha256"], pair["tgt_sha256"]):
            print(f"{pair['src']}: the segmentation changed since the gold was made "
                  f"({len(src)}/{len(tgt)} sentences, gold {pair['src_sentences']}/{pair['tgt_sentences']}): re-check the gold",
                  file=sys.stderr)
            return 1
        gold = [parse_bead(line) for line in pair["beads"]]
        judged = judge_documents(src, tgt, None)
        beads = judged.beads
        strict, lax, found, gold_two = f1(beads, gold)
        gc_strict, gc_lax, gc_found, _ = f1(gale_church(src, tgt), gold)
        gold_set = {(b.src, b.tgt) for b in gold}
        sure = [b for b in beads if b.score >= 0.5]
        sure_right = sum((b.src, b.tgt) in gold_set for b in sure)
        wrong_sure = [f"{list(b.src)}:{list(b.tgt)}@{b.score:.2f}" for b in sure if (b.src, b.tgt) not in gold_set]
        print(f"\n{pair['src']} -> {pair['tgt']} ({len(src)} x {len(tgt)} sentences)")
        print(f"  ours: {judged.verdict}; strict F1 {strict:.3f}, lax {lax:.3f}; gold two-sided beads found "
              f"{found}/{gold_two}; scored >= 0.5: {len(sure)} beads, {sure_right} right"
              + (f" (wrong: {', '.join(wrong_sure)})" if wrong_sure else ""))
        print(f"  Gale-Church (length only): strict F1 {gc_strict:.3f}, lax {gc_lax:.3f}; found {gc_found}/{gold_two}")
        totals["ours"][0] += found
        totals["gale-church"][0] += gc_found
        totals["ours"][1] += gold_two
        totals["gale-church"][1] += gold_two
    print()
    for name, (found, gold_two) in totals.items():
        print(f"{name}: gold two-sided beads found {found}/{gold_two} ({found / max(gold_two, 1):.0%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
