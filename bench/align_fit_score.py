"""Fit the bead score's logistic models (translate_pipe/data/bead_score.json) and check them held out.

The Text+Berg development document (de-fr, 431 gold beads) is cut in two disjoint
parts: the first half of its beads (part A) and the second (part B). Perturbed windows
are built inside one part only, as bench/align_robust.py builds them (intact, insert,
cut, headers, all; unrelated pairs from two windows of the same part), every window is
aligned with and without MT, and every bead is labelled right or wrong against gold.
The models (one logistic regression for two-sided beads, one for one-sided beads,
Newton's method with a small ridge, and one for the lines of a pair called not
parallel: the share of its anchors that chained) are fitted on part A (seeds 100-101:
release-sized and 50-100-bead windows with unrelated pairs; seeds 102-103:
release-sized and 100-200-bead windows, as the benchmark's chapters) and reported on
part A (the fit) and on part B (held out: text the fit never saw, seed 1), then the
other way round as a check that the figures do not depend on the part. The
non-parallel decision of ``align_documents`` is applied to every pair with the new
scores (a pair called not parallel has its beads split into one-sided lines, scored
by the third model), as the aligner outputs them. Reports ROC AUC pooled over the
variants, the share right among beads scored >= 0.5, 0.7 and 0.9, a reliability table
(predicted against observed per score bin) and, on unrelated pairs, the share of
beads that are two-sided with a score >= 0.5.

``--ceiling`` also fits every feature the code computes on part B's held-out windows
themselves and reports on them: not a held-out figure, an upper bound on what a
calibrated logistic score could reach with this evidence.

Run: python bench/align_fit_score.py [--docs 8] [--write] [--ceiling]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from align_robust import (
    DEFAULT_DATA,
    VARIANTS,
    Case,
    Unit,
    bead_right,
    one_sided,
    perturb,
    read_units,
    roc_auc,
    to_case,
)

from translate_pipe.align import AlignConfig, search_document
from translate_pipe.align.score import (
    ONE_SIDED_FEATURES,
    TWO_SIDED_FEATURES,
    UNALIGNED_FEATURES,
    BeadScoreModel,
    LogisticModel,
    bead_features,
    unaligned_score,
)
from translate_pipe.atomic import atomic_write_text
from translate_pipe.model import Bead

MODEL = Path(__file__).resolve().parents[1] / "translate_pipe" / "data" / "bead_score.json"

#: The features the shipped models weigh. Session 3: backward elimination on the AUC of
#: part-B fits scored on part A (seed 1); held out on part B (MT / no MT): all features
#: 0.751 / 0.834, these 0.841 / 0.840 (without the posterior: 0.834 / 0.777). Elimination
#: kept similarity and margin (cos - rival) with opposite weights; "rival" alone says the
#: same (the bead's lines match their neighbours across as well as each other: a shifted
#: bead or a missed merge). Session 4: forward selection on the mean and minimum of the
#: held-out AUCs (A->B, B->A, A->align_robust seed 1, MT and no MT) added length_cost,
#: similarity and margin (two-sided) and anchor_distance (one-sided): mean 0.865 -> 0.873;
#: outside_region was in effect "no region" (every line of a pair without one counted as
#: outside); it is 0 there now, as in the search, and no_region says it instead (held out
#: about the same, and it keeps unrelated pairs' beads below 0.5: tests/test_align.py).
#: Session 5: the confident errors were pieces of gold merges (a sentence split at a colon,
#: semicolon or comma on one side only) and headings merged into a translation. Forward
#: selection over every feature, criterion the mean of AUC + right among >= 0.5 on part A's
#: held-out windows (seed 1) of a fit on part B (MT and no MT), a feature kept when it adds
#: 0.002, redone after each change of the search. split_pause (the bead's edge follows a
#: pause on one side only) is the first step every time (on the search of main at 6bda499: 1.777 ->
#: 1.835). open_asymmetry (lines without punctuation on one side only) was the second before
#: the search paid for furniture lines in two-sided beads (dp.furniture); since, the beads it
#: fires on (145 in part A's fit windows, all wrong) already score low, and it adds nothing:
#: left out. one_sided_neighbours adds < 0.002 there, but on bench/align_robust.py's choosing
#: seeds 10 and 11 it lifts the pooled AUC with MT 0.909 -> 0.921 and 0.880 -> 0.896 (no MT
#: 0.901 -> 0.905, 0.868 -> 0.879): kept. Not kept: the one-sided open_lines (+0.011, but it
#: learns that the benchmark's headers are one-sided by construction: a real pair's
#: translated French title went from 0.33 to 0.93), and, never the best step, a lower-case
#: start on one side only, the weakest line of a merge (its lowest cosine with the other
#: side), an abbreviation on one side only, a pause next to a one-sided line.
TWO_SIDED = ("bias", "rival", "shrink_gain", "posterior", "length_cost", "similarity", "margin", "no_region",
             "split_pause", "one_sided_neighbours")
ONE_SIDED = ("bias", "best_across", "run_length", "anchor_share", "posterior", "anchor_distance", "no_region")
FIT_SEEDS = (100, 101)
#: seeds of the fit's chapter-sized windows (no unrelated pairs)
CHAPTER_SEEDS = (102, 103)
HELD_OUT_SEED = 1


@dataclass
class Beads:
    """Every bead of a set of aligned cases: features by name, label, where it came from."""

    two: dict[str, np.ndarray]
    one: dict[str, np.ndarray]
    y_two: np.ndarray
    y_one: np.ndarray
    # per document: (variant, with MT, chained share, lines n + m, two-sided beads' line counts,
    # how many of those lines gold leaves unaligned, index ranges)
    docs: list[tuple[str, bool, float, int, np.ndarray, np.ndarray, slice, slice]]


def part_units(units: list[Unit], part: str) -> list[Unit]:
    half = len(units) // 2
    return units[:half] if part == "A" else units[half:]


def part_cases(units: list[Unit], seed: int, docs: int, chapters: bool = False) -> list[Case]:
    """``docs`` windows of ``units`` (release-sized 12-40 beads and 50-100 alternately), each
    in every variant, and an unrelated pair: the window's source against another window's
    target. ``chapters``: 100-200-bead windows instead of 50-100, and no unrelated pairs."""
    rng = random.Random(seed)
    cases: list[Case] = []
    for number in range(docs):
        if number % 2:
            size = rng.randint(12, 40)
        else:
            size = rng.randint(100, min(200, len(units) - 5)) if chapters else rng.randint(50, 100)
        start = rng.randrange(0, len(units) - size)
        for variant in VARIANTS:
            cases.append(perturb(units, start, start + size, variant, rng))
        if chapters:
            continue
        # The other window starts at least `size` units after this one ends (circularly), so they do not overlap.
        room = len(units) - 2 * size
        other = (start + size + rng.randrange(0, max(room, 1))) % len(units)
        other_units = (units + units)[other: other + min(size, len(units) - size)]
        cases.append(to_case("unrelated", one_sided("src", [t for u in units[start:start + size] for t in u.src],
                                                    [m for u in units[start:start + size] for m in u.mt])
                             + one_sided("tgt", [t for u in other_units for t in u.tgt])))
    return cases


def collect(cases: list[Case]) -> Beads:
    config = AlignConfig()
    two_cols: dict[str, list[np.ndarray]] = {name: [] for name in TWO_SIDED_FEATURES}
    one_cols: dict[str, list[np.ndarray]] = {name: [] for name in ONE_SIDED_FEATURES}
    y_two: list[np.ndarray] = []
    y_one: list[np.ndarray] = []
    docs = []
    at_two = at_one = 0
    for case in cases:
        if not case.src or not case.tgt:
            continue  # align_documents answers an empty side without searching
        for use_mt in (True, False):
            path, similarity, region = search_document(case.src, case.tgt, case.mt if use_mt else None, config)
            two, f2, f1 = bead_features(path, similarity, region, len(case.src), len(case.tgt),
                                        texts=(case.src, case.tgt))
            right = np.array(bead_right([Bead(tuple(range(a, b)), tuple(range(c, d))) for a, b, c, d in path],
                                        case.gold), dtype=bool)
            for name in TWO_SIDED_FEATURES:
                two_cols[name].append(f2[name])
            for name in ONE_SIDED_FEATURES:
                one_cols[name].append(f1[name])
            y_two.append(right[two])
            y_one.append(right[~two])
            lines = np.array([b - a + d - c for a, b, c, d in path])[two]
            alone_src = {i for g in case.gold if not g.tgt for i in g.src}
            alone_tgt = {j for g in case.gold if not g.src for j in g.tgt}
            alone = np.array([sum(i in alone_src for i in range(a, b)) + sum(j in alone_tgt for j in range(c, d))
                              for a, b, c, d in path], dtype=np.int64)[two]
            docs.append((case.name, use_mt, region.chained_share, len(case.src) + len(case.tgt), lines, alone,
                         slice(at_two, at_two + int(two.sum())), slice(at_one, at_one + int((~two).sum()))))
            at_two += int(two.sum())
            at_one += int((~two).sum())
    return Beads({k: np.concatenate(v) for k, v in two_cols.items()}, {k: np.concatenate(v) for k, v in one_cols.items()},
                 np.concatenate(y_two), np.concatenate(y_one), docs)


def fit_logistic(columns: dict[str, np.ndarray], y: np.ndarray, features: tuple[str, ...], ridge: float = 1e-3,
                 steps: int = 50) -> LogisticModel:
    x = np.column_stack([columns[name] for name in features])
    w = np.zeros(x.shape[1])
    penalty = ridge * np.eye(x.shape[1])
    penalty[0, 0] = 0.0  # the bias is not shrunk
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
        grad = x.T @ (p - y) / len(y) + penalty @ w
        hess = (x * (p * (1 - p))[:, None]).T @ x / len(y) + penalty + 1e-9 * np.eye(x.shape[1])
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return LogisticModel(features, tuple(round(float(v), 5) for v in w))


def merge(*sets: Beads) -> Beads:
    """The beads of several sets as one (index ranges shifted)."""
    docs = []
    at_two = at_one = 0
    for data in sets:
        for name, mt, chained, lines, two_lines, alone, s2, s1 in data.docs:
            docs.append((name, mt, chained, lines, two_lines, alone, slice(s2.start + at_two, s2.stop + at_two),
                         slice(s1.start + at_one, s1.stop + at_one)))
        at_two += len(data.y_two)
        at_one += len(data.y_one)
    return Beads({k: np.concatenate([d.two[k] for d in sets]) for k in sets[0].two},
                 {k: np.concatenate([d.one[k] for d in sets]) for k in sets[0].one},
                 np.concatenate([d.y_two for d in sets]), np.concatenate([d.y_one for d in sets]), docs)


def not_parallel(p_two: np.ndarray, two_lines: np.ndarray, lines: int, chained: float, config: AlignConfig) -> bool:
    """align_documents' decision: parallel only when enough lines sit in sure two-sided
    beads and enough of the mutual-best anchors chain."""
    share = two_lines[p_two >= 0.5].sum() / lines
    return not (share >= config.min_parallel_share and chained >= config.min_chained_share)


def fit(data: Beads, description: str, config: AlignConfig | None = None, two_sided: tuple[str, ...] | None = None,
        one_sided: tuple[str, ...] | None = None) -> BeadScoreModel:
    """The two bead models, then the model of the lines of pairs called not parallel (the
    beads of such a pair are split into lines; a line is right when gold leaves it unaligned)."""
    config = config or AlignConfig()
    two = fit_logistic(data.two, data.y_two.astype(float), two_sided or TWO_SIDED)
    one = fit_logistic(data.one, data.y_one.astype(float), one_sided or ONE_SIDED)
    p_two = two.probabilities(data.two)
    chained_of, alone_of = [], []
    for name, mt, chained, lines, two_lines, alone, s2, s1 in data.docs:
        if not_parallel(p_two[s2], two_lines, lines, chained, config):
            chained_of.append(np.full(int(two_lines.sum()), chained))
            alone_of.append(np.concatenate([[1.0] * a + [0.0] * (t - a) for t, a in zip(two_lines, alone)] or [[]]))
    chained_all = np.concatenate(chained_of) if chained_of else np.zeros(0)
    unaligned = fit_logistic({"bias": np.ones(len(chained_all)), "chained_share": chained_all},
                             np.concatenate(alone_of) if alone_of else np.zeros(0), UNALIGNED_FEATURES)
    return BeadScoreModel(two, one, description, unaligned)


def scored(model: BeadScoreModel, data: Beads, use_mt: bool, config: AlignConfig) -> tuple[np.ndarray, np.ndarray, dict]:
    """Every bead's score and label as the aligner outputs the beads (pairs called not
    parallel split into lines), unrelated pairs left out; and the unrelated pairs' figures."""
    p_two = model.two_sided.probabilities(data.two)
    p_one = model.one_sided.probabilities(data.one)
    scores, right = [], []
    unrelated = {"beads": 0, "sure": 0, "flagged": 0, "docs": 0, "split_parallel": 0}
    for name, mt, chained, lines, two_lines, alone, s2, s1 in data.docs:
        if mt != use_mt:
            continue
        split = not_parallel(p_two[s2], two_lines, lines, chained, config)
        if name == "unrelated":
            unrelated["docs"] += 1
            unrelated["flagged"] += split
            unrelated["beads"] += (s1.stop - s1.start) + (int(two_lines.sum()) if split else (s2.stop - s2.start))
            unrelated["sure"] += 0 if split else int((p_two[s2] >= 0.5).sum())
            continue
        scores.append(p_one[s1])
        right.append(data.y_one[s1])
        if split:
            unrelated["split_parallel"] += 1
            scores.append(np.full(int(two_lines.sum()), unaligned_score(chained, model)))
            right.append(np.concatenate([[True] * a + [False] * (t - a) for t, a in zip(two_lines, alone)] or [[]])
                         .astype(bool))
        else:
            scores.append(p_two[s2])
            right.append(data.y_two[s2])
    return np.concatenate(scores), np.concatenate(right).astype(bool), unrelated


def evaluate(label: str, model: BeadScoreModel, data: Beads, config: AlignConfig | None = None) -> dict:
    """The benchmark's figures for ``model`` on ``data``, per MT setting; printed."""
    config = config or AlignConfig()
    out = {}
    for use_mt in (True, False):
        p, y, unrelated = scored(model, data, use_mt, config)
        table = "  ".join(f"[{lo:.1f},{lo + 0.1:.1f}) n={int(mask.sum())} {p[mask].mean():.2f}/{y[mask].mean():.2f}"
                          for lo in np.arange(0, 1, 0.1)
                          for mask in [(p >= lo) & ((p < lo + 0.1) if lo < 0.89 else (p <= 1.0))] if mask.any())
        auc = roc_auc(p, y)
        share = unrelated["sure"] / max(unrelated["beads"], 1)
        precision = {t: (y[p >= t].mean() if (p >= t).any() else float("nan"), int((p >= t).sum())) for t in (0.5, 0.7, 0.9)}
        print(f"{label}, {'with MT' if use_mt else 'without MT'}: {len(y)} beads ({(~y).sum()} wrong), AUC {auc:.3f}, "
              "right among >= " + ", ".join(f"{t}: {v:.3f} ({n})" for t, (v, n) in precision.items())
              + f"; unrelated: {share:.3f} two-sided >= 0.5, non-parallel {unrelated['flagged']}/{unrelated['docs']}; "
              f"parallel pairs split {unrelated['split_parallel']}")
        print(f"    reliability (predicted/observed): {table}")
        out[use_mt] = (auc, precision[0.5][0], share)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=8, help="windows per part and seed")
    parser.add_argument("--write", action="store_true", help=f"write the part-A fit to {MODEL}")
    parser.add_argument("--ceiling", action="store_true",
                        help="also fit every feature on part B's held-out windows themselves and report on them: "
                             "what a logistic score could reach there if it had seen the answers")
    args = parser.parse_args()
    units = read_units(DEFAULT_DATA)
    t0 = time.process_time()
    sets = {}
    for part in ("A", "B"):
        own = part_units(units, part)
        sets[part, "fit"] = merge(collect([c for s in FIT_SEEDS for c in part_cases(own, s, args.docs)]),
                                  collect([c for s in CHAPTER_SEEDS for c in part_cases(own, s, args.docs, True)]))
        sets[part, "test"] = collect(part_cases(own, HELD_OUT_SEED, args.docs))
    print(f"aligned {sum(len(d.docs) for d in sets.values())} documents in {time.process_time() - t0:.1f} s CPU")
    models = {}
    seeds = list(FIT_SEEDS + CHAPTER_SEEDS)
    for part, other in (("A", "B"), ("B", "A")):
        description = (f"bench/align_fit_score.py --docs {args.docs}: Text+Berg dev part {part} "
                       f"(beads {'1-215' if part == 'A' else '216-431'}), seeds {seeds}, with and without MT")
        models[part] = model = fit(sets[part, "fit"], description)
        print(f"\n== fitted on part {part}")
        for kind in (model.two_sided, model.one_sided, model.unaligned):
            print("  " + ", ".join(f"{name} {w:+.2f}" for name, w in zip(kind.features, kind.weights)))
        evaluate(f"part {part} seeds {seeds} (fit)", model, sets[part, "fit"])
        evaluate(f"part {part} seed {HELD_OUT_SEED} (same text, other windows)", model, sets[part, "test"])
        evaluate(f"part {other} seed {HELD_OUT_SEED} (held out)", model, sets[other, "test"])
    if args.ceiling:
        # Not a held-out figure: an upper bound on what these features support, calibrated.
        model = fit(sets["B", "test"], "ceiling", None, TWO_SIDED_FEATURES, ONE_SIDED_FEATURES)
        print("\n== every feature, fitted on part B seed 1 itself (in-sample: an upper bound, not a held-out figure)")
        evaluate(f"part B seed {HELD_OUT_SEED} (in-sample)", model, sets["B", "test"])
    if args.write:
        model = models["A"]
        atomic_write_text(MODEL, json.dumps({
            "fitted_on": model.fitted_on,
            **{kind: {"features": list(m.features), "weights": list(m.weights)}
               for kind, m in (("two_sided", model.two_sided), ("one_sided", model.one_sided),
                               ("unaligned", model.unaligned))},
        }, indent=1) + "\n")
        print(f"written to {MODEL}")


if __name__ == "__main__":
    main()
