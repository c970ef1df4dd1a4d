"""MT evaluation: sacrebleu's corpus metrics with signatures, significance, breakdowns.

Corpus BLEU, chrF, chrF++ and TER are computed by sacrebleu itself, so the numbers and
signatures are those of the ``sacrebleu`` command line for the same files and options.
Several systems are compared with sacrebleu's paired bootstrap resampling or
approximate randomization (p-values and 95% confidence intervals); the first system
is the baseline. On top: scores per document, per source-length bucket, and the worst
segments side by side.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from .errors import ConfigError, InputError

#: BLEU tokenizer by target language: sacrebleu's ``13a`` splits Arabic punctuation
#: wrongly (a sentence scored 9.7 with 13a and 40.3 with intl).
DEFAULT_TOKENIZERS = {"ar": "intl", "fr": "13a", "en": "13a"}
METRIC_NAMES = ("bleu", "chrf", "chrf++", "ter")
LENGTH_BUCKETS = ((1, 10), (11, 20), (21, 30), (31, 50), (51, 10_000))


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

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def _metrics(lang: str, tokenize: str, references: Sequence[str] | None = None) -> dict[str, object]:
    from sacrebleu.metrics import BLEU, CHRF, TER

    refs = [list(references)] if references is not None else None
    return {
        "bleu": BLEU(tokenize=tokenize, references=refs),
        "chrf": CHRF(references=refs),
        "chrf++": CHRF(word_order=2, references=refs),
        "ter": TER(references=refs),
    }


@contextmanager
def _sacrebleu_seed(seed: int):
    # sacrebleu's PairedTest reads its seed from the environment when constructed.
    previous = os.environ.get("SACREBLEU_SEED")
    os.environ["SACREBLEU_SEED"] = str(seed)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SACREBLEU_SEED", None)
        else:
            os.environ["SACREBLEU_SEED"] = previous


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
) -> Evaluation:
    """Score each system in ``hypotheses`` (name -> lines) against ``references``.

    With one system ``test="bs"`` gives bootstrap confidence intervals; with several,
    ``"bs"`` (paired bootstrap) or ``"ar"`` (approximate randomization) compares each
    with the first. ``test=None`` computes plain scores.
    """
    from sacrebleu.metrics import CHRF

    if not hypotheses:
        raise ConfigError("evaluate needs at least one system")
    if test not in (None, "bs", "ar"):
        raise ConfigError(f"unknown significance test {test!r}: use bs or ar")
    n = len(references)
    if n == 0:
        raise InputError("the reference has no lines")
    for name, lines in hypotheses.items():
        if len(lines) != n:
            raise InputError(f"{name}: {len(lines)} lines, but the reference has {n}")
    for what, extra in (("sources", sources), ("documents", documents)):
        if extra is not None and len(extra) != n:
            raise InputError(f"the {what} have {len(extra)} lines, but the reference has {n}")
    tokenize = tokenize or DEFAULT_TOKENIZERS.get(lang, "13a")
    names = list(hypotheses)

    scores: dict[str, dict[str, MetricScore]] = {name: {} for name in names}
    signatures: dict[str, str] = {}
    if test is None or (test == "ar" and len(names) == 1):
        metrics = _metrics(lang, tokenize)
        for key, metric in metrics.items():
            for name in names:
                result = metric.corpus_score(list(hypotheses[name]), [list(references)])
                scores[name][key] = MetricScore(_number(result.score))
            signatures[key] = str(metric.get_signature())
    elif len(names) == 1:
        metrics = _metrics(lang, tokenize)
        name = names[0]
        for key, metric in metrics.items():
            with _sacrebleu_seed(seed):
                result = metric.corpus_score(list(hypotheses[name]), [list(references)], n_bootstrap=n_samples)
            scores[name][key] = MetricScore(_number(result.score), ci=_number(result._ci), mean=_number(result._mean))
            signatures[key] = str(metric.get_signature())
    else:
        from sacrebleu.significance import PairedTest

        metrics = _metrics(lang, tokenize, references)
        with _sacrebleu_seed(seed):
            paired = PairedTest([(name, list(hypotheses[name])) for name in names], metrics, references=None,
                                test_type=test, n_samples=n_samples)
            sigs, table = paired()
        columns = [c for c in table if c != "System"]
        for key, column in zip(metrics, columns):
            signatures[key] = str(sigs[column])
            for name, result in zip(names, table[column]):
                scores[name][key] = MetricScore(_number(result.score), ci=_number(result.ci),
                                                mean=_number(result.mean), p_value=_number(result.p_value))

    chrf = CHRF()
    sentence_chrf = {name: [float(chrf.sentence_score(h, [r]).score) for h, r in zip(hypotheses[name], references)]
                     for name in names}
    evaluation = Evaluation(lang=lang, tokenize=tokenize, systems=names, scores=scores, signatures=signatures,
                            test=test, n_samples=n_samples, seed=seed, sentence_chrf=sentence_chrf)
    docs = list(documents) if documents is not None else ["all"] * n
    _breakdowns(evaluation, references, hypotheses, sources, docs, worst)
    return evaluation


def _breakdowns(evaluation: Evaluation, references: Sequence[str], hypotheses: Mapping[str, Sequence[str]],
                sources: Sequence[str] | None, docs: list[str], worst: int) -> None:
    from sacrebleu.metrics import CHRF

    chrf = CHRF()
    names = evaluation.systems
    by_doc: dict[str, list[int]] = {}
    for index, doc in enumerate(docs):
        by_doc.setdefault(doc, []).append(index)
    if len(by_doc) > 1 or docs[0] != "all":
        for doc, indices in by_doc.items():
            evaluation.documents[doc] = {
                name: round(chrf.corpus_score([hypotheses[name][i] for i in indices],
                                              [[references[i] for i in indices]]).score, 4)
                for name in names
            }
    # Buckets by source length in words (reference length when no source is given).
    lengths = [len((sources[i] if sources is not None else references[i]).split()) for i in range(len(references))]
    for low, high in LENGTH_BUCKETS:
        indices = [i for i, length in enumerate(lengths) if low <= length <= high]
        if not indices:
            continue
        label = f"{low}-{high}" if high < 10_000 else f"{low}+"
        evaluation.bucket_sizes[label] = len(indices)
        evaluation.buckets[label] = {
            name: round(chrf.corpus_score([hypotheses[name][i] for i in indices],
                                          [[references[i] for i in indices]]).score, 4)
            for name in names
        }
    first = names[0]
    order = sorted(range(len(references)), key=lambda i: evaluation.sentence_chrf[first][i])[:worst]
    evaluation.worst = [
        Segment(index=i, doc=docs[i], source=sources[i] if sources is not None else None, reference=references[i],
                hypotheses={name: hypotheses[name][i] for name in names},
                chrf={name: round(evaluation.sentence_chrf[name][i], 2) for name in names})
        for i in order
    ]


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
    columns = {"bleu": "BLEU", "chrf": "chrF2", "chrf++": "chrF2++", "ter": "TER"}
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
