"""Human translations of releases: read, segment, align with the English, score the MT.

A folder of references per language (``--reference fr=DIR``) holds the published
French (or Arabic) versions of releases, matched to the English by file name or
JSON-lines id; releases and references whose names match nothing are paired by
content (:mod:`translate_pipe.pair`: dates, numbers, names, the stored MT), and the
summary says how each was paired. Each is segmented, aligned sentence by sentence with the English
release (the MT of each English sentence is the bridge), and stored as human pairs
with their alignment scores. Every MT output inside an aligned bead is then scored
against the human sentences of that bead: sentence chrF and BLEU from sacrebleu, with
the ``intl`` tokenizer for Arabic, where ``13a`` misreads the punctuation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .align import align_documents
from .config import IngestConfig, PairConfig

from .ingest import Skipped, read_releases, release_key
from .model import Release
from .pair import PairingDocument, pair_documents, release_text
from .segment import segment_release
from .store import Store
from .translate.base import Translator

log = logging.getLogger(__name__)

#: sacrebleu tokenizer for sentence BLEU by target language.
BLEU_TOKENIZERS = {"ar": "intl", "fr": "13a", "en": "13a"}


@dataclass
class ReferenceSummary:
    matched: int = 0
    aligned: int = 0
    human_pairs: int = 0
    unmatched: int = 0
    #: (release key, reference file, how: ``name``, ``id`` or ``content 0.62``) per matched release.
    pairings: list[tuple[str, str, str]] = field(default_factory=list)
    #: Reference files that no release matched.
    unused: list[str] = field(default_factory=list)
    non_parallel: int = 0  # matched references that do not look like translations (stored one-sided)


def match_references(
    store: Store, lang: str, references: dict[str, Release], release_ids: Sequence[str],
    pairing: PairConfig | None = None,
) -> list[tuple[str, Release, str, str]]:
    """(release id, reference, release key, how) for each release that has a reference.

    By file name or JSON-lines id first; the releases and references left over are then
    paired by content, mutual best with a threshold, so a release with no translation
    in the folder stays without one.
    """
    keys = store.release_keys(release_ids)
    matches: list[tuple[str, Release, str, str]] = []
    used: set[str] = set()
    left: list[str] = []
    for release_id in release_ids:
        key = next((k for k in keys.get(release_id, []) if k in references), None)
        if key is None:
            left.append(release_id)
            continue
        reference = references[key]
        matches.append((release_id, reference, key, "id" if reference.external_id else "name"))
        used.add(reference.origin)
    spare = [r for r in references.values() if r.origin not in used]
    if left and spare:
        english, english_mt = [], []
        for release_id in left:
            segments = store.segments(release_id, "en")
            record = store.release_record(release_id) or {}
            english.append(PairingDocument(release_id, "en", _paragraph_text(segments),
                                           str(record["date"]) if record.get("date") else None))
            mt = {p.segment_index: p.tgt for p in store.pairs(lang, release_ids=[release_id])}
            english_mt.append(" ".join(mt.get(s.index, "") for s in segments))
        others = [PairingDocument(r.origin, lang, release_text(r), r.date) for r in spare]
        result = pair_documents(english, others, lang, options=pairing, english_mt=english_mt)
        by_origin = {r.origin: r for r in spare}
        taken: set[str] = set()
        for pair in sorted(result.pairs, key=lambda p: -p.score):
            if pair.en in taken:  # one reference per release: the best-scoring one
                continue
            taken.add(pair.en)
            key = (keys.get(pair.en) or [pair.en])[0]
            matches.append((pair.en, by_origin[pair.other], key, f"content {pair.score:.2f}"))
    return matches


def _paragraph_text(segments: Sequence) -> str:
    paragraphs: list[list[str]] = []
    last = None
    for segment in segments:
        if segment.paragraph != last:
            paragraphs.append([])
            last = segment.paragraph
        paragraphs[-1].append(segment.text)
    return "\n\n".join(" ".join(p) for p in paragraphs)


def read_references(folder: str | Path, lang: str, config: IngestConfig | None = None) -> dict[str, Release]:
    """Key (file stem or id) -> human translation, for every readable file in ``folder``."""
    found: dict[str, Release] = {}
    for item in read_releases([folder], config, lang=lang):
        if isinstance(item, Skipped):
            log.warning("%s: skipped reference: %s", item.origin, item.reason)
        else:
            found[release_key(item)] = item
    return found


def sentence_metrics(hypothesis: str, reference: str, lang: str) -> dict[str, float]:
    from sacrebleu.metrics import BLEU, CHRF

    bleu = BLEU(tokenize=BLEU_TOKENIZERS.get(lang, "13a"), effective_order=True)
    from sacrebleu.metrics import TER

    return {
        "ref_chrf": CHRF().sentence_score(hypothesis, [reference]).score,
        "ref_bleu": bleu.sentence_score(hypothesis, [reference]).score,
        "ref_ter": TER().sentence_score(hypothesis, [reference]).score,
    }


def align_references(
    store: Store, lang: str, folder: str | Path, release_ids: Sequence[str], config: IngestConfig | None = None,
    translator: Translator | None = None, pairing: PairConfig | None = None,
) -> ReferenceSummary:
    """Align and store the human translations in ``folder`` for the given releases.

    With a ``translator``, each human pair also gets the model's mean token log-prob of
    the human target (forced decoding): low values point at loose or wrong pairs.
    """
    summary = ReferenceSummary()
    references = read_references(folder, lang, config)
    matches = match_references(store, lang, references, release_ids, pairing)
    summary.unmatched = len(release_ids) - len(matches)
    used = {match.origin for _, match, _, _ in matches}
    summary.unused = sorted(r.origin for r in references.values() if r.origin not in used)
    for origin in summary.unused:
        log.warning("%s: reference matched no release (by name, id or content)", origin)
    for release_id, match, key, how in matches:
        summary.matched += 1
        summary.pairings.append((key, match.origin, how))
        if store.has_alignment(release_id, lang):
            continue
        store.add_segments(segment_release(match, release_id))
        human = store.segments(release_id, lang)
        english = store.segments(release_id, "en")
        mt_pairs = {p.segment_index: p for p in store.pairs(lang, release_ids=[release_id])}
        mt = [mt_pairs[s.index].tgt if s.index in mt_pairs else s.text for s in english]
        # The bridge is the MT plus the English itself: names, numbers and cognates
        # still match when the MT is poor, and on good MT it costs nothing (Text+Berg
        # dev, strict F1 0.851 against 0.853 with MT alone).
        bridge = [f"{m} {s.text}" for m, s in zip(mt, english)]
        result = align_documents([s.text for s in english], [s.text for s in human], bridge)
        beads = result.beads
        if not result.parallel:
            # Kept one-sided with low scores, so no human pair comes of it: a wrong pair
            # stored with a confident score is worse than none.
            summary.non_parallel += 1
            log.warning("%s: does not look like a translation of release %s (%.0f%% of lines aligned): "
                        "stored unaligned", match.origin, release_id, 100 * result.aligned_share)
        elif result.aligned_share < 0.5:
            log.warning("%s: only part of it is parallel to release %s (%.0f%% of lines aligned)",
                        match.origin, release_id, 100 * result.aligned_share)
        rows = []
        metric_rows = []
        for bead in beads:
            src = " ".join(english[i].text for i in bead.src)
            tgt = " ".join(human[j].text for j in bead.tgt)
            rows.append((tuple(english[i].index for i in bead.src), tuple(human[j].index for j in bead.tgt),
                         src, tgt, bead.score))
            if bead.src and bead.tgt:
                summary.human_pairs += 1
                hypothesis = " ".join(mt[i] for i in bead.src)
                metrics = sentence_metrics(hypothesis, tgt, lang)
                metrics["ref_alignment"] = bead.score
                for i in bead.src:
                    pair = mt_pairs.get(english[i].index)
                    if pair is not None:
                        metric_rows.extend((pair.translation_id, name, value) for name, value in metrics.items())
        if translator is not None:
            both = [n for n, row in enumerate(rows) if row[2] and row[3]]
            forced = translator.score_targets([rows[n][2] for n in both], [rows[n][3] for n in both])
            logprobs = {n: values[0] for n, values in zip(both, forced)}
            rows = [(*row, logprobs.get(n)) for n, row in enumerate(rows)]
        store.add_alignment(release_id, lang, match.origin, rows)
        store.set_scores(metric_rows)
        summary.aligned += 1
    return summary
