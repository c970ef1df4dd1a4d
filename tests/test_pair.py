"""Document pairing: which release translates which, without shared file names."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_pipe.cli import main
from translate_pipe.errors import InputError
from translate_pipe.pair import (
    PairingDocument,
    language_of,
    pair_documents,
    pair_folders,
    split_listing,
)
from translate_pipe.signals import arabic_skeleton, country_codes, dates_in, latin_skeleton, name_keys

from .conftest import FIXTURES, SHARED_DATA

RELEASES = SHARED_DATA / "releases"


@pytest.fixture(scope="module")
def releases() -> Path:
    if not (RELEASES / "pairs.tsv").is_file():
        pytest.skip("shared/data/releases is not beside this checkout (the real releases are needed)")
    return RELEASES


def _true_pairs(folder: Path, lang: str) -> set[tuple[str, str]]:
    lines = (folder / "pairs.tsv").read_text(encoding="utf-8").splitlines()[1:]
    pairs = {tuple(line.split("\t")[:2]) for line in lines}
    return {(en, other) for en, other in pairs if other.startswith(lang + "/")}


def _relative(pairs, root: Path) -> set[tuple[str, str]]:
    return {(str(Path(p.en).relative_to(root)), str(Path(p.other).relative_to(root))) for p in pairs}


# --- signals ------------------------------------------------------------------------


def test_dates_in_english_french_and_arabic() -> None:
    assert dates_in("Warplanes on Wednesday (March 21) struck; March 22, 2018") == {"2018-03-21", "2018-03-22"}
    assert dates_in("٢١ آذار ٢٠١٨ ثم 19 أيلول، 2019") == {"2018-03-21", "2019-09-19"}
    assert dates_in("21 آذار/مارس 2018 In بيانات صحفية") == {"2018-03-21"}
    assert dates_in("٥ تشرين أول، ٢٠١٨") == {"2018-10-05"}
    assert dates_in("(30 août) : le 30 août 2017") == {"2017-08-30"}
    assert dates_in("(30 août) : sans année") == {"--08-30"}
    assert dates_in("you may 12 times ask; 45 Marsh Road") == set()


MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    "ar": ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول",
           "تشرين الثاني", "كانون الأول"],
}


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)), st.sampled_from(["en", "fr", "ar"]),
       st.booleans())
def test_a_written_date_reads_back_in_every_language(day: date, lang: str, arabic_digits: bool) -> None:
    month = MONTHS[lang][day.month - 1]
    text = f"{month} {day.day}, {day.year}" if lang == "en" and arabic_digits else f"{day.day} {month} {day.year}"
    if lang == "ar" and arabic_digits:
        text = text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert dates_in(f"Texte: {text}.") == {day.isoformat()}


@pytest.mark.parametrize(("latin", "arabic"), [
    ("Idlib", "إدلب"), ("Haas", "حاس"), ("Batikh", "بطيخ"), ("Erdogan", "أردوغان"), ("Putin", "بوتين"),
    ("Assad", "الأسد"), ("Meslet", "المسلط"), ("Ankara", "أنقرة"), ("Jamous", "جاموس"),
])
def test_a_name_has_the_same_skeleton_in_both_scripts(latin: str, arabic: str) -> None:
    assert latin_skeleton(latin) == arabic_skeleton(arabic)


def test_name_keys_and_countries() -> None:
    assert "TLB" in name_keys("Shelling hit Idlib on Monday.", "en")
    assert "TLB" in name_keys("قصف وإدلب", "ar")  # a proclitic does not hide the name
    assert "KFRNBL" in name_keys("in Kafr Nabl", "en", joined=True)
    assert "KFRNBL" not in name_keys("in Kafr Nabl", "en")
    assert name_keys("The town", "en") == set()  # sentence openers are not names
    assert country_codes("Russian and Chinese veto, Turkey", "en") == {"RU", "CN", "TR"}
    assert country_codes("الفيتو الروسي الصيني في تركيا", "ar") == {"RU", "CN", "TR"}
    assert country_codes("la Russie et la Chine", "fr") == {"RU", "CN"}


def test_listing_pages_are_split_into_items() -> None:
    page = ("Coalition News 30 August 2017 In Coalition News\n\n" + "First item. " * 30
            + "\n\n30 August 2017 In Coalition News\n\n" + "Second item. " * 30)
    items = split_listing(page)
    assert len(items) == 2 and items[0].count("First") == 30 and items[1].count("Second") == 30
    assert split_listing("A single release.") == ["A single release."]


def test_language_of() -> None:
    assert language_of("Le président a rencontré les délégués de la Coalition et des partis.") == "fr"
    assert language_of("The president met the delegates of the Coalition and the parties.") == "en"
    assert language_of("التقى الرئيس بالوفد") == "ar"


# --- the real releases --------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_true_pairs_of_the_real_releases_and_nothing_else(releases: Path, lang: str) -> None:
    result = pair_folders(releases / "en", releases / lang, lang)
    assert _relative(result.pairs, releases) == _true_pairs(releases, lang)
    assert all(0 < p.score <= 1 for p in result.pairs)
    unpaired = {str(Path(p).relative_to(releases)) for p in result.unpaired_other}
    if lang == "ar":
        # Hard negatives: another statement on the same veto, another publisher's article,
        # pages with no English version here.
        assert "en/news-2019-09-20.txt" in {str(Path(p).relative_to(releases)) for p in result.unpaired_en}
        assert {"ar/2023-jamous-meets-french-envoy.txt", "ar/press-2019-09-crawl-b.txt",
                "ar/press-2019-04.txt"} <= unpaired
    else:
        assert {"fr/news-2017-12.txt", "fr/news-2018-01.txt"} <= unpaired


def test_a_hard_negative_stays_unpaired_when_the_true_counterpart_is_missing(releases: Path, tmp_path: Path) -> None:
    """en/news-2019-09-20 is another statement on the veto that ar/press-2019-09-crawl-a
    reports, a day later, naming the same countries; without the true English release
    beside it, it must not take its place."""
    shutil.copytree(releases / "en", tmp_path / "en")
    for name in ("2019-09-19-russian-chinese-veto.txt", "2018-03-22-russian-forces-two-massacres-rural-idlib.txt"):
        (tmp_path / "en" / name).unlink()
    result = pair_folders(tmp_path / "en", releases / "ar", "ar")
    assert result.pairs == ()


def _cut_last_third(path: Path, out: Path) -> None:
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    text = "\n\n".join(blocks[: max(1, (2 * len(blocks)) // 3)])
    assert len(text) < 0.8 * len(path.read_text(encoding="utf-8"))
    out.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("lang", "en_file", "other_file"), [
    ("fr", "en/2017-09-15-final-communique-35th-session.txt", "fr/2017-09-15-communique-final-35e-session.txt"),
    ("ar", "en/2019-09-19-russian-chinese-veto.txt", "ar/press-2019-09-crawl-a.txt"),
])
def test_a_translation_cut_short_is_still_paired(releases: Path, tmp_path: Path, lang: str, en_file: str,
                                                 other_file: str) -> None:
    shutil.copytree(releases / "en", tmp_path / "en")
    shutil.copytree(releases / lang, tmp_path / lang)
    cut = tmp_path / lang / Path(other_file).name
    _cut_last_third(releases / other_file, cut)
    renamed = tmp_path / lang / "unrelated-name.txt"
    cut.rename(renamed)
    result = pair_folders(tmp_path / "en", tmp_path / lang, lang)
    assert (str(tmp_path / en_file), str(renamed)) in {(p.en, p.other) for p in result.pairs}


def test_pairing_does_not_depend_on_file_order(releases: Path) -> None:
    from translate_pipe.pair import read_documents

    english, _ = read_documents(releases / "en", "en")
    arabic, _ = read_documents(releases / "ar", "ar")
    expected = {(p.en, p.other) for p in pair_documents(english, arabic, "ar").pairs}

    @settings(max_examples=5, deadline=None)
    @given(st.permutations(english), st.permutations(arabic))
    def shuffled(en_order, ar_order) -> None:
        assert {(p.en, p.other) for p in pair_documents(en_order, ar_order, "ar").pairs} == expected

    shuffled()


# --- our own documents: same day, other subject -------------------------------------------

HARBOUR_EN = (FIXTURES / "releases" / "2024-03-harbour.txt")
HARBOUR_FR = (FIXTURES / "references" / "fr" / "2024-03-harbour.txt")
SAME_DAY_EN = """Tuesday, 12 March 2024 15:10

Health Directorate Opens Clinic in Baniyas

The Health Directorate opened a clinic in Baniyas on Tuesday that will treat 300 patients a week. Dr. Lina Khoury, who runs the clinic, said it employs 14 nurses.

"Families waited four years for this clinic," Khoury said.
"""
SAME_DAY_FR = """Mardi 12 mars 2024 15:10

La direction de la santé ouvre un dispensaire à Banias

La direction de la santé a ouvert mardi à Banias un dispensaire qui soignera 300 patients par semaine. Le Dr Lina Khoury, qui le dirige, a indiqué qu'il emploie 14 infirmières.

« Les familles ont attendu ce dispensaire pendant quatre ans », a déclaré Mme Khoury.
"""


def test_two_releases_of_the_same_day_are_not_confused(tmp_path: Path) -> None:
    english = [PairingDocument("harbour", "en", HARBOUR_EN.read_text(encoding="utf-8"), "2024-03-12"),
               PairingDocument("clinic", "en", SAME_DAY_EN, "2024-03-12")]
    french = [PairingDocument("dispensaire", "fr", SAME_DAY_FR, "2024-03-12"),
              PairingDocument("port", "fr", HARBOUR_FR.read_text(encoding="utf-8"), "2024-03-12")]
    result = pair_documents(english, french, "fr")
    assert {(p.en, p.other) for p in result.pairs} == {("harbour", "port"), ("clinic", "dispensaire")}


def test_a_release_without_counterpart_stays_unpaired() -> None:
    english = [PairingDocument("clinic", "en", SAME_DAY_EN, "2024-03-12")]
    french = [PairingDocument("port", "fr", HARBOUR_FR.read_text(encoding="utf-8"), "2024-03-12")]
    result = pair_documents(english, french, "fr")
    assert result.pairs == () and result.unpaired_en == ("clinic",) and result.unpaired_other == ("port",)


# --- the command ------------------------------------------------------------------------------


def test_pair_command_prints_pairs_and_counts(releases: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pair", str(releases / "en"), str(releases / "fr"), "--tgt-lang", "fr", "--mt", "none"]) == 0
    out, err = capsys.readouterr()
    rows = [line.split("\t") for line in out.splitlines()]
    assert {(Path(en).name, Path(fr).name) for en, fr, _ in rows} == {
        ("2017-09-15-final-communique-35th-session.txt", "2017-09-15-communique-final-35e-session.txt"),
        ("news-2017-08.txt", "news-2017-08.txt")}
    assert all(0 < float(score) <= 1 for _, _, score in rows)
    assert "no counterpart: 16 of the English files, 2 of the French files" in err


def _two_folders(tmp_path: Path) -> tuple[Path, Path]:
    en, fr = tmp_path / "en", tmp_path / "fr"
    en.mkdir()
    fr.mkdir()
    shutil.copy(HARBOUR_EN, en / "a.txt")
    (en / "b.txt").write_text(SAME_DAY_EN, encoding="utf-8")
    shutil.copy(HARBOUR_FR, fr / "x.txt")
    (fr / "y.txt").write_text(SAME_DAY_FR, encoding="utf-8")
    return en, fr


def test_pair_command_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    en, fr = _two_folders(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    cases = [
        (["pair", str(empty), str(fr), "--tgt-lang", "fr"], 1, "no releases in this folder"),
        (["pair", str(en), str(en), "--tgt-lang", "fr"], 1, "the English and the French folder are the same"),
        (["pair", str(en), str(fr), "--tgt-lang", "ar", "--mt", "none"], 1, "no Arabic documents"),
        (["pair", str(fr), str(fr / ".."), "--tgt-lang", "fr"], 1, "no English documents"),
        (["pair", str(en), str(tmp_path / "missing"), "--tgt-lang", "fr"], 1, "no such file or folder"),
        (["pair", str(en), "--tgt-lang", "fr"], 2, "OTHER_DIR"),
        (["pair", str(en), str(fr), "--tgt-lang", "de"], 2, "invalid choice"),
        (["pair", str(en), str(fr), "--tgt-lang", "fr", "--threshold", "2"], 2, "between 0 and 1"),
    ]
    for argv, code, message in cases:
        if code == 2 and "--threshold" not in argv:
            with pytest.raises(SystemExit) as exit_info:
                main(argv)
            assert exit_info.value.code == 2
        else:
            assert main(argv) == code, argv
        err = capsys.readouterr().err
        assert message in err, (argv, err)
        assert "Traceback" not in err and len([l for l in err.splitlines() if "error" in l]) == 1


def test_duplicates_and_non_text_files_are_skipped_with_a_warning(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    en, fr = _two_folders(tmp_path)
    shutil.copy(en / "a.txt", en / "z-copy.txt")
    (fr / "scan.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (fr / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert main(["pair", str(en), str(fr), "--tgt-lang", "fr", "--mt", "none"]) == 0
    out, err = capsys.readouterr()
    assert {tuple(Path(p).name for p in line.split("\t")[:2]) for line in out.splitlines()} == {
        ("a.txt", "x.txt"), ("b.txt", "y.txt")}
    assert "z-copy.txt: skipped: the same document as" in err
    assert "scan.txt: skipped: binary file" in err
    assert "photo.png: skipped: not a release file (.png" in err
    assert "3 files skipped" in err


def test_pair_with_the_model(tmp_path: Path, tiny_models: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """The MT of the tiny random model is noise, but the model runs and the anchors still pair."""
    en, fr = _two_folders(tmp_path)
    assert main(["pair", str(en), str(fr), "--tgt-lang", "fr", "--mt", "model",
                 "--model", f"en-fr={tiny_models['en-fr']}", "-q"]) == 0
    out = capsys.readouterr().out
    assert {tuple(Path(p).name for p in line.split("\t")[:2]) for line in out.splitlines()} == {
        ("a.txt", "x.txt"), ("b.txt", "y.txt")}


def test_a_missing_model_is_an_error_only_when_asked_for(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    en, fr = _two_folders(tmp_path)
    assert main(["pair", str(en), str(fr), "--tgt-lang", "fr", "--model", f"en-fr={tmp_path / 'nowhere'}"]) != 0
    capsys.readouterr()
    assert main(["pair", str(en), str(fr), "--tgt-lang", "fr"]) == 0  # auto: no local model, no MT


# --- run --reference with unrelated names -------------------------------------------------------


def test_run_reference_pairs_by_content_when_names_differ(
    releases_dir: Path, tmp_path: Path, model_args: list[str], fast_config_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    references = tmp_path / "refs"
    references.mkdir()
    shutil.copy(HARBOUR_FR, references / "communique-tartous-mars.txt")
    (references / "dispensaire-banias.txt").write_text(SAME_DAY_FR, encoding="utf-8")  # translates nothing here
    db = tmp_path / "t.db"
    assert main(["run", str(releases_dir), "--to", "fr", "--db", str(db), "--config", str(fast_config_file),
                 "--reference", f"fr={references}", *model_args]) == 0
    err = capsys.readouterr().err
    assert "1 matched" in err
    assert "2024-03-harbour ← " in err and "communique-tartous-mars.txt (by content" in err
    assert "dispensaire-banias.txt: reference matched no release" in err
    with sqlite3.connect(db) as conn:
        beads = conn.execute("SELECT src, tgt FROM alignments").fetchall()
    assert ("The U.N. Development Programme welcomed the opening.",
            "Le Programme des Nations unies pour le développement a salué cette inauguration.") in beads
    assert not any("Banias" in (tgt or "") for _, tgt in beads)


def test_pair_folders_raises_input_error_for_an_empty_side(tmp_path: Path) -> None:
    en, fr = _two_folders(tmp_path)
    for path in fr.iterdir():
        path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="no readable documents"):
        pair_folders(en, fr, "fr")


def test_days_apart_weaken_a_pair() -> None:
    later = (date(2024, 3, 12) + timedelta(days=30)).isoformat()
    english = [PairingDocument("harbour", "en", HARBOUR_EN.read_text(encoding="utf-8"), "2024-03-12")]
    same = pair_documents(english, [PairingDocument("port", "fr", HARBOUR_FR.read_text(encoding="utf-8"),
                                                    "2024-03-12")], "fr")
    moved = pair_documents(english, [PairingDocument("port", "fr", HARBOUR_FR.read_text(encoding="utf-8")
                                                     .replace("Mardi 12 mars 2024", "Jeudi 11 avril 2024"),
                                                     later)], "fr")
    assert same.pairs and (not moved.pairs or moved.pairs[0].score < same.pairs[0].score)


def test_agreement_signals_for_the_aligner() -> None:
    from translate_pipe.signals import mt_similarity, name_agreement, number_agreement

    assert number_agreement("3,000 people and 12 towns", "en", "٣٠٠٠ شخص و12 بلدة", "ar") == 1.0
    assert number_agreement("3,000 people", "en", "3 000 personnes et 5 villes", "fr") == pytest.approx(2 / 3)
    assert number_agreement("no numbers", "en", "pas de nombres", "fr") is None
    assert name_agreement("Seif met Erdogan in Ankara", "en", "التقى سيف مع أردوغان في أنقرة", "ar") == 1.0
    assert name_agreement("Seif met Erdogan in Ankara", "en", "التقى الرئيس بالوفد", "ar") == 0.0
    assert mt_similarity("le ministre a rencontré la délégation", "Le ministre a rencontré les délégués", "fr") > 0.5
    assert mt_similarity("le ministre", "la pluie tombe", "fr") == 0.0


def test_arabic_renderings_of_names_are_learned_from_the_pairs_found() -> None:
    """Aleppo/حلب and Damascus/دمشق share no consonant key; the pairs that numbers find
    teach them, and a release with no number then pairs by those names alone."""
    cities = [("Aleppo", "حلب"), ("Damascus", "دمشق"), ("Geneva", "جنيف"), ("Jerusalem", "القدس"), ("Cairo", "القاهرة")]
    english, arabic = [], []
    for n in range(10):
        city_en, city_ar = cities[n % 5]
        english.append(PairingDocument(f"en{n}", "en", f"Shelling of {city_en} wounded {100 + 37 * n} people and "
                                                        f"destroyed {20 + 11 * n} houses."))
        arabic.append(PairingDocument(f"ar{n}", "ar", f"أدى قصف {city_ar} إلى إصابة {100 + 37 * n} شخصاً وتدمير "
                                                       f"{20 + 11 * n} منزلاً."))
    names_en = PairingDocument("en-names", "en", "Delegates from Aleppo and Damascus met on Monday.")
    names_ar = PairingDocument("ar-names", "ar", "التقى مندوبون من حلب ودمشق يوم الاثنين.")
    # Alone, the two share nothing that survives the change of script.
    assert pair_documents([names_en], [names_ar], "ar").pairs == ()
    result = pair_documents([*english, names_en], [*arabic, names_ar], "ar")
    assert {(p.en, p.other) for p in result.pairs} == {(f"en{n}", f"ar{n}") for n in range(10)} | {
        ("en-names", "ar-names")}
