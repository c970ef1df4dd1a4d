"""Imports: post-edited XLIFF back into the store (exactly the edited pairs change), TMX as memory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from translate_pipe.cli import main
from translate_pipe.export import export
from translate_pipe.export.xliff import XLIFF1_NS, XLIFF2_NS
from translate_pipe.imports.xliff import import_xliff
from translate_pipe.store import Store

from .test_xliff import built_xliff_db, xliff1_schema, xliff2_schema, xliff_db  # noqa: F401 - shared fixtures

# What a translator might type: French and Arabic letters, digits, punctuation, odd spacing.
EDIT_TEXT = st.text(alphabet="abcdeéèçàôœ ABCÉ 0123456789 ,.;:!?«»'’-— ابتثجحخدذرسشصضطظعغفقكلمنهوي ،؛؟ \t",
                    min_size=1, max_size=60).filter(lambda t: t.strip())


def _units(tree: etree._ElementTree, version: str) -> dict[tuple[str, int], etree._Element]:
    """(release id, sentence index) -> the unit element, from the keys the export wrote."""
    units = {}
    if version == "xliff":
        ns = {"x": XLIFF2_NS}
        for file in tree.iterfind("x:file", ns):
            for unit in file.iterfind(".//x:unit", ns):
                units[(file.get("id"), int(unit.get("id")[1:]))] = unit
    else:
        for unit in tree.iterfind(f".//{{{XLIFF1_NS}}}trans-unit"):
            release_id, _, index = unit.get("id").rpartition(":")
            units[(release_id, int(index))] = unit
    return units


def _set_target(unit: etree._Element, version: str, text: str | None, final: bool) -> None:
    """Edit a unit as a CAT tool would: new target text and/or state."""
    if version == "xliff":
        ns = XLIFF2_NS
        segment = unit.find(f"{{{ns}}}segment")
        target = segment.find(f"{{{ns}}}target")
        if text is not None:
            target.text = text
        segment.set("state", "final" if final else "reviewed")
    else:
        ns = XLIFF1_NS
        target = unit.find(f"{{{ns}}}target")
        if text is not None:
            target.text = text
        target.set("state", "final" if final else "translated")


def _current(db: Path, lang: str) -> dict[tuple[str, int], tuple[int, str, str]]:
    with Store(db) as store:
        return {(p.release_id, p.segment_index): (p.translation_id, p.tgt, p.status) for p in store.pairs(lang)}


def _version_count(db: Path) -> int:
    with Store(db) as store:
        return int(store.db.execute("SELECT COUNT(*) FROM translations").fetchone()[0])


@pytest.mark.parametrize("version", ["xliff", "xliff1"])
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_round_trip_changes_exactly_the_edited_pairs(built_xliff_db: Path, tmp_path_factory: pytest.TempPathFactory,  # noqa: F811
                                                     version: str, data: st.DataObject) -> None:
    root = tmp_path_factory.mktemp("roundtrip")
    db = root / "work.db"
    shutil.copy(built_xliff_db, db)
    lang = data.draw(st.sampled_from(["ar", "fr"]), label="lang")
    with Store(db) as store:
        files = export(store, version, lang, root / "out").files
    before = _current(db, lang)
    trees = {path: etree.parse(path) for path in files}
    units = {key: (path, unit) for path, tree in trees.items() for key, unit in _units(tree, version).items()}
    keys = sorted(units)
    edits = data.draw(st.dictionaries(st.sampled_from(keys), st.tuples(st.one_of(st.none(), EDIT_TEXT), st.booleans()),
                                      max_size=8), label="edits")
    for key, (text, final) in edits.items():
        _set_target(units[key][1], version, text, final)
    for path, tree in trees.items():
        tree.write(path, xml_declaration=True, encoding="UTF-8")

    for path in files:
        result = import_xliff(path, str(db))
        assert result.problems == []
    after = _current(db, lang)

    expected_changed = set()
    for key, (text, final) in edits.items():
        old_id, old_text, old_status = before[key]
        new_text = " ".join(text.split()) if text is not None else old_text
        text_changed = new_text.split() != old_text.split()
        if text_changed or (final and old_status != "approved"):
            expected_changed.add(key)
            _, tgt, status = after[key]
            assert tgt == new_text
            assert status == ("approved" if final else "edited")
    changed = {key for key in before if after[key][0] != before[key][0]}
    assert changed == expected_changed
    assert set(after) == set(before)

    # The same file again adds nothing.
    count = _version_count(db)
    for path in files:
        again = import_xliff(path, str(db))
        assert again.edited == again.approved == 0
    assert _version_count(db) == count


def _first_export(db: Path, tmp_path: Path, version: str = "xliff", lang: str = "fr") -> Path:
    with Store(db) as store:
        return Path(export(store, version, lang, tmp_path / "x").files[0])


def test_edited_source_and_unknown_units_are_reported_not_guessed(xliff_db: Path, tmp_path: Path) -> None:  # noqa: F811
    path = _first_export(xliff_db, tmp_path)
    tree = etree.parse(str(path))
    ns = {"x": XLIFF2_NS}
    units = tree.findall(".//x:unit", ns)
    units[0].find("x:segment/x:source", ns).text = "A sentence the translator rewrote."
    units[0].find("x:segment/x:target", ns).text = "Une phrase réécrite."
    units[1].set("id", "u9999")
    units[1].find("x:segment/x:target", ns).text = "Une autre."
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    before = _version_count(xliff_db)
    result = import_xliff(path, str(xliff_db))
    assert len(result.problems) == 2
    assert "source differs" in result.problems[0] and "sentence 9999" in result.problems[1]
    assert _version_count(xliff_db) == before


def test_foreign_file_is_reported_and_cli_exits_nonzero(xliff_db: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture) -> None:  # noqa: F811
    foreign = tmp_path / "foreign.xlf"
    foreign.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">'
        '<file original="app.properties" source-language="en" target-language="fr" datatype="plaintext"><body>'
        '<trans-unit id="greeting"><source>Hello</source><target state="final">Bonjour</target></trans-unit>'
        '</body></file></xliff>', encoding="utf-8")
    before = _version_count(xliff_db)
    assert main(["import", str(foreign), "--db", str(xliff_db)]) == 1
    err = capsys.readouterr().err
    assert "unit greeting: not a unit of a translate-pipe export" in err and "Traceback" not in err
    assert _version_count(xliff_db) == before


def test_xliff_into_a_missing_database_is_refused(xliff_db: Path, tmp_path: Path,  # noqa: F811
                                                   capsys: pytest.CaptureFixture) -> None:
    path = _first_export(xliff_db, tmp_path)
    assert main(["import", str(path), "--db", str(tmp_path / "other.db")]) == 1
    assert "no such database" in capsys.readouterr().err and not (tmp_path / "other.db").exists()


def test_not_xml_is_one_line_error(xliff_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:  # noqa: F811
    bad = tmp_path / "notes.xlf"
    bad.write_text("this is not xml <", encoding="utf-8")
    assert main(["import", str(bad), "--db", str(xliff_db)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(bad) in err[0] and "not well-formed XML" in err[0]


def test_cli_round_trip_xliff1_with_inline_codes(xliff_db: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture) -> None:  # noqa: F811
    path = _first_export(xliff_db, tmp_path, "xliff1", "ar")
    tree = etree.parse(str(path))
    unit = tree.find(f".//{{{XLIFF1_NS}}}trans-unit")
    target = unit.find(f"{{{XLIFF1_NS}}}target")
    # A tool that wraps part of the text in <g> and adds a placeholder with native code.
    target.text = "قال "
    g = etree.SubElement(target, f"{{{XLIFF1_NS}}}g", id="1")
    g.text = "الوزير"
    ph = etree.SubElement(target, f"{{{XLIFF1_NS}}}ph", id="2")
    ph.text = "<br/>"
    ph.tail = " اليوم"
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    assert main(["import", str(path), "--db", str(xliff_db)]) == 0
    assert "1 edited" in capsys.readouterr().err
    release_id, _, index = unit.get("id").rpartition(":")
    with Store(xliff_db) as store:
        pair = next(p for p in store.pairs("ar", release_ids=[release_id]) if p.segment_index == int(index))
    assert pair.tgt == "قال الوزير اليوم" and pair.status == "edited" and pair.origin == "human"


# --- TMX as translation memory ---------------------------------------------------------------------------

# Written in the style of another tool (a CAT tool's TMX 1.4b export): srclang="*all*", props and notes,
# language codes with regions in any case, a TMX 1.1-style `lang`, inline codes with native markup.
OTHER_TOOL_TMX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
<header creationtool="SDL Language Platform" creationtoolversion="8.0" o-tmf="SDL TM8 Format" datatype="xml"
        segtype="sentence" adminlang="EN-US" srclang="*all*" creationdate="20230101T120000Z">
  <prop type="x-Domain:SinglePicklist">Press</prop>
</header>
<body>
<tu creationdate="20230102T101500Z" creationid="ANNA" usagecount="3">
  <prop type="x-Client">Port Authority</prop>
  <note>Checked against the published French release.</note>
  <tuv xml:lang="EN-US"><seg>The U.N. Development Programme welcomed the opening.</seg></tuv>
  <tuv xml:lang="fr-FR"><seg>Le Programme des Nations unies pour le développement a salué l’ouverture.</seg></tuv>
</tu>
<tu>
  <tuv xml:lang="en-GB"><seg>The council called for an immediate ceasefire on <bpt i="1" x="1">&lt;b&gt;</bpt>Sunday<ept i="1">&lt;/b&gt;</ept>.</seg></tuv>
  <tuv xml:lang="FR-ca"><seg>Le conseil a appelé à un cessez-le-feu immédiat <ph x="2">&lt;br/&gt;</ph>dimanche.</seg></tuv>
  <tuv xml:lang="fr-FR"><seg>Le conseil a demandé un cessez-le-feu immédiat dimanche.</seg></tuv>
</tu>
<tu><tuv xml:lang="en"><seg>Only English and German here.</seg></tuv><tuv xml:lang="de-DE"><seg>Nur Deutsch.</seg></tuv></tu>
<tu><tuv lang="EN"><seg>A water project that  serves 40 villages was completed on Sunday.</seg></tuv>
    <tuv lang="FR"><seg>Un projet d’eau qui dessert 40 villages a été achevé dimanche.</seg></tuv></tu>
</body>
</tmx>
"""


@pytest.fixture()
def tmx_file(tmp_path: Path) -> Path:
    path = tmp_path / "press-memory.tmx"
    path.write_text(OTHER_TOOL_TMX, encoding="utf-8")
    return path


def test_tmx_import_counts_and_is_idempotent(tmx_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "m.db"
    assert main(["import", str(tmx_file), "--lang", "fr", "--db", str(db)]) == 0
    assert "4 translation units, 3 added to the en-fr memory, 1 without both languages" in capsys.readouterr().err
    assert main(["import", str(tmx_file), "--lang", "fr", "--db", str(db)]) == 0
    assert "0 added" in capsys.readouterr().err
    with Store(db) as store:
        rows = dict(store.db.execute("SELECT src, tgt FROM memory_units WHERE tgt_lang = 'fr'").fetchall())
    # Inline codes' native markup is left out; the first French variant (fr-CA) is the one taken.
    assert rows["The council called for an immediate ceasefire on Sunday."] == \
        "Le conseil a appelé à un cessez-le-feu immédiat dimanche."
    assert rows["A water project that serves 40 villages was completed on Sunday."].startswith("Un projet d’eau")
    assert main(["import", str(tmx_file), "--db", str(db)]) == 2  # which language: a usage error
    assert "needs --lang" in capsys.readouterr().err


def test_memory_exact_before_model_fuzzy_as_alternatives(tmx_file: Path, tmp_path: Path, model_args: list[str],
                                                         fast_config_file: Path, releases_dir: Path,
                                                         xliff2_schema, xliff1_schema) -> None:  # noqa: F811
    from translate_pipe.review import ReviewService

    db = tmp_path / "m.db"
    assert main(["import", str(tmx_file), "--lang", "fr", "--db", str(db), "-q"]) == 0
    assert main(["run", str(releases_dir), "--to", "fr", "--db", str(db), "--config", str(fast_config_file), "-q",
                 *model_args]) == 0
    with Store(db) as store:
        pairs = {p.src: p for p in store.pairs("fr")}
    exact = pairs["The U.N. Development Programme welcomed the opening."]
    assert exact.tgt == "Le Programme des Nations unies pour le développement a salué l’ouverture."
    assert exact.origin == "memory:press-memory.tmx" and exact.scores["memory_similarity"] == 1.0
    assert pairs["A water project that serves 40 villages was completed on Sunday."].origin == "memory:press-memory.tmx"
    fuzzy = pairs["The council called for an immediate ceasefire on Saturday."]
    assert fuzzy.origin == "mt"  # not close enough to use: offered instead

    service = ReviewService(str(db))
    listed = {p["src"]: p for p in service.pairs(fuzzy.release_id, "fr")}
    offered = listed[fuzzy.src]["memory"]
    assert offered and offered[0]["tgt"] == "Le conseil a appelé à un cessez-le-feu immédiat dimanche."
    assert offered[0]["origin"] == "press-memory.tmx" and 0.7 <= offered[0]["similarity"] < 1
    assert service.pair(fuzzy.translation_id)["memory"] == offered

    out = tmp_path / "x"
    with Store(db) as store:
        x2 = export(store, "xliff", "fr", out / "2", release_ids=[fuzzy.release_id]).files[0]
        x1 = export(store, "xliff1", "fr", out / "1", release_ids=[fuzzy.release_id]).files[0]
    tree2, tree1 = etree.parse(x2), etree.parse(x1)
    xliff2_schema.assertValid(tree2)
    xliff1_schema.assertValid(tree1)
    match = tree2.find(".//{urn:oasis:names:tc:xliff:matches:2.0}match")
    assert match.get("origin") == "press-memory.tmx" and float(match.get("similarity")) >= 70
    alt = tree1.find(f".//{{{XLIFF1_NS}}}alt-trans")
    assert alt.findtext(f"{{{XLIFF1_NS}}}target") == "Le conseil a appelé à un cessez-le-feu immédiat dimanche."


def test_broken_tmx_is_one_line_and_keeps_what_came_before(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    broken = tmp_path / "broken.tmx"
    cut = OTHER_TOOL_TMX[: OTHER_TOOL_TMX.index("<tu><tuv lang=")]
    broken.write_text(cut + "<tu><tuv lang='EN'><seg>cut off", encoding="utf-8")
    db = tmp_path / "b.db"
    assert main(["import", str(broken), "--lang", "fr", "--db", str(db)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "broken.tmx: not well-formed XML" in err[0]
    with Store(db) as store:
        assert store.db.execute("SELECT COUNT(*) FROM memory_units").fetchone()[0] == 2


def test_review_page_shows_memory_matches_and_missing_terms(tmx_file: Path, tmp_path: Path, model_args: list[str],
                                                            fast_config_file: Path, releases_dir: Path,
                                                            browser) -> None:
    import threading
    import time

    import uvicorn

    from translate_pipe.config import load_config
    from translate_pipe.review.app import create_app

    from .test_review import _free_port, _wait

    terms = tmp_path / "fr.tsv"
    terms.write_text("ceasefire\tcessez-le-feu\n", encoding="utf-8")
    db = tmp_path / "m.db"
    assert main(["import", str(tmx_file), "--lang", "fr", "--db", str(db), "-q"]) == 0
    assert main(["run", str(releases_dir), "--to", "fr", "--db", str(db), "--config", str(fast_config_file), "-q",
                 "--glossary", f"fr={terms}", *model_args]) == 0
    config = load_config(fast_config_file).with_overrides("score", glossaries={"fr": str(terms)})
    port = _free_port()
    running = uvicorn.Server(uvicorn.Config(create_app(str(db), config), host="127.0.0.1", port=port,
                                            log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not running.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        browser.get(f"http://127.0.0.1:{port}/")
        _wait(browser, "return document.querySelectorAll('#releases tbody a').length > 0")
        browser.find_element("link text", "Council Calls for Ceasefire").click()
        _wait(browser, "return document.body.dataset.loaded === 'fr'")
        cell = next(row.find_element("css selector", "td.tgt") for row in
                    browser.find_elements("css selector", "#pairs tr.pair")
                    if "immediate ceasefire on Saturday" in row.text)
        memory = cell.find_element("css selector", ".memory-match").text
        assert memory.startswith("Memory ") and "Le conseil a appelé à un cessez-le-feu immédiat dimanche." in memory
        assert "missing 'cessez-le-feu' for 'ceasefire'" in cell.find_element("css selector", ".missing-terms").text
    finally:
        running.should_exit = True
        thread.join(10)


@pytest.mark.postgres
def test_memory_and_xliff_round_trip_on_postgres(postgres_url: str, tmx_file: Path, tmp_path: Path,
                                                 model_args: list[str], fast_config_file: Path,
                                                 releases_dir: Path) -> None:
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'translate-pipe[postgres]')")
    assert main(["import", str(tmx_file), "--lang", "fr", "--db", postgres_url, "-q"]) == 0
    assert main(["import", str(tmx_file), "--lang", "fr", "--db", postgres_url, "-q"]) == 0
    assert main(["run", str(releases_dir), "--to", "fr", "--db", postgres_url, "--config", str(fast_config_file),
                 "-q", *model_args]) == 0
    with Store(postgres_url) as store:
        assert store.db.execute("SELECT COUNT(*) FROM memory_units").fetchone()[0] == 3
        pairs = {p.src: p for p in store.pairs("fr")}
        assert pairs["The U.N. Development Programme welcomed the opening."].origin == "memory:press-memory.tmx"
        path = Path(export(store, "xliff", "fr", tmp_path / "x", release_ids=[pairs[
            "The council called for an immediate ceasefire on Saturday."].release_id]).files[0])
    tree = etree.parse(str(path))
    assert tree.find(".//{urn:oasis:names:tc:xliff:matches:2.0}match") is not None
    unit = tree.find(f".//{{{XLIFF2_NS}}}unit")
    unit.find(f"{{{XLIFF2_NS}}}segment/{{{XLIFF2_NS}}}target").text = "Le conseil appelle à un cessez-le-feu."
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    result = import_xliff(path, postgres_url)
    assert (result.edited, result.problems) == (1, [])
    assert import_xliff(path, postgres_url).edited == 0


UNIT_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("<>&\"' \t"),
                    min_size=1, max_size=40).filter(lambda t: t.split())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(units=st.lists(st.tuples(UNIT_TEXT, UNIT_TEXT), min_size=1, max_size=12))
def test_our_tmx_export_imports_back_as_the_same_memory(tmp_path_factory: pytest.TempPathFactory,
                                                        units: list[tuple[str, str]]) -> None:
    """Any text our TMX writer writes (markup characters, any script) comes back as the same units."""
    from translate_pipe.export import tmx
    from translate_pipe.imports.tmx import import_tmx
    from translate_pipe.model import Pair
    from translate_pipe.store.memory import exact_matches, normalise

    root = tmp_path_factory.mktemp("tmxprop")
    pairs = [Pair("r", n, "en", "fr", src, tgt, "m", "mt", {}, (), 0.5, "check") for n, (src, tgt) in enumerate(units)]
    tmx.write(pairs, root / "ours.tmx", "fr")
    with Store(root / "m.db") as store:
        result = import_tmx(root / "ours.tmx", store, "fr")
        stored = set(store.db.execute("SELECT src, tgt FROM memory_units").fetchall())
        found = exact_matches(store, "en", "fr", [src for src, _ in units])
    expected = {(normalise(src), normalise(tgt)) for src, tgt in units}
    assert result.units == len(units) and stored == expected and result.added == len(expected)
    assert all((found[src].src, found[src].tgt) in expected for src, _ in units)


def test_tmx_imported_after_a_run_offers_matches_for_stored_sentences(tmx_file: Path, tmp_path: Path,
                                                                      model_args: list[str], fast_config_file: Path,
                                                                      releases_dir: Path, monkeypatch) -> None:
    from translate_pipe.imports import tmx as tmx_import
    from translate_pipe.review import ReviewService

    monkeypatch.setattr(tmx_import, "MATCH_WINDOW", 2)  # many windows over the stored sentences
    db = tmp_path / "late.db"
    assert main(["run", str(releases_dir), "--to", "fr", "--db", str(db), "--config", str(fast_config_file), "-q",
                 *model_args]) == 0
    assert main(["import", str(tmx_file), "--lang", "fr", "--db", str(db), "-q"]) == 0
    with Store(db) as store:
        pairs = {p.src: p for p in store.pairs("fr")}
    council = pairs["The council called for an immediate ceasefire on Saturday."]
    offered = {p["src"]: p["memory"] for p in ReviewService(str(db)).pairs(council.release_id, "fr")}
    assert [m["tgt"] for m in offered[council.src]] == ["Le conseil a appelé à un cessez-le-feu immédiat dimanche."]
    # A sentence translated before the import keeps its translation; the exact unit is offered at 100%.
    water = pairs["A water project that serves 40 villages was completed on Sunday."]
    assert water.origin == "mt"
    water_offers = {p["src"]: p["memory"] for p in ReviewService(str(db)).pairs(water.release_id, "fr")}[water.src]
    assert water_offers[0]["similarity"] == 1.0
