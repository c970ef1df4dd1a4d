"""Hostile inputs and faults, as a suite: what a careless or malicious user, a dying process
or a full disk can do, and what must happen instead (issue 19).

Everything runs the real thing: exports through the real CLI in a child process that is
killed with SIGKILL mid-write, the review application under uvicorn on a real socket with
raw and httpx clients, and the real pages in Chromium where it is installed.
"""

from __future__ import annotations

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
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from translate_pipe.atomic import StagedFiles, atomic_open, atomic_write_text, check_writable
from translate_pipe.cli import main
from translate_pipe.errors import OutputError, redact_secrets

from .test_review import _free_port, _wait, built_db  # noqa: F401 - built_db is a fixture used here

ROOT = Path(__file__).resolve().parents[1]


def _env() -> dict[str, str]:
    """The environment for a child process that imports this checkout's translate_pipe."""
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def _one_error_line(err: str, *needles: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.fixture()
def db(built_db: tuple[Path, Path, Path], tmp_path: Path) -> Path:  # noqa: F811
    copy = tmp_path / "hostile.db"
    shutil.copy(built_db[0], copy)
    return copy


# --- 1. atomic writes -------------------------------------------------------------


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    out = tmp_path / "corpus.jsonl"
    out.write_text("old\n", encoding="utf-8")
    os.chmod(out, 0o640)
    with pytest.raises(RuntimeError):
        with atomic_open(out) as handle:
            handle.write("half of the new")
            raise RuntimeError("killed")
    assert out.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.jsonl"]
    atomic_write_text(out, "new\n")
    assert out.read_text(encoding="utf-8") == "new\n"
    assert oct(out.stat().st_mode & 0o777) == oct(0o640)  # the file keeps its permissions


def test_staged_files_appear_together_or_not_at_all(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        with StagedFiles() as stage:
            stage.write_text(tmp_path / "a.txt", "a")
            raise RuntimeError("interrupted before b")
    assert list(tmp_path.iterdir()) == []
    with StagedFiles() as stage:
        stage.write_text(tmp_path / "a.txt", "a")
        stage.write_text(tmp_path / "sub" / "b.txt", "b")
        assert not (tmp_path / "a.txt").exists()  # nothing visible before the commit
    assert (tmp_path / "a.txt").read_text() == "a" and (tmp_path / "sub" / "b.txt").read_text() == "b"


def test_a_symlinked_output_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    atomic_write_text(link, "new")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"


@pytest.mark.parametrize("make", ["folder", "parent-is-file"])
def test_unwritable_outputs_are_one_output_error(tmp_path: Path, make: str) -> None:
    if make == "folder":
        target = tmp_path / "a-folder"
        target.mkdir()
        needle = "is a folder"
    else:
        (tmp_path / "file").write_text("x")
        target = tmp_path / "file" / "out.jsonl"
        needle = "not a folder"
    with pytest.raises(OutputError, match=needle):
        check_writable(target)


# A child that runs the real export but stalls after reading part of its pairs (the fixture
# database has 23 per language), so the parent can kill it with SIGKILL at a known point in
# the middle of the write.
_STALLING_EXPORT = """
import sys, time
from translate_pipe.cli import main
from translate_pipe.store import Store

marker, after = sys.argv[1], int(sys.argv[2])
original = Store.pairs
yielded = 0

def stalling_pairs(self, *args, **kwargs):
    global yielded
    for pair in original(self, *args, **kwargs):
        yielded += 1
        if yielded == after:
            open(marker, "w").close()
            time.sleep(600)
        yield pair

Store.pairs = stalling_pairs
sys.exit(main(sys.argv[3:]))
"""


def _export_args(db: Path, fmt: str, out: Path) -> list[str]:
    return ["export", "--db", str(db), "--lang", "ar", "--format", fmt, "--out", str(out), "--keep-duplicates", "-q"]


@pytest.mark.parametrize("fmt", ["jsonl", "tmx", "moses", "parquet", "release-html"])
def test_kill_9_during_export_leaves_the_previous_export_intact(db: Path, tmp_path: Path, fmt: str) -> None:
    if fmt == "parquet":
        pytest.importorskip("pyarrow", reason="the parquet format needs pyarrow")
    out_dir = tmp_path / "out"
    out = out_dir / ("release" if fmt == "release-html" else f"corpus.{fmt}")
    assert main(_export_args(db, fmt, out)) == 0
    written = sorted(p for p in out_dir.rglob("*") if p.is_file())
    assert written
    for path in written:  # the previous export, recognisable
        path.write_bytes(b"OLD " + path.name.encode())
    marker = tmp_path / "stalled"
    child = subprocess.Popen([sys.executable, "-c", _STALLING_EXPORT, str(marker), "10", *_export_args(db, fmt, out)],
                             env=_env(), stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, child.stderr.read().decode()
            assert time.monotonic() < deadline, "the export never reached the stall point"
            time.sleep(0.05)
        partial = [p for p in out_dir.rglob(".*.tmp")]
        if fmt != "parquet":  # parquet gathers its rows before it opens the file
            assert partial, "the kill did not land mid-write"  # the new file is open, not yet renamed
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
        child.stderr.close()
    visible = sorted(p for p in out_dir.rglob("*") if p.is_file() and not p.name.startswith("."))
    assert visible == written
    assert all(p.read_bytes() == b"OLD " + p.name.encode() for p in written)
    # The next export replaces them all, complete.
    assert main(_export_args(db, fmt, out)) == 0
    assert all(not p.read_bytes().startswith(b"OLD ") for p in written)


_FULL_DISK_EXPORT = """
import resource, signal, sys
from translate_pipe.cli import main
limit = int(sys.argv[1])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
sys.exit(main(sys.argv[2:]))
"""


def test_a_full_disk_during_export_keeps_the_old_file(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "corpus.jsonl"
    assert main(_export_args(db, "jsonl", out)) == 0
    size = out.stat().st_size
    out.write_text("the previous export\n", encoding="utf-8")
    limit = size // 2
    # SQLite's shared-memory file (32 KiB) is created by whoever opens the database first;
    # holding a connection keeps it there, so the child's only growing file is the export.
    with sqlite3.connect(db) as holder:
        holder.execute("SELECT COUNT(*) FROM translations").fetchone()
        done = subprocess.run([sys.executable, "-c", _FULL_DISK_EXPORT, str(limit), *_export_args(db, "jsonl", out)],
                              env=_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    _one_error_line(done.stderr, str(out), "cannot write")
    assert out.read_text(encoding="utf-8") == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".corpus")] == []


def test_device_outputs_are_written_in_place_never_replaced(db: Path, tmp_path: Path) -> None:
    import stat

    done = _cli(*_export_args(db, "jsonl", Path("/dev/null")))
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    if os.path.exists("/dev/full"):  # a device whose writes fail as on a full disk
        full = _cli(*_export_args(db, "tmx", Path("/dev/full")))
        assert full.returncode == 1
        _one_error_line(full.stderr, "/dev/full", "No space left")
        assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    lines = tmp_path / "lines.txt"
    lines.write_text("One.\nTwo.\n", encoding="utf-8")
    piped = _cli("align", str(lines), str(lines), "--tgt-lang", "fr", "--mt", "none", "--out", "/dev/stdout")
    assert piped.returncode == 0 and piped.stdout.count("\n") == 2, piped.stderr


def test_release_html_refuses_a_language_the_database_lacks(db: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pages"
    code = main(["export", "--db", str(db), "--lang", "he", "--format", "release-html", "--out", str(out)])
    assert code == 1
    _one_error_line(capsys.readouterr().err, "no he translation")
    assert not out.exists()


# --- 2. the review server: hosts, origins, slow clients, hostile ids and bodies ---------


@pytest.fixture()
def live(db: Path) -> Iterator[tuple[str, int]]:
    """The real application under uvicorn with a 1 s request deadline and 1 s keep-alive."""
    import uvicorn

    from translate_pipe.review.app import create_app
    from translate_pipe.review.server import server_config

    port = _free_port()
    server = uvicorn.Server(server_config(create_app(str(db)), "127.0.0.1", port, request_timeout=1.0, keep_alive=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield "127.0.0.1", port
    server.should_exit = True
    thread.join(10)


def _first_pair(base: str) -> dict:
    import httpx

    release = httpx.get(f"{base}/api/releases").json()[0]["id"]
    return httpx.get(f"{base}/api/releases/{release}/pairs", params={"lang": "fr"}).json()[0]


def _translation_count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0]


def test_foreign_host_headers_are_refused(live: tuple[str, int], db: Path) -> None:
    import httpx

    host, port = live
    base = f"http://{host}:{port}"
    pair = _first_pair(base)
    for good in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", f"LOCALHOST:{port}", "localhost",
                 f"127.0.0.2:{port}"):
        assert httpx.get(f"{base}/api/releases", headers={"Host": good}).status_code == 200, good
    before = _translation_count(db)
    for bad in ("evil.example", f"evil.example:{port}", f"localhost.evil.example:{port}", f"127.0.0.1.nip.io:{port}",
                f"localhost:{port}@evil.example", "[::1", f"localhost:{port}:1", "10.0.0.8"):
        response = httpx.get(f"{base}/api/releases", headers={"Host": bad})
        assert response.status_code == 403, bad
        assert "not this server" in response.json()["detail"]
        put = httpx.put(f"{base}/api/pairs/{pair['id']}", json={"tgt": "rebound"}, headers={"Host": bad})
        assert put.status_code == 403, bad
    assert _translation_count(db) == before
    # An HTTP/1.0 request may leave Host out: it names no server, so it is refused too.
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(b"GET /api/releases HTTP/1.0\r\n\r\n")
        assert sock.recv(64).startswith(b"HTTP/1.1 403")


def test_writes_from_another_origin_are_refused(live: tuple[str, int], db: Path) -> None:
    import httpx

    host, port = live
    base = f"http://{host}:{port}"
    pair = _first_pair(base)
    before = _translation_count(db)
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"}, {"Origin": f"http://localhost:{port + 1}"},
                    {"Origin": f"http://{host}:{port}.evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                    {"Origin": f"http://{host}:{port}", "Sec-Fetch-Site": "same-site"}):
        response = httpx.put(f"{base}/api/pairs/{pair['id']}", json={"tgt": "cross-site edit"}, headers=headers)
        assert response.status_code == 403, headers
    assert _translation_count(db) == before
    # Reads from another origin are harmless (the browser keeps the answer from the page).
    assert httpx.get(f"{base}/api/releases", headers={"Origin": "http://evil.example"}).status_code == 200
    # The server's own page, and a script without Origin, may write.
    own = httpx.put(f"{base}/api/pairs/{pair['id']}", json={"tgt": "corrigé par la page"},
                    headers={"Origin": f"http://{host}:{port}", "Sec-Fetch-Site": "same-origin"})
    assert own.status_code == 200
    script = httpx.put(f"{base}/api/pairs/{own.json()['id']}", json={"status": "approved"})
    assert script.status_code == 200 and _translation_count(db) == before + 2


def _closed_within(sock: socket.socket, seconds: float, trickle: bytes | None = None) -> float:
    """Seconds until the server closes ``sock`` (sending ``trickle`` every 0.2 s meanwhile)."""
    start = time.monotonic()
    sock.settimeout(0.2)
    while time.monotonic() - start < seconds:
        try:
            if trickle:
                sock.sendall(trickle)
            if sock.recv(4096) == b"":
                return time.monotonic() - start
        except socket.timeout:
            continue
        except OSError:  # reset or broken pipe: closed
            return time.monotonic() - start
    raise AssertionError(f"the server kept the connection open for {seconds} s")


def test_slow_and_idle_clients_are_dropped(live: tuple[str, int]) -> None:
    import httpx

    host, port = live
    # Request deadline 1 s: every kind of slow client is gone within a few seconds.
    idle = socket.create_connection((host, port), timeout=5)
    headers = socket.create_connection((host, port), timeout=5)
    headers.sendall(b"GET /api/releases HTTP/1.1\r\nHost: localhost\r\n")
    body = socket.create_connection((host, port), timeout=5)
    body.sendall(b"PUT /api/pairs/1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 1000\r\n\r\n{\"tgt\": \"")
    crowd = [socket.create_connection((host, port), timeout=5) for _ in range(20)]
    for sock in crowd:
        sock.sendall(b"GET / HTTP/1.1\r\n")
    try:
        # Meanwhile an honest client is served at once.
        started = time.monotonic()
        assert httpx.get(f"http://{host}:{port}/api/releases", timeout=5).status_code == 200
        assert time.monotonic() - started < 3
        assert _closed_within(idle, 6) < 6
        assert _closed_within(headers, 6, trickle=b"X") < 6  # a header byte every 0.2 s does not keep it
        assert _closed_within(body, 6, trickle=b"y") < 6
        for sock in crowd:
            assert _closed_within(sock, 6) < 6
    finally:
        for sock in [idle, headers, body, *crowd]:
            sock.close()


def test_huge_ids_lone_surrogates_and_odd_bodies_are_4xx_never_500(live: tuple[str, int], db: Path) -> None:
    import httpx

    host, port = live
    base = f"http://{host}:{port}"
    pair = _first_pair(base)
    before = _translation_count(db)
    for pair_id in ("9223372036854775808", "99999999999999999999999999999", "0", "-1", str(2**63 - 1)):
        assert httpx.get(f"{base}/api/pairs/{pair_id}").status_code == 404, pair_id
        assert httpx.put(f"{base}/api/pairs/{pair_id}", json={"tgt": "x"}).status_code == 404, pair_id
    url = f"{base}/api/pairs/{pair['id']}"
    json_type = {"Content-Type": "application/json"}
    bodies = [
        b'{"tgt": "\\ud800 lone high surrogate"}',
        b'{"tgt": "a lone low \\udc00"}',
        b'{"tgt": ' + b"[" * 30_000 + b"]" * 30_000 + b"}",  # deep nesting, under the size limit
        b'{"tgt": ' + b"9" * 5_000 + b"}",  # a number too long for Python's int parser
        b'{"tgt": 1e999}',
        b'{"tgt": "ok", "tgt": 5}',
        b"\xff\xfe{}",
    ]
    for body in bodies:
        response = httpx.put(url, content=body, headers=json_type)
        assert 400 <= response.status_code < 500, (body[:40], response.status_code, response.text[:200])
    surrogate = httpx.put(url, content=bodies[0], headers=json_type)
    assert surrogate.status_code == 422 and "surrogate" in json.dumps(surrogate.json()["detail"])
    assert _translation_count(db) == before


def test_concurrent_saves_of_one_pair_never_give_a_false_404(live: tuple[str, int], db: Path) -> None:
    import httpx

    host, port = live
    base = f"http://{host}:{port}"
    pair = _first_pair(base)
    before = _translation_count(db)

    def save(k: int) -> int:
        with httpx.Client(base_url=base, timeout=60) as client:
            return client.put(f"/api/pairs/{pair['id']}", json={"tgt": f"version {k}, 45 millions"}).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(save, range(200)))
    assert codes.count(404) == 0, codes
    assert set(codes) <= {200, 409}  # 409: changed under every retry (says "try again"), never 404 or 500
    assert codes.count(200) >= 190
    assert _translation_count(db) == before + codes.count(200)
    final = httpx.get(f"{base}/api/pairs/{pair['id']}").json()
    assert len(final["versions"]) == codes.count(200) + 1


def test_bidi_controls_are_shown_as_visible_marks_in_the_page(live: tuple[str, int], browser) -> None:
    import httpx

    host, port = live
    base = f"http://{host}:{port}"
    pair = _first_pair(base)
    sneaky = "Total: \u202e00.001\u202c euros \u2066x\u2069"
    saved = httpx.put(f"{base}/api/pairs/{pair['id']}", json={"tgt": sneaky})
    assert saved.status_code == 200 and saved.json()["tgt"] == sneaky  # stored as written
    browser.get(f"{base}/releases/{pair['release_id']}?lang=fr")
    _wait(browser, "return document.body.dataset.loaded === 'fr'")
    cell = browser.find_element("css selector", f"#pair-{pair['index']} td.tgt")
    marks = [m.text for m in cell.find_elements("css selector", ".bidi-control")]
    assert marks == ["⟨U+202E⟩", "⟨U+202C⟩", "⟨U+2066⟩", "⟨U+2069⟩"]
    shown = browser.execute_script("return arguments[0].textContent", cell)
    assert not any(ch in shown for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert "00.001" in shown


# --- 3. the serve command: one line, exit 1, no password -----------------------------


def test_serve_on_a_port_in_use_is_one_line_and_exit_1(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--db", str(db), "--port", str(port)]) == 1
    _one_error_line(capsys.readouterr().err, f"cannot listen on 127.0.0.1:{port}")


def test_serve_never_prints_a_database_password(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://reviewer:hunter2@127.0.0.1:1/corpus?password=hunter3&sslpassword=hunter4"
    assert main(["serve", "--db", url]) in (1, 2)
    err = capsys.readouterr().err
    assert "hunter" not in err and "***" in err
    _one_error_line(err)


def test_redact_secrets_in_any_message() -> None:
    cases = {
        "postgresql://bob:s3cr%40t@db:5432/x": "postgresql://bob:***@db:5432/x",
        "postgresql://bob@db/x?sslmode=require&password=pw": "postgresql://bob@db/x?sslmode=require&password=***",
        "error at postgres://u:p@ss@h/d: refused": "error at postgres://u:***@h/d: refused",
        "host=db password=pw user=u": "host=db password=*** user=u",
    }
    for text, expected in cases.items():
        assert redact_secrets(text) == expected
    assert redact_secrets("no secrets: a 3:4 ratio @ 10 am, https://example.com/a") == \
        "no secrets: a 3:4 ratio @ 10 am, https://example.com/a"


def test_serve_port_0_prints_the_port_it_got(db: Path) -> None:
    child = subprocess.Popen([sys.executable, "-m", "translate_pipe.cli", "serve", "--db", str(db), "--port", "0"],
                             env=_env(), stderr=subprocess.PIPE, text=True)
    try:
        line = child.stderr.readline()
        assert "http://127.0.0.1:" in line and ":0/" not in line  # --port 0 prints the port it got
    finally:
        child.terminate()
        child.wait(10)
        child.stderr.close()


@pytest.mark.slow
def test_serve_on_postgres_prints_no_password(postgres_url: str) -> None:
    from translate_pipe.store import Store

    with Store(postgres_url):
        pass
    url = postgres_url + ("&" if "?" in postgres_url else "?") + "password=hunter2"
    child = subprocess.Popen([sys.executable, "-m", "translate_pipe.cli", "serve", "--db", url, "--port", "0"],
                             env=_env(), stderr=subprocess.PIPE, text=True)
    try:
        line = child.stderr.readline()
    finally:
        child.terminate()
        child.wait(10)
        child.stderr.close()
    assert "hunter2" not in line and "password=***" in line


# --- 4. options and configuration: one line naming the key ---------------------------


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "in", "--to", "fr", "--beam", "0"], "--beam: must be at least 1, got 0"),
        (["run", "in", "--to", "fr", "--max-length", "-1"], "--max-length: must be at least 1, got -1"),
        (["translate", "--to", "fr", "--chunk", "0"], "--chunk: must be at least 1"),
        (["evaluate", "--lang", "fr", "--samples", "0"], "--samples: must be at least 1, got 0"),
        (["evaluate", "--lang", "fr", "--worst", "-3"], "--worst: must be at least 0"),
        (["serve", "--port", "70000"], "--port: must be from 0 to 65535"),
    ],
)
def test_bad_options_are_one_line_exit_2(args: list[str], needle: str) -> None:
    done = subprocess.run([sys.executable, "-m", "translate_pipe.cli", *args], env=_env(), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    _one_error_line(done.stderr, needle)


@pytest.mark.parametrize(
    ("yaml_text", "needle"),
    [
        ("translate:\n  max_input_tokens: 0\n", "'translate.max_input_tokens' must be at least 4, got 0"),
        ("translate:\n  beam_size: 0\n", "'translate.beam_size' must be at least 1"),
        ("translate:\n  max_length: -1\n", "'translate.max_length' must be at least 1"),
        ("score:\n  penalties:\n    lenght_ratio: 0.5\n", "unknown flag 'lenght_ratio' in 'score.penalties'"),
        ("score:\n  penalties:\n    untranslated: 3\n", "'score.penalties.untranslated' must be at most 1"),
        ("score:\n  fatal_flags: [empty_outptu]\n", "unknown flag 'empty_outptu' in 'score.fatal_flags'"),
        ("score:\n  labels: {good: 0.2, check: 0.5}\n", "'score.labels.check' (0.5) must not exceed"),
        ("translate:\n  backend: tensorflow\n", "'translate.backend' must be one of"),
    ],
)
def test_bad_config_values_are_one_line_naming_file_and_key(tmp_path: Path, releases_dir: Path, yaml_text: str,
                                                           needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(yaml_text, encoding="utf-8")
    db = tmp_path / "new.db"
    assert main(["run", str(releases_dir), "--to", "fr", "--config", str(config), "--db", str(db)]) == 2
    _one_error_line(capsys.readouterr().err, str(config), needle)
    assert not db.exists()


def test_unknown_target_language_is_refused_before_ingest(tmp_path: Path, releases_dir: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "new.db"
    assert main(["run", str(releases_dir), "--to", "fr,xx", "--db", str(db)]) == 2
    _one_error_line(capsys.readouterr().err, "en-xx")
    assert not db.exists()  # nothing was read or stored


# --- 5. missing files, folders given as files, unwritable outputs --------------------


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "translate_pipe.cli", *args], env=_env(), capture_output=True,
                          text=True, timeout=180)


def test_missing_and_wrong_kind_paths_are_one_line_exit_1(tmp_path: Path, db: Path) -> None:
    lines = tmp_path / "lines.txt"
    lines.write_text("one\ntwo\n", encoding="utf-8")
    folder = tmp_path / "a-folder"
    folder.mkdir()
    missing = tmp_path / "missing.txt"
    (tmp_path / "plain-file").write_text("x")
    under_a_file = tmp_path / "plain-file" / "out.jsonl"
    cases = [
        (["export", "--db", str(db), "--lang", "fr", "--format", "jsonl", "--out", str(folder)], str(folder),
         "is a folder"),
        (["export", "--db", str(db), "--lang", "fr", "--format", "tmx", "--out", str(under_a_file)],
         str(under_a_file), "not a folder"),
        (["export", "--db", str(db), "--lang", "fr", "--format", "release", "--out", str(lines)], str(lines),
         "is a file"),
        (["align", str(missing), str(lines), "--tgt-lang", "fr", "--mt", "none"], str(missing), ""),
        (["align", str(folder), str(lines), "--tgt-lang", "fr", "--mt", "none"], str(folder), ""),
        (["align", str(lines), str(lines), "--tgt-lang", "fr", "--mt", "none", "--out", str(folder)], str(folder),
         "is a folder"),
        (["evaluate", "--ref", str(missing), "--hyp", str(lines), "--lang", "fr"], str(missing), "no such file"),
        (["evaluate", "--ref", str(lines), "--hyp", str(folder), "--lang", "fr"], str(folder), "is a folder"),
        (["evaluate", "--ref", str(lines), "--hyp", str(lines), "--lang", "fr", "--report", str(under_a_file)],
         str(under_a_file), "not a folder"),
        (["translate", str(missing), "--to", "fr"], str(missing), "cannot read"),
        (["translate", str(folder), "--to", "fr"], str(folder), "cannot read"),
        (["serve", "--db", str(folder)], str(folder), "is a folder"),
    ]
    for args, path, problem in cases:
        done = _cli(*args)
        assert done.returncode == 1, (args, done.stderr)
        _one_error_line(done.stderr, path, problem)


@pytest.mark.parametrize("command", [
    ["export", "--lang", "fr", "--format", "jsonl", "--out", "{tmp}/o.jsonl"],
    ["evaluate", "--lang", "fr"],
    ["runs"],
    ["serve"],
])
def test_a_missing_database_is_refused_not_created(tmp_path: Path, command: list[str],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "typo.db"
    args = [part.replace("{tmp}", str(tmp_path)) for part in command] + ["--db", str(db)]
    assert main(args) == 1
    _one_error_line(capsys.readouterr().err, str(db), "no such database")
    assert not db.exists() and not Path(f"{db}-wal").exists()


def test_translate_names_the_bad_line(tmp_path: Path, model_args: list[str], fast_config_file: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.txt"
    source.write_bytes(b"First line.\nSecond line.\nThird line.\nCaf\xe9 au lait.\nFifth.\n")
    code = main(["translate", str(source), "--to", "fr", "--chunk", "3", "--config", str(fast_config_file),
                 *model_args])
    captured = capsys.readouterr()
    assert code == 1
    _one_error_line(captured.err, str(source), "line 4 is not valid UTF-8")
    assert len(captured.out.splitlines()) == 3  # the first chunk was translated and written


# --- 6. cost blow-ups: bounded work per line -----------------------------------------


def test_a_megabyte_line_is_refused_quickly_by_evaluate(tmp_path: Path) -> None:
    ref = tmp_path / "ref"
    hyp = tmp_path / "hyp"
    ref.write_text("a short line\n" + "mot " * 1_200_000 + "\n", encoding="utf-8")
    hyp.write_text("a short line\n" + "mot " * 1_200_000 + "\n", encoding="utf-8")
    started = time.monotonic()
    done = _cli("evaluate", "--ref", str(ref), "--hyp", str(hyp), "--lang", "fr")
    assert time.monotonic() - started < 60  # generous for a loaded CI machine; sacrebleu's TER took hours here
    assert done.returncode == 1
    _one_error_line(done.stderr, str(ref), "line 2 has 4,800,000 characters")


def test_evaluate_memory_does_not_grow_with_the_lines(tmp_path: Path) -> None:
    """With --test none nothing per line is kept but one float (the sentence chrF).

    chrF alone: BLEU's tokenizers keep an LRU cache of up to 65,536 lines (sacrebleu's own,
    bounded), which would show as growth at these sizes.
    """
    import tracemalloc

    from translate_pipe.evaluate import evaluate_files

    def peak(n: int) -> int:
        ref = tmp_path / f"ref{n}"
        hyp = tmp_path / f"hyp{n}"
        ref.write_text("".join(f"le port {i} a ouvert hier\n" for i in range(n)), encoding="utf-8")
        hyp.write_text("".join(f"le port {i} est ouvert\n" for i in range(n)), encoding="utf-8")
        tracemalloc.start()
        evaluate_files(ref, {"mt": hyp}, "fr", test=None, metrics=["chrf"])
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    peak(100)  # imports and first-use caches out of the way
    small, large = peak(2_000), peak(8_000)
    per_line = (large - small) / 6_000
    # About 40 bytes are kept (the float, then the list of floats the result holds); the
    # peak adds growth slack. Holding the lines and their statistics took kilobytes per line.
    assert per_line < 300, f"{per_line:.0f} bytes per extra line"


def test_json_report_of_a_hostile_evaluation_is_written_atomically(tmp_path: Path) -> None:
    ref = tmp_path / "ref"
    ref.write_text("<script>alert(1)</script> un\n\u202edeux\n", encoding="utf-8")
    report = tmp_path / "report.html"
    report.write_text("old report", encoding="utf-8")
    done = _cli("evaluate", "--ref", str(ref), "--hyp", str(ref), "--lang", "fr", "--test", "none",
                "--report", str(report), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["systems"] == ["ref"]
    text = report.read_text(encoding="utf-8")
    assert "<script>alert" not in text and "&lt;script&gt;" in text
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
