"""Versions written by people: every edit, approval or rejection is a new version of a pair."""

from __future__ import annotations

from ..errors import StoreError
from ..model import Pair, PairScores
from . import memory_index
from .pairs import PairQueries
from .sql import current_version, insert_scores, now

STATUSES = ("new", "edited", "approved", "rejected")


class ReviewQueries(PairQueries):
    """A pair's current version, its history, and new reviewed versions (read as pairs are)."""

    def pair_of(self, translation_id: int) -> Pair | None:
        """The current version of the pair that translation ``translation_id`` belongs to."""
        row = self.db.execute(
            "SELECT s.release_id, t.tgt_lang, t.segment_id FROM translations t JOIN segments s ON s.id = t.segment_id"
            " WHERE t.id = ?", (translation_id,)
        ).fetchone()
        if row is None:
            return None
        # One statement picks the current version and reads it, so a version another
        # reviewer saves meanwhile cannot slip between the two (a false "no pair").
        return next(self.pairs(row[1], release_ids=[row[0]], segment_ids=[row[2]]), None)

    def versions(self, translation_id: int) -> list[dict[str, object]]:
        """Every version of the pair that ``translation_id`` belongs to, oldest first."""
        keys = ("id", "version", "text", "origin", "status", "label", "combined", "previous_id", "created_at", "system")
        rows = self.db.execute(
            "SELECT t.id, t.version, t.text, t.origin, t.status, t.label, t.combined, t.previous_id, t.created_at,"
            " y.model_id || '@' || y.revision FROM translations t JOIN systems y ON y.id = t.system_id"
            " JOIN translations me ON me.segment_id = t.segment_id AND me.tgt_lang = t.tgt_lang"
            " WHERE me.id = ? ORDER BY t.id", (translation_id,)
        ).fetchall()
        return [dict(zip(keys, row)) for row in rows]

    def add_version(self, translation_id: int, text: str, origin: str, status: str, scores: PairScores) -> int:
        """Store a reviewed version of the pair ``translation_id`` belongs to; returns its id.

        It follows the pair's current version at the moment of writing (not necessarily
        the one the reviewer saw), so of two reviewers saving the same pair the later save
        becomes current and both versions stay in the history.
        """
        if status not in STATUSES:
            raise StoreError(f"unknown review status {status!r} (expected one of {', '.join(STATUSES)})")
        with self.transaction() as db:
            row = db.execute(
                "SELECT segment_id, tgt_lang FROM translations WHERE id = ?", (translation_id,)
            ).fetchone()
            if row is None:
                raise StoreError(f"{self.where}: no translation {translation_id}")
            segment_id, tgt_lang = row
            # Two reviewers saving the same pair at once would both pick the same next version.
            db.lock_row("segments", segment_id)
            before = memory_index.pair_states(db, [segment_id], tgt_lang)
            current_id, system_id = db.execute(
                f"SELECT t.id, t.system_id FROM translations t WHERE t.id = {current_version('?', '?')}",
                (segment_id, tgt_lang),
            ).fetchone()
            (version,) = db.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM translations WHERE segment_id = ? AND system_id = ?",
                (segment_id, system_id),
            ).fetchone()
            new_id = int(db.execute(
                "INSERT INTO translations (segment_id, system_id, tgt_lang, text, origin, run_id, combined, label,"
                " created_at, version, status, previous_id) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)"
                " RETURNING id",
                (segment_id, system_id, tgt_lang, text, origin, scores.combined, scores.label, now(), version,
                 status, current_id),
            ).fetchone()[0])
            insert_scores(db, new_id, scores)
            memory_index.record_writes(db, tgt_lang, before, [(segment_id, new_id, system_id, status)])
        return new_id
