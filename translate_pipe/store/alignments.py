"""Human translations aligned with the English: beads, human pairs, and references for evaluation."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from ..model import Flag, Pair
from .sql import StorePart, placeholders

#: Verdicts on a reference pair that its human pairs carry as a flag (see align/verdict.py).
VERDICT_REASONS = {
    "partial": "under half of the reference's lines aligned with score >= 0.5: only part of it is parallel",
    "not_parallel": "the reference does not look like a translation of the release",
    "uncertain": "the aligner could not compare the two sides' words (different scripts, no MT): a guess",
}


class AlignmentQueries(StorePart):
    """Beads of human translations and what is read from them."""

    def has_alignment(self, release_id: str, tgt_lang: str) -> bool:
        return self.db.execute(
            "SELECT 1 FROM alignments WHERE release_id=? AND tgt_lang=? LIMIT 1", (release_id, tgt_lang)
        ).fetchone() is not None

    def add_alignment(self, release_id: str, tgt_lang: str, reference: str,
                      beads: Sequence[tuple], verdict: str | None = None) -> None:
        """Store one release's beads ``(src ids, tgt ids, src, tgt, score[, human logprob])``, all or nothing,
        with the aligner's verdict on the pair (``parallel``, ``partial``, ``not_parallel``, ``uncertain``)."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO alignments (release_id, tgt_lang, bead, src_idx, tgt_idx, src, tgt, score,"
                " reference, human_logprob, verdict) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [(release_id, tgt_lang, n, json.dumps(list(bead[0])), json.dumps(list(bead[1])), bead[2], bead[3],
                  bead[4], reference, bead[5] if len(bead) > 5 else None, verdict)
                 for n, bead in enumerate(beads)],
            )

    def reference_alignments(self, tgt_lang: str | None = None) -> list[tuple[str, str, str, str | None, int, int]]:
        """(release id, language, reference, verdict, beads, two-sided beads) of each stored reference pair."""
        where, params = ("WHERE tgt_lang = ?", (tgt_lang,)) if tgt_lang else ("", ())
        return [tuple(row) for row in self.db.execute(
            "SELECT release_id, tgt_lang, MIN(reference), MIN(verdict), COUNT(*),"
            " SUM(CASE WHEN src != '' AND tgt != '' THEN 1 ELSE 0 END)"
            f" FROM alignments {where} GROUP BY release_id, tgt_lang ORDER BY release_id, tgt_lang", params)]

    def human_pairs(self, tgt_lang: str, release_ids: Sequence[str] | None = None,
                    min_score: float | None = None) -> Iterator[Pair]:
        """Aligned human translation pairs (beads with both sides), in document order."""
        where, params = ["a.tgt_lang = ?", "a.src != ''", "a.tgt != ''"], [tgt_lang]
        if min_score is not None:
            where.append("a.score >= ?")
            params.append(min_score)
        if release_ids is not None:
            where.append(f"a.release_id IN ({placeholders(release_ids)})")
            params.extend(release_ids)
        query = ("SELECT a.release_id, a.src_idx, a.src, a.tgt, a.score, a.reference, r.lang, a.human_logprob,"
                 " a.verdict"
                 " FROM alignments a"
                 f" JOIN releases r ON r.id = a.release_id WHERE {' AND '.join(where)}"
                 " ORDER BY r.date NULLS FIRST, a.release_id, a.bead")
        for release_id, src_idx, src, tgt, score, reference, src_lang, logprob, verdict in self.db.stream(query, params):
            scores = {"alignment": score}
            if logprob is not None:
                scores["human_logprob"] = logprob
            # A pair from a reference that is only partly parallel, or that the aligner
            # could not judge, carries the verdict as a flag into every export.
            flags = (Flag(f"alignment_{verdict}", VERDICT_REASONS[verdict]),) if verdict in VERDICT_REASONS else ()
            yield Pair(release_id=release_id, segment_index=json.loads(src_idx)[0], src_lang=src_lang,
                       tgt_lang=tgt_lang, src=src, tgt=tgt, system=f"human:{reference}", origin="human",
                       scores=scores, flags=flags, combined=score, label="good")

    def reference_triples(self, tgt_lang: str, run_id: int | None = None) -> list[tuple[str, str, str, str]]:
        """(release id, source, human reference, MT) for each aligned bead with both sides.

        The MT of a bead is its English sentences' translations joined; ``run_id`` picks
        the translations that run made, otherwise each sentence's newest machine translation
        (versions a reviewer wrote are left out).
        """
        mt: dict[tuple[str, int], str] = {}
        query = ("SELECT s.release_id, s.idx, t.text FROM translations t JOIN segments s ON s.id = t.segment_id"
                 # Text a reviewer wrote, or a translation memory's (origin memory:FILE), is not
                 # machine translation: evaluate never counts it.
                 " WHERE t.tgt_lang = ? AND t.origin != 'human' AND t.origin NOT LIKE 'memory:%'"
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
