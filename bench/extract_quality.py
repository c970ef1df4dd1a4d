"""Article extraction on the shared pages: snippet precision, recall, F1 and time per page.

What is scored is ``translate-pipe extract PAGE --format text`` without its title line
(the body paragraphs, one per line), against ``shared/data/pages/gold.jsonl`` with
Trafilatura's own scoring: whitespace collapsed in the output and in each snippet; a
``with`` snippet found is a true positive, missing a false negative; a ``without``
snippet found a false positive; summed over the pages; F1 = 2TP / (2TP + FP + FN).

Baselines, run in this same script on the same bytes: trafilatura with its defaults
(``trafilatura.extract(bytes)``), and, when installed, readability-lxml and jusText.
Times are medians over pages of one extraction each, in this process (noisy on a
loaded machine: compare the columns, not the absolute numbers).

The English pages are scored again alone ([en] rows): the held-out benchmark the issue
names is English news.

Run: python bench/extract_quality.py [--data DIR] [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from translate_pipe.ingest import Skipped, releases_from_bytes

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pages"


def ours(data: bytes, name: str) -> str:
    """What ``extract --format text`` prints, without the title line (the same function)."""
    for item in releases_from_bytes(name, data):
        if isinstance(item, Skipped):
            return ""
        return "\n".join(p.text for p in item.paragraphs[1:])
    return ""


def trafilatura_defaults(data: bytes, name: str) -> str:
    import trafilatura

    return trafilatura.extract(data) or ""


def readability(data: bytes, name: str) -> str:
    from lxml import html
    from readability import Document

    summary = Document(data).summary()
    return html.fromstring(summary).text_content() if summary else ""


def justext_paragraphs(data: bytes, name: str) -> str:
    import justext

    return "\n".join(p.text for p in justext.justext(data, justext.get_stoplist("English"))
                     if not p.is_boilerplate)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def score(extractor: Callable[[bytes, str], str], pages: list[dict], data_dir: Path,
          show_misses: bool = False) -> dict[str, float]:
    tp = fp = fn = 0
    times = []
    for page in pages:
        data = (data_dir / page["file"]).read_bytes()
        start = time.perf_counter()
        out = _collapse(extractor(data, page["file"]))
        times.append(time.perf_counter() - start)
        for snippet in page["with"]:
            if _collapse(snippet) in out:
                tp += 1
            else:
                fn += 1
                if show_misses:
                    print(f"  missing  {page['file']}: {snippet[:70]!r}")
        for snippet in page["without"]:
            if _collapse(snippet) in out:
                fp += 1
                if show_misses:
                    print(f"  kept     {page['file']}: {snippet[:70]!r}")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": precision, "recall": recall, "f1": 2 * tp / (2 * tp + fp + fn),
            "median_ms": statistics.median(times) * 1000, "tp": tp, "fp": fp, "fn": fn}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show-misses", action="store_true", help="list the snippets our extraction gets wrong")
    args = parser.parse_args()
    pages = [json.loads(line) for line in (args.data / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    systems: list[tuple[str, Callable[[bytes, str], str]]] = [("translate-pipe extract", ours),
                                                              ("trafilatura defaults", trafilatura_defaults)]
    for name, module, function in (("readability-lxml", "readability", readability),
                                   ("jusText (English stoplist)", "justext", justext_paragraphs)):
        try:
            __import__(module)
        except ImportError:
            print(f"({name}: not installed, left out)")
            continue
        systems.append((name, function))
    print(f"{len(pages)} pages, {sum(len(p['with']) for p in pages)} 'with' and "
          f"{sum(len(p['without']) for p in pages)} 'without' snippets ({args.data})")
    print(f"{'system':28} {'P':>6} {'R':>6} {'F1':>6} {'TP':>4} {'FP':>4} {'FN':>4} {'median ms':>10}")
    results = {}
    for name, extractor in systems:
        extractor(b"<html><body><p>warm up</p></body></html>", "warm-up.html")
        result = score(extractor, pages, args.data, show_misses=args.show_misses and extractor is ours)
        results[name] = result
        print(f"{name:28} {result['precision']:6.3f} {result['recall']:6.3f} {result['f1']:6.3f} {result['tp']:4d} "
              f"{result['fp']:4d} {result['fn']:4d} {result['median_ms']:10.1f}")
    # The held-out benchmark is English news: the English pages alone, ours beside the defaults.
    english = [page for page in pages if page.get("lang") == "en"]
    if english:
        for name, extractor in systems[:2]:
            result = score(extractor, english, args.data)
            print(f"{'  ' + name.replace('translate-pipe ', '') + ' [en]':28} {result['precision']:6.3f} "
                  f"{result['recall']:6.3f} "
                  f"{result['f1']:6.3f} {result['tp']:4d} {result['fp']:4d} {result['fn']:4d} "
                  f"{result['median_ms']:10.1f}")
    base = results["trafilatura defaults"]
    mine = results["translate-pipe extract"]
    print(f"F1 ours - trafilatura defaults: {mine['f1'] - base['f1']:+.3f}; median time ratio ours/defaults: "
          f"{mine['median_ms'] / base['median_ms']:.2f}")


if __name__ == "__main__":
    main()
