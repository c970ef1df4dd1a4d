"""Imported translation memories in a run: exact matches before the model, fuzzy ones kept as alternatives.

An exact match (the sentence, white space aside, is a memory unit's source) is stored
as the pair's translation with origin ``memory:<TMX file>``, scored by the rules like a
person's text (so a memory unit with a wrong number is still flagged), and the model
never sees the sentence. Sentences left for the model get their fuzzy matches kept, for
the review page and the XLIFF export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .config import Config
from .scoring import PairScorer
from .store import Store
from .store import memory as memory_store


def use_imported_memory(store: Store, config: Config, scorer: PairScorer, run_id: int, system_id: int,
                        src_lang: str, tgt_lang: str, pending: Sequence[tuple[int, str]]) -> tuple[int, list[tuple[int, str]]]:
    """Store exact memory matches of ``pending`` sentences; returns (how many stored, the sentences left)."""
    if not pending or not memory_store.has_units(store, src_lang, tgt_lang):
        return 0, list(pending)
    exact = memory_store.exact_matches(store, src_lang, tgt_lang, (t for _, t in pending)) if config.memory.use_exact else {}
    items = []
    for segment_id, text in pending:
        match = exact.get(text)
        if match is not None:
            scores = scorer.score_reviewed(text, match.tgt, src_lang, tgt_lang, "new")
            scores = replace(scores, values={**scores.values, "memory_similarity": 1.0})
            items.append((segment_id, match.tgt, f"memory:{match.origin}", scores))
    added = store.add_translations(run_id, system_id, tgt_lang, items) if items else 0
    left = [(segment_id, text) for segment_id, text in pending if text not in exact]
    memory_store.match_segments(store, left, src_lang, tgt_lang, config.memory.min_similarity)
    return added, left


__all__ = ["use_imported_memory"]
