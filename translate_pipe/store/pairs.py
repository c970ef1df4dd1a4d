"""Machine translations and their scores: pending work, the translation memory, pairs and label counts."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Sequence

from ..model import Flag, Pair, PairScores
from . import memory_index
from .backends import SQLiteDatabase
from .sql import (
    CURRENT,
    CURRENT_BY_ANTI_JOIN,
    StorePart,
    chunks,
    current_version,
    insert_all_scores,
    now,
    placeholders,
)


class PairQueries(StorePart):
    """Translations (current versions) of segments, read and written in bulk."""

    def pending_segments(self, release_ids: Sequence[str], system_id: int, src_lang: str = "en") -> list[tuple[int, str]]:
        """(segment id, text) of the releases' segments that ``system_id`` has not translated."""
        return [(segment_id, text) for _, _, segment_id, text in self.release_rows(
            "SELECT s.release_id, s.idx, s.id, s.text FROM segments s WHERE {releases} AND s.lang=?"
            " AND NOT EXISTS (SELECT 1 FROM translations t WHERE t.segment_id=s.id AND t.system_id=?)",
            release_ids, (src_lang, system_id), order_by="1, 2")]

    def count_segments(self, release_ids: Sequence[str], lang: str, untranslated_by: int | None = None) -> int:
        """How many segments in ``lang`` the releases have (only those system ``untranslated_by`` has not translated)."""
        untranslated = (" AND NOT EXISTS (SELECT 1 FROM translations t WHERE t.segment_id = s.id AND t.system_id = ?)"
                        if untranslated_by is not None else "")
        params = (lang, *([untranslated_by] if untranslated_by is not None else []))
        return int(sum(count for (count,) in self.release_rows(
            "SELECT COUNT(*) FROM segments s WHERE {releases} AND s.lang = ?" + untranslated, release_ids, params)))

    def segments_of(self, release_ids: Sequence[str], lang: str) -> Iterator[int]:
        """Ids of the segments of the given releases in ``lang``."""
        for chunk in chunks(list(release_ids), 500):
            marks = placeholders(chunk)
            for (segment_id,) in self.db.execute(
                f"SELECT id FROM segments WHERE release_id IN ({marks}) AND lang=?", (*chunk, lang)
            ):
                yield segment_id

    def label_counts(self, release_ids: Sequence[str], tgt_lang: str) -> dict[str, int]:
        """How many of the releases' pairs into ``tgt_lang`` have each label (current versions).

        Read from the releases' segments, so the cost follows the releases asked about,
        not every translation of the language.
        """
        # The label of each segment's current version, as a scalar subquery: one index probe a
        # segment, which PostgreSQL cannot reorder into reading the language's translations
        # first (its plan for the join without statistics, as in a new database's first run,
        # which read every translation once per release).
        counts: dict[str, int] = {}
        for label, count in self.release_rows(
            f"SELECT {current_version('s.id', '?', column='label')}, COUNT(*) FROM segments s WHERE {{releases}}"
            " GROUP BY 1", release_ids, (tgt_lang,)):
            if label is not None:  # segments with no translation into tgt_lang (or not in the source language)
                counts[label] = counts.get(label, 0) + count
        return counts

    def labels_by_release(self, release_ids: Sequence[str] | None = None,
                          tgt_lang: str | None = None) -> dict[str, dict[str, dict[str, int]]]:
        """Release id -> target language -> label -> number of pairs (current versions).

        For the given releases (a page of the release list, a window of a run), read
        from their segments; without ids, for every release in one query.
        """
        counts: dict[str, dict[str, dict[str, int]]] = {}
        lang_filter, lang_params = ("AND t.tgt_lang = ?", [tgt_lang]) if tgt_lang else ("", [])
        # CROSS JOIN: SQLite keeps segments as the outer loop (the releases' rows by
        # index), then each segment's few translations; PostgreSQL reads it as a join.
        query = ("SELECT s.release_id, t.tgt_lang, t.label, COUNT(*) FROM segments s CROSS JOIN translations t"
                 f" WHERE {{releases}} AND t.segment_id = s.id {lang_filter} AND t.id = {CURRENT}"
                 " GROUP BY s.release_id, t.tgt_lang, t.label")
        rows = (self.db.execute(query.replace("{releases}", "1 = 1"), lang_params) if release_ids is None
                else self.release_rows(query, release_ids, lang_params))
        for release_id, lang, label, count in rows:
            counts.setdefault(release_id, {}).setdefault(lang, {})[label] = count
        return counts

    def translations_stamp(self) -> int | None:
        """A number that changes whenever a translation or a version is stored, or None where
        there is no cheap one.

        Translations are only ever added (a review stores a new version), so on SQLite, where
        one writer at a time takes the ids in order, the largest id names the table's state.
        PostgreSQL hands out ids to concurrent transactions that may commit out of order:
        None there.
        """
        if not isinstance(self.db, SQLiteDatabase):
            return None
        return int(self.db.execute("SELECT COALESCE(MAX(id), 0) FROM translations").fetchone()[0])

    def memory_lookup(self, system_id: int, texts: Iterable[str]) -> dict[str, int]:
        """Source text -> id of the best translation the same system already has of that exact text.

        Only current versions count, and a rejected one never does. A version a person
        approved is preferred, then one a person edited, then the machine's; the newest
        among equals. So a reviewer's fix reaches every later occurrence of the sentence.
        Read from the memory's index (:mod:`.memory_index`): one row a sentence, however
        often the sentence occurs in the archive.
        """
        return memory_index.lookup(self.db, system_id, texts)

    def add_translations(
        self,
        run_id: int,
        system_id: int,
        tgt_lang: str,
        items: Sequence[tuple[int, str, str, PairScores]],
    ) -> int:
        """Store ``(segment id, text, origin, scores)`` items in one transaction; returns how many were new."""
        stamp = now()
        with self.transaction() as db:
            before = memory_index.pair_states(db, [item[0] for item in items], tgt_lang)
            returned = db.insert_returning(
                "INSERT INTO translations (segment_id, system_id, tgt_lang, text, origin,"
                " run_id, combined, label, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING RETURNING id",
                [(segment_id, system_id, tgt_lang, text, origin, run_id, scores.combined, scores.label, stamp)
                 for segment_id, text, origin, scores in items],
            )
            stored = [(int(row[0]), item[3]) for row, item in zip(returned, items) if row is not None]
            insert_all_scores(db, stored)
            memory_index.record_writes(db, tgt_lang, before, [(item[0], row[0], system_id, "new")
                                                              for row, item in zip(returned, items) if row is not None])
        return len(stored)

    def copy_translations(self, run_id: int, copies: Sequence[tuple[int, int]]) -> int:
        """Store, for each ``(segment id, translation id)``, a copy of that translation with its scores."""
        stamp = now()
        with self.transaction() as db:
            # A copy goes into the language of its source (one language a call, in a run).
            lang_of: dict[int, str] = {}
            for chunk in chunks(sorted({source_id for _, source_id in copies}), 500):
                lang_of.update(db.execute(
                    f"SELECT id, tgt_lang FROM translations WHERE id IN ({placeholders(chunk)})", chunk).fetchall())
            segments_by_lang: dict[str, list[int]] = {}
            for segment_id, source_id in copies:
                if source_id in lang_of:
                    segments_by_lang.setdefault(lang_of[source_id], []).append(segment_id)
            before = {lang: memory_index.pair_states(db, ids, lang) for lang, ids in segments_by_lang.items()}
            returned = db.insert_returning(
                "INSERT INTO translations (segment_id, system_id, tgt_lang, text, origin,"
                " run_id, combined, label, created_at, status)"
                " SELECT ?, system_id, tgt_lang, text, 'memory', ?, combined, label, ?,"
                " CASE status WHEN 'approved' THEN 'approved' ELSE 'new' END FROM translations WHERE id=?"
                " ON CONFLICT DO NOTHING RETURNING id, system_id, status",
                [(segment_id, run_id, stamp, source_id) for segment_id, source_id in copies],
            )
            copied = [(int(row[0]), source_id) for row, (_, source_id) in zip(returned, copies) if row is not None]
            db.executemany("INSERT INTO scores SELECT ?, name, value FROM scores WHERE translation_id=?", copied)
            db.executemany("INSERT INTO flags SELECT ?, name, reason FROM flags WHERE translation_id=?", copied)
            written: dict[str, list[tuple[int, int, int, str]]] = {}
            for row, (segment_id, source_id) in zip(returned, copies):
                if row is not None:  # (id, system id, status) of the copy
                    written.setdefault(lang_of[source_id], []).append((segment_id, *row))
            for lang, versions in written.items():
                memory_index.record_writes(db, lang, before[lang], versions)
        return len(copied)

    def set_scores(self, values: Sequence[tuple[int, str, float]]) -> None:
        """Add or replace named scores of translations: ``(translation id, name, value)``."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO scores (translation_id, name, value) VALUES (?, ?, ?)"
                " ON CONFLICT (translation_id, name) DO UPDATE SET value = excluded.value",
                values,
            )
            # The only change to stored pairs that adds no row: pairs_stamp reads this mark.
            db.execute("INSERT INTO meta (key, value) VALUES ('scores_changed', ?)"
                       " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (uuid.uuid4().hex,))

    def pairs_stamp(self, release_id: str, tgt_lang: str) -> str:
        """A text that changes whenever the release's pairs into ``tgt_lang`` may have: for the review API's ETag.

        Versions, copies, their scores and flags, and fuzzy memory matches are only ever
        added, never changed or deleted, so the number of rows and the largest id of the
        release's translations (and the number of its matches) name their state, on
        PostgreSQL too, where ids may commit out of order but a count cannot repeat; the one
        change in place, :meth:`set_scores`, leaves a mark in ``meta``. Read by key: the
        release's segments and their few rows each.
        """
        from .memory import ensure_schema

        ensure_schema(self)
        # Scalar subqueries: each of the release's segments probes its own rows by key, a plan
        # PostgreSQL cannot turn into reading the language's translations (as a join it may,
        # without statistics).
        count, last, matches = self.db.execute(
            "SELECT SUM((SELECT COUNT(*) FROM translations t WHERE t.segment_id = s.id AND t.tgt_lang = ?)),"
            " MAX((SELECT MAX(t.id) FROM translations t WHERE t.segment_id = s.id AND t.tgt_lang = ?)),"
            " SUM((SELECT COUNT(*) FROM memory_matches x WHERE x.segment_id = s.id AND x.tgt_lang = ?))"
            " FROM segments s WHERE s.release_id = ?", (tgt_lang, tgt_lang, tgt_lang, release_id)).fetchone()
        scores = self.db.execute("SELECT value FROM meta WHERE key = 'scores_changed'").fetchone()
        return f"{count or 0}:{last or 0}:{matches or 0}:{scores[0] if scores else ''}"

    def pairs(
        self,
        tgt_lang: str,
        release_ids: Sequence[str] | None = None,
        min_score: float | None = None,
        labels: Sequence[str] | None = None,
        statuses: Sequence[str] | None = None,
        translation_ids: Sequence[int] | None = None,
        segment_ids: Sequence[int] | None = None,
    ) -> Iterator[Pair]:
        """Pairs in document order: each segment with the current version of its translation.

        The current version is the newest a person reviewed, else the newest machine
        translation (see :func:`.sql.current_version`); ``statuses`` keeps only versions in those states.
        """
        # A whole-language export on PostgreSQL tests "current" as an anti-join (see
        # CURRENT_BY_ANTI_JOIN); a lookup of given releases or pairs keeps the index probe.
        whole = release_ids is None and translation_ids is None and segment_ids is None
        current = CURRENT_BY_ANTI_JOIN if whole and not isinstance(self.db, SQLiteDatabase) else f"t.id = {CURRENT}"
        where = ["t.tgt_lang = ?", current]
        params: list[object] = [tgt_lang]
        # Empty statuses or labels mean "any"; an empty list of ids means none (and would be
        # `IN ()`, which PostgreSQL refuses).
        if any(ids is not None and len(ids) == 0 for ids in (release_ids, translation_ids, segment_ids)):
            return
        filters = [("t.status", statuses or None), ("t.label", labels or None), ("t.id", translation_ids),
                   ("s.release_id", release_ids), ("s.id", segment_ids)]
        for column, values in filters:
            if values is not None:
                where.append(f"{column} IN ({placeholders(values)})")
                params.extend(values)
        if min_score is not None:
            where.append("t.combined >= ?")
            params.append(min_score)
        # For given releases, start from their segments (an index range each), so one
        # release's pairs cost the same in a small archive and a large one; an export of
        # everything reads the language's translations in one pass.
        source = ("segments s CROSS JOIN translations t" if release_ids is not None
                  else "translations t JOIN segments s ON s.id = t.segment_id")
        where.append("t.segment_id = s.id")
        query = (
            "SELECT t.id, s.release_id, s.idx, s.lang, t.tgt_lang, s.text, t.text, y.model_id || '@' || y.revision,"
            " t.origin, t.combined, t.label, t.status, t.version, s.paragraph,"
            f" (SELECT {self.db.json_numbers_agg('name', 'value')} FROM scores WHERE translation_id = t.id),"
            f" (SELECT {self.db.json_pairs_agg('name', 'reason')} FROM flags WHERE translation_id = t.id)"
            f" FROM {source} JOIN systems y ON y.id = t.system_id"
            " JOIN releases r ON r.id = s.release_id"
            f" WHERE {' AND '.join(where)} ORDER BY r.date NULLS FIRST, s.release_id, s.idx"
        )
        # Exports stream; looking up given pairs (the review page) is one small query.
        # One release's pairs (the review page, its download) too: on PostgreSQL a stream opens
        # a connection of its own, a new server process for every request.
        small = (translation_ids is not None or segment_ids is not None
                 or (release_ids is not None and len(release_ids) <= 1))
        rows = self.db.execute(query, params) if small else self.db.stream(query, params)
        for row in rows:
            (translation_id, release_id, index, src_lang, lang, src, tgt, system, origin, combined, label, status,
             version, paragraph, scores, flags) = row
            yield Pair(
                release_id=release_id,
                segment_index=index,
                src_lang=src_lang,
                tgt_lang=lang,
                src=src,
                tgt=tgt,
                system=system,
                origin=origin,
                # By name: the order of an aggregate is not defined (SQLite happens to use the key's).
                scores={name: float(value) for name, value in sorted(json.loads(scores).items())} if scores else {},
                flags=tuple(Flag(name, reason) for name, reason in sorted(json.loads(flags) if flags else [])),
                combined=combined,
                label=label,
                translation_id=translation_id,
                status=status,
                version=version,
                paragraph=paragraph,
            )
