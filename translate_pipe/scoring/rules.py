"""Rule flags: small named checks on a (source, translation) pair.

Each rule returns ``None`` when the pair passes and a reason a person can read when it
does not. They are written for Arabic and French as much as for English: digits are
compared after mapping Arabic-Indic digits and decimal commas, scripts are checked by
Unicode block, and word n-grams are counted on white-space words in any script.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

from ..config import RulesConfig


class Rule(Protocol):
    name: str

    def check(self, src: str, tgt: str, src_lang: str, tgt_lang: str) -> str | None:
        """``None`` when the pair passes; otherwise why it does not."""
        ...


# --- scripts -----------------------------------------------------------------------

_ARABIC_RANGES = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def _is_arabic(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _ARABIC_RANGES)


def _is_latin(char: str) -> bool:
    return char.isascii() or "LATIN" in unicodedata.name(char, "")


SCRIPT_OF_LANG = {"ar": ("Arabic", _is_arabic), "fr": ("Latin", _is_latin), "en": ("Latin", _is_latin)}


def script_share(text: str, lang: str) -> float | None:
    """Share of the letters of ``text`` that are in ``lang``'s script; None without letters."""
    _, in_script = SCRIPT_OF_LANG.get(lang, ("Latin", _is_latin))
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    return sum(1 for c in letters if in_script(c)) / len(letters)


# --- numbers -----------------------------------------------------------------------

_DIGIT_MAP = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
_DIGIT_MAP.update({ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})
_DIGIT_MAP.update({0x066B: ".", 0x066C: ","})  # Arabic decimal and thousands separators
# French groups thousands with spaces ("3 000 000"); elsewhere a space separates numbers.
_NUMBER = {
    "fr": re.compile(r"\d{1,3}(?:[\u00a0\u202f ]\d{3}(?!\d))+(?:,\d+)?|\d+(?:[.,]\d+)*"),
    "other": re.compile(r"\d+(?:[.,\u00a0\u202f]\d+)*"),
}


def numbers_in(text: str, lang: str) -> set[str]:
    """The numbers of ``text`` as canonical strings (``3000000``, ``2.5``).

    Thousands separators differ by language: ``3,000`` in English, ``3 000`` or
    ``3.000`` in French; the decimal mark is ``.`` in English and Arabic and ``,``
    in French. Arabic-Indic digits count as the same digits.
    """
    text = text.translate(_DIGIT_MAP)
    found = set()
    for match in _NUMBER["fr" if lang == "fr" else "other"].finditer(text):
        found.add(_canonical_number(match.group(), lang))
    return found


def _canonical_number(raw: str, lang: str) -> str:
    groups = re.split(r"([.,\u00a0\u202f ])", raw)
    digits, seps = groups[0::2], groups[1::2]
    out = digits[0]
    decimal = "," if lang == "fr" else "."
    for sep, part in zip(seps, digits[1:]):
        is_thousands = len(part) == 3 and (sep in " \u00a0\u202f" or sep != decimal)
        out += part if is_thousands else "." + part
    if "." in out:
        whole, frac = out.split(".", 1)
        frac = frac.rstrip("0")
        out = whole.lstrip("0") or "0"
        out = f"{out}.{frac}" if frac else out
    else:
        out = out.lstrip("0") or "0"
    return out


# --- the rules ---------------------------------------------------------------------


@dataclass(frozen=True)
class EmptyOutput:
    name: str = "empty_output"

    def check(self, src: str, tgt: str, src_lang: str, tgt_lang: str) -> str | None:
        if not tgt.strip():
            return "the translation is empty"
        if not any(c.isalnum() for c in tgt) and any(c.isalnum() for c in src):
            return "the translation is only punctuation"
        return None


@dataclass(frozen=True)
class Untranslated:
    min_chars: int = 12
    max_similarity: float = 0.8
    name: str = "untranslated"

    def check(self, src: str, tgt: str, src_lang: str, tgt_lang: str) -> str | None:
        if len(src.strip()) < self.min_chars:
            return None
        if src.strip() == tgt.strip():
            return "the translation is a copy of the source"
        similarity = char_ngram_similarity(src, tgt)
        if similarity > self.max_similarity:
            return f"the translation is {similarity:.0%} like the source (character 3-grams)"
        return None


def char_ngram_similarity(a: str, b: str, n: int = 3) -> float:
    """Dice coefficient of the character n-gram multisets of two strings (case-folded)."""
    grams_a = Counter(_char_ngrams(a.casefold(), n))
    grams_b = Counter(_char_ngrams(b.casefold(), n))
    total = sum(grams_a.values()) + sum(grams_b.values())
    if not total:
        return 0.0
    return 2 * sum((grams_a & grams_b).values()) / total


def _char_ngrams(text: str, n: int) -> list[str]:
    text = " ".join(text.split())
    return [text[i : i + n] for i in range(max(len(text) - n + 1, 0))]


@dataclass(frozen=True)
class WrongScript:
    min_share: float = 0.5
    name: str = "wrong_script"

    def check(self, src: str, tgt: str, src_lang: str, tgt_lang: str) -> str | None:
        share = script_share(tgt, tgt_lang)
        if share is None or share >= self.min_share:
            return None
        script = SCRIPT_OF_LANG.get(tgt_lang, ("Latin", None))[0]
        return f"only {share:.0%} of the letters are {script} ({tgt_lang} expected)"


@dataclass(frozen=True)
class NumberMismatch:
    name: str = "number_mismatch"

    def check(self, src: str, tgt: str, src_lang: str, tgt_lang: str) -> str | None:
        src_numbers, tgt_numbers = numbers_in(src, src_lang), numbers_in(tgt, tgt_lang)
        missing, added = src_numbers - tgt_numbers, tgt_numbers - src_numbers
        if not missing and not added:
            return None
        parts = []
        if missing:
            parts.append("missing " + ", ".join(sorted(missing)))
        if added:
            parts.append("added " + ", ".join(sorted(added)))
        return "numbers differ: " + "; ".join(parts)


_URL_OR_EMAIL = re.compile(r"(?:https?://|www\.)[^\s<>\"«»]+[^\s<>\"«».,;:!?)]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class UrlMismatch:
    """URLs and e-mail addresses must come through unchanged: a translated link is broken."""

    name: str = "url_mismatch"

    def check(self, src: str, tgt: str, src_lang: str, tgt_lang: str) -> str | None:
        src_items, tgt_items = set(_URL_OR_EMAIL.findall(src)), set(_URL_OR_EMAIL.findall(tgt))
        missing = src_items - tgt_items
        if missing:
            return "changed or missing: " + ", ".join(sorted(missing))
        added = tgt_items - src_items
        if added:
            return "not in the source: " + ", ".join(sorted(added))
        return None


@dataclass(frozen=True)
class RepeatedNgrams:
    n: int = 3
    max_repeats: int = 3
    name: str = "repeated_ngrams"

    def check(self, src: str, tgt: str, src_lang: str, tgt_lang: str) -> str | None:
        words = tgt.split()
        src_counts = Counter(_word_ngrams(src.split(), self.n))
        for gram, count in Counter(_word_ngrams(words, self.n)).most_common(1):
            if count >= self.max_repeats and count > src_counts.get(gram, 0):
                return f"'{' '.join(gram)}' occurs {count} times"
        run_word, run = None, 0
        for word in words:
            run = run + 1 if word == run_word else 1
            run_word = word
            if run > self.max_repeats:
                return f"'{word}' repeated {run} times in a row"
        return None


def _word_ngrams(words: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + n]) for i in range(max(len(words) - n + 1, 0))]


@dataclass(frozen=True)
class LengthRatio:
    min: float = 0.4
    max: float = 2.5
    min_source_chars: int = 20
    name: str = "length_ratio"

    def check(self, src: str, tgt: str, src_lang: str, tgt_lang: str) -> str | None:
        if len(src) < self.min_source_chars or not tgt:
            return None
        ratio = len(tgt) / len(src)
        if self.min <= ratio <= self.max:
            return None
        return f"target/source length ratio {ratio:.2f} outside [{self.min}, {self.max}]"


def default_rules(config: RulesConfig | None = None) -> list[Rule]:
    config = config or RulesConfig()
    return [
        EmptyOutput(),
        Untranslated(config.untranslated.min_chars, config.untranslated.max_similarity),
        WrongScript(config.wrong_script.min_share),
        NumberMismatch(),
        UrlMismatch(),
        RepeatedNgrams(config.repeated_ngrams.n, config.repeated_ngrams.max_repeats),
        LengthRatio(config.length_ratio.min, config.length_ratio.max),
    ]
