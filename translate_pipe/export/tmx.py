"""TMX 1.4 (valid against the TMX 1.4 DTD): scores and flags as ``prop`` elements."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from .. import __version__
from ..atomic import atomic_open
from ..model import Pair

# XML 1.0 forbids most C0 controls; a stray one would make the whole file unreadable.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: object) -> str:
    return escape(_XML_INVALID.sub("", str(value)))


def _attr(value: object) -> str:
    return quoteattr(_XML_INVALID.sub("", str(value)))


def _prop(kind: str, value: object) -> str:
    return f'      <prop type={_attr(kind)}>{_text(value)}</prop>\n'


def write(pairs: Iterable[Pair], out: Path, tgt_lang: str) -> tuple[int, list[str]]:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    count = 0
    with atomic_open(out) as handle:
        handle.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        handle.write('<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n')
        handle.write('<tmx version="1.4">\n')
        handle.write(
            f'  <header creationtool="translate-pipe" creationtoolversion={_attr(__version__)}'
            f' segtype="sentence" o-tmf="translate-pipe" adminlang="en" srclang="en"'
            f' datatype="plaintext" creationdate="{stamp}"/>\n'
        )
        handle.write("  <body>\n")
        for pair in pairs:
            handle.write(f"    <tu tuid={_attr(f'{pair.release_id}-{pair.segment_index}')}>\n")
            handle.write(_prop("x-release-id", pair.release_id))
            handle.write(_prop("x-segment-index", pair.segment_index))
            handle.write(_prop("x-model", pair.system))
            handle.write(_prop("x-origin", pair.origin))
            handle.write(_prop("x-status", pair.status))
            handle.write(_prop("x-version", pair.version))
            handle.write(_prop("x-label", pair.label))
            handle.write(_prop("x-score-combined", f"{pair.combined:.4f}"))
            for name, value in sorted(pair.scores.items()):
                handle.write(_prop(f"x-score-{name}", f"{value:.4f}"))
            for flag in pair.flags:
                handle.write(_prop(f"x-flag-{flag.name}", flag.reason))
            handle.write(f'      <tuv xml:lang={_attr(pair.src_lang)}><seg>{_text(pair.src)}</seg></tuv>\n')
            handle.write(f'      <tuv xml:lang={_attr(pair.tgt_lang)}><seg>{_text(pair.tgt)}</seg></tuv>\n')
            handle.write("    </tu>\n")
            count += 1
        handle.write("  </body>\n</tmx>\n")
    return count, [str(out)]
