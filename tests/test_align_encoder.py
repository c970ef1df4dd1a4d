"""The aligner's sentence vectors (CharNgramEncoder) against a plain-Python reference:
the same n-grams and words, counts, sublinear tf and idf, whichever numbering path the
encoder takes (packed character ranks, or hashes for a large alphabet)."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from translate_pipe.align import CharNgramEncoder
from translate_pipe.align.encoder import packs_exactly
from translate_pipe.signals import fold_arabic
from translate_pipe.testing import corpus_lines

EN, FR = corpus_lines("en"), corpus_lines("fr")


def reference_vectors(lines: list[str], min_n: int = 2, max_n: int = 4, word_weight: float = 1.0) -> sparse.csr_matrix:
    """The encoder's definition, one line and one feature at a time."""
    texts = [" " + " ".join(fold_arabic(line.casefold()).split()) + " " for line in lines]
    counts = []
    for text in texts:
        found: Counter = Counter()
        for n in range(min_n, max_n + 1):
            for start in range(len(text) - n + 1):
                found["gram", text[start: start + n]] += 1
        for word in re.findall(r"\w+", text):
            found["word", word] += word_weight
        counts.append(found)
    df = Counter(feature for found in counts for feature in found)
    column = {feature: k for k, feature in enumerate(df)}
    rows, cols, data = [], [], []
    for row, found in enumerate(counts):
        for feature, count in found.items():
            rows.append(row)
            cols.append(column[feature])
            data.append((1 + math.log(count)) * (math.log((len(texts) + 1) / (df[feature] + 1)) + 1))
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(texts), max(len(df), 1)))


def assert_same_vectors(left: list[str], right: list[str], encoder: CharNgramEncoder | None = None) -> None:
    """Same vectors up to the order of the features: the same dot products between all
    lines, and each line the same multiset of weights."""
    encoder = encoder or CharNgramEncoder()
    a, b = encoder.encode(left, right)
    assert a.shape[0] == len(left) and b.shape[0] == len(right) and a.shape[1] == b.shape[1]
    got = sparse.vstack([a, b]).tocsr()
    want = reference_vectors(left + right, encoder.min_n, encoder.max_n, encoder.word_weight)
    assert got.shape == want.shape
    assert np.allclose((got @ got.T).toarray(), (want @ want.T).toarray(), rtol=1e-12, atol=1e-9)
    for row in range(got.shape[0]):
        mine = np.sort(got.data[got.indptr[row]: got.indptr[row + 1]])
        theirs = np.sort(want.data[want.indptr[row]: want.indptr[row + 1]])
        assert np.allclose(mine, theirs, rtol=1e-12, atol=0)
    for part in (a, b):
        assert part.has_sorted_indices
        assert all((np.diff(part.indices[part.indptr[r]: part.indptr[r + 1]]) > 0).all() for r in range(part.shape[0]))


# Latin with accents and ligatures, Arabic with harakat (combining marks: not word
# characters for re), Arabic-Indic digits, presentation forms, underscore, whitespace runs.
MIXED = st.text(alphabet=st.sampled_from(list("ab cdeéß_ 1٢\t كتبَُِّ ﻻ ǅ'-.") + ["\u00a0", "\u2028"]), max_size=30)


@given(st.lists(MIXED, min_size=1, max_size=6), st.lists(MIXED, min_size=1, max_size=6))
@settings(max_examples=60, deadline=None)
def test_vectors_equal_the_reference_on_mixed_scripts(left: list[str], right: list[str]) -> None:
    assert_same_vectors(left, right)


@given(st.lists(st.text(max_size=20), min_size=1, max_size=5), st.lists(st.text(max_size=20), min_size=1, max_size=5))
@settings(max_examples=60, deadline=None)
def test_vectors_equal_the_reference_on_any_unicode(left: list[str], right: list[str]) -> None:
    assert_same_vectors(left, right)


def test_vectors_equal_the_reference_on_the_corpus_and_other_settings() -> None:
    assert_same_vectors(EN, FR)
    assert_same_vectors(EN[:20], FR[:20], CharNgramEncoder(min_n=1, max_n=3, word_weight=2.5))
    assert_same_vectors(EN[:20], FR[:20], CharNgramEncoder(min_n=3, max_n=6, word_weight=0.5))


def test_a_large_alphabet_takes_hashed_numbering_and_stays_right() -> None:
    # 40 lines (6 bits for the line) holding 20,000 distinct CJK characters (15 bits each):
    # four packed characters and the line do not fit 64 bits.
    chars = [chr(0x20000 + k) for k in np.random.default_rng(3).permutation(20000)]
    lines = [" ".join("".join(chars[at + k: at + k + 5]) for k in range(0, 500, 5)) for at in range(0, 20000, 500)]
    lines += [lines[3], lines[30][:800]]  # features shared between lines and sides
    assert not packs_exactly(20000, (len(lines) - 1).bit_length(), 4)
    assert packs_exactly(200, (len(lines) - 1).bit_length(), 4)
    assert_same_vectors(lines[:25], lines[25:])


def test_ngrams_never_run_across_lines_and_empty_sides_are_fine() -> None:
    a, b = CharNgramEncoder().encode(["ab"], ["cd"])
    assert (a @ b.T).toarray()[0, 0] == 0.0  # " ab " and " cd " share only " " runs of length 1
    a, b = CharNgramEncoder().encode(["x y"], [])
    assert a.shape[0] == 1 and b.shape == (0, a.shape[1])
    a, b = CharNgramEncoder().encode([], [])
    assert a.shape[0] == b.shape[0] == 0
    # A lone surrogate (a broken escape in JSON input) is a character like any other.
    assert_same_vectors(["x\ud800y z", "\x00 nul"], ["x\ud800y"])


def test_arabic_spellings_that_vary_between_writers_get_one_vector() -> None:
    # MT into Arabic and a human write the hamza's carrier, alef maqsura and ta marbuta
    # differently ("أسفرت"/"اسفرت", "إدلب"/"ادلب", "مجزرة"/"مجزره"), and vowel marks come
    # and go: the same words must give the same vector, or MT cannot find its line.
    human = ["أسفرت الغارة عن مجزرة في إدلب يوم الأربعاء", "مُستشفى على الطريق"]
    machine = ["اسفرت الغاره عن مجزره في ادلب يوم الاربعاء", "مستشفي علي الطريق"]
    a, b = CharNgramEncoder().encode(machine, human)
    cos = (a @ b.T).toarray() / np.outer(sparse.linalg.norm(a, axis=1), sparse.linalg.norm(b, axis=1))
    assert np.allclose(np.diag(cos), 1.0)
    # Latin text is left as it was: the accents of French still count.
    a, b = CharNgramEncoder().encode(["Défense civile"], ["Defense civile"])
    assert (a @ b.T).toarray()[0, 0] < np.sqrt((a @ a.T).toarray()[0, 0] * (b @ b.T).toarray()[0, 0]) - 1e-6
