"""Hostile inputs for the features added in session 3 (`models pin`, `extract --site`,
`serve --workers`, PostgreSQL's COPY writes): what a careless user or a broken file does,
and what must happen instead (one line naming the file, exit 1, nothing stored or edited lost).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from translate_pipe.cli import main

from .test_hostile import _one_error_line
from .test_registry import _cached_snapshot
from .test_review import built_db  # noqa: F401 - a fixture used here

COMMIT = "0123456789abcdef0123456789abcdef01234567"
GOOD = "en-ar:\n  model: Helsinki-NLP/opus-mt-en-ar\n  revision: main\n  target_token: '>>ara<<'\n"


# --- models pin: the text edit never corrupts or half-applies ---------------------


@pytest.fixture()
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A registry file the CLI pins (its checkout copy would be tmp_path/models/registry.yaml),
    with en-ar's snapshot in a private Hugging Face cache."""
    import huggingface_hub.constants

    from translate_pipe.translate import registry as registry_module

    cache = tmp_path / "hub"
    _cached_snapshot(cache, "Helsinki-NLP/opus-mt-en-ar", COMMIT)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    path = tmp_path / "package" / "data" / "registry.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(GOOD, encoding="utf-8")
    monkeypatch.setattr(registry_module, "REGISTRY_PATH", path)
    return path


def test_models_pin_pins_a_plain_registry(registry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "pin", "en-ar"]) == 0
    assert f"revision: {COMMIT}" in registry.read_text(encoding="utf-8")
    assert f"pinned to {COMMIT}" in capsys.readouterr().out


def test_models_pin_refuses_a_read_only_registry(registry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    registry.chmod(0o444)  # as root, the rename would have replaced it anyway
    assert main(["models", "pin", "en-ar"]) == 2  # ConfigError
    _one_error_line(capsys.readouterr().err, str(registry), "read-only")
    assert registry.read_text(encoding="utf-8") == GOOD
    assert stat.S_IMODE(registry.stat().st_mode) == 0o444


def test_models_pin_refuses_a_layout_its_edit_would_break(registry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flow = "en-ar:\n  {model: Helsinki-NLP/opus-mt-en-ar, revision: main}\n"
    registry.write_text(flow, encoding="utf-8")  # was: yaml's ScannerError as a traceback
    assert main(["models", "pin", "en-ar"]) == 2  # ConfigError
    _one_error_line(capsys.readouterr().err, str(registry), "edit it by hand")
    assert registry.read_text(encoding="utf-8") == flow


def test_models_pin_refuses_a_registry_that_is_not_utf8(registry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = GOOD.replace("main", "caf\xe9").encode("latin-1")
    registry.write_bytes(data)  # was: UnicodeDecodeError as a traceback
    assert main(["models", "pin", "en-ar"]) == 2  # ConfigError
    _one_error_line(capsys.readouterr().err, str(registry), "UTF-8")
    assert registry.read_bytes() == data


def test_models_pin_edits_both_copies_or_neither(registry: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The checkout's copy has the entry twice: its edit cannot be checked, so it is refused;
    # the first file was pinned before the second failed (the two then disagreed).
    copy = registry.parents[2] / "models" / "registry.yaml"
    copy.parent.mkdir()
    duplicated = GOOD + GOOD
    copy.write_text(duplicated, encoding="utf-8")
    assert main(["models", "pin", "en-ar"]) == 2  # ConfigError
    _one_error_line(capsys.readouterr().err, str(copy))
    assert registry.read_text(encoding="utf-8") == GOOD
    assert copy.read_text(encoding="utf-8") == duplicated


def test_models_pin_through_a_symlink_edits_the_target(registry: Path, tmp_path: Path) -> None:
    from translate_pipe.translate import registry as registry_module

    link = tmp_path / "package" / "data" / "link.yaml"
    link.symlink_to(registry)
    registry_module.REGISTRY_PATH = link  # restored by the fixture's monkeypatch
    assert main(["models", "pin", "en-ar"]) == 0
    assert link.is_symlink()
    assert f"revision: {COMMIT}" in registry.read_text(encoding="utf-8")



def test_models_pin_keeps_crlf_line_ends(registry: Path) -> None:
    registry.write_bytes(GOOD.replace("\n", "\r\n").encode("utf-8"))
    assert main(["models", "pin", "en-ar"]) == 0
    data = registry.read_bytes()
    assert f"revision: {COMMIT}".encode() in data
    assert data.count(b"\r\n") == data.count(b"\n") == 4


def test_models_pin_keeps_a_comment_after_the_revision(registry: Path) -> None:
    registry.write_text(GOOD.replace("revision: main", "revision: main  # moves; pin me"), encoding="utf-8")
    assert main(["models", "pin", "en-ar"]) == 0
    assert f"revision: {COMMIT}  # moves; pin me\n" in registry.read_text(encoding="utf-8")

# --- review edits: text PostgreSQL, XML exports and SQLite all hold -------------------


@pytest.fixture()
def review_db(built_db: tuple[Path, Path, Path], tmp_path: Path) -> Path:  # noqa: F811
    import shutil

    copy = tmp_path / "review.db"
    shutil.copy(built_db[0], copy)
    return copy


@pytest.mark.parametrize("tgt", ["nul \x00 byte", "bell \x07 here", "escape \x1b[31m red"])
def test_an_edit_with_a_control_character_is_refused_and_nothing_is_stored(review_db: Path, tgt: str) -> None:
    # SQLite stored it (the XML exports then dropped it silently); PostgreSQL refused NUL
    # with a StoreError that reached the reviewer as a 500.
    from fastapi.testclient import TestClient

    from translate_pipe.review.app import create_app
    from translate_pipe.review.service import ReviewService

    service = ReviewService(str(review_db))
    release = service.releases()[0]
    pair = service.pairs(release["id"], "fr")[0]
    with TestClient(create_app(str(review_db)), base_url="http://localhost") as client:
        response = client.put(f"/api/pairs/{pair['id']}", json={"tgt": tgt})
        assert response.status_code == 422, response.text
        assert "control character" in response.json()["detail"]
        tab = client.put(f"/api/pairs/{pair['id']}", json={"tgt": "a\ttab is text"})
        assert tab.status_code == 200, tab.text
    assert [p["tgt"] for p in service.pairs(release["id"], "fr") if "\x00" in p["tgt"] or "\x07" in p["tgt"]
            or "\x1b" in p["tgt"]] == []
    service.close()


# --- serve --workers: no worker short, no worker orphaned ---------------------------


@pytest.fixture()
def empty_db(tmp_path: Path) -> Path:
    from translate_pipe.store import Store

    path = tmp_path / "empty.db"
    Store(str(path)).close()
    return path


def _gone(pid: int, within: float) -> bool:
    import time

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def _two_workers(db: Path) -> Iterator[tuple[subprocess.Popen, int, list[int]]]:
    """`serve --workers 2` on ``db``, serving: its process, port and worker pids; all killed after."""
    from .test_review import _serve, _wait_until_serving, _workers_of

    process, port = _serve(db, "--workers", "2")
    workers: list[int] = []
    try:
        _wait_until_serving(port)
        workers = _workers_of(process.pid)
        yield process, port, workers
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        for worker in workers:
            try:
                os.kill(worker, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.stderr.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="--workers above 1 forks")
def test_serve_stops_when_a_worker_is_sent_sigterm_by_hand(empty_db: Path) -> None:
    # A worker stopped with SIGTERM exits 0: the parent ran on with one worker of two, exit 0.
    with _two_workers(empty_db) as (process, port, workers):
        os.kill(workers[0], signal.SIGTERM)
        assert process.wait(20) == 1
        err = process.stderr.read()
        _one_error_line(err, "a worker process failed", f"127.0.0.1:{port}")  # the real port, not 0
        assert _gone(workers[1], 5)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="--workers above 1 forks")
def test_workers_stop_themselves_when_the_parent_is_killed(empty_db: Path) -> None:
    # kill -9 of the parent left both workers serving on the port, orphaned, for ever.
    with _two_workers(empty_db) as (process, _, workers):
        process.kill()
        process.wait(10)
        assert all(_gone(worker, 10) for worker in workers)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="--workers above 1 forks")
def test_concurrent_edits_on_two_workers_all_land_and_the_counts_follow(review_db: Path) -> None:
    """Edits and list pages at once on two workers: every request answers 200 (no
    'database is locked' as a 500), every edit is a stored version, and after the last
    edit each worker's kept label counts equal a fresh count."""
    import http.client
    import json
    from concurrent.futures import ThreadPoolExecutor

    from translate_pipe.review.service import ReviewService

    from .test_review import _serve, _wait_until_serving

    fresh = ReviewService(str(review_db))
    release_id = str(fresh.releases()[0]["id"])
    pair_ids = [p["id"] for p in fresh.pairs(release_id, "fr")][:6]
    fresh.close()

    def request(method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            headers = {"Host": "localhost", "Content-Type": "application/json"}
            connection.request(method, path, json.dumps(body) if body else None, headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def labels() -> dict[str, int]:
        status, body = request("GET", "/api/releases?limit=500")
        assert status == 200, body
        return next(r["labels"]["fr"] for r in json.loads(body) if r["id"] == release_id)

    process, port = _serve(review_db, "--workers", "2")
    try:
        _wait_until_serving(port)
        for _ in range(4):
            labels()  # both workers keep counts from before the edits
        jobs = [("PUT", f"/api/pairs/{pair_id}", {"status": status})
                for pair_id in pair_ids for status in ("approved", "rejected")]
        jobs += [("GET", "/api/releases?limit=500", None)] * 12
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda job: request(*job), jobs))
        assert [status for status, _ in answers] == [200] * len(jobs), [a for a in answers if a[0] != 200][:2]
        fresh = ReviewService(str(review_db))
        expected = next(r["labels"]["fr"] for r in fresh.releases() if r["id"] == release_id)
        fresh.close()
        for _ in range(6):  # connections land on either worker
            assert labels() == expected
    finally:
        process.terminate()
        process.wait(20)
        process.stderr.close()


# --- extract --site: a stray huge file in the folder ------------------------------------


def test_site_learning_does_not_read_a_file_larger_than_any_release(tmp_path: Path) -> None:
    # A 100 MB file (sparse: no disk used) among the releases was read whole, then dropped.
    import tracemalloc

    from translate_pipe.ingest import extract_release, site_furniture

    for name in "abc":
        (tmp_path / f"{name}.txt").write_text(f"Menu Home About\n\nTitle {name}\n\nBody {name} says a thing here.\n"
                                              f"\nFollow us on Twitter and Facebook\n", encoding="utf-8")
    with open(tmp_path / "zz-dump.txt", "wb") as handle:
        handle.truncate(100_000_000)
    tracemalloc.start()
    try:
        furniture = site_furniture(tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000, peak
    release = extract_release(tmp_path / "a.txt", furniture=furniture)
    assert "Follow us on Twitter and Facebook" not in [p.text for p in release.paragraphs]


def test_a_review_app_started_again_after_it_stopped_answers_at_once(empty_db: Path) -> None:
    # The app's shutdown closes every thread's connection; its threads kept the closed ones
    # and the first request of each after a restart (a TestClient entered twice) was a 500.
    from fastapi.testclient import TestClient

    from translate_pipe.review.app import create_app
    from translate_pipe.review.service import ReviewService

    app = create_app(str(empty_db))
    for _ in range(2):
        with TestClient(app, base_url="http://localhost", raise_server_exceptions=False) as client:
            assert [client.get("/api/releases").status_code for _ in range(4)] == [200] * 4
    service = ReviewService(str(empty_db))
    assert service.release_page().total == 0
    service.close()
    assert service.release_page().total == 0  # was: StoreError "Cannot operate on a closed database"
    service.close()


# --- PostgreSQL's COPY: text COPY's own syntax would misread ------------------------------

COPY_HOSTILE = ["tab\there", "back\\slash \\N \\. \\\\", "new\nline\r\nand\rCR", "end\\", "\\N",
                "line\u2028sep", "عربي\u200f«quote»"]


@pytest.mark.postgres
def test_copy_writes_every_character_copy_text_format_treats_specially(postgres_url: str, tmp_path: Path) -> None:
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'translate-pipe[postgres]')")
    from translate_pipe.model import Paragraph, Release, Segment
    from translate_pipe.store import Store

    release = Release(id="r1", title="Title", paragraphs=(Paragraph(text="Title", kind="title"),), origin="o")
    segments = [Segment("r1", "en", i, 0, text, "body", 0, len(text)) for i, text in enumerate(COPY_HOSTILE)]
    for db in (str(tmp_path / "same.db"), postgres_url):
        with Store(db) as store:
            assert store.add_release(release, segments)
            assert [s.text for s in store.segments("r1")] == COPY_HOSTILE, db


@pytest.mark.postgres
def test_copy_of_a_nul_byte_is_one_store_error_and_stores_nothing(postgres_url: str) -> None:
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'translate-pipe[postgres]')")
    from translate_pipe.errors import StoreError
    from translate_pipe.model import Paragraph, Release, Segment
    from translate_pipe.store import Store

    release = Release(id="r2", title="Title", paragraphs=(Paragraph(text="Title", kind="title"),), origin="o")
    segments = [Segment("r2", "en", 0, 0, "fine", "body", 0, 4), Segment("r2", "en", 1, 0, "nul\x00", "body", 0, 4)]
    with Store(postgres_url) as store:
        with pytest.raises(StoreError, match="NUL") as raised:
            store.add_release(release, segments)
        assert "\n" not in str(raised.value)
        assert not store.has_release("r2") and store.segments("r2") == []  # the release's row rolled back too


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_database_that_fails_under_the_server_is_a_503_with_one_log_line(empty_db: Path) -> None:
    # A store error (here: the file overwritten while serving; in production 'database is
    # locked' past the busy timeout, a PostgreSQL server gone) was a bare 500 and a traceback.
    from fastapi.testclient import TestClient

    from translate_pipe.review.app import create_app

    with TestClient(create_app(str(empty_db)), base_url="http://localhost", raise_server_exceptions=False) as client:
        assert client.get("/api/releases").status_code == 200
        empty_db.write_bytes(b"not a database " * 300)
        for name in ("empty.db-wal", "empty.db-shm"):
            (empty_db.parent / name).unlink(missing_ok=True)
        logger = logging.getLogger("translate_pipe.review.app")  # the CLI stops translate_pipe's propagation
        logger.addHandler(handler := _Records())
        try:
            response = client.get("/api/releases")
        finally:
            logger.removeHandler(handler)
        assert response.status_code == 503, response.text
        assert "database" in response.json()["detail"] and str(empty_db) not in response.json()["detail"]
        logged = [r for r in handler.records if r.levelno >= logging.WARNING]
        assert len(logged) == 1 and logged[0].exc_info is None and "\n" not in logged[0].getMessage()
        assert str(empty_db) in logged[0].getMessage()


def test_extract_site_names_a_mistyped_page_before_learning_from_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    # The folder was searched (recursively: a typo in a home folder walked all of it) and
    # the error named the folder ("no releases in this folder"), not the page.
    for args in (["--site"], ["--site", str(tmp_path)]):
        assert main(["extract", str(tmp_path / "typo.html"), *args]) == 1
        _one_error_line(capsys.readouterr().err, "typo.html: no such file")
    assert main(["extract", str(tmp_path), "--site"]) == 1
    _one_error_line(capsys.readouterr().err, "a folder; extract reads one file")


def test_extract_site_with_a_folder_of_binary_or_empty_files_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    for name in ("a.txt", "b.txt", "c.html"):
        (site / name).write_bytes(b"\x00\x01\xff\xfe" * 64)
    (site / "empty.txt").write_bytes(b"")
    page = tmp_path / "page.txt"
    page.write_text("A title\n\nA sentence of the release.\n", encoding="utf-8")
    assert main(["extract", str(page), "--site", str(site)]) == 1
    _one_error_line(capsys.readouterr().err, "site", "fewer than 3 distinct readable")
    assert main(["extract", str(page), "--site", str(page)]) == 1
    _one_error_line(capsys.readouterr().err, "page.txt", "not a folder")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="--workers above 1 forks")
def test_a_worker_failing_on_an_unexpected_error_says_why(monkeypatch: pytest.MonkeyPatch,
                                                          capfd: pytest.CaptureFixture[str]) -> None:
    # Fault injection: the server body of each forked worker raises. It exited 1 in silence.
    import socket

    from translate_pipe.errors import TranslatePipeError
    from translate_pipe.review import server

    def broken(*_args: object) -> None:
        raise RuntimeError("disk\non fire")

    monkeypatch.setattr(server, "_run_server", broken)
    with socket.socket() as sock:
        with pytest.raises(TranslatePipeError, match="a worker process failed"):
            server._run_workers(None, sock, "127.0.0.1", 1, 2)
    err = [line for line in capfd.readouterr().err.splitlines() if "failed: RuntimeError: disk on fire" in line]
    assert len(err) >= 1  # the first worker says why (the second may be stopped before it fails)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes in a read-only folder anyway")
def test_models_pin_refuses_when_the_copy_folder_is_read_only(registry: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    # The package file was pinned, then the copy's rename failed: the two disagreed.
    copy = registry.parents[2] / "models" / "registry.yaml"
    copy.parent.mkdir()
    copy.write_text(GOOD, encoding="utf-8")
    copy.parent.chmod(0o555)
    try:
        assert main(["models", "pin", "en-ar"]) != 0
        _one_error_line(capsys.readouterr().err, str(copy))
        assert registry.read_text(encoding="utf-8") == GOOD == copy.read_text(encoding="utf-8")
    finally:
        copy.parent.chmod(0o755)


def test_a_records_own_title_loses_its_nul_characters_as_its_text_does(tmp_path: Path) -> None:
    # The text's NULs were removed at ingest, the record's title's were not: PostgreSQL then
    # refused the release (SQLite stored the NUL, and exports carried it).
    import json

    from translate_pipe.ingest import extract_release

    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({"id": "a", "title": "Port\x00 reopens", "text": "The port re\x00opens today."})
                       + "\n", encoding="utf-8")
    release = extract_release(records)
    assert release.title == "Port reopens" and release.paragraphs[0].text == "Port reopens"
    assert all("\x00" not in paragraph.text for paragraph in release.paragraphs)
    assert any(entry.startswith("title: NUL characters") for entry in release.dropped), release.dropped


def test_copies_of_one_release_do_not_teach_its_body_as_site_furniture(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    # Three copies of a page (a careless download: 'a.txt', 'a (1).txt', ...) made every line
    # "repeated on the site": 'Ships queued for two days.' was dropped from the release.
    from translate_pipe.ingest import read_releases

    body = ("Port reopens after storm\n\nThe port of Tema reopened on Monday after the storm, the authority said."
            "\n\nShips queued for two days.\n")
    for name in ("a.txt", "a (1).txt", "a (2).txt"):
        (tmp_path / name).write_text(body, encoding="utf-8")
    assert main(["extract", str(tmp_path / "a.txt"), "--site"]) == 1
    _one_error_line(capsys.readouterr().err, "fewer than 3 distinct")
    for release in read_releases([tmp_path]):
        assert "Ships queued for two days." in [p.text for p in release.paragraphs]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="--workers above 1 forks")
def test_another_child_of_the_serving_process_is_not_taken_for_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    # serve() called from a program with children of its own: os.wait() reaps any child, and
    # one that had ended counted as a worker that stopped unasked, which stopped the server.
    import socket
    import subprocess
    import threading
    import time

    from translate_pipe.review import server

    monkeypatch.setattr(server, "_run_server", lambda *_args: time.sleep(30))  # a worker that serves until stopped
    other = subprocess.Popen(["true"])
    time.sleep(0.3)  # it has ended, unreaped
    timer = threading.Timer(1.5, os.kill, (os.getpid(), signal.SIGTERM))  # the server's own stop
    timer.start()
    try:
        with socket.socket() as sock:
            server._run_workers(None, sock, "127.0.0.1", 1, 2)  # returns: stopped as asked, no failure
    finally:
        timer.cancel()
        other.wait(5)


@pytest.mark.parametrize("line, notice", [
    ("Copyright 2020 holders must register by May.", False),
    ("Copyright by law is granted to authors.", False),
    ("Copyright law was changed on Monday.", False),
    ("Copyright 2019 The Associated Press. All rights reserved.", True),
    ("Copyright © 2024 Ministry of Health", True),
    ("Copyright 2018-2024 Coalition. Tous droits réservés.", True),
    ("Copyright 2024, Reuters", True),
])
def test_a_sentence_that_opens_with_copyright_and_a_year_is_not_dropped(line: str, notice: bool) -> None:
    from translate_pipe.ingest.boilerplate import boilerplate_reason

    assert (boilerplate_reason(line) == "copyright notice") is notice
