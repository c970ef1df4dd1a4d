"""XLIFF hand-off to translators' tools: one file per release, XLIFF 2.0 or 1.2.

Each release becomes one ``<file>``: its paragraphs are groups, its sentences units in
document order, each with the English source and the current version of its
translation as target. The target's state comes from our label and review status,
so a CAT tool shows which sentences need a look; scores and flags travel as notes,
the release's metadata as file-level notes. Fuzzy matches from an imported
translation memory are offered as alternatives (2.0: the ``mtc`` matches module;
1.2: ``alt-trans``).

Units are keyed so that :mod:`translate_pipe.imports.xliff` can match a post-edited
file back to the stored pairs without guessing: 2.0 ``file/@id`` is the release id and
``unit/@id`` is ``u<sentence index>``; 1.2 ``trans-unit/@id`` is ``<release id>:<index>``.
Both files validate against the OASIS schemas (``xliff_core_2.0.xsd``,
``xliff-core-1.2-strict.xsd``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from .. import __version__
from ..atomic import atomic_write_bytes
from ..errors import ConfigError, InputError
from ..model import Pair
from ..names import release_names
from ..scoring.glossary import Glossary, TerminologyRule
from ..store import Store

XLIFF2_NS = "urn:oasis:names:tc:xliff:document:2.0"
XLIFF1_NS = "urn:oasis:names:tc:xliff:document:1.2"
MTC_NS = "urn:oasis:names:tc:xliff:matches:2.0"
GLS_NS = "urn:oasis:names:tc:xliff:glossary:2.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
RTL_LANGS = {"ar", "he", "fa", "ur"}

# XML 1.0 forbids most C0 controls; one stray byte would make the whole file unreadable.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: object) -> str:
    return _XML_INVALID.sub("", str(value))


def state_2(pair: Pair | None) -> str:
    """XLIFF 2.0 segment state of a pair: final (approved), reviewed (a person's edit),
    translated (machine, labelled good), initial (machine, to check; rejected; none)."""
    if pair is None or pair.status == "rejected":
        return "initial"
    if pair.status == "approved":
        return "final"
    if pair.status == "edited":
        return "reviewed"
    return "translated" if pair.label == "good" else "initial"


def state_1(pair: Pair | None) -> str:
    """XLIFF 1.2 target state: final (approved), translated (a person's edit, or machine
    labelled good), needs-review-translation (machine, to check), needs-translation."""
    if pair is None or pair.status == "rejected":
        return "needs-translation"
    if pair.status == "approved":
        return "final"
    if pair.status == "edited" or pair.label == "good":
        return "translated"
    return "needs-review-translation"


def write_xliff2(store: Store, tgt_lang: str, out: Path, release_ids: Sequence[str] | None,
                 glossary: Glossary | None = None) -> tuple[int, list[str]]:
    """One XLIFF 2.0 file per release in folder ``out`` (``out`` may name the file when there is one release).

    With a ``glossary``, each unit lists the terms its source holds (the ``gls`` glossary module).
    """
    return _write_all(store, tgt_lang, out, release_ids, _release_xliff2, glossary)


def write_xliff1(store: Store, tgt_lang: str, out: Path, release_ids: Sequence[str] | None,
                 glossary: Glossary | None = None) -> tuple[int, list[str]]:
    """One XLIFF 1.2 file per release in folder ``out`` (a glossary's terms as notes ``from="glossary"``)."""
    return _write_all(store, tgt_lang, out, release_ids, _release_xliff1, glossary)


def _write_all(store: Store, tgt_lang: str, out: Path, release_ids: Sequence[str] | None, build,
               glossary: Glossary | None) -> tuple[int, list[str]]:
    if release_ids:
        ids = list(release_ids)
        unknown = [release_id for release_id in ids if store.release_record(release_id) is None]
        if unknown:
            raise InputError(f"no release {', '.join(unknown)} in {store.where}")
    else:  # every release translated into the language
        ids = [str(r["id"]) for r in store.releases() if tgt_lang in store.release_langs(str(r["id"]))]
        if not ids:
            raise InputError(f"{store.where}: no {tgt_lang} translation of any release; "
                             f"translate first (translate-pipe run --to {tgt_lang})")
    names = release_names(store)  # the file name or title a person knows, not the hash
    if out.suffix == ".xlf" and len(ids) != 1:
        raise ConfigError(f"--out {out} names one file, but there are {len(ids)} releases: give a folder,"
                          " or one --release")
    if out.suffix == ".xlf":
        targets = {ids[0]: out}
    else:
        targets = {release_id: out / f"{names.get(release_id, release_id)}.{tgt_lang}.xlf" for release_id in ids}
    files = []
    for release_id, path in targets.items():
        document = build(_ReleaseData.load(store, release_id, tgt_lang, names.get(release_id, release_id), glossary))
        atomic_write_bytes(path, etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True))
        files.append(str(path))
    return len(files), files


class _ReleaseData:
    """What one release's file holds: metadata, segments, current pairs, memory matches."""

    def __init__(self, record: dict[str, object], segments: list, pairs: dict[int, Pair], tgt_lang: str, name: str,
                 matches: dict[int, list], glossary: Glossary | None = None):
        self.record, self.segments, self.pairs, self.tgt_lang, self.name = record, segments, pairs, tgt_lang, name
        self.matches = matches
        self._terms = TerminologyRule({tgt_lang: glossary}) if glossary is not None else None

    def terms(self, source: str) -> list:
        """The glossary terms ``source`` holds, in glossary order."""
        return self._terms.source_terms(source, self.tgt_lang) if self._terms is not None else []

    @classmethod
    def load(cls, store: Store, release_id: str, tgt_lang: str, name: str,
             glossary: Glossary | None = None) -> _ReleaseData:
        record = store.release_record(release_id)
        if record is None:
            raise InputError(f"no release {release_id} in {store.where}")
        segments = store.segments(release_id, str(record["lang"]))
        pairs = {p.segment_index: p for p in store.pairs(tgt_lang, release_ids=[release_id])}
        return cls(record, segments, pairs, tgt_lang, name, _memory_matches(store, release_id, tgt_lang), glossary)

    def paragraphs(self) -> list[tuple[int, str, list]]:
        grouped: dict[int, list] = {}
        kinds: dict[int, str] = {}
        for segment in self.segments:
            grouped.setdefault(segment.paragraph, []).append(segment)
            kinds[segment.paragraph] = segment.kind
        return [(n, kinds[n], grouped[n]) for n in sorted(grouped)]

    def metadata(self) -> list[tuple[str, str]]:
        items = [("release:id", str(self.record["id"])), ("release:name", self.name),
                 ("release:title", str(self.record["title"]))]
        for key in ("date", "source"):
            if self.record.get(key):
                items.append((f"release:{key}", str(self.record[key])))
        items.append(("tool", f"translate-pipe {__version__}"))
        return items


def _memory_matches(store: Store, release_id: str, tgt_lang: str) -> dict[int, list]:
    try:
        from ..store.memory import release_matches
    except ImportError:  # a store without the memory module
        return {}
    return release_matches(store, release_id, tgt_lang)


def _pair_notes(pair: Pair) -> list[tuple[str, str]]:
    notes = [("label", pair.label), ("status", pair.status), ("origin", pair.origin), ("model", pair.system),
             ("score:combined", f"{pair.combined:.4f}")]
    notes += [(f"score:{name}", f"{value:.4f}") for name, value in sorted(pair.scores.items())]
    notes += [(f"flag:{flag.name}", flag.reason) for flag in pair.flags]
    return notes


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    names = {"xml__lang": f"{{{XML_NS}}}lang"}
    element = etree.SubElement(parent, tag, {names.get(k, k): xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _release_xliff2(data: _ReleaseData) -> etree._Element:
    x = f"{{{XLIFF2_NS}}}"
    src_lang = str(data.record["lang"])
    root = etree.Element(f"{x}xliff", nsmap={None: XLIFF2_NS, "mtc": MTC_NS, "gls": GLS_NS},
                         attrib={"version": "2.0", "srcLang": src_lang, "trgLang": data.tgt_lang})
    # canResegment="no": a tool that split or joined sentences could not be matched back.
    file = _sub(root, f"{x}file", id=str(data.record["id"]), original=data.name, canResegment="no",
                trgDir="rtl" if data.tgt_lang in RTL_LANGS else "ltr")
    notes = _sub(file, f"{x}notes")
    for category, text in data.metadata():
        _sub(notes, f"{x}note", text, category=category)
    for number, kind, segments in data.paragraphs():
        group = _sub(file, f"{x}group", id=f"p{number}", type=f"tp:{kind}")
        for segment in segments:
            pair = data.pairs.get(segment.index)
            unit = _sub(group, f"{x}unit", id=f"u{segment.index}")
            matches = data.matches.get(segment.index, [])
            if matches:
                holder = _sub(unit, f"{{{MTC_NS}}}matches")
                for match in matches:
                    element = _sub(holder, f"{{{MTC_NS}}}match", ref=f"#s{segment.index}",
                                   similarity=f"{100 * match.similarity:.1f}", origin=match.origin, type="tm")
                    _sub(element, f"{x}source", match.src)
                    _sub(element, f"{x}target", match.tgt)
            terms = data.terms(segment.text)
            if terms:
                entries = _sub(unit, f"{{{GLS_NS}}}glossary")
                for term in terms:
                    entry = _sub(entries, f"{{{GLS_NS}}}glossEntry")
                    _sub(entry, f"{{{GLS_NS}}}term", term.source, source="glossary")
                    _sub(entry, f"{{{GLS_NS}}}translation", term.target, source="glossary")
            if pair is not None:
                unit_notes = _sub(unit, f"{x}notes")
                for category, text in _pair_notes(pair):
                    _sub(unit_notes, f"{x}note", text, category=category, appliesTo="target")
            seg = _sub(unit, f"{x}segment", id=f"s{segment.index}", state=state_2(pair))
            _sub(seg, f"{x}source", segment.text)
            if pair is not None:
                _sub(seg, f"{x}target", pair.tgt)
    return root


def _release_xliff1(data: _ReleaseData) -> etree._Element:
    x = f"{{{XLIFF1_NS}}}"
    src_lang = str(data.record["lang"])
    release_id = str(data.record["id"])
    root = etree.Element(f"{x}xliff", nsmap={None: XLIFF1_NS}, attrib={"version": "1.2"})
    file = _sub(root, f"{x}file", original=data.name, datatype="plaintext", **{"source-language": src_lang},
                **{"target-language": data.tgt_lang}, **{"tool-id": "translate-pipe"})
    header = _sub(file, f"{x}header")
    for category, text in data.metadata():
        _sub(header, f"{x}note", text, **{"from": category})
    _sub(header, f"{x}tool", **{"tool-id": "translate-pipe", "tool-name": "translate-pipe",
                                "tool-version": __version__})
    body = _sub(file, f"{x}body")
    for number, kind, segments in data.paragraphs():
        group = _sub(body, f"{x}group", id=f"p{number}", restype=f"x-{kind}")
        for segment in segments:
            pair = data.pairs.get(segment.index)
            attributes = {"id": f"{release_id}:{segment.index}"}
            if pair is not None and pair.status == "approved":
                attributes["approved"] = "yes"
            unit = _sub(group, f"{x}trans-unit", **attributes)
            _sub(unit, f"{x}source", segment.text, xml__lang=src_lang)
            if pair is not None:
                _sub(unit, f"{x}target", pair.tgt, xml__lang=data.tgt_lang, state=state_1(pair))
                for category, text in _pair_notes(pair):
                    _sub(unit, f"{x}note", text, **{"from": category, "annotates": "target"})
            for term in data.terms(segment.text):
                _sub(unit, f"{x}note", f"{term.source} = {term.target}", **{"from": "glossary", "annotates": "source"})
            for match in data.matches.get(segment.index, []):
                alt = _sub(unit, f"{x}alt-trans", **{"match-quality": f"{100 * match.similarity:.1f}",
                                                      "origin": match.origin})
                _sub(alt, f"{x}source", match.src, xml__lang=src_lang)
                _sub(alt, f"{x}target", match.tgt, xml__lang=data.tgt_lang)
    return root


__all__ = ["XLIFF1_NS", "XLIFF2_NS", "state_1", "state_2", "write_xliff1", "write_xliff2"]
