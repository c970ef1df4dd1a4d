"""What a target-vocabulary shortlist (CTranslate2 vmap) saves: the default translator with and
without one, in one process, on the same sentences decoded to the same L tokens (as in
translate_speed.py), runs interleaved (full, shortlist, shortlist, full), wall and CPU time.

The random-weight model's SentencePiece models have ~400 pieces, so a map learned from our
corpus (build_vocab_map on translate_pipe/data/tiny_corpus en/fr) has few candidates; its
always-list is padded with vocabulary entries to CANDIDATES pieces, the size assumed for a real
batch's shortlist, so the output layer costs what it would. "Identical outputs" compares the two
translations: with random weights it says nothing about quality (the full model picks pieces
no map would hold).

Run: python bench/translate_shortlist.py [SENTENCES] [CANDIDATES]
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TRANSLATE_PIPE_CACHE", str(Path(__file__).resolve().parent / ".cache"))
import translate_speed as b  # noqa: E402
from translate_pipe.config import TranslateConfig  # noqa: E402
from translate_pipe.translate import load_translator  # noqa: E402
from translate_pipe.translate.marian_vocab import MarianSentencePiece  # noqa: E402
from translate_pipe.translate.vocab_map import build_vocab_map  # noqa: E402
from translate_pipe.testing import corpus_lines  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
candidates = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
b.ensure_model()
sentences = b.news_sentences(n)
L = round(1.1 * statistics.mean(b.source_lengths(sentences)))
tok = MarianSentencePiece(b.MODEL_DIR)
text = build_vocab_map(tok, zip(corpus_lines("en"), corpus_lines("fr")), always=500, per_source=30)
lines = text.split("\n")
always = lines[0].split("\t")[1].split()
pad = [p for p in tok.vocab if p.startswith("<unused")][: candidates - len(always)]
lines[0] = "\t" + " ".join(always + pad)
path = str(b.CACHE / f"vmap-{candidates}.txt")
Path(path).write_text("\n".join(lines), encoding="utf-8")
config = TranslateConfig(max_length=L)
runs = {}
translators = {"full": load_translator("en-fr", config, {"en-fr": str(b.MODEL_DIR)}),
               "vmap": load_translator("en-fr", TranslateConfig(max_length=L, vocab_map=path), {"en-fr": str(b.MODEL_DIR)})}
for order in ("full", "vmap", "vmap", "full"):
    load = os.getloadavg()[0]
    w, c = time.perf_counter(), time.process_time()
    out = translators[order].translate(sentences)
    runs.setdefault(order, []).append((time.perf_counter() - w, time.process_time() - c, load))
    runs[order + "_out"] = [r.text for r in out]
same = sum(a == b_ for a, b_ in zip(runs["full_out"], runs["vmap_out"]))
for k in ("full", "vmap"):
    print(k, [(round(w, 1), round(c, 1), round(l, 1)) for w, c, l in runs[k]])
fw = statistics.mean(r[0] for r in runs["full"]); vw = statistics.mean(r[0] for r in runs["vmap"])
fc = statistics.mean(r[1] for r in runs["full"]); vc = statistics.mean(r[1] for r in runs["vmap"])
print(f"{n} sentences, L={L}: shortlist {len(always) + len(pad)} always-candidates; wall {fw:.1f} -> {vw:.1f} s ({fw / vw:.2f}x), "
      f"CPU {fc:.1f} -> {vc:.1f} s ({fc / vc:.2f}x); identical outputs {same}/{n} (random weights: not a quality measure)")
