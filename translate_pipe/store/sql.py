"""SQL pieces every part of the store shares: placeholders, chunks, timestamps, the current version."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone

from ..model import PairScores
from .backends import Database


class StorePart:
    """What every part of :class:`~translate_pipe.store.Store` reads and writes through."""

    db: Database
    #: Where the data lives, for messages: a path, or a URL without its password.
    where: str

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One atomic write: everything inside lands, or nothing does."""
        with self.db.transaction():
            yield self.db

    def release_rows(self, query: str, release_ids: Sequence[str], params: Sequence[object] = (),
                     order_by: str = "") -> Iterator[tuple]:
        """The rows ``query`` reads for the given releases (see :meth:`.backends.Database.per_release`:
        ``{releases}`` in ``query`` selects them), each release read by its key."""
        for sql, all_params in self.db.per_release(query, release_ids, params, order_by):
            yield from self.db.execute(sql, all_params)


# The version of a pair (a segment and a target language) that exports, the review page
# and the translation memory use: the newest one a person reviewed (edited, approved or
# rejected), otherwise the newest machine translation. So a later machine run never hides
# a human edit, and a re-run with other settings replaces an unreviewed translation.
def current_version(segment: str = "t.segment_id", lang: str = "t.tgt_lang", column: str = "id") -> str:
    """SQL for ``column`` (the id unless asked) of the current version of the pair (``segment``, ``lang``)."""
    return (
        f"(SELECT t2.{column} FROM translations t2 WHERE t2.segment_id = {segment} AND t2.tgt_lang = {lang}"
        " ORDER BY (t2.status != 'new') DESC, t2.id DESC LIMIT 1)"
    )


CURRENT = current_version()

# The same condition as ``t.id = CURRENT``, written as "no other version of the pair ranks
# above this one". PostgreSQL estimates the equality with a correlated subquery at 0.5% of
# the rows, and on that estimate an export of every pair joined the releases by a nested
# loop over all of them (quadratic: 11.6 s at 1,000 releases, 199 s at 5,000); the
# NOT EXISTS form is planned as an anti-join with a sane estimate. SQLite keeps CURRENT,
# whose plans the tests pin.
CURRENT_BY_ANTI_JOIN = (
    "NOT EXISTS (SELECT 1 FROM translations t2 WHERE t2.segment_id = t.segment_id AND t2.tgt_lang = t.tgt_lang"
    " AND ((t2.status != 'new') > (t.status != 'new')"
    " OR ((t2.status != 'new') = (t.status != 'new') AND t2.id > t.id)))"
)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def placeholders(values: Sequence[object]) -> str:
    """Placeholders for ``IN (...)`` with one ``?`` per value."""
    return ",".join("?" * len(values))


def chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_scores(db: Database, translation_id: int, scores: PairScores) -> None:
    """The named scores and flags of one stored translation."""
    insert_all_scores(db, [(translation_id, scores)])


def insert_all_scores(db: Database, stored: Sequence[tuple[int, PairScores]]) -> None:
    """The named scores and flags of translations just stored: two batches for all of them."""
    db.insert_new("scores", ("translation_id", "name", "value"),
                  [(translation_id, name, float(value)) for translation_id, scores in stored
                   for name, value in scores.values.items()])
    db.insert_new("flags", ("translation_id", "name", "reason"),
                  [(translation_id, flag.name, flag.reason) for translation_id, scores in stored
                   for flag in scores.flags])
