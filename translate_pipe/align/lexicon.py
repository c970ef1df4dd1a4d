"""A word-translation table learned from the document itself, for a second search pass.

Without MT the aligner compares a source line with a target line by shared character
n-grams: names, numbers and cognates. Most words of a German-French or English-Arabic
pair share none, so two lines that translate each other often look no more alike than
two unrelated ones. Like hunalign's second pass (Varga et al. 2005, "realign"), the
first pass's beads are taken as a small parallel corpus: word pairs that co-occur in its
beads far more than chance (Dice coefficient over the beads) form a lexicon, and each
line gets a second vector of lexicon entries (source words on one side, their
translations on the other), appended to its n-gram vector, before the search runs again.

Words are columns of a line x word matrix shared by both sides (``word_matrices`` for
plain text; ``CharNgramEncoder.encode_with_words`` gives the encoder's own).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

_WORD = re.compile(r"\w+")

Path4 = tuple[int, int, int, int]


@dataclass(frozen=True)
class Lexicon:
    """Word pairs (column of a source word, column of a target word) and each pair's Dice."""

    source: np.ndarray
    target: np.ndarray
    weights: np.ndarray

    def __len__(self) -> int:
        return len(self.weights)


def word_matrices(left: Sequence[str], right: Sequence[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Binary line x word matrices of the two sides over one vocabulary (casefolded ``\\w+``)."""
    vocab: dict[str, int] = {}
    out = []
    for lines in (left, right):
        rows, cols = [], []
        for n, line in enumerate(lines):
            for word in dict.fromkeys(_WORD.findall(line.casefold())):
                rows.append(n)
                cols.append(vocab.setdefault(word, len(vocab)))
        out.append((rows, cols, len(lines)))
    return tuple(sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(count, max(len(vocab), 1)))
                 for rows, cols, count in out)


def training_beads(path: Sequence[Path4]) -> list[Path4]:
    """The two-sided beads of ``path`` whose neighbours are two-sided too: a bead next to a
    one-sided line is the likeliest to have taken or lost a line."""
    two = [i1 > i0 and j1 > j0 for i0, i1, j0, j1 in path]
    return [bead for t, bead in enumerate(path)
            if two[t] and (t == 0 or two[t - 1]) and (t + 1 == len(path) or two[t + 1])]


def _bead_words(words: sparse.csr_matrix, spans: Sequence[tuple[int, int]]) -> sparse.csr_matrix:
    """Binary bead x word matrix: which words each span of lines holds."""
    rows = np.repeat(np.arange(len(spans)), [stop - start for start, stop in spans])
    cols = np.concatenate([np.arange(start, stop) for start, stop in spans]) if spans else np.zeros(0, dtype=int)
    member = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(spans), words.shape[0]))
    out = (member @ words).tocsr()
    out.data[:] = 1.0
    return out


def learn_lexicon(words_a: sparse.csr_matrix, words_b: sparse.csr_matrix, beads: Sequence[Path4],
                  min_count: int = 2, min_dice: float = 0.5) -> Lexicon:
    """Word pairs of ``beads`` (``(i0, i1, j0, j1)``, two-sided) that occur together in at
    least ``min_count`` beads with a Dice coefficient of at least ``min_dice``."""
    if not beads:
        return Lexicon(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    s = _bead_words(words_a, [(i0, i1) for i0, i1, _, _ in beads])
    t = _bead_words(words_b, [(j0, j1) for _, _, j0, j1 in beads])
    together = (s.T @ t).tocoo()
    fs = np.asarray(s.sum(0)).ravel()
    ft = np.asarray(t.sum(0)).ravel()
    dice = 2 * together.data / (fs[together.row] + ft[together.col])
    keep = (together.data >= min_count) & (dice >= min_dice)
    return Lexicon(together.row[keep].astype(np.int64), together.col[keep].astype(np.int64), dice[keep])


def lexicon_vectors(words_a: sparse.csr_matrix, words_b: sparse.csr_matrix, lexicon: Lexicon,
                    ) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """One feature per lexicon entry: a source line has it when it holds the entry's source
    word, a target line when it holds the target word, each weighted by the square root
    of the entry's Dice times an idf of the entry over both documents' lines."""
    count, vocab = len(lexicon), words_a.shape[1]
    entry = np.arange(count)
    to_src = sparse.csr_matrix((np.ones(count), (lexicon.source, entry)), shape=(vocab, count))
    to_tgt = sparse.csr_matrix((np.ones(count), (lexicon.target, entry)), shape=(vocab, count))
    a = (words_a @ to_src).tocsr()
    b = (words_b @ to_tgt).tocsr()
    a.data[:] = 1.0
    b.data[:] = 1.0
    df = np.asarray(a.sum(0)).ravel() + np.asarray(b.sum(0)).ravel()
    idf = np.log((words_a.shape[0] + words_b.shape[0] + 1) / (df + 1)) + 1.0
    weight = sparse.diags(np.sqrt(lexicon.weights * idf))
    return (a @ weight).tocsr(), (b @ weight).tocsr()


def scaled_to(lex: sparse.csr_matrix, squared_norms: np.ndarray, weight: float) -> sparse.csr_matrix:
    """Each line's lexicon vector scaled to ``weight`` times the norm of its other vector
    (``squared_norms``: its n-grams'), so that lines keep their relative weight in a merge
    and the lexicon has the same share of every line's similarity that has entries."""
    l_norm = np.sqrt(np.asarray(lex.multiply(lex).sum(1)).ravel())
    scale = np.divide(weight * np.sqrt(squared_norms), l_norm, out=np.zeros(len(l_norm)), where=l_norm > 0)
    return (sparse.diags(scale) @ lex).tocsr()
