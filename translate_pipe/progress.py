"""Progress on a terminal: bars on stderr, nothing when quiet or when stderr is not a terminal.

Any stage that can take more than a second shows progress through one of three helpers;
none of them prints anything for work that ends within a second (``DELAY``), when the
command was given ``--quiet``, or when stderr is a file or a pipe (logs stay clean)::

    from translate_pipe.progress import activity, bar, track

    for document in track(documents, "pair", unit="doc"):   # an iterable, total from len() if it has one
        ...
    with bar("align", total=len(sentences), unit="sent") as advance:   # counts you report
        ...
        advance(len(chunk))
    with activity("evaluate"):                               # work with no count: elapsed time
        result = evaluate(...)

The CLI calls :func:`configure` once (``--quiet``); library code never needs a quiet flag.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

#: Seconds of work before a bar appears: a command that ends sooner prints no bar
#: ($TRANSLATE_PIPE_PROGRESS_DELAY changes it, e.g. 0 to see every bar).
DELAY = float(os.environ.get("TRANSLATE_PIPE_PROGRESS_DELAY") or 1.0)
#: Seconds between redraws.
MININTERVAL = 0.2

_settings = {"quiet": False}


class Progress:
    """Progress hooks of a multi-stage job (``run_pipeline``); this default reports nothing."""

    def start(self, stage: str, total: int) -> None:  # noqa: D102 - hooks
        pass

    def advance(self, count: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


def configure(quiet: bool) -> None:
    """Turn progress off (``--quiet``) or back on for this process."""
    _settings["quiet"] = quiet


def enabled() -> bool:
    """Whether bars are drawn: not quiet, and stderr is a terminal."""
    return not _settings["quiet"] and sys.stderr.isatty()


def _tqdm(desc: str, total: int | None, unit: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True,
                delay=DELAY, mininterval=MININTERVAL)


def track(items: Iterable[T], desc: str, total: int | None = None, unit: str = "item") -> Iterator[T]:
    """Yield ``items`` unchanged, drawing a bar as they are consumed."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    if not enabled():
        yield from items
        return
    progress = _tqdm(desc, total, unit)
    try:
        for item in items:
            yield item
            progress.update(1)
    finally:
        progress.close()


@contextmanager
def bar(desc: str, total: int | None = None, unit: str = "item") -> Iterator[Callable[[int], None]]:
    """A bar of ``total`` units (None: a counter); call the yielded function with each amount done."""
    if not enabled():
        yield lambda count=1: None
        return
    progress = _tqdm(desc, total, unit)
    try:
        yield lambda count=1: progress.update(count) if count else None
    finally:
        progress.close()


@contextmanager
def activity(desc: str) -> Iterator[None]:
    """Elapsed time of one opaque step (``evaluate: 12 s``), redrawn twice a second on stderr."""
    if not enabled():
        yield
        return
    done = threading.Event()
    start = time.monotonic()

    def draw() -> None:
        if done.wait(DELAY):
            return
        while not done.wait(0.5):
            sys.stderr.write(f"\r{desc}: {time.monotonic() - start:.0f} s")
            sys.stderr.flush()
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()

    thread = threading.Thread(target=draw, name="translate-pipe-activity", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


class TqdmProgress(Progress):
    """The pipeline's :class:`Progress` hooks as bars: one per stage."""

    def __init__(self) -> None:
        self._bar = None

    def start(self, stage: str, total: int) -> None:
        self.finish()
        self._bar = _tqdm(stage, total or None, "sent" if total else "release")

    def advance(self, count: int = 1) -> None:
        if self._bar is not None and count:
            self._bar.update(count)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def progress_for(quiet: bool) -> Progress:
    configure(quiet)
    return TqdmProgress() if enabled() else Progress()
