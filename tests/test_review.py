"""Review and post-editing: the service, the HTTP API, and the pages in a real browser.

The database is made by the real pipeline on the tiny random-weight models, once per
module, and copied for each test so every test edits its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from translate_pipe.cli import main
from translate_pipe.config import load_config
from translate_pipe.pipeline import run_pipeline
from translate_pipe.review import InvalidEdit, NotFound, ReviewService
from translate_pipe.store import SCHEMA_VERSION, Store

from .conftest import FIXTURES, TMX_DTD

HOSTILE_TITLE = 'Ministry warns <script>window.__pwned = 1</script> of fraud'
HOSTILE_BODY = 'Officials said <img src=x onerror="window.__pwned = 2"> was found in 3 e-mails.'


def _write_hostile_release(folder: Path) -> None:
    (folder / "2024-07-hostile.txt").write_text(
        f"1 July 2024\n\n{HOSTILE_TITLE}\n\n{HOSTILE_BODY} The ministry asked people to report them.\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def built_db(tmp_path_factory: pytest.TempPathFactory, tiny_models: dict[str, Path]) -> tuple[Path, Path, Path]:
    """A database with the fixture releases (and a hostile one) translated into ar and fr."""
    root = tmp_path_factory.mktemp("review")
    releases = root / "releases"
    shutil.copytree(FIXTURES / "releases", releases)
    _write_hostile_release(releases)
    config_file = root / "fast.yaml"
    config_file.write_text("translate:\n  max_length: 12\n  beam_size: 2\n  batch_size: 8\n", encoding="utf-8")
    db = root / "built.db"
    overrides = {pair: str(path) for pair, path in tiny_models.items()}
    with Store(db) as store:
        run_pipeline([str(releases)], ["ar", "fr"], load_config(config_file), store, overrides)
    return db, config_file, releases


@pytest.fixture()
def db(built_db: tuple[Path, Path, Path], tmp_path: Path) -> Path:
    copy = tmp_path / "review.db"
    shutil.copy(built_db[0], copy)
    return copy


@pytest.fixture()
def service(db: Path) -> ReviewService:
    return ReviewService(str(db))


@pytest.fixture()
def client(db: Path):
    from fastapi.testclient import TestClient

    from translate_pipe.review.app import create_app

    # The server answers only requests addressed to it (Host: localhost), see test_hostile.py.
    with TestClient(create_app(str(db)), base_url="http://localhost") as test_client:
        yield test_client


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("translations", "scores", "flags")}


def _release_id(service: ReviewService, title_part: str) -> str:
    return next(str(r["id"]) for r in service.releases() if title_part in str(r["title"]))


def _pair_with_number(service: ReviewService, lang: str) -> dict:
    release_id = _release_id(service, "Container Terminal")
    return next(p for p in service.pairs(release_id, lang) if "45 million" in p["src"])


# --- the service -------------------------------------------------------------------


def test_releases_list_languages_and_label_counts(service: ReviewService, db: Path) -> None:
    releases = service.releases()
    assert len(releases) == 5
    with sqlite3.connect(db) as conn:
        per_release = dict(conn.execute(
            "SELECT s.release_id, COUNT(*) FROM segments s WHERE s.lang = 'en' GROUP BY s.release_id"))
    for release in releases:
        assert release["langs"] == ["ar", "fr"]
        for lang in ("ar", "fr"):
            assert sum(release["labels"][lang].values()) == per_release[release["id"]]


def test_pairs_come_in_document_order_with_scores(service: ReviewService) -> None:
    release_id = _release_id(service, "Container Terminal")
    pairs = service.pairs(release_id, "fr")
    assert [p["index"] for p in pairs] == sorted(p["index"] for p in pairs)
    assert [p["paragraph"] for p in pairs] == sorted(p["paragraph"] for p in pairs)
    assert pairs[0]["src"] == "Port Authority Opens New Container Terminal in Tartus"
    assert all("logprob_mean" in p["scores"] and p["status"] == "new" and p["version"] == 0 for p in pairs)
    by_score = service.pairs(release_id, "fr", sort="score")
    assert [p["combined"] for p in by_score] == sorted(p["combined"] for p in pairs)
    labels = {p["label"] for p in pairs}
    for label in labels:
        assert {p["index"] for p in service.pairs(release_id, "fr", label=label)} == \
            {p["index"] for p in pairs if p["label"] == label}


def test_an_edit_is_a_new_rescored_version_and_the_old_one_is_kept(service: ReviewService, db: Path) -> None:
    pair = _pair_with_number(service, "fr")
    # The reviewer's first attempt drops the number: the rules see it.
    wrong = service.edit(pair["id"], tgt="Le terminal a coûté des millions de dollars.")
    assert wrong["id"] != pair["id"] and wrong["version"] == 1
    assert (wrong["status"], wrong["origin"]) == ("edited", "human")
    assert "number_mismatch" in {f["name"] for f in wrong["flags"]}
    assert "logprob_mean" not in wrong["scores"]  # the model's confidence was about the model's text
    fixed = service.edit(wrong["id"], tgt="Le terminal a coûté 45 millions de dollars.", status="approved")
    assert (fixed["status"], fixed["label"], fixed["version"]) == ("approved", "good", 2)
    assert "number_mismatch" not in {f["name"] for f in fixed["flags"]}
    history = fixed["versions"]
    assert [v["text"] for v in history] == [pair["tgt"], wrong["tgt"], fixed["tgt"]]
    assert [v["previous_id"] for v in history] == [None, pair["id"], wrong["id"]]
    # Any version's id names the pair; the page always shows the current version.
    assert service.pair(pair["id"])["tgt"] == fixed["tgt"]
    assert [p["tgt"] for p in service.pairs(pair["release_id"], "fr") if p["index"] == pair["index"]] == [fixed["tgt"]]


def test_approving_keeps_the_machine_text_and_its_model_scores(service: ReviewService) -> None:
    pair = _pair_with_number(service, "ar")
    approved = service.edit(pair["id"], status="approved")
    assert (approved["tgt"], approved["origin"], approved["label"]) == (pair["tgt"], "mt", "good")
    assert approved["scores"]["logprob_mean"] == pair["scores"]["logprob_mean"]
    again = service.edit(approved["id"], status="approved")  # the same request again stores nothing
    assert again["id"] == approved["id"] and len(again["versions"]) == 2


def test_stale_edits_from_two_reviewers_both_kept_later_wins(service: ReviewService) -> None:
    pair = _pair_with_number(service, "fr")
    first = service.edit(pair["id"], tgt="Première version, 45 millions.")
    second = service.edit(pair["id"], tgt="Seconde version, 45 millions.")  # saw the machine version too
    assert second["versions"][-2]["id"] == first["id"]  # it follows what was current when it was written
    assert service.pair(pair["id"])["tgt"] == "Seconde version, 45 millions."
    assert [v["text"] for v in second["versions"]][1:] == ["Première version, 45 millions.", "Seconde version, 45 millions."]


@pytest.mark.parametrize(
    ("tgt", "status", "message"),
    [(None, None, "nothing to change"), ("   ", None, "empty"), ("a\nb", None, "one line"),
     ("x" * 6000, None, "at most"), (None, "maybe", "status must be")],
)
def test_invalid_edits_are_refused_and_store_nothing(service: ReviewService, db: Path, tgt, status, message) -> None:
    pair = _pair_with_number(service, "fr")
    before = _counts(db)
    with pytest.raises(InvalidEdit, match=message):
        service.edit(pair["id"], tgt=tgt, status=status)
    assert _counts(db) == before


def test_unknown_ids_are_not_found(service: ReviewService) -> None:
    with pytest.raises(NotFound):
        service.edit(10**9, tgt="x")
    with pytest.raises(NotFound):
        service.pairs("no-such-release", "fr")


def test_rejected_pairs_leave_corpus_exports_and_edits_reach_them(service: ReviewService, db: Path, tmp_path: Path) -> None:
    pair = _pair_with_number(service, "fr")
    rejected = service.pairs(pair["release_id"], "fr")[0]
    service.edit(rejected["id"], status="rejected")
    service.edit(pair["id"], tgt="Le terminal a coûté 45 millions de dollars.", status="approved")
    out = tmp_path / "fr.jsonl"
    assert main(["export", "--db", str(db), "--lang", "fr", "--format", "jsonl", "--out", str(out),
                 "--release", pair["release_id"], "--keep-duplicates"]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by_index = {r["segment_index"]: r for r in records}
    assert rejected["index"] not in by_index
    assert by_index[pair["index"]]["tgt"] == "Le terminal a coûté 45 millions de dollars."
    assert (by_index[pair["index"]]["status"], by_index[pair["index"]]["origin"]) == ("approved", "human")
    approved_only = tmp_path / "approved.jsonl"
    assert main(["export", "--db", str(db), "--lang", "fr", "--format", "jsonl", "--out", str(approved_only),
                 "--status", "approved"]) == 0
    assert [json.loads(line)["segment_index"] for line in approved_only.read_text(encoding="utf-8").splitlines()] \
        == [pair["index"]]


def test_translation_memory_reuses_the_approved_version(
    service: ReviewService, db: Path, built_db: tuple[Path, Path, Path], tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    pair = _pair_with_number(service, "fr")
    service.edit(pair["id"], tgt="Le terminal a coûté 45 millions de dollars.", status="approved")
    later = tmp_path / "later"
    later.mkdir()
    (later / "2024-08-follow-up.txt").write_text(
        f"2 August 2024\n\nTerminal Follow-up\n\n{pair['src']} Work continues.\n", encoding="utf-8")
    overrides = {p: str(path) for p, path in tiny_models.items()}
    with Store(db) as store:
        summary = run_pipeline([str(later)], ["fr"], load_config(built_db[1]), store, overrides)
    assert summary.languages["fr"].from_memory >= 1
    follow_up = _release_id(service, "Terminal Follow-up")
    reused = [p for p in service.pairs(follow_up, "fr") if p["src"] == pair["src"]]
    assert [(p["tgt"], p["origin"], p["status"]) for p in reused] == \
        [("Le terminal a coûté 45 millions de dollars.", "memory", "approved")]


def test_schema_2_database_is_upgraded_in_place(built_db: tuple[Path, Path, Path], tmp_path: Path) -> None:
    old = tmp_path / "v2.db"
    shutil.copy(built_db[0], old)
    columns = "id, segment_id, system_id, tgt_lang, text, origin, run_id, combined, label, created_at"
    with sqlite3.connect(old) as conn:  # rebuild the translations table as schema 2 had it
        conn.executescript(f"""
            PRAGMA foreign_keys=OFF;
            CREATE TABLE t2 (id INTEGER PRIMARY KEY, segment_id INTEGER NOT NULL, system_id INTEGER NOT NULL,
                tgt_lang TEXT NOT NULL, text TEXT NOT NULL, origin TEXT NOT NULL, run_id INTEGER,
                combined REAL NOT NULL, label TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE (segment_id, system_id));
            INSERT INTO t2 SELECT {columns} FROM translations;
            DROP TABLE translations;
            ALTER TABLE t2 RENAME TO translations;
            UPDATE meta SET value = '2' WHERE key = 'schema_version';
        """)
        before = conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0]
    service = ReviewService(str(old))
    pair = _pair_with_number(service, "fr")
    assert pair["scores"]["logprob_mean"] < 0  # scores still belong to their translations
    assert service.edit(pair["id"], status="approved")["version"] == 1
    with sqlite3.connect(old) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        assert conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0] == before + 1
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


# --- the HTTP API ------------------------------------------------------------------


def test_api_lists_edits_and_documents_itself(client, service: ReviewService) -> None:
    releases = client.get("/api/releases").json()
    release_id = next(r["id"] for r in releases if "Container" in r["title"])
    pairs = client.get(f"/api/releases/{release_id}/pairs", params={"lang": "ar"}).json()
    target = next(p for p in pairs if "45 million" in p["src"])
    response = client.put(f"/api/pairs/{target['id']}", json={"tgt": "كلف المحطة 45 مليون دولار.", "status": "approved"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["version"]) == ("approved", 1)
    assert client.get(f"/api/pairs/{target['id']}").json()["tgt"] == "كلف المحطة 45 مليون دولار."
    schema = client.get("/openapi.json").json()
    assert {"/api/releases", "/api/releases/{release_id}/pairs", "/api/pairs/{pair_id}"} <= set(schema["paths"])
    assert "put" in schema["paths"]["/api/pairs/{pair_id}"]


def test_api_refuses_bad_requests_with_4xx_and_stores_nothing(client, db: Path) -> None:
    release_id = client.get("/api/releases").json()[0]["id"]
    pair_id = client.get(f"/api/releases/{release_id}/pairs", params={"lang": "fr"}).json()[0]["id"]
    before = _counts(db)
    cases = [
        (client.put("/api/pairs/999999999", json={"tgt": "x"}), 404),
        (client.put("/api/pairs/abc", json={"tgt": "x"}), 422),
        (client.put(f"/api/pairs/{pair_id}", json={"tgt": ""}), 422),
        (client.put(f"/api/pairs/{pair_id}", json={"tgt": 5}), 422),
        (client.put(f"/api/pairs/{pair_id}", json={"tgt": ["a"]}), 422),
        (client.put(f"/api/pairs/{pair_id}", json={"status": "maybe"}), 422),
        (client.put(f"/api/pairs/{pair_id}", json={"tgt": "ok", "extra": 1}), 422),
        (client.put(f"/api/pairs/{pair_id}", json={}), 422),
        (client.put(f"/api/pairs/{pair_id}", content=b"{not json", headers={"Content-Type": "application/json"}), 422),
        (client.put(f"/api/pairs/{pair_id}", json={"tgt": "x" * 70_000}), 413),
        (client.put(f"/api/pairs/{pair_id}", content=iter([b'{"tgt": "', b"y" * 70_000, b'"}']),
                    headers={"Content-Type": "application/json"}), 413),  # chunked, no Content-Length
        (client.get("/api/releases/nope"), 404),
        (client.get(f"/api/releases/{release_id}/pairs"), 422),  # lang missing
        (client.get(f"/api/releases/{release_id}/pairs", params={"lang": "fr", "sort": "random"}), 422),
        (client.get(f"/api/releases/{release_id}/download", params={"lang": "de"}), 404),
    ]
    for response, status in cases:
        assert response.status_code == status, response.text
        assert response.json()["detail"]
    assert _counts(db) == before


def test_api_downloads_the_release_and_its_tmx(client, service: ReviewService) -> None:
    release_id = _release_id(service, "Container Terminal")
    pair = _pair_with_number(service, "ar")
    client.put(f"/api/pairs/{pair['id']}", json={"tgt": "كلفت المحطة 45 مليون دولار.", "status": "approved"})
    page = client.get(f"/api/releases/{release_id}/download", params={"lang": "ar", "format": "html"})
    assert page.status_code == 200 and 'dir="rtl"' in page.text and "كلفت المحطة 45 مليون دولار." in page.text
    assert "attachment" in page.headers["content-disposition"]
    tmx = client.get(f"/api/releases/{release_id}/download", params={"lang": "ar", "format": "tmx"})
    _assert_valid_tmx_with(tmx.content, "كلفت المحطة 45 مليون دولار.")


def _assert_valid_tmx_with(content: bytes, text: str) -> None:
    tree = etree.fromstring(content)
    assert etree.DTD(str(TMX_DTD)).validate(tree)
    units = [tu for tu in tree.iter("tu") if tu.findall("tuv")[1].findtext("seg") == text]
    assert len(units) == 1
    props = {p.get("type"): p.text for p in units[0].iter("prop")}
    assert (props["x-status"], props["x-origin"]) == ("approved", "human")


# --- the command and the pages in a real browser --------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(db: Path) -> Iterator[str]:
    """The real application under uvicorn, in a thread, on a free local port: its base URL."""
    import uvicorn

    from translate_pipe.review.app import create_app
    from translate_pipe.review.server import server_config

    port = _free_port()
    running = uvicorn.Server(server_config(create_app(str(db)), host="127.0.0.1", port=port))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(10)


@pytest.fixture()
def server(db: Path) -> Iterator[str]:
    with running_server(db) as url:
        yield url


def test_serve_command_prints_its_address_and_serves(db: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "translate_pipe.cli", "serve", "--db", str(db), "--port", str(port)],
        stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stderr.readline()
        assert f"http://127.0.0.1:{port}/" in line
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/releases", timeout=5) as response:
                    assert len(json.load(response)) == 5
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(10)


def test_serve_without_a_database_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--db", str(tmp_path / "missing.db")]) == 1
    err = capsys.readouterr().err
    assert "missing.db" in err and "translate-pipe run" in err and len(err.strip().splitlines()) == 1


def _wait(driver, script: str, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        value = driver.execute_script(script)
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for: {script}"
        time.sleep(0.05)


def test_review_in_a_real_browser(server: str, browser, service: ReviewService, tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    driver = browser
    driver.get(server + "/")
    _wait(driver, "return document.querySelectorAll('#releases tbody tr').length === 5")
    titles = [a.text for a in driver.find_elements("css selector", "#releases tbody a")]
    assert HOSTILE_TITLE in titles  # markup in a title is shown as text
    driver.find_element("link text", HOSTILE_TITLE).click()
    _wait(driver, "return document.body.dataset.loaded === 'ar'")
    table = driver.find_element("id", "pairs")
    assert HOSTILE_BODY.split(" The")[0] in table.text
    assert not table.find_elements("css selector", "img, script")
    assert driver.execute_script("return window.__pwned === undefined")
    tgt_cell = table.find_element("css selector", "tr.pair td.tgt")
    assert driver.execute_script("return getComputedStyle(arguments[0]).direction", tgt_cell) == "rtl"

    # The release with numbers, in French: fix a pair with the keyboard, then approve it.
    release_id = _release_id(service, "Container Terminal")
    driver.get(f"{server}/releases/{release_id}?lang=fr")
    _wait(driver, "return document.body.dataset.loaded === 'fr'")
    body = driver.find_element("tag name", "body")
    body.send_keys("j")
    focused = _wait(driver, "return document.querySelector('tr.pair.focused')")
    assert "label-good" not in focused.get_attribute("class")  # j goes to a pair that needs checking
    index = focused.get_attribute("data-index")
    body.send_keys("e")
    editor = _wait(driver, "return document.querySelector('td.tgt textarea')")
    editor.clear()
    edited = 'Texte corrigé <b>à la main</b>, 45 millions.'
    editor.send_keys(edited)
    editor.send_keys(Keys.ENTER)
    _wait(driver, f"return document.querySelector('#pair-{index}.status-edited')")
    driver.find_element("css selector", f"#pair-{index}").send_keys("a")
    row = _wait(driver, f"return document.querySelector('#pair-{index}.status-approved')")
    assert row.find_element("css selector", "td.tgt").text == edited
    assert "label-good" in row.get_attribute("class")
    pair_id = int(row.get_attribute("data-pair-id"))
    shot = Path(os.environ.get("TRANSLATE_PIPE_ARTIFACTS", tmp_path)) / "review-page.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(shot))

    # A reload shows what the server stored; the download link gives the TMX with the edit.
    driver.refresh()
    _wait(driver, "return document.body.dataset.loaded === 'fr'")
    assert driver.find_element("css selector", f"#pair-{index} td.tgt").text == edited
    tmx_url = driver.find_element("id", "dl-tmx").get_attribute("href")
    with urllib.request.urlopen(tmx_url, timeout=10) as response:
        _assert_valid_tmx_with(response.read(), edited)
    # An empty edit is refused on the page, and the stored text stays.
    driver.find_element("css selector", f"#pair-{index} button.edit").click()
    editor = _wait(driver, "return document.querySelector('td.tgt textarea')")
    editor.clear()
    editor.send_keys(Keys.ENTER)
    message = _wait(driver, "return document.querySelector('#message.error')")
    assert "empty" in message.text
    assert service.pair(pair_id)["tgt"] == edited


def test_a_service_keeping_its_connection_sees_what_another_process_stores(service: ReviewService, db: Path) -> None:
    pair = _pair_with_number(service, "fr")  # the service's thread now holds an open connection
    approved = ReviewService(str(db)).edit(pair["id"], status="approved")  # another connection writes
    assert service.pair(pair["id"])["status"] == "approved"
    assert [p["id"] for p in service.pairs(pair["release_id"], "fr") if p["index"] == pair["index"]] == [approved["id"]]


def _serve(db: Path, *extra: str) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "translate_pipe.cli", "serve", "--db", str(db), "--port", "0", *extra],
        stderr=subprocess.PIPE, text=True,
    )
    line = process.stderr.readline()
    port = int(line.split("http://127.0.0.1:", 1)[1].split("/", 1)[0])
    return process, port


def _get(port: int, path: str, host: str = "localhost") -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _workers_of(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if not children.exists():
        pytest.skip("needs /proc/PID/task/PID/children (Linux) to see the worker processes")
    return [int(child) for child in children.read_text().split()]


def _wait_until_serving(port: int) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            _get(port, "/api/releases?limit=1")
            return
        except OSError:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="--workers above 1 forks")
def test_serve_with_workers_guards_every_worker_and_stops_them_all(db: Path) -> None:
    process, port = _serve(db, "--workers", "2")
    try:
        _wait_until_serving(port)
        workers = _workers_of(process.pid)
        assert len(workers) == 2
        for _ in range(6):  # connections land on either worker: each one checks the Host
            status, body = _get(port, "/api/releases?limit=2")
            assert status == 200 and len(json.loads(body)) == 2
            assert _get(port, "/api/releases", host="attacker.example")[0] == 403
    finally:
        process.terminate()
        assert process.wait(20) == 0
        process.stderr.close()
    for worker in workers:  # the parent reaped them before it exited
        with pytest.raises(ProcessLookupError):
            os.kill(worker, 0)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="--workers above 1 forks")
def test_serve_stops_with_exit_1_when_a_worker_dies(db: Path) -> None:
    process, port = _serve(db, "--workers", "2")
    try:
        _wait_until_serving(port)
        first, second = _workers_of(process.pid)
        os.kill(first, signal.SIGKILL)
        assert process.wait(20) == 1
        assert "a worker process failed" in process.stderr.read()
        with pytest.raises(ProcessLookupError):
            os.kill(second, 0)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        process.stderr.close()


def test_release_list_label_counts_follow_every_write(service: ReviewService, db: Path) -> None:
    """The list's label counts are kept between requests; a version stored by anyone
    (here another service, as another worker process would) shows in the next page."""
    def labels(release_id: str) -> dict[str, int]:
        page = service.release_page(limit=500)
        return next(r["labels"]["fr"] for r in page.items if r["id"] == release_id)

    release_id = _release_id(service, "Container Terminal")
    before = labels(release_id)
    assert labels(release_id) == before  # the second page comes from the kept counts
    pair = next(p for p in service.pairs(release_id, "fr") if p["label"] != "good")
    ReviewService(str(db)).edit(pair["id"], status="approved")  # approved: labelled good
    after = labels(release_id)
    assert after["good"] == before["good"] + 1 and sum(after.values()) == sum(before.values())
    with Store(str(db)) as store:
        assert {k: v for k, v in after.items() if v} == store.labels_by_release([release_id])[release_id]["fr"]


def test_connections_of_ended_threads_are_closed(db: Path) -> None:
    service = ReviewService(str(db))

    def request() -> None:
        service.release_page(limit=5)

    for _ in range(4):  # four threads, one after another, as a thread pool replaces idle workers
        thread = threading.Thread(target=request)
        thread.start()
        thread.join()
    assert len(service._open) == 1  # each new thread's connection closed the ended ones'
    [kept] = service._open.values()
    service.close()
    assert service._open == {}
    with pytest.raises(Exception):  # closed: no statement runs on it any more
        kept.db.execute("SELECT 1")
