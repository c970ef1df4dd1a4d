"""TMX in as translation memory: a streaming read, so a million units need no more memory than one.

Any TMX 1.1-1.4 writer's style is read: ``xml:lang`` (or 1.1's ``lang``) in any case and
with a region (``fr-FR``, ``FR-ca``), ``srclang="*all*"``, ``prop``/``note`` elements,
inline codes (``bpt``/``ept``/``ph``/``it``/``ut``: their native code is left out,
``hi``/``sub`` text kept). A unit counts when it has an English variant and one in
the requested language; the others are counted as skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..config import Config
from ..errors import InputError
from ..store import memory

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_CODE_ELEMENTS = {"bpt", "ept", "ph", "it", "ut"}
BATCH = 5000
#: Stored sentences matched against the memory per pass over it.
MATCH_WINDOW = 20_000


@dataclass
class TmxImport:
    path: str
    units: int = 0
    added: int = 0
    skipped: int = 0
    matched_sentences: int = 0
    problems: list[str] = field(default_factory=list)


def _lang(tuv: etree._Element) -> str:
    """The primary language subtag, lower case: ``fr-FR`` -> ``fr``."""
    value = tuv.get(XML_LANG) or tuv.get("lang") or ""
    return value[:3].rstrip("-_").strip().lower() if len(value) > 2 else value.lower()


def seg_text(seg: etree._Element) -> str:
    if not len(seg):  # most segments: plain text, no inline codes
        return seg.text or ""
    parts = [seg.text or ""]
    for child in seg:
        if isinstance(child.tag, str) and child.tag.rpartition("}")[2] not in _CODE_ELEMENTS:
            parts.append(seg_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def read_tmx(path: Path, src_lang: str, tgt_lang: str, result: TmxImport) -> Iterator[tuple[str, str]]:
    """(source, target) of each unit with both languages, read as a stream (each unit freed once read)."""
    wanted = (src_lang, tgt_lang)
    try:
        context = etree.iterparse(str(path), events=("end",), tag=("tu", "{*}tu"), resolve_entities=False,
                                  no_network=True, huge_tree=True)
        for _, tu in context:
            result.units += 1
            texts: dict[str, str] = {}
            for tuv in tu.iterchildren("tuv", "{*}tuv"):
                lang = _lang(tuv)
                if lang in wanted and lang not in texts:
                    seg = tuv.find("seg")
                    if seg is None:
                        seg = tuv.find("{*}seg")
                    if seg is not None:
                        texts[lang] = seg_text(seg)
            tu.clear(keep_tail=False)
            while tu.getprevious() is not None:  # the parsed units before this one, also done with
                del tu.getparent()[0]
            if texts.get(src_lang, "").strip() and texts.get(tgt_lang, "").strip():
                yield texts[src_lang], texts[tgt_lang]
            else:
                result.skipped += 1
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{path}: not well-formed XML after {result.units} units: {exc.msg}"
                         " (the units before it are stored)") from None


def import_tmx(path: str | Path, store, tgt_lang: str, config: Config | None = None, src_lang: str = "en") -> TmxImport:
    """Add the units of a TMX into ``src_lang``-``tgt_lang`` memory, then match the stored sentences against it.

    Units are committed a batch at a time; importing the same file again adds nothing.
    """
    path = Path(path)
    config = config or Config()
    result = TmxImport(str(path))
    batch: list[tuple[str, str]] = []
    try:
        for unit in read_tmx(path, src_lang, tgt_lang, result):
            batch.append(unit)
            if len(batch) >= BATCH:
                result.added += memory.add_units(store, src_lang, tgt_lang, batch, path.name)
                batch.clear()
    finally:  # a file broken halfway keeps the units read before the break
        result.added += memory.add_units(store, src_lang, tgt_lang, batch, path.name)
    if result.units == 0:
        raise InputError(f"{path}: no translation units (<tu>) in this TMX")
    # Sentences already stored get their fuzzy matches now, not only at the next run; a
    # window of them at a time (one pass over the memory each), so an archive fits in memory.
    last = -1
    while True:
        segments = [(int(i), str(t)) for i, t in store.db.execute(
            "SELECT id, text FROM segments WHERE lang = ? AND id > ? ORDER BY id LIMIT ?",
            (src_lang, last, MATCH_WINDOW))]
        if not segments:
            break
        last = segments[-1][0]
        result.matched_sentences += memory.match_segments(store, segments, src_lang, tgt_lang,
                                                          config.memory.min_similarity)
    return result


__all__ = ["TmxImport", "import_tmx", "read_tmx", "seg_text"]
