"""Terminology: glossaries (TSV, CSV, TBX), the terminology flag, names kept by placeholders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from translate_pipe.cli import main
from translate_pipe.errors import ConfigError, InputError
from translate_pipe.review import ReviewService
from translate_pipe.scoring import PairScorer
from translate_pipe.config import ScoreConfig
from translate_pipe.scoring.glossary import (GlossaryTranslator, Term, TerminologyRule, load_glossary)
from translate_pipe.store import Store

# 50 terms (en, fr, ar): people's and places' names in Arabic and French forms, institutions, titles.
TERMS = [
    ("Samir Haddad", "Samir Haddad", "سمير حداد"), ("Tartus", "Tartous", "طرطوس"), ("Idlib", "Idleb", "إدلب"),
    ("Aleppo", "Alep", "حلب"), ("Damascus", "Damas", "دمشق"), ("Homs", "Homs", "حمص"), ("Daraa", "Deraa", "درعا"),
    ("Raqqa", "Raqqa", "الرقة"), ("Deir ez-Zor", "Deir ez-Zor", "دير الزور"), ("Geneva", "Genève", "جنيف"),
    ("Nasr al-Hariri", "Nasr al-Hariri", "نصر الحريري"), ("Abdurrahman Mustafa", "Abdurrahman Mustafa",
                                                           "عبد الرحمن مصطفى"),
    ("Anas al-Abdah", "Anas al-Abdah", "أنس العبدة"), ("Riad Hijab", "Riad Hijab", "رياض حجاب"),
    ("Staffan de Mistura", "Staffan de Mistura", "ستافان دي ميستورا"), ("Geir Pedersen", "Geir Pedersen", "غير بيدرسن"),
    ("François Sénémaud", "François Sénémaud", "فرانسوا سينيمو"), ("Jean-Yves Le Drian", "Jean-Yves Le Drian",
                                                                   "جان إيف لودريان"),
    ("Emmanuel Macron", "Emmanuel Macron", "إيمانويل ماكرون"), ("Hadi al-Bahra", "Hadi al-Bahra", "هادي البحرة"),
    ("Security Council", "Conseil de sécurité", "مجلس الأمن"), ("Geneva Communique", "communiqué de Genève",
                                                                "بيان جنيف"),
    ("Resolution 2254", "résolution 2254", "القرار 2254"), ("Syrian Coalition", "Coalition nationale syrienne",
                                                            "الائتلاف الوطني"),
    ("political transition", "transition politique", "الانتقال السياسي"),
    ("Constitutional Committee", "Comité constitutionnel", "اللجنة الدستورية"),
    ("Astana", "Astana", "أستانا"), ("Sochi", "Sotchi", "سوتشي"), ("Russia", "Russie", "روسيا"),
    ("Iran", "Iran", "إيران"), ("Turkey", "Turquie", "تركيا"), ("United Nations", "Nations unies", "الأمم المتحدة"),
    ("European Union", "Union européenne", "الاتحاد الأوروبي"), ("chemical weapons", "armes chimiques",
                                                               "الأسلحة الكيماوية"),
    ("ceasefire", "cessez-le-feu", "وقف إطلاق النار"), ("detainees", "détenus", "المعتقلين"),
    ("refugees", "réfugiés", "اللاجئين"), ("humanitarian aid", "aide humanitaire", "المساعدات الإنسانية"),
    ("Interim Government", "Gouvernement intérimaire", "الحكومة المؤقتة"),
    ("Free Syrian Army", "Armée syrienne libre", "الجيش السوري الحر"), ("White Helmets", "Casques blancs",
                                                                      "الخوذ البيضاء"),
    ("Assad regime", "régime d'Assad", "نظام الأسد"), ("General Assembly", "Assemblée générale", "الجمعية العامة"),
    ("Political Committee", "Comité politique", "اللجنة السياسية"), ("Media Department", "Département des médias",
                                                                    "الدائرة الإعلامية"),
    ("Port Authority", "Autorité portuaire", "هيئة الميناء"), ("container terminal", "terminal à conteneurs",
                                                              "محطة الحاويات"),
    ("Development Programme", "Programme de développement", "برنامج التنمية"),
    ("Tartus port", "port de Tartous", "ميناء طرطوس"), ("Paris", "Paris", "باريس"),
]

SENTENCES = [
    "Samir Haddad said the container terminal in Tartus would open in March.",
    "President Abdurrahman Mustafa met François Sénémaud in Paris on Monday.",
    "Nasr al-Hariri called on the Security Council to enforce Resolution 2254.",
    "The Syrian Coalition demanded a political transition based on the Geneva Communique.",
    "Russia and Iran continued to bomb Idlib despite the ceasefire agreed in Astana.",
    "Geir Pedersen briefed the General Assembly on the Constitutional Committee.",
    "The White Helmets rescued civilians in Aleppo and Homs after the strikes.",
    "Jean-Yves Le Drian and Emmanuel Macron received Anas al-Abdah in Paris.",
    "The Assad regime used chemical weapons in Daraa, the Media Department said.",
    "Turkey and the European Union pledged humanitarian aid for refugees in Raqqa.",
    "The Interim Government asked for the release of detainees held in Damascus.",
    "Hadi al-Bahra and Riad Hijab met Staffan de Mistura in Geneva.",
    "The Free Syrian Army withdrew from Deir ez-Zor, the Political Committee said.",
    "The Port Authority thanked the United Nations Development Programme.",
    "Talks in Sochi failed, and the Tartus port stayed closed.",
]


def _write_glossaries(folder: Path) -> tuple[Path, Path]:
    fr = folder / "terms-fr.tsv"
    fr.write_text("source\ttarget\n" + "".join(f"{en}\t{f}\n" for en, f, _ in TERMS), encoding="utf-8")
    ar = folder / "terms-ar.tbx"
    entries = "".join(
        f'<termEntry id="t{n}"><langSet xml:lang="en"><tig><term>{en}</term></tig></langSet>'
        f'<langSet xml:lang="ar-SY"><tig><term>{a}</term></tig></langSet></termEntry>'
        for n, (en, _, a) in enumerate(TERMS))
    ar.write_text('<?xml version="1.0" encoding="UTF-8"?><martif type="TBX-Basic" xml:lang="en">'
                  f"<text><body>{entries}</body></text></martif>", encoding="utf-8")
    return fr, ar


def test_glossaries_load_from_tsv_csv_tbx(tmp_path: Path) -> None:
    fr, ar = _write_glossaries(tmp_path)
    assert len(load_glossary(fr, "fr").terms) == len(load_glossary(ar, "ar").terms) == len(TERMS) == 50
    csv_file = tmp_path / "t.csv"
    csv_file.write_text('"Security Council","Conseil de sécurité"\nceasefire,cessez-le-feu,term\nTartus,Tartous,name\n',
                        encoding="utf-8")
    terms = load_glossary(csv_file, "fr").terms
    assert terms[0] == Term("Security Council", "Conseil de sécurité", True)  # capitalised: kept as a name
    assert terms[1] == Term("ceasefire", "cessez-le-feu", False) and terms[2].name
    tbx3 = tmp_path / "v3.tbx"
    tbx3.write_text('<tbx xmlns="urn:iso:std:iso:30042:ed-2" type="TBX-Core" style="dca" xml:lang="en"><text><body>'
                    '<conceptEntry id="c1"><langSec xml:lang="en"><termSec><term>detainees</term></termSec></langSec>'
                    '<langSec xml:lang="fr"><termSec><term>détenus</term><termNote type="partOfSpeech">noun</termNote>'
                    "</termSec></langSec></conceptEntry></body></text></tbx>", encoding="utf-8")
    assert load_glossary(tbx3, "fr").terms == (Term("detainees", "détenus", False),)
    bad = tmp_path / "bad.tsv"
    bad.write_text("ceasefire\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.tsv: line 1"):
        load_glossary(bad, "fr")


def test_rule_names_missing_terms_and_reads_arabic_clitics_and_french_elision(tmp_path: Path) -> None:
    fr, ar = _write_glossaries(tmp_path)
    rule = TerminologyRule({"fr": load_glossary(fr, "fr"), "ar": load_glossary(ar, "ar")})
    src = "The Assad regime bombed Idlib and Aleppo."
    assert rule.check(src, "Le régime d’Assad a bombardé Idleb et Alep.", "en", "fr") is None
    reason = rule.check(src, "Le régime d'Assad a bombardé Idlib et Alep.", "en", "fr")
    assert reason == "missing 'Idleb' for 'Idlib'"
    # Arabic: the term with clitics (و, ب, ال) and short vowels still counts.
    assert rule.check("Russia bombed Idlib.", "قصفت رُوسيا بإدلب.", "en", "ar") is None
    assert rule.check("Russia bombed Idlib.", "قصفت روسيا المدينة.", "en", "ar") == "missing 'إدلب' for 'Idlib'"
    # Word boundaries: 'Iran' is not in 'Iranian', 'Homs' is not in 'Homsi'.
    assert rule.check("An Iranian official met Mr Homsi.", "x", "en", "fr") is None
    scorer = PairScorer(ScoreConfig(glossaries={"fr": str(fr)}))
    assert any(f.name == "terminology" for f in scorer.score_reviewed(src, "Le régime a bombardé.", "en", "fr",
                                                                      "edited").flags)
    with pytest.raises(ConfigError, match="glossary"):
        PairScorer(ScoreConfig(glossaries={"fr": str(tmp_path / "missing.tsv")}))


def test_names_are_replaced_by_placeholders_and_restored(tmp_path: Path) -> None:
    fr, _ = _write_glossaries(tmp_path)

    class NoModel:  # only protect/restore are called here: no translation is made or faked
        system = __import__("translate_pipe.translate.base", fromlist=["SystemInfo"]).SystemInfo(
            "m", "r", "en", "fr", "none", {})

    wrapper = GlossaryTranslator(NoModel(), load_glossary(fr, "fr"))
    text, used = wrapper.protect("Nasr al-Hariri met Staffan de Mistura in Deir ez-Zor, not in Tartus port.")
    # 'Tartus port' is a term, not a name; the longest name wins ('Geneva Communique' over 'Geneva').
    assert text == "XNAME0 met XNAME1 in XNAME2, not in XNAME3 port."
    assert [t.target for t in used] == ["Nasr al-Hariri", "Staffan de Mistura", "Deir ez-Zor", "Tartous"]
    assert wrapper.protect("the geneva communique")[0] == "the XNAME0"
    assert wrapper.restore("XNAME0 a rencontré XNAME1 à XNAME2, pas au port de XNAME3.", used) == \
        "Nasr al-Hariri a rencontré Staffan de Mistura à Deir ez-Zor, pas au port de Tartous."
    assert wrapper.restore("XNAME0 XNAME1 XNAME2 XNAME30", used) is None  # a lost placeholder: not restored
    assert wrapper.system.signature() != NoModel.system.signature()  # the glossary is part of the system


def test_every_term_in_a_source_is_in_its_output_or_flagged(tmp_path: Path, model_args: list[str],
                                                            fast_config_file: Path) -> None:
    """The 100% target: on release sentences with a 50-term glossary, run end to end on the tiny models."""
    fr, ar = _write_glossaries(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(0, len(SENTENCES), 5):
        (folder / f"2024-0{n // 5 + 1}-release.txt").write_text(
            f"{n + 1} May 2024\n\nCoalition statement {n}\n\n" + " ".join(SENTENCES[n : n + 5]) + "\n",
            encoding="utf-8")
    db = tmp_path / "g.db"
    assert main(["run", str(folder), "--to", "fr,ar", "--db", str(db), "--config", str(fast_config_file), "-q",
                 "--glossary", f"fr={fr}", "--glossary", f"ar={ar}", *model_args]) == 0
    rules = {"fr": TerminologyRule({"fr": load_glossary(fr, "fr")}), "ar": TerminologyRule({"ar": load_glossary(ar, "ar")})}
    checked = 0
    with Store(db) as store:
        for lang in ("fr", "ar"):
            for pair in store.pairs(lang):
                present = [t for t in rules[lang].glossaries[lang].terms
                           if rules[lang].missing_terms(pair.src, t.target, lang) != [t]
                           and t.source.casefold() in pair.src.casefold()]
                flag = next((f.reason for f in pair.flags if f.name == "terminology"), "")
                for term in present:
                    checked += 1
                    in_output = term not in rules[lang].missing_terms(pair.src, pair.tgt, lang)
                    assert in_output or f"'{term.target}' for '{term.source}'" in flag, (pair.src, pair.tgt, term)
                    if in_output:
                        assert f"for '{term.source}'" not in flag
    assert checked >= 60  # the sentences hold most of the 50 terms, in two languages
    out = tmp_path / "pairs.jsonl"
    assert main(["export", "--db", str(db), "--lang", "fr", "--format", "jsonl", "--out", str(out), "-q"]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert any(f["name"] == "terminology" for r in records for f in r["flags"])


def test_a_reviewer_fixing_the_term_clears_the_flag(tmp_path: Path, model_args: list[str],
                                                    fast_config_file: Path) -> None:
    fr, _ = _write_glossaries(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "r.txt").write_text("3 May 2024\n\nStatement\n\nRussia bombed Idlib again.\n", encoding="utf-8")
    db = tmp_path / "g.db"
    assert main(["run", str(folder), "--to", "fr", "--db", str(db), "--config", str(fast_config_file), "-q",
                 "--glossary", f"fr={fr}", *model_args]) == 0
    with Store(db) as store:
        pair = next(p for p in store.pairs("fr") if "Idlib" in p.src)
    from translate_pipe.config import load_config

    config = load_config(fast_config_file).with_overrides("score", glossaries={"fr": str(fr)})
    service = ReviewService(str(db), config)
    edited = service.edit(pair.translation_id, tgt="La Russie a de nouveau bombardé Idlib.")
    assert [f["reason"] for f in edited["flags"] if f["name"] == "terminology"] == ["missing 'Idleb' for 'Idlib'"]
    fixed = service.edit(edited["id"], tgt="La Russie a de nouveau bombardé Idleb.")
    assert not [f for f in fixed["flags"] if f["name"] == "terminology"]


def test_xliff_export_lists_each_sentence_terms(tmp_path: Path, model_args: list[str], fast_config_file: Path) -> None:
    from lxml import etree

    from .test_xliff import XLIFF_SCHEMAS

    fr, ar = _write_glossaries(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "r.txt").write_text("3 May 2024\n\nStatement\n\nRussia bombed Idlib again. The talks went on.\n",
                                  encoding="utf-8")
    db = tmp_path / "g.db"
    assert main(["run", str(folder), "--to", "fr", "--db", str(db), "--config", str(fast_config_file), "-q",
                 *model_args]) == 0
    for fmt in ("xliff", "xliff1"):
        assert main(["export", "--db", str(db), "--lang", "fr", "--format", fmt, "--out", str(tmp_path / fmt),
                     "--glossary", f"fr={fr}", "-q"]) == 0
    tree2 = etree.parse(str(tmp_path / "xliff" / "r.fr.xlf"))
    etree.XMLSchema(etree.parse(str(XLIFF_SCHEMAS / "xliff_core_2.0.xsd"))).assertValid(tree2)
    gls = "{urn:oasis:names:tc:xliff:glossary:2.0}"
    entries = [(e.findtext(f"{gls}term"), e.findtext(f"{gls}translation")) for e in tree2.iter(f"{gls}glossEntry")]
    assert entries == [("Idlib", "Idleb"), ("Russia", "Russie")]  # in glossary order
    tree1 = etree.parse(str(tmp_path / "xliff1" / "r.fr.xlf"))
    etree.XMLSchema(etree.parse(str(XLIFF_SCHEMAS / "xliff-core-1.2-strict.local.xsd"))).assertValid(tree1)
    notes = [n.text for n in tree1.iter("{urn:oasis:names:tc:xliff:document:1.2}note") if n.get("from") == "glossary"]
    assert notes == ["Idlib = Idleb", "Russia = Russie"]
