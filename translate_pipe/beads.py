"""The bead format of Bleualign, Vecalign and Bertalign: ``[0, 1]:[2]:0.93``."""

from __future__ import annotations

import re

from .errors import InputError
from .model import Bead

_BEAD = re.compile(r"^\s*\[([\d,\s]*)\]\s*:\s*\[([\d,\s]*)\]\s*(?::\s*([-+\d.eE]+))?\s*$")


def format_bead(bead: Bead) -> str:
    src = ", ".join(str(i) for i in bead.src)
    tgt = ", ".join(str(j) for j in bead.tgt)
    return f"[{src}]:[{tgt}]:{bead.score:.4f}"


def parse_bead(line: str) -> Bead:
    match = _BEAD.match(line)
    if not match:
        raise InputError(f"not a bead: {line.strip()[:60]!r} (expected [i, j]:[k] or [i]:[k]:score)")

    def ids(group: str) -> tuple[int, ...]:
        return tuple(int(x) for x in group.replace(",", " ").split())

    return Bead(ids(match.group(1)), ids(match.group(2)), float(match.group(3)) if match.group(3) else 1.0)
