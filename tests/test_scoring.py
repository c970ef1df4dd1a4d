from __future__ import annotations

import math

import pytest

from translate_pipe.config import ScoreConfig
from translate_pipe.model import TranslationResult
from translate_pipe.scoring import PairScorer
from translate_pipe.scoring.rules import (
    EmptyOutput,
    LengthRatio,
    NumberMismatch,
    RepeatedNgrams,
    Untranslated,
    WrongScript,
    numbers_in,
)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Resolution 2254 of 2015, 3,000,000 people, 2.5%", "en", {"2254", "2015", "3000000", "2.5"}),
        ("résolution 2254 de 2015, 3 000 000 personnes, 2,5 %", "fr", {"2254", "2015", "3000000", "2.5"}),
        ("القرار ٢٢٥٤ لعام ٢٠١٥، ٣٬٠٠٠٬٠٠٠ شخص، ٢٫٥٪", "ar", {"2254", "2015", "3000000", "2.5"}),
        ("in 2018 200 people", "en", {"2018", "200"}),
        ("1er mars, 16 h 14", "fr", {"1", "16", "14"}),
    ],
)
def test_numbers_are_the_same_across_scripts_and_conventions(text: str, lang: str, expected: set[str]) -> None:
    assert numbers_in(text, lang) == expected


def test_number_mismatch() -> None:
    rule = NumberMismatch()
    assert rule.check("Resolution 2254 was adopted in 2015.", "اعتمد القرار ٢٢٥٤ في عام ٢٠١٥.", "en", "ar") is None
    assert rule.check("It cost 2.5 million.", "Il a coûté 2,5 millions.", "en", "fr") is None
    reason = rule.check("It cost 2.5 million in 2018.", "Il a coûté 25 millions en 2018.", "en", "fr")
    assert reason == "numbers differ: missing 2.5; added 25"


def test_wrong_script() -> None:
    rule = WrongScript()
    assert rule.check("The minister", "الوزير", "en", "ar") is None
    assert rule.check("The minister met ISIS", "التقى الوزير ISIS", "en", "ar") is None
    assert "Arabic" in (rule.check("The minister", "The minister", "en", "ar") or "")
    assert "Latin" in (rule.check("The minister", "الوزير", "en", "fr") or "")
    assert rule.check("2254", "٢٢٥٤", "en", "ar") is None  # no letters: nothing to judge


def test_untranslated() -> None:
    rule = Untranslated(min_chars=12, max_similarity=0.8)
    src = "The minister met the delegation in Geneva."
    assert rule.check(src, src, "en", "fr") == "the translation is a copy of the source"
    assert "like the source" in (rule.check(src, "The minister met the delegation at Geneva", "en", "fr") or "")
    assert rule.check(src, "Le ministre a rencontré la délégation à Genève.", "en", "fr") is None
    assert rule.check("UNICEF", "UNICEF", "en", "fr") is None  # too short to judge


def test_repeated_ngrams() -> None:
    rule = RepeatedNgrams(n=3, max_repeats=3)
    assert rule.check("x", "the talks the talks the talks will the talks", "en", "fr") is None
    loop = "il a dit que il a dit que il a dit que il a dit que"
    assert "occurs" in (rule.check("He said that.", loop, "en", "fr") or "")
    assert "in a row" in (rule.check("No.", "لا لا لا لا", "en", "ar") or "")
    # A repetition that the source has too is faithful, not a hallucination.
    assert rule.check("we will we will we will we will", "nous allons nous allons nous allons nous allons", "en", "fr") is not None
    assert rule.check("a b c a b c a b c", "x y z x y z x y z", "en", "fr") is not None


def test_empty_and_length_ratio() -> None:
    assert EmptyOutput().check("Hello there.", "", "en", "fr") == "the translation is empty"
    assert EmptyOutput().check("Hello there.", "...", "en", "fr") == "the translation is only punctuation"
    assert EmptyOutput().check("...", "...", "en", "fr") is None
    ratio = LengthRatio(min=0.4, max=2.5)
    src = "The minister met the delegation in Geneva on Tuesday."
    assert ratio.check(src, "Le ministre.", "en", "fr") is not None
    assert ratio.check(src, "Le ministre a rencontré la délégation à Genève mardi.", "en", "fr") is None


def _result(text: str, logprob: float = -0.2, **kw) -> TranslationResult:
    return TranslationResult(text=text, logprob_mean=logprob, logprob_std=0.1, entropy_mean=1.0, n_tokens=10, **kw)


def test_combined_score_and_labels() -> None:
    scorer = PairScorer(ScoreConfig())
    src = "The council adopted Resolution 2254 in December 2015."
    good = scorer.score(src, _result("Le Conseil a adopté la résolution 2254 en décembre 2015."), "en", "fr")
    assert good.label == "good" and good.combined == pytest.approx(math.exp(-0.2))
    assert good.values["confidence"] == pytest.approx(math.exp(-0.2))

    numbers = scorer.score(src, _result("Le Conseil a adopté la résolution 2245 en décembre 2015."), "en", "fr")
    assert numbers.label == "check" and [f.name for f in numbers.flags] == ["number_mismatch"]
    assert numbers.combined == pytest.approx(math.exp(-0.2) * 0.5)

    truncated = scorer.score(src, _result("Le Conseil a adopté la résolution 2254 en décembre 2015.", hit_max_length=True), "en", "fr")
    assert truncated.label == "bad" and "hit_max_length" in [f.name for f in truncated.flags]

    unsure = scorer.score(src, _result("Le Conseil a adopté la résolution 2254 en décembre 2015.", logprob=-2.0), "en", "fr")
    assert unsure.label == "bad"  # exp(-2) = 0.135 < check threshold 0.3

    split = scorer.score(src, _result("Le Conseil a adopté la résolution 2254 en décembre 2015.", pieces=2), "en", "fr")
    assert split.label == "check" and "split_for_length" in [f.name for f in split.flags]


def test_url_and_email_mismatch() -> None:
    from translate_pipe.scoring.rules import UrlMismatch

    rule = UrlMismatch()
    src = "See https://example.org/report.pdf or write to press@example.org."
    assert rule.check(src, "Voir https://example.org/report.pdf ou écrire à press@example.org.", "en", "fr") is None
    assert "press@example.org" in (rule.check(src, "Voir https://example.org/report.pdf ou écrire à presse@example.org.", "en", "fr") or "")
    assert "changed or missing: https://example.org/report.pdf" == rule.check(src, "انظر التقرير أو اكتب إلى press@example.org.", "en", "ar")
    assert rule.check("No links here.", "Pas de liens.", "en", "fr") is None


@pytest.mark.parametrize(
    ("flag", "src", "tgt", "tgt_lang"),
    [
        ("empty_output", "The council met on Monday.", "", "fr"),
        ("untranslated", "The council met on Monday in Geneva.", "The council met on Monday in Geneva.", "fr"),
        ("wrong_script", "The council met on Monday.", "Le conseil s'est réuni lundi.", "ar"),
        ("number_mismatch", "It cost 45 million dollars.", "Il a coûté 54 millions de dollars.", "fr"),
        ("url_mismatch", "Details at www.example.org today.", "Détails sur www.exemple.fr aujourd'hui.", "fr"),
        ("repeated_ngrams", "He said so.", "il a dit il a dit il a dit il a dit", "fr"),
        ("length_ratio", "The council met on Monday in Geneva to discuss aid.", "Réunion.", "fr"),
    ],
)
def test_every_rule_is_in_the_default_scorer(flag: str, src: str, tgt: str, tgt_lang: str) -> None:
    scores = PairScorer(ScoreConfig()).score(src, _result(tgt), "en", tgt_lang)
    assert flag in [f.name for f in scores.flags]
    assert scores.label in ("check", "bad") and scores.combined < math.exp(-0.2)
