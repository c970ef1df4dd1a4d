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


# --- the same numbers as sacrebleu, computed in bounded memory --------------------------

def _corpus(n: int, seed: int) -> tuple[list[str], dict[str, list[str]]]:
    """n reference lines and three systems of different quality, built from the French lines."""
    import random

    rng = random.Random(seed)
    refs = [REF_FR[i % len(REF_FR)] + f" ({i})" for i in range(n)]
    systems = {}
    for name, drop in (("base", 0.1), ("better", 0.03), ("worse", 0.35)):
        systems[name] = [" ".join(w for w in ref.split() if rng.random() > drop) or "." for ref in refs]
    return refs, systems


def _sacrebleu_reference(refs: list[str], systems: dict[str, list[str]], test: str, n_samples: int, seed: int,
                         monkeypatch: pytest.MonkeyPatch) -> dict:
    from sacrebleu.metrics import BLEU, CHRF, TER
    from sacrebleu.significance import PairedTest

    monkeypatch.setenv("SACREBLEU_SEED", str(seed))
    metrics = {"bleu": BLEU(tokenize="13a", references=[refs]), "chrf": CHRF(references=[refs]),
               "chrf++": CHRF(word_order=2, references=[refs]), "ter": TER(references=[refs])}
    signatures, table = PairedTest(list(systems.items()), metrics, references=None, test_type=test,
                                   n_samples=n_samples)()
    columns = [c for c in table if c != "System"]
    return {key: ([(r.score, r.ci, r.mean, r.p_value) for r in table[column]], str(signatures[column]))
            for key, column in zip(metrics, columns)}


def _rounded(values: tuple) -> tuple:
    return tuple(None if v is None else round(float(v), 4) for v in values)


@pytest.mark.parametrize("test", ["bs", "ar"])
def test_paired_tests_equal_sacrebleus_own(test: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import translate_pipe.evaluate as evaluate_module

    refs, systems = _corpus(45, seed=3)
    expected = _sacrebleu_reference(refs, systems, test, n_samples=150, seed=11, monkeypatch=monkeypatch)
    # A tiny working set forces many small resampling batches: the batches must give the same draws.
    monkeypatch.setattr(evaluate_module, "RESAMPLE_BYTES", 64)
    monkeypatch.setattr(evaluate_module, "CHUNK_LINES", 7)
    ours = evaluate(refs, systems, "fr", test=test, n_samples=150, seed=11)
    for key, (rows, signature) in expected.items():
        got = [(s.score, s.ci, s.mean, s.p_value) for s in (ours.scores[name][key] for name in systems)]
        assert got == [_rounded(row) for row in rows], key
        assert ours.signatures[key] == signature
    assert ours.scores["worse"]["chrf"].p_value < 0.05


def test_single_system_bootstrap_equals_sacrebleus_corpus_score(monkeypatch: pytest.MonkeyPatch) -> None:
    from sacrebleu.metrics import BLEU, CHRF, TER

    import translate_pipe.evaluate as evaluate_module

    refs, systems = _corpus(40, seed=5)
    monkeypatch.setenv("SACREBLEU_SEED", "9")
    monkeypatch.setattr(evaluate_module, "RESAMPLE_BYTES", 100)
    ours = evaluate(refs, {"base": systems["base"]}, "fr", test="bs", n_samples=120, seed=9)
    for key, metric in (("bleu", BLEU(tokenize="13a")), ("chrf", CHRF()), ("chrf++", CHRF(word_order=2)),
                        ("ter", TER())):
        expected = metric.corpus_score(systems["base"], [refs], n_bootstrap=120)
        score = ours.scores["base"][key]
        assert (score.score, score.ci, score.mean) == _rounded((expected.score, expected._ci, expected._mean)), key
        assert ours.signatures[key] == str(metric.get_signature())


def test_statistics_are_shared_and_equal_sacrebleus_sentence_and_group_scores(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from sacrebleu.metrics import CHRF

    import translate_pipe.evaluate as evaluate_module
    from translate_pipe.evaluate import evaluate_files

    refs, systems = _corpus(30, seed=8)
    docs = [f"d{i % 4}" for i in range(30)]
    monkeypatch.setattr(evaluate_module, "CHUNK_LINES", 4)  # chunk borders inside documents and buckets
    paths = {name: _write(tmp_path / name, lines) for name, lines in systems.items()}
    streamed = evaluate_files(_write(tmp_path / "ref", refs), paths, "fr", documents=_write(tmp_path / "docs", docs),
                              test=None, worst=5)
    in_memory = evaluate(refs, systems, "fr", documents=docs, test=None, worst=5)
    assert streamed.scores == in_memory.scores and streamed.documents == in_memory.documents
    assert [s.index for s in streamed.worst] == [s.index for s in in_memory.worst]
    chrf = CHRF()
    assert streamed.sentence_chrf["base"] == [chrf.sentence_score(h, [r]).score for h, r in zip(systems["base"], refs)]
    for doc in set(docs):
        rows = [i for i, d in enumerate(docs) if d == doc]
        expected = chrf.corpus_score([systems["worse"][i] for i in rows], [[refs[i] for i in rows]]).score
        assert streamed.documents[doc]["worse"] == round(expected, 4)
    worst = sorted(range(30), key=lambda i: streamed.sentence_chrf["base"][i])[:5]
    assert [s.index for s in streamed.worst] == worst


def test_long_lines_are_refused_by_number_before_the_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from translate_pipe.evaluate import MAX_LINE_CHARS, MAX_TER_WORDS

    long_words = " ".join(["mot"] * (MAX_TER_WORDS + 1))
    ref = _write(tmp_path / "ref", REF_FR[:2] + [long_words])
    hyp = _write(tmp_path / "hyp", HYP_A[:2] + [long_words])
    assert main(["evaluate", "--ref", str(ref), "--hyp", str(hyp), "--lang", "fr", "--test", "none"]) == 1
    err = capsys.readouterr().err
    assert f"{ref}: line 3 has {MAX_TER_WORDS + 1} words" in err and "--metrics" in err and len(err.splitlines()) == 1
    assert main(["evaluate", "--ref", str(ref), "--hyp", str(hyp), "--lang", "fr", "--test", "none",
                 "--metrics", "bleu,chrf,chrf++"]) == 0
    assert "TER" not in capsys.readouterr().out
    huge = _write(tmp_path / "huge", HYP_A[:2] + ["x" * (5 * MAX_LINE_CHARS)])
    assert main(["evaluate", "--ref", str(ref), "--hyp", str(huge), "--lang", "fr", "--metrics", "chrf"]) == 1
    assert f"{huge}: line 3 has {5 * MAX_LINE_CHARS:,} characters" in capsys.readouterr().err


def _evaluate_under_address_limit(tmp_path: Path, lines: int, limit_mb: int) -> subprocess.CompletedProcess:
    """`evaluate` of two systems with the paired bootstrap (1,000 resamples) in a process whose
    address space is capped at ``limit_mb`` (RLIMIT_AS: every mapping counts, not only what is touched)."""
    import os
    import random
    import resource

    words = "le port a ouvert hier la ville nouvelle route entre deux pays accord signé président".split()
    rng = random.Random(7)
    files = {}
    for name in ("ref", "a", "b"):
        files[name] = tmp_path / f"{name}.txt"
        files[name].write_text("".join(" ".join(rng.choice(words) for _ in range(rng.randint(8, 25))) + "\n"
                                       for _ in range(lines)), encoding="utf-8")
    limit = limit_mb * 2**20

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    # One BLAS thread: its per-thread buffers are address space too, and CI's core count is not ours.
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "translate_pipe.cli", "evaluate", "--ref", str(files["ref"]), "--hyp", str(files["a"]),
         "--hyp", str(files["b"]), "--lang", "fr", "--test", "bs", "--metrics", "bleu,chrf", "--json"],
        preexec_fn=cap, capture_output=True, text=True, env=env, timeout=300,
    )


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS caps the address space as tested on Linux only")
def test_the_paired_bootstrap_runs_in_a_small_memory_limit(tmp_path: Path) -> None:
    """3,000 lines, 1,000 resamples, under 450 MB of address space (the interpreter and imports
    take about 220 MB). sacrebleu's own paired bootstrap builds a resamples x lines x statistics
    array (chrF's 18 statistics: 1,000 x 3,000 x 18 x 8 bytes = 432 MB, which does not fit);
    evaluate resamples in batches from per-line statistics instead. Under 200 MB even the
    statistics do not fit: that run must fail with one line, not a traceback."""
    done = _evaluate_under_address_limit(tmp_path, 3_000, 450)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["systems"] == ["a.txt", "b.txt"]
    starved = _evaluate_under_address_limit(tmp_path, 3_000, 200)
    assert starved.returncode == 1
    assert "Traceback" not in starved.stderr
    assert starved.stderr.strip().splitlines()[-1].startswith("translate-pipe: error: evaluate ran out of memory")
