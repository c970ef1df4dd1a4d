"""Atomic file writes: a reader sees the old file or the new one, never half of either.

Every file translate-pipe writes (exports, reports, release documents) goes through here:
the bytes go to a temporary file in the same folder (so the final rename never crosses a
file system), are flushed and fsynced, and only then renamed over the target; the folder is
fsynced so the rename itself survives a power cut. A process killed (even ``kill -9``) or a
disk that fills up mid-write leaves the previous file untouched and, at worst, a hidden
``.NAME.*.tmp`` file beside it.

Writers of several files (Moses' two sides, a folder of release documents) stage them all
with :class:`StagedFiles` and rename them only when every one is complete, so an interrupted
export leaves all the old files, not a mix of old and half-new. The renames themselves are
not one atomic step across files; each file is always complete.

An output that exists and is not a regular file (``/dev/stdout``, ``/dev/null``, a named
pipe) is written in place: it cannot be replaced, and replacing a device would be wrong.

A write that cannot happen (read-only folder, a folder where a file should be, a full disk)
raises :class:`~translate_pipe.errors.OutputError` naming the path and the reason.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .errors import OutputError

__all__ = ["StagedFiles", "atomic_open", "atomic_path", "atomic_write_bytes", "atomic_write_text", "check_writable"]


def _target(path: str | os.PathLike[str]) -> Path:
    """The file to replace: a symlink's target, so an output reached by a link stays a link."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _is_special(path: str | os.PathLike[str]) -> bool:
    """True for an existing output that is not a regular file or folder (a device, a pipe)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def check_writable(path: str | os.PathLike[str]) -> Path:
    """Create ``path``'s folder if needed and check that a file can be written there.

    Raises :class:`OutputError` for a folder given as the file, a read-only or missing
    parent that cannot be created, or a parent that is itself a file.
    """
    target = _target(path)
    if target.is_dir():
        raise OutputError(f"{path}: is a folder, expected a file name")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{path}: {target.parent} is not a folder") from None
    except OSError as exc:
        raise OutputError(f"{path}: cannot create folder {target.parent}: {_reason(exc)}") from None
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: cannot write in {target.parent}: permission denied")
    return target


def _mode_for(target: Path) -> int:
    """The permissions the new file gets: the old file's, else what ``open`` would give."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # some file systems do not open folders; the rename is done anyway
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _new_temp(target: Path) -> Path:
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"{target}: cannot write in {target.parent}: {_reason(exc)}") from None
    os.close(fd)
    return Path(name)


def _commit(temp: Path, target: Path, display: str | os.PathLike[str]) -> None:
    """fsync ``temp``, give it the target's permissions and rename it over ``target``."""
    try:
        fd = os.open(temp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(temp, _mode_for(target))
        os.replace(temp, target)
    except OSError as exc:
        _discard(temp)
        raise OutputError(f"{display}: cannot write: {_reason(exc)}") from None
    _fsync_folder(target.parent)


def _discard(temp: Path) -> None:
    with contextlib.suppress(OSError):
        temp.unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path to write ``path``'s new content to (for writers that want a path).

    On a clean exit the temporary file replaces ``path``; on an exception it is removed
    and ``path`` is left as it was.
    """
    if _is_special(path):
        yield Path(path)
        return
    target = check_writable(path)
    temp = _new_temp(target)
    try:
        yield temp
    except BaseException:
        _discard(temp)
        raise
    _commit(temp, target, path)


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike[str], mode: str = "w", encoding: str | None = "utf-8", newline: str | None = "\n"
) -> Iterator[IO[Any]]:
    """``open(path, mode)`` that replaces ``path`` only once the block ends without error."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes whole files: mode 'w' or 'wb', not {mode!r}")
    with atomic_path(path) as temp:
        try:
            if mode == "wb":
                handle: IO[Any] = open(temp, "wb")
            else:
                handle = open(temp, "w", encoding=encoding, newline=newline)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write: {_reason(exc)}") from None
        with handle:
            try:
                yield handle
                handle.flush()
            except OSError as exc:
                raise OutputError(f"{path}: cannot write: {_reason(exc)}") from None


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``text`` atomically (newlines written as ``\\n``)."""
    with atomic_open(path, "w", encoding=encoding) as handle:
        handle.write(text)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically."""
    with atomic_open(path, "wb") as handle:
        handle.write(data)


class StagedFiles:
    """Several files written to temporary names, all renamed into place at the end.

    ::

        with StagedFiles() as stage:
            with stage.open(out / "a.txt") as handle: ...
            stage.write_text(out / "b.txt", text)
        # both renamed here; on an exception neither was, and the temporaries are gone
    """

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path, str | os.PathLike[str]]] = []

    def __enter__(self) -> StagedFiles:
        return self

    def path(self, path: str | os.PathLike[str]) -> Path:
        """A temporary path whose content will replace ``path`` on commit."""
        if _is_special(path):
            return Path(path)
        target = check_writable(path)
        temp = _new_temp(target)
        self._staged.append((temp, target, path))
        return temp

    @contextlib.contextmanager
    def open(self, path: str | os.PathLike[str], mode: str = "w", encoding: str | None = "utf-8",
             newline: str | None = "\n") -> Iterator[IO[Any]]:
        temp = self.path(path)
        try:
            handle: IO[Any] = open(temp, "wb") if mode == "wb" else open(temp, "w", encoding=encoding, newline=newline)
            with handle:
                yield handle
        except OSError as exc:
            raise OutputError(f"{path}: cannot write: {_reason(exc)}") from None

    def write_text(self, path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
        with self.open(path, "w", encoding=encoding) as handle:
            handle.write(text)

    def write_bytes(self, path: str | os.PathLike[str], data: bytes) -> None:
        with self.open(path, "wb") as handle:
            handle.write(data)

    def commit(self) -> None:
        staged, self._staged = self._staged, []
        for index, (temp, target, display) in enumerate(staged):
            try:
                _commit(temp, target, display)
            except OutputError:
                for later, _, _ in staged[index + 1:]:
                    _discard(later)
                raise

    def discard(self) -> None:
        staged, self._staged = self._staged, []
        for temp, _, _ in staged:
            _discard(temp)

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()
