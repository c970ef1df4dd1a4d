"""Releases and their segments: stored once each, keyed by content hash and (release, language, index)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..ingest import origin_key
from ..model import Release, Segment
from .sql import StorePart, chunks, now, placeholders


class ReleaseQueries(StorePart):
    """Releases, the names they were read under, and their segments."""

    def add_release(self, release: Release, segments: Sequence[Segment]) -> bool:
        """Store a release with its segments; False when it was already there."""
        with self.transaction() as db:
            added = db.execute(
                "INSERT INTO releases (id, lang, title, date, source, dropped, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                (release.id, release.lang, release.title, release.date, release.source,
                 json.dumps(list(release.dropped), ensure_ascii=False), now()),
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
        for chunk in chunks(list(release_ids), 500):
            marks = placeholders(chunk)
            for release_id, origin, external_id in self.db.execute(
                f"SELECT release_id, origin, external_id FROM release_origins WHERE release_id IN ({marks})", chunk
            ):
                keys.setdefault(release_id, []).append(origin_key(origin, external_id))
        return keys

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

    def release_record(self, release_id: str) -> dict[str, object] | None:
        row = self.db.execute(
            "SELECT id, lang, title, date, source, dropped FROM releases WHERE id=?", (release_id,)
        ).fetchone()
        if row is None:
            return None
        record = dict(zip(("id", "lang", "title", "date", "source", "dropped"), row))
        record["dropped"] = json.loads(str(record["dropped"]))
        return record

    def release_langs(self, release_id: str) -> list[str]:
        """Target languages the release has translations into."""
        return [lang for (lang,) in self.db.execute(
            "SELECT DISTINCT t.tgt_lang FROM translations t JOIN segments s ON s.id = t.segment_id"
            " WHERE s.release_id = ? ORDER BY t.tgt_lang", (release_id,)
        )]
