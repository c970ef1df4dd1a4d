"""Rule flags: small named checks on a (source, translation) pair.

Each rule returns ``None`` when the pair passes and a reason a person can read when it
does not. They are written for Arabic and French as much as for English: digits are
compared after mapping Arabic-Indic digits and decimal commas, scripts are checked by
Unicode block, and word n-grams are counted on white-space words in any script.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

from ..config import RulesConfig
from ..signals import SCRIPT_OF_LANG, numbers_in, script_share


class Rule(Protocol):
    name: str

    def check(self, src: str, tgt: str, src_lang: str, tgt_lang: str) -> str | None:
        """``None`` when the pair passes; otherwise why it does not."""
        ...


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
