"""The whole job: read releases, segment, translate into each language, score, store.

``run_pipeline`` is what ``translate-pipe run`` calls. It is restartable by design:
releases and segments are stored before any translation starts, and translations are
committed a chunk at a time, so after Ctrl-C or a kill the next run translates only
what is missing. Identical source sentences are translated once: within a run, and
across runs through the translation memory (same system, same exact text).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace

from . import __version__
from .config import Config
from .errors import InputError
from .ingest import Skipped, read_releases
from .references import ReferenceSummary, align_references
from .scoring import PairScorer
from .segment import segment_release
from .store import Store
from .translate import Translator, load_translator

log = logging.getLogger(__name__)


class Progress:
    """Progress reporting hooks; the default reports nothing. The CLI draws bars."""

    def start(self, stage: str, total: int) -> None:  # noqa: D102 - hooks
        pass

    def advance(self, count: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass
class LanguageSummary:
    translated: int = 0
    from_memory: int = 0
    already_done: int = 0
    labels: dict[str, int] = field(default_factory=dict)
    references: ReferenceSummary | None = None


@dataclass
class RunSummary:
    """What a run did, for the CLI's summary and the ``runs`` table."""

    run_id: int = 0
    releases: int = 0
    new_releases: int = 0
    segments: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)
    languages: dict[str, LanguageSummary] = field(default_factory=dict)
    status: str = "running"

    def to_json(self) -> dict[str, object]:
        return asdict(self)


TranslatorFactory = Callable[[str], Translator]


def run_pipeline(
    inputs: Sequence[str],
    langs: Sequence[str],
    config: Config,
    store: Store,
    model_overrides: dict[str, str] | None = None,
    progress: Progress | None = None,
    translator_factory: TranslatorFactory | None = None,
    references: dict[str, str] | None = None,
) -> RunSummary:
    """Translate every release in ``inputs`` into each of ``langs`` and store the scored pairs.

    ``references`` maps a language to a folder of human translations of the releases:
    they are aligned with the English and the MT is scored against them.

    Raises :class:`InputError` when no input could be read as a release.
    """
    progress = progress or Progress()
    factory = translator_factory or (lambda pair: load_translator(pair, config.translate, model_overrides))
    summary = RunSummary()
    config_json = json.dumps(asdict(config), sort_keys=True, default=str)
    summary.run_id = store.begin_run(inputs, langs, config_json, __version__)
    try:
        release_ids = _ingest(inputs, config, store, summary, progress)
        for lang in langs:
            translator = factory(f"en-{lang}")
            result = _translate_language(lang, release_ids, config, store, translator, summary.run_id, progress)
            if references and lang in references:
                result.references = align_references(store, lang, references[lang], release_ids, config.ingest,
                                                     translator)
            summary.languages[lang] = result
    except KeyboardInterrupt:
        summary.status = "interrupted"
        store.finish_run(summary.run_id, summary.status, summary.to_json())
        raise
    except BaseException:
        summary.status = "failed"
        store.finish_run(summary.run_id, summary.status, summary.to_json())
        raise
    summary.status = "done"
    store.finish_run(summary.run_id, summary.status, summary.to_json())
    return summary


def _ingest(inputs: Sequence[str], config: Config, store: Store, summary: RunSummary, progress: Progress) -> list[str]:
    release_ids: list[str] = []
    progress.start("releases", 0)
    for item in read_releases(inputs, config.ingest):
        if isinstance(item, Skipped):
            log.warning("%s: skipped: %s", item.origin, item.reason)
            summary.skipped.append((item.origin, item.reason))
            continue
        for reason in item.dropped:
            log.info("%s: dropped %s", item.origin, reason)
            summary.dropped.append((item.origin, reason))
        if item.lang != "en":
            log.warning("%s: skipped: release language is %r; only English sources are translated", item.origin, item.lang)
            summary.skipped.append((item.origin, f"source language {item.lang}"))
            continue
        segments = segment_release(item)
        if store.add_release(item, segments):
            summary.new_releases += 1
        if item.id not in release_ids:
            release_ids.append(item.id)
            summary.segments += len(segments)
        progress.advance()
    progress.finish()
    summary.releases = len(release_ids)
    if not release_ids:
        where = ", ".join(inputs)
        detail = f" ({len(summary.skipped)} skipped: {summary.skipped[0][0]}: {summary.skipped[0][1]})" if summary.skipped else ""
        raise InputError(f"{where}: no release could be read{detail}")
    return release_ids


def _add_dropout_spread(translator: Translator, sources: list[str], translations: list, scored: list,
                        passes: int) -> list:
    """Monte-Carlo dropout only where the cheap scores already doubt the pair."""
    doubtful = [i for i, s in enumerate(scored) if s.label != "good" and translations[i].text]
    if not doubtful:
        return scored
    values = translator.score_targets([sources[i] for i in doubtful], [translations[i].text for i in doubtful],
                                      passes=passes, dropout=True)
    scored = list(scored)
    for i, samples in zip(doubtful, values):
        mean = sum(samples) / len(samples)
        spread = (sum((v - mean) ** 2 for v in samples) / len(samples)) ** 0.5
        scored[i] = replace(scored[i], values={**scored[i].values, "dropout_std": spread, "dropout_mean": mean})
    return scored


def _translate_language(
    lang: str,
    release_ids: list[str],
    config: Config,
    store: Store,
    translator: Translator,
    run_id: int,
    progress: Progress,
) -> LanguageSummary:
    result = LanguageSummary()
    system_id = store.system_id(translator.system)
    src_lang = translator.system.src_lang
    pending = store.pending_segments(release_ids, system_id, src_lang)
    total = sum(1 for _ in store.segments_of(release_ids, src_lang))
    result.already_done = total - len(pending)

    # Exact repeats of sentences this system already translated: copy, don't translate.
    memory = store.memory_lookup(system_id, (text for _, text in pending))
    copies = [(segment_id, memory[text]) for segment_id, text in pending if text in memory]
    result.from_memory = store.copy_translations(run_id, copies) if copies else 0

    by_text: dict[str, list[int]] = {}
    for segment_id, text in pending:
        if text not in memory:
            by_text.setdefault(text, []).append(segment_id)
    # Sorting by length over the whole run gives the backend evenly sized batches;
    # each chunk is committed on its own so an interrupted run keeps its work.
    texts = sorted(by_text, key=len, reverse=True)
    chunk_size = max(config.translate.batch_size * 4, 1)
    scorer = PairScorer(config.score)
    progress.start(f"en→{lang}", len(pending))
    progress.advance(len(copies))
    for start in range(0, len(texts), chunk_size):
        chunk = texts[start : start + chunk_size]
        translations = translator.translate(chunk)
        scored = [scorer.score(text, translation, src_lang, lang) for text, translation in zip(chunk, translations)]
        if config.score.qe_dropout > 0:
            scored = _add_dropout_spread(translator, chunk, translations, scored, config.score.qe_dropout)
        items = []
        for text, translation, scores in zip(chunk, translations, scored):
            for segment_id in by_text[text]:
                items.append((segment_id, translation.text, "mt", scores))
        result.translated += store.add_translations(run_id, system_id, lang, items)
        progress.advance(len(items))
    progress.finish()
    result.labels = store.label_counts(release_ids, lang)
    return result
