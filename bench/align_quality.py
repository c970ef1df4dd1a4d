"""Sentence-alignment quality and speed of translate_pipe.align.

Quality: strict and lax precision/recall/F1 (Sennrich & Volk 2011) on the shared
Text+Berg development document, for each MT system and without MT. Precision counts
predicted beads with both sides non-empty (as Bleualign's evaluation does); recall
counts gold beads. Speed: a synthetic 7,000 x 6,000-sentence document.

Run: python bench/align_quality.py [--data DIR] [--skip-speed]
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from pathlib import Path

from translate_pipe.align import align
from translate_pipe.model import Bead

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "alignment" / "textberg_dev"


def read_beads(path: Path) -> list[Bead]:
    from translate_pipe.beads import parse_bead

    return [parse_bead(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def f1(predicted: list[Bead], gold: list[Bead]) -> tuple[float, float, float, float, float, float]:
    pred = [b for b in predicted if b.src and b.tgt]
    gold = [b for b in gold if b.src and b.tgt]
    gold_set = {(b.src, b.tgt) for b in gold}
    pred_set = {(b.src, b.tgt) for b in pred}
    strict_p = sum((b.src, b.tgt) in gold_set for b in pred) / max(len(pred), 1)
    strict_r = sum((b.src, b.tgt) in pred_set for b in gold) / max(len(gold), 1)
    gold_links = {(s, t) for b in gold for s in b.src for t in b.tgt}
    pred_links = {(s, t) for b in pred for s in b.src for t in b.tgt}
    lax_p = sum(any((s, t) in gold_links for s in b.src for t in b.tgt) for b in pred) / max(len(pred), 1)
    lax_r = sum(any((s, t) in pred_links for s in b.src for t in b.tgt) for b in gold) / max(len(gold), 1)

    def harmonic(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    return strict_p, strict_r, harmonic(strict_p, strict_r), lax_p, lax_r, harmonic(lax_p, lax_r)


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    src, tgt = lines(args.data / "001.src"), lines(args.data / "001.tgt")
    gold = read_beads(args.data / "001.gold")
    print("Text+Berg dev 001 (de-fr): peers, strict F1 with google MT: Bleualign 0.780, hunalign 0.743, Gale-Church 0.592")
    print(f"{'MT':<14} {'strict P':>8} {'R':>6} {'F1':>6} {'lax P':>7} {'R':>6} {'F1':>6} {'seconds':>8}")
    for system in ["google", "europarlfull", "europarllight", "SACunidir", None]:
        mt = lines(args.data / f"001.mt.{system}") if system else None
        t0 = time.perf_counter()
        beads = align(src, tgt, mt)
        seconds = time.perf_counter() - t0
        sp, sr, sf, lp, lr, lf = f1(beads, gold)
        print(f"{system or 'none':<14} {sp:8.3f} {sr:6.3f} {sf:6.3f} {lp:7.3f} {lr:6.3f} {lf:6.3f} {seconds:8.2f}")
    if args.skip_speed:
        return
    # Speed and memory: 7,000 x 6,000 sentences made from the dev document's lines,
    # shuffled in blocks so the text is realistic and the alignment non-trivial.
    rng = random.Random(0)
    mt = lines(args.data / "001.mt.google")
    big_src, big_mt, big_tgt = [], [], []
    while len(big_src) < 7000:
        start = rng.randrange(0, len(src) - 50)
        big_src += src[start : start + 50]
        big_mt += mt[start : start + 50]
        big_tgt += tgt[start : start + 43]  # fewer target lines: 1-0 and merges needed
    big_src, big_mt, big_tgt = big_src[:7000], big_mt[:7000], big_tgt[:6000]
    t0 = time.perf_counter()
    beads = align(big_src, big_tgt, big_mt)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"7000 x 6000 sentences: {seconds:.1f} s, {len(beads)} beads, peak RSS {peak_mb:.0f} MB "
          f"(target < 10 s; hunalign 7.6 s, Bleualign 40 s)")
    # Memory must grow linearly with the document: the peak of the aligner's own
    # allocations (numpy and scipy arrays included) at three sizes.
    import tracemalloc

    for n_src in (1750, 3500, 7000):
        n_tgt = n_src * 6 // 7
        tracemalloc.start()
        align(big_src[:n_src], big_tgt[:n_tgt], big_mt[:n_src])
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(f"  {n_src} x {n_tgt}: peak {peak:.0f} MB allocated, {peak / n_src * 1000:.1f} MB per 1000 source sentences")


if __name__ == "__main__":
    main()
