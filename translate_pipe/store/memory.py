"""Translation memories imported from TMX: exact matches before the model, fuzzy ones as alternatives.

A self-contained addition to the schema (its own ``CREATE TABLE IF NOT EXISTS``, created
on first use, so databases made before it keep working): ``memory_units`` holds the
imported (source, target) units with the file they came from; ``memory_matches`` holds,
for stored sentences, the memory units that are close to them (fuzzy matches), which
the review page and the XLIFF export offer as alternatives.

Sources are compared white space normalised; a unit is stored once per language pair
however many files or imports bring it (keyed by a hash, since an index entry on a long
text does not fit in PostgreSQL's B-tree).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from difflib import SequenceMatcher
from math import ceil

from .backends import _POSTGRES_TYPES, PostgresDatabase

_MEMORY_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS memory_units ("
    " id INTEGER PRIMARY KEY,"
    " src_lang TEXT NOT NULL, tgt_lang TEXT NOT NULL,"
    " src TEXT NOT NULL, tgt TEXT NOT NULL,"
    " src_key TEXT NOT NULL,"  # hash of the languages and normalised source: exact lookups
    " unit_key TEXT NOT NULL UNIQUE,"  # hash of the languages, source and target: one row per unit
    " origin TEXT NOT NULL,"  # the TMX file's name
    " created_at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS memory_by_source ON memory_units(src_key)",
    "CREATE TABLE IF NOT EXISTS memory_matches ("
    " segment_id INTEGER NOT NULL REFERENCES segments(id),"
    " tgt_lang TEXT NOT NULL,"
    " memory_id INTEGER NOT NULL REFERENCES memory_units(id),"
    " similarity REAL NOT NULL,"
    " PRIMARY KEY (segment_id, tgt_lang, memory_id))",
]

#: Fuzzy matches kept per sentence, best first.
MAX_MATCHES = 3


@dataclass(frozen=True)
class MemoryMatch:
    """A memory unit offered for a sentence: its texts, where it came from, how close it is (0-1)."""

    memory_id: int
    src: str
    tgt: str
    origin: str
    similarity: float


def normalise(text: str) -> str:
    return " ".join(text.split())


def _key(*parts: str) -> str:
    return hashlib.blake2b("\x00".join(parts).encode("utf-8"), digest_size=12).hexdigest()


def ensure_schema(store) -> None:
    """Create the memory tables where they are missing (idempotent)."""
    if getattr(store, "_memory_schema_ready", False):
        return
    if type(store.db) is PostgresDatabase:
        # Its create_schema stops at an existing database; these tables may be new to one.
        with store.transaction() as db:
            for statement in _MEMORY_SCHEMA:
                for pattern, replacement in _POSTGRES_TYPES:
                    statement = pattern.sub(replacement, statement)
                db.execute(statement)
    else:
        store.db.create_schema(_MEMORY_SCHEMA)
    store._memory_schema_ready = True


def add_units(store, src_lang: str, tgt_lang: str, units: Iterable[tuple[str, str]], origin: str) -> int:
    """Store ``(source, target)`` units from file ``origin``, in one transaction; returns how many were new."""
    ensure_schema(store)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    rows = []
    for src, tgt in units:
        src, tgt = normalise(src), normalise(tgt)
        if src and tgt:
            rows.append((src_lang, tgt_lang, src, tgt, _key(src_lang, tgt_lang, src),
                         _key(src_lang, tgt_lang, src, tgt), origin, now))
    if not rows:
        return 0
    with store.transaction() as db:
        return db.executemany(
            "INSERT INTO memory_units (src_lang, tgt_lang, src, tgt, src_key, unit_key, origin, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", rows)


def has_units(store, src_lang: str, tgt_lang: str) -> bool:
    ensure_schema(store)
    return store.db.execute("SELECT 1 FROM memory_units WHERE src_lang = ? AND tgt_lang = ? LIMIT 1",
                            (src_lang, tgt_lang)).fetchone() is not None


def exact_matches(store, src_lang: str, tgt_lang: str, texts: Iterable[str]) -> dict[str, MemoryMatch]:
    """Source text -> the memory unit with exactly that source (white space aside); the newest import wins."""
    ensure_schema(store)
    by_key: dict[str, list[str]] = {}
    for text in set(texts):
        by_key.setdefault(_key(src_lang, tgt_lang, normalise(text)), []).append(text)
    found: dict[str, MemoryMatch] = {}
    keys = list(by_key)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = store.db.execute(
            "SELECT id, src, tgt, origin, src_key FROM memory_units"
            f" WHERE src_key IN ({','.join('?' * len(chunk))}) ORDER BY id", chunk)
        for memory_id, src, tgt, origin, src_key in rows:
            for text in by_key[src_key]:
                if normalise(text) == src:  # a hash collision is not a match
                    found[text] = MemoryMatch(memory_id, src, tgt, origin, 1.0)
    return found


def _words(text: str) -> list[str]:
    return text.casefold().split()


def similarity(a: str, b: str) -> float:
    """How close two sentences are, 0-1: the share of words in matching runs (difflib's ratio over words)."""
    return SequenceMatcher(None, _words(a), _words(b), autojunk=False).ratio()


def _prefix(size: int, threshold: float) -> int:
    """How many of a word set's words (rarest first) a set at least ``threshold`` Dice-similar must share one of."""
    return max(size - ceil(threshold * size / (2 - threshold)) + 1, 1)


def find_fuzzy(store, src_lang: str, tgt_lang: str, sentences: Sequence[tuple[int, str]],
               threshold: float) -> dict[int, list[MemoryMatch]]:
    """For each ``(key, text)``, the memory units at least ``threshold`` similar (identical ones too), best first.

    One pass over the language pair's memory, however many sentences. Prefix filtering
    (AllPairs): with words in one global order (rarest among the sentences first), two
    word sets whose Dice reaches ``t`` share a word among the first
    ``|X| - ceil(t|X|/(2-t)) + 1`` of each (their overlap is at least ``t|X|/(2-t)``
    for either set ``X``); only pairs that do are compared in full.
    """
    ensure_schema(store)
    threshold = min(max(threshold, 0.01), 1.0)
    word_sets = {key: set(_words(text)) for key, text in sentences}
    frequency = Counter(word for words in word_sets.values() for word in words)
    vocabulary = set(frequency)
    index: dict[str, list[int]] = {}
    for key, words in word_sets.items():
        if words:
            for word in sorted(words, key=lambda w: (frequency[w], w))[: _prefix(len(words), threshold)]:
                index.setdefault(word, []).append(key)
    texts = dict(sentences)
    scored: dict[int, list[tuple[int, str, float]]] = {}
    if not index:
        return {}
    prefix = [_prefix(n, threshold) for n in range(256)]
    for memory_id, src in store.db.stream(
        "SELECT id, src FROM memory_units WHERE src_lang = ? AND tgt_lang = ?", (src_lang, tgt_lang)
    ):
        words = set(src.casefold().split())
        # The unit's own prefix in the same order (words no sentence has come first, as the
        # rarest): a match shares a word of both prefixes. Most units fail here, in C.
        shared = words & vocabulary
        size = len(words)
        room = (prefix[size] if size < 256 else _prefix(size, threshold)) - (size - len(shared))
        if room <= 0:
            continue
        candidates = {key for word in sorted(shared, key=lambda w: (frequency[w], w))[:room]
                      for key in index.get(word, ())}
        for key in candidates:
            mine = word_sets[key]
            # Word Dice bounds difflib's ratio from above: a cheap test before the full one.
            if 2 * len(mine & words) / (len(mine) + len(words)) < threshold:
                continue
            score = similarity(texts[key], src)
            if score >= threshold:
                scored.setdefault(key, []).append((memory_id, src, score))
    # Targets and origins only for the few units kept, not for every unit read.
    kept = {key: sorted(found, key=lambda m: (-m[2], m[0]))[:MAX_MATCHES] for key, found in scored.items()}
    ids = sorted({memory_id for found in kept.values() for memory_id, _, _ in found})
    details: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for memory_id, tgt, origin in store.db.execute(
            f"SELECT id, tgt, origin FROM memory_units WHERE id IN ({','.join('?' * len(chunk))})", chunk
        ):
            details[memory_id] = (tgt, origin)
    return {key: [MemoryMatch(memory_id, src, *details[memory_id], score) for memory_id, src, score in found]
            for key, found in kept.items()}


def store_fuzzy(store, tgt_lang: str, matches: dict[int, list[MemoryMatch]]) -> int:
    """Keep fuzzy matches found for segments (keys are segment ids); returns how many were new."""
    rows = [(segment_id, tgt_lang, m.memory_id, m.similarity) for segment_id, ms in matches.items() for m in ms]
    if not rows:
        return 0
    with store.transaction() as db:
        return db.executemany("INSERT INTO memory_matches (segment_id, tgt_lang, memory_id, similarity)"
                              " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", rows)


def match_segments(store, segments: Sequence[tuple[int, str]], src_lang: str, tgt_lang: str,
                   threshold: float) -> int:
    """Find and keep the fuzzy matches of stored segments ``(segment id, text)``; returns how many were new."""
    if not segments or not has_units(store, src_lang, tgt_lang):
        return 0
    return store_fuzzy(store, tgt_lang, find_fuzzy(store, src_lang, tgt_lang, segments, threshold))


def release_matches(store, release_id: str, tgt_lang: str) -> dict[int, list[MemoryMatch]]:
    """Sentence index -> the fuzzy matches kept for the release's sentences, best first."""
    ensure_schema(store)
    found: dict[int, list[MemoryMatch]] = {}
    for index, memory_id, src, tgt, origin, score in store.db.execute(
        "SELECT s.idx, m.id, m.src, m.tgt, m.origin, x.similarity FROM memory_matches x"
        " JOIN segments s ON s.id = x.segment_id JOIN memory_units m ON m.id = x.memory_id"
        " WHERE s.release_id = ? AND x.tgt_lang = ? ORDER BY s.idx, x.similarity DESC, m.id",
        (release_id, tgt_lang),
    ):
        found.setdefault(index, []).append(MemoryMatch(memory_id, src, tgt, origin, score))
    return found


__all__ = ["MAX_MATCHES", "MemoryMatch", "add_units", "ensure_schema", "exact_matches", "find_fuzzy", "has_units",
           "match_segments", "normalise", "release_matches", "similarity", "store_fuzzy"]
