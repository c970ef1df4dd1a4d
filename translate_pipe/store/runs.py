"""Runs and translation systems: what was run, with which settings, and how it ended."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..translate.base import SystemInfo
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
        with self.transaction() as db:
            return int(db.execute(
                "INSERT INTO runs (started_at, status, inputs, langs, config, tool_version)"
                " VALUES (?, 'running', ?, ?, ?, ?) RETURNING id",
                (now(), json.dumps(list(inputs)), ",".join(langs), config_json, tool_version),
            ).fetchone()[0])

    def finish_run(self, run_id: int, status: str, summary: dict[str, object]) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET finished_at=?, status=?, summary=? WHERE id=?",
                (now(), status, json.dumps(summary), run_id),
            )

    def runs(self) -> list[dict[str, object]]:
        rows = self.db.execute(
            "SELECT id, started_at, finished_at, status, langs, summary FROM runs ORDER BY id"
        ).fetchall()
        keys = ("id", "started_at", "finished_at", "status", "langs", "summary")
        return [dict(zip(keys, row)) for row in rows]
