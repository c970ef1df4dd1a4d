"""Runs and translation systems: what was run, with which settings, and how it ended.

One run at a time writes to a database: :meth:`RunQueries.begin_run` takes the
database's run lock (see :meth:`.backends.Database.acquire_run_lock`) and a second run
is refused with a message naming the first, so no sentence is translated twice. The
lock dies with its process, so a run still marked ``running`` while nobody holds the
lock was killed: it is marked ``stale``. Settings are stored without their secrets.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Sequence

from ..errors import StoreError
from ..translate.base import SystemInfo
from .backends import SECRET_NAME, redact_secrets
from .sql import StorePart, now


class RunQueries(StorePart):
    """The ``systems`` and ``runs`` tables."""

    def system_id(self, system: SystemInfo) -> int:
        signature = system.signature()
        with self.transaction() as db:
            db.execute(
                "INSERT INTO systems (signature, model_id, revision, src_lang, tgt_lang,"
                " backend, decoding, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (signature, system.model_id, system.revision, system.src_lang, system.tgt_lang,
                 system.backend, json.dumps(system.decoding, sort_keys=True), now()),
            )
            return int(db.execute("SELECT id FROM systems WHERE signature=?", (signature,)).fetchone()[0])

    def begin_run(self, inputs: Sequence[str], langs: Sequence[str], config_json: str, tool_version: str) -> int:
        """Record a new run and hold the database's run lock until :meth:`finish_run`.

        Raises :class:`StoreError` when another run holds it. Passwords, tokens and the
        like in ``config_json`` and ``inputs`` are replaced by ``***`` before storing.
        """
        if not self.db.acquire_run_lock():
            raise StoreError(f"{self.where}: {self._running_description()} is writing to this database;"
                             " wait for it to finish (or stop it), then run again")
        try:
            self._mark_stale_runs()  # we hold the lock, so no other run is alive
            with self.transaction() as db:
                return int(db.execute(
                    "INSERT INTO runs (started_at, status, inputs, langs, config, tool_version, owner)"
                    " VALUES (?, 'running', ?, ?, ?, ?, ?) RETURNING id",
                    (now(), json.dumps([redact_secrets(str(i)) for i in inputs]), ",".join(langs),
                     json.dumps(without_secrets(json.loads(config_json)), sort_keys=True), tool_version,
                     f"process {os.getpid()} on {socket.gethostname()}"),
                ).fetchone()[0])
        except BaseException:
            self.db.release_run_lock()
            raise

    def finish_run(self, run_id: int, status: str, summary: dict[str, object]) -> None:
        try:
            with self.transaction() as db:
                db.execute(
                    "UPDATE runs SET finished_at=?, status=?, summary=? WHERE id=?",
                    (now(), status, json.dumps(summary), run_id),
                )
            if status == "done":
                self.db.refresh_statistics()  # so the next run, export or page is planned for these rows
        finally:
            self.db.release_run_lock()

    def runs(self) -> list[dict[str, object]]:
        """Every run, oldest first; one killed while running shows as ``stale``."""
        if self.db.run_lock_free():
            self._mark_stale_runs()
        rows = self.db.execute(
            "SELECT id, started_at, finished_at, status, langs, summary FROM runs ORDER BY id"
        ).fetchall()
        keys = ("id", "started_at", "finished_at", "status", "langs", "summary")
        return [dict(zip(keys, row)) for row in rows]

    def _mark_stale_runs(self) -> None:
        with self.transaction() as db:
            db.execute("UPDATE runs SET status='stale' WHERE status='running'")

    def _running_description(self) -> str:
        row = self.db.execute(
            "SELECT id, started_at, owner FROM runs WHERE status='running' ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return "another run"
        return f"run {row[0]} (started {row[1]}{f', {row[2]}' if row[2] else ''})"


def without_secrets(value: object) -> object:
    """``value`` (parsed JSON) with secret-named settings and URL passwords replaced by ``***``."""
    if isinstance(value, dict):
        return {key: "***" if SECRET_NAME.search(str(key)) and value[key] not in (None, "")
                else without_secrets(value[key]) for key in value}
    if isinstance(value, list):
        return [without_secrets(item) for item in value]
    if isinstance(value, str):
        return redact_secrets(value)
    return value
