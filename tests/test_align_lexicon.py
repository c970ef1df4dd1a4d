"""The lexicon's second pass without MT (translate_pipe/align/lexicon.py, hunalign's realign)."""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from translate_pipe.align import AlignConfig, CharNgramEncoder, align
from translate_pipe.align.dp import BeadSimilarity
from translate_pipe.align.lexicon import (
    learn_lexicon,
    lexicon_vectors,
    scaled_to,
    training_beads,
    word_matrices,
)
from translate_pipe.testing import corpus_lines

from .conftest import SHARED_DATA

TEXTBERG = SHARED_DATA / "alignment" / "textberg_dev"
EN, FR = corpus_lines("en"), corpus_lines("fr")


def test_word_pairs_that_keep_meeting_in_beads_form_the_lexicon() -> None:
    left = ["der Hund schläft", "der Hund bellt laut", "ein Hund und eine Katze", "die Katze schläft", "Regen fällt"]
    right = ["le chien dort", "le chien aboie fort", "un chien et un chat", "le chat dort", "il pleut"]
    words_a, words_b = word_matrices(left, right)
    beads = [(t, t + 1, t, t + 1) for t in range(5)]
    vocab = {w: n for n, w in enumerate(dict.fromkeys(w for line in left + right for w in line.casefold().split()))}
    lexicon = learn_lexicon(words_a, words_b, beads, min_count=2, min_dice=0.5)
    pairs = {(int(s), int(t)) for s, t in zip(lexicon.source, lexicon.target)}
    assert (vocab["hund"], vocab["chien"]) in pairs and (vocab["katze"], vocab["chat"]) in pairs
    assert (vocab["schläft"], vocab["dort"]) in pairs
    # Met once only ("regen" / "pleut"), or far more often apart than together: not entries.
    assert (vocab["regen"], vocab["pleut"]) not in pairs
    assert (vocab["hund"], vocab["chat"]) not in pairs
    # An entry's vector feature is shared by lines holding its two words, not others.
    lex_a, lex_b = lexicon_vectors(words_a, words_b, lexicon)
    dots = (lex_a @ lex_b.T).toarray()
    assert dots[0, 0] > 0 and dots[4, 4] == 0 and dots[0, 4] == 0


def test_training_beads_are_two_sided_beads_between_two_sided_beads() -> None:
    path = [(0, 1, 0, 1), (1, 2, 1, 3), (2, 3, 3, 3), (3, 4, 3, 4), (4, 6, 4, 5), (6, 7, 5, 6)]
    assert training_beads(path) == [(0, 1, 0, 1), (4, 6, 4, 5), (6, 7, 5, 6)]


def test_encoder_word_columns_are_the_lines_words() -> None:
    a, b, first_word = CharNgramEncoder().encode_with_words(EN, FR)
    for matrix, lines in ((a, EN), (b, FR)):
        words = matrix[:, first_word:]
        counts = np.diff(words.indptr)
        expected = [len(set(re.findall(r"\w+", line.casefold()))) for line in lines]
        assert counts.tolist() == expected


def test_added_columns_give_the_similarity_of_the_stacked_vectors() -> None:
    a, b, first_word = CharNgramEncoder().encode_with_words(EN, FR)
    words_a, words_b = a[:, first_word:], b[:, first_word:]
    beads = [(t, t + 1, t, t + 1) for t in range(min(len(EN), len(FR)))]
    lex_a, lex_b = lexicon_vectors(words_a, words_b, learn_lexicon(words_a, words_b, beads, 2, 0.3))
    assert lex_a.nnz and lex_b.nnz
    config = AlignConfig()
    old = BeadSimilarity(a, b, EN, FR, config)
    n, m = len(EN), len(FR)
    lo = np.clip(np.arange(n) - 3, 0, m)
    hi = np.clip(np.arange(n) + 4, 0, m)
    old.band_dots(lo, hi)  # the band the new similarity starts from
    extra_a, extra_b = scaled_to(lex_a, old.a_sq, 0.5), scaled_to(lex_b, old.b_sq, 0.5)
    grown = old.with_columns(extra_a, extra_b)
    fresh = BeadSimilarity(sparse.hstack([a, extra_a], format="csr"), sparse.hstack([b, extra_b], format="csr"),
                           EN, FR, config)
    for name in ("a_sq", "b_sq"):
        np.testing.assert_allclose(getattr(grown, name), getattr(fresh, name), rtol=1e-9)
    for new, ref in zip(grown.a_near + grown.b_near + grown.run_norm_a + grown.run_norm_b,
                        fresh.a_near + fresh.b_near + fresh.run_norm_a + fresh.run_norm_b):
        np.testing.assert_allclose(new, ref, rtol=1e-9, atol=1e-9)
    assert grown.baseline == pytest.approx(fresh.baseline, rel=1e-9)
    np.testing.assert_allclose(grown.band_dots(lo, hi), fresh.band_dots(lo, hi), rtol=1e-9, atol=1e-12)
    rows, cols = np.arange(n), np.minimum(np.arange(n), m - 1)
    np.testing.assert_allclose(grown.pair_dots(rows, cols), fresh.pair_dots(rows, cols), rtol=1e-9, atol=1e-12)
    # A line with lexicon entries gets weight times its n-gram norm on top.
    has = np.asarray(lex_a.sum(1)).ravel() > 0
    np.testing.assert_allclose(grown.a_sq[has], old.a_sq[has] * 1.25, rtol=1e-9)


def test_the_lexicon_pass_lifts_the_whole_dev_document_without_mt() -> None:
    if not TEXTBERG.is_dir():
        pytest.skip("shared/data/alignment is not beside this checkout")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from align_robust import f1_of, read_units, strict_counts, to_case

    clean = to_case("clean", read_units(TEXTBERG))  # as bench/align_robust.py scores 'clean'
    scores = {}
    for weight in (0.0, AlignConfig().lexicon_weight):
        beads = align(clean.src, clean.tgt, None, replace(AlignConfig(), lexicon_weight=weight))
        scores[weight] = f1_of(*strict_counts(beads, clean.gold))
    assert weight > 0 and scores[weight] >= scores[0.0] + 0.004  # measured 0.879 -> 0.885
