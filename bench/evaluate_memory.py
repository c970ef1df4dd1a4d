"""Peak memory of ``translate-pipe evaluate`` as the file grows (issue 22, item 4).

Builds a French reference from the UD French GSD dev sentences in ../shared/data (cycled to
N lines, numbered so lines differ) and a hypothesis that drops and swaps words, then runs
the real command in a fresh process per case and prints its peak RSS (ru_maxrss) and time:

* 10k lines with the default bootstrap test (target: at most 800 MB), beside a baseline
  in the same script: sacrebleu's own ``corpus_score(..., n_bootstrap=1000)`` for the four
  metrics on the same files, which is what ``evaluate`` called before;
* 100k lines with ``--test none`` and with the bootstrap;
* with ``--million``: 1M lines with ``--test none`` (target: at most 1 GB). It takes many
  minutes on two cores (TER dominates); run it once.

Usage: PYTHONPATH=. python bench/evaluate_memory.py [--million] [--metrics bleu,chrf,chrf++,ter]
Figures on a shared, loaded machine: compare the ratios printed, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SENTENCES = ROOT.parent / "shared" / "data" / "segmentation" / "fr_gsd_dev.jsonl"

# The child runs the real CLI and reports its own peak RSS (KiB on Linux) on stderr.
CHILD = """
import resource, sys
from translate_pipe.cli import main
code = main(sys.argv[1:])
print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, code, file=sys.stderr)
"""

BASELINE = """
import resource, sys
from sacrebleu.metrics import BLEU, CHRF, TER
ref = open(sys.argv[1], encoding="utf-8").read().split("\\n")[:-1]
hyp = open(sys.argv[2], encoding="utf-8").read().split("\\n")[:-1]
metrics = {"bleu": BLEU, "chrf": CHRF, "chrf++": lambda: CHRF(word_order=2), "ter": TER}
for name in sys.argv[3].split(","):
    metrics[name]().corpus_score(hyp, [ref], n_bootstrap=1000)
print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, 0, file=sys.stderr)
"""


def sentences() -> list[str]:
    if not SENTENCES.exists():
        sys.exit(f"{SENTENCES}: not found (the shared data must sit beside the checkout)")
    found = []
    with SENTENCES.open(encoding="utf-8") as handle:
        for line in handle:
            found.extend(s for s in json.loads(line)["sents"] if 3 <= len(s.split()) <= 60)
    return found


def build(folder: Path, n: int, pool: list[str], short: bool = False) -> tuple[Path, Path]:
    rng = random.Random(n)
    if short:  # the per-line state does not depend on the length; short lines only make a big run affordable
        pool = [" ".join(s.split()[:5]) for s in pool]
    ref_path, hyp_path = folder / f"ref.{n}", folder / f"hyp.{n}"
    with ref_path.open("w", encoding="utf-8") as ref, hyp_path.open("w", encoding="utf-8") as hyp:
        for i in range(n):
            words = f"{pool[i % len(pool)]} ({i})".split()
            ref.write(" ".join(words) + "\n")
            out = [w for w in words if rng.random() > 0.1]
            if len(out) > 3 and rng.random() < 0.3:
                j = rng.randrange(len(out) - 1)
                out[j], out[j + 1] = out[j + 1], out[j]
            hyp.write(" ".join(out or ["."]) + "\n")
    return ref_path, hyp_path


def measure(code: str, args: list[str]) -> tuple[float, float, int]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    marks = [line.split() for line in done.stderr.splitlines() if line.startswith("PEAK_KB")]
    if not marks:
        sys.exit(f"the child failed:\n{done.stderr[-2000:]}")
    return int(marks[-1][1]) / 1024, seconds, int(marks[-1][2])


def _row(rows: list, n: int, case: str, mb: float, seconds: float, code: int) -> None:
    """Keep a result and print it at once: a long run that is stopped keeps what it measured."""
    rows.append((n, case, mb, seconds, code))
    print(f"{n:>9}  {case:<55} {mb:>8.0f} {seconds:>8.1f} {code}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--million", action="store_true", help="also 1M lines with --test none (slow; run once)")
    parser.add_argument("--metrics", default="bleu,chrf,chrf++,ter")
    parser.add_argument("--sizes", default="10000,100000", help="line counts for the main cases")
    parser.add_argument("--short", action="store_true", help="lines of at most 5 words (cheaper, same per-line state)")
    args = parser.parse_args()
    pool = sentences()
    print(f"metrics {args.metrics}; {'lines of at most 5 words' if args.short else 'sentences of 3-60 words'}")
    print(f"{'lines':>9}  {'case':<55} {'peak MB':>8} {'seconds':>8} exit", flush=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = []
        for n in sizes:
            ref, hyp = build(folder, n, pool, args.short)
            common = ["evaluate", "--ref", str(ref), "--hyp", str(hyp), "--lang", "fr", "--metrics", args.metrics]
            for test in ("bs", "none"):
                mb, seconds, code = measure(CHILD, [*common, "--test", test])
                _row(rows, n, f"evaluate --test {test}", mb, seconds, code)
            if n == 10_000:
                mb, seconds, code = measure(BASELINE, [str(ref), str(hyp), args.metrics])
                _row(rows, n, "baseline: sacrebleu corpus_score(n_bootstrap=1000)", mb, seconds, code)
        if args.million:
            ref, hyp = build(folder, 1_000_000, pool, args.short)
            mb, seconds, code = measure(CHILD, ["evaluate", "--ref", str(ref), "--hyp", str(hyp), "--lang", "fr",
                                                "--metrics", args.metrics, "--test", "none"])
            _row(rows, 1_000_000, "evaluate --test none", mb, seconds, code)
    ours = next((r for r in rows if r[0] == 10_000 and r[1] == "evaluate --test bs"), None)
    base = next((r for r in rows if r[0] == 10_000 and r[1].startswith("baseline")), None)
    if ours and base:
        print(f"10k lines with the bootstrap: {ours[2]:.0f} MB, {ours[2] / base[2]:.2f}x sacrebleu's own bootstrap "
              f"({base[2]:.0f} MB); target <= 800 MB")
    million = next((r for r in rows if r[0] == 1_000_000), None)
    if million:
        print(f"1M lines, --test none: {million[2]:.0f} MB; target <= 1024 MB")


if __name__ == "__main__":
    main()
