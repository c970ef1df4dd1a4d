"""The translation memory's index: the best translation per system and source text, kept as pairs are written.

A run copies, instead of translating, every sentence the same system already translated
(see :meth:`PairQueries.memory_lookup`). The best translation of a text is the best
*current* version, not rejected, among all occurrences of the text: approved before
edited before the machine's, the newest among equals. Read from the occurrences, a
lookup cost as much as the sentence is common (about 420 rows a sentence in a 20,000-release
archive, where adding one release took 2.9x adding it to an empty database), so the
answer is kept in ``memory_best``, one row per (system, text), and a lookup reads one
row a sentence.

Every write of translations (a run's, a copy from the memory, a reviewer's version)
goes through :func:`record_writes`, which compares the pairs' current versions before and
after the write (worked out from the versions written): a new current version that is
not rejected may take its text's row (compare-and-set, in one statement); a version that
stopped being current and held its text's row gives it up, and the row is recomputed
from the text's occurrences (the only path that reads them: after a review, or a run by
another system of the same language).

The text is keyed by a 128-bit hash (a PostgreSQL B-tree entry must fit in a third of a
page, a sentence need not); a lookup checks the text itself, so a collision could only
be a miss, never a wrong copy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from .backends import Database, PostgresDatabase
from .sql import CURRENT, CURRENT_BY_ANTI_JOIN, chunks, current_version, placeholders

#: Lower is preferred; a rejected version is never used.
PREFERENCE = {"approved": 0, "edited": 1, "new": 2}
#: Any other status (none is written today) ranks after the machine's, as the old lookup did.
OTHER_STATUS = 3


class Version(NamedTuple):
    """A version of a pair: its id, system and status (the order of versions is :func:`.sql.current_version`'s)."""

    translation_id: int
    system_id: int
    status: str


def text_key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def preference(status: str) -> int | None:
    """Where a version of this status ranks (lower first); None for a rejected one."""
    return None if status == "rejected" else PREFERENCE.get(status, OTHER_STATUS)


def _preferred(rank: int, translation_id: int, held: tuple[int, int] | None) -> bool:
    """Whether a version of ``rank`` and ``translation_id`` is a better memory match than ``held``
    (its preference and translation id): the lower rank, then the newer."""
    return held is None or (rank, -translation_id) < (held[0], -held[1])


def _outranks(version: Version, other: Version) -> bool:
    """Whether ``version`` is current over ``other``: reviewed over not, then the newer (as CURRENT orders)."""
    return (version.status != "new", version.translation_id) > (other.status != "new", other.translation_id)


def pair_states(db: Database, segment_ids: Iterable[int], tgt_lang: str) -> dict[int, tuple[str, Version | None]]:
    """Segment id -> (its source text, the current version of its pair into ``tgt_lang`` or None).

    Read in a writer's transaction before it writes; :func:`record_writes` works out the
    state after the write from it, instead of reading again: in the same transaction, after
    thousands of rows were added, PostgreSQL may run this statement with a plan it cached
    while the table was small (a test run of a large batch after a small one took 50 s).
    """
    found: dict[int, tuple[str, Version | None]] = {}
    for chunk in chunks(sorted(set(segment_ids)), 500):
        # The current version's id as a scalar subquery, one index probe a segment: as a
        # LEFT JOIN ... ON t.id = (current), PostgreSQL read every translation of the language
        # for each batch (a first run of 1,000 releases spent 52 s of 69 in it).
        current_ids = {segment_id: (text, current_id) for segment_id, text, current_id in db.execute(
            f"SELECT s.id, s.text, {current_version('s.id', '?')} FROM segments s"
            f" WHERE s.id IN ({placeholders(chunk)})", (tgt_lang, *chunk))}
        versions = {}
        known = [current_id for _, current_id in current_ids.values() if current_id is not None]
        if known:
            versions = {translation_id: Version(translation_id, system_id, status) for translation_id, system_id, status
                        in db.execute(f"SELECT id, system_id, status FROM translations WHERE id IN ({placeholders(known)})",
                                      known)}
        for segment_id, (text, current_id) in current_ids.items():
            found[segment_id] = (text, None if current_id is None else versions[current_id])
    return found


def record_writes(db: Database, tgt_lang: str, before: dict[int, tuple[str, Version | None]],
                  written: Iterable[tuple[int, int, int, str]]) -> None:
    """Bring the index up to date after versions ``(segment id, translation id, system id, status)``
    into ``tgt_lang`` were stored; ``before`` is :func:`pair_states` of their segments, read
    in the same transaction before the write. Runs inside the writer's transaction.
    """
    after: dict[int, Version] = {}
    for segment_id, translation_id, system_id, status in written:
        version = Version(int(translation_id), int(system_id), status)
        held = after.get(segment_id, before[segment_id][1])
        if held is None or _outranks(version, held):
            after[segment_id] = version
    changed = {segment_id: current for segment_id, current in after.items() if current != before[segment_id][1]}
    if not changed:
        return
    # The best new candidate per (system, text), then one compare-and-set each.
    candidates: dict[tuple[int, str], tuple[int, int]] = {}
    for segment_id, current in changed.items():
        rank = preference(current.status)
        if rank is None:
            continue
        key = (current.system_id, text_key(before[segment_id][0]))
        if _preferred(rank, current.translation_id, candidates.get(key)):
            candidates[key] = (rank, current.translation_id)
    db.executemany(
        "INSERT INTO memory_best (system_id, text_key, translation_id, preference) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (system_id, text_key) DO UPDATE SET translation_id = excluded.translation_id,"
        " preference = excluded.preference WHERE excluded.preference < memory_best.preference"
        " OR (excluded.preference = memory_best.preference AND excluded.translation_id > memory_best.translation_id)",
        [(system_id, key, translation_id, rank) for (system_id, key), (rank, translation_id) in candidates.items()],
    )
    # Versions that stopped being current: a row one of them still holds is recomputed.
    displaced: dict[tuple[int, str], tuple[str, set[int]]] = {}
    for segment_id in changed:
        text, old = before[segment_id]
        if old is not None:
            displaced.setdefault((old.system_id, text_key(text)), (text, set()))[1].add(old.translation_id)
    for (system_id, key), (text, old_ids) in displaced.items():
        # Locked until this transaction ends (PostgreSQL): else another writer may recompute the
        # row meanwhile from what is committed, where our displaced version is still current.
        lock = " FOR UPDATE" if isinstance(db, PostgresDatabase) else ""
        held = db.execute("SELECT translation_id FROM memory_best WHERE system_id = ? AND text_key = ?" + lock,
                          (system_id, key)).fetchone()
        if held is not None and held[0] in old_ids:
            _recompute(db, system_id, text, key)


def _best(rows: Iterable[tuple[int, str]]) -> tuple[int, int] | None:
    """(preference, translation id) of the best of ``(translation id, status)`` current versions, or None."""
    best: tuple[int, int] | None = None
    for translation_id, status in rows:
        rank = preference(status)
        if rank is not None and _preferred(rank, translation_id, best):
            best = (rank, translation_id)
    return best


def _recompute(db: Database, system_id: int, text: str, key: str) -> None:
    """Set the row of (system, text) from the text's occurrences (after the version it held was displaced).

    The caller holds the row's lock (PostgreSQL): a concurrent writer's compare-and-set on it
    waits for this transaction, and one that committed before the lock is seen by the read below.
    """
    best = _best(db.execute(
        "SELECT t.id, t.status FROM segments s CROSS JOIN translations t WHERE s.text = ? AND t.segment_id = s.id"
        f" AND t.system_id = ? AND t.id = {CURRENT}", (text, system_id)))
    if best is None:
        db.execute("DELETE FROM memory_best WHERE system_id = ? AND text_key = ?", (system_id, key))
    else:
        db.execute("UPDATE memory_best SET translation_id = ?, preference = ? WHERE system_id = ? AND text_key = ?",
                   (best[1], best[0], system_id, key))


def lookup(db: Database, system_id: int, texts: Iterable[str]) -> dict[str, int]:
    """Source text -> id of the best translation ``system_id`` has of it (see the module's docstring)."""
    wanted: dict[str, str] = {text_key(text): text for text in set(texts)}
    found: dict[str, int] = {}
    for chunk in chunks(sorted(wanted), 500):
        # The keys as rows, joined to the index one key at a time (CROSS JOIN keeps that order
        # in SQLite): with "text_key IN (...)" SQLite scans the table when its statistics were
        # taken while it was small, as they are after a first run, however large it grows.
        keys = ", ".join("(?)" for _ in chunk)
        for key, translation_id, text in db.execute(
            f"SELECT m.text_key, m.translation_id, s.text FROM (VALUES {keys}) AS k CROSS JOIN memory_best m"
            " JOIN translations t ON t.id = m.translation_id JOIN segments s ON s.id = t.segment_id"
            " WHERE m.system_id = ? AND m.text_key = k.column1", (*chunk, system_id)
        ):
            if wanted[key] == text:
                found[text] = int(translation_id)
    return found


def _all_current(db: Database) -> Iterator[tuple[int, str, int, str]]:
    # PostgreSQL plans the whole table's "current" as an anti-join (see CURRENT_BY_ANTI_JOIN).
    current = f"t.id = {CURRENT}" if not isinstance(db, PostgresDatabase) else CURRENT_BY_ANTI_JOIN
    yield from db.stream(
        "SELECT t.system_id, s.text, t.id, t.status FROM translations t JOIN segments s ON s.id = t.segment_id"
        f" WHERE {current} AND t.status != 'rejected'")


def rebuild(db: Database) -> int:
    """Build the whole index from the translations (the migration to schema 6); returns its rows.

    Runs inside the caller's transaction.
    """
    best: dict[tuple[int, str], tuple[int, int]] = {}
    for system_id, text, translation_id, status in _all_current(db):
        rank = preference(status)
        if rank is None:
            continue
        key = (int(system_id), text_key(text))
        if _preferred(rank, translation_id, best.get(key)):
            best[key] = (rank, int(translation_id))
    db.execute("DELETE FROM memory_best")
    rows: Sequence[tuple[int, str, int, int]] = [
        (system_id, key, translation_id, rank) for (system_id, key), (rank, translation_id) in best.items()]
    db.insert_new("memory_best", ("system_id", "text_key", "translation_id", "preference"), rows)
    return len(rows)


__all__ = ["PREFERENCE", "Version", "lookup", "pair_states", "preference", "rebuild", "record_writes", "text_key"]
