"""The Ray engine against the local one: the same releases, the same model, both timed here.

Builds (or reuses) the tiny random-weight Marian with real SentencePiece tokenizers, writes
N news-like releases, and runs `translate-pipe run` with `--engine local` and with
`--engine ray` (which starts a local cluster with every core), each in its own process
and database. Prints wall-clock seconds, the ratio, and whether the exports are equal.
On one small machine Ray is expected to be slower (cluster and actor start-up); the
point of the numbers is the size of that fixed cost.

Run: python bench/ray_engine.py [--releases 50] [--to fr]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"
CITIES = ["Tartus", "Homs", "Aleppo", "Latakia", "Hama", "Idlib", "Daraa", "Raqqa", "Palmyra", "Qamishli"]


def write_releases(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        city = CITIES[i % len(CITIES)]
        (folder / f"r{i:04d}.txt").write_text(
            f"{1 + i % 28} March 2024\n\nNew School Opens in {city} District {i}\n\n"
            f"The ministry opened a new school in {city} on Tuesday, serving {100 + 7 * i} pupils. "
            f"Dr. Haddad said it cost {i + 2}.5 million dollars.\n\n"
            f"\"We will open more schools,\" he said. The U.N. welcomed the step. (Source: Ministry of Education)\n",
            encoding="utf-8",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--releases", type=int, default=50)
    parser.add_argument("--to", default="fr")
    args = parser.parse_args()
    from translate_pipe.testing import build_random_marian

    models = []
    for lang in args.to.split(","):
        folder = CACHE / f"tiny-en-{lang}"
        if not (folder / "model.safetensors").exists():
            build_random_marian(folder, f"en-{lang}", seed=1, target_token=">>ara<<" if lang == "ar" else None)
        models += ["--model", f"en-{lang}={folder}"]
    cli = [sys.executable, "-m", "translate_pipe.cli"]
    env = {**os.environ, "TRANSLATE_PIPE_CACHE": str(CACHE / "ct2"), "HF_HUB_OFFLINE": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_releases(root / "releases", args.releases)
        config = root / "fast.yaml"
        config.write_text("translate:\n  max_length: 12\n  beam_size: 2\n  batch_size: 8\n", encoding="utf-8")
        seconds, exports = {}, {}
        for engine in ("local", "ray"):
            db = root / f"{engine}.db"
            t0 = time.perf_counter()
            subprocess.run([*cli, "run", str(root / "releases"), "--to", args.to, "--db", str(db), "--config",
                            str(config), "-q", "--engine", engine, *models], env=env, check=True,
                           stderr=subprocess.DEVNULL)
            seconds[engine] = time.perf_counter() - t0
            exports[engine] = []
            for lang in args.to.split(","):
                out = root / f"{engine}.{lang}.jsonl"
                subprocess.run([*cli, "export", "--db", str(db), "--lang", lang, "--format", "jsonl", "--out",
                                str(out), "--keep-duplicates", "-q"], env=env, check=True)
                exports[engine].append(out.read_text(encoding="utf-8"))
    print(f"{args.releases} releases into {args.to}, tiny random-weight model, {os.cpu_count()} cores, "
          "each engine in a fresh process (model conversion cached)")
    print(f"  --engine local: {seconds['local']:.1f} s")
    print(f"  --engine ray:   {seconds['ray']:.1f} s (a new local cluster included): "
          f"{seconds['ray'] / seconds['local']:.1f}x the local time")
    print(f"  exports equal: {exports['local'] == exports['ray']}")


if __name__ == "__main__":
    main()
