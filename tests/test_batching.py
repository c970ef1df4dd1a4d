from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from translate_pipe.translate.batching import balanced_batches, split_for_length, token_budget_batches


@given(st.lists(st.integers(1, 300), max_size=80), st.integers(1, 32), st.integers(1, 4000))
def test_batches_cover_every_item_once_within_budget(lengths: list[int], max_sentences: int, max_tokens: int) -> None:
    batches = token_budget_batches(lengths, max_sentences, max_tokens)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= max_sentences
        longest = max(lengths[i] for i in batch)
        assert len(batch) == 1 or len(batch) * longest <= max_tokens
        # Length-sorted: each batch holds lengths in non-increasing order.
        assert [lengths[i] for i in batch] == sorted((lengths[i] for i in batch), reverse=True)


def _best_largest_cost(lengths: list[int], runs: int) -> int:
    """The smallest possible largest padded cost over splits of sorted ``lengths`` into at most ``runs`` runs."""
    ordered = sorted(lengths)
    n = len(ordered)
    best = [[float("inf")] * (runs + 1) for _ in range(n + 1)]
    best[0] = [0] * (runs + 1)
    for end in range(1, n + 1):
        for k in range(1, runs + 1):
            for start in range(end):
                cost = max(best[start][k - 1], (end - start) * ordered[end - 1])
                best[end][k] = min(best[end][k], cost)
    return int(best[n][runs])


@given(st.lists(st.integers(1, 60), max_size=14), st.integers(1, 4), st.integers(1, 400))
@settings(max_examples=300)
def test_balanced_batches_are_sorted_runs_with_the_smallest_largest_cost(
        lengths: list[int], workers: int, max_tokens: int) -> None:
    batches = balanced_batches(lengths, workers, max_tokens)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    if not lengths:
        return
    costs = [len(b) * max(lengths[i] for i in b) for b in batches]
    assert max(costs) <= max(max_tokens, max(lengths))
    assert costs == sorted(costs, reverse=True)  # costliest first
    # Runs of the sorted lengths: no batch's range of lengths overlaps another's inside.
    spans = sorted((min(lengths[i] for i in b), max(lengths[i] for i in b)) for b in batches)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    fewest = len(token_budget_batches(lengths, len(lengths), max(max_tokens, max(lengths))))
    wanted = -(-max(fewest, min(workers, len(lengths))) // workers) * workers
    assert len(batches) <= wanted
    assert max(costs) == _best_largest_cost(lengths, wanted)


def test_balanced_batches_split_a_small_call_evenly_between_workers() -> None:
    # 32 sentences of 20..51 tokens and 2 workers: two batches of equal padded cost
    # rather than a budget's 13 + 15 + a straggler of 4.
    lengths = list(range(20, 52))
    batches = balanced_batches(lengths, 2, 2048)
    assert len(batches) == 2
    costs = [len(b) * max(lengths[i] for i in b) for b in batches]
    assert max(costs) - min(costs) <= 51


def _count(text: str) -> int:
    return len(text.split()) + len(text) // 12 + 1


@given(st.text(alphabet=st.sampled_from(list("abcdefgh ,;:،")), max_size=400), st.integers(4, 40))
@settings(max_examples=200)
def test_split_pieces_fit_and_rebuild_the_text(text: str, limit: int) -> None:
    pieces = split_for_length(text, _count, limit)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())
    if _count(text) > limit:
        assert all(_count(p) <= limit for p in pieces)
