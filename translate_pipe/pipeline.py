"""The whole job: read releases, segment, translate into each language, score, store.

``run_pipeline`` is what ``translate-pipe run`` calls. It is restartable by design:
releases and segments are stored before any translation starts, and translations are
committed a chunk at a time, so after Ctrl-C or a kill the next run translates only
what is missing. Identical source sentences are translated once: within a run, and
across runs through the translation memory (same system, same exact text).

Memory follows the work, not the archive: a release already stored (same content hash)
is not segmented again, and each language is translated a window of releases at a time
(pending sentences, the memory lookup and the chunk plan of one window in memory), so a
repeat in a later window comes from the memory (a copy) rather than a second translation.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from . import __version__
from .config import Config
from .engine import Engine, LocalEngine, ReadItem, TranslatorFactory, plan_chunks
from .errors import InputError
from .ingest import Skipped
from .memory import use_imported_memory
from .progress import Progress
from .references import ReferenceSummary, align_references
from .scoring import PairScorer
from .store import Store
from .translate import Translator

log = logging.getLogger(__name__)


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


def run_pipeline(
    inputs: Sequence[str],
    langs: Sequence[str],
    config: Config,
    store: Store,
    model_overrides: dict[str, str] | None = None,
    progress: Progress | None = None,
    translator_factory: TranslatorFactory | None = None,
    references: dict[str, str] | None = None,
    engine: Engine | None = None,
) -> RunSummary:
    """Translate every release in ``inputs`` into each of ``langs`` and store the scored pairs.

    ``references`` maps a language to a folder of human translations of the releases:
    they are aligned with the English and the MT is scored against them. ``engine``
    runs the heavy stages (default: :class:`LocalEngine`, in this process); whatever
    it is, storing happens here, so every engine stores the same rows.

    Raises :class:`InputError` when no input could be read as a release.
    """
    progress = progress or Progress()
    engine = engine or LocalEngine(config, model_overrides, translator_factory)
    summary = RunSummary()
    config_json = json.dumps(asdict(config), sort_keys=True, default=str)
    summary.run_id = store.begin_run(inputs, langs, config_json, __version__)
    try:
        release_ids = _ingest(engine.read(inputs, config.ingest, known=store.has_release), inputs, store,
                              summary, progress)
        for lang in langs:
            translator = engine.translator(f"en-{lang}")
            if lang in config.score.glossaries and config.translate.keep_glossary_names and isinstance(engine, LocalEngine):
                from .scoring.glossary import GlossaryTranslator, load_glossary

                translator = GlossaryTranslator(translator, load_glossary(config.score.glossaries[lang], lang))
            result = _translate_language(lang, release_ids, config, store, translator, summary.run_id, progress,
                                         engine)
            if references and lang in references:
                result.references = align_references(store, lang, references[lang], release_ids, config.ingest,
                                                     translator, pairing=config.pair)
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


#: Releases translated together when the engine does not say (see the module's docstring).
WINDOW_RELEASES = 256


def _ingest(items: Iterable[ReadItem], inputs: Sequence[str], store: Store, summary: RunSummary,
            progress: Progress) -> list[str]:
    release_ids: list[str] = []
    seen: set[str] = set()
    progress.start("releases", 0)
    for read in items:
        if isinstance(read, Skipped):
            log.warning("%s: skipped: %s", read.origin, read.reason)
            summary.skipped.append((read.origin, read.reason))
            continue
        item, segments = read
        for reason in item.dropped:
            log.info("%s: dropped %s", item.origin, reason)
            summary.dropped.append((item.origin, reason))
        for warning in getattr(item, "warnings", ()):
            log.warning("%s: %s", item.origin, warning)
        if item.lang != "en":
            log.warning("%s: skipped: release language is %r; only English sources are translated", item.origin, item.lang)
            summary.skipped.append((item.origin, f"source language {item.lang}"))
            continue
        if segments is None:  # stored already (the engine did not segment it again)
            store.add_release_origin(item)
        elif store.add_release(item, segments):
            summary.new_releases += 1
        if item.id not in seen:
            seen.add(item.id)
            release_ids.append(item.id)
            summary.segments += store.count_segments([item.id], item.lang) if segments is None else len(segments)
        progress.advance()
    progress.finish()
    summary.releases = len(release_ids)
    if not release_ids:
        where = ", ".join(inputs)
        detail = f" ({len(summary.skipped)} skipped: {summary.skipped[0][0]}: {summary.skipped[0][1]})" if summary.skipped else ""
        raise InputError(f"{where}: no release could be read{detail}")
    return release_ids


def _translate_language(
    lang: str,
    release_ids: list[str],
    config: Config,
    store: Store,
    translator: Translator,
    run_id: int,
    progress: Progress,
    engine: Engine,
) -> LanguageSummary:
    result = LanguageSummary()
    system_id = store.system_id(translator.system)
    src_lang = translator.system.src_lang
    pending_total = store.count_segments(release_ids, src_lang, untranslated_by=system_id)
    result.already_done = store.count_segments(release_ids, src_lang) - pending_total
    progress.start(f"en→{lang}", pending_total)
    window = max(1, getattr(engine, "window_releases", WINDOW_RELEASES))
    pair_scorer = PairScorer(config.score)
    for start in range(0, len(release_ids), window):
        window_ids = release_ids[start : start + window]
        pending = store.pending_segments(window_ids, system_id, src_lang)

        # Exact repeats of sentences this system already translated: copy, don't translate.
        memory = store.memory_lookup(system_id, (text for _, text in pending))
        copies = [(segment_id, memory[text]) for segment_id, text in pending if text in memory]
        result.from_memory += store.copy_translations(run_id, copies) if copies else 0
        progress.advance(len(copies))

        # Then exact matches from imported translation memories (TMX); fuzzy ones are kept as alternatives.
        from_tmx, left = use_imported_memory(store, config, pair_scorer, run_id, system_id, src_lang, lang,
                                             [(segment_id, text) for segment_id, text in pending if text not in memory])
        result.from_memory += from_tmx
        progress.advance(len(pending) - len(copies) - len(left))

        by_text: dict[str, list[int]] = {}
        for segment_id, text in left:
            by_text.setdefault(text, []).append(segment_id)
        del pending, memory, copies, left
        chunks = plan_chunks(by_text, config.translate.batch_size * 4)
        # Each chunk is committed on its own, so an interrupted run keeps its work.
        for done in engine.translate(f"{src_lang}-{lang}", translator, chunks):
            items = [(segment_id, scored.tgt, "mt", scored.scores) for scored in done
                     for segment_id in by_text[scored.src]]
            added = store.add_translations(run_id, system_id, lang, items)
            # A sentence repeated within the run is translated once; its other occurrences are copies.
            translated = min(added, len(done))
            result.translated += translated
            result.from_memory += added - translated
            progress.advance(len(items))
        for label, count in store.label_counts(window_ids, lang).items():
            result.labels[label] = result.labels.get(label, 0) + count
    progress.finish()
    return result
