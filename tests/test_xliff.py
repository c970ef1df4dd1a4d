"""XLIFF export: one schema-valid file per release, in document order, states from our labels."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from translate_pipe.cli import main
from translate_pipe.config import load_config
from translate_pipe.export import export
from translate_pipe.export.xliff import XLIFF1_NS, XLIFF2_NS, state_1, state_2
from translate_pipe.pipeline import run_pipeline
from translate_pipe.review import ReviewService
from translate_pipe.store import Store

from .conftest import FIXTURES, XLIFF_SCHEMAS


def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XLIFF_SCHEMAS / name)))


@pytest.fixture(scope="session")
def xliff2_schema() -> etree.XMLSchema:
    return _schema("xliff_core_2.0.xsd")


@pytest.fixture(scope="session")
def xliff1_schema() -> etree.XMLSchema:
    return _schema("xliff-core-1.2-strict.local.xsd")


@pytest.fixture(scope="session")
def built_xliff_db(tmp_path_factory: pytest.TempPathFactory, tiny_models: dict[str, Path]) -> Path:
    """The fixture releases translated into ar and fr by the real pipeline on the tiny models."""
    root = tmp_path_factory.mktemp("xliff")
    releases = root / "releases"
    shutil.copytree(FIXTURES / "releases", releases)
    config_file = root / "fast.yaml"
    config_file.write_text("translate:\n  max_length: 12\n  beam_size: 2\n  batch_size: 8\n", encoding="utf-8")
    db = root / "built.db"
    overrides = {pair: str(path) for pair, path in tiny_models.items()}
    with Store(db) as store:
        run_pipeline([str(releases)], ["ar", "fr"], load_config(config_file), store, overrides)
    return db


@pytest.fixture()
def xliff_db(built_xliff_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "work.db"
    shutil.copy(built_xliff_db, copy)
    return copy


def test_xliff2_export_is_schema_valid_one_file_per_release_in_order(xliff_db: Path, tmp_path: Path,
                                                                        xliff2_schema: etree.XMLSchema) -> None:
    out = tmp_path / "xliff"
    with Store(xliff_db) as store:
        summary = export(store, "xliff", "fr", out)
        releases = store.releases()
        expected = {str(r["id"]): store.segments(str(r["id"])) for r in releases}
        pairs = {(p.release_id, p.segment_index): p for p in store.pairs("fr")}
    assert summary.written == len(releases) == len(summary.files)
    names = sorted(Path(f).name for f in summary.files)
    # Named after the releases' files (or JSON-lines ids), not their hashes.
    assert "2024-03-harbour.fr.xlf" in names and "2024-05-schools.fr.xlf" in names
    assert not any(str(r["id"])[:12] in name for r in releases for name in names)
    ns = {"x": XLIFF2_NS}
    for path in summary.files:
        tree = etree.parse(path)
        xliff2_schema.assertValid(tree)
        root = tree.getroot()
        assert root.get("srcLang") == "en" and root.get("trgLang") == "fr"
        file = root.find("x:file", ns)
        release_id = file.get("id")
        segments = expected[release_id]
        units = file.findall(".//x:unit", ns)
        assert [u.get("id") for u in units] == [f"u{s.index}" for s in segments]
        assert [u.findtext("x:segment/x:source", namespaces=ns) for u in units] == [s.text for s in segments]
        for unit, segment in zip(units, segments):
            pair = pairs[(release_id, segment.index)]
            assert unit.findtext("x:segment/x:target", namespaces=ns) == pair.tgt
            assert unit.find("x:segment", ns).get("state") == state_2(pair)
            categories = {n.get("category"): n.text for n in unit.findall("x:notes/x:note", ns)}
            assert categories["label"] == pair.label
            assert float(categories["score:combined"]) == pytest.approx(pair.combined, abs=1e-4)
            for flag in pair.flags:
                assert categories[f"flag:{flag.name}"] == flag.reason
        # Paragraphs are groups in document order, with the sentences of each inside.
        groups = file.findall("x:group", ns)
        assert [int(g.get("id")[1:]) for g in groups] == sorted({s.paragraph for s in segments})
        meta = {n.get("category"): n.text for n in file.findall("x:notes/x:note", ns)}
        assert meta["release:id"] == release_id and meta["release:title"]


def test_xliff1_export_is_schema_valid_with_states(xliff_db: Path, tmp_path: Path,
                                                   xliff1_schema: etree.XMLSchema) -> None:
    service = ReviewService(str(xliff_db))
    with Store(xliff_db) as store:
        first, second = list(store.pairs("ar"))[:2]
    service.edit(first.translation_id, status="approved")
    service.edit(second.translation_id, tgt="نص راجعه مترجم")
    out = tmp_path / "xliff1"
    with Store(xliff_db) as store:
        summary = export(store, "xliff1", "ar", out)
        pairs = {f"{p.release_id}:{p.segment_index}": p for p in store.pairs("ar")}
    ns = {"x": XLIFF1_NS}
    seen = 0
    for path in summary.files:
        tree = etree.parse(path)
        xliff1_schema.assertValid(tree)
        for unit in tree.iterfind(".//x:trans-unit", ns):
            pair = pairs[unit.get("id")]
            target = unit.find("x:target", ns)
            assert target.text == pair.tgt and target.get("state") == state_1(pair)
            seen += 1
    assert seen == len(pairs)
    assert state_1(pairs[f"{first.release_id}:{first.segment_index}"]) == "final"
    assert state_1(pairs[f"{second.release_id}:{second.segment_index}"]) == "translated"


def test_hostile_text_and_control_characters_stay_valid(tmp_path: Path, xliff2_schema: etree.XMLSchema,
                                                        xliff1_schema: etree.XMLSchema, tiny_models) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "odd.txt").write_text("2 May 2024\n\nA <b>bold</b> & \x07 odd title\n\nIt said \"]]>\" twice.\n",
                                    encoding="utf-8")
    db = tmp_path / "odd.db"
    assert main(["run", str(folder), "--to", "fr", "--db", str(db), "-q", "--model",
                 f"en-fr={tiny_models['en-fr']}", "--beam", "1", "--max-length", "8"]) == 0
    assert main(["export", "--db", str(db), "--lang", "fr", "--format", "xliff", "--out", str(tmp_path / "a"),
                 "-q"]) == 0
    assert main(["export", "--db", str(db), "--lang", "fr", "--format", "xliff1", "--out", str(tmp_path / "b"),
                 "-q"]) == 0
    xliff2_schema.assertValid(etree.parse(str(tmp_path / "a" / "odd.fr.xlf")))
    tree = etree.parse(str(tmp_path / "b" / "odd.fr.xlf"))
    xliff1_schema.assertValid(tree)
    sources = [s.text for s in tree.iterfind(".//{%s}trans-unit/{%s}source" % (XLIFF1_NS, XLIFF1_NS))]
    assert any("<b>bold</b> &" in s for s in sources)


def test_export_replaces_files_atomically(xliff_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "x"
    with Store(xliff_db) as store:
        export(store, "xliff", "fr", out)
        export(store, "xliff", "fr", out)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary file left behind


def test_one_file_for_many_releases_is_a_usage_error(xliff_db: Path, tmp_path: Path, capsys) -> None:
    assert main(["export", "--db", str(xliff_db), "--lang", "fr", "--format", "xliff", "--out",
                 str(tmp_path / "all.xlf")]) == 2
    assert "give a folder" in capsys.readouterr().err
    assert not (tmp_path / "all.xlf").exists()
