"""End to end through the CLI and the API, on the tiny real-tokenizer Marian models."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from translate_pipe.cli import main
from translate_pipe.config import Config
from translate_pipe.model import TranslationResult
from translate_pipe.pipeline import run_pipeline
from translate_pipe.store import Store
from translate_pipe.translate import load_translator


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("releases", "segments", "translations", "scores", "flags")}


def test_run_stores_scored_pairs_for_both_languages(
    releases_dir: Path, tmp_path: Path, model_args: list[str], fast_config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.db"
    code = main(["run", str(releases_dir), "--to", "ar,fr", "--db", str(db), "--config", str(fast_config_file), *model_args])
    assert code == 0
    err = capsys.readouterr().err
    assert "en→ar:" in err and "en→fr:" in err
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        n_segments = conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0]
        per_lang = dict(conn.execute("SELECT tgt_lang, COUNT(*) FROM translations GROUP BY tgt_lang"))
        scored = conn.execute(
            "SELECT COUNT(DISTINCT translation_id) FROM scores WHERE name = 'logprob_mean'").fetchone()[0]
        systems = [json.loads(d) for (d,) in conn.execute("SELECT decoding FROM systems")]
        titles = [t for (t,) in conn.execute("SELECT title FROM releases")]
    assert n_segments > 10
    assert per_lang == {"ar": n_segments, "fr": n_segments}
    assert scored == 2 * n_segments
    assert {s["beam"] for s in systems} == {2} and {s["target_token"] for s in systems} == {"", ">>ara<<"}
    assert "Council Calls for Ceasefire" in titles  # from the JSON-lines file


def test_second_run_translates_nothing_and_adds_no_rows(
    releases_dir: Path, tmp_path: Path, model_args: list[str], fast_config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.db"
    args = ["run", str(releases_dir), "--to", "fr", "--db", str(db), "--config", str(fast_config_file), *model_args]
    assert main(args) == 0
    before = _counts(db)
    capsys.readouterr()
    assert main(args) == 0
    assert _counts(db) == before
    assert "0 translated, 0 from memory" in capsys.readouterr().err


def test_same_sentence_elsewhere_comes_from_the_memory(
    releases_dir: Path, tmp_path: Path, model_args: list[str], fast_config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "t.db"
    assert main(["run", str(releases_dir), "--to", "fr", "--db", str(db), "--config", str(fast_config_file), *model_args]) == 0
    other = tmp_path / "other.txt"
    other.write_text("A New Title Nobody Used\n\nThe council called for an immediate ceasefire on Saturday. Something new happened.\n",
                     encoding="utf-8")
    capsys.readouterr()
    assert main(["run", str(other), "--to", "fr", "--db", str(db), "--config", str(fast_config_file), *model_args]) == 0
    assert "2 translated, 1 from memory" in capsys.readouterr().err
    with sqlite3.connect(db) as conn:
        texts = conn.execute(
            "SELECT t.text, t.origin FROM translations t JOIN segments s ON s.id = t.segment_id"
            " WHERE s.text = 'The council called for an immediate ceasefire on Saturday.' ORDER BY t.id").fetchall()
    assert len(texts) == 2 and texts[0][0] == texts[1][0] and texts[1][1] == "memory"


class InterruptAfter:
    """A real translator that gets Ctrl-C after ``calls`` batches, like a user would."""

    def __init__(self, inner, calls: int):
        self.inner, self.calls = inner, calls

    @property
    def system(self):
        return self.inner.system

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def translate(self, sources: Sequence[str]) -> list[TranslationResult]:
        if self.calls == 0:
            raise KeyboardInterrupt
        self.calls -= 1
        return self.inner.translate(sources)


def test_interrupted_run_resumes_where_it_stopped(
    releases_dir: Path, tmp_path: Path, tiny_models: dict[str, Path], fast_config: Config, model_args: list[str],
    fast_config_file: Path,
) -> None:
    db = tmp_path / "t.db"
    config = fast_config.with_overrides("translate", batch_size=1)  # chunks of 4 sentences
    overrides = {k: str(v) for k, v in tiny_models.items()}
    with Store(db) as store:
        with pytest.raises(KeyboardInterrupt):
            run_pipeline([str(releases_dir)], ["fr"], config, store,
                         translator_factory=lambda pair: InterruptAfter(load_translator(pair, config.translate, overrides), 1))
        assert store.runs()[-1]["status"] == "interrupted"
    partial = _counts(db)
    assert 0 < partial["translations"] < partial["segments"]
    with sqlite3.connect(db) as conn:
        first = conn.execute("SELECT id, segment_id, text FROM translations ORDER BY id").fetchall()

    assert main(["run", str(releases_dir), "--to", "fr", "--db", str(db), "--config", str(fast_config_file), "-q", *model_args]) == 0
    done = _counts(db)
    assert done["translations"] == done["segments"] == partial["segments"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT id, segment_id, text FROM translations ORDER BY id LIMIT ?",
                            (len(first),)).fetchall() == first
        assert conn.execute("SELECT COUNT(*) FROM (SELECT segment_id FROM translations GROUP BY segment_id, system_id"
                            " HAVING COUNT(*) > 1)").fetchone()[0] == 0


def test_killed_process_resumes(tmp_path: Path, model_args: list[str]) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(30):
        (folder / f"r{n:02d}.txt").write_text(
            f"Release Number {n}\n\nThe minister opened school {n} in the north on Monday. "
            f"It has {n + 10} classrooms. Teachers were hired in {2000 + n}. Pupils arrived early. "
            f"The building cost {n}.5 million dollars.\n", encoding="utf-8")
    config = tmp_path / "slow.yaml"
    config.write_text("translate:\n  max_length: 24\n  beam_size: 2\n  batch_size: 1\n", encoding="utf-8")
    db = tmp_path / "k.db"
    cmd = [sys.executable, "-m", "translate_pipe.cli", "run", str(folder), "--to", "fr", "--db", str(db),
           "--config", str(config), "-q", *model_args]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    killed_at = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                killed_at = _counts(db)["translations"]
            except sqlite3.OperationalError:
                killed_at = 0
            if killed_at > 0:
                proc.send_signal(signal.SIGKILL)
                break
        time.sleep(0.05)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    partial = _counts(db)
    assert 0 < partial["translations"] < partial["segments"] == 180
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    done = _counts(db)
    assert done["translations"] == 180 and done["releases"] == 30


def test_export_formats_after_run(
    releases_dir: Path, tmp_path: Path, model_args: list[str], fast_config_file: Path, tiny_models: dict[str, Path]
) -> None:
    db = tmp_path / "t.db"
    assert main(["run", str(releases_dir), "--to", "ar", "--db", str(db), "--config", str(fast_config_file), "-q", *model_args]) == 0
    out = tmp_path / "out"
    assert main(["export", "--db", str(db), "--lang", "ar", "--format", "jsonl", "--out", str(out / "c.jsonl"), "-q"]) == 0
    records = [json.loads(line) for line in (out / "c.jsonl").read_text(encoding="utf-8").splitlines()]
    assert records and set(records[0]) >= {"release_id", "segment_index", "src_lang", "tgt_lang", "src", "tgt",
                                           "scores", "flags", "model"}
    assert records[0]["tgt_lang"] == "ar" and "logprob_mean" in records[0]["scores"]
    # The folder that was loaded, not the hub id of the model it stands in for.
    assert records[0]["model"].startswith(f"{tiny_models['en-ar'].resolve()}@sha256:")

    assert main(["export", "--db", str(db), "--lang", "ar", "--format", "moses", "--out", str(out / "corpus"), "-q"]) == 0
    en = (out / "corpus.en").read_text(encoding="utf-8").splitlines()
    ar = (out / "corpus.ar").read_text(encoding="utf-8").splitlines()
    assert len(en) == len(ar) == len(records)

    assert main(["export", "--db", str(db), "--lang", "ar", "--format", "release-html", "--out", str(out / "html"), "-q"]) == 0
    pages = sorted((out / "html").glob("*.ar.html"))
    assert len(pages) == 4 and all('dir="rtl"' in p.read_text(encoding="utf-8") for p in pages)

    assert main(["export", "--db", str(db), "--lang", "ar", "--format", "jsonl", "--out", str(out / "none.jsonl"),
                 "--min-score", "1.01", "-q"]) == 0
    assert (out / "none.jsonl").read_text(encoding="utf-8") == ""


def test_references_are_aligned_stored_and_score_the_mt(
    releases_dir: Path, tmp_path: Path, model_args: list[str], fast_config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from .conftest import FIXTURES

    db = tmp_path / "t.db"
    args = ["run", str(releases_dir), "--to", "fr", "--db", str(db), "--config", str(fast_config_file),
            "--reference", f"fr={FIXTURES / 'references' / 'fr'}", *model_args]
    assert main(args) == 0
    assert "1 matched, 1 newly aligned" in capsys.readouterr().err
    with sqlite3.connect(db) as conn:
        beads = conn.execute("SELECT src, tgt, score FROM alignments ORDER BY bead").fetchall()
        french_segments = conn.execute("SELECT COUNT(*) FROM segments WHERE lang = 'fr'").fetchone()[0]
        metrics = dict(conn.execute("SELECT name, COUNT(*) FROM scores WHERE name LIKE 'ref_%' GROUP BY name"))
    assert french_segments >= 8
    # Our MT is noise, yet names, numbers and lengths put the human sentences in place.
    assert ("The U.N. Development Programme welcomed the opening.",
            "Le Programme des Nations unies pour le développement a salué cette inauguration.") in \
        [(s, t) for s, t, _ in beads]
    assert metrics.get("ref_chrf", 0) >= 8 and metrics.get("ref_bleu") == metrics.get("ref_chrf")
    before = _counts(db)
    assert main(args) == 0  # idempotent: nothing aligned or stored twice
    assert _counts(db) == before and "0 newly aligned" in capsys.readouterr().err

    out = tmp_path / "human.jsonl"
    assert main(["export", "--db", str(db), "--lang", "fr", "--format", "jsonl", "--origin", "human",
                 "--out", str(out), "-q"]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == sum(1 for s, t, _ in beads if s and t)
    assert all(r["origin"] == "human" and 0 <= r["scores"]["alignment"] <= 1 for r in records)
    assert all(r["scores"]["human_logprob"] < 0 for r in records)  # forced decoding under the (tiny) model
    # A bead score threshold above every bead leaves them all out, and says how many.
    capsys.readouterr()
    assert main(["export", "--db", str(db), "--lang", "fr", "--format", "jsonl", "--origin", "human",
                 "--out", str(out), "--min-align-score", "1.01"]) == 0
    assert f"left out {len(records)} human beads scored below 1.01" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == ""
    assert main(["evaluate", "--db", str(db), "--lang", "fr", "--test", "none", "--min-align-score", "1.01"]) == 1
    assert "every human bead into fr scores below 1.01" in capsys.readouterr().err

    # The stored references evaluate the stored MT, through sacrebleu.
    capsys.readouterr()
    assert main(["evaluate", "--db", str(db), "--lang", "fr", "--test", "none", "--json"]) == 0
    evaluation = json.loads(capsys.readouterr().out)
    assert evaluation["systems"] == ["mt"] and 0 <= evaluation["scores"]["mt"]["chrf"]["score"] < 100
    assert len(evaluation["worst"]) == min(10, len(records))


def test_monte_carlo_dropout_for_doubtful_pairs(
    releases_dir: Path, tmp_path: Path, model_args: list[str], fast_config_file: Path
) -> None:
    db = tmp_path / "t.db"
    assert main(["run", str(releases_dir / "2024-03-harbour.txt"), "--to", "fr", "--db", str(db),
                 "--config", str(fast_config_file), "--qe-dropout", "4", "--backend", "transformers", "-q",
                 *model_args]) == 0
    with sqlite3.connect(db) as conn:
        spreads = [v for (v,) in conn.execute("SELECT value FROM scores WHERE name = 'dropout_std'")]
        doubtful = conn.execute("SELECT COUNT(*) FROM translations WHERE label != 'good'").fetchone()[0]
    # Random weights: every pair is doubtful; dropout makes the passes differ.
    assert len(spreads) == doubtful > 0 and all(v > 0 for v in spreads)
