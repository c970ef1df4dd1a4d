"""The bead score, the verdict on a document pair, and the verdict stored with a reference.

The score's figures (AUC, precision, reliability) are measured by bench/align_robust.py
and bench/align_fit_score.py; these tests check what must hold for any fitted model:
the search's own objective is reproduced (so the margins mean what they say), a model
that names a feature the code lacks is refused, and the real English-Arabic release
pairs without MT are called uncertain with low scores rather than confidently unrelated.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_pipe.align import AlignConfig, search_document
from translate_pipe.align.score import (
    OPEN,
    PAUSE,
    SENTENCE_END,
    _band_of_path,
    band_gains,
    bead_features,
    bead_posteriors,
    default_model,
    line_ends,
    model_from_json,
    score_beads,
    unaligned_score,
)
from translate_pipe.align.verdict import (
    NOT_PARALLEL,
    PARALLEL,
    UNCERTAIN,
    UNCERTAIN_CAP,
    comparable,
    judge_documents,
)
from translate_pipe.cli import main
from translate_pipe.model import Release, Segment
from translate_pipe.store import SCHEMA_VERSION, Store

from .conftest import SHARED_DATA
from .test_align import EN, FR

RELEASES = SHARED_DATA / "releases"
# The two verified English-Arabic pairs of the shared release set (releases/pairs.tsv).
EN_AR = [("en/2018-03-22-russian-forces-two-massacres-rural-idlib.txt", "ar/press-2018-03.txt"),
         ("en/2019-09-19-russian-chinese-veto.txt", "ar/press-2019-09-crawl-a.txt")]
EN_FR = ("en/2017-09-15-final-communique-35th-session.txt", "fr/2017-09-15-communique-final-35e-session.txt")


def _sentences(path: Path, lang: str) -> list[str]:
    from translate_pipe.ingest import read_text
    from translate_pipe.segment import segment_document

    return [" ".join(s.text.splitlines()) for s in segment_document(read_text(path), lang)]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 8), st.integers(0, 8), st.integers(2, 20), st.booleans())
def test_posteriors_reproduce_the_search(skip_src: int, skip_tgt: int, size: int, use_mt: bool) -> None:
    # band_gains must be the search's own objective: then the best path through the band
    # around the found path (Viterbi over band_gains) is worth exactly what the found path
    # is worth. A gain computed otherwise than in dp.search makes another path better, and
    # this fails. (Low-temperature posteriors would say the same but for genuine near-ties.)
    src = EN[skip_src: skip_src + size]
    tgt = ["Accueil", "Communiqué"] + FR[skip_tgt: skip_tgt + size]
    mt = FR[skip_src: skip_src + size] if use_mt else None
    path, similarity, _ = search_document(src, tgt, mt, AlignConfig())
    lo, hi = _band_of_path(path, 6)
    shapes, gains = band_gains(similarity, 0, lo, hi)
    skip = -similarity.config.skip_cost
    best = np.full((len(src) + 1, len(tgt) + 1), -np.inf)
    best[0, 0] = 0.0
    for i in range(len(src) + 1):
        for j in range(lo[i], hi[i] + 1):
            for s, (k, l) in enumerate(shapes):
                if i >= k and j >= l and np.isfinite(gains[i, s, j - lo[i]]):
                    best[i, j] = max(best[i, j], best[i - k, j - l] + gains[i, s, j - lo[i]])
            if j > lo[i]:
                best[i, j] = max(best[i, j], best[i, j - 1] + skip)
    index = {shape: s for s, shape in enumerate(shapes)}
    found = sum(skip if i0 == i1 else gains[i1, index[(i1 - i0, j1 - j0)], j1 - lo[i1]] for i0, i1, j0, j1 in path)
    assert best[len(src), len(tgt)] == pytest.approx(found, abs=1e-9)
    assert (bead_posteriors(path, similarity, 0.1) <= 0).all()
    # Stretches with context give what one pass over the whole path gives, on a path that is
    # mostly two-sided beads. Each stretch takes the path as given at its window's ends; inside
    # a one-sided run that pins where the run's lines may go, so on a path of one-sided beads
    # only (windows that do not translate each other: skip_src=8, skip_tgt=1, size=8 with MT)
    # a 17-bead path with context 12 differs by up to 0.19 in log probability (so did the code
    # of the session before). The shipped stretches are 300 beads with 40 either side.
    whole = bead_posteriors(path, similarity, 0.1, chunk=10**6)
    if sum(1 for i0, i1, j0, j1 in path if i0 < i1 and j0 < j1) >= len(path) / 2:
        assert np.allclose(bead_posteriors(path, similarity, 0.1, chunk=4, context=12), whole, atol=0.05)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 8), st.integers(2, 20))
def test_one_sided_lines_take_the_weight_at_low_temperature(skip_src: int, size: int) -> None:
    # The order of a run of one-sided beads is arbitrary: the probability that a line is
    # left out at all (row 1) tends to 1 as the temperature falls, when no near-tie exists.
    src = EN[skip_src: skip_src + size]
    tgt = ["Accueil", "Communiqué"] + FR[skip_src: skip_src + size]
    path, similarity, _ = search_document(src, tgt, None, AlignConfig())
    two = np.array([i0 < i1 and j0 < j1 for i0, i1, j0, j1 in path])
    bead, line = bead_posteriors(path, similarity, 1e-6)
    assert (bead[two] == line[two]).all() and (line[~two] > -0.7).all()


def test_scores_are_probabilities_and_the_model_names_its_features() -> None:
    path, similarity, region = search_document(EN, FR, None, AlignConfig())
    scores = score_beads(path, similarity, region, len(EN), len(FR), texts=(EN, FR))
    assert ((scores >= 0) & (scores <= 1)).all()
    model = default_model()
    two, columns, _ = bead_features(path, similarity, region, len(EN), len(FR), texts=(EN, FR))
    assert set(model.two_sided.features) <= set(columns) and model.fitted_on
    # Translations of each other, aligned 1-1 in order: every two-sided bead is sure.
    assert (scores[two] >= 0.5).mean() >= 0.9
    raw = {"two_sided": {"features": ["bias", "no_such_feature"], "weights": [1.0, 2.0]},
           "one_sided": {"features": ["bias"], "weights": [0.0]}}
    with pytest.raises(ValueError, match="no_such_feature"):
        model_from_json(raw)


def test_line_ends_read_pauses_and_missing_punctuation_in_latin_and_arabic() -> None:
    lines = ["It ended.", "« Il a dit : oui. »", "The list:", "first, then;", "قال المتحدث،", "ما هذا؟",
             "Page 12", "Friday, 15 September 2017", "(Collins 1956)", ""]
    assert line_ends(lines).tolist() == [SENTENCE_END, SENTENCE_END, PAUSE, PAUSE, PAUSE, SENTENCE_END,
                                         OPEN, OPEN, OPEN, OPEN]


def test_a_sentence_split_at_a_pause_on_one_side_only_lowers_the_beads_at_the_split() -> None:
    # The same path and similarities, scored with texts that differ only in how source
    # line 9 ends: with a colon the beads on either side of that edge (a sentence split on
    # one side, as at "( London :" in the development document) lose confidence; the
    # others keep their scores. A model that ignores how lines end scores both alike.
    src, tgt = EN[:20], FR[:20]
    path, similarity, region = search_document(src, tgt, None, AlignConfig())
    assert path[9] == (9, 10, 9, 10) and path[10] == (10, 11, 10, 11)
    split = list(src)
    split[9] = split[9].rstrip(".") + ":"
    args = (path, similarity, region, len(src), len(tgt))
    plain, colon = score_beads(*args, texts=(src, tgt)), score_beads(*args, texts=(split, tgt))
    _, features, _ = bead_features(*args, texts=(split, tgt))
    assert features["split_pause"].tolist() == [1.0 if b in (9, 10) else 0.0 for b in range(len(path))]
    assert colon[9] < plain[9] - 0.05 and colon[10] < plain[10] - 0.05
    assert np.array_equal(np.delete(colon, [9, 10]), np.delete(plain, [9, 10]))
    # The score weighs how lines end: without the texts it refuses rather than guess.
    with pytest.raises(ValueError, match="give the texts"):
        score_beads(*args)


def test_a_heading_merged_into_a_translation_counts_but_a_cut_last_line_does_not() -> None:
    src, tgt = EN[:6], FR[:6]
    path, similarity, region = search_document(src, tgt, None, AlignConfig())
    merged = [(0, 2, 0, 1), *[(i, i + 1, i - 1, i) for i in range(2, 6)], (6, 6, 5, 6)]
    args = (merged, similarity, region, len(src), len(tgt))
    heading = ["Page 12", *src[1:]]
    _, features, _ = bead_features(*args, texts=(heading, tgt))
    assert features["open_asymmetry"].tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]
    # ... and the two-sided bead beside the one-sided line at the end has one such neighbour.
    assert features["one_sided_neighbours"].tolist() == [0.0, 0.0, 0.0, 0.0, 1.0]
    # A document cut off mid-sentence: its last line has no final mark on one side only.
    cut = [*src[:5], src[5].rstrip(".").rsplit(" ", 2)[0]]
    _, features, _ = bead_features(path, similarity, region, len(src), len(tgt), texts=(cut, tgt))
    assert not features["open_asymmetry"].any()


def test_lines_of_a_pair_called_not_parallel_are_scored_by_the_pair_evidence() -> None:
    # Split into lines, a pair called not parallel is scored by how few of its anchors
    # chained: translations whose anchors almost chain are called not parallel too (short,
    # few shared names), and their lines do have counterparts; it must not be the old
    # 1 - bead score (0.99 for a wrong guess on a real translation).
    assert default_model().unaligned is not None
    scores = [unaligned_score(share) for share in (0.0, 0.2, 0.45, 0.7)]
    assert all(0.0 <= s <= 1.0 for s in scores) and scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    # Unrelated texts: the lines of the aligner's guess all get the pair's one score.
    result = judge_documents(EN[:15], FR[15:]).result
    counts = Counter(b.score for b in result.beads)
    assert not result.parallel and counts.most_common(1)[0][1] >= len(result.beads) // 2
    raw = {"two_sided": {"features": ["bias"], "weights": [1.0]}, "one_sided": {"features": ["bias"], "weights": [0.0]},
           "unaligned": {"features": ["bias", "posterior"], "weights": [1.0, 2.0]}}
    with pytest.raises(ValueError, match="posterior"):
        model_from_json(raw)


def test_scripts_decide_whether_words_can_be_compared() -> None:
    english = ["The Coalition condemned the veto on 19 September."]
    arabic = ["أدان الائتلاف الفيتو يوم 19 أيلول."]
    assert not comparable(english, arabic)
    assert comparable(english, ["La Coalition a condamné le veto le 19 septembre."])
    # The bridge of run --reference: the Arabic MT followed by the English.
    assert comparable([f"{arabic[0]} {english[0]}"], arabic)


def test_unrelated_documents_are_not_parallel_and_translations_are() -> None:
    assert judge_documents(EN[:15], FR[15:]).verdict == NOT_PARALLEL
    judged = judge_documents(EN, FR)
    assert judged.verdict == PARALLEL and judged.result.parallel


@pytest.mark.skipif(not RELEASES.exists(), reason="shared/data/releases is not beside this checkout")
def test_english_arabic_releases_without_mt_are_uncertain_not_unrelated() -> None:
    for en, ar in EN_AR:
        src, tgt = _sentences(RELEASES / en, "en"), _sentences(RELEASES / ar, "ar")
        judged = judge_documents(src, tgt, None)
        assert judged.verdict == UNCERTAIN and not judged.comparable
        beads = judged.beads
        assert sorted(i for b in beads for i in b.src) == list(range(len(src)))
        assert sorted(j for b in beads for j in b.tgt) == list(range(len(tgt)))
        # a guess is given (two-sided beads), and nothing is scored as sure, either way
        assert any(b.src and b.tgt for b in beads)
        assert all(b.score <= UNCERTAIN_CAP for b in beads)
    # The same decision on a real English-French pair without MT: the words can be compared.
    en, fr = EN_FR
    judged = judge_documents(_sentences(RELEASES / en, "en"), _sentences(RELEASES / fr, "fr"), None)
    assert judged.verdict == PARALLEL and judged.comparable


@pytest.mark.skipif(not RELEASES.exists(), reason="shared/data/releases is not beside this checkout")
def test_align_command_says_uncertain_on_english_arabic_without_mt(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    en, ar = EN_AR[1]
    out = tmp_path / "beads.txt"
    assert main(["align", str(RELEASES / en), str(RELEASES / ar), "--tgt-lang", "ar", "--mt", "none",
                 "--segment", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "uncertain whether" in err and "give the MT (--mt)" in err and "do not look like" not in err
    scores = [float(line.rsplit(":", 1)[1]) for line in out.read_text(encoding="utf-8").splitlines()]
    assert scores and max(scores) <= UNCERTAIN_CAP


def _release(store: Store, name: str) -> str:
    release = Release(id=f"id-{name}", title=name, paragraphs=(), date="2024-03-12", origin=f"{name}.txt")
    store.add_release(release, [Segment(release.id, "en", 0, 0, "The port opened a terminal.")])
    return release.id


def test_verdict_is_stored_listed_migrated_and_exported_as_a_flag(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "v4.db"
    with Store(db) as store:
        old = _release(store, "old")
        store.add_alignment(old, "fr", "old-ref.txt", [((0,), (0,), "The port opened a terminal.",
                                                        "Le port a ouvert un terminal.", 0.9)])
    with sqlite3.connect(db) as conn:  # back to what schema 4 had: no verdict column
        conn.execute("ALTER TABLE alignments DROP COLUMN verdict")
        conn.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    with Store(db) as store:
        guessed = _release(store, "guessed")
        store.add_alignment(guessed, "fr", "guessed-ref.txt",
                            [((0,), (0,), "The port opened a terminal.", "Le port a ouvert un quai.", 0.3)],
                            verdict=UNCERTAIN)
        listed = {row[0]: row for row in store.reference_alignments("fr")}
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        assert dict(conn.execute("SELECT release_id, verdict FROM alignments")) == {old: None, guessed: UNCERTAIN}
    assert listed[old][3] is None and listed[guessed][3:] == (UNCERTAIN, 1, 1)

    assert main(["releases", "--db", str(db), "--references", "fr"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"{old}\tfr\told-ref.txt\tunknown\t1 of 1 beads two-sided" in lines
    assert f"{guessed}\tfr\tguessed-ref.txt\tuncertain\t1 of 1 beads two-sided" in lines

    out = tmp_path / "human.jsonl"
    assert main(["export", "--db", str(db), "--lang", "fr", "--format", "jsonl", "--origin", "human",
                 "--out", str(out), "--min-align-score", "0", "-q"]) == 0
    flags = {r["release_id"]: [f["name"] for f in r["flags"]]
             for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert sorted(flags.values()) == [[], ["alignment_uncertain"]]


def test_run_stores_a_reference_that_is_not_a_translation_with_its_verdict(
    releases_dir: Path, tmp_path: Path, model_args: list[str], fast_config_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    references = tmp_path / "references" / "fr"
    references.mkdir(parents=True)
    # Named like the release, so it is matched by name, but about something else entirely.
    (references / "2024-03-harbour.txt").write_text(
        "Lundi matin\n\nLes écoles de la région rouvrent leurs portes après les vacances d'hiver.\n\n"
        "Les enseignants ont préparé de nouveaux programmes de lecture pour les plus jeunes élèves. "
        "Les parents se sont réunis devant les grilles avant l'ouverture. "
        "La cantine propose désormais des repas préparés avec des produits locaux. "
        "Une bibliothèque rénovée accueille les classes chaque après-midi.\n", encoding="utf-8")
    db = tmp_path / "t.db"
    assert main(["run", str(releases_dir / "2024-03-harbour.txt"), "--to", "fr", "--db", str(db),
                 "--config", str(fast_config_file), "--reference", f"fr={references.parent / 'fr'}",
                 *model_args]) == 0
    err = capsys.readouterr().err
    assert "does not look like a translation" in err and "1 not parallel or uncertain" in err
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT verdict, src != '' AND tgt != '' FROM alignments").fetchall()
    assert rows and {verdict for verdict, _ in rows} == {NOT_PARALLEL} and not any(two for _, two in rows)
    assert main(["releases", "--db", str(db), "--references"]) == 0
    assert "\tfr\t" in (listed := capsys.readouterr().out) and "\tnot_parallel\t0 of " in listed
