"""Translation speed on a full-size random-weight opus-mt-en-fr (the real architecture).

The model has the exact opus-mt-en-fr shape (6+6 layers, d_model 512, 8 heads, FFN
2048, vocabulary 59,514) and real SentencePiece tokenizers, so its compute is that of
the real model; only the weights are random. Random weights never choose </s>, so
every path decodes exactly ceil(1.1 x the longest source) tokens per length-sorted
chunk of 32 sentences: the same work everywhere. Paths, each in its own process (peak
memory is per path), on the same 200 news-like sentences, beam 4:

  (a) transformers, one sentence per generate() call (what most tutorials do), on
      every 8th sentence of each chunk (it is that slow; rates are per sentence)
  (b) transformers, batched (16 sentences per generate())
  (c) translate-pipe's default CPU path (CTranslate2 int8, token-budget batches)
  (d) (c) through the pipeline on releases where 30% of the sentences repeat earlier
      ones, translation memory on, against (c) on the same sentences one by one.

Run: python bench/translate_speed.py [--sentences 200] [--skip-a]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"
MODEL_DIR = CACHE / "opus-mt-en-fr-random"
D_MODEL, LAYERS, FFN, VOCAB = 512, 6, 2048, 59514


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


def chunks(sentences: list[str], count_tokens) -> list[tuple[list[int], int]]:
    order = sorted(range(len(sentences)), key=lambda i: count_tokens(sentences[i]))
    result = []
    for start in range(0, len(order), 32):
        ids = order[start : start + 32]
        result.append((ids, math.ceil(1.1 * max(count_tokens(sentences[i]) for i in ids))))
    return result


def run_path(path: str, sentences: list[str]) -> dict[str, float]:
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    from transformers import MarianMTModel, MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(MODEL_DIR)
    count = lambda s: len(tokenizer(s)["input_ids"])  # noqa: E731
    plan = chunks(sentences, count)
    target_tokens = sum(length * len(ids) for ids, length in plan)
    if path == "a":
        # One sentence per call is slow: every 4th sentence of each length-sorted chunk
        # keeps the length distribution; the comparison is per sentence and per token.
        plan = [(ids[::8], length) for ids, length in plan]
        target_tokens = sum(length * len(ids) for ids, length in plan)
    if path in ("a", "b"):
        model = MarianMTModel.from_pretrained(MODEL_DIR).eval()
        t0 = time.perf_counter()
        with torch.inference_mode():
            for ids, length in plan:
                size = 1 if path == "a" else 16
                for start in range(0, len(ids), size):
                    batch = [sentences[i] for i in ids[start : start + size]]
                    inputs = tokenizer(batch, return_tensors="pt", padding=True)
                    model.generate(**inputs, num_beams=4, max_new_tokens=length, min_new_tokens=length)
        seconds = time.perf_counter() - t0
    else:
        from dataclasses import replace

        from translate_pipe.config import load_config
        from translate_pipe.translate import load_translator

        config = load_config().translate  # the defaults: what a user gets
        assert config.backend == "ctranslate2", config.backend
        translator = load_translator("en-fr", config, {"en-fr": str(MODEL_DIR)})
        if path == "c":
            t0 = time.perf_counter()
            for ids, length in plan:
                translator.config = replace(config, max_length=length)
                translator.translate([sentences[i] for i in ids])
            seconds = time.perf_counter() - t0
        else:
            return run_memory(translator, config, sentences, plan)
    return {"seconds": seconds, "sentences": sum(len(ids) for ids, _ in plan), "target_tokens": target_tokens,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_memory(translator, config, sentences: list[str], plan) -> dict[str, float]:
    """(c) with and without the translation memory on text where 30% of sentences repeat."""
    from dataclasses import replace

    from translate_pipe.config import load_config
    from translate_pipe.pipeline import run_pipeline
    from translate_pipe.store import Store

    rng = random.Random(1)
    unique = sentences[: int(len(sentences) * 0.7)]
    repeated = unique + [rng.choice(unique) for _ in range(len(sentences) - len(unique))]
    rng.shuffle(repeated)
    # The same per-sentence forced length in both runs: the longest chunk's.
    length = max(length for _, length in plan)
    translator.config = replace(config, max_length=length)
    t0 = time.perf_counter()
    translator.translate(repeated)
    without = time.perf_counter() - t0
    folder = Path(tempfile.mkdtemp())
    for n in range(0, len(repeated), 10):
        (folder / f"r{n:04d}.txt").write_text(f"Release {n}\n\n" + " ".join(repeated[n : n + 10]) + "\n", encoding="utf-8")
    full = load_config().with_overrides("translate", max_length=length)
    with Store(folder / "tm.db") as store:
        t0 = time.perf_counter()
        summary = run_pipeline([str(folder)], ["fr"], full, store, translator_factory=lambda pair: translator)
        with_memory = time.perf_counter() - t0
    result = summary.languages["fr"]
    return {"without_memory": without, "with_memory": with_memory, "sentences": len(repeated),
            "translated": result.translated, "segments": summary.segments}


def matmul_gflops() -> float:
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    a, b = torch.randn(64, D_MODEL), torch.randn(D_MODEL, VOCAB)
    for _ in range(3):
        a @ b
    t0 = time.perf_counter()
    reps = 20
    for _ in range(reps):
        a @ b
    return 2 * 64 * D_MODEL * VOCAB * reps / (time.perf_counter() - t0) / 1e9


def flops_per_token(source_len: float, beam: int = 4) -> float:
    """Decoder FLOPs per generated target token per beam hypothesis, plus the output layer."""
    per_layer = 2 * (4 * D_MODEL**2 + 2 * D_MODEL**2 + 2 * D_MODEL * FFN) + 4 * D_MODEL * source_len
    return beam * (LAYERS * per_layer + 2 * D_MODEL * VOCAB)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--skip-a", action="store_true", help="skip the slow one-sentence baseline")
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sentences = news_sentences(args.sentences)
    if args.path:
        print(json.dumps(run_path(args.path, sentences)))
        return
    if not (MODEL_DIR / "model.safetensors").exists():
        from translate_pipe.testing import build_random_marian

        print(f"building a random opus-mt-en-fr-shaped model in {MODEL_DIR} ...", file=sys.stderr)
        build_random_marian(MODEL_DIR, "en-fr", size="opus-mt", seed=0)
    env = {**os.environ, "TRANSLATE_PIPE_CACHE": str(CACHE)}
    results = {}
    for path in [p for p in ("a", "b", "c", "d") if not (p == "a" and args.skip_a)]:
        out = subprocess.run([sys.executable, __file__, "--path", path, "--sentences", str(args.sentences)],
                             capture_output=True, text=True, env=env, check=True)
        results[path] = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"path {path}: {results[path]}", file=sys.stderr, flush=True)
    names = {"a": "(a) transformers, 1 sentence/generate", "b": "(b) transformers, batched",
             "c": "(c) default CPU path (CTranslate2 int8)"}
    print(f"{args.sentences} sentences, beam 4, random opus-mt-en-fr architecture, {os.cpu_count()} cores")
    print(f"{'path':<42} {'sent/s':>8} {'tok/s':>8} {'peak MB':>8} {'vs (a)':>7} {'vs (b)':>7}")
    for path, name in names.items():
        if path not in results:
            continue
        r = results[path]
        speed = r["sentences"] / r["seconds"]
        vs_a = f"{speed / (results['a']['sentences'] / results['a']['seconds']):.1f}x" if "a" in results else "-"
        vs_b = f"{speed / (results['b']['sentences'] / results['b']['seconds']):.1f}x"
        print(f"{name:<42} {speed:8.2f} {r['target_tokens'] / r['seconds']:8.1f} {r['peak_mb']:8.0f} {vs_a:>7} {vs_b:>7}")
    d = results["d"]
    print(f"(d) translation memory, 30% repeated sentences: {d['without_memory']:.1f} s without, "
          f"{d['with_memory']:.1f} s with (pipeline, storing and scoring included): "
          f"{d['without_memory'] / d['with_memory']:.2f}x; {d['translated']} of {d['segments']} segments translated")
    rate = matmul_gflops()
    c = results["c"]
    tokens_per_s = c["target_tokens"] / c["seconds"]
    needed = flops_per_token(source_len=25) * tokens_per_s / 1e9
    print(f"arithmetic: {flops_per_token(25) / 1e6:.0f} MFLOP per target token (beam 4, 25 source tokens); "
          f"(c) does {needed:.1f} GFLOP/s against a measured float32 matmul rate of {rate:.1f} GFLOP/s "
          f"({100 * needed / rate:.0f}%; int8 kernels can exceed the float32 rate)")


if __name__ == "__main__":
    main()
