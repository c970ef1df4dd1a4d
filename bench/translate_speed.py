"""Translation speed on a full-size random-weight opus-mt-en-fr, every path doing the same work.

The model has the exact opus-mt-en-fr shape (6+6 layers, d_model 512, 8 heads, FFN
2048, vocabulary 59,514) and real SentencePiece tokenizers, so its compute is that of
the real model; only the weights are random. Every path decodes every sentence to the
same forced length L (one common length: round(1.1 x the mean source length of the
set), min = max = L in the transformers paths; random weights never choose </s>, and
the benchmark checks that CTranslate2 decodes exactly L tokens for every sentence), with
beam 4, on the same news-like sentences. Paths, each in its own process, timed from the
parent as a user meets them (interpreter start, imports, model load, decoding):

  one-by-one   transformers, one sentence per generate() call (what tutorials do)
  batched      transformers, 16 length-sorted sentences per generate() call
  translate    `translate-pipe translate FILE --to fr` with the defaults (CTranslate2
               int8 on a cached conversion), model confidence scoring included

Start-up is the time of the same command on an empty file (imports and model load);
first sentence out is the time from starting the command on a one-sentence file until
its line reaches the pipe the benchmark reads (median of three fresh processes, with the
process's CPU time: on a shared machine wall time is what the others leave over). The ratio "x one-by-one" divides the
one-by-one path's end-to-end time by the path's; "% floor" divides the arithmetic floor
(the FLOPs of the forward passes of the work, beam 4, full vocabulary, at the measured
peak float32 matmul rate of this machine) by the path's decoding time (end to end less
start-up). The paths run interleaved (translate, one-by-one, batched, translate again:
its two runs are averaged), and the load average is printed with each, since the
machine may be shared; "CPU s" is the processes' user+system time (rusage), steadier than
wall time on a loaded machine but blind to how many cores a path keeps busy. For sets
larger than --sample (--batched-sample) the one-by-one (batched) path runs on that many
evenly spaced sentences and its decoding time is scaled to the set (marked *).
Children run with OMP_WAIT_POLICY=PASSIVE (spinning OpenMP threads waste a shared
machine's time slices).

Run: python bench/translate_speed.py [--sizes 20,120,1000] [--sample 120] [--batched-sample 120]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
MODEL_DIR = CACHE / "opus-mt-en-fr-random"
D_MODEL, LAYERS, HEADS, FFN, VOCAB, BEAM = 512, 6, 8, 2048, 59514, 4
HF_BATCH = 16


def news_sentences(count: int, seed: int = 0) -> list[str]:
    """News-like English sentences of release lengths (8-45 words), built from our corpus."""
    from translate_pipe.testing import corpus_lines

    rng = random.Random(seed)
    base = [line for line in corpus_lines("en") if not line.startswith("(")]
    out = []
    while len(out) < count:
        first = rng.choice(base).rstrip(".")
        if rng.random() < 0.2:
            second = rng.choice(base)
            joiner = rng.choice([", while ", " and ", ", although ", "; officials added that "])
            first = first + joiner + second[0].lower() + second[1:].rstrip(".")
        out.append(first.replace("2024", str(rng.randint(1990, 2030))) + ".")
    return out


def source_lengths(sentences: list[str]) -> list[int]:
    """Source tokens per sentence as the model sees them (pieces and </s>)."""
    from translate_pipe.translate.marian_vocab import MarianSentencePiece

    tokenizer = MarianSentencePiece(MODEL_DIR)
    return [len(tokenizer.source_tokens(s)) for s in sentences]


def forward_flops(source_lengths: list[int], target_length: int, vocab: int = VOCAB) -> float:
    """Multiply-adds x 2 of encoding each source and decoding ``target_length`` tokens with
    beam 4 (incremental decoding: each step attends to the steps before it), output layer
    over ``vocab`` tokens. The floor of the work, whatever the implementation."""
    d, f = D_MODEL, FFN
    total = 0.0
    for s in source_lengths:
        encoder = LAYERS * (s * (8 * d * d + 4 * d * f) + 4 * s * s * d)
        cross_kv = LAYERS * s * 4 * d * d  # keys and values of the encoder output, once
        per_step = [LAYERS * (8 * d * d + 4 * d * d + 4 * d * f + 4 * d * (t + 1) + 4 * d * s) + 2 * d * vocab
                    for t in range(target_length)]
        total += encoder + cross_kv + BEAM * sum(per_step)
    return total


def peak_matmul_gflops() -> float:
    """The best float32 matmul rate of a few transformer-shaped products, all cores."""
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    best = 0.0
    for m, k, n in ((1024, D_MODEL, FFN), (256, D_MODEL, VOCAB), (2048, D_MODEL, D_MODEL)):
        a, b = torch.randn(m, k), torch.randn(k, n)
        for _ in range(2):
            a @ b
        reps, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < 0.5:
            a @ b
            reps += 1
        best = max(best, 2 * m * k * n * reps / (time.perf_counter() - t0) / 1e9)
    return best


# --- the transformers paths, each run in a child process -------------------------------------------

def child_transformers(mode: str, sentences: list[str], length: int) -> dict[str, float]:
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    torch.set_num_threads(os.cpu_count() or 1)
    tokenizer = MarianTokenizer.from_pretrained(MODEL_DIR)
    model = MarianMTModel.from_pretrained(MODEL_DIR).eval()
    t0, c0 = time.perf_counter(), time.process_time()
    decoded = 0
    order = sorted(range(len(sentences)), key=lambda i: len(tokenizer(sentences[i])["input_ids"]))
    size = 1 if mode == "one-by-one" else HF_BATCH
    with torch.inference_mode():
        for start in range(0, len(order), size):
            batch = [sentences[i] for i in order[start : start + size]]
            inputs = tokenizer(batch, return_tensors="pt", padding=True)
            out = model.generate(**inputs, num_beams=BEAM, max_new_tokens=length, min_new_tokens=length)
            decoded += (out.shape[1] - 1) * len(batch)  # decoder start excluded
            print(f"{mode}: {start + len(batch)}/{len(order)} {time.perf_counter() - t0:.1f} s", file=sys.stderr,
                  flush=True)
    return {"decode_s": time.perf_counter() - t0, "decode_cpu_s": time.process_time() - c0, "tokens": decoded}


def child_check_ctranslate2(sentences: list[str], length: int) -> dict[str, float]:
    """How many tokens the CLI's translator decodes per sentence at --max-length L."""
    from dataclasses import replace

    from translate_pipe.config import load_config
    from translate_pipe.translate import load_translator

    config = replace(load_config().translate, max_length=length)
    translator = load_translator("en-fr", config, {"en-fr": str(MODEL_DIR)})
    counts = [r.n_tokens - 1 for r in translator.translate(sentences)]  # n_tokens counts </s>
    return {"min": min(counts), "max": max(counts)}


# --- the parent: runs, timing, table ----------------------------------------------------------------

def run_child(mode: str, sentence_file: Path, length: int) -> dict[str, float]:
    result = timed_with_memory([sys.executable, __file__, "--child", mode, "--input", str(sentence_file),
                                "--length", str(length)])
    result.update(json.loads(result.pop("stdout").strip().splitlines()[-1]))
    return result


def timed_with_memory(command: list[str]) -> dict[str, float]:
    """Wall time of one command as a user meets it, the time its first line of output
    appeared (read from a pipe, as a terminal or the next program in a pipeline sees it),
    its CPU time and peak resident memory (from its rusage) and the load average when it
    started."""
    # Passive OpenMP waits: on a shared, oversubscribed machine spinning threads burn the
    # time slices they wait in (torch's two threads far more than CTranslate2's one per worker).
    env = {**os.environ, "TRANSLATE_PIPE_CACHE": str(CACHE), "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1",
           "OMP_WAIT_POLICY": "PASSIVE"}
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, env=env)
        first = process.stdout.readline()
        first_s = time.perf_counter() - t0
        out = first + process.stdout.read()
        process.stdout.close()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - t0
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(command[:8])} ... failed:\n{err.read().decode()[-2000:]}")
        return {"wall_s": seconds, "first_line_s": first_s, "cpu_s": usage.ru_utime + usage.ru_stime,
                "peak_mb": usage.ru_maxrss / 1024, "load": load, "stdout": out.decode()}


def translate_command(path: Path, length: int) -> list[str]:
    return [sys.executable, "-m", "translate_pipe.cli", "translate", str(path), "--to", "fr",
            "--model", f"en-fr={MODEL_DIR}", "--max-length", str(length)]


def ensure_model() -> None:
    if not (MODEL_DIR / "model.safetensors").exists():
        from translate_pipe.testing import build_random_marian

        print(f"building a random opus-mt-en-fr-shaped model in {MODEL_DIR} ...", file=sys.stderr)
        build_random_marian(MODEL_DIR, "en-fr", size="opus-mt", seed=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="20,120", help="comma-separated set sizes (the issue's: 20,120,1000)")
    parser.add_argument("--sample", type=int, default=120,
                        help="largest set the one-by-one path decodes whole; larger ones are sampled and scaled")
    parser.add_argument("--batched-sample", type=int, default=120,
                        help="the same for the batched transformers path")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--length", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sentences = Path(args.input).read_text(encoding="utf-8").splitlines()
        if args.child == "check":
            print(json.dumps(child_check_ctranslate2(sentences, args.length)))
        else:
            print(json.dumps(child_transformers(args.child, sentences, args.length)))
        return

    sys.path.insert(0, str(ROOT))
    ensure_model()
    work = Path(tempfile.mkdtemp(prefix="translate-speed-"))
    empty, one = work / "empty.txt", work / "one.txt"
    empty.write_text("", encoding="utf-8")
    sizes = [int(s) for s in args.sizes.split(",")]
    everything = news_sentences(max(sizes))
    one.write_text(everything[0] + "\n", encoding="utf-8")
    # The first run converts the model (once per machine); a user meets that once.
    first = timed_with_memory(translate_command(one, 8))
    print(f"first run (conversion to CTranslate2 int8 if not cached): {first['wall_s']:.1f} s", file=sys.stderr)

    rows = []
    for n in sizes:
        sentences = everything[:n]
        lengths = source_lengths(sentences)
        length = round(1.1 * statistics.mean(lengths))
        full = work / f"s{n}.txt"
        full.write_text("\n".join(sentences) + "\n", encoding="utf-8")
        samples = {}
        for name, limit in (("one_by_one", args.sample), ("batched", args.batched_sample)):
            step = max(1, math.ceil(n / limit))
            path = work / f"s{n}-{name}.txt"
            path.write_text("\n".join(sentences[::step]) + "\n", encoding="utf-8")
            samples[name] = (path, n / len(sentences[::step]))
        check = run_child("check", samples["batched"][0], length)
        assert check["min"] == check["max"] == length, (check, length)

        start = timed_with_memory(translate_command(empty, length))
        # First sentence out of a fresh process on a one-line file, three times (the median
        # is reported): the moment its line reaches the pipe, and the process's CPU time.
        first_out = sorted((timed_with_memory(translate_command(one, length)) for _ in range(3)),
                           key=lambda r: r["first_line_s"])
        ours = [timed_with_memory(translate_command(full, length))]
        assert len(ours[0]["stdout"].split("\n")) == n + 1
        one_by_one = run_child("one-by-one", samples["one_by_one"][0], length)
        one_by_one["scale"] = samples["one_by_one"][1]
        batched = run_child("batched", samples["batched"][0], length)
        batched["scale"] = samples["batched"][1]
        ours.append(timed_with_memory(translate_command(full, length)))
        floor_gflop = forward_flops(lengths, length) / 1e9
        rows.append({"n": n, "length": length, "start": start, "first": first_out, "ours": ours,
                     "one_by_one": one_by_one, "batched": batched, "floor_gflop": floor_gflop,
                     "tokens": n * length})
        print(f"{n} sentences done: translate {[round(r['wall_s'], 1) for r in ours]} s, one-by-one "
              f"{one_by_one['wall_s']:.1f} s, batched {batched['wall_s']:.1f} s", file=sys.stderr, flush=True)

    peak = peak_matmul_gflops()
    print(f"opus-mt-en-fr architecture, random weights, beam {BEAM}, {os.cpu_count()} cores; "
          f"peak float32 matmul {peak:.1f} GFLOP/s (measured now); load average now {os.getloadavg()}")
    print(f"{'sentences':>9} {'path':<22} {'start-up s':>10} {'end-to-end s':>12} {'sent/s':>7} "
          f"{'x one-by-one':>12} {'CPU s':>7} {'x (CPU)':>7} {'% floor':>7} {'peak MB':>7} {'load':>5}")
    for row in rows:
        n = row["n"]
        baseline_load = row["one_by_one"]["wall_s"] - row["one_by_one"]["decode_s"]

        def end_to_end(child, key="wall_s"):
            decode = child["decode_s" if key == "wall_s" else "decode_cpu_s"]
            return (child[key] - decode) + decode * child["scale"]

        baseline = end_to_end(row["one_by_one"])
        baseline_cpu = end_to_end(row["one_by_one"], "cpu_s")
        ours_s = statistics.mean(r["wall_s"] for r in row["ours"])
        ours_cpu = statistics.mean(r["cpu_s"] for r in row["ours"])
        def mark(child):
            return "*" if child["scale"] > 1 else ""

        entries = [
            ("transformers 1-by-1" + mark(row["one_by_one"]), baseline_load, baseline, baseline_cpu, row["one_by_one"]),
            ("transformers batched" + mark(row["batched"]), row["batched"]["wall_s"] - row["batched"]["decode_s"],
             end_to_end(row["batched"]), end_to_end(row["batched"], "cpu_s"), row["batched"]),
            ("translate-pipe", row["start"]["wall_s"], ours_s, ours_cpu,
             {"peak_mb": max(r["peak_mb"] for r in row["ours"]), "load": row["ours"][0]["load"]}),
        ]
        for name, startup, total, cpu, child in entries:
            floor_pct = 100 * row["floor_gflop"] / peak / max(total - startup, 1e-9)
            print(f"{n:>9} {name:<22} {startup:>10.2f} {total:>12.1f} {n / total:>7.2f} {baseline / total:>11.1f}x "
                  f"{cpu:>7.1f} {baseline_cpu / cpu:>6.1f}x {floor_pct:>6.0f}% {child['peak_mb']:>7.0f} "
                  f"{child['load']:>5.2f}")
        first = row["first"]
        print(f"{'':>9} L = {row['length']} tokens per sentence ({row['tokens']} in all, "
              f"{row['floor_gflop']:.0f} GFLOP, floor {row['floor_gflop'] / peak:.1f} s); translate-pipe runs "
              f"{', '.join(format(r['wall_s'], '.1f') for r in row['ours'])} s, first line of the {n}-line file "
              f"out after {statistics.mean(r['first_line_s'] for r in row['ours']):.1f} s")
        print(f"{'':>9} first sentence out (fresh process, one-line file, median of 3): "
              f"{first[1]['first_line_s']:.2f} s (runs {', '.join(format(r['first_line_s'], '.2f') for r in first)};"
              f" process exit {first[1]['wall_s']:.2f} s; CPU {first[1]['cpu_s']:.2f} s; load "
              f"{first[1]['load']:.2f}); start-up (empty file) {row['start']['wall_s']:.2f} s, CPU "
              f"{row['start']['cpu_s']:.2f} s")


if __name__ == "__main__":
    main()
