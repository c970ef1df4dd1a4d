"""Translated releases as documents: plain text, or HTML with the right direction.

Each release is rebuilt paragraph by paragraph from its stored segments. A sentence
with no translation into the language keeps its English text and is counted, so a
partial document is never passed off as a complete one.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from pathlib import Path

from ..atomic import StagedFiles
from ..errors import InputError, OutputError
from ..names import release_names
from ..store import Store

log = logging.getLogger(__name__)

RTL_LANGS = {"ar", "he", "fa", "ur"}


def translated_release(store: Store, release_id: str, tgt_lang: str) -> dict[str, object]:
    """Title, date, source and translated paragraphs of one release."""
    record = store.release_record(release_id)
    if record is None:
        raise InputError(f"no release {release_id} in {store.path}")
    translations = {p.segment_index: p.tgt for p in store.pairs(tgt_lang, release_ids=[release_id])}
    paragraphs: dict[int, list[str]] = {}
    kinds: dict[int, str] = {}
    missing = 0
    for segment in store.segments(release_id, str(record["lang"])):
        text = translations.get(segment.index)
        if text is None:
            missing += 1
            text = segment.text
        paragraphs.setdefault(segment.paragraph, []).append(text)
        kinds[segment.paragraph] = segment.kind
    if missing:
        log.warning("release %s: %d sentences have no %s translation; English kept", release_id, missing, tgt_lang)
    ordered = [" ".join(paragraphs[n]) for n in sorted(paragraphs)]
    title_index = next((n for n in sorted(kinds) if kinds[n] == "title"), None)
    title = " ".join(paragraphs[title_index]) if title_index is not None else ""
    body = [text for n, text in zip(sorted(paragraphs), ordered) if n != title_index]
    return {**record, "tgt_lang": tgt_lang, "title": title, "paragraphs": body, "missing": missing}


def _targets(store: Store, tgt_lang: str, out: Path, release_ids: Sequence[str] | None,
             suffix: str) -> list[tuple[str, Path]]:
    """(release id, file) for each release to write; releases with no ``tgt_lang`` text are left out.

    A release named on its own with no translation into the language, or a database with
    none at all, is refused: a page of English marked as Arabic is worse than no page.
    """
    ids = list(release_ids) if release_ids else [str(r["id"]) for r in store.releases()]
    unknown = [release_id for release_id in release_ids or () if store.release_record(release_id) is None]
    if unknown:
        raise InputError(f"no release {', '.join(unknown)} in {store.where}")
    translated = [release_id for release_id in ids if tgt_lang in store.release_langs(release_id)]
    if not translated:
        which = f"release {', '.join(ids)}" if release_ids else "any release"
        raise InputError(f"{store.where}: no {tgt_lang} translation of {which}; "
                         f"translate first (translate-pipe run --to {tgt_lang})")
    left_out = [release_id for release_id in ids if release_id not in translated]
    if left_out and release_ids:
        raise InputError(f"{store.where}: no {tgt_lang} translation of release {', '.join(left_out)}")
    if left_out:
        log.warning("%d releases have no %s translation and are not written", len(left_out), tgt_lang)
    if len(translated) == 1 and out.suffix and not out.is_dir():
        return [(translated[0], out)]
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: is a file; {len(translated)} releases need a folder")
    names = release_names(store)  # the file name or title a person knows, not the hash
    return [(release_id, out / f"{names.get(release_id, release_id)}{suffix}") for release_id in translated]


def write_text(store: Store, tgt_lang: str, out: Path, release_ids: Sequence[str] | None) -> tuple[int, list[str]]:
    files = []
    # Every document is staged and renamed into place only once all are written.
    with StagedFiles() as stage:
        for release_id, path in _targets(store, tgt_lang, out, release_ids, f".{tgt_lang}.txt"):
            doc = translated_release(store, release_id, tgt_lang)
            lines = [str(doc["date"] or ""), "", str(doc["title"]), ""]
            for paragraph in doc["paragraphs"]:  # type: ignore[union-attr]
                lines.extend([paragraph, ""])
            stage.write_text(path, "\n".join(lines).lstrip("\n"))
            files.append(str(path))
    return len(files), files


def write_html(store: Store, tgt_lang: str, out: Path, release_ids: Sequence[str] | None) -> tuple[int, list[str]]:
    direction = "rtl" if tgt_lang in RTL_LANGS else "ltr"
    files = []
    with StagedFiles() as stage:
        for release_id, path in _targets(store, tgt_lang, out, release_ids, f".{tgt_lang}.html"):
            doc = translated_release(store, release_id, tgt_lang)
            esc = html.escape
            parts = [
                "<!DOCTYPE html>",
                f'<html lang="{esc(tgt_lang)}" dir="{direction}">',
                "<head>",
                '<meta charset="utf-8">',
                f"<title>{esc(str(doc['title']))}</title>",
                "<style>body{max-width:42em;margin:2em auto;font:1.1em/1.6 system-ui,sans-serif}"
                ".date{color:#555}</style>",
                "</head>",
                "<body>",
                "<article>",
                f"<h1>{esc(str(doc['title']))}</h1>",
            ]
            if doc["date"]:
                parts.append(f'<p class="date"><time datetime="{esc(str(doc["date"]))}">{esc(str(doc["date"]))}</time></p>')
            for paragraph in doc["paragraphs"]:  # type: ignore[union-attr]
                parts.append(f"<p>{esc(paragraph)}</p>")
            parts += ["</article>", "</body>", "</html>", ""]
            stage.write_text(path, "\n".join(parts))
            files.append(str(path))
    return len(files), files
