"""Progress on stderr: drawn on a terminal, silent when quiet or redirected, data untouched."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from translate_pipe import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _stderr(monkeypatch: pytest.MonkeyPatch, stream: io.StringIO) -> None:
    # pytest swaps sys.stderr between fixture set-up and the test: the module's view is patched.
    monkeypatch.setattr(progress, "sys", SimpleNamespace(stderr=stream))


@pytest.fixture()
def terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    screen = Terminal()
    _stderr(monkeypatch, screen)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "MININTERVAL", 0.0)
    progress.configure(quiet=False)
    yield screen
    progress.configure(quiet=False)


def test_track_draws_a_bar_and_yields_every_item(terminal: Terminal) -> None:
    assert list(progress.track(range(7), "pair", unit="doc")) == list(range(7))
    drawn = terminal.getvalue()
    assert "pair" in drawn and "7/7" in drawn and "doc" in drawn


def test_bar_counts_what_it_is_told(terminal: Terminal) -> None:
    with progress.bar("align", total=10, unit="sent") as advance:
        advance(4)
        advance(6)
    assert "10/10" in terminal.getvalue()


def test_quiet_or_redirected_draws_nothing(terminal: Terminal, monkeypatch: pytest.MonkeyPatch) -> None:
    progress.configure(quiet=True)
    assert list(progress.track([1, 2], "x")) == [1, 2]
    with progress.bar("y", 3) as advance:
        advance(3)
    assert terminal.getvalue() == ""
    progress.configure(quiet=False)
    redirected = io.StringIO()
    _stderr(monkeypatch, redirected)
    assert list(progress.track([1, 2], "x")) == [1, 2]
    with progress.activity("z"):
        pass
    assert redirected.getvalue() == ""


def test_activity_shows_elapsed_time_and_clears_its_line(terminal: Terminal) -> None:
    with progress.activity("evaluate"):
        time.sleep(1.2)
    drawn = terminal.getvalue()
    assert "\revaluate: 1 s" in drawn and drawn.endswith("\r\x1b[K")


def test_a_short_job_prints_no_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = Terminal()
    _stderr(monkeypatch, screen)
    progress.configure(quiet=False)
    assert list(progress.track(range(3), "quick")) == [0, 1, 2]
    assert screen.getvalue() == ""  # under DELAY (1 s): nothing


def test_run_draws_bars_on_a_terminal(releases_dir: Path, tmp_path: Path, model_args: list[str],
                                      fast_config_file: Path) -> None:
    """The real command with stderr on a pseudo-terminal: the translation stage has a bar."""
    leader, follower = pty.openpty()
    # A new pseudo-terminal is 0 columns wide: give it a terminal's size.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    # Tiny models translate these releases in well under the bar's one-second delay: no delay here.
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "COLUMNS": "100",
           "TRANSLATE_PIPE_PROGRESS_DELAY": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "translate_pipe.cli", "run", str(releases_dir), "--to", "fr", "--db",
         str(tmp_path / "t.db"), "--config", str(fast_config_file), *model_args],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the other side closed
            break
        if not data:
            break
        chunks.append(data)
    assert process.wait(timeout=300) == 0
    os.close(leader)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert "en→fr" in screen and "sent" in screen and "%|" in screen, screen[-2000:]
    assert "run 1: 4 releases" in screen
