"""Database connections behind one small protocol: SQLite (a file) and PostgreSQL (a URL).

The store writes its SQL once, in the subset both engines speak: ``?`` placeholders,
``INSERT ... ON CONFLICT DO NOTHING``, ``RETURNING id``, ``NULLS FIRST``. A backend
adapts the rest: how to connect and open a write transaction, the column types of the
schema, JSON aggregation, and how to lock a row against a concurrent writer.
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from ..errors import ConfigError, StoreError

POSTGRES_SCHEMES = ("postgresql", "postgres")


class Database(Protocol):
    """A connection the store reads and writes through."""

    #: Where the data lives, fit for messages (a path, or a URL without its password).
    where: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; the result iterates over rows and has fetchone/fetchall."""

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """Run one statement per row; returns how many rows it changed in all."""

    def insert_new(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows that cannot collide with stored ones (the scores of new translations),
        the fastest way the engine has (PostgreSQL: COPY)."""

    def insert_returning(self, sql: str, rows: Sequence[Sequence[Any]]) -> list[tuple | None]:
        """Run an ``INSERT ... RETURNING`` once per row, in one batch where the engine allows:
        for each row, the row it returned, or None (``ON CONFLICT DO NOTHING`` skipped it)."""

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple]:
        """The rows of a query, fetched as they are read (an export may not fit in memory)."""

    def transaction(self) -> Any:
        """A context manager: everything written inside lands, or nothing does."""

    def schema_change(self) -> Any:
        """A context manager: a transaction in which tables may be rebuilt in place."""

    def create_schema(self, statements: Sequence[str]) -> None:
        """Run the schema's CREATE ... IF NOT EXISTS statements, safe against a concurrent creator."""

    def ddl(self, statement: str) -> None:
        """Run one statement of the shared schema (a migration's), in this engine's column types."""

    def json_numbers_agg(self, key: str, value: str) -> str:
        """SQL aggregating ``key``/``value`` columns into a JSON object (as text).

        The values are the numbers as decimal strings that read back as the same float:
        JSON number output rounds (SQLite's to 15 digits).
        """

    def json_pairs_agg(self, first: str, second: str) -> str:
        """SQL aggregating two columns into a JSON array of two-element arrays (as text)."""

    def per_release(self, query: str, release_ids: Sequence[str], params: Sequence[Any] = (),
                    order_by: str = "") -> Iterator[tuple[str, list[Any]]]:
        """Statements, with their parameters, that run ``query`` for the given releases.

        ``query`` reads segments as ``s`` and selects the releases' rows with the condition
        ``{releases}``; ``params`` are its own parameters, in order. ``order_by`` (output
        column numbers) orders each statement's rows. Each release is read by its key, so
        the cost follows the releases asked about, not the archive.
        """

    def lock_row(self, table: str, row_id: int) -> None:
        """Inside a transaction: hold off other writers of this row until it ends."""

    def acquire_run_lock(self) -> bool:
        """Take the database's run lock without waiting; False when another process holds it.

        The lock lives as long as this connection (a file lock, a PostgreSQL session
        lock), so a killed run releases it: a run that is "running" in the table while
        nobody holds the lock is stale.
        """

    def release_run_lock(self) -> None: ...

    def run_lock_free(self) -> bool:
        """True when no process (this one included) holds the run lock."""

    def refresh_statistics(self) -> None:
        """Let the query planner see the tables as they now are (after a run wrote many rows)."""

    def close(self) -> None: ...


def _one_line(where: str, exc: BaseException) -> StoreError:
    """A driver's error as ours: where, then the reason on one line (a server that goes
    away mid-run, a locked file: the user's to fix, not a traceback)."""
    return StoreError(f"{where}: {' '.join(str(exc).split())}")


@contextmanager
def _store_errors(where: str, errors: type[BaseException] | tuple[type[BaseException], ...]) -> Iterator[None]:
    try:
        yield
    except errors as exc:
        raise _one_line(where, exc) from exc


#: Names of settings and URL parameters whose value is a secret.
SECRET_NAME = re.compile(r"pass(word|wd|phrase)?|secret|token|api_?key|credential", re.IGNORECASE)
_SECRET_ASSIGNMENT = re.compile(r"\b([\w-]*(?:pass(?:word|wd|phrase)?|secret|token|api_?key|credential)[\w-]*)=([^\s&;]*)",
                                re.IGNORECASE)
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s\"']+")


def redact(url: str) -> str:
    """The URL without its password (in the user part or a ``?password=`` parameter), for messages and logs."""
    parts = urlsplit(url)
    if parts.password is not None:
        netloc = parts.netloc.rsplit("@", 1)
        parts = parts._replace(netloc=f"{parts.username}:***@{netloc[-1]}")
    if parts.query:
        parts = parts._replace(query=_SECRET_ASSIGNMENT.sub(r"\1=***", parts.query))
    return urlunsplit(parts)


def redact_secrets(text: str) -> str:
    """Text with every URL's password and every ``password=...``-like assignment replaced by ``***``.

    For what is stored or printed: a libpq keyword string (``host=db password=x``) has
    secrets too, not only a URL.
    """
    return _SECRET_ASSIGNMENT.sub(r"\1=***", _URL.sub(lambda match: redact(match.group(0)), text))


def is_postgres_url(url_or_path: str) -> bool:
    return url_or_path.split("://", 1)[0] in POSTGRES_SCHEMES and "://" in url_or_path


def sqlite_path(url_or_path: str) -> str:
    """The file path of a SQLite database given as a path or ``sqlite:///path`` URL."""
    if url_or_path.startswith("sqlite:///"):
        return url_or_path[len("sqlite:///"):]
    if "://" in url_or_path:
        scheme = url_or_path.split("://", 1)[0]
        raise ConfigError(
            f"database URL scheme '{scheme}' is not supported: use a SQLite path, sqlite:///PATH"
            " or postgresql://USER@HOST/DATABASE"
        )
    return url_or_path


def open_database(url_or_path: str) -> Database:
    """The backend a store path or URL names: PostgreSQL for postgresql:// URLs, else SQLite."""
    if is_postgres_url(url_or_path):
        return PostgresDatabase(url_or_path)
    return SQLiteDatabase(sqlite_path(url_or_path))


class SQLiteDatabase:
    """A SQLite file in WAL mode; write transactions take the write lock up front."""

    def __init__(self, path: str):
        self.where = path
        parent = Path(path).parent
        if path != ":memory:" and not parent.is_dir():
            raise StoreError(f"{path}: the folder {parent} does not exist")
        try:
            # Not tied to the opening thread: the review service gives each thread its own
            # connection and closes them all from the thread that stops the server.
            self.connection = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=NORMAL")
            self.connection.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot open as a translate-pipe database: {exc}") from None
        self._run_lock: IO[bytes] | None = None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        with _store_errors(self.where, sqlite3.Error):
            return self.connection.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        with _store_errors(self.where, sqlite3.Error):
            return max(self.connection.executemany(sql, rows).rowcount, 0)

    def insert_new(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        names = ", ".join(f'"{column}"' for column in columns)
        self.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)

    def insert_returning(self, sql: str, rows: Sequence[Sequence[Any]]) -> list[tuple | None]:
        # In-process: a statement a row costs no round trip (and executemany cannot return rows).
        with _store_errors(self.where, sqlite3.Error):
            return [self.connection.execute(sql, row).fetchone() for row in rows]

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple]:
        with _store_errors(self.where, sqlite3.Error):
            yield from self.connection.execute(sql, params)  # SQLite cursors step lazily already

    @contextmanager
    def transaction(self) -> Iterator[None]:
        # IMMEDIATE: take the write lock now, so two writers queue instead of one failing
        # when it upgrades a read lock halfway through.
        self.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.execute("ROLLBACK")
            raise
        else:
            self.execute("COMMIT")

    @contextmanager
    def schema_change(self) -> Iterator[None]:
        # Foreign keys must be off while a table is rebuilt (scores and flags keep pointing
        # at the same ids), and SQLite only switches them outside a transaction.
        self.execute("PRAGMA foreign_keys=OFF")
        try:
            with self.transaction():
                yield
        finally:
            self.execute("PRAGMA foreign_keys=ON")

    def create_schema(self, statements: Sequence[str]) -> None:
        # CREATE ... IF NOT EXISTS is atomic in SQLite, so concurrent creators are safe.
        try:
            self.connection.executescript(";\n".join(statements) + ";")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.where}: cannot open as a translate-pipe database: {exc}") from None

    def ddl(self, statement: str) -> None:
        self.execute(statement)

    def json_numbers_agg(self, key: str, value: str) -> str:
        # The ! flag makes SQLite print all 17 significant digits a double needs.
        return f"json_group_object({key}, printf('%!.17g', {value}))"

    def json_pairs_agg(self, first: str, second: str) -> str:
        return f"json_group_array(json_array({first}, {second}))"

    def per_release(self, query: str, release_ids: Sequence[str], params: Sequence[Any] = (),
                    order_by: str = "") -> Iterator[tuple[str, list[Any]]]:
        # An IN list, 500 releases a statement (under SQLite's limit on parameters): SQLite
        # reads each release's segments by index whatever the share of the archive they are.
        order = f" ORDER BY {order_by}" if order_by else ""
        before = query.split("{releases}", 1)[0].count("?")  # the query's parameters ahead of the list
        release_ids = list(dict.fromkeys(release_ids))  # a release given twice is read once
        for start in range(0, len(release_ids), 500):
            batch = release_ids[start : start + 500]
            yield (query.replace("{releases}", f"s.release_id IN ({','.join('?' * len(batch))})") + order,
                   [*params[:before], *batch, *params[before:]])

    def lock_row(self, table: str, row_id: int) -> None:
        pass  # BEGIN IMMEDIATE already excludes every other writer

    # The run lock is an flock on a file beside the database: SQLite's own locks last a
    # transaction, and a run is many transactions. The kernel drops it when the process dies.
    def _try_flock(self) -> IO[bytes] | None:
        if self.where == ":memory:":
            return open(os.devnull, "rb")  # no other process can open this database
        try:
            handle = open(f"{self.where}.run-lock", "ab")
        except OSError as exc:
            raise _one_line(f"{self.where}.run-lock", exc) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return None
        return handle

    def acquire_run_lock(self) -> bool:
        if self._run_lock is None:
            self._run_lock = self._try_flock()
        return self._run_lock is not None

    def release_run_lock(self) -> None:
        if self._run_lock is not None:
            self._run_lock.close()  # closing the file drops the lock
            self._run_lock = None

    def run_lock_free(self) -> bool:
        if self._run_lock is not None:
            return False
        handle = self._try_flock()
        if handle is None:
            return False
        handle.close()
        return True

    def refresh_statistics(self) -> None:
        self.execute("PRAGMA optimize")  # analyses only the tables whose statistics went stale

    def close(self) -> None:
        self.release_run_lock()
        self.connection.close()


# Column types of the shared schema in PostgreSQL. Ids are 64-bit identities; every text
# column sorts byte-wise ("C"), as in SQLite, so both stores export in the same order.
_POSTGRES_TYPES = [
    (re.compile(r"\bINTEGER PRIMARY KEY\b"), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    (re.compile(r"\bTEXT\b"), 'TEXT COLLATE "C"'),
    # A B-tree entry must fit in a third of a page, and a segment's text may not: hash it.
    (re.compile(r"ON segments\(text\)"), "ON segments USING hash (text)"),
    # Listed ORDER BY date NULLS FIRST, which PostgreSQL's default ascending index puts last.
    (re.compile(r"ON releases\(date, id\)"), "ON releases (date NULLS FIRST, id)"),
]

#: Rows a streamed query fetches from the server at a time.
STREAM_BATCH = 2000

# Any number, the same in every process: serialises schema creation across processes.
_SCHEMA_LOCK = 0x7472616E736C  # "transl"
# Another, held by a run for its whole length (a session lock: it ends with the connection).
_RUN_LOCK = 0x7472616E7275  # "tranru"


class PostgresDatabase:
    """A PostgreSQL database named by a libpq URL, through psycopg 3.

    Autocommit outside :meth:`transaction`, so reads never hold a transaction open.
    """

    def __init__(self, url: str):
        self.where = redact(url)
        self._url = url
        try:
            import psycopg
        except ImportError:
            raise ConfigError(
                f"{self.where}: a PostgreSQL store needs psycopg: pip install \"translate-pipe[postgres]\""
            ) from None
        self._psycopg = psycopg
        try:
            self.connection = self._connect(autocommit=True)
        except psycopg.Error as exc:
            raise _one_line(f"{self.where}: cannot connect to PostgreSQL", exc) from None
        self._sql: dict[str, str] = {}
        self._run_locked = False

    def _connect(self, autocommit: bool) -> Any:
        connection = self._psycopg.connect(self._url, autocommit=autocommit, connect_timeout=10)
        # Floats as text must read back exactly (0 would round them to 15 digits). No JIT:
        # the store's statements are many short index probes, which PostgreSQL's cost
        # estimates push over the JIT threshold; compiling them cost more than it saved
        # (label counts at 1,000 releases: 0.38-0.53 s of server CPU with JIT, 0.20-0.22 s without).
        connection.execute("SET extra_float_digits = 3; SET jit = off")
        return connection

    def _adapt(self, sql: str) -> str:
        adapted = self._sql.get(sql)
        if adapted is None:
            # psycopg's placeholder is %s, and a literal % must be doubled.
            adapted = self._sql[sql] = sql.replace("%", "%%").replace("?", "%s")
        return adapted

    def _errors_as_store_errors(self) -> Any:
        return _store_errors(self.where, self._psycopg.Error)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._errors_as_store_errors():
            return self.connection.execute(self._adapt(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        if not rows:
            return 0
        with self._errors_as_store_errors(), self.connection.cursor() as cursor:
            cursor.executemany(self._adapt(sql), [tuple(row) for row in rows])
            return max(cursor.rowcount, 0)

    def insert_new(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        # COPY: one stream of rows, no statement a row (executemany still runs one each).
        if not rows:
            return
        names = ", ".join(f'"{column}"' for column in columns)
        with self._errors_as_store_errors(), self.connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def insert_returning(self, sql: str, rows: Sequence[Sequence[Any]]) -> list[tuple | None]:
        # One pipelined batch: a statement a row with its own round trip made the first
        # run into PostgreSQL 3-4x slower than into SQLite.
        if not rows:
            return []
        returned: list[tuple | None] = []
        with self._errors_as_store_errors(), self.connection.cursor() as cursor:
            cursor.executemany(self._adapt(sql), [tuple(row) for row in rows], returning=True)
            while True:
                returned.append(cursor.fetchone())
                if not cursor.nextset():
                    break
        if len(returned) != len(rows):
            raise StoreError(f"{self.where}: {len(rows)} rows sent, {len(returned)} results back")
        return returned

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._errors_as_store_errors(), self.connection.transaction():
            yield

    @contextmanager
    def schema_change(self) -> Iterator[None]:
        # DDL is transactional in PostgreSQL; the lock makes a second migrating process
        # wait, then find the schema already changed.
        with self.transaction():
            self.execute("SELECT pg_advisory_xact_lock(?)", (_SCHEMA_LOCK,))
            yield

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple]:
        # A server-side cursor, on a connection of its own: its transaction stays open while
        # the caller reads, and the caller may use the store meanwhile (or stop reading).
        with self._errors_as_store_errors():
            with self._connect(autocommit=False) as connection:
                with connection.cursor(name="translate_pipe_stream") as cursor:
                    cursor.itersize = STREAM_BATCH
                    cursor.execute(self._adapt(sql), tuple(params))
                    yield from cursor

    def create_schema(self, statements: Sequence[str]) -> None:
        if self.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()[0]:
            return
        with self.transaction():
            # Two processes creating the same tables at once collide in the catalogue even
            # with IF NOT EXISTS; the lock makes the second wait and then find them.
            self.execute("SELECT pg_advisory_xact_lock(?)", (_SCHEMA_LOCK,))
            for statement in statements:
                self.ddl(statement)

    def ddl(self, statement: str) -> None:
        for pattern, replacement in _POSTGRES_TYPES:
            statement = pattern.sub(replacement, statement)
        self.execute(statement)

    def json_numbers_agg(self, key: str, value: str) -> str:
        return f"json_object_agg({key}, {value}::text)::text"

    def json_pairs_agg(self, first: str, second: str) -> str:
        return f"json_agg(json_build_array({first}, {second}))::text"

    def per_release(self, query: str, release_ids: Sequence[str], params: Sequence[Any] = (),
                    order_by: str = "") -> Iterator[tuple[str, list[Any]]]:
        # One statement for all the releases, the query run once per release on its key. As
        # an IN list (or = ANY), a few hundred releases of a small archive are a large share
        # of it, and PostgreSQL then reads every segment and hashes every translation of the
        # system, once per list: a run's windows of 256 releases made the pending segments
        # cost 14 ms a window at 1,000 releases and 92 ms at 4,000 (quadratic). A LATERAL
        # subquery fenced by OFFSET 0 cannot be flattened into such a join.
        if not release_ids:
            return
        order = f" ORDER BY {order_by}" if order_by else ""
        per_one = query.replace("{releases}", "s.release_id = r.id")
        yield (f"SELECT x.* FROM unnest(?::text[]) AS r(id) CROSS JOIN LATERAL ({per_one} OFFSET 0) x{order}",
               [list(dict.fromkeys(release_ids)), *params])  # a release given twice is read once, as by IN

    def lock_row(self, table: str, row_id: int) -> None:
        self.execute(f"SELECT 1 FROM {table} WHERE id = ? FOR UPDATE", (row_id,))

    def acquire_run_lock(self) -> bool:
        if not self._run_locked:
            self._run_locked = bool(self.execute("SELECT pg_try_advisory_lock(?)", (_RUN_LOCK,)).fetchone()[0])
        return self._run_locked

    def release_run_lock(self) -> None:
        if self._run_locked:
            self.execute("SELECT pg_advisory_unlock(?)", (_RUN_LOCK,))
            self._run_locked = False

    def run_lock_free(self) -> bool:
        if self._run_locked or not self.execute("SELECT pg_try_advisory_lock(?)", (_RUN_LOCK,)).fetchone()[0]:
            return False
        self.execute("SELECT pg_advisory_unlock(?)", (_RUN_LOCK,))
        return True

    def refresh_statistics(self) -> None:
        # A fresh database's plans assume empty tables until autovacuum catches up, so a run
        # analyses what it changed. Only tables changed by more than autovacuum's own rule
        # (50 rows + 10 %) since their last analysis: ANALYZE reads up to 30,000 rows a table,
        # which made adding one release to a large archive cost twice adding it to an empty one.
        tables = ("releases", "release_origins", "segments", "translations", "scores", "flags", "memory_best")
        if self.connection.info.server_version >= 150000:
            # This process's latest writes may not be counted yet (a server process reports
            # its counts at most once a second): reported after the ANALYZE they would make
            # the tables look changed at the next check (a flaky test caught it).
            self.execute("SELECT pg_stat_force_next_flush()")
        stale = [name for (name,) in self.execute(
            "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
            " WHERE s.schemaname = current_schema() AND s.relname = ANY(?)"
            " AND (s.n_mod_since_analyze > 50 + 0.1 * GREATEST(c.reltuples, 0)"
            " OR (s.last_analyze IS NULL AND s.last_autoanalyze IS NULL))",
            (list(tables),),
        )]
        if stale:
            self.execute(f"ANALYZE {', '.join(name for name in tables if name in stale)}")

    def close(self) -> None:
        self.connection.close()
