"""The database: releases, segments, systems, runs, translations, scores and flags.

SQLite (a file, in WAL mode) by default, PostgreSQL when the store is a
``postgresql://`` URL; the SQL is shared and :mod:`.backends` adapts it. Unique keys make
every write idempotent: a release is keyed by its content hash, a segment by (release,
language, index), a translation by (segment, system, version). Each batch of
translations is committed on its own, so a run that is interrupted keeps what it
finished and the next run continues from there.

:class:`Store` is composed of one part per seam: :mod:`.schema` (tables and
migrations), :mod:`.releases`, :mod:`.alignments`, :mod:`.runs`, :mod:`.pairs`
(translations, the translation memory, label counts), :mod:`.memory_index` (the
memory's index, kept as pairs are written) and :mod:`.review` (versions written by people).
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from .alignments import AlignmentQueries
from .backends import Database, is_postgres_url, open_database, redact, sqlite_path
from .releases import ReleaseQueries
from .review import STATUSES, ReviewQueries
from .runs import RunQueries
from .schema import SCHEMA_VERSION, migrate

__all__ = ["SCHEMA_VERSION", "STATUSES", "Store", "default_shard_dir", "is_postgres_url", "redact", "sqlite_path"]


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


class Store(ReleaseQueries, AlignmentQueries, RunQueries, ReviewQueries):
    """A translate-pipe database. Use as a context manager, or call :meth:`close`."""

    def __init__(self, url_or_path: str | Path):
        self.db: Database = open_database(str(url_or_path))
        #: Where the data lives, for messages: a path, or a URL without its password.
        self.where = self.db.where
        try:
            migrate(self.db, self.where)
        except BaseException:
            self.db.close()
            raise

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()
