"""Names and times people read: a release's file name or title instead of its content hash,
local times instead of UTC ISO stamps.

A release is stored under a hash of its text (so the same text under two file names is
one release), but exports, downloads and reports name it after what a person knows:
the file it was read from (``2024-03-harbour``), its JSON-lines id, or else its title.
Names are unique within a database and stable: when two releases would share a name, the
one stored first keeps it and the later ones get the start of their id after it, so
adding releases never renames one already exported.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from collections.abc import Iterable, Sequence

from .store import Store

_UNSAFE = re.compile(r"[^\w.-]+")


def slugify(text: str, max_chars: int = 60) -> str:
    """A file-name-safe form of ``text``: letters (any script), digits, '.', '-' and '_'.

    ``"Port Authority Opens New Terminal!"`` -> ``"port-authority-opens-new-terminal"``.
    """
    text = unicodedata.normalize("NFKC", text).strip().lower()
    slug = _UNSAFE.sub("-", text).strip("-._")
    slug = re.sub(r"-{2,}", "-", slug)
    return slug[:max_chars].rstrip("-._")


def release_names(store: Store) -> dict[str, str]:
    """Release id -> its readable, unique name, for every release in ``store``."""
    # Oldest first, so a release stored later never takes the name of one named before it.
    order = [str(row[0]) for row in store.db.execute("SELECT id FROM releases ORDER BY created_at, id")]
    position = {release_id: n for n, release_id in enumerate(order)}
    records = sorted(store.releases(), key=lambda r: position.get(str(r["id"]), len(order)))
    keys = store.release_keys([str(r["id"]) for r in records])
    names: dict[str, str] = {}
    taken: set[str] = set()
    for record in records:
        release_id = str(record["id"])
        candidates = [slugify(k) for k in sorted(keys.get(release_id, []))] + [slugify(str(record["title"] or ""))]
        name = next((c for c in candidates if c), "") or release_id[:12]
        if name in taken:
            name = f"{name}-{release_id[:8]}"
        taken.add(name)
        names[release_id] = name
    return names


def page_names(store: Store, release_ids: Sequence[str]) -> dict[str, str]:
    """Display names of a page of releases: the file name (or JSON-lines id) it was read from,
    else its title, as :func:`release_names` would start from.

    Reads only these releases, so a page of the release list costs the page, not the
    archive; unlike :func:`release_names` the names are not made unique across the archive
    (they are for reading, not for naming files).
    """
    keys = store.release_keys(list(release_ids))
    titles = store.release_titles(release_ids)  # one query for the page, not one per release
    names: dict[str, str] = {}
    for release_id in release_ids:
        candidates = [slugify(k) for k in sorted(keys.get(release_id, []))] + [slugify(titles.get(release_id) or "")]
        names[release_id] = next((c for c in candidates if c), "") or release_id[:12]
    return names


def resolve_releases(store: Store, given: Iterable[str] | None) -> list[str] | None:
    """Release ids for what a user typed (``--release``): names or ids; unknown ones are kept as given."""
    if given is None:
        return None
    by_name = {name: release_id for release_id, name in release_names(store).items()}
    return [by_name.get(value, value) for value in given]


def release_display(names: dict[str, str], release_ids: Sequence[str]) -> list[str]:
    """The readable names of ``release_ids`` (an id no longer stored stays as it is)."""
    return [names.get(release_id, release_id) for release_id in release_ids]


def local_time(stamp: str | None, now: datetime | None = None) -> str:
    """A stored UTC ISO time as this machine's local time: ``Tue 3 Dec 14:05``.

    The year is added when it is not the current one. Not an ISO time: returned as is.
    """
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    local = moment.astimezone() if moment.tzinfo else moment
    now = now or datetime.now().astimezone()
    text = f"{local:%a} {local.day} {local:%b} {local:%H:%M}"
    return text if local.year == now.year else f"{local:%a} {local.day} {local:%b} {local.year} {local:%H:%M}"


def duration(start: str | None, end: str | None) -> str:
    """``12 s``, ``4 min 5 s``, ``2 h 3 min`` between two ISO times; empty when either is missing."""
    if not start or not end:
        return ""
    try:
        seconds = int((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds())
    except (ValueError, TypeError):
        return ""
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"
