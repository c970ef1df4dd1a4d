"""TMX import time and memory, and what memory lookup adds to a run.

1. A TMX of ``--units`` translation units (default 100,000; news-like English-French
   sentences, in a CAT tool's style with props and inline codes) is imported into a new
   SQLite store by ``translate-pipe import`` code, in a child process of its own (peak
   memory is per process). Baselines in the same script: a child that only starts
   Python and imports translate-pipe (the floor of any import), and a child that only
   streams through the file with lxml (the floor of any parse). Targets: < 30 s, < 500 MB.
   Units are two real English sentences each (UD EWT/GUM dev, ../shared/data).
2. Lookup: ``--sentences`` sentences of the real English releases in ../shared/data
   (default 200) are looked up in that memory as a run does it (exact matches, then fuzzy matches for the rest; 10% of the
   sentences have an exact unit and 10% a near one), and the same sentences are
   translated by translate-pipe's default CPU path (CTranslate2 int8, beam 4) on a
   full-size random-weight opus-mt-en-fr (built once in bench/.cache). Random weights
   never stop, so each chunk of 32 length-sorted sentences decodes ceil(1.1 x its
   longest source) tokens, as bench/translate_speed.py does. Target: lookup < 5% of
   translation.

Run: python bench/tmx_import.py [--units 100000] [--sentences 200] [--skip-translate]
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


SHARED = HERE.parents[1] / "shared" / "data"


def release_sentences(count: int) -> list[str]:
    """Distinct sentences of the real English releases in ../shared/data (else news-like ones)."""
    from translate_pipe.segment import split_sentences

    found: list[str] = []
    for path in sorted((SHARED / "releases" / "en").glob("*.txt")):
        for sentence in split_sentences(path.read_text(encoding="utf-8"), "en"):
            sentence = " ".join(sentence.split())
            if len(sentence.split()) >= 4 and sentence not in found:
                found.append(sentence)
    if len(found) < count:
        from translate_speed import news_sentences

        found += [s for s in dict.fromkeys(news_sentences(4 * count, 99)) if s not in found]
    return found[:count]


def pool_sentences() -> list[str]:
    """Real English sentences (UD EWT and GUM dev) that memory units are made of."""
    import json

    pool = []
    for name in ("en_ewt_dev.jsonl", "en_gum_dev.jsonl"):
        path = SHARED / "segmentation" / name
        if path.exists():
            for line in path.open(encoding="utf-8"):
                pool += [" ".join(s.split()) for s in json.loads(line)["sents"] if len(s.split()) >= 3]
    if not pool:
        from translate_speed import news_sentences

        pool = news_sentences(5000, 7)
    return pool


def write_tmx(path: Path, units: int, lookups: list[str], seed: int = 7) -> None:
    """``units`` units of two pool sentences each; 10% of ``lookups`` as exact units, 10% as near ones."""
    from xml.sax.saxutils import escape

    rng = random.Random(seed)
    pool = pool_sentences()
    special = [(s, f"FR {s}") for s in lookups[: len(lookups) // 10]]
    for s in lookups[len(lookups) // 10 : len(lookups) // 5]:
        words = s.split()
        words[rng.randrange(len(words))] = "notably"
        special.append((" ".join(words), f"FR~ {s}"))
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
                  '<header creationtool="bench" creationtoolversion="1" o-tmf="x" datatype="plaintext"'
                  ' segtype="sentence" adminlang="en-US" srclang="*all*"/>\n<body>\n')
        for n in range(units):
            if n < len(special):
                src, tgt = special[n]
            else:
                src = f"{rng.choice(pool)} {rng.choice(pool)}"
                tgt = f"Traduction {n} : {src}"
            out.write(f'<tu tuid="{n}"><prop type="x-client">bench</prop>'
                      f'<tuv xml:lang="en-US"><seg>{escape(src)}</seg></tuv>'
                      f'<tuv xml:lang="fr-FR"><seg><bpt i="1">&lt;b&gt;</bpt>{escape(tgt)}<ept i="1">&lt;/b&gt;</ept></seg></tuv>'
                      "</tu>\n")
        out.write("</body>\n</tmx>\n")


CHILD_IMPORT = """
import json, resource, sys, time
t0, c0 = time.perf_counter(), time.process_time()
from translate_pipe.imports.tmx import import_tmx
from translate_pipe.store import Store
with Store(sys.argv[2]) as store:
    result = import_tmx(sys.argv[1], store, "fr")
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0, "units": result.units, "added": result.added,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CHILD_PARSE = """
import json, resource, sys, time
t0, c0 = time.perf_counter(), time.process_time()
import translate_pipe.imports.tmx
from lxml import etree
count = 0
for _, tu in etree.iterparse(sys.argv[1], events=("end",), tag="tu"):
    count += 1
    tu.clear()
    while tu.getprevious() is not None:
        del tu.getparent()[0]
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0, "units": count,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CHILD_START = """
import json, resource, time
t0 = time.perf_counter()
import translate_pipe.imports.tmx, translate_pipe.store
print(json.dumps({"seconds": time.perf_counter() - t0,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def child(code: str, *args: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def lookup_and_translate(db: Path, lookups: list[str], translate: bool) -> dict[str, float]:
    from dataclasses import replace

    from translate_pipe.config import load_config
    from translate_pipe.memory import use_imported_memory
    from translate_pipe.model import Release, Segment
    from translate_pipe.scoring import PairScorer
    from translate_pipe.store import Store

    config = load_config()
    with Store(db) as store:
        release = Release(id="bench-release", title=lookups[0], paragraphs=(), origin="bench.txt")
        store.add_release(release, [Segment("bench-release", "en", i, i, text) for i, text in enumerate(lookups)])
        pending = [(int(i), str(t)) for i, t in store.db.execute(
            "SELECT id, text FROM segments WHERE release_id = 'bench-release' ORDER BY idx")]
        run_id = store.begin_run(["bench"], ["fr"], "{}", "bench")
        from translate_pipe.translate.base import SystemInfo

        system_id = store.system_id(SystemInfo("bench-model", "0", "en", "fr", "none", {}))
        t0, c0 = time.perf_counter(), time.process_time()
        exact, left = use_imported_memory(store, config, PairScorer(config.score), run_id, system_id, "en", "fr",
                                          pending)
        lookup, lookup_cpu = time.perf_counter() - t0, time.process_time() - c0
        fuzzy = store.db.execute("SELECT COUNT(DISTINCT segment_id) FROM memory_matches").fetchone()[0]
    result = {"lookup_seconds": lookup, "lookup_cpu": lookup_cpu, "exact": exact, "fuzzy_sentences": fuzzy, "sentences": len(lookups)}
    if not translate:
        return result
    from translate_speed import MODEL_DIR, chunks

    from translate_pipe.translate import load_translator

    if not (MODEL_DIR / "config.json").exists():
        from translate_pipe.testing import build_random_marian

        print(f"building a random opus-mt-en-fr-shaped model in {MODEL_DIR} ...", file=sys.stderr)
        build_random_marian(MODEL_DIR, "en-fr", size="opus-mt", seed=0)
    translate_config = config.translate
    translator = load_translator("en-fr", translate_config, {"en-fr": str(MODEL_DIR)})
    from transformers import MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(MODEL_DIR)
    plan = chunks(lookups, lambda s: len(tokenizer(s)["input_ids"]))
    translator.translate(lookups[:4])  # warm-up, as a run's first batch
    t0, c0 = time.perf_counter(), time.process_time()
    for ids, length in plan:
        translator.config = replace(translate_config, max_length=length)
        translator.translate([lookups[i] for i in ids])
    result["translate_seconds"], result["translate_cpu"] = time.perf_counter() - t0, time.process_time() - c0
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--skip-translate", action="store_true", help="only the import and the lookup time")
    args = parser.parse_args()
    lookups = release_sentences(args.sentences)
    with tempfile.TemporaryDirectory() as folder:
        tmx = Path(folder) / "memory.tmx"
        write_tmx(tmx, args.units, lookups)
        size_mb = tmx.stat().st_size / 2**20
        start = child(CHILD_START)
        parse = child(CHILD_PARSE, str(tmx))
        db = Path(folder) / "memory.db"
        imported = child(CHILD_IMPORT, str(tmx), str(db))
        print(f"TMX: {args.units:,} units, {size_mb:.0f} MB; {os.cpu_count()} cores (shared, loaded machine)")
        print(f"  start-up only (python + translate-pipe): {start['seconds']:.2f} s, peak {start['peak_mb']:.0f} MB")
        print(f"  streaming parse only (lxml iterparse):  {parse['seconds']:.2f} s ({parse['cpu']:.2f} s CPU),"
              f" peak {parse['peak_mb']:.0f} MB")
        print(f"  translate-pipe import:                  {imported['seconds']:.2f} s ({imported['cpu']:.2f} s CPU),"
              f" peak {imported['peak_mb']:.0f} MB"
              f" ({imported['added']:,} units added)  [target < 30 s, < 500 MB]")
        print(f"  import / parse CPU time: {imported['cpu'] / parse['cpu']:.2f}x;"
              f" {args.units / imported['seconds']:,.0f} units/s")
        result = lookup_and_translate(db, lookups, not args.skip_translate)
        print(f"lookup of {result['sentences']} sentences in the {imported['added']:,}-unit memory:"
              f" {result['lookup_seconds']:.2f} s ({result['lookup_cpu']:.2f} s CPU; {result['exact']} exact, {result['fuzzy_sentences']} with fuzzy matches)")
        if "translate_seconds" in result:
            share = result["lookup_seconds"] / result["translate_seconds"]
            print(f"translation of the same sentences (CTranslate2 int8, beam 4, full-size random opus-mt-en-fr):"
                  f" {result['translate_seconds']:.1f} s ({result['translate_cpu']:.1f} s CPU)")
            print(f"  lookup adds {100 * share:.1f}% to the translation time"
                  f" ({100 * result['lookup_cpu'] / result['translate_cpu']:.1f}% of its CPU time)  [target < 5%]")


if __name__ == "__main__":
    main()
