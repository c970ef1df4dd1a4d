"""translate-pipe doctor: models, database, backends, GPU and extras on one screen."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from translate_pipe.cli import main
from translate_pipe.doctor import check_database, check_models, run_checks


def _lines(text: str) -> dict[str, str]:
    return {line.split("  ", 1)[0].strip(): line for line in text.splitlines() if line.strip()}


def test_ready_with_local_models_then_counts_the_database(
    tiny_models: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    releases_dir: Path, fast_config_file: Path,
) -> None:
    monkeypatch.setenv("TRANSLATE_PIPE_MODELS", str(tiny_models["en-fr"].parent))
    db = tmp_path / "t.db"
    assert main(["doctor", "--db", str(db)]) == 0
    lines = _lines(capsys.readouterr().out)
    assert str(tiny_models["en-fr"].resolve()) in lines["model en-fr"] and " ok " in lines["model en-fr"]
    assert "found by $TRANSLATE_PIPE_MODELS" in lines["model en-ar"]
    assert "not created yet" in lines["database"]
    assert not db.exists()  # looking never creates it
    assert "ctranslate2 " in lines["backends"] and "torch " in lines["backends"]
    assert "GPU" in lines and lines["ready to run"]

    assert main(["run", str(releases_dir), "--to", "fr", "--db", str(db), "--config", str(fast_config_file), "-q"]) == 0
    capsys.readouterr()
    assert main(["doctor", "--db", str(db)]) == 0
    assert "(SQLite): 4 releases, 1 runs" in _lines(capsys.readouterr().out)["database"]


def test_missing_models_say_how_to_get_them_and_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("TRANSLATE_PIPE_MODELS", raising=False)
    assert main(["doctor", "--db", str(tmp_path / "t.db")]) == 1
    out = capsys.readouterr().out
    lines = _lines(out)
    assert "MISSING" in lines["model en-fr"] and "HF_HUB_OFFLINE is set" in lines["model en-fr"]
    assert "hf download Helsinki-NLP/opus-mt-en-fr --revision " in lines["model en-fr"]
    assert out.rstrip().endswith("not ready: 2 missing (model en-ar, model en-fr)")


def test_a_folder_without_weights_is_missing(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    broken = tmp_path / "opus-mt-en-fr"
    shutil.copytree(tiny_models["en-fr"], broken)
    for name in ("model.safetensors", "pytorch_model.bin"):
        (broken / name).unlink(missing_ok=True)
    (check,) = [c for c in check_models({"en-fr": str(broken)}, probe_hub=False) if c.topic == "model en-fr"]
    assert check.state == "missing" and check.detail.endswith("lacks weights")


def test_a_file_that_is_no_database_is_reported(tmp_path: Path) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("not a database" * 100, encoding="utf-8")
    check = check_database(str(notes))
    assert check.state == "missing" and "cannot open as a translate-pipe database" in check.detail
    assert notes.read_text(encoding="utf-8").startswith("not a database")


def test_every_check_has_a_known_state(tmp_path: Path) -> None:
    checks = run_checks(str(tmp_path / "x.db"), probe_hub=False)
    assert {c.state for c in checks} <= {"ready", "missing", "optional", "info"}
    assert {"database", "backends", "GPU", "extra postgres", "extra ray", "browser tests"} <= {c.topic for c in checks}
