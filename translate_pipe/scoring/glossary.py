"""Terminology: glossaries per target language, a ``terminology`` rule, and names kept by placeholders.

A glossary is a CSV/TSV file (``source<TAB>target`` or ``source,target``, an optional
header line, an optional third column ``name``/``term``) or a TBX file (TBX-Basic
``martif``/``termEntry``/``langSet``/``tig``, or TBX v3 ``conceptEntry``/``langSec``/
``termSec``). The rule flags every pair whose source holds a glossary term and whose
output lacks the term's target: the reason names each missing term.

Names (people, places, fixed titles: a third column ``name``, a TBX ``partOfSpeech``
``properNoun``, or a source term whose every word is capitalised) are kept by
:class:`GlossaryTranslator`: each is replaced in the source by a placeholder the model
copies (``XNAME0``), which is replaced by the glossary's target afterwards. When the
model drops a placeholder, that sentence is translated again without them and the rule
flags it: a name is never silently translated word by word.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import ConfigError, InputError
from ..model import TranslationResult

# Arabic marks that do not change a word (short vowels, shadda, sukun, tatweel).
_ARABIC_MARKS = re.compile("[\u064b-\u0652\u0670\u0640]")
_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})
# Arabic clitics written onto the next word: w-, f- (and), b-, l-, k- (in, for, as), al- (the).
_ARABIC_PREFIX = "(?:[وف])?(?:[بلك])?(?:ال)?"


@dataclass(frozen=True)
class Term:
    source: str
    target: str
    name: bool = False


@dataclass(frozen=True)
class Glossary:
    """The terms of one language pair, from one file."""

    lang: str
    terms: tuple[Term, ...]
    origin: str = ""

    def digest(self) -> str:
        text = "\n".join(f"{t.source}\t{t.target}\t{int(t.name)}" for t in self.terms)
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def normalise(text: str, lang: str) -> str:
    """Casefolded, NFKC, Arabic marks removed and alef forms unified (for matching, never for output)."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    if lang == "ar":
        text = _ARABIC_MARKS.sub("", text).translate(_ALEF)
    return " ".join(text.split())


def _looks_like_name(source: str) -> bool:
    """Every word capitalised (or a number), short particles aside: 'Nasr al-Hariri', 'Staffan de Mistura'."""
    words = [w for w in re.split(r"[\s\-]+", source) if w]
    return bool(words) and words[0][0].isupper() and all(
        w[0].isupper() or w[0].isdigit() or (w.islower() and len(w) <= 3) for w in words)


def load_glossary(path: str | Path, lang: str) -> Glossary:
    """Read a CSV/TSV or TBX glossary for English -> ``lang``; a one-line InputError when it cannot be read."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read glossary: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: glossary is not UTF-8 (byte {exc.start})") from None
    if path.suffix.lower() in (".tbx", ".xml") or text.lstrip().startswith("<"):
        terms = _tbx_terms(path, lang)
    else:
        terms = _table_terms(path, text)
    if not terms:
        raise InputError(f"{path}: no terms for en->{lang} in this glossary")
    return Glossary(lang, tuple(terms), str(path))


def _table_terms(path: Path, text: str) -> list[Term]:
    first = text.splitlines()[0] if text else ""
    delimiter = "\t" if "\t" in first else ","
    terms = []
    for number, row in enumerate(csv.reader(text.splitlines(), delimiter=delimiter), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and [c.casefold() for c in cells[:2]] == ["source", "target"]:
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise InputError(f"{path}: line {number}: expected source{'<TAB>' if delimiter == chr(9) else ','}target")
        kind = cells[2].casefold() if len(cells) > 2 else ""
        if kind not in ("", "name", "term"):
            raise InputError(f"{path}: line {number}: third column must be name or term, not {cells[2]!r}")
        terms.append(Term(cells[0], cells[1], kind == "name" or (not kind and _looks_like_name(cells[0]))))
    return terms


def _tbx_terms(path: Path, lang: str) -> list[Term]:
    from lxml import etree

    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{path}: not well-formed TBX: {exc.msg}") from None
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    terms = []
    for entry in root.iter():
        if not isinstance(entry.tag, str) or etree.QName(entry).localname not in ("termEntry", "conceptEntry"):
            continue
        by_lang: dict[str, str] = {}
        proper = False
        for element in entry.iter():
            if not isinstance(element.tag, str):
                continue
            name = etree.QName(element).localname
            if name in ("langSet", "langSec"):
                code = (element.get(xml_lang) or element.get("lang") or "").split("-")[0].lower()
                term = next((t for t in element.iter() if isinstance(t.tag, str)
                             and etree.QName(t).localname == "term"), None)
                if term is not None and code not in by_lang and "".join(term.itertext()).strip():
                    by_lang[code] = " ".join("".join(term.itertext()).split())
            elif name in ("termNote", "descrip") and element.get("type") in ("partOfSpeech", "termType"):
                proper = proper or (element.text or "").strip() in ("properNoun", "proper noun", "name")
        if "en" in by_lang and lang in by_lang:
            terms.append(Term(by_lang["en"], by_lang[lang], proper or _looks_like_name(by_lang["en"])))
    return terms


def load_glossaries(files: dict[str, str]) -> dict[str, Glossary]:
    """``{lang: path}`` (the config's ``score.glossaries``) loaded, one glossary per target language."""
    return {lang: load_glossary(path, lang) for lang, path in files.items()}


def _pattern(term: str, lang: str) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(word) for word in normalise(term, lang).split())
    prefix = _ARABIC_PREFIX if lang == "ar" else ""
    return re.compile(rf"(?<!\w){prefix}{body}(?!\w)")


@dataclass(frozen=True)
class TerminologyRule:
    """Flags a pair whose output lacks the target of a glossary term its source holds."""

    glossaries: dict[str, Glossary]
    name: str = "terminology"

    def __post_init__(self) -> None:
        compiled = {lang: [(t, _pattern(t.source, "en"), _pattern(t.target, lang)) for t in g.terms]
                    for lang, g in self.glossaries.items()}
        object.__setattr__(self, "_compiled", compiled)

    def missing_terms(self, src: str, tgt: str, tgt_lang: str) -> list[Term]:
        terms = self._compiled.get(tgt_lang)  # type: ignore[attr-defined]
        if not terms:
            return []
        source, target = normalise(src, "en"), normalise(tgt, tgt_lang)
        return [term for term, in_source, in_target in terms
                if in_source.search(source) and not in_target.search(target)]

    def source_terms(self, src: str, tgt_lang: str) -> list[Term]:
        """The terms whose source ``src`` holds."""
        source = normalise(src, "en")
        return [term for term, in_source, _ in self._compiled.get(tgt_lang, ())  # type: ignore[attr-defined]
                if in_source.search(source)]

    def check(self, src: str, tgt: str, src_lang: str, tgt_lang: str) -> str | None:
        missing = self.missing_terms(src, tgt, tgt_lang)
        if not missing:
            return None
        return "missing " + "; ".join(f"'{t.target}' for '{t.source}'" for t in missing)


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


class GlossaryTranslator:
    """A translator that keeps the glossary's names: placeholders around the inner translator's call.

    Anything else is the inner translator's (its system gains the glossary's digest, so
    translations made with and without the glossary are not mixed up by the memory).
    """

    PLACEHOLDER = "XNAME{}"

    def __init__(self, inner, glossary: Glossary):
        self.inner = inner
        self.glossary = glossary
        self.names = sorted((t for t in glossary.terms if t.name), key=lambda t: -len(t.source))
        self._by_key = {_key(t.source): t for t in self.names}
        alternatives = "|".join(r"\s+".join(re.escape(w) for w in t.source.split()) for t in self.names)
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if self.names else None
        system = inner.system
        self.system = replace(system, decoding={**system.decoding, "glossary_names": glossary.digest()})

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def protect(self, text: str) -> tuple[str, list[Term]]:
        """The source with each name replaced by a placeholder numbered in text order, and the names in order."""
        used: list[Term] = []
        if self._pattern is None:
            return text, used

        def swap(match: re.Match[str]) -> str:
            used.append(self._by_key[_key(match.group(0))])
            return self.PLACEHOLDER.format(len(used) - 1)

        return self._pattern.sub(swap, text), used

    def restore(self, text: str, used: Sequence[Term]) -> str | None:
        """The output with each placeholder replaced by its name's target; None when one is missing or doubled."""
        for n, term in enumerate(used):
            token = self.PLACEHOLDER.format(n)
            if len(re.findall(rf"(?<!\w){token}(?!\w)", text)) != 1:
                return None
            text = re.sub(rf"(?<!\w){token}(?!\w)", lambda _m, t=term.target: t, text)
        return text

    def translate(self, sources: Sequence[str]) -> list[TranslationResult]:
        protected = [self.protect(s) for s in sources]
        results = self.inner.translate([p[0] for p in protected])
        retry: list[int] = []
        out: list[TranslationResult] = []
        for i, ((_, used), result) in enumerate(zip(protected, results)):
            restored = self.restore(result.text, used)
            if restored is None:
                retry.append(i)
            out.append(replace(result, text=restored) if used and restored is not None else result)
        if retry:  # the model lost a placeholder: the plain translation, which the rule then checks
            for i, result in zip(retry, self.inner.translate([sources[i] for i in retry])):
                out[i] = result
        return out


def terminology_rule(files: dict[str, str]) -> TerminologyRule | None:
    if not files:
        return None
    try:
        return TerminologyRule(load_glossaries(files))
    except InputError as exc:
        raise ConfigError(f"glossary: {exc}") from None


__all__ = ["Glossary", "GlossaryTranslator", "Term", "TerminologyRule", "load_glossaries", "load_glossary",
           "normalise", "terminology_rule"]
