"""XLIFF back in: a post-edited file becomes new review versions of the stored pairs.

A unit is matched to its pair by the keys our export wrote (2.0: ``file/@id`` = release
id, ``unit/@id`` = ``u<index>``; 1.2: ``trans-unit/@id`` = ``<release id>:<index>``) and
only when its source still reads as the stored source. A unit that matches no stored
pair, or whose source was edited, is reported and left alone: nothing is guessed.
Matched units go through :meth:`ReviewService.edit`, exactly as an edit in the browser
does: a changed target is a new version by a person (``edited``), a final state approves
it, and a target equal to the current version stores nothing, so importing the same
file twice adds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..config import Config
from ..errors import InputError
from ..export.xliff import XLIFF1_NS, XLIFF2_NS
from ..review.service import InvalidEdit, ReviewService

#: Inline elements whose content is native code, not text (1.2 ``ph``/``bpt``/``ept``/``it``).
_CODE_ELEMENTS = {"ph", "bpt", "ept", "it", "sub"}
#: XLIFF states that mean a person approved the target.
APPROVED_STATES_2 = {"final"}
APPROVED_STATES_1 = {"final", "signed-off"}
_UNIT_2 = re.compile(r"u(\d+)$")
_UNIT_1 = re.compile(r"(.+):(\d+)$")


@dataclass(frozen=True)
class XliffUnit:
    """One unit of a post-edited file, as the keys and texts our export wrote."""

    unit_id: str
    release_id: str | None
    index: int | None
    tgt_lang: str
    src: str
    tgt: str | None
    approved: bool


@dataclass
class XliffImport:
    """What importing one file did."""

    path: str
    version: str
    units: int = 0
    edited: int = 0
    approved: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)


def parse_xml(path: Path) -> etree._ElementTree:
    """An XML file parsed safely (no entities, no network), or a one-line InputError."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=False)
    try:
        return etree.parse(str(path), parser)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{path}: not well-formed XML: {exc.msg}") from None


def inline_text(element: etree._Element) -> str:
    """The text of a source or target, inline codes left out, ``<cp hex=..>`` read as the character."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            name = etree.QName(child).localname
            if name == "cp":
                try:
                    parts.append(chr(int(child.get("hex", ""), 16)))
                except ValueError:
                    pass
            elif name not in _CODE_ELEMENTS:
                parts.append(inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def read_units(path: Path) -> tuple[str, list[XliffUnit]]:
    """The XLIFF version (``2.0`` or ``1.2``, by namespace) and the file's units in order."""
    root = parse_xml(path).getroot()
    namespace = etree.QName(root).namespace
    if namespace == XLIFF2_NS:
        return "2.0", list(_units_2(root))
    if namespace == XLIFF1_NS:
        return "1.2", list(_units_1(root))
    raise InputError(f"{path}: not XLIFF 1.2 or 2.0 (root element {root.tag})")


def _units_2(root: etree._Element) -> Iterator[XliffUnit]:
    ns = {"x": XLIFF2_NS}
    tgt_lang = root.get("trgLang") or ""
    for file in root.iterfind("x:file", ns):
        release_id = file.get("id")
        for unit in file.iterfind(".//x:unit", ns):
            parts = unit.findall("x:segment", ns) + unit.findall("x:ignorable", ns)
            # Segments and ignorables in document order, as a tool that resegmented left them.
            parts.sort(key=lambda e: list(unit).index(e))
            sources = [inline_text(p.find("x:source", ns)) for p in parts if p.find("x:source", ns) is not None]
            targets = [p.find("x:target", ns) for p in parts]
            has_target = any(t is not None for t in targets)
            tgt = "".join(inline_text(t) for t in targets if t is not None) if has_target else None
            segments = unit.findall("x:segment", ns)
            approved = bool(segments) and all(s.get("state", "initial") in APPROVED_STATES_2 for s in segments)
            match = _UNIT_2.match(unit.get("id", ""))
            yield XliffUnit(unit.get("id", ""), release_id, int(match.group(1)) if match else None, tgt_lang,
                            "".join(sources), tgt, approved)


def _units_1(root: etree._Element) -> Iterator[XliffUnit]:
    ns = {"x": XLIFF1_NS}
    for file in root.iterfind("x:file", ns):
        tgt_lang = file.get("target-language") or ""
        for unit in file.iterfind(".//x:trans-unit", ns):
            source = unit.find("x:source", ns)
            target = unit.find("x:target", ns)
            state = target.get("state") if target is not None else None
            approved = unit.get("approved") == "yes" or state in APPROVED_STATES_1
            match = _UNIT_1.match(unit.get("id", ""))
            yield XliffUnit(unit.get("id", ""), match.group(1) if match else None,
                            int(match.group(2)) if match else None, tgt_lang,
                            inline_text(source) if source is not None else "",
                            inline_text(target) if target is not None else None, approved)


def _same(a: str, b: str) -> bool:
    return a.split() == b.split()


def import_xliff(path: str | Path, db: str, config: Config | None = None) -> XliffImport:
    """Store the post-edited targets of one XLIFF file as review versions; report what did not match."""
    path = Path(path)
    version, units = read_units(path)
    result = XliffImport(str(path), version, units=len(units))
    service = ReviewService(db, config)
    current: dict[tuple[str, str], dict[int, dict[str, object]]] = {}
    for unit in units:
        where = f"unit {unit.unit_id or '?'}"
        if not unit.tgt_lang:
            result.problems.append(f"{where}: the file names no target language")
            continue
        if unit.release_id is None or unit.index is None:
            result.problems.append(f"{where}: not a unit of a translate-pipe export (unknown id); not imported")
            continue
        key = (unit.release_id, unit.tgt_lang)
        if key not in current:
            current[key] = _pairs_of(service, unit.release_id, unit.tgt_lang)
        pair = current[key].get(unit.index)
        if pair is None:
            result.problems.append(f"{where}: no stored {unit.tgt_lang} translation of sentence {unit.index} of"
                                   f" release {unit.release_id}; not imported")
            continue
        if not _same(unit.src, str(pair["src"])):
            result.problems.append(f"{where}: the source differs from the stored sentence; not imported")
            continue
        if unit.tgt is None or not unit.tgt.strip():
            result.unchanged += 1
            continue
        changed = not _same(unit.tgt, str(pair["tgt"]))
        approve = unit.approved and (changed or pair["status"] != "approved")
        if not changed and not approve:
            result.unchanged += 1
            continue
        # A pair is one sentence on one line: line breaks a tool added become spaces.
        text = " ".join(unit.tgt.split()) if changed else None
        try:
            service.edit(int(pair["id"]), tgt=text, status="approved" if approve else None)
        except InvalidEdit as exc:
            result.problems.append(f"{where}: {exc}; not imported")
            continue
        if changed:
            result.edited += 1
        else:
            result.approved += 1
    return result


def _pairs_of(service: ReviewService, release_id: str, tgt_lang: str) -> dict[int, dict[str, object]]:
    try:
        return {int(p["index"]): p for p in service.pairs(release_id, tgt_lang)}  # type: ignore[arg-type]
    except InputError:  # no such release in this database
        return {}


__all__ = ["XliffImport", "XliffUnit", "import_xliff", "inline_text", "parse_xml", "read_units"]
