"""Language-independent signals of a sentence or a document: scripts, numbers.

Shared by the scoring rules, the sentence aligner and the document pairing, so that
"the same number" or "written in Arabic script" means one thing everywhere. Written for
Arabic and French as much as for English: Arabic-Indic digits map to ASCII digits,
thousands separators and decimal marks follow the language.
"""

from __future__ import annotations

import re
import unicodedata


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


# --- anchor tokens -------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


def anchor_tokens(text: str) -> list[str]:
    """Words that can be the same on both sides of a translation: numbers, names, cognates.

    Case and accents are dropped (``Expédition`` = ``expedition``), Arabic-Indic digits
    become ASCII digits, and words of fewer than three characters are left out unless
    they hold a digit, so that function words of one language rarely meet those of the
    other. Arabic words stay as they are: across scripts only numbers and Latin words
    can meet, and with MT into Arabic the words themselves.
    """
    folded = unicodedata.normalize("NFKD", text.translate(_DIGIT_MAP).casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return [w for w in _WORD.findall(folded) if len(w) >= 3 or any(c.isdigit() for c in w)]
