"""Model resolution: where each pair's model comes from, the hub probe, what a run records."""

from __future__ import annotations

import http.server
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from translate_pipe.translate import registry
from translate_pipe.translate.registry import ModelSpec, download_hint, resolve_model

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture()
def silent_server() -> Iterator[str]:
    """An endpoint that accepts connections and never answers (a hub behind a black hole)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


@pytest.fixture()
def answering_server() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:  # noqa: N802 - the http.server hook name
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def test_probe_gives_up_on_a_silent_hub_within_its_timeout(silent_server: str) -> None:
    start = time.monotonic()
    reason = registry._probe(silent_server, timeout=0.5)
    assert time.monotonic() - start < 2.0
    assert reason is not None and "did not answer within 0.5 s" in reason


def test_probe_names_a_refused_connection() -> None:
    endpoint = _closed_port()
    reason = registry._probe(endpoint, timeout=2.0)
    assert reason is not None and reason.startswith(f"the model hub ({endpoint}) cannot be reached: ")


def test_any_http_answer_means_reachable(answering_server: str) -> None:
    assert registry._probe(answering_server, timeout=2.0) is None


def test_offline_variables_answer_without_a_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(registry, "_probe", lambda *a: pytest.fail("asked the hub although offline was set"))
    assert registry.hub_offline_reason() == "HF_HUB_OFFLINE is set"


def test_an_unreachable_hub_is_asked_once_then_the_process_stays_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    endpoint = _closed_port()
    monkeypatch.setattr(registry, "_hub_endpoint", lambda: endpoint)
    calls = []
    real_probe = registry._probe
    monkeypatch.setattr(registry, "_probe", lambda *a: calls.append(a) or real_probe(*a))
    registry.reset_hub_probe()
    try:
        first = registry.hub_offline_reason(timeout=2.0)
        assert first is not None and endpoint in first
        assert os.environ["HF_HUB_OFFLINE"] == "1"
    finally:
        registry.reset_hub_probe()
    assert len(calls) == 1


def test_run_without_models_or_network_fails_fast_with_one_line(tmp_path: Path, silent_server: str) -> None:
    """The issue's case: no local model, a hub that never answers; one line, well under 30 s."""
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE",
                                                           "TRANSLATE_PIPE_MODELS")}
    env.update(HF_ENDPOINT=silent_server, HF_HOME=str(tmp_path / "hf"), PYTHONPATH=str(REPO))
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "translate_pipe.cli", "run", str(REPO / "examples" / "releases"), "--to", "fr",
         "--db", str(tmp_path / "t.db")],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    elapsed = time.monotonic() - start
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1, result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("translate-pipe: error: cannot load model Helsinki-NLP/opus-mt-en-fr for en-fr: ")
    assert f"the model hub ({silent_server}) did not answer within 3 s" in lines[0]
    assert "hf download Helsinki-NLP/opus-mt-en-fr --revision " in lines[0] and "--model en-fr=" in lines[0]
    assert elapsed < 30, f"took {elapsed:.1f} s"


def test_the_registry_pins_commits_and_ships_with_the_package() -> None:
    shipped = (REPO / "translate_pipe" / "data" / "registry.yaml").read_text(encoding="utf-8")
    assert (REPO / "models" / "registry.yaml").read_text(encoding="utf-8") == shipped
    entries = yaml.safe_load(shipped)
    assert re.fullmatch(r"[0-9a-f]{40}", entries["en-fr"]["revision"])
    # en-ar is not pinned yet (its commit could not be checked; see the comment there).
    assert entries["en-ar"]["revision"] == "main"


def test_a_local_folder_is_recorded_as_the_folder(tiny_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    monkeypatch.chdir(tiny_models["en-fr"].parent)
    spec = resolve_model("en-fr", {"en-fr": "opus-mt-en-fr"})
    assert spec.model_id == "Helsinki-NLP/opus-mt-en-fr"
    assert spec.loaded_id == str(tiny_models["en-fr"].resolve())
    hub = resolve_model("en-fr", {})
    assert hub.loaded_id == "Helsinki-NLP/opus-mt-en-fr"


def test_a_run_with_a_local_folder_records_it(releases_dir: Path, tmp_path: Path, model_args: list[str],
                                            fast_config_file: Path, tiny_models: dict[str, Path]) -> None:
    import sqlite3

    from translate_pipe.cli import main

    db = tmp_path / "t.db"
    assert main(["run", str(releases_dir), "--to", "fr", "--db", str(db), "--config", str(fast_config_file), "-q",
                 *model_args]) == 0
    with sqlite3.connect(db) as conn:
        (model_id, revision), = conn.execute("SELECT model_id, revision FROM systems").fetchall()
    assert model_id == str(tiny_models["en-fr"].resolve())
    assert re.fullmatch(r"sha256:[0-9a-f]{16}", revision)


def test_download_hint_names_the_pinned_commit() -> None:
    spec = ModelSpec("en-fr", "Helsinki-NLP/opus-mt-en-fr", "Helsinki-NLP/opus-mt-en-fr", "a" * 40, None, "registry")
    hint = download_hint(spec, "why")
    assert f"hf download Helsinki-NLP/opus-mt-en-fr --revision {'a' * 40} --local-dir models/opus-mt-en-fr" in hint
    unpinned = ModelSpec("en-ar", "Helsinki-NLP/opus-mt-en-ar", "Helsinki-NLP/opus-mt-en-ar", "main", ">>ara<<", "registry")
    assert "--revision" not in download_hint(unpinned, "why")


def _cached_snapshot(cache: Path, model_id: str, commit: str) -> None:
    """A Hugging Face cache entry laid out as the hub client writes it (refs/main -> snapshots/<commit>)."""
    repo = cache / f"models--{model_id.replace('/', '--')}"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit, encoding="utf-8")
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    for name in ("config.json", "model.safetensors", "source.spm", "target.spm", "vocab.json"):
        (snapshot / name).write_text("{}", encoding="utf-8")


def test_models_pin_writes_the_cached_commit_and_keeps_the_comments(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants

    from translate_pipe.translate.registry import is_pinned, load_registry, pin_to_cached_commit

    cache = tmp_path / "hub"
    commit = "0123456789abcdef0123456789abcdef01234567"
    _cached_snapshot(cache, "Helsinki-NLP/opus-mt-en-ar", commit)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    shipped = (REPO / "translate_pipe" / "data" / "registry.yaml").read_text(encoding="utf-8")
    files = [tmp_path / "registry.yaml", tmp_path / "copy.yaml"]
    for path in files:
        path.write_text(shipped, encoding="utf-8")

    assert pin_to_cached_commit("en-ar", files) == (commit, True)
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert load_registry(path)["en-ar"]["revision"] == commit
        assert "unpinned" not in text and "multi-target" in text  # stale notes gone, the others kept
        assert load_registry(path)["en-fr"] == load_registry(REPO / "models" / "registry.yaml")["en-fr"]
    assert pin_to_cached_commit("en-ar", files) == (commit, False)  # idempotent
    assert is_pinned(commit) and not is_pinned("main") and not is_pinned(None)


def test_models_pin_refuses_without_a_cached_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants

    from translate_pipe.errors import ConfigError
    from translate_pipe.translate.registry import pin_to_cached_commit

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "empty"))
    registry = tmp_path / "registry.yaml"
    registry.write_text((REPO / "models" / "registry.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    before = registry.read_bytes()
    with pytest.raises(ConfigError, match="not in the local Hugging Face cache.*hf download Helsinki-NLP/opus-mt-en-ar"):
        pin_to_cached_commit("en-ar", [registry])
    assert registry.read_bytes() == before


def test_doctor_says_how_to_pin_a_cached_model_the_registry_names_by_branch(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants

    from translate_pipe.doctor import check_models

    commit = "fedcba9876543210fedcba9876543210fedcba98"
    _cached_snapshot(tmp_path, "Helsinki-NLP/opus-mt-en-ar", commit)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    monkeypatch.delenv("TRANSLATE_PIPE_MODELS", raising=False)
    checks = {c.topic: c for c in check_models(probe_hub=False)}
    assert checks["model en-ar"].state == "ready"
    assert commit in checks["model en-ar"].detail and "translate-pipe models pin en-ar" in checks["model en-ar"].detail
    assert "models pin" not in checks["model en-fr"].detail  # en-fr is pinned (and not cached here)
