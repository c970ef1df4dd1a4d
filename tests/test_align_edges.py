"""The region's edges: lines before (after) the anchors on both sides join the search when
they pair by length, and stay one-sided when one side's are much longer."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_pipe.align import AlignConfig, align
from translate_pipe.align.regions import Region, open_edges
from translate_pipe.testing import corpus_lines

EN, FR = corpus_lines("en"), corpus_lines("fr")

# Opening lines of a release that share no number, name or cognate with their translation
# (no anchor can reach them), of matching lengths.
HEAD_EN = ["Weekly news", "Sent out by our staff at the head office of the ministry",
           "Read it all below this short text", "Ask us anything by phone on weekdays only"]
HEAD_FR = ["Nouvelles hebdomadaires", "Envoyé par notre équipe au siège du gouvernement central",
           "Lisez tout ci-dessous ce bref texte", "Appelez-nous du lundi au vendredi seulement"]
# The English goes on where the French stops: a tail cut in the translation.
TAIL_EN = ["The committee will meet again after the summer break to review these measures in detail.",
           "Observers expect a long debate on the budget, which several members have already criticised.",
           "A report on the first results is due before the end of the year, the spokesman added.",
           "Further statements by the delegations are to be published on the website next week."]


def test_open_edges_joins_lines_of_similar_length_and_leaves_a_one_sided_lead_outside() -> None:
    region = Region(4, 20, 4, 20, ((4, 4), (12, 12), (19, 19)), candidates=3)
    lengths = np.full(30, 50.0)
    opened = open_edges(region, lengths, lengths, 1.0, 0.8, 40)
    assert (opened.src_start, opened.tgt_start, opened.src_stop, opened.tgt_stop) == (0, 0, 30, 30)
    assert opened.anchors == region.anchors
    # Four target lines before the first anchor against one source line, ten source lines
    # after the last against one target line: an extra lead and a cut tail stay outside.
    shifted = Region(1, 20, 4, 23, ((1, 4), (12, 15), (19, 22)), candidates=3)
    kept = open_edges(shifted, np.full(30, 50.0), np.full(24, 50.0), 1.0, 0.8, 40)
    assert kept == shifted
    # Without the length test they would join: it is the lengths that keep them out.
    assert open_edges(shifted, np.full(30, 50.0), np.full(24, 50.0), 1.0, 0.0, 40).src_start == 0
    # Off (ratio 1.0 is never met by unequal lengths): nothing moves.
    assert open_edges(region, lengths, lengths * 1.5, 1.0, 1.0, 40) == region


def test_first_lines_without_anchors_pair_by_length() -> None:
    src, tgt = HEAD_EN + EN, HEAD_FR + FR
    beads = align(src, tgt)
    pairs = {(b.src, b.tgt) for b in beads}
    assert all(((i,), (i,)) in pairs for i in range(len(HEAD_EN)))
    # The same documents with the edges closed leave them one-sided: the edge does it.
    closed = align(src, tgt, config=AlignConfig(edge_length_ratio=1.0))
    assert sum(1 for b in closed if b.src and b.tgt and b.src[0] < len(HEAD_EN)) < len(HEAD_EN)


def test_a_tail_cut_on_one_side_stays_one_sided() -> None:
    # The French ends with one short line of its own; the English with four long ones.
    src, tgt = EN + TAIL_EN, FR + ["Fin"]
    beads = align(src, tgt)
    tail = set(range(len(EN), len(src)))
    assert all(not b.tgt for b in beads if tail & set(b.src))
    assert any(((i,), (i,)) in {(b.src, b.tgt) for b in beads} for i in range(len(EN) - 3, len(EN)))


@given(st.lists(st.integers(1, 200), min_size=3, max_size=60), st.lists(st.integers(1, 200), min_size=3, max_size=60),
       st.floats(0.0, 1.0), st.data())
@settings(max_examples=50, deadline=None)
def test_open_edges_only_grows_the_region_to_the_documents_ends(len_a: list[int], len_b: list[int], min_ratio: float,
                                                                data: st.DataObject) -> None:
    n, m = len(len_a), len(len_b)
    i0 = data.draw(st.integers(0, n - 2))
    j0 = data.draw(st.integers(0, m - 2))
    i1 = data.draw(st.integers(i0 + 1, n - 1))
    j1 = data.draw(st.integers(j0 + 1, m - 1))
    region = Region(i0, i1 + 1, j0, j1 + 1, ((i0, j0), (i1, j1)), candidates=2)
    opened = open_edges(region, np.array(len_a, float), np.array(len_b, float), 1.0, min_ratio, 40)
    assert opened.anchors == region.anchors
    assert (opened.src_start, opened.tgt_start) in {(i0, j0), (0, 0)}
    assert (opened.src_stop, opened.tgt_stop) in {(i1 + 1, j1 + 1), (n, m)}
