"""Exporters, one module per format, chosen by name.

Corpus formats (``jsonl``, ``tmx``, ``moses``, ``parquet``) write pairs; by default a (source,
target) pair that occurs again (boilerplate, repeated quotes) is written once.
Document formats (``release``, ``release-html``, ``xliff``, ``xliff1``) write each translated release.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..model import Pair
from ..names import resolve_releases
from ..progress import track
from ..store import STATUSES, Store
from . import jsonl, moses, parquet, release, tmx, xliff

CORPUS_FORMATS = {"jsonl": jsonl.write, "tmx": tmx.write, "moses": moses.write, "parquet": parquet.write}
DOCUMENT_FORMATS = {"release": release.write_text, "release-html": release.write_html}
# Hand-off to translators' tools: one XLIFF file per release (2.0, or 1.2 for older tools).
XLIFF_FORMATS = {"xliff": xliff.write_xliff2, "xliff1": xliff.write_xliff1}
DOCUMENT_FORMATS.update(XLIFF_FORMATS)
FORMATS = tuple(CORPUS_FORMATS) + tuple(DOCUMENT_FORMATS)


@dataclass(frozen=True)
class ExportSummary:
    written: int
    files: tuple[str, ...]


def unique_pairs(pairs: Iterable[Pair]) -> Iterator[Pair]:
    """The first occurrence of each (source, target) text, white space normalised."""
    seen: set[int] = set()
    for pair in pairs:
        key = hash((" ".join(pair.src.split()), " ".join(pair.tgt.split())))
        if key not in seen:
            seen.add(key)
            yield pair


def export(
    store: Store,
    fmt: str,
    tgt_lang: str,
    out: str | Path,
    min_score: float | None = None,
    labels: Sequence[str] | None = None,
    deduplicate: bool = True,
    release_ids: Sequence[str] | None = None,
    origin: str = "mt",
    statuses: Sequence[str] | None = None,
    glossaries: dict[str, str] | None = None,
) -> ExportSummary:
    """Write the stored pairs into ``tgt_lang`` in format ``fmt`` at ``out``.

    Each pair is written in its current version: a reviewer's edit or approval replaces
    the machine's text. ``statuses`` keeps pairs in those review states (default: every
    state but ``rejected``; ``["approved"]`` gives only what a person approved).
    ``origin="human"`` writes the human translation pairs that alignment found instead
    of the machine translations (their score is the alignment score). ``glossaries``
    (language -> file, as ``score.glossaries``): the XLIFF formats list each unit's terms.
    """
    statuses = list(statuses) if statuses else [s for s in STATUSES if s != "rejected"]
    unknown = sorted(set(statuses) - set(STATUSES))
    if unknown:
        raise ConfigError(f"unknown review status {', '.join(unknown)} (expected some of {', '.join(STATUSES)})")
    release_ids = resolve_releases(store, release_ids)  # --release takes names as well as ids
    if fmt in XLIFF_FORMATS and glossaries and tgt_lang in glossaries:
        from ..scoring.glossary import load_glossary

        glossary = load_glossary(glossaries[tgt_lang], tgt_lang)
        return ExportSummary(*XLIFF_FORMATS[fmt](store, tgt_lang, Path(out), release_ids, glossary=glossary))
    if fmt in DOCUMENT_FORMATS:
        return ExportSummary(*DOCUMENT_FORMATS[fmt](store, tgt_lang, Path(out), release_ids))
    if fmt not in CORPUS_FORMATS:
        raise ConfigError(f"unknown export format {fmt!r} (available: {', '.join(FORMATS)})")
    if origin == "human":
        source: Iterable[Pair] = store.human_pairs(tgt_lang, release_ids=release_ids, min_score=min_score)
    else:
        source = store.pairs(tgt_lang, release_ids=release_ids, min_score=min_score, labels=labels, statuses=statuses)
    pairs = unique_pairs(source) if deduplicate else source
    pairs = track(pairs, f"export {fmt}", unit="pair")
    try:
        written, files = CORPUS_FORMATS[fmt](pairs, Path(out), tgt_lang)
    finally:
        # A writer that fails midway (full disk) leaves the database cursor open: close it
        # while the store still is, not when the garbage collector gets to it.
        close = getattr(source, "close", None)
        if close is not None:
            close()
    return ExportSummary(written, tuple(files))


__all__ = ["CORPUS_FORMATS", "DOCUMENT_FORMATS", "FORMATS", "ExportSummary", "export", "unique_pairs"]
