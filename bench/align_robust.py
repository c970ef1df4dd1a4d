"""Alignment on translation pairs that are not clean, and whether the bead score means something.

Builds perturbed documents from the shared Text+Berg development document (de-fr, gold
beads) with a fixed seed: windows of 12-40 gold beads (release-sized) and of 100-250
(chapter-sized), alternately, each in six variants

* ``intact``    the window as it is;
* ``insert``    a block of 3-8 sentences from outside the window inserted into one side;
* ``cut``       the target's tail cut by 25-40% and the source's head by 15%;
* ``headers``   2-4 one-sided header lines at the start of one side, 1-3 at the end of the other;
* ``all``       all of these at once;
* ``unrelated`` the window's source against the target of another, disjoint window;

and the whole document (``clean``). Prints, with the Google MT and without MT: strict F1
per variant (Sennrich & Volk 2011: predicted two-sided beads equal to a gold bead),
ROC AUC of the bead score separating right beads from wrong ones (every bead, one-sided
included; a one-sided bead is right when gold leaves its sentence unaligned), the
precision of beads scored >= 0.5, a reliability table (binned score against the share
right), and on unrelated documents the share of beads that are two-sided with a score
>= 0.5 and how often the documents are called non-parallel. Then time and peak memory
for two 7,073 x 5,816-sentence documents, block-shuffled (not parallel) and parallel
chapters with a cut target (each in a child process, so the figure is the aligner's own).

Run: python bench/align_robust.py [--docs N] [--seed S] [--skip-speed | --speed-only] [--compare ../main]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from translate_pipe.model import Bead

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "alignment" / "textberg_dev"
VARIANTS = ("intact", "insert", "cut", "headers", "all")
HEADER_WORDS = {
    "src": ["Seite", "Kapitel", "Inhalt", "Druckversion", "Startseite", "Mitteilung", "Archiv", "Bildnachweis"],
    "tgt": ["Page", "Chapitre", "Sommaire", "Imprimer", "Accueil", "Communiqué", "Archives", "Illustrations"],
}
MONTHS = {"src": ["Januar", "März", "Juni", "Oktober"], "tgt": ["janvier", "mars", "juin", "octobre"]}


@dataclass(frozen=True)
class Unit:
    """A gold bead with its text: source lines, their MT, target lines (a side may be empty)."""

    src: tuple[str, ...]
    mt: tuple[str, ...]
    tgt: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    name: str
    src: list[str]
    mt: list[str]
    tgt: list[str]
    gold: list[Bead]


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def read_units(folder: Path, system: str = "google") -> list[Unit]:
    """The gold beads of the document as units, one-sided beads split into single lines."""
    from translate_pipe.beads import parse_bead

    src, tgt, mt = lines(folder / "001.src"), lines(folder / "001.tgt"), lines(folder / f"001.mt.{system}")
    gold = [parse_bead(line) for line in lines(folder / "001.gold") if line.strip()]
    units: list[Unit] = []
    next_src = next_tgt = 0  # lines gold leaves out are one-sided units where they stand
    for bead in gold + [Bead((len(src),), (len(tgt),))]:
        if bead.src:
            units += one_sided("src", src[next_src: bead.src[0]], mt[next_src: bead.src[0]])
            next_src = bead.src[-1] + 1
        if bead.tgt:
            units += one_sided("tgt", tgt[next_tgt: bead.tgt[0]])
            next_tgt = bead.tgt[-1] + 1
        if bead.src and bead.src[0] < len(src):
            units.append(Unit(tuple(src[i] for i in bead.src), tuple(mt[i] for i in bead.src),
                              tuple(tgt[j] for j in bead.tgt if j < len(tgt))))
        elif bead.tgt and bead.tgt[0] < len(tgt):
            units.append(Unit((), (), tuple(tgt[j] for j in bead.tgt)))
    return units


def one_sided(side: str, texts: list[str], mts: list[str] | None = None) -> list[Unit]:
    if side == "src":
        return [Unit((t,), (m,), ()) for t, m in zip(texts, mts or texts)]
    return [Unit((), (), (t,)) for t in texts]


def to_case(name: str, units: list[Unit]) -> Case:
    src: list[str] = []
    mt: list[str] = []
    tgt: list[str] = []
    gold: list[Bead] = []
    for unit in units:
        s = tuple(range(len(src), len(src) + len(unit.src)))
        t = tuple(range(len(tgt), len(tgt) + len(unit.tgt)))
        src += unit.src
        mt += unit.mt
        tgt += unit.tgt
        if s and t:
            gold.append(Bead(s, t))
        else:
            gold += [Bead((i,), ()) for i in s] + [Bead((), (j,)) for j in t]
    return Case(name, src, mt, tgt, gold)


def outside_lines(all_units: list[Unit], start: int, stop: int, side: str, rng: random.Random, count: int,
                  ) -> tuple[list[str], list[str]]:
    """``count`` consecutive lines of one side from outside the window [start, stop)."""
    outside = all_units[:max(start - 5, 0)] + all_units[stop + 5:]
    texts = [(t, m) for u in outside for t, m in (zip(u.src, u.mt) if side == "src" else zip(u.tgt, u.tgt))]
    at = rng.randrange(0, len(texts) - count)
    chosen = texts[at: at + count]
    return [t for t, _ in chosen], [m for _, m in chosen]


def header_lines(side: str, rng: random.Random, count: int, pool: list[str]) -> list[str]:
    """Short lines without final punctuation: page furniture, dates, fragments of other lines."""
    out = []
    for _ in range(count):
        kind = rng.randrange(3)
        if kind == 0:
            out.append(f"{rng.choice(HEADER_WORDS[side])} {rng.randrange(2, 300)}")
        elif kind == 1:
            out.append(f"{rng.randrange(1, 29)}. {rng.choice(MONTHS[side])} {rng.randrange(1950, 2020)}"
                       if side == "src" else f"{rng.randrange(1, 29)} {rng.choice(MONTHS[side])} {rng.randrange(1950, 2020)}")
        else:
            words = rng.choice(pool).replace(".", "").replace(",", "").split()
            at = rng.randrange(0, max(len(words) - 3, 1))
            out.append(" ".join(words[at: at + rng.randrange(2, 6)]))
    return out


def perturb(all_units: list[Unit], start: int, stop: int, variant: str, rng: random.Random) -> Case:
    units = list(all_units[start:stop])
    if variant in ("cut", "all"):
        n_tgt = sum(len(u.tgt) for u in units)
        keep_tgt = n_tgt * (1 - rng.uniform(0.25, 0.40))
        n_src = sum(len(u.src) for u in units)
        drop_src = n_src * 0.15
        out: list[Unit] = []
        seen_src = seen_tgt = 0
        for unit in units:
            src_gone = seen_src < drop_src
            tgt_gone = seen_tgt >= keep_tgt
            seen_src += len(unit.src)
            seen_tgt += len(unit.tgt)
            kept = Unit(() if src_gone else unit.src, () if src_gone else unit.mt, () if tgt_gone else unit.tgt)
            if kept.src and kept.tgt:
                out.append(kept)
            else:
                out += one_sided("src", list(kept.src), list(kept.mt)) + one_sided("tgt", list(kept.tgt))
        units = out
    if variant in ("insert", "all"):
        side = rng.choice(["src", "tgt"])
        texts, mts = outside_lines(all_units, start, stop, side, rng, rng.randint(3, 8))
        at = rng.randrange(len(units) // 5, 4 * len(units) // 5)
        units = units[:at] + one_sided(side, texts, mts) + units[at:]
    if variant in ("headers", "all"):
        first = rng.choice(["src", "tgt"])
        last = "tgt" if first == "src" else "src"
        outside = all_units[:start] + all_units[stop:]  # fragments of the window itself would be real matches
        pool = {side: [t for u in outside for t in (u.src if side == "src" else u.tgt)] for side in ("src", "tgt")}
        head = header_lines(first, rng, rng.randint(2, 4), pool[first])
        tail = header_lines(last, rng, rng.randint(1, 3), pool[last])
        units = one_sided(first, head) + units + one_sided(last, tail)
    return to_case(variant, units)


def unrelated(all_units: list[Unit], start: int, stop: int, rng: random.Random) -> Case:
    size = stop - start
    other = (stop + rng.randrange(0, max(len(all_units) - 2 * size, 1))) % len(all_units)
    if abs(other - start) < size:
        other = (start + size) % len(all_units)
    other_units = (all_units + all_units)[other: other + size]
    units = one_sided("src", [t for u in all_units[start:stop] for t in u.src],
                      [m for u in all_units[start:stop] for m in u.mt])
    units += one_sided("tgt", [t for u in other_units for t in u.tgt])
    return to_case("unrelated", units)


def build_cases(all_units: list[Unit], seed: int, docs: int) -> list[Case]:
    """``docs`` windows, each in every variant plus its unrelated pair; the whole document as 'clean'."""
    rng = random.Random(seed)
    cases = [to_case("clean", all_units)]
    for number in range(docs):
        # Half release-sized (12-40 beads), half chapter-sized (100-250).
        size = rng.randint(12, 40) if number % 2 else rng.randint(100, 250)
        start = rng.randrange(0, len(all_units) - size)
        for variant in VARIANTS:
            cases.append(perturb(all_units, start, start + size, variant, rng))
        cases.append(unrelated(all_units, start, start + size, rng))
    return cases


def strict_counts(predicted: list[Bead], gold: list[Bead]) -> tuple[int, int, int]:
    """(two-sided predicted beads equal to a gold bead, two-sided predicted, two-sided gold)."""
    gold_two = {(b.src, b.tgt) for b in gold if b.src and b.tgt}
    pred_two = [(b.src, b.tgt) for b in predicted if b.src and b.tgt]
    return sum(p in gold_two for p in pred_two), len(pred_two), len(gold_two)


def bead_right(predicted: list[Bead], gold: list[Bead]) -> list[bool]:
    gold_set = {(b.src, b.tgt) for b in gold}
    return [(b.src, b.tgt) in gold_set for b in predicted]


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Probability that a right bead outscores a wrong one (ties count half)."""
    pos, neg = scores[labels], scores[~labels]
    if not len(pos) or not len(neg):
        return float("nan")
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(len(order))
    values = np.concatenate([pos, neg])[order]
    # average ranks over ties
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        ranks[order[i: j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def f1_of(right: int, predicted: int, gold: int) -> float:
    p = right / max(predicted, 1)
    r = right / max(gold, 1)
    return 2 * p * r / (p + r) if p + r else 0.0


def run_cases(cases: list[Case], use_mt: bool, align_fn=None) -> dict:
    try:
        from translate_pipe.align import align_documents
    except ImportError:  # an older checkout (PYTHONPATH=../main): align() only, always "parallel"
        from types import SimpleNamespace

        from translate_pipe.align import align

        def align_documents(src, tgt, mt=None):
            return SimpleNamespace(beads=align(src, tgt, mt), parallel=True)

    per_variant: dict[str, list[int]] = {}
    scores: list[float] = []
    rights: list[bool] = []
    two_sided: list[bool] = []
    unrelated_beads = unrelated_confident = unrelated_docs = unrelated_flagged = 0
    parallel_flagged = parallel_docs = 0
    for case in cases:
        result = (align_fn or align_documents)(case.src, case.tgt, case.mt if use_mt else None)
        beads = result.beads
        if case.name == "unrelated":
            unrelated_docs += 1
            unrelated_flagged += not result.parallel
            unrelated_beads += len(beads)
            unrelated_confident += sum(1 for b in beads if b.src and b.tgt and b.score >= 0.5)
            continue
        parallel_docs += 1
        parallel_flagged += not result.parallel
        counts = per_variant.setdefault(case.name, [0, 0, 0])
        for n, value in enumerate(strict_counts(beads, case.gold)):
            counts[n] += value
        if case.name != "clean":
            scores += [b.score for b in beads]
            rights += bead_right(beads, case.gold)
            two_sided += [bool(b.src and b.tgt) for b in beads]
    return {
        "f1": {name: f1_of(*counts) for name, counts in per_variant.items()},
        "scores": np.array(scores), "right": np.array(rights, dtype=bool), "two": np.array(two_sided, dtype=bool),
        "unrelated_share": unrelated_confident / max(unrelated_beads, 1),
        "unrelated_flagged": (unrelated_flagged, unrelated_docs),
        "parallel_flagged": (parallel_flagged, parallel_docs),
    }


def report(label: str, stats: dict) -> None:
    scores, right, two = stats["scores"], stats["right"], stats["two"]
    print(f"\n== {label}")
    print("strict F1: " + "  ".join(f"{name} {value:.3f}" for name, value in stats["f1"].items()))
    high = scores >= 0.5
    print(f"bead score: ROC AUC {roc_auc(scores, right):.3f} pooled over {len(scores)} beads "
          f"(two-sided only {roc_auc(scores[two], right[two]):.3f}); "
          f"precision at >= 0.5: {right[high].mean() if high.any() else float('nan'):.3f} "
          f"({high.sum()} beads; two-sided {right[high & two].mean() if (high & two).any() else float('nan'):.3f}, "
          f"one-sided {right[high & ~two].mean() if (high & ~two).any() else float('nan'):.3f})")
    print("reliability: " + "  ".join(
        f"[{lo:.1f},{lo + 0.2:.1f}) n={int(mask.sum())} pred {scores[mask].mean():.2f} obs {right[mask].mean():.2f}"
        for lo in np.arange(0, 1, 0.2)
        for mask in [(scores >= lo) & ((scores < lo + 0.2) if lo < 0.79 else (scores <= 1.0))] if mask.any()))
    flagged, docs = stats["unrelated_flagged"]
    wrongly, pdocs = stats["parallel_flagged"]
    print(f"unrelated documents: {stats['unrelated_share']:.3f} of beads two-sided with score >= 0.5; "
          f"called non-parallel {flagged}/{docs}; parallel documents called non-parallel {wrongly}/{pdocs}")


def speed_document(folder: Path) -> tuple[list[str], list[str], list[str]]:
    """7,073 x 5,816 sentences from the dev document's lines, shuffled in blocks (as bench/align_quality.py)."""
    src, tgt, mt = lines(folder / "001.src"), lines(folder / "001.tgt"), lines(folder / "001.mt.google")
    rng = random.Random(0)
    big_src: list[str] = []
    big_mt: list[str] = []
    big_tgt: list[str] = []
    while len(big_src) < 7073:
        start = rng.randrange(0, len(src) - 50)
        big_src += src[start: start + 50]
        big_mt += mt[start: start + 50]
        big_tgt += tgt[start: start + 43]
    return big_src[:7073], big_tgt[:5816], big_mt[:7073]


def parallel_speed_document(folder: Path) -> tuple[list[str], list[str], list[str]]:
    """7,073 x 5,816 sentences that are translations: numbered chapters of 40 whole gold
    beads each (a heading line "Kapitel N" / "Chapitre N", then a random run of the dev
    document) until the source has 7,073 lines, the target cut at 5,816 (its last ~30%
    missing, as when a translator stops early). The dev document repeats ~15 times, so its
    own words are not rare; the chapter numbers are, as in a real long document. The
    block-shuffled document above pairs lines that do not translate each other (its anchors
    do not chain, so it is called non-parallel)."""
    units = read_units(folder)
    rng = random.Random(0)
    big_src: list[str] = []
    big_mt: list[str] = []
    big_tgt: list[str] = []
    while len(big_src) < 7073:
        chapter = f"{len(big_src) // 7 + 1001}"
        big_src.append(f"Kapitel {chapter}")
        big_mt.append(f"Chapitre {chapter}")
        big_tgt.append(f"Chapitre {chapter}")
        start = rng.randrange(0, len(units) - 40)
        for unit in units[start: start + 40]:
            big_src += unit.src
            big_mt += unit.mt
            big_tgt += unit.tgt
    return big_src[:7073], big_tgt[:5816], big_mt[:7073]


def speed_child(folder: Path, use_mt: bool, parallel: bool = False) -> None:
    import translate_pipe.align as aligner

    big_src, big_tgt, big_mt = (parallel_speed_document if parallel else speed_document)(folder)
    t0, c0 = time.perf_counter(), time.process_time()
    beads = aligner.align(big_src, big_tgt, big_mt if use_mt else None)  # the older aligner has align() only
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{seconds:.2f} {peak:.0f} {len(beads)} {cpu:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--docs", type=int, default=8, help="windows per run (each in every variant)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--compare", metavar="CHECKOUT", help="also time the aligner of this checkout (e.g. ../main)")
    parser.add_argument("--speed-only", action="store_true")
    parser.add_argument("--speed-child", choices=["mt", "none", "mt-parallel", "none-parallel"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.speed_child:
        speed_child(args.data, args.speed_child.startswith("mt"), args.speed_child.endswith("parallel"))
        return
    units = read_units(args.data)
    cases = [] if args.speed_only else build_cases(units, args.seed, args.docs)
    print(f"Text+Berg dev 001 (de-fr), seed {args.seed}: {args.docs} windows x {len(VARIANTS)} variants "
          f"+ unrelated pairs + the whole document ('clean')")
    for use_mt in (True, False) if cases else ():
        t0 = time.perf_counter()
        stats = run_cases(cases, use_mt)
        report(f"{'with MT (google)' if use_mt else 'without MT'} ({time.perf_counter() - t0:.1f} s)", stats)
    if args.skip_speed:
        return
    print("\n7,073 x 5,816 sentences (own process; figures on a shared, loaded machine):")
    import os

    checkouts = [("this checkout", str(Path(__file__).resolve().parents[1]))]
    if args.compare:
        checkouts.append((f"{args.compare}", str(Path(args.compare).resolve())))
    for label, root in checkouts:
        for mode in ("mt", "none", "mt-parallel", "none-parallel"):
            env = {**os.environ, "PYTHONPATH": root}
            out = subprocess.run([sys.executable, __file__, "--data", str(args.data), "--speed-child", mode],
                                 capture_output=True, text=True, check=True, env=env).stdout.split()
            kind = "parallel (gold beads, target cut)" if mode.endswith("parallel") else "block-shuffled"
            print(f"  {label}, {kind}, {'with MT' if mode.startswith('mt') else 'without MT'}: {float(out[0]):.2f} s "
                  f"({float(out[3]):.2f} s CPU), peak RSS {out[1]} MB, {out[2]} beads (target < 5 s, < 1 GB)")


if __name__ == "__main__":
    main()
