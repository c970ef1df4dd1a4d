"""MT evaluation: sacrebleu's corpus metrics with signatures, significance, breakdowns.

Corpus BLEU, chrF, chrF++ and TER are sacrebleu's own metrics, so the numbers and
signatures are those of the ``sacrebleu`` command line for the same files and options.
Several systems are compared with paired bootstrap resampling or approximate
randomization (p-values and 95% confidence intervals); the first system is the baseline.
On top: scores per document, per source-length bucket, and the worst segments side by side.

Memory grows with the work kept, not with the file. Lines are read in chunks; each
metric's sufficient statistics are extracted once per line (sacrebleu's
``_extract_corpus_statistics``) and then summed: into the corpus score, the chrF of each
document and length bucket, and the sentence chrF that ranks the worst segments (chrF is
computed once, not four times). Without a significance test nothing per line is kept but
the sentence chrF; with one, the statistics are kept as small arrays, and the resamples
are drawn and scored in batches, from the same random stream and with the same float32
arithmetic as sacrebleu's ``_bootstrap_resample`` and ``_paired_bs_test``, so the
confidence intervals and p-values are sacrebleu's for the same seed (tests check this).

Cost per line is bounded: a line over :data:`MAX_LINE_CHARS` characters is refused, and
TER (whose shift search grows much faster than the line: 300 words took 5 s, a shuffled
500-word line a minute) is computed only on lines of at most :data:`MAX_TER_WORDS` words;
a longer line is refused with its number unless TER is left out (``metrics``).
"""

from __future__ import annotations

import heapq
import statistics
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path

from .errors import ConfigError, InputError

#: BLEU tokenizer by target language: sacrebleu's ``13a`` splits Arabic punctuation
#: wrongly (a sentence scored 9.7 with 13a and 40.3 with intl).
DEFAULT_TOKENIZERS = {"ar": "intl", "fr": "13a", "en": "13a"}
METRIC_NAMES = ("bleu", "chrf", "chrf++", "ter")
LENGTH_BUCKETS = ((1, 10), (11, 20), (21, 30), (31, 50), (51, 10_000))
#: Longest line (characters) of any input; longer is not a sentence, and its character
#: n-grams alone would take hundreds of MB.
MAX_LINE_CHARS = 20_000
#: Longest reference or hypothesis (words) TER is computed on; see the module docstring.
MAX_TER_WORDS = 250
#: Lines whose statistics are extracted at a time.
CHUNK_LINES = 2_000
#: Bytes of resampled statistics scored at a time (the bootstrap's working set).
RESAMPLE_BYTES = 32 * 1024 * 1024


def _number(value: object) -> float | None:
    """A plain rounded float: sacrebleu hands back numpy scalars, which JSON refuses."""
    return None if value is None else round(float(value), 4)  # type: ignore[arg-type]


@dataclass(frozen=True)
class MetricScore:
    """One corpus score; ``ci`` and ``p_value`` are set when a test computed them."""

    score: float
    ci: float | None = None
    mean: float | None = None
    p_value: float | None = None


@dataclass
class Segment:
    index: int
    doc: str
    source: str | None
    reference: str
    hypotheses: dict[str, str]
    chrf: dict[str, float]


@dataclass
class Evaluation:
    """Everything ``evaluate`` reports; ``to_json`` gives it to machines."""

    lang: str
    tokenize: str
    systems: list[str]
    scores: dict[str, dict[str, MetricScore]]
    signatures: dict[str, str]
    test: str | None
    n_samples: int
    seed: int
    documents: dict[str, dict[str, float]] = field(default_factory=dict)
    buckets: dict[str, dict[str, float]] = field(default_factory=dict)
    bucket_sizes: dict[str, int] = field(default_factory=dict)
    worst: list[Segment] = field(default_factory=list)
    sentence_chrf: dict[str, list[float]] = field(default_factory=dict)
    metrics: list[str] = field(default_factory=lambda: list(METRIC_NAMES))

    def to_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class _Row:
    reference: str
    hypotheses: tuple[str, ...]
    source: str | None
    doc: str


def _metric_objects(tokenize: str, keys: Sequence[str]) -> dict[str, object]:
    from sacrebleu.metrics import BLEU, CHRF, TER

    factories = {
        "bleu": lambda: BLEU(tokenize=tokenize),
        "chrf": lambda: CHRF(),
        "chrf++": lambda: CHRF(word_order=2),
        "ter": lambda: TER(),
    }
    return {key: factories[key]() for key in keys}


def evaluate(
    references: Sequence[str],
    hypotheses: Mapping[str, Sequence[str]],
    lang: str,
    *,
    sources: Sequence[str] | None = None,
    documents: Sequence[str] | None = None,
    tokenize: str | None = None,
    test: str | None = "bs",
    n_samples: int = 1000,
    seed: int = 12345,
    worst: int = 10,
    metrics: Sequence[str] = METRIC_NAMES,
) -> Evaluation:
    """Score each system in ``hypotheses`` (name -> lines) against ``references``.

    With one system ``test="bs"`` gives bootstrap confidence intervals; with several,
    ``"bs"`` (paired bootstrap) or ``"ar"`` (approximate randomization) compares each
    with the first. ``test=None`` computes plain scores.
    """
    n = len(references)
    if n == 0:
        raise InputError("the reference has no lines")
    for name, lines in hypotheses.items():
        if len(lines) != n:
            raise InputError(f"{name}: {len(lines)} lines, but the reference has {n}")
    for what, extra in (("sources", sources), ("documents", documents)):
        if extra is not None and len(extra) != n:
            raise InputError(f"the {what} have {len(extra)} lines, but the reference has {n}")
    names = list(hypotheses)
    columns = [hypotheses[name] for name in names]
    rows = (
        _Row(references[i], tuple(column[i] for column in columns), sources[i] if sources is not None else None,
             str(documents[i]) if documents is not None else "all")
        for i in range(n)
    )
    where = {"reference": "the reference", **{name: name for name in names}, "source": "the sources"}
    return _evaluate_rows(rows, n, names, lang, where, tokenize=tokenize, test=test, n_samples=n_samples, seed=seed,
                          worst=worst, metrics=metrics, has_documents=documents is not None)


def evaluate_files(
    reference: str | Path,
    hypotheses: Mapping[str, str | Path],
    lang: str,
    *,
    sources: str | Path | None = None,
    documents: str | Path | None = None,
    **options,
) -> Evaluation:
    """:func:`evaluate` on files (one segment per line), read as a stream.

    The line counts are checked first (a cheap pass), so a short file fails before any
    scoring; a bad line (not UTF-8, too long) is named by file and line number.
    """
    paths = {"reference": Path(reference), **{name: Path(path) for name, path in hypotheses.items()}}
    if sources is not None:
        paths["source"] = Path(sources)
    if documents is not None:
        paths["documents"] = Path(documents)
    counts = {key: _count_lines(path) for key, path in paths.items()}
    n = counts["reference"]
    if n == 0:
        raise InputError(f"{paths['reference']}: the reference has no lines")
    for key, count in counts.items():
        if count != n:
            raise InputError(f"{paths[key]}: {count} lines, but the reference has {n} ({paths['reference']})")
    names = list(hypotheses)
    streams = [_read_lines(paths["reference"])] + [_read_lines(paths[name]) for name in names]
    source_lines = _read_lines(paths["source"]) if sources is not None else None
    doc_lines = _read_lines(paths["documents"]) if documents is not None else None

    def rows() -> Iterator[_Row]:
        for values in zip(*streams):
            yield _Row(values[0], tuple(values[1:]), next(source_lines) if source_lines is not None else None,
                       next(doc_lines) if doc_lines is not None else "all")

    where = {key: str(path) for key, path in paths.items()}
    return _evaluate_rows(rows(), n, names, lang, where, has_documents=documents is not None, **options)


def _count_lines(path: Path) -> int:
    """Lines as :func:`_read_lines` yields them, counted without decoding."""
    try:
        count = 0
        last = b"\n"
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                count += block.count(b"\n")
                last = block[-1:]
        return count + (last != b"\n")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def _read_lines(path: Path) -> Iterator[str]:
    """The file's lines, one at a time, split on ``\\n`` (a ``\\r\\n`` ending is removed).

    A line that is not UTF-8 is named by its number. A byte-order mark is dropped.
    """
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"{path}: line {number} is not valid UTF-8 (byte {exc.start + 1}: {exc.reason})") \
                    from None
            yield line[:-2] if line.endswith("\r\n") else line.rstrip("\n")


class _Accumulator:
    """Running sums of one metric's statistics for one system, and its lines' statistics if kept."""

    def __init__(self, integer: bool, keep_lines: bool):
        self.integer = integer
        self._sum: object = None
        self.chunks: list[object] | None = [] if keep_lines else None

    def add(self, stats: list[list]) -> None:
        import numpy as np

        if self.integer:  # counts: an int64 sum is exact, and as fast as numpy
            values = np.array(stats, dtype=np.int64)
            self._sum = values.sum(0) if self._sum is None else self._sum + values.sum(0)
        else:  # floats are added in line order, as sacrebleu's sum_of_lists does
            values = None
            total = [0.0] * len(stats[0]) if self._sum is None else self._sum
            for line in stats:
                for i, value in enumerate(line):
                    total[i] += value
            self._sum = total
        if self.chunks is not None:
            self.chunks.append(values if values is not None else np.array(stats, dtype=np.float64))

    @property
    def total(self) -> list:
        """The corpus statistics as sacrebleu's ``sum_of_lists`` gives them (Python numbers)."""
        return [int(v) for v in self._sum] if self.integer else list(self._sum)  # type: ignore[union-attr]

    def lines(self):
        import numpy as np

        return np.concatenate(self.chunks)  # type: ignore[arg-type]


def _evaluate_rows(rows: Iterable[_Row], n: int, names: list[str], lang: str, where: Mapping[str, str], *,
                   tokenize: str | None = None, test: str | None = "bs", n_samples: int = 1000, seed: int = 12345,
                   worst: int = 10, metrics: Sequence[str] = METRIC_NAMES, has_documents: bool = False) -> Evaluation:
    if not names:
        raise ConfigError("evaluate needs at least one system")
    if test not in (None, "bs", "ar"):
        raise ConfigError(f"unknown significance test {test!r}: use bs or ar")
    if n_samples < 1:
        raise ConfigError(f"the significance test needs at least 1 sample, got {n_samples}")
    if worst < 0:
        raise ConfigError(f"worst must be 0 or more, got {worst}")
    keys = list(dict.fromkeys(metrics))
    unknown = [key for key in keys if key not in METRIC_NAMES]
    if unknown or not keys:
        raise ConfigError(f"unknown metric {unknown[0] if unknown else '(none)'} (available: {', '.join(METRIC_NAMES)})")
    tokenize = tokenize or DEFAULT_TOKENIZERS.get(lang, "13a")
    if test == "ar" and len(names) == 1:
        test_used = None  # nothing to compare with; plain scores
    else:
        test_used = test
    metric_objects = _metric_objects(tokenize, keys)
    # Sentence chrF, documents and buckets use plain chrF's statistics, computed once.
    chrf = metric_objects.get("chrf") or _metric_objects(tokenize, ["chrf"])["chrf"]
    stat_keys = keys if "chrf" in keys else keys + ["chrf"]
    stat_metrics = {**metric_objects, "chrf": chrf}
    keep_lines = test_used is not None
    sums = {key: [_Accumulator(key != "ter", keep_lines and key in keys) for _ in names] for key in stat_keys}
    sentence_chrf = [array("d") for _ in names]
    doc_sums: dict[str, list[list[int]]] = {}
    bucket_sums: dict[int, list[list[int]]] = {}
    bucket_sizes: dict[int, int] = {}
    worst_heap: list[tuple[float, int, int, _Row]] = []  # (-chrF, -index, index, row): the best of the worst on top

    iterator = iter(rows)
    start = 0
    while chunk := list(islice(iterator, CHUNK_LINES)):
        _check_lengths(chunk, start, names, where, "ter" in keys)
        references = [[row.reference for row in chunk]]
        for key in stat_keys:
            metric = stat_metrics[key]
            for s, _name in enumerate(names):
                stats = metric._extract_corpus_statistics([row.hypotheses[s] for row in chunk], references)
                sums[key][s].add(stats)
                if key == "chrf":
                    for offset, line in enumerate(stats):
                        sentence_chrf[s].append(float(chrf._compute_score_from_stats(line).score))
                        _add_to_group(doc_sums, chunk[offset].doc, s, len(names), line)
                        bucket = _bucket_of(chunk[offset])
                        if bucket is not None:
                            _add_to_group(bucket_sums, bucket, s, len(names), line)
                            if s == 0:
                                bucket_sizes[bucket] = bucket_sizes.get(bucket, 0) + 1
        for offset, row in enumerate(chunk):
            index = start + offset
            entry = (-sentence_chrf[0][index], -index, index, row)
            if len(worst_heap) < worst:
                heapq.heappush(worst_heap, entry)
            elif worst and entry > worst_heap[0]:
                heapq.heapreplace(worst_heap, entry)
        start += len(chunk)
    if start != n:  # pragma: no cover - callers check the counts first
        raise InputError(f"the inputs ended after {start} of {n} lines")

    scores: dict[str, dict[str, MetricScore]] = {name: {} for name in names}
    signatures: dict[str, str] = {}
    for key in keys:
        metric = metric_objects[key]
        corpus = [metric._compute_score_from_stats(acc.total) for acc in sums[key]]
        if test_used is None:
            for name, result in zip(names, corpus):
                scores[name][key] = MetricScore(_number(result.score))
            signatures[key] = str(metric.get_signature())
        elif len(names) == 1:
            resampled = _bootstrap_scores(metric, [sums[key][0].lines()], n_samples, seed)[0]
            ranked = sorted(resampled.tolist())
            low = len(ranked) // 40
            ci = 0.5 * (ranked[len(ranked) - low - 1] - ranked[low])
            # As Metric.corpus_score(n_bootstrap=...) reports it (statistics.mean, its signature fields).
            scores[names[0]][key] = MetricScore(_number(corpus[0].score), ci=_number(ci),
                                                mean=_number(statistics.mean(ranked)))
            metric.n_bootstrap = n_samples  # type: ignore[attr-defined]
            metric.seed = str(seed).lower()  # type: ignore[attr-defined]
            signatures[key] = str(metric.get_signature())
        else:
            results = _paired_test(metric, test_used, [acc.lines() for acc in sums[key]], [c.score for c in corpus],
                                   n_samples, seed)
            for name, result in zip(names, results):
                scores[name][key] = result
            signature = metric.get_signature()
            signature.update("seed", str(seed).lower())
            signature.update(test_used, n_samples)
            signatures[key] = str(signature)

    evaluation = Evaluation(lang=lang, tokenize=tokenize, systems=names, scores=scores, signatures=signatures,
                            test=test, n_samples=n_samples,
                            seed=seed, sentence_chrf={name: values.tolist() for name, values in
                                                      zip(names, sentence_chrf)}, metrics=keys)
    if has_documents or len(doc_sums) > 1:
        for doc, per_system in doc_sums.items():
            evaluation.documents[doc] = {name: round(chrf._compute_score_from_stats(per_system[s]).score, 4)
                                         for s, name in enumerate(names)}
    for bucket in sorted(bucket_sums):
        low, high = LENGTH_BUCKETS[bucket]
        label = f"{low}-{high}" if high < 10_000 else f"{low}+"
        evaluation.bucket_sizes[label] = bucket_sizes[bucket]
        evaluation.buckets[label] = {name: round(chrf._compute_score_from_stats(bucket_sums[bucket][s]).score, 4)
                                     for s, name in enumerate(names)}
    evaluation.worst = [
        Segment(index=index, doc=row.doc, source=row.source, reference=row.reference,
                hypotheses=dict(zip(names, row.hypotheses)),
                chrf={name: round(sentence_chrf[s][index], 2) for s, name in enumerate(names)})
        for _, _, index, row in sorted(worst_heap, key=lambda entry: (-entry[0], entry[2]))
    ]
    return evaluation


def _check_lengths(chunk: list[_Row], start: int, names: list[str], where: Mapping[str, str], ter: bool) -> None:
    for offset, row in enumerate(chunk):
        texts = [("reference", row.reference)] + list(zip(names, row.hypotheses))
        if row.source is not None:
            texts.append(("source", row.source))
        for key, text in texts:
            if len(text) > MAX_LINE_CHARS:
                raise InputError(f"{where.get(key, key)}: line {start + offset + 1} has {len(text):,} characters;"
                                 f" evaluate takes lines of at most {MAX_LINE_CHARS:,} (one segment per line)")
            if ter and key != "source" and len(text.split()) > MAX_TER_WORDS:
                raise InputError(f"{where.get(key, key)}: line {start + offset + 1} has {len(text.split()):,} words;"
                                 f" TER is computed on lines of at most {MAX_TER_WORDS} words (its cost grows faster"
                                 " than the line): split the line, or leave TER out with --metrics bleu,chrf,chrf++")


def _add_to_group(groups: dict, key: object, system: int, n_systems: int, stats: list[int]) -> None:
    per_system = groups.get(key)
    if per_system is None:
        per_system = groups[key] = [[0] * len(stats) for _ in range(n_systems)]
    total = per_system[system]
    for i, value in enumerate(stats):
        total[i] += value


def _bucket_of(row: _Row) -> int | None:
    """The length bucket of a line: source words (reference words when no source is given)."""
    length = len((row.source if row.source is not None else row.reference).split())
    for bucket, (low, high) in enumerate(LENGTH_BUCKETS):
        if low <= length <= high:
            return bucket
    return None


def _resample_batches(n_lines: int, n_samples: int, seed: int, row_bytes: int) -> Iterator[object]:
    """Bootstrap index rows as sacrebleu draws them (``default_rng(seed).choice(n, (samples, n))``), in batches.

    numpy's generator keeps its state between calls, so the batches concatenated are
    exactly the one big array sacrebleu makes (a test checks it).
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    batch = max(1, RESAMPLE_BYTES // max(row_bytes * n_lines, 1))
    done = 0
    while done < n_samples:
        size = min(batch, n_samples - done)
        yield rng.choice(n_lines, size=(size, n_lines), replace=True)
        done += size


def _bootstrap_scores(metric, systems_stats: list, n_samples: int, seed: int) -> list:
    """Each system's score on each bootstrap resample (the same resamples for every system)."""
    import numpy as np

    stats32 = [np.asarray(stats, dtype=np.float32) for stats in systems_stats]
    n_lines, width = stats32[0].shape
    scores = [np.empty(n_samples) for _ in stats32]
    done = 0
    for indices in _resample_batches(n_lines, n_samples, seed, 4 * width * len(stats32)):
        for system, stats in enumerate(stats32):
            block = stats[indices]
            for j, sample in enumerate(block):
                scores[system][done + j] = metric._compute_score_from_stats(sample.sum(0)).score
        done += len(indices)
    return scores


def _estimate_ci(scores) -> tuple[float, float]:
    from sacrebleu.significance import estimate_ci

    mean, ci = estimate_ci(scores)
    return float(mean), float(ci)


def _p_value(sample_statistics, real_difference: float) -> float:
    from sacrebleu.significance import _compute_p_value

    return float(_compute_p_value(sample_statistics, real_difference))


def _paired_test(metric, test: str, systems_stats: list, corpus_scores: list[float], n_samples: int,
                 seed: int) -> list[MetricScore]:
    """sacrebleu's ``PairedTest`` (baseline first), from statistics already extracted."""
    import numpy as np

    baseline_score = corpus_scores[0]
    if test == "bs":
        resampled = _bootstrap_scores(metric, systems_stats, n_samples, seed)
        mean, ci = _estimate_ci(resampled[0])
        results = [MetricScore(_number(baseline_score), ci=_number(ci), mean=_number(mean))]
        for system in range(1, len(systems_stats)):
            mean, ci = _estimate_ci(resampled[system])
            sample_diffs = np.abs(resampled[system] - resampled[0])
            p = _p_value(sample_diffs - sample_diffs.mean(), abs(baseline_score - corpus_scores[system]))
            results.append(MetricScore(_number(corpus_scores[system]), ci=_number(ci), mean=_number(mean),
                                       p_value=_number(p)))
        return results
    # Approximate randomization: each trial swaps each line's two outputs with probability 1/2.
    n_lines = len(systems_stats[0])
    results = [MetricScore(_number(baseline_score))]
    baseline = systems_stats[0]
    for system in range(1, len(systems_stats)):
        rng = np.random.default_rng(seed)
        # One byte per trial and line, as sacrebleu draws it (the bits are not drawn again in batches).
        choose_baseline = rng.integers(2, size=(n_samples, n_lines), dtype=bool)
        other = systems_stats[system]
        differences = np.empty(n_samples)
        batch = max(1, RESAMPLE_BYTES // max(8 * n_lines, 1))
        for first in range(0, n_samples, batch):
            pos = choose_baseline[first:first + batch]
            neg = ~pos
            shuffled_a = pos @ baseline + neg @ other
            shuffled_b = neg @ baseline + pos @ other
            for j in range(len(pos)):
                a = metric._aggregate_and_compute(shuffled_a[j:j + 1]).score
                b = metric._aggregate_and_compute(shuffled_b[j:j + 1]).score
                differences[first + j] = abs(a - b)
        p = _p_value(differences, abs(baseline_score - corpus_scores[system]))
        results.append(MetricScore(_number(corpus_scores[system]), p_value=_number(p)))
    return results


def format_score(score: MetricScore, spaced: bool = False) -> str:
    """``61.7 ±2.1 (p=0.0040)``: the score, its confidence interval and p-value when known."""
    gap = " " if spaced else ""
    text = f"{score.score:.1f}"
    if score.ci is not None:
        text += f" ±{gap}{score.ci:.1f}"
    if score.p_value is not None:
        text += f" (p{gap}={gap}{score.p_value:.4f})"
    return text


def format_table(evaluation: Evaluation) -> str:
    """The system table as text, with sacrebleu's signatures under it."""
    labels = {"bleu": "BLEU", "chrf": "chrF2", "chrf++": "chrF2++", "ter": "TER"}
    columns = {key: labels[key] for key in evaluation.metrics}
    lines = [f"{'system':<24}" + "".join(f"{label:>22}" for label in columns.values())]
    for name in evaluation.systems:
        cells = [f"{format_score(evaluation.scores[name][key]):>22}" for key in columns]
        lines.append(f"{name:<24}" + "".join(cells))
    if evaluation.test and len(evaluation.systems) > 1:
        kind = "paired bootstrap resampling" if evaluation.test == "bs" else "approximate randomization"
        lines.append(f"p-values: {kind}, {evaluation.n_samples} samples, seed {evaluation.seed}; baseline "
                     f"{evaluation.systems[0]}")
    if any(s.ci is not None for scores in evaluation.scores.values() for s in scores.values()):
        lines.append("± is the 95% confidence interval (bootstrap)")
    lines.append("")
    for key, label in columns.items():
        lines.append(f"{label}: {evaluation.signatures[key]}")
    return "\n".join(lines)


__all__ = ["DEFAULT_TOKENIZERS", "Evaluation", "LENGTH_BUCKETS", "MAX_LINE_CHARS", "MAX_TER_WORDS", "METRIC_NAMES",
           "MetricScore", "Segment", "evaluate", "evaluate_files", "format_score", "format_table"]
