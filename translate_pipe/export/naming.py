"""File names for per-release exports: named after the release, never after its hash.

A release is named by the file (or JSON-lines id) it was read from, else by a slug of
its title; two releases that would get the same name are told apart by the start of
their id. One small function, so every per-release writer names files the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from ..store import Store

_NOT_NAME = re.compile(r"[^\w.-]+")
MAX_STEM = 80


def slug(text: str, max_chars: int = MAX_STEM) -> str:
    """A file-name-safe stem: letters (any script), digits, dots and dashes; no leading dot."""
    text = unicodedata.normalize("NFKC", text).casefold()
    stem = _NOT_NAME.sub("-", text).strip("-.")
    return stem[:max_chars].rstrip("-.")


def release_file_stems(store: Store, release_ids: Sequence[str]) -> dict[str, str]:
    """Release id -> a file-name stem, unique among ``release_ids``."""
    keys = store.release_keys(release_ids)
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for release_id in release_ids:
        names = sorted(keys.get(release_id, []))
        record = store.release_record(release_id) if not names else None
        base = slug(names[0]) if names else slug(str(record["title"]) if record else "")
        stem = base or release_id[:12]
        if stem in taken:
            stem = f"{stem}-{release_id[:8]}"
        taken.add(stem)
        stems[release_id] = stem
    return stems


__all__ = ["release_file_stems", "slug"]
