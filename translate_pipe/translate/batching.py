"""Length-sorted batches under a token budget, and splitting of over-long sources."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence


def token_budget_batches(
    lengths: Sequence[int], max_sentences: int, max_tokens: int
) -> list[list[int]]:
    """Indices of ``lengths`` grouped into batches, longest first.

    A batch's cost is its padded size, ``len(batch) * longest``; it stays within
    ``max_tokens`` unless a single item alone is larger. Sorting keeps padding low;
    the caller restores the original order from the indices.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        longest = lengths[current[0]] if current else lengths[index]
        if current and (len(current) >= max_sentences or (len(current) + 1) * longest > max_tokens):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


_CLAUSE_BREAK = re.compile(r"(?<=[;:,،؛])\s+")


def split_for_length(text: str, count_tokens: Callable[[str], int], limit: int) -> list[str]:
    """Split ``text`` into consecutive pieces of at most ``limit`` tokens each.

    Breaks at clause punctuation first, then between words, then (for a single run
    of characters longer than the limit) inside the word. Joining the pieces with
    single spaces gives back the text up to white space.
    """
    if count_tokens(text) <= limit:
        return [text]
    pieces: list[str] = []
    for clause in _CLAUSE_BREAK.split(text):
        if count_tokens(clause) <= limit:
            units = [clause]
        else:
            units = []
            for word in clause.split():
                units.extend(_split_word(word, count_tokens, limit))
        pieces.extend(_pack(units, count_tokens, limit))
    return _pack(pieces, count_tokens, limit)


def _split_word(word: str, count_tokens: Callable[[str], int], limit: int) -> list[str]:
    if count_tokens(word) <= limit:
        return [word]
    # Halving keeps the number of tokenizer calls logarithmic in the word's length.
    middle = len(word) // 2
    return _split_word(word[:middle], count_tokens, limit) + _split_word(word[middle:], count_tokens, limit)


def _pack(units: list[str], count_tokens: Callable[[str], int], limit: int) -> list[str]:
    packed: list[str] = []
    for unit in units:
        if packed and count_tokens(packed[-1] + " " + unit) <= limit:
            packed[-1] = packed[-1] + " " + unit
        else:
            packed.append(unit)
    return packed
