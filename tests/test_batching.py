from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from translate_pipe.translate.batching import split_for_length, token_budget_batches


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


def _count(text: str) -> int:
    return len(text.split()) + len(text) // 12 + 1


@given(st.text(alphabet=st.sampled_from(list("abcdefgh ,;:،")), max_size=400), st.integers(4, 40))
@settings(max_examples=200)
def test_split_pieces_fit_and_rebuild_the_text(text: str, limit: int) -> None:
    pieces = split_for_length(text, _count, limit)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())
    if _count(text) > limit:
        assert all(_count(p) <= limit for p in pieces)
