"""Progress bars on a terminal (tqdm on stderr); nothing when quiet or not a terminal."""

from __future__ import annotations

import sys

from .pipeline import Progress


class TqdmProgress(Progress):
    def __init__(self) -> None:
        self._bar = None

    def start(self, stage: str, total: int) -> None:
        from tqdm import tqdm

        self.finish()
        self._bar = tqdm(total=total or None, desc=stage, unit="sent" if total else "release",
                         file=sys.stderr, leave=True, dynamic_ncols=True)

    def advance(self, count: int = 1) -> None:
        if self._bar is not None and count:
            self._bar.update(count)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def progress_for(quiet: bool) -> Progress:
    if quiet or not sys.stderr.isatty():
        return Progress()
    return TqdmProgress()
