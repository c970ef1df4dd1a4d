"""Sentence vectors for the aligner: character n-grams and words with tf-idf weights.

Similarity is pluggable: any :class:`SentenceEncoder` producing vectors whose dot
products measure similarity (an embedding model) can replace :class:`CharNgramEncoder`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy import sparse

from ..signals import fold_arabic

_HASH_BASE = np.uint64(1_000_003)
_HASH_MIX = 0x9E3779B97F4A7C15
_HASH_INVERSE = np.uint64(pow(1_000_003, -1, 1 << 64))
_WORD_MIX = 0xD6E8FEB86659FD93


class SentenceEncoder(Protocol):
    """Turns sentences into vectors whose dot products measure similarity."""

    def encode(self, left: Sequence[str], right: Sequence[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """Vectors for two lists of sentences, in one space."""
        ...


@dataclass(frozen=True)
class CharNgramEncoder:
    """Character n-grams and words, sublinear tf, idf over both sides.

    A line is casefolded, with the Arabic spellings that vary between writers and MT made
    one (``signals.fold_arabic``: MT into Arabic against a human's Arabic), its whitespace
    runs become one space, and it gets a space at each end. Digits stay as written:
    Arabic-Indic digits made ASCII would be the only characters English and Arabic share
    without MT, and on the real English-Arabic pairs of ``bench/align_real.py`` date lines
    then matched each other's header dates (4 -> 2 of 6 gold beads on one pair). Its
    features are every character n-gram (``min_n`` .. ``max_n``) inside it and every word (``\\w+``, weighted ``word_weight``, apart from n-grams of the same
    spelling); a feature's weight in a line is ``(1 + log count) * idf`` with
    ``idf = 1 + log((lines + 1) / (lines holding it + 1))`` over both sides.

    Vectorised with numpy, and exact (no hashing) for n-grams when the documents have up
    to a few thousand distinct characters: a character is numbered by its rank in the
    documents' alphabet, an n-gram is its characters' ranks packed into one integer, and
    each length's n-grams packed with their line are sorted once; a run of equal values
    is one entry of the matrix (its length is the count), a run of equal n-grams one
    feature (its number of lines is the df). The matrix is built by feature (CSC) and
    converted by line. Larger alphabets (the packed value would not fit 64 bits) number
    n-grams by a 64-bit polynomial hash and ``np.unique``; words are always numbered by a
    64-bit hash (two distinct words or n-grams share a feature with odds of about 3e-8 for
    a million distinct ones).
    """

    min_n: int = 2
    max_n: int = 4
    word_weight: float = 1.0

    def encode(self, left: Sequence[str], right: Sequence[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        a, b, _ = self.encode_with_words(left, right)
        return a, b

    def encode_with_words(self, left: Sequence[str], right: Sequence[str],
                          ) -> tuple[sparse.csr_matrix, sparse.csr_matrix, int]:
        """The vectors of :meth:`encode` and the first of their columns that are words (the
        words are the last columns), for the lexicon (see lexicon.py)."""
        texts = [" " + " ".join(fold_arabic(line.casefold()).split()) + " " for line in itertools.chain(left, right)]
        n_lines = len(texts)
        joined = "".join(texts)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n_lines)
        codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        line_of = np.repeat(np.arange(n_lines, dtype=np.uint32), lengths)
        row_bits = max(n_lines - 1, 1).bit_length()
        alphabet, ranks = _alphabet_ranks(codes)
        parts = _gram_columns(ranks, len(alphabet), line_of, lengths, row_bits, self.min_n, self.max_n, codes)
        words = _word_columns(codes, alphabet, ranks, line_of, row_bits)
        np.multiply(words[0], self.word_weight, out=words[0])
        parts.append(words)
        df = np.concatenate([part[2] for part in parts])
        if len(df) == 0:
            df = np.zeros(1, dtype=np.int64)  # one empty column: no line has a feature
        idf = np.log((n_lines + 1) / (df + 1)) + 1.0
        nnz = sum(len(part[0]) for part in parts)
        data = np.empty(nnz)
        rows = np.empty(nnz, dtype=np.int32)
        at = column = 0
        for counts, lines, part_df in parts:  # one part at a time: the temporaries stay small
            weights = data[at: at + len(counts)]
            np.log(counts, out=weights)
            weights += 1.0
            weights *= np.repeat(idf[column: column + len(part_df)], part_df)
            rows[at: at + len(counts)] = lines
            at += len(counts)
            column += len(part_df)
        first_word = len(df) - len(words[2])
        del parts, words
        indptr = np.concatenate([[0], np.cumsum(df)])
        by_feature = sparse.csc_matrix((data, rows, indptr), shape=(n_lines, len(df)))
        del data, rows
        by_line = by_feature.tocsr()  # sorted column indices within each line
        by_line.has_sorted_indices = True
        return row_view(by_line, 0, len(left)), row_view(by_line, len(left), n_lines), first_word


def _alphabet_ranks(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct code points (sorted) and each code's rank among them, from 1."""
    if len(codes) == 0:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.uint32)
    present = np.zeros(int(codes.max()) + 1, dtype=bool)
    present[codes] = True
    alphabet = np.flatnonzero(present).astype(np.uint32)
    rank_of = np.zeros(len(present), dtype=np.uint32)
    rank_of[alphabet] = np.arange(1, len(alphabet) + 1, dtype=np.uint32)
    return alphabet, rank_of[codes]


def _run_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Where each run of equal values in a sorted array starts."""
    change = np.empty(len(sorted_keys), dtype=bool)
    change[:1] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=change[1:])
    return np.flatnonzero(change)


def _columns(sorted_keys: np.ndarray, row_bits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """From sorted ``feature << row_bits | row`` values: each (feature, line) entry's
    count and line, column by column, and each column's number of entries (its df)."""
    if len(sorted_keys) == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
    starts = _run_starts(sorted_keys)
    counts = np.empty(len(starts))
    np.subtract(starts[1:], starts[:-1], out=counts[:-1])
    counts[-1] = len(sorted_keys) - starts[-1]
    entries = sorted_keys[starts]
    del starts
    first = _run_starts(entries >> np.uint64(row_bits))
    df = np.empty(len(first), dtype=np.int64)
    np.subtract(first[1:], first[:-1], out=df[:-1])
    df[-1] = len(entries) - first[-1]
    entries &= np.uint64((1 << row_bits) - 1)
    return counts, entries.astype(np.int32), df


def packs_exactly(alphabet_size: int, row_bits: int, max_n: int) -> bool:
    """Whether ``max_n`` characters' ranks and a line number fit one 64-bit integer."""
    return max_n * alphabet_size.bit_length() + row_bits <= 64


def _gram_columns(ranks: np.ndarray, alphabet_size: int, line_of: np.ndarray, lengths: np.ndarray, row_bits: int,
                  min_n: int, max_n: int, codes: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Counts, lines and df of the character n-grams, column by column, in parts (one per
    length, or one when hashed)."""
    if max_n < min_n or len(ranks) == 0:
        return []
    char_bits = alphabet_size.bit_length()  # ranks start at 1: a shorter n-gram packs to a smaller value
    exact = packs_exactly(alphabet_size, row_bits, max_n)
    line_start = np.zeros(len(ranks), dtype=bool)
    line_start[np.cumsum(lengths[:-1])] = True
    crosses = np.zeros(len(ranks), dtype=bool)  # the n-gram starting here runs into the next line
    symbols = ranks if exact else codes
    gram = np.zeros(len(ranks), dtype=np.uint64)  # the n-grams starting at each position, updated in place
    if exact:
        parts = []  # n-grams of different lengths are different features: one sort per length
        packed = np.empty(len(ranks), dtype=np.uint64)  # reused by every length
    else:
        hashes, lines = [], []
    for n in range(1, max_n + 1):
        size = len(ranks) - n + 1
        if size <= 0:
            break
        gram = gram[:size]
        if exact:
            gram <<= np.uint64(char_bits)
            gram |= symbols[n - 1:]
        else:  # uint64 arithmetic wraps around
            gram *= _HASH_BASE
            gram += symbols[n - 1:]
        if n > 1:
            crosses = crosses[:size] | line_start[n - 1:]
        if n < min_n:
            continue
        if exact:
            # n-grams across lines get the largest value and are cut off after the sort
            # (a real one of that value is identical to them, so which copies go is moot).
            keys = packed[:size]
            np.left_shift(gram, np.uint64(row_bits), out=keys)
            keys |= line_of[:size]
            keys[crosses] = np.iinfo(np.uint64).max
            keys.sort()
            parts.append(_columns(keys[: size - int(np.count_nonzero(crosses))], row_bits))
        else:
            inside = ~crosses
            hashes.append(gram[inside] ^ np.uint64((n * _HASH_MIX) % (1 << 64)))
            lines.append(line_of[:size][inside])
    if exact:
        return parts
    if not hashes:
        return []
    features = np.unique(np.concatenate(hashes), return_inverse=True)[1].astype(np.uint64).ravel()
    packed = features << np.uint64(row_bits) | np.concatenate(lines)
    packed.sort()
    return [_columns(packed, row_bits)]


def _word_columns(codes: np.ndarray, alphabet: np.ndarray, ranks: np.ndarray, line_of: np.ndarray,
                  row_bits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts, lines and df of the words (``\\w+``: runs of characters that are alphanumeric
    or ``_``, as ``re`` defines it), column by column. Every line starts and ends with a
    space, so no word runs across lines. A word is numbered by a 64-bit polynomial hash of
    its code points, from prefix sums: with ``P[q] = sum(codes[:q] * B**-(0..q-1))``
    (wrapping uint64 arithmetic, B odd so it has an inverse), the word at ``s .. e - 1``
    hashes to ``(P[e] - P[s]) * B**s``, whatever its position."""
    is_word = np.array([False] + [chr(code).isalnum() or code == 95 for code in alphabet.tolist()])
    word_char = is_word[ranks]
    edge = np.flatnonzero(word_char[1:] != word_char[:-1]) + 1  # position 0 is a space
    starts, stops = edge[0::2], edge[1::2]
    if len(starts) == 0:
        return _columns(np.zeros(0, dtype=np.uint64), row_bits)
    power = np.full(len(codes), _HASH_BASE, dtype=np.uint64)
    power[0] = 1
    np.multiply.accumulate(power, out=power)  # B**q
    at_start = power[starts]
    power.fill(_HASH_INVERSE)
    power[0] = 1
    np.multiply.accumulate(power, out=power)  # B**-q
    power *= codes
    prefix = np.zeros(len(codes) + 1, dtype=np.uint64)
    np.cumsum(power, out=prefix[1:])
    del power
    hashes = (prefix[stops] - prefix[starts]) * at_start
    hashes ^= (stops - starts).astype(np.uint64) * np.uint64(_WORD_MIX)
    ids = np.unique(hashes, return_inverse=True)[1].astype(np.uint64).ravel()
    packed = ids << np.uint64(row_bits) | line_of[starts]
    packed.sort()
    return _columns(packed, row_bits)


def row_view(matrix: sparse.csr_matrix, start: int, stop: int) -> sparse.csr_matrix:
    """Rows ``start`` .. ``stop - 1`` as a matrix on ``matrix``'s own arrays (scipy's slicing
    copies them, and copies a part holding under half of them so that the rest can be freed)."""
    lo, hi = matrix.indptr[start], matrix.indptr[stop]
    part = sparse.csr_matrix((matrix.data[lo:hi], matrix.indices[lo:hi], matrix.indptr[start: stop + 1] - lo),
                             shape=(stop - start, matrix.shape[1]), copy=False)
    part.has_sorted_indices = matrix.has_sorted_indices
    return part
