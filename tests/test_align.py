from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_pipe.align import align
from translate_pipe.beads import format_bead, parse_bead
from translate_pipe.cli import main
from translate_pipe.model import Bead
from translate_pipe.testing import corpus_lines

from .conftest import SHARED_DATA

EN, FR = corpus_lines("en"), corpus_lines("fr")


def _covers_in_order(beads: list[Bead], n: int, m: int) -> None:
    assert [i for b in beads for i in b.src] == list(range(n))
    assert [j for b in beads for j in b.tgt] == list(range(m))
    assert all(b.src or b.tgt for b in beads)
    assert all(0.0 <= b.score <= 1.0 for b in beads)


def test_parallel_text_aligns_one_to_one() -> None:
    beads = align(EN, FR)  # no MT: names, numbers and cognates are enough here
    _covers_in_order(beads, len(EN), len(FR))
    one_to_one = sum(1 for b in beads if len(b.src) == len(b.tgt) == 1 and b.src[0] == b.tgt[0])
    assert one_to_one >= 0.9 * len(EN)


def test_identical_inputs_align_diagonally_with_high_scores() -> None:
    beads = align(EN, EN, EN)
    assert [(b.src, b.tgt) for b in beads] == [((i,), (i,)) for i in range(len(EN))]
    assert min(b.score for b in beads) > 0.8


def test_merged_and_missing_sentences_are_found() -> None:
    # Target: sentences 3 and 4 merged into one line, sentence 10 left out.
    tgt = FR[:3] + [FR[3] + " " + FR[4]] + FR[5:10] + FR[11:]
    beads = align(EN, tgt, mt=FR)  # FR is a perfect "MT" of EN
    _covers_in_order(beads, len(EN), len(tgt))
    pairs = {(b.src, b.tgt) for b in beads}
    assert ((3, 4), (3,)) in pairs
    assert ((10,), ()) in pairs


def test_empty_sides_give_only_one_sided_beads() -> None:
    assert align([], ["a", "b"]) == [Bead((), (0,), 1.0), Bead((), (1,), 1.0)]
    assert align(["a"], []) == [Bead((0,), (), 1.0)]
    with pytest.raises(ValueError, match="line by line"):
        align(["a", "b"], ["x"], mt=["only one"])


def test_one_side_much_longer() -> None:
    beads = align(EN[:2], FR)
    _covers_in_order(beads, 2, len(FR))


_sentence = st.text(alphabet=st.sampled_from(list("abcdefg hij.,0123")), min_size=0, max_size=40)


@given(st.lists(_sentence, max_size=25), st.lists(_sentence, max_size=25), st.booleans())
@settings(max_examples=60, deadline=None)
def test_every_line_in_exactly_one_bead_in_order(src: list[str], tgt: list[str], use_mt: bool) -> None:
    beads = align(src, tgt, mt=list(src) if use_mt else None)
    _covers_in_order(beads, len(src), len(tgt))


@given(st.lists(st.tuples(st.lists(st.integers(0, 50), max_size=3), st.lists(st.integers(0, 50), max_size=3),
                          st.floats(0, 1))))
def test_bead_format_round_trips(raw: list[tuple[list[int], list[int], float]]) -> None:
    for src, tgt, score in raw:
        bead = Bead(tuple(src), tuple(tgt), round(score, 4))
        assert parse_bead(format_bead(bead)) == bead
    assert parse_bead("[3]:[]") == Bead((3,), (), 1.0)
    assert parse_bead("[]:[4]") == Bead((), (4,), 1.0)


def test_textberg_dev_beats_bleualign() -> None:
    folder = SHARED_DATA / "alignment" / "textberg_dev"
    if not folder.exists():
        pytest.skip("shared data not present")
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from align_quality import f1, lines, read_beads

    beads = align(lines(folder / "001.src"), lines(folder / "001.tgt"), lines(folder / "001.mt.google"))
    strict_f1 = f1(beads, read_beads(folder / "001.gold"))[2]
    assert strict_f1 >= 0.85  # Bleualign 0.780 on the same document


def test_align_command(tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_models: dict[str, Path]) -> None:
    (tmp_path / "en.txt").write_text("\n".join(EN) + "\n", encoding="utf-8")
    (tmp_path / "fr.txt").write_text("\n".join(FR[:20]) + "\n", encoding="utf-8")
    (tmp_path / "mt.txt").write_text("\n".join(FR) + "\n", encoding="utf-8")
    assert main(["align", str(tmp_path / "en.txt"), str(tmp_path / "fr.txt"), "--tgt-lang", "fr",
                 "--mt", str(tmp_path / "mt.txt")]) == 0
    beads = [parse_bead(line) for line in capsys.readouterr().out.splitlines()]
    _covers_in_order(beads, len(EN), 20)
    assert sum(1 for b in beads if b.src and not b.tgt) == 10

    # Without --mt the configured model translates the source itself (tiny random model here).
    assert main(["align", str(tmp_path / "en.txt"), str(tmp_path / "fr.txt"), "--tgt-lang", "fr",
                 "--model", f"en-fr={tiny_models['en-fr']}", "--out", str(tmp_path / "b.txt")]) == 0
    beads = [parse_bead(line) for line in (tmp_path / "b.txt").read_text().splitlines()]
    _covers_in_order(beads, len(EN), 20)

    (tmp_path / "short.txt").write_text("one line\n", encoding="utf-8")
    assert main(["align", str(tmp_path / "en.txt"), str(tmp_path / "fr.txt"), "--tgt-lang", "fr",
                 "--mt", str(tmp_path / "short.txt")]) == 1
    assert "must match it line by line" in capsys.readouterr().err
