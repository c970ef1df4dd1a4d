"""Sentence vectors for the aligner: character n-grams and words with tf-idf weights.

Similarity is pluggable: any :class:`SentenceEncoder` producing vectors whose dot
products measure similarity (an embedding model) can replace :class:`CharNgramEncoder`.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy import sparse

_HASH_BASE = np.uint64(1_000_003)
_HASH_MIX = 0x9E3779B97F4A7C15
_TOKEN = re.compile(r"\w+", re.UNICODE)


class SentenceEncoder(Protocol):
    """Turns sentences into vectors whose dot products measure similarity."""

    def encode(self, left: Sequence[str], right: Sequence[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """Vectors for two lists of sentences, in one space."""
        ...


@dataclass(frozen=True)
class CharNgramEncoder:
    """Character n-grams and words, sublinear tf, idf over both sides.

    Vectorised with numpy: each n-gram is a 64-bit polynomial hash of its code points
    (computed for all positions of all lines at once), numbered by ``np.unique``. Two
    different n-grams would need a 64-bit collision to share a feature (about 1e-8 for
    a million distinct n-grams), so this equals an exact vocabulary; words are numbered
    by a dictionary, apart from n-grams of the same spelling.
    """

    min_n: int = 2
    max_n: int = 4
    word_weight: float = 1.0

    def encode(self, left: Sequence[str], right: Sequence[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        texts = [" " + " ".join(line.casefold().split()) + " " for line in itertools.chain(left, right)]
        n_lines = len(texts)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n_lines)
        codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        line_of = np.repeat(np.arange(n_lines, dtype=np.int64), lengths)
        line_end = np.repeat(np.cumsum(lengths), lengths)
        position = np.arange(len(codes), dtype=np.int64)
        keys, rows = [], []
        hashes = np.zeros(len(codes), dtype=np.uint64)
        for n in range(1, self.max_n + 1):
            # hash of the n-gram starting at each position; uint64 arithmetic wraps around.
            hashes = hashes[: len(codes) - n + 1] * _HASH_BASE + codes[n - 1 :]
            if n >= self.min_n:
                inside = position[: len(hashes)] + n <= line_end[: len(hashes)]  # not across lines
                keys.append(hashes[inside] ^ np.uint64((n * _HASH_MIX) % (1 << 64)))
                rows.append(line_of[: len(hashes)][inside])
        all_keys = np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64)
        gram_rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        distinct, gram_features = np.unique(all_keys, return_inverse=True)
        words: defaultdict[str, int] = defaultdict(itertools.count(len(distinct)).__next__)
        word_rows: list[int] = []
        word_features: list[int] = []
        for row, text in enumerate(texts):
            found = _TOKEN.findall(text)
            word_features.extend(map(words.__getitem__, found))  # numbers new words in C
            word_rows.extend([row] * len(found))
        n_features = max(len(distinct) + len(words), 1)
        counts = sparse.csr_matrix(
            (np.concatenate([np.ones(len(gram_rows)), np.full(len(word_rows), self.word_weight)]),
             (np.concatenate([gram_rows, np.array(word_rows, dtype=np.int64)]),
              np.concatenate([gram_features.astype(np.int64).ravel(), np.array(word_features, dtype=np.int64)]))),
            shape=(n_lines, n_features),
        )
        counts.sum_duplicates()
        counts.data = 1.0 + np.log(counts.data)
        df = np.bincount(counts.indices, minlength=n_features)
        idf = np.log((n_lines + 1) / (df + 1)) + 1.0
        weighted = (counts @ sparse.diags(idf)).tocsr()
        return weighted[: len(left)], weighted[len(left) :]


