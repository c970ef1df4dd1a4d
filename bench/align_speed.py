"""Time and memory of the aligner on a 7,073 x 5,816-sentence document, stage by stage.

Issue 18's target: 7,073 x 5,816 sentences in < 5 s and < 1 GB. The documents are the
ones bench/align_robust.py times (built by its ``parallel_speed_document`` and
``speed_document``): translated chapters of the Text+Berg development document with the
target's last ~30% cut (``parallel``), and the same lines shuffled in blocks
(``shuffled``: not translations, called non-parallel). Each run aligns through
``judge_documents``, the entry point of ``translate-pipe align``, in a child process of its
own (so peak RSS is the aligner's, with the documents and imports), with the Google MT and
without MT.

Stages are timed from outside, by wrapping the aligner's functions (exclusive time: a
stage called inside another is not counted twice):

* ``verdict``    whether the two sides' words can be compared at all (their scripts);
* ``encode``     the sentence vectors (``CharNgramEncoder.encode``);
* ``region``     the anchors and the parallel region (find_region, extend_region, open_edges);
* ``norms``      ``BeadSimilarity``'s set-up: norms of runs, random baselines, hubness;
* ``band dots``  dot products of the search band and of single pairs (band_dots, pair_dots);
* ``search``     the dynamic programming (dp.search, less its band dots);
* ``score``      the bead score (score_beads, less its dot products);
* ``other``      the rest (the beads, the parallel decision).

CPU time (``time.process_time``, user + system) is the main figure on a shared machine;
wall time and its ratio against the 5 s target are printed beside it. The system share is
mostly the kernel giving the process fresh memory pages, and it varies from run to run
far more than the user time (on the development VM: 0.1-2 s for the same encoder run).

Run: python bench/align_speed.py [--modes mt-parallel,none-parallel,mt,none] [--repeat N] [--compare ../main]
[--profile MODE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from align_robust import DEFAULT_DATA, parallel_speed_document, speed_document

TARGET_SECONDS = 5.0
TARGET_MB = 1024
MODES = ("mt-parallel", "none-parallel", "mt", "none")
STAGES = ("verdict", "encode", "region", "norms", "band dots", "search", "score", "other")


class StageClock:
    """Exclusive wall and CPU time per stage of wrapped functions."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self._stack: list[list] = []  # [stage, wall started, cpu started, wall of children, cpu of children]

    def wrap(self, stage: str, function):
        def timed(*args, **kwargs):
            self._stack.append([stage, time.perf_counter(), time.process_time(), 0.0, 0.0])
            try:
                return function(*args, **kwargs)
            finally:
                name, w0, c0, w_in, c_in = self._stack.pop()
                wall, cpu = time.perf_counter() - w0, time.process_time() - c0
                self.wall[name] += wall - w_in
                self.cpu[name] += cpu - c_in
                if self._stack:
                    self._stack[-1][3] += wall
                    self._stack[-1][4] += cpu
        return timed

    def install(self) -> None:
        """Wrap the stages where the aligner looks them up (module globals and class attributes)."""
        from translate_pipe import align
        from translate_pipe.align import dp, verdict
        from translate_pipe.align.encoder import CharNgramEncoder

        CharNgramEncoder.encode = self.wrap("encode", CharNgramEncoder.encode)
        if hasattr(CharNgramEncoder, "encode_with_words"):  # what the search calls (words for the lexicon)
            CharNgramEncoder.encode_with_words = self.wrap("encode", CharNgramEncoder.encode_with_words)
        if hasattr(verdict, "comparable"):
            verdict.comparable = self.wrap("verdict", verdict.comparable)
        for name in ("find_region", "extend_region", "open_edges"):
            if hasattr(align, name):
                setattr(align, name, self.wrap("region", getattr(align, name)))
        similarity = dp.BeadSimilarity
        similarity.__init__ = self.wrap("norms", similarity.__init__)
        if hasattr(similarity, "with_columns"):  # the lexicon pass's similarity (no MT)
            similarity.with_columns = self.wrap("norms", similarity.with_columns)
        for name in ("band_dots", "pair_dots", "block_dots"):
            if hasattr(similarity, name):
                setattr(similarity, name, self.wrap("band dots", getattr(similarity, name)))
        for module in (align, verdict):
            if hasattr(module, "search"):
                module.search = self.wrap("search", module.search)
            if hasattr(module, "score_beads"):
                module.score_beads = self.wrap("score", module.score_beads)


def build(mode: str, data: Path) -> tuple[list[str], list[str], list[str] | None]:
    src, tgt, mt = (parallel_speed_document if mode.endswith("parallel") else speed_document)(data)
    return src, tgt, mt if mode.startswith("mt") else None


def child(mode: str, data: Path, profile: Path | None) -> None:
    """One aligner run; prints its figures as one JSON line."""
    from translate_pipe.align.verdict import judge_documents

    src, tgt, mt = build(mode, data)
    clock = StageClock()
    clock.install()
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    w0, c0 = time.perf_counter(), time.process_time()
    judged = judge_documents(src, tgt, mt)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    clock.wall["other"] += wall - sum(clock.wall.values())
    clock.cpu["other"] += cpu - sum(clock.cpu.values())
    print(json.dumps({
        "wall": wall, "cpu": cpu, "user": usage1.ru_utime - usage0.ru_utime, "sys": usage1.ru_stime - usage0.ru_stime,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "before_mb": before_mb, "beads": len(judged.result.beads), "verdict": judged.verdict,
        "stage_wall": dict(clock.wall), "stage_cpu": dict(clock.cpu),
    }))


def run_child(mode: str, data: Path, profile: Path | None = None, root: str | None = None) -> dict:
    """One run in a child process, with the aligner of the checkout at ``root`` (this one by default)."""
    root = root or str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    command = [sys.executable, __file__, "--data", str(data), "--child", mode]
    if profile is not None:
        command += ["--profile-out", str(profile)]
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def describe(mode: str) -> str:
    kind = "parallel (chapters, target cut)" if mode.endswith("parallel") else "block-shuffled"
    return f"{kind}, {'with MT' if mode.startswith('mt') else 'without MT'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}")
    parser.add_argument("--repeat", type=int, default=1, help="runs per mode; the one with the least CPU is shown")
    parser.add_argument("--compare", metavar="CHECKOUT",
                        help="also run the aligner of this checkout (e.g. ../main) and print this one's CPU time against it")
    parser.add_argument("--profile", metavar="MODE", help="also write a cProfile of one run of MODE (to align_speed.prof in the temporary folder)")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data, args.profile_out)
        return
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    unknown = sorted(set(modes) - set(MODES))
    if unknown:
        parser.error(f"unknown mode(s) {', '.join(unknown)}; choose from {', '.join(MODES)}")
    print(f"7,073 x 5,816 sentences through judge_documents (translate-pipe align); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the start; target < {TARGET_SECONDS:.0f} s, "
          f"< {TARGET_MB} MB")
    for mode in modes:
        runs = [run_child(mode, args.data) for _ in range(max(args.repeat, 1))]
        best = min(runs, key=lambda r: r["cpu"])
        if args.compare:
            other = min((run_child(mode, args.data, root=str(Path(args.compare).resolve()))
                         for _ in range(max(args.repeat, 1))), key=lambda r: r["cpu"])
        print(f"\n{describe(mode)}: CPU {best['cpu']:.2f} s ({best['cpu'] / TARGET_SECONDS:.2f}x the target; user "
              f"{best['user']:.2f}, system {best['sys']:.2f}), "
              f"wall {best['wall']:.2f} s ({best['wall'] / TARGET_SECONDS:.2f}x), peak RSS {best['peak_mb']:.0f} MB "
              f"({best['before_mb']:.0f} MB before aligning), {best['beads']} beads, verdict {best['verdict']}"
              + (f"; CPU of the {len(runs)} runs: " + ", ".join(f"{r['cpu']:.2f}" for r in runs) if len(runs) > 1 else ""))
        print("  stage      CPU s   wall s  share of CPU")
        for stage in STAGES:
            cpu, wall = best["stage_cpu"].get(stage, 0.0), best["stage_wall"].get(stage, 0.0)
            print(f"  {stage:<9} {cpu:6.2f}  {wall:6.2f}  {cpu / max(best['cpu'], 1e-9):6.1%}"
                  + (f"   {args.compare}: {other['stage_cpu'].get(stage, 0.0):6.2f}" if args.compare else ""))
        if args.compare:
            print(f"  {args.compare}: CPU {other['cpu']:.2f} s (user {other['user']:.2f}, system {other['sys']:.2f}), "
                  f"wall {other['wall']:.2f} s, peak RSS {other['peak_mb']:.0f} MB, {other['beads']} beads; "
                  f"this checkout's CPU time is {best['cpu'] / other['cpu']:.2f}x")
    if args.profile:
        out = Path(tempfile.gettempdir()) / "align_speed.prof"
        run_child(args.profile, args.data, out)
        print(f"\ncProfile of {describe(args.profile)} written to {out} (python -m pstats {out})")


if __name__ == "__main__":
    main()
