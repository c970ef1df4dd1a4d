"""Where the search goes wrong: per variant of bench/align_robust.py, its error classes.

For every predicted two-sided bead that is wrong: does it hold a line gold leaves
unaligned, is it part of a gold merge (too few merges), a union of gold beads (too many),
or across gold beads (shifted)? For every gold two-sided bead missed: were its lines left
one-sided, split into smaller beads, put inside a bigger merge, or shifted? Line counts of
gold-aligned lines left 1-0/0-1 (spurious one-sided beads) and of gold-unaligned lines put
in two-sided beads; the commonest (gold type -> predicted type) confusions.

Run: python bench/align_errors.py [--seed 1] [--docs 8] [--mt both|mt|none]
"""
import argparse
import collections
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from align_robust import DEFAULT_DATA, build_cases, f1_of, read_units, strict_counts

from translate_pipe.align import align_documents


def typ(b):
    return f"{len(b.src)}-{len(b.tgt)}"

def analyse(cases, use_mt, out):
    per = collections.defaultdict(lambda: collections.Counter())
    conf = collections.defaultdict(collections.Counter)
    for case in cases:
        if case.name == "unrelated":
            continue
        beads = align_documents(case.src, case.tgt, case.mt if use_mt else None).beads
        gold = case.gold
        gset = {(b.src, b.tgt) for b in gold}
        g_src = {i: b for b in gold for i in b.src}
        g_tgt = {j: b for b in gold for j in b.tgt}
        p_src = {i: b for b in beads for i in b.src}
        p_tgt = {j: b for b in beads for j in b.tgt}
        c = per[case.name]
        for b in beads:
            if not (b.src and b.tgt):
                continue
            right = (b.src, b.tgt) in gset
            # gold type: the gold bead of its first line
            gb = g_src[b.src[0]]
            conf[case.name][(typ(gb) if (gb.src and gb.tgt) else "1-0", typ(b), right)] += 1
            if right:
                continue
            lines_gold = [g_src[i] for i in b.src] + [g_tgt[j] for j in b.tgt]
            gold_beads = {(x.src, x.tgt) for x in lines_gold}
            one_sided_in = sum(1 for x in lines_gold if not (x.src and x.tgt))
            if one_sided_in:
                c["P: holds gold-unaligned line"] += 1
            elif len(gold_beads) > 1 and all(set(x.src) <= set(b.src) and set(x.tgt) <= set(b.tgt) for x in lines_gold):
                c["P: over-merge (union of gold beads)"] += 1
            elif len(gold_beads) == 1:
                c["P: part of a gold merge (under-merge)"] += 1
            else:
                c["P: crosses gold beads (shifted)"] += 1
        for g in gold:
            if not (g.src and g.tgt) or (g.src, g.tgt) in {(b.src, b.tgt) for b in beads if b.src and b.tgt}:
                continue
            preds = {(p.src, p.tgt) for p in ([p_src[i] for i in g.src] + [p_tgt[j] for j in g.tgt])}
            one = sum(1 for s, t in preds if not (s and t))
            merge = len(g.src) + len(g.tgt) > 2
            key = "G: merge" if merge else "G: 1-1"
            if one:
                c[key + " missed, lines left one-sided"] += 1
            elif merge and all(set(s) <= set(g.src) and set(t) <= set(g.tgt) for s, t in preds):
                c[key + " missed, split into smaller beads"] += 1
            elif not merge and all(set(g.src) <= set(s) and set(g.tgt) <= set(t) for s, t in preds):
                c[key + " missed, inside a bigger merge"] += 1
            else:
                c[key + " missed, shifted"] += 1
        for i in range(len(case.src)):
            gs, ps = g_src[i], p_src[i]
            if not gs.tgt and ps.tgt: c["L: gold-unaligned src line in 2-sided"] += 1
            if gs.tgt and not ps.tgt: c["L: gold-aligned src line left 1-0"] += 1
        for j in range(len(case.tgt)):
            gs, ps = g_tgt[j], p_tgt[j]
            if not gs.src and ps.src: c["L: gold-unaligned tgt line in 2-sided"] += 1
            if gs.src and not ps.src: c["L: gold-aligned tgt line left 0-1"] += 1
        r, p, g_ = strict_counts(beads, gold)
        c["#right"] += r; c["#pred2"] += p; c["#gold2"] += g_
    for name, c in per.items():
        print(f"\n--- {'MT' if use_mt else 'noMT'} {name}: F1 {f1_of(c['#right'], c['#pred2'], c['#gold2']):.3f} "
              f"right {c['#right']} pred {c['#pred2']} gold {c['#gold2']}", file=out)
        for k in sorted(c):
            if not k.startswith("#"):
                print(f"   {k}: {c[k]}", file=out)
        cf = conf[name]
        wrong = sorted(((v, k) for k, v in cf.items() if not k[2]), reverse=True)[:8]
        print("   wrong predicted (gold type of 1st line -> pred): " + ", ".join(f"{g}->{p}:{v}" for v, (g, p, _) in wrong), file=out)
        rights = collections.Counter()
        for (g, p, ok), v in cf.items():
            if ok: rights[p] += v
        print("   right predicted by type: " + ", ".join(f"{k}:{v}" for k, v in rights.most_common()), file=out)

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--docs", type=int, default=8)
    ap.add_argument("--mt", choices=["both", "mt", "none"], default="both")
    a = ap.parse_args()
    cases = build_cases(read_units(DEFAULT_DATA), a.seed, a.docs)
    gold_types = collections.Counter(typ(b) for c in cases if c.name == "clean" for b in c.gold)
    print("clean gold types:", dict(gold_types))
    for use_mt in {"both": (True, False), "mt": (True,), "none": (False,)}[a.mt]:
        analyse(cases, use_mt, sys.stdout)
