from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from translate_pipe.cli import main
from translate_pipe.evaluate import evaluate

REF_FR = [
    "Le ministre a rencontré la délégation à Genève mardi.",
    "Les prix du pain ont doublé depuis janvier.",
    "« Nous n'accepterons aucun accord », a déclaré le président.",
    "L'Union européenne a promis 400 millions d'euros.",
    "Les enseignants n'ont pas été payés depuis six mois.",
    "Un nouvel hôpital de 200 lits a ouvert dans la capitale.",
]
HYP_A = [
    "Le ministre a rencontré la délégation à Genève mardi.",
    "Le prix du pain a doublé depuis janvier.",
    "« Nous n'accepterons pas d'accord », a dit le président.",
    "L'UE a promis 400 millions d'euros.",
    "Les enseignants ne sont pas payés depuis six mois.",
    "Un nouvel hôpital de 200 lits a été ouvert dans la capitale.",
]
HYP_B = [
    "Ministre rencontre délégation Genève.",
    "Les prix ont augmenté.",
    "Le président a parlé.",
    "L'Union européenne a promis de l'argent.",
    "Les professeurs attendent.",
    "Un hôpital a ouvert.",
]
REF_AR = ["التقى الوزير بالوفد في جنيف يوم الثلاثاء.", "ارتفعت الأسعار بنسبة 12% منذ كانون الثاني؛ وهذا كثير!",
          "قال الرئيس: «لن نقبل أي اتفاق».", "هل وصلت المساعدات؟ نعم، وصلت أمس."]
HYP_AR = ["التقى الوزير الوفد في جنيف الثلاثاء.", "ارتفعت الاسعار 12% منذ يناير؛ وهذا كثير!",
          "قال الرئيس: «لن نقبل اتفاقا».", "هل وصلت المساعدة؟ نعم وصلت امس."]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _sacrebleu_cli(ref: Path, hyp: Path, *options: str) -> list[dict]:
    exe = Path(sys.executable).with_name("sacrebleu")
    out = subprocess.run([str(exe), str(ref), "-i", str(hyp), *options, "--format", "json"],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    data = json.loads(out)
    return data if isinstance(data, list) else [data]


@pytest.mark.parametrize(("lang", "ref", "hyp", "tok"), [("fr", REF_FR, HYP_A, "13a"), ("ar", REF_AR, HYP_AR, "intl")])
def test_identical_to_the_sacrebleu_command_line(tmp_path: Path, lang: str, ref: list[str], hyp: list[str], tok: str) -> None:
    ref_path, hyp_path = _write(tmp_path / "ref", ref), _write(tmp_path / "hyp", hyp)
    ours = evaluate(ref, {"sys": hyp}, lang, test=None)
    assert ours.tokenize == tok
    cli = {d["name"]: d for d in _sacrebleu_cli(ref_path, hyp_path, "-m", "bleu", "chrf", "ter", "-tok", tok)}
    (chrfpp,) = _sacrebleu_cli(ref_path, hyp_path, "-m", "chrf", "--chrf-word-order", "2")
    for key, name in (("bleu", "BLEU"), ("chrf", "chrF2"), ("ter", "TER")):
        assert round(ours.scores["sys"][key].score, 1) == cli[name]["score"]
        assert ours.signatures[key] == cli[name]["signature"]
    assert round(ours.scores["sys"]["chrf++"].score, 1) == chrfpp["score"]
    assert ours.signatures["chrf++"] == chrfpp["signature"]


def test_arabic_default_tokenizer_is_not_13a() -> None:
    intl = evaluate(REF_AR, {"s": HYP_AR}, "ar", test=None).scores["s"]["bleu"].score
    thirteen = evaluate(REF_AR, {"s": HYP_AR}, "ar", tokenize="13a", test=None).scores["s"]["bleu"].score
    assert intl != thirteen


@pytest.mark.parametrize("test", ["bs", "ar"])
def test_significance_reproduces_with_a_seed(test: str) -> None:
    systems = {"A": HYP_A, "B": HYP_B}
    first = evaluate(REF_FR, systems, "fr", test=test, n_samples=200, seed=7)
    again = evaluate(REF_FR, systems, "fr", test=test, n_samples=200, seed=7)
    assert first.scores == again.scores
    p = first.scores["B"]["chrf"].p_value
    assert p is not None and 0 < p <= 1
    assert first.scores["A"]["chrf"].p_value is None  # the baseline
    assert f"{test}:200" in first.signatures["bleu"] and "seed:7" in first.signatures["bleu"]
    if test == "bs":
        assert first.scores["B"]["bleu"].ci is not None
        # B is much worse than A on every segment: a clear difference.
        assert p < 0.05


def test_breakdowns_and_worst_segments() -> None:
    docs = ["d1", "d1", "d1", "d2", "d2", "d2"]
    sources = ["The minister met the delegation in Geneva on Tuesday.", "Bread prices doubled.", "a b c d e f g h i j k l",
               "The EU pledged 400 million euros.", "Teachers were not paid.", "x " * 40]
    result = evaluate(REF_FR, {"A": HYP_A, "B": HYP_B}, "fr", sources=sources, documents=docs, test=None, worst=3)
    assert set(result.documents) == {"d1", "d2"} and result.documents["d1"]["A"] > result.documents["d1"]["B"]
    assert set(result.buckets) == {"1-10", "11-20", "31-50"} and sum(result.bucket_sizes.values()) == 6
    assert len(result.worst) == 3
    chrf_a = [seg.chrf["A"] for seg in result.worst]
    assert chrf_a == sorted(chrf_a) and chrf_a[0] == pytest.approx(min(result.sentence_chrf["A"]), abs=0.01)


def test_mismatched_lengths_are_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ref, hyp = _write(tmp_path / "ref", REF_FR), _write(tmp_path / "hyp", HYP_A[:3])
    assert main(["evaluate", "--ref", str(ref), "--hyp", str(hyp), "--lang", "fr"]) == 1
    assert "3 lines, but the reference has 6" in capsys.readouterr().err


def test_cli_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ref = _write(tmp_path / "ref", REF_FR)
    a, b = _write(tmp_path / "a", HYP_A), _write(tmp_path / "b", HYP_B)
    assert main(["evaluate", "--ref", str(ref), "--hyp", str(a), "--hyp", str(b), "--name", "good", "--name", "bad",
                 "--lang", "fr", "--samples", "100", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["systems"] == ["good", "bad"] and data["scores"]["bad"]["bleu"]["p_value"] is not None


def test_report_in_a_real_browser(tmp_path: Path, browser) -> None:
    from translate_pipe.report import render_report

    hostile = [*REF_AR[:-1], '<script>document.title="pwned"</script><img src=x onerror=alert(1)>']
    result = evaluate(hostile, {"A": HYP_AR, "B": list(reversed(HYP_AR))}, "ar",
                      sources=["one", "two", "three", "four"], documents=["r1", "r1", "r2", "r2"], n_samples=100)
    page = tmp_path / "report.html"
    page.write_text(render_report(result), encoding="utf-8")
    driver = browser
    driver.get(page.as_uri())
    assert driver.title == "MT evaluation"
    tables = {t.get_attribute("id") for t in driver.find_elements("css selector", "table")}
    assert tables == {"systems", "documents", "worst"}
    rows = driver.find_elements("css selector", "#systems tr")
    assert len(rows) == 3 and "p =" in rows[2].text
    loaded = driver.execute_script(
        "return Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)")
    assert loaded == [True, True]
    arabic = driver.find_elements("css selector", "#worst td[dir=rtl]")
    assert arabic and driver.execute_script("return getComputedStyle(arguments[0]).direction", arabic[0]) == "rtl"
    assert '<script>document.title="pwned"</script>' in driver.find_element("id", "worst").text
    assert not driver.find_elements("css selector", "#worst img")
