"""The tables, the schema version, and the migrations from older versions."""

from __future__ import annotations

from ..errors import StoreError
from . import memory_index
from .backends import Database

SCHEMA_VERSION = 6

SCHEMA = """
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
-- The release list is paged in this order (date, then id), so a page reads only its rows.
CREATE INDEX IF NOT EXISTS releases_by_date ON releases(date, id);
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
-- runs.owner: who runs it (process id and host), for the message a second run gets.
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    inputs TEXT NOT NULL,
    langs TEXT NOT NULL,
    config TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    summary TEXT,
    owner TEXT
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
    -- The aligner's verdict on the reference pair (align/verdict.py: parallel, partial,
    -- not_parallel, uncertain), the same on every bead of it, NULL before schema 5.
    verdict TEXT,
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
-- The translation memory's index (memory_index.py): per system and source text (a hash of
-- it), the best current version that is not rejected, kept up to date as pairs are written.
-- preference: 0 approved, 1 edited, 2 the machine's.
CREATE TABLE IF NOT EXISTS memory_best (
    system_id INTEGER NOT NULL REFERENCES systems(id),
    text_key TEXT NOT NULL,
    translation_id INTEGER NOT NULL REFERENCES translations(id),
    preference INTEGER NOT NULL,
    PRIMARY KEY (system_id, text_key)
);
"""


SCHEMA_STATEMENTS = [statement.strip() for statement in SCHEMA.split(";") if statement.strip()]


def schema_version(db: Database) -> int | None:
    row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    return None if row is None else int(row[0])


def migrate(db: Database, where: str) -> None:
    """Create the tables, or bring an older database up to :data:`SCHEMA_VERSION`."""
    # A current database needs nothing: one read, not the whole schema script (the review
    # server opens the store once per request).
    try:
        if schema_version(db) == SCHEMA_VERSION:
            return
    except StoreError:
        pass  # no meta table yet, or not a database: create_schema says which
    # CREATE ... IF NOT EXISTS is idempotent, so two processes may race here safely.
    db.create_schema(SCHEMA_STATEMENTS)
    if schema_version(db) == SCHEMA_VERSION:
        return
    with db.schema_change():
        version = schema_version(db)
        if version is None:
            db.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                       (str(SCHEMA_VERSION),))
        elif version < SCHEMA_VERSION:
            if version < 3:
                _add_translation_versions(db)  # schemas before 3 were SQLite only
            if version < 4:
                _add_run_owner_and_release_order(db)
            if version < 5:
                _add_alignment_verdict(db)
            if version < 6:
                _add_memory_index(db)
            db.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION),))
        elif version > SCHEMA_VERSION:
            raise StoreError(
                f"{where}: written by a newer translate-pipe (schema {version}); upgrade translate-pipe"
            )


def _add_translation_versions(db: Database) -> None:
    """Schema 2 -> 3: translations gain version, status and previous_id.

    SQLite cannot change a UNIQUE constraint in place, so the table is rebuilt with the
    same ids (scores and flags refer to them) inside the caller's transaction.
    """
    # The order SQLite documents for this: build the new table, copy, drop the old one,
    # rename the new one (renaming the old one instead would repoint scores and flags).
    columns = "id, segment_id, system_id, tgt_lang, text, origin, run_id, combined, label, created_at"
    create = next(s for s in SCHEMA_STATEMENTS if s.startswith("CREATE TABLE IF NOT EXISTS translations ("))
    db.execute(create.replace("IF NOT EXISTS translations (", "translations_v3 ("))
    db.execute(f"INSERT INTO translations_v3 ({columns}) SELECT {columns} FROM translations")
    db.execute("DROP TABLE translations")
    db.execute("ALTER TABLE translations_v3 RENAME TO translations")
    db.execute("CREATE INDEX IF NOT EXISTS translations_by_lang ON translations(tgt_lang, segment_id)")


def _add_run_owner_and_release_order(db: Database) -> None:
    """Schema 3 -> 4: runs gain their owner; releases an index in the order they are listed."""
    columns = [column[0] for column in db.execute("SELECT * FROM runs LIMIT 0").description]
    if "owner" not in columns:  # a database some tables of which were created by this version
        db.execute("ALTER TABLE runs ADD COLUMN owner TEXT")
    db.ddl("CREATE INDEX IF NOT EXISTS releases_by_date ON releases(date, id)")


def _add_alignment_verdict(db: Database) -> None:
    """Schema 4 -> 5: alignments gain the verdict on their reference pair (NULL: not known)."""
    columns = [column[0] for column in db.execute("SELECT * FROM alignments LIMIT 0").description]
    if "verdict" not in columns:
        db.execute("ALTER TABLE alignments ADD COLUMN verdict TEXT")


def _add_memory_index(db: Database) -> None:
    """Schema 5 -> 6: the translation memory's index, built from the stored translations."""
    create = next(s for s in SCHEMA_STATEMENTS if "CREATE TABLE IF NOT EXISTS memory_best (" in s)
    db.ddl(create)  # PostgreSQL's create_schema skips a database that has tables already
    memory_index.rebuild(db)
