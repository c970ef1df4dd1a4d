"""Times and counts people read: local times in `runs`, readable dates and per-language pairs in the review list."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from translate_pipe.cli import main
from translate_pipe.names import duration, local_time


@pytest.fixture()
def beirut(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Beirut")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_local_time_converts_utc_to_the_machines_zone(beirut: None) -> None:
    now = datetime(2026, 12, 3, tzinfo=timezone.utc)
    assert local_time("2026-12-03T07:20:05+00:00", now=now) == "Thu 3 Dec 09:20"  # UTC+2 in winter
    assert local_time("2025-07-01T07:20:05+00:00", now=now) == "Tue 1 Jul 2025 10:20"  # UTC+3 in summer
    assert local_time("not a time") == "not a time" and local_time(None) == ""


def test_duration() -> None:
    assert duration("2026-12-03T07:20:05+00:00", "2026-12-03T07:20:17+00:00") == "12 s"
    assert duration("2026-12-03T07:20:05+00:00", "2026-12-03T07:24:10+00:00") == "4 min 5 s"
    assert duration("2026-12-03T07:20:05+00:00", "2026-12-03T09:23:05+00:00") == "2 h 3 min"
    assert duration("2026-12-03T07:20:05+00:00", None) == ""


@pytest.fixture()
def two_language_db(releases_dir: Path, tmp_path: Path, model_args: list[str], fast_config_file: Path) -> Path:
    db = tmp_path / "t.db"
    assert main(["run", str(releases_dir), "--to", "ar,fr", "--db", str(db), "--config", str(fast_config_file), "-q",
                 *model_args]) == 0
    return db


def test_runs_shows_local_time_duration_and_pairs_per_language(two_language_db: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["runs", "--db", str(two_language_db)]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split() == ["run", "started", "(local", "time)", "took", "status", "releases", "pairs", "per",
                              "language"]
    today = datetime.now().astimezone()
    assert row.startswith(f"1    {today:%a} {today.day} {today:%b} ")
    assert "+00:00" not in row and "T" not in row.split()[4]
    n_segments = int(row.split("ar ")[1].split(",")[0])
    assert row.rstrip().endswith(f"ar {n_segments}, fr {n_segments}") and " done " in row


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_review_list_shows_readable_dates_and_pairs_per_language(two_language_db: Path, browser) -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    server = subprocess.Popen([sys.executable, "-m", "translate_pipe.cli", "serve", "--db", str(two_language_db),
                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/releases", timeout=2).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.2)
        browser.get(f"http://127.0.0.1:{port}/")
        deadline = time.monotonic() + 20
        while not browser.execute_script("return document.querySelectorAll('#releases tbody tr').length === 4"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        rows = {row.find_element("css selector", "a").text: row
                for row in browser.find_elements("css selector", "#releases tbody tr")}
        harbour = rows["Port Authority Opens New Container Terminal in Tartus"]
        cells = harbour.find_elements("css selector", "td")
        stamp = cells[0].find_element("css selector", "time")
        assert stamp.get_attribute("datetime") == "2024-03-12T09:30"
        assert "2024" in stamp.text and "Mar" in stamp.text and "T09" not in stamp.text
        counts = [cell.text for cell in cells[3:6]]
        assert all(text.startswith("ar ") and " · fr " in text for text in counts)
        ar_total = sum(int(text.split(" · ")[0].split()[1]) for text in counts)
        fr_total = sum(int(text.split(" · ")[1].split()[1]) for text in counts)
        assert ar_total == fr_total > 0  # each language's pairs, not both summed
    finally:
        server.terminate()
        server.wait(timeout=30)
