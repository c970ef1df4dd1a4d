"""Releases and their segments: stored once each, keyed by content hash and (release, language, index)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..ingest import origin_key
from ..model import Release, Segment
from .paging import Page, check_page
from .sql import StorePart, chunks, now, placeholders

_LISTED = ("id", "lang", "title", "date", "source")


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
            if added:  # a new release: none of its segments can be stored yet
                db.insert_new("segments", ("release_id", "lang", "idx", "paragraph", "kind", "text", "start", "end"),
                              [(s.release_id, s.lang, s.index, s.paragraph, s.kind, s.text, s.start, s.end)
                               for s in segments])
            db.execute(
                "INSERT INTO release_origins (release_id, origin, external_id) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (release.id, release.origin, release.external_id),
            )
        return added

    def has_release(self, release_id: str) -> bool:
        """Is a release with this content hash stored (so its segments are too)?"""
        return self.db.execute("SELECT 1 FROM releases WHERE id = ?", (release_id,)).fetchone() is not None

    def add_release_origin(self, release: Release) -> None:
        """Record another name a stored release was read under (its file stem or JSON-lines id)."""
        # One statement, atomic on its own: no BEGIN and COMMIT around it (a no-op re-run
        # calls this for every release, and on PostgreSQL each is a round trip).
        self.db.execute(
            "INSERT INTO release_origins (release_id, origin, external_id) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (release.id, release.origin, release.external_id),
        )

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

    def release_titles(self, release_ids: Sequence[str]) -> dict[str, str]:
        """Release id -> title, for the given releases (a page of the list)."""
        titles: dict[str, str] = {}
        for chunk in chunks(list(release_ids), 500):
            titles.update(self.db.execute(
                f"SELECT id, title FROM releases WHERE id IN ({placeholders(chunk)})", chunk
            ).fetchall())
        return titles

    def releases(self) -> list[dict[str, object]]:
        """Every release, in date order (see :meth:`release_page` for one page of them)."""
        rows = self.db.execute(
            "SELECT id, lang, title, date, source FROM releases ORDER BY date NULLS FIRST, id"
        ).fetchall()
        return [dict(zip(_LISTED, row)) for row in rows]

    def release_page(self, search: str | None = None, date_from: str | None = None, date_to: str | None = None,
                     limit: int | None = None, offset: int | None = None) -> Page[dict[str, object]]:
        """One page of the releases in date order, with how many match.

        ``search`` finds a title (or id) containing it, ignoring ASCII case; ``date_from``
        and ``date_to`` bound the date inclusively by prefix ("2018", "2018-09" or a day).
        The page is read along the ``releases_by_date`` index, so the first page costs
        the same in any archive; the total is one count over the releases (not their
        sentences).
        """
        limit, offset = check_page(limit, offset)
        where, params = ["1 = 1"], []
        if search:
            pattern = "%" + search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where.append("(lower(title) LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\')")
            params += [pattern, pattern]
        if date_from:
            where.append("date >= ?")
            params.append(date_from)
        if date_to:
            where.append("date <= ?")
            params.append(date_to + "\uffff")  # every date that starts with date_to sorts below this
        condition = " AND ".join(where)
        (total,) = self.db.execute(f"SELECT COUNT(*) FROM releases WHERE {condition}", params).fetchone()
        rows = self.db.execute(
            f"SELECT id, lang, title, date, source FROM releases WHERE {condition}"
            " ORDER BY date NULLS FIRST, id LIMIT ? OFFSET ?", (*params, limit, offset)
        ).fetchall()
        return Page([dict(zip(_LISTED, row)) for row in rows], int(total), limit, offset)

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
