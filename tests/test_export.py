from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from translate_pipe.export import export, unique_pairs
from translate_pipe.export.tmx import write as write_tmx
from translate_pipe.ingest import parse_release_text
from translate_pipe.model import Flag, Pair, PairScores
from translate_pipe.segment import segment_release
from translate_pipe.store import Store

from .conftest import TMX_DTD as DTD_PATH


def _pair(src: str, tgt: str, index: int = 0, combined: float = 0.7, label: str = "good") -> Pair:
    return Pair("r1", index, "en", "ar", src, tgt, "m@rev", "mt", {"logprob_mean": -0.3},
                (Flag("number_mismatch", "numbers differ: missing 5 & <6>"),), combined, label)


def _validate(path: Path) -> None:
    dtd = etree.DTD(str(DTD_PATH))
    doc = etree.parse(str(path))
    assert dtd.validate(doc), dtd.error_log.filter_from_errors()


def test_tmx_validates_and_escapes(tmp_path: Path) -> None:
    pairs = [_pair('<script>alert("x")</script> & co', "نص <b>عربي</b> & \x07bell"), _pair("Plain.", "عادي.", 1)]
    out = tmp_path / "c.tmx"
    count, _ = write_tmx(pairs, out, "ar")
    assert count == 2
    _validate(out)
    doc = etree.parse(str(out))
    segs = doc.findall(".//tuv/seg")
    assert segs[0].text == '<script>alert("x")</script> & co'
    assert segs[1].text == "نص <b>عربي</b> & bell"  # the control character is gone, nothing else
    tu = doc.find(".//tu")
    assert [c.tag for c in tu][-2:] == ["tuv", "tuv"]
    props = {p.get("type"): p.text for p in tu.findall("prop")}
    assert props["x-score-logprob_mean"] == "-0.3000" and props["x-label"] == "good"
    assert props["x-flag-number_mismatch"] == "numbers differ: missing 5 & <6>"
    header = doc.find("header")
    assert header.get("srclang") == "en" and header.get("segtype") == "sentence"
    assert doc.getroot().get("version") == "1.4"


@given(st.lists(st.tuples(st.text(max_size=30), st.text(max_size=30)), max_size=8))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_tmx_is_valid_for_any_text(tmp_path: Path, texts: list[tuple[str, str]]) -> None:
    out = tmp_path / "any.tmx"
    pairs = [_pair(s, t, i) for i, (s, t) in enumerate(texts)]
    write_tmx(pairs, out, "ar")
    _validate(out)
    segs = [s.text or "" for s in etree.parse(str(out)).findall(".//seg")]
    assert len(segs) == 2 * len(pairs)


def test_unique_pairs_keeps_first_occurrence() -> None:
    pairs = [_pair("A b.", "x"), _pair("A  b.", "x", 1), _pair("A b.", "y", 2)]
    assert [p.segment_index for p in unique_pairs(pairs)] == [0, 2]


def test_export_filters_and_release_documents(tmp_path: Path) -> None:
    release = parse_release_text("Title Here\n\nFirst sentence. Second sentence.\n\nThird one.\n", "x.txt")
    with Store(tmp_path / "s.db") as store:
        store.add_release(release, segment_release(release))
        rows = store.db.execute("SELECT id, idx FROM segments ORDER BY idx").fetchall()
        from translate_pipe.translate.base import SystemInfo

        system = store.system_id(SystemInfo("m", "r", "en", "ar", "transformers", {"beam": 1}))
        run = store.begin_run(["x.txt"], ["ar"], "{}", "test")
        # Titles, then sentences, with scores that the filters can separate.
        items = [(sid, f"ترجمة {idx}", "mt", PairScores({"logprob_mean": -idx}, (), 1 / (1 + idx), "good" if idx < 2 else "bad"))
                 for sid, idx in rows[:3]]
        assert store.add_translations(run, system, "ar", items) == 3
        assert store.add_translations(run, system, "ar", items) == 0  # idempotent
        summary = export(store, "jsonl", "ar", tmp_path / "all.jsonl")
        assert summary.written == 3
        assert export(store, "jsonl", "ar", tmp_path / "f.jsonl", min_score=0.5).written == 2
        assert export(store, "jsonl", "ar", tmp_path / "l.jsonl", labels=["bad"]).written == 1
        docs = export(store, "release", "ar", tmp_path / "docs")
        text = Path(docs.files[0]).read_text(encoding="utf-8")
        # The untranslated fourth sentence keeps its English text; paragraphs are rebuilt.
        assert text.splitlines()[0] == "ترجمة 0"
        assert "ترجمة 1 ترجمة 2" in text and "Third one." in text
