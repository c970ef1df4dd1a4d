"""The database: releases, segments, systems, runs, translations, scores and flags.

SQLite (a file, in WAL mode) by default, PostgreSQL when the store is a
``postgresql://`` URL; the SQL is shared and :mod:`.backends` adapts it. Unique keys make
every write idempotent: a release is keyed by its content hash, a segment by (release,
language, index), a translation by (segment, system, version). Each batch of
translations is committed on its own, so a run that is interrupted keeps what it
finished and the next run continues from there.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from ..errors import StoreError
from ..ingest import origin_key
from ..model import Flag, Pair, PairScores, Release, Segment
from ..translate.base import SystemInfo
from .backends import Database, is_postgres_url, open_database, redact, sqlite_path

__all__ = ["STATUSES", "Store", "default_shard_dir", "is_postgres_url", "redact", "sqlite_path"]

SCHEMA_VERSION = 3

# The version of a pair (a segment and a target language) that exports, the review page
# and the translation memory use: the newest one a person reviewed (edited, approved or
# rejected), otherwise the newest machine translation. So a later machine run never hides
# a human edit, and a re-run with other settings replaces an unreviewed translation.
def _current_version(segment: str = "t.segment_id", lang: str = "t.tgt_lang") -> str:
    """SQL for the id of the current version of the pair (``segment``, ``lang``)."""
    return (
        f"(SELECT t2.id FROM translations t2 WHERE t2.segment_id = {segment} AND t2.tgt_lang = {lang}"
        " ORDER BY (t2.status != 'new') DESC, t2.id DESC LIMIT 1)"
    )


_CURRENT = _current_version()

STATUSES = ("new", "edited", "approved", "rejected")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS releases (
    id TEXT PRIMARY KEY,
    lang TEXT NOT NULL,
    title TEXT NOT NULL,
    date TEXT,
    source TEXT,
    dropped TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS release_origins (
    release_id TEXT NOT NULL REFERENCES releases(id),
    origin TEXT NOT NULL,
    external_id TEXT,
    PRIMARY KEY (release_id, origin)
);
CREATE TABLE IF NOT EXISTS segments (
    id INTEGER PRIMARY KEY,
    release_id TEXT NOT NULL REFERENCES releases(id),
    lang TEXT NOT NULL,
    idx INTEGER NOT NULL,
    paragraph INTEGER NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    UNIQUE (release_id, lang, idx)
);
CREATE INDEX IF NOT EXISTS segments_by_text ON segments(text);
CREATE TABLE IF NOT EXISTS systems (
    id INTEGER PRIMARY KEY,
    signature TEXT NOT NULL UNIQUE,
    model_id TEXT NOT NULL,
    revision TEXT NOT NULL,
    src_lang TEXT NOT NULL,
    tgt_lang TEXT NOT NULL,
    backend TEXT NOT NULL,
    decoding TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    inputs TEXT NOT NULL,
    langs TEXT NOT NULL,
    config TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS translations (
    id INTEGER PRIMARY KEY,
    segment_id INTEGER NOT NULL REFERENCES segments(id),
    system_id INTEGER NOT NULL REFERENCES systems(id),
    tgt_lang TEXT NOT NULL,
    text TEXT NOT NULL,
    origin TEXT NOT NULL,
    run_id INTEGER REFERENCES runs(id),
    combined REAL NOT NULL,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    -- Versions: 0 is the machine's, each review (edit, approval, rejection) adds the next
    -- one, pointing at the version it replaced, so no version is ever overwritten.
    version INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'new',
    previous_id INTEGER REFERENCES translations(id),
    UNIQUE (segment_id, system_id, version)
);
CREATE INDEX IF NOT EXISTS translations_by_lang ON translations(tgt_lang, segment_id);
CREATE TABLE IF NOT EXISTS alignments (
    release_id TEXT NOT NULL REFERENCES releases(id),
    tgt_lang TEXT NOT NULL,
    bead INTEGER NOT NULL,
    src_idx TEXT NOT NULL,
    tgt_idx TEXT NOT NULL,
    src TEXT NOT NULL,
    tgt TEXT NOT NULL,
    score REAL NOT NULL,
    reference TEXT NOT NULL,
    human_logprob REAL,
    PRIMARY KEY (release_id, tgt_lang, bead)
);
CREATE TABLE IF NOT EXISTS scores (
    translation_id INTEGER NOT NULL REFERENCES translations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (translation_id, name)
);
CREATE TABLE IF NOT EXISTS flags (
    translation_id INTEGER NOT NULL REFERENCES translations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (translation_id, name)
);
"""


_SCHEMA_STATEMENTS = [statement.strip() for statement in _SCHEMA.split(";") if statement.strip()]


def default_shard_dir(url_or_path: str) -> str | None:
    """Where the Ray engine keeps result shards until they are merged into this store.

    Beside a SQLite file; for a PostgreSQL store, a folder named after its URL in the
    temporary folder (on a cluster of several machines pass a shared ``--shard-dir``).
    The same store always gets the same folder, so a later run finds shards an
    interrupted one left. None for an in-memory database.
    """
    if is_postgres_url(url_or_path):
        digest = hashlib.sha1(redact(url_or_path).encode()).hexdigest()[:16]
        return str(Path(tempfile.gettempdir()) / "translate-pipe-shards" / digest)
    path = sqlite_path(url_or_path)
    return None if path == ":memory:" else f"{path}.shards"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """A translate-pipe database. Use as a context manager, or call :meth:`close`."""

    def __init__(self, url_or_path: str | Path):
        self.db: Database = open_database(str(url_or_path))
        #: Where the data lives, for messages: a path, or a URL without its password.
        self.where = self.db.where
        try:
            self._migrate()
        except BaseException:
            self.db.close()
            raise

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One atomic write: everything inside lands, or nothing does."""
        with self.db.transaction():
            yield self.db

    def _schema_version(self) -> int | None:
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return None if row is None else int(row[0])

    def _migrate(self) -> None:
        # CREATE ... IF NOT EXISTS is idempotent, so two processes may race here safely.
        self.db.create_schema(_SCHEMA_STATEMENTS)
        if self._schema_version() == SCHEMA_VERSION:
            return
        with self.db.schema_change():
            version = self._schema_version()
            if version is None:
                self.db.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                                (str(SCHEMA_VERSION),))
            elif version < SCHEMA_VERSION:
                if version < 3:
                    _add_translation_versions(self.db)  # schemas before 3 were SQLite only
                self.db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),))
            elif version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.where}: written by a newer translate-pipe (schema {version}); upgrade translate-pipe"
                )

    # --- releases and segments -------------------------------------------------

    def add_release(self, release: Release, segments: Sequence[Segment]) -> bool:
        """Store a release with its segments; False when it was already there."""
        with self.transaction() as db:
            added = db.execute(
                "INSERT INTO releases (id, lang, title, date, source, dropped, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                (release.id, release.lang, release.title, release.date, release.source,
                 json.dumps(list(release.dropped), ensure_ascii=False), _now()),
            ).fetchone() is not None
            if added:
                db.executemany(
                    'INSERT INTO segments (release_id, lang, idx, paragraph, kind, text, start, "end")'
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(s.release_id, s.lang, s.index, s.paragraph, s.kind, s.text, s.start, s.end)
                     for s in segments],
                )
            db.execute(
                "INSERT INTO release_origins (release_id, origin, external_id) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (release.id, release.origin, release.external_id),
            )
        return added

    def add_segments(self, segments: Sequence[Segment]) -> int:
        """Store segments (of a human translation, say); existing ones are kept as they are."""
        with self.transaction() as db:
            return db.executemany(
                'INSERT INTO segments (release_id, lang, idx, paragraph, kind, text, start, "end")'
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [(s.release_id, s.lang, s.index, s.paragraph, s.kind, s.text, s.start, s.end) for s in segments],
            )

    def release_keys(self, release_ids: Sequence[str]) -> dict[str, list[str]]:
        """Release id -> the file-name stems and JSON-lines ids it was read under."""
        keys: dict[str, list[str]] = {}
        for chunk in _chunks(list(release_ids), 500):
            marks = _marks(chunk)
            for release_id, origin, external_id in self.db.execute(
                f"SELECT release_id, origin, external_id FROM release_origins WHERE release_id IN ({marks})", chunk
            ):
                keys.setdefault(release_id, []).append(origin_key(origin, external_id))
        return keys

    def has_alignment(self, release_id: str, tgt_lang: str) -> bool:
        return self.db.execute(
            "SELECT 1 FROM alignments WHERE release_id=? AND tgt_lang=? LIMIT 1", (release_id, tgt_lang)
        ).fetchone() is not None

    def add_alignment(self, release_id: str, tgt_lang: str, reference: str,
                      beads: Sequence[tuple]) -> None:
        """Store one release's beads ``(src ids, tgt ids, src, tgt, score[, human logprob])``, all or nothing."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO alignments (release_id, tgt_lang, bead, src_idx, tgt_idx, src, tgt, score,"
                " reference, human_logprob) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [(release_id, tgt_lang, n, json.dumps(list(bead[0])), json.dumps(list(bead[1])), bead[2], bead[3],
                  bead[4], reference, bead[5] if len(bead) > 5 else None)
                 for n, bead in enumerate(beads)],
            )

    def set_scores(self, values: Sequence[tuple[int, str, float]]) -> None:
        """Add or replace named scores of translations: ``(translation id, name, value)``."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO scores (translation_id, name, value) VALUES (?, ?, ?)"
                " ON CONFLICT (translation_id, name) DO UPDATE SET value = excluded.value",
                values,
            )

    def human_pairs(self, tgt_lang: str, release_ids: Sequence[str] | None = None,
                    min_score: float | None = None) -> Iterator[Pair]:
        """Aligned human translation pairs (beads with both sides), in document order."""
        where, params = ["a.tgt_lang = ?", "a.src != ''", "a.tgt != ''"], [tgt_lang]
        if min_score is not None:
            where.append("a.score >= ?")
            params.append(min_score)
        if release_ids is not None:
            where.append(f"a.release_id IN ({_marks(release_ids)})")
            params.extend(release_ids)
        query = ("SELECT a.release_id, a.src_idx, a.src, a.tgt, a.score, a.reference, r.lang, a.human_logprob"
                 " FROM alignments a"
                 f" JOIN releases r ON r.id = a.release_id WHERE {' AND '.join(where)}"
                 " ORDER BY r.date NULLS FIRST, a.release_id, a.bead")
        for release_id, src_idx, src, tgt, score, reference, src_lang, logprob in self.db.stream(query, params):
            scores = {"alignment": score}
            if logprob is not None:
                scores["human_logprob"] = logprob
            yield Pair(release_id=release_id, segment_index=json.loads(src_idx)[0], src_lang=src_lang,
                       tgt_lang=tgt_lang, src=src, tgt=tgt, system=f"human:{reference}", origin="human",
                       scores=scores, flags=(), combined=score, label="good")

    def reference_triples(self, tgt_lang: str, run_id: int | None = None) -> list[tuple[str, str, str, str]]:
        """(release id, source, human reference, MT) for each aligned bead with both sides.

        The MT of a bead is its English sentences' translations joined; ``run_id`` picks
        the translations that run made, otherwise each sentence's newest machine translation
        (versions a reviewer wrote are left out).
        """
        mt: dict[tuple[str, int], str] = {}
        query = ("SELECT s.release_id, s.idx, t.text FROM translations t JOIN segments s ON s.id = t.segment_id"
                 # Text a reviewer wrote is not machine translation: evaluate never counts it.
                 " WHERE t.tgt_lang = ? AND t.origin != 'human'"
                 + (" AND t.run_id = ?" if run_id is not None else "") + " ORDER BY t.id")
        for release_id, index, text in self.db.execute(query, (tgt_lang, run_id) if run_id is not None else (tgt_lang,)):
            mt[(release_id, index)] = text
        triples = []
        for release_id, src_idx, src, tgt in self.db.execute(
            "SELECT a.release_id, a.src_idx, a.src, a.tgt FROM alignments a JOIN releases r ON r.id = a.release_id"
            " WHERE a.tgt_lang = ? AND a.src != '' AND a.tgt != ''"
            " ORDER BY r.date NULLS FIRST, a.release_id, a.bead", (tgt_lang,)
        ):
            parts = [mt.get((release_id, i)) for i in json.loads(src_idx)]
            if all(p is not None for p in parts):
                triples.append((release_id, src, tgt, " ".join(parts)))  # type: ignore[arg-type]
        return triples

    def releases(self) -> list[dict[str, object]]:
        rows = self.db.execute(
            "SELECT id, lang, title, date, source FROM releases ORDER BY date NULLS FIRST, id"
        ).fetchall()
        return [dict(zip(("id", "lang", "title", "date", "source"), row)) for row in rows]

    def segments(self, release_id: str, lang: str = "en") -> list[Segment]:
        rows = self.db.execute(
            'SELECT release_id, lang, idx, paragraph, text, kind, start, "end" FROM segments'
            " WHERE release_id=? AND lang=? ORDER BY idx",
            (release_id, lang),
        ).fetchall()
        return [Segment(*row) for row in rows]

    # --- systems and runs --------------------------------------------------------

    def system_id(self, system: SystemInfo) -> int:
        signature = system.signature()
        with self.transaction() as db:
            db.execute(
                "INSERT INTO systems (signature, model_id, revision, src_lang, tgt_lang,"
                " backend, decoding, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (signature, system.model_id, system.revision, system.src_lang, system.tgt_lang,
                 system.backend, json.dumps(system.decoding, sort_keys=True), _now()),
            )
            return int(db.execute("SELECT id FROM systems WHERE signature=?", (signature,)).fetchone()[0])

    def begin_run(self, inputs: Sequence[str], langs: Sequence[str], config_json: str, tool_version: str) -> int:
        with self.transaction() as db:
            return int(db.execute(
                "INSERT INTO runs (started_at, status, inputs, langs, config, tool_version)"
                " VALUES (?, 'running', ?, ?, ?, ?) RETURNING id",
                (_now(), json.dumps(list(inputs)), ",".join(langs), config_json, tool_version),
            ).fetchone()[0])

    def finish_run(self, run_id: int, status: str, summary: dict[str, object]) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET finished_at=?, status=?, summary=? WHERE id=?",
                (_now(), status, json.dumps(summary), run_id),
            )

    def runs(self) -> list[dict[str, object]]:
        rows = self.db.execute(
            "SELECT id, started_at, finished_at, status, langs, summary FROM runs ORDER BY id"
        ).fetchall()
        keys = ("id", "started_at", "finished_at", "status", "langs", "summary")
        return [dict(zip(keys, row)) for row in rows]

    # --- translations --------------------------------------------------------------

    def pending_segments(self, release_ids: Sequence[str], system_id: int, src_lang: str = "en") -> list[tuple[int, str]]:
        """(segment id, text) of the releases' segments that ``system_id`` has not translated."""
        pending: list[tuple[int, str]] = []
        for chunk in _chunks(list(release_ids), 500):
            marks = _marks(chunk)
            pending.extend(self.db.execute(
                f"SELECT s.id, s.text FROM segments s WHERE s.release_id IN ({marks}) AND s.lang=?"
                " AND NOT EXISTS (SELECT 1 FROM translations t WHERE t.segment_id=s.id AND t.system_id=?)"
                " ORDER BY s.release_id, s.idx",
                (*chunk, src_lang, system_id),
            ).fetchall())
        return pending

    def segments_of(self, release_ids: Sequence[str], lang: str) -> Iterator[int]:
        """Ids of the segments of the given releases in ``lang``."""
        for chunk in _chunks(list(release_ids), 500):
            marks = _marks(chunk)
            for (segment_id,) in self.db.execute(
                f"SELECT id FROM segments WHERE release_id IN ({marks}) AND lang=?", (*chunk, lang)
            ):
                yield segment_id

    def label_counts(self, release_ids: Sequence[str], tgt_lang: str) -> dict[str, int]:
        """How many of the releases' pairs into ``tgt_lang`` have each label (current versions)."""
        counts: dict[str, int] = {}
        for chunk in _chunks(list(release_ids), 500):
            marks = _marks(chunk)
            for label, count in self.db.execute(
                f"SELECT t.label, COUNT(*) FROM translations t JOIN segments s ON s.id = t.segment_id"
                f" WHERE s.release_id IN ({marks}) AND t.tgt_lang = ? AND t.id = {_CURRENT} GROUP BY t.label",
                (*chunk, tgt_lang),
            ):
                counts[label] = counts.get(label, 0) + count
        return counts

    def labels_by_release(self) -> dict[str, dict[str, dict[str, int]]]:
        """Release id -> target language -> label -> number of pairs (current versions), in one query."""
        counts: dict[str, dict[str, dict[str, int]]] = {}
        for release_id, lang, label, count in self.db.execute(
            "SELECT s.release_id, t.tgt_lang, t.label, COUNT(*) FROM translations t"
            f" JOIN segments s ON s.id = t.segment_id WHERE t.id = {_CURRENT}"
            " GROUP BY s.release_id, t.tgt_lang, t.label"
        ):
            counts.setdefault(release_id, {}).setdefault(lang, {})[label] = count
        return counts

    def memory_lookup(self, system_id: int, texts: Iterable[str]) -> dict[str, int]:
        """Source text -> id of the best translation the same system already has of that exact text.

        Only current versions count, and a rejected one never does. A version a person
        approved is preferred, then one a person edited, then the machine's; the newest
        among equals. So a reviewer's fix reaches every later occurrence of the sentence.
        """
        rank = {"approved": 0, "edited": 1, "new": 2}
        best: dict[str, tuple[int, int, int]] = {}
        for chunk in _chunks(sorted(set(texts)), 500):
            marks = _marks(chunk)
            for text, translation_id, status in self.db.execute(
                f"SELECT s.text, t.id, t.status FROM segments s JOIN translations t ON t.segment_id=s.id"
                f" WHERE t.system_id=? AND s.text IN ({marks}) AND t.id = {_CURRENT} AND t.status != 'rejected'",
                (system_id, *chunk),
            ):
                key = (rank.get(status, 3), -translation_id, translation_id)
                if text not in best or key < best[text]:
                    best[text] = key
        return {text: key[2] for text, key in best.items()}

    def add_translations(
        self,
        run_id: int,
        system_id: int,
        tgt_lang: str,
        items: Sequence[tuple[int, str, str, PairScores]],
    ) -> int:
        """Store ``(segment id, text, origin, scores)`` items in one transaction; returns how many were new."""
        added = 0
        with self.transaction() as db:
            for segment_id, text, origin, scores in items:
                row = db.execute(
                    "INSERT INTO translations (segment_id, system_id, tgt_lang, text, origin,"
                    " run_id, combined, label, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING RETURNING id",
                    (segment_id, system_id, tgt_lang, text, origin, run_id, scores.combined, scores.label, _now()),
                ).fetchone()
                if row is None:
                    continue
                added += 1
                _insert_scores(db, int(row[0]), scores)
        return added

    def copy_translations(self, run_id: int, copies: Sequence[tuple[int, int]]) -> int:
        """Store, for each ``(segment id, translation id)``, a copy of that translation with its scores."""
        added = 0
        with self.transaction() as db:
            for segment_id, source_id in copies:
                row = db.execute(
                    "INSERT INTO translations (segment_id, system_id, tgt_lang, text, origin,"
                    " run_id, combined, label, created_at, status)"
                    " SELECT ?, system_id, tgt_lang, text, 'memory', ?, combined, label, ?,"
                    " CASE status WHEN 'approved' THEN 'approved' ELSE 'new' END FROM translations WHERE id=?"
                    " ON CONFLICT DO NOTHING RETURNING id",
                    (segment_id, run_id, _now(), source_id),
                ).fetchone()
                if row is None:
                    continue
                added += 1
                new_id = row[0]
                db.execute("INSERT INTO scores SELECT ?, name, value FROM scores WHERE translation_id=?", (new_id, source_id))
                db.execute("INSERT INTO flags SELECT ?, name, reason FROM flags WHERE translation_id=?", (new_id, source_id))
        return added

    def pairs(
        self,
        tgt_lang: str,
        release_ids: Sequence[str] | None = None,
        min_score: float | None = None,
        labels: Sequence[str] | None = None,
        statuses: Sequence[str] | None = None,
        translation_ids: Sequence[int] | None = None,
    ) -> Iterator[Pair]:
        """Pairs in document order: each segment with the current version of its translation.

        The current version is the newest a person reviewed, else the newest machine
        translation (see ``_CURRENT``); ``statuses`` keeps only versions in those states.
        """
        where = ["t.tgt_lang = ?", f"t.id = {_CURRENT}"]
        params: list[object] = [tgt_lang]
        # Empty statuses or labels mean "any"; an empty list of ids means none.
        filters = [("t.status", statuses or None), ("t.label", labels or None), ("t.id", translation_ids),
                   ("s.release_id", release_ids)]
        for column, values in filters:
            if values is not None:
                where.append(f"{column} IN ({_marks(values)})")
                params.extend(values)
        if min_score is not None:
            where.append("t.combined >= ?")
            params.append(min_score)
        query = (
            "SELECT t.id, s.release_id, s.idx, s.lang, t.tgt_lang, s.text, t.text, y.model_id || '@' || y.revision,"
            " t.origin, t.combined, t.label, t.status, t.version, s.paragraph,"
            f" (SELECT {self.db.json_numbers_agg('name', 'value')} FROM scores WHERE translation_id = t.id),"
            f" (SELECT {self.db.json_pairs_agg('name', 'reason')} FROM flags WHERE translation_id = t.id)"
            " FROM translations t JOIN segments s ON s.id = t.segment_id JOIN systems y ON y.id = t.system_id"
            " JOIN releases r ON r.id = s.release_id"
            f" WHERE {' AND '.join(where)} ORDER BY r.date NULLS FIRST, s.release_id, s.idx"
        )
        # Exports stream; looking up given pairs (the review page) is one small query.
        rows = self.db.execute(query, params) if translation_ids is not None else self.db.stream(query, params)
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

    # --- review: versions written by people ------------------------------------------

    def pair_of(self, translation_id: int) -> Pair | None:
        """The current version of the pair that translation ``translation_id`` belongs to."""
        row = self.db.execute(
            "SELECT s.release_id, t.tgt_lang, t.segment_id FROM translations t JOIN segments s ON s.id = t.segment_id"
            " WHERE t.id = ?", (translation_id,)
        ).fetchone()
        if row is None:
            return None
        current = self.db.execute(
            f"SELECT {_current_version('?', '?')}",
            (row[2], row[1]),
        ).fetchone()
        return next(self.pairs(row[1], release_ids=[row[0]], translation_ids=[current[0]]), None)

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
            current_id, system_id = db.execute(
                f"SELECT t.id, t.system_id FROM translations t WHERE t.id = {_current_version('?', '?')}",
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
                (segment_id, system_id, tgt_lang, text, origin, scores.combined, scores.label, _now(), version,
                 status, current_id),
            ).fetchone()[0])
            _insert_scores(db, new_id, scores)
        return new_id

    def release_langs(self, release_id: str) -> list[str]:
        """Target languages the release has translations into."""
        return [lang for (lang,) in self.db.execute(
            "SELECT DISTINCT t.tgt_lang FROM translations t JOIN segments s ON s.id = t.segment_id"
            " WHERE s.release_id = ? ORDER BY t.tgt_lang", (release_id,)
        )]

    def release_record(self, release_id: str) -> dict[str, object] | None:
        row = self.db.execute(
            "SELECT id, lang, title, date, source, dropped FROM releases WHERE id=?", (release_id,)
        ).fetchone()
        if row is None:
            return None
        record = dict(zip(("id", "lang", "title", "date", "source", "dropped"), row))
        record["dropped"] = json.loads(str(record["dropped"]))
        return record


def _marks(values: Sequence[object]) -> str:
    """Placeholders for ``IN (...)`` with one ``?`` per value."""
    return ",".join("?" * len(values))


def _insert_scores(db: Database, translation_id: int, scores: PairScores) -> None:
    """The named scores and flags of one stored translation."""
    db.executemany(
        "INSERT INTO scores (translation_id, name, value) VALUES (?, ?, ?)",
        [(translation_id, name, float(value)) for name, value in scores.values.items()],
    )
    db.executemany(
        "INSERT INTO flags (translation_id, name, reason) VALUES (?, ?, ?)",
        [(translation_id, flag.name, flag.reason) for flag in scores.flags],
    )


def _add_translation_versions(db: Database) -> None:
    """Schema 2 -> 3: translations gain version, status and previous_id.

    SQLite cannot change a UNIQUE constraint in place, so the table is rebuilt with the
    same ids (scores and flags refer to them) inside the caller's transaction.
    """
    # The order SQLite documents for this: build the new table, copy, drop the old one,
    # rename the new one (renaming the old one instead would repoint scores and flags).
    columns = "id, segment_id, system_id, tgt_lang, text, origin, run_id, combined, label, created_at"
    create = next(s for s in _SCHEMA_STATEMENTS if s.startswith("CREATE TABLE IF NOT EXISTS translations ("))
    db.execute(create.replace("IF NOT EXISTS translations (", "translations_v3 ("))
    db.execute(f"INSERT INTO translations_v3 ({columns}) SELECT {columns} FROM translations")
    db.execute("DROP TABLE translations")
    db.execute("ALTER TABLE translations_v3 RENAME TO translations")
    db.execute("CREATE INDEX IF NOT EXISTS translations_by_lang ON translations(tgt_lang, segment_id)")


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
