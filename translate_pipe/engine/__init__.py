"""Where the heavy stages run: in this process (``local``) or on a Ray cluster (``ray``).

An engine reads and segments the inputs and translates and scores chunks of sentences;
the pipeline does everything else (storing, the translation memory, summaries) the same
way whatever the engine. Both engines call the same stage functions below, so there is
one implementation of segmentation, translation and scoring.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from ..config import Config, IngestConfig
from ..ingest import Skipped, read_releases
from ..model import PairScores, Release, Segment
from ..scoring import PairScorer
from ..segment import segment_release
from ..translate import Translator, load_translator

ENGINES = ("local", "ray")

#: A release with its sentences (None: stored already, so not segmented again), or an
#: input that could not be read.
ReadItem = tuple[Release, list[Segment] | None] | Skipped

#: Is a release with this id stored already? (Its segments are then not computed again.)
KnownRelease = Callable[[str], bool]


@dataclass(frozen=True)
class ScoredTranslation:
    """One source sentence, its translation and every score of the pair."""

    src: str
    tgt: str
    scores: PairScores


class Engine(Protocol):
    """Runs the heavy stages. ``translate`` yields one list of results per chunk, chunks in any order."""

    name: str
    #: Releases the pipeline translates together: memory grows with this, not with the run.
    window_releases: int

    def read(self, inputs: Sequence[str], config: IngestConfig, known: KnownRelease | None = None
             ) -> Iterator[ReadItem]: ...

    def translator(self, pair: str) -> Translator: ...

    def translate(self, pair: str, translator: Translator, chunks: list[list[str]]) -> Iterator[list[ScoredTranslation]]: ...

    def close(self) -> None: ...


def read_and_segment(inputs: Sequence[str], config: IngestConfig, known: KnownRelease | None = None
                     ) -> Iterator[ReadItem]:
    """The ingest and segment stages on local files; releases ``known`` says are stored are not segmented."""
    for item in read_releases(inputs, config):
        if isinstance(item, Skipped):
            yield item
        else:
            yield item, None if known is not None and known(item.id) else segment_release(item)


def plan_chunks(texts: Iterable[str], chunk_size: int) -> list[list[str]]:
    """Unique texts, longest first, cut into chunks of ``chunk_size``.

    Sorting by length over the texts given (a window of the run) gives the backend
    evenly sized batches; a chunk is the unit that is stored (locally) or sent to a
    worker (Ray) at once.
    """
    ordered = sorted(set(texts), key=lambda text: (-len(text), text))
    size = max(chunk_size, 1)
    return [ordered[start : start + size] for start in range(0, len(ordered), size)]


def translate_chunk(translator: Translator, scorer: PairScorer, texts: list[str], tgt_lang: str,
                    qe_dropout: int = 0) -> list[ScoredTranslation]:
    """The translate and score stages for one chunk of source sentences."""
    src_lang = translator.system.src_lang
    translations = translator.translate(texts)
    scored = [scorer.score(text, translation, src_lang, tgt_lang) for text, translation in zip(texts, translations)]
    if qe_dropout > 0:
        scored = _add_dropout_spread(translator, texts, translations, scored, qe_dropout)
    return [ScoredTranslation(text, translation.text, scores)
            for text, translation, scores in zip(texts, translations, scored)]


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


TranslatorFactory = Callable[[str], Translator]


class LocalEngine:
    """Everything in this process, one chunk after another (each stored before the next starts)."""

    name = "local"
    window_releases = 256

    def __init__(self, config: Config, model_overrides: dict[str, str] | None = None,
                 translator_factory: TranslatorFactory | None = None):
        self.config = config
        self._factory = translator_factory or (lambda pair: load_translator(pair, config.translate, model_overrides))
        self._scorer = PairScorer(config.score, max_length=config.translate.max_length)

    def read(self, inputs: Sequence[str], config: IngestConfig, known: KnownRelease | None = None
             ) -> Iterator[ReadItem]:
        return read_and_segment(inputs, config, known)

    def translator(self, pair: str) -> Translator:
        return self._factory(pair)

    def translate(self, pair: str, translator: Translator, chunks: list[list[str]]) -> Iterator[list[ScoredTranslation]]:
        tgt_lang = pair.split("-", 1)[1]
        for chunk in chunks:
            yield translate_chunk(translator, self._scorer, chunk, tgt_lang, self.config.score.qe_dropout)

    def close(self) -> None:
        pass


__all__ = ["ENGINES", "Engine", "KnownRelease", "LocalEngine", "ReadItem", "ScoredTranslation", "plan_chunks", "read_and_segment",
           "translate_chunk"]
