"""Language-independent signals of a sentence or a document: scripts, numbers.

Shared by the scoring rules, the sentence aligner and the document pairing, so that
"the same number" or "written in Arabic script" means one thing everywhere. Written for
Arabic and French as much as for English: Arabic-Indic digits map to ASCII digits,
thousands separators and decimal marks follow the language.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter


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
    # Each distinct character is classified once: a document of a million characters has
    # a few hundred distinct ones, and the per-character loop was most of the aligner's
    # verdict stage. The two counts are the same integers, so the share is exact.
    letters = in_lang_script = 0
    for char, count in Counter(text).items():
        if char.isalpha():
            letters += count
            if in_script(char):
                in_lang_script += count
    if not letters:
        return None
    return in_lang_script / letters


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


# --- dates -------------------------------------------------------------------------

# English, French, Arabic (Egyptian/Gulf forms and the Levantine/Iraqi ones the Syrian
# sites use: "21 آذار/مارس 2018", "٢١ آذار ٢٠١٨").
MONTH_NAMES: tuple[tuple[str, ...], ...] = (
    ("january", "jan", "janvier", "janv", "يناير", "كانون الثاني", "كانون ثاني"),
    ("february", "feb", "février", "fevrier", "févr", "فبراير", "شباط"),
    ("march", "mars", "مارس", "آذار", "اذار"),
    ("april", "apr", "avril", "avr", "أبريل", "ابريل", "إبريل", "نيسان"),
    ("may", "mai", "مايو", "أيار", "ايار"),
    ("june", "juin", "يونيو", "يونية", "حزيران"),
    ("july", "juillet", "juil", "يوليو", "يولية", "تموز"),
    ("august", "aug", "août", "aout", "أغسطس", "اغسطس", "آب"),
    ("september", "sept", "sep", "septembre", "سبتمبر", "أيلول", "ايلول"),
    ("october", "oct", "octobre", "أكتوبر", "اكتوبر", "تشرين الأول", "تشرين الاول", "تشرين أول", "تشرين اول"),
    ("november", "nov", "novembre", "نوفمبر", "تشرين الثاني", "تشرين ثاني"),
    ("december", "dec", "décembre", "decembre", "déc", "ديسمبر", "كانون الأول", "كانون الاول", "كانون أول", "كانون اول"),
)
MONTH_NUMBER = {name: number for number, names in enumerate(MONTH_NAMES, start=1) for name in names}
_MONTH_ALT = "|".join(re.escape(m) for m in sorted(MONTH_NUMBER, key=len, reverse=True))
_MONTH_GROUP = r"(?P<month>" + _MONTH_ALT + r")\.?(?:\s*/\s*(?:" + _MONTH_ALT + r"))?"
# "22 March 2018", "30 août 2017", "21 آذار/مارس 2018", "19 أيلول، 2019", "(March 21)", "(30 août)".
_DAY_MONTH = re.compile(
    r"(?<![\w\d])(?P<day>\d{1,2})(?:st|nd|rd|th|er)?\s+(?:de\s+)?" + _MONTH_GROUP
    + r"(?![^\W\d_])(?:[,،]?\s+(?P<year>\d{4})(?!\d))?", re.I)
_MONTH_DAY = re.compile(
    r"(?<![^\W\d_])" + _MONTH_GROUP + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(?P<year>\d{4})(?!\d))?", re.I)
_YEAR = re.compile(r"(?<!\d)(?:19[5-9]\d|20\d\d)(?!\d)")


def dates_in(text: str, default_year: int | None = None) -> set[str]:
    """The calendar dates ``text`` mentions, as ISO strings (``2018-03-21``), in any of en/fr/ar.

    A day and month without a year ("Wednesday (March 21)") takes ``default_year``, or
    the first year the text mentions; with neither it is ``--03-21``. Arabic-Indic digits
    and Levantine month names count; English "may" in lower case is the verb, not the month.
    """
    text = text.translate(_DIGIT_MAP)
    if default_year is None:
        first_year = _YEAR.search(text)
        default_year = int(first_year.group()) if first_year else None
    found: set[str] = set()
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for match in pattern.finditer(text):
            month_word = match.group("month")
            if month_word == "may" or (month_word.lower() in {"mar", "sep", "dec", "jan", "aug", "oct", "nov"}
                                       and not month_word[0].isupper()):
                continue
            month = MONTH_NUMBER[month_word.lower()]
            day = int(match.group("day"))
            year = int(match.group("year")) if match.group("year") else default_year
            if not 1 <= day <= 31:
                continue
            found.add(f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}")
    return found


# --- names -------------------------------------------------------------------------

# A name written in Latin letters and the same name written in Arabic letters share
# their consonants far more often than their spelling: "Idlib"/"إدلب", "Haas"/"حاس",
# "Kafar Batikh"/"كفر بطيخ", "Erdogan"/"أردوغان". Both sides are reduced to a skeleton of
# consonant classes (vowels, weak letters and ʿayn dropped; t/d, s/z, k/q/g merged), which
# is a key to match on, not a transliteration to show anyone.
_LATIN_DIGRAPHS = (("tch", "s"), ("kh", "k"), ("gh", "k"), ("sh", "s"), ("ch", "s"), ("th", "t"), ("dh", "t"),
                   ("ph", "f"), ("dj", "j"), ("ck", "k"), ("qu", "k"))
_LATIN_CLASS = {**dict.fromkeys("bp", "B"), **dict.fromkeys("td", "T"), **dict.fromkeys("kcqgx", "K"),
                **dict.fromkeys("sz", "S"), **dict.fromkeys("fv", "F"), "j": "J", "l": "L", "m": "M", "n": "N",
                "r": "R", "h": "H"}
_ARABIC_CLASS = {
    "ب": "B", "پ": "B", "ت": "T", "ث": "T", "د": "T", "ذ": "T", "ض": "T", "ط": "T", "ظ": "T", "ج": "J", "ح": "H",
    "ه": "H", "خ": "K", "غ": "K", "ق": "K", "ك": "K", "گ": "K", "ز": "S", "س": "S", "ش": "S", "ص": "S", "ف": "F",
    "ڤ": "F", "ل": "L", "م": "M", "ن": "N", "ر": "R",
}
_ARABIC_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, dagger alef, tatweel
_ARABIC_CLITIC_ARTICLE = re.compile(r"^(?:[وفبكل]?ال|لل)(?=\w\w)")
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _collapse(classes: str) -> str:
    return re.sub(r"(.)\1+", r"\1", classes)


def latin_skeleton(word: str) -> str:
    """Consonant classes of a Latin-script word (``Idlib`` → ``TLB``)."""
    word = _strip_accents(word.lower())
    for digraph, single in _LATIN_DIGRAPHS:
        word = word.replace(digraph, single)
    return _collapse("".join(_LATIN_CLASS.get(c, "") for c in word))


def arabic_skeleton(word: str) -> str:
    """Consonant classes of an Arabic word (``إدلب`` → ``TLB``); the article is not part of it."""
    word = _ARABIC_CLITIC_ARTICLE.sub("", _ARABIC_DIACRITICS.sub("", word))
    return _collapse("".join(_ARABIC_CLASS.get(c, "") for c in word))


# Capitalised words that start sentences or titles and are not names.
_NOT_NAMES = frozenset("""
the this that these those there their they it its in on at of for from with by to and or but as an a
he she we you his her our your after before during while when where which who what how why all any
some each every no not also however meanwhile today yesterday tomorrow monday tuesday wednesday thursday
friday saturday sunday press release president statement home news media center department
le la les un une des du de et ou mais dans sur pour par avec ce cette ces il elle ils elles nous vous on
lors selon après avant pendant aujourd hier lundi mardi mercredi jeudi vendredi samedi dimanche
communiqué presse
""".split())


# Month and weekday names are capitalised in English but are dates, not names.
_CALENDAR_WORDS = frozenset(_strip_accents(name) for names in MONTH_NAMES for name in names if name.isascii()) | \
    frozenset("monday tuesday wednesday thursday friday saturday sunday".split())


def latin_name_words(text: str) -> list[str]:
    """Words of ``text`` written with a capital that are not sentence or title openers
    such as "The" or "Le" (names, places, organisations, acronyms)."""
    words = []
    for token in _TOKEN.findall(text):
        for part in re.split(r"['’]", token):
            if len(part) >= 3 and part[0].isupper() and part.lower() not in _NOT_NAMES \
                    and part.lower() not in _CALENDAR_WORDS:
                words.append(part)
    return words


# English and French adjectives of nationality → the country ("Russian" → "Russia").
_DEMONYM_ENDINGS = (("ians", "ia"), ("ian", "ia"), ("ian", "ium"), ("ian", "y"), ("ans", "a"), ("an", "a"),
                    ("an", "any"), ("ian", ""), ("ish", "ey"), ("ese", "a"), ("ese", "on"), ("i", ""), ("s", ""), ("ienne", "ie"),
                    ("ien", "ie"), ("ienne", "e"), ("ien", "e"), ("e", "ie"), ("que", "quie"), ("c", "quie"))


def name_keys(text: str, lang: str, joined: bool = False) -> set[str]:
    """Keys that the same name gets in English, French and Arabic text.

    Latin script: the skeleton of each capitalised word (and of the country it is the
    adjective of, "Russian" → "Russia"); Arabic: the skeleton of every word with two or
    more consonant classes, since Arabic script has no capitals to say which words are
    names. Rare keys weigh more in the pairing, so common words cost little. ``joined``
    adds the key of two adjacent Latin names written as one ("Kafr Nabl" as Arabic writes
    it, "كفرنبل"); only worth it against Arabic, where it does not count a name twice.
    """
    keys: set[str] = set()
    if lang == "ar":
        for token in _TOKEN.findall(text):
            skeleton = arabic_skeleton(token)
            if len(skeleton) >= 2:
                keys.add(skeleton)
            # A one-letter proclitic (و, ب, ل, ف, ك) on a name: "وإدلب", "بحلب".
            if len(token) >= 4 and token[0] in "وبلفك":
                stripped = arabic_skeleton(token[1:])
                if len(stripped) >= 2:
                    keys.add(stripped)
        return keys
    previous = ""
    for word, adjacent in latin_name_runs(text):
        skeleton = latin_skeleton(word)
        if len(skeleton) >= 2:
            keys.add(skeleton)
        # Two names in a row may be one word in Arabic ("Kafr Nabl", "كفرنبل").
        if joined and adjacent and previous:
            keys.add(previous + skeleton)
        previous = skeleton
    return keys


def latin_name_runs(text: str) -> list[tuple[str, bool]]:
    """The name words of ``text``, each with whether it directly follows another name word."""
    runs: list[tuple[str, bool]] = []
    last_end = -10
    for match in _TOKEN.finditer(text):
        for part in re.split(r"['’]", match.group()):
            if len(part) >= 3 and part[0].isupper() and part.lower() not in _NOT_NAMES \
                    and part.lower() not in _CALENDAR_WORDS:
                gap = text[last_end:match.start()]
                runs.append((part, last_end >= 0 and gap.strip(" -") == ""))
                last_end = match.end()
    return runs


def _country_table() -> dict[str, dict[str, str]]:
    """Normalised one-word country names → ISO code, per language, from CLDR (Babel)."""
    try:
        from babel import Locale
    except ImportError:  # pragma: no cover - babel is a dependency; degrade, do not fail
        return {}
    table: dict[str, dict[str, str]] = {}
    for lang in ("en", "fr", "ar"):
        names: dict[str, str] = {}
        for code, name in Locale(lang).territories.items():
            if not code.isalpha() or len(code) != 2 or " " in name.strip():
                continue
            names.setdefault(_country_form(name, lang), code)
        table[lang] = names
    # Names CLDR has changed or never had as one word, still the common ones in news.
    table["en"].update({"turkey": "TR", "america": "US", "usa": "US", "britain": "GB", "uk": "GB"})
    table["fr"].update({"amerique": "US", "grande-bretagne": "GB"})
    return table


def _country_form(word: str, lang: str) -> str:
    if lang == "ar":
        word = _ARABIC_CLITIC_ARTICLE.sub("", _ARABIC_DIACRITICS.sub("", word))
        word = word.translate(str.maketrans("أإآى", "ااای".replace("ی", "ي")))
        word = re.sub(r"(?:ية|يا|ي|ة|ه|ا)$", "", word)
        return word
    return _strip_accents(word.lower())


_COUNTRIES: dict[str, dict[str, str]] | None = None


def country_codes(text: str, lang: str) -> set[str]:
    """ISO codes of the countries ``text`` names, by CLDR's names in that language, their
    adjectives included ("Russian", "الروسية", "russe")."""
    global _COUNTRIES
    if _COUNTRIES is None:
        _COUNTRIES = _country_table()
    names = _COUNTRIES.get(lang if lang in ("fr", "ar") else "en", {})
    found: set[str] = set()
    for token in _TOKEN.findall(text):
        if lang == "ar":
            candidates = [token] + ([token[1:]] if len(token) >= 4 and token[0] in "وبلفك" else [])
            for candidate in candidates:
                code = names.get(_country_form(candidate, "ar"))
                if code:
                    found.add(code)
            continue
        if not token[0].isupper():
            continue
        word = _country_form(token, lang)
        code = names.get(word)
        if code is None:
            for ending, replacement in _DEMONYM_ENDINGS:
                if word.endswith(ending) and len(word) > len(ending) + 2:
                    code = names.get(word[: -len(ending)] + replacement)
                    if code:
                        break
        if code:
            found.add(code)
    return found


# --- lengths -----------------------------------------------------------------------

#: Characters of a translation per character of English (measured on our own parallel
#: sentences: Arabic is shorter in characters, French longer).
CHARS_PER_ENGLISH_CHAR = {"en": 1.0, "fr": 1.15, "ar": 0.85}


def length_agreement(english_chars: int, other_chars: int, lang: str) -> float:
    """How well two lengths fit a translation, in [0, 1]: 1 at the expected ratio, the
    shorter-to-longer ratio otherwise."""
    if english_chars <= 0 or other_chars <= 0:
        return 0.0
    expected = english_chars * CHARS_PER_ENGLISH_CHAR.get(lang, 1.0)
    return min(expected, other_chars) / max(expected, other_chars)


# --- content words (for MT similarity) ------------------------------------------------

_AR_NORMALISE = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه"})


def content_words(text: str, lang: str, min_length: int = 4) -> set[str]:
    """Lower-cased words of ``text`` long enough to carry content; Arabic without its
    article and with the alef, ya and ta marbuta spellings merged. Compares an MT output
    with a human translation, word for word."""
    words = set()
    for token in _TOKEN.findall(text):
        if lang == "ar":
            token = _ARABIC_CLITIC_ARTICLE.sub("", _ARABIC_DIACRITICS.sub("", token)).translate(_AR_NORMALISE)
        else:
            token = _strip_accents(token.lower())
        if len(token) >= min_length:
            words.add(token)
    return words


# --- agreement of two texts (sentence aligner, pairing) --------------------------------


def _dice(a: set[str], b: set[str]) -> float | None:
    if not a and not b:
        return None
    return 2 * len(a & b) / (len(a) + len(b))


def mt_similarity(mt: str, human: str, lang: str) -> float | None:
    """Dice overlap of the content words of an MT output and a human text in ``lang``,
    in [0, 1]; None when neither has a content word."""
    return _dice(content_words(mt, lang), content_words(human, lang))


def number_agreement(text_a: str, lang_a: str, text_b: str, lang_b: str) -> float | None:
    """Dice overlap of the numbers of two texts in any two languages; None without numbers."""
    return _dice(numbers_in(text_a, lang_a), numbers_in(text_b, lang_b))


def name_agreement(text_a: str, lang_a: str, text_b: str, lang_b: str) -> float | None:
    """Dice overlap of the name keys of two texts (Latin or Arabic script); None without names.

    Arabic text gives a key for every word, so only keys the other text could share
    count on the Arabic side.
    """
    a = name_keys(text_a, lang_a, joined=lang_b == "ar")
    b = name_keys(text_b, lang_b, joined=lang_a == "ar")
    if lang_a == "ar" and lang_b != "ar":
        a &= b
    elif lang_b == "ar" and lang_a != "ar":
        b &= a
    return _dice(a, b)
# --- anchor tokens -------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)
# Latin accents; Arabic letters are folded before NFKD (below), which would otherwise split
# a hamza off its carrier into a mark that no word pattern matches ("طائرات" -> "طاي", "رات").
_COMBINING_MARKS = re.compile("[\u0300-\u036f]")
# Spellings of one Arabic word that writers and MT systems mix: the hamza's carriers and
# madda on alef, alef maqsura, ta marbuta; vowel marks and tatweel go.
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ئ": "ي", "ؤ": "و", "ة": "ه"})


def fold_arabic(text: str) -> str:
    """``text`` with the Arabic spellings that vary between writers made one: hamza
    carriers and madda on alef become alef, ``ى`` and ``ئ`` become ``ي``, ``ؤ`` ``و``, ``ة``
    ``ه``; vowel marks and tatweel are dropped (the usual normalisation of Arabic
    retrieval). Text without Arabic letters is returned as it is."""
    if not _HAS_ARABIC.search(text):
        return text
    return _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_FOLD)


_HAS_ARABIC = re.compile("[\u0600-\u06ff]")


def fold_for_matching(text: str) -> str:
    """Casefolded, Arabic-Indic digits as ASCII digits, Arabic spellings folded
    (:func:`fold_arabic`): how two lines' characters are compared when aligning them."""
    return fold_arabic(text.translate(_DIGIT_MAP).casefold())


def _folded_words(text: str) -> list[str]:
    folded = fold_for_matching(text)
    if not folded.isascii():
        folded = _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", folded))
    return _WORD.findall(folded)


#: Month names as anchor tokens spell them (every word of "كانون الثاني").
_MONTH_TOKENS = frozenset(word for name in MONTH_NUMBER for word in _folded_words(name))


def anchor_tokens(text: str, across_scripts: str | None = None) -> list[str]:
    """Words that can be the same on both sides of a translation: numbers, names, cognates.

    Case and accents are dropped (``Expédition`` = ``expedition``), Arabic-Indic digits
    become ASCII digits, Arabic spellings are folded (:func:`fold_arabic`, so MT into
    Arabic meets a human's spelling), and words of fewer than three characters are left
    out unless they hold a digit, so that function words of one language rarely meet
    those of the other. Every calendar date is a token too (``date:2018-03-21``, or
    ``date:--03-21`` without a year), so "(March 21)" meets "(٢١ آذار)".

    Across scripts (``across_scripts`` is this line's language, ``"ar"`` or a Latin one,
    and the other side is in the other script) words cannot meet, so the names of the
    line are added as consonant skeletons (``name:TLB`` for "Idlib" and "إدلب"; see
    :func:`name_keys`).
    """
    words = _folded_words(text)
    tokens = [w for w in words if len(w) >= 3 or any(c.isdigit() for c in w)]
    if not _MONTH_TOKENS.isdisjoint(words):  # dates_in is costly (0.45 s CPU for 14k lines): only with a month
        tokens += ["date:" + date for date in sorted(dates_in(text))]
    if across_scripts:
        tokens += ["name:" + key for key in sorted(name_keys(text, across_scripts, joined=across_scripts != "ar"))]
    return tokens
