"""translate_pipe/signals.py: script shares counted per distinct character equal a per-character count."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_pipe.signals import (
    SCRIPT_OF_LANG,
    _is_latin,
    anchor_tokens,
    fold_arabic,
    script_share,
)

from .conftest import SHARED_DATA


def reference_script_share(text: str, lang: str) -> float | None:
    """The straightforward definition: look at every character in turn."""
    _, in_script = SCRIPT_OF_LANG.get(lang, ("Latin", _is_latin))
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    return sum(1 for c in letters if in_script(c)) / len(letters)


# Latin, accented Latin, Arabic (with Arabic-Indic digits and presentation forms), Greek,
# Cyrillic, CJK, digits, punctuation and spaces: letters in and out of each script.
_CHARS = st.sampled_from(list("abcXYZéèçœÀ ٠١٢مرحباًﻻﷺαβЖж漢字123.,;!?\u00a0\u202f\n-"))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_CHARS, max_size=60), st.sampled_from(["ar", "en", "fr", "de"]))
def test_script_share_equals_per_character_count(text, lang):
    assert script_share(text, lang) == reference_script_share(text, lang)


def test_script_share_on_real_documents():
    folder = SHARED_DATA / "alignment" / "textberg_dev"
    if not folder.is_dir():
        pytest.skip("shared/data/alignment is not beside this checkout")
    paths = sorted(folder.glob("*.src"))[:2] + sorted(folder.glob("*.tgt"))[:2]
    paths += sorted((SHARED_DATA / "releases" / "ar").glob("*"))[:3]
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for lang in ("ar", "en", "fr"):
            assert script_share(text, lang) == reference_script_share(text, lang), (path, lang)


def test_script_share_values():
    assert script_share("", "en") is None
    assert script_share("123 !", "ar") is None
    assert script_share("abc مرحبا", "ar") == 5 / 8
    assert script_share("abc مرحبا", "fr") == 3 / 8


def test_anchor_tokens_keep_arabic_words_whole_and_meet_dates_and_names_across_scripts() -> None:
    arabic = "ارتكبت طائرات الاحتلال الروسي مجزرة أسفرت عن ٢٢ مدنياً بريف إدلب اليوم الأربعاء (٢١ آذار)"
    english = "Warplanes on Wednesday (March 21) killed at least 22 civilians in rural Idlib."
    tokens = anchor_tokens(arabic)
    # A hamza on its carrier once split words in two ("طائرات" -> "طاي", "رات").
    assert "طايرات" in tokens and "اسفرت" in tokens and "طاي" not in tokens
    # MT into Arabic and a human spell it differently; folded, they meet.
    assert anchor_tokens("أسفرت الغارة عن مجزرة") == anchor_tokens("اسفرت الغاره عن مجزره")
    # A date in any of the languages is one token: "(March 21)" meets "(٢١ آذار)".
    shared = set(anchor_tokens(arabic)) & set(anchor_tokens(english))
    assert {"21", "22", "date:--03-21"} <= shared
    # Across scripts the names meet as consonant skeletons ("Idlib", "إدلب"); within one
    # script they are words already, and no skeleton is added.
    across = set(anchor_tokens(arabic, "ar")) & set(anchor_tokens(english, "en"))
    assert "name:TLB" in across
    assert not any(t.startswith("name:") for t in anchor_tokens(english))


def test_fold_arabic_leaves_other_text_alone() -> None:
    assert fold_arabic("Défense civile, 2018") == "Défense civile, 2018"
    assert fold_arabic("مُستشفى إدلب") == "مستشفي ادلب"
