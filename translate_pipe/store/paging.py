"""Pages of a long list: one helper that the store, the review API and the CLI share.

A page is ``limit`` items from ``offset`` in a fixed order, with the ``total`` that
match, so a client can show "51–100 of 20,000" and ask for the next page without the
server ever building the whole list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..errors import InputError

#: Items a page holds when the caller does not say.
DEFAULT_LIMIT = 50
#: The most items one page may hold: the first page of a list stays small (and fast).
MAX_LIMIT = 500

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """``items`` from position ``offset`` of a list of ``total`` items."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @property
    def next_offset(self) -> int | None:
        """Where the next page starts, or None on the last one."""
        following = self.offset + len(self.items)
        return following if following < self.total and self.items else None

    def as_dict(self) -> dict[str, object]:
        return {"items": self.items, "total": self.total, "limit": self.limit, "offset": self.offset,
                "next_offset": self.next_offset}


def check_page(limit: int | None, offset: int | None) -> tuple[int, int]:
    """``(limit, offset)`` with the defaults filled in; :class:`InputError` when out of range."""
    limit = DEFAULT_LIMIT if limit is None else limit
    offset = 0 if offset is None else offset
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if offset < 0:
        raise InputError(f"offset must be 0 or more, not {offset}")
    return limit, offset


def page_of(items: Sequence[T], limit: int | None = None, offset: int | None = None) -> Page[T]:
    """A page of a list already in memory (one release's pairs, say)."""
    limit, offset = check_page(limit, offset)
    return Page(list(items[offset : offset + limit]), len(items), limit, offset)
