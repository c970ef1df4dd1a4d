"""Length-sorted batches under a token budget, and splitting of over-long sources."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ..model import TranslationResult


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


def balanced_batches(lengths: Sequence[int], workers: int, max_tokens: int,
                     max_sentences: int | None = None) -> list[list[int]]:
    """Indices of ``lengths`` in length-sorted batches that keep ``workers`` equally busy.

    A batch costs its padded size, ``len(batch) * longest`` (every row is decoded until
    the batch's longest output ends). The number of batches is the fewest that keep each
    within ``max_tokens`` (a lone longer item gets a batch of its own), rounded up to a
    multiple of ``workers``; among splits into that many contiguous runs of the sorted
    lengths, this one has the smallest largest cost. Cutting by a fixed budget instead
    leaves a small straggler batch that one worker decodes while the others wait (on 32
    sentences and 2 workers, CTranslate2's own token batching made 3 batches of 13, 15
    and 4). Costliest batch first, so the queue ends on the cheap ones.

    ``max_sentences`` bounds the sentences of a batch as well: a decoder's working memory
    grows with its rows (sentences x beam, each with a vocabulary-wide vector of scores),
    not with the source tokens the budget counts, so a budget alone lets a run of short
    sentences make one huge batch (100 sentences of 20 tokens).
    """
    if not lengths:
        return []
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    most = max_sentences or len(lengths)

    def cut(cap: int) -> list[list[int]]:
        # Greedy on ascending lengths gives the fewest runs under ``cap``: a run only
        # grows while the item that would become its longest still fits.
        runs: list[list[int]] = []
        for index in order:
            if runs and (len(runs[-1]) + 1) * lengths[index] <= cap and len(runs[-1]) < most:
                runs[-1].append(index)
            else:
                runs.append([index])
        return runs

    longest = lengths[order[-1]]
    wanted = max(len(cut(max(max_tokens, longest))), min(workers, len(order)))
    wanted = -(-wanted // workers) * workers
    low, high = longest, longest * len(order)
    while low < high:  # the smallest cap that needs no more than ``wanted`` runs
        middle = (low + high) // 2
        if len(cut(middle)) <= wanted:
            high = middle
        else:
            low = middle + 1
    runs = cut(low)
    return sorted(runs, key=lambda run: -len(run) * lengths[run[-1]])


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


def translate_in_pieces(
    sources: Sequence[str],
    count_tokens: Callable[[str], int],
    limit: int,
    translate_pieces: Callable[[list[str]], list[TranslationResult]],
) -> list[TranslationResult]:
    """Translate ``sources``, splitting those over ``limit`` tokens and joining the parts.

    Every backend shares this, so a long sentence is never truncated by any of them.
    """
    pieces: list[str] = []
    owner: list[int] = []
    for number, source in enumerate(sources):
        parts = split_for_length(source, count_tokens, limit) if source.strip() else [source]
        pieces.extend(parts)
        owner.extend([number] * len(parts))
    grouped: list[list[TranslationResult]] = [[] for _ in sources]
    for result, number in zip(translate_pieces(pieces), owner):
        grouped[number].append(result)
    return [join_results(parts) for parts in grouped]


def join_results(parts: list[TranslationResult]) -> TranslationResult:
    """One result for a source translated in several pieces: texts joined, stats pooled."""
    if len(parts) == 1:
        return parts[0]
    total = sum(p.n_tokens for p in parts) or 1
    mean = sum(p.logprob_mean * p.n_tokens for p in parts) / total
    # Pooled standard deviation of the token log-probs over all pieces.
    second = sum((p.logprob_std ** 2 + p.logprob_mean ** 2) * p.n_tokens for p in parts) / total
    entropies = [p.entropy_mean for p in parts]
    return TranslationResult(
        text=" ".join(p.text for p in parts if p.text),
        logprob_mean=mean,
        logprob_std=max(second - mean ** 2, 0.0) ** 0.5,
        entropy_mean=None if any(e is None for e in entropies)
        else sum(p.entropy_mean * p.n_tokens for p in parts) / total,  # type: ignore[operator]
        n_tokens=sum(p.n_tokens for p in parts),
        hit_max_length=any(p.hit_max_length for p in parts),
        pieces=len(parts),
    )
