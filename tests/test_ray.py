"""The Ray engine against the local one, on one local Ray cluster shared by the session.

The same 50 releases (text files plus a Parquet file) go through ``--engine local`` and
``--engine ray`` with the tiny real-tokenizer model; the exports must be identical, also
when a translation actor is killed in the middle of the run.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from translate_pipe.cli import main
from translate_pipe.config import load_config
from translate_pipe.errors import ConfigError
from translate_pipe.pipeline import run_pipeline
from translate_pipe.store import Store

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'translate-pipe[ray]')")
pytest.importorskip("pyarrow")

pytestmark = pytest.mark.ray

CITIES = ["Tartus", "Homs", "Aleppo", "Latakia", "Hama", "Idlib", "Daraa", "Raqqa", "Palmyra", "Qamishli"]


def _release_text(i: int) -> str:
    city = CITIES[i % len(CITIES)]
    return (f"New School Opens in {city} District {i}\n\n"
            f"The ministry opened a new school in {city} on Tuesday, serving {100 + 7 * i} pupils. "
            f"Dr. Haddad said it cost {i + 2}.5 million dollars.\n\n"
            f"\"We will open more schools,\" he said. The U.N. welcomed the step. (Source: Ministry of Education)")


@pytest.fixture(scope="session")
def ray_cluster(conversion_cache: Path) -> object:
    """One local cluster for every Ray test: starting one costs seconds."""
    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False,
                 object_store_memory=256 * 1024 * 1024,
                 runtime_env={"env_vars": {k: os.environ[k] for k in ("TRANSLATE_PIPE_CACHE", "HF_HUB_OFFLINE")
                                           if k in os.environ}})
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """50 releases: 40 text files and a Parquet file with 10 more."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path_factory.mktemp("ray-corpus")
    for i in range(40):
        (folder / f"r{i:02d}.txt").write_text(f"{1 + i % 28} March 2024\n\n{_release_text(i)}\n", encoding="utf-8")
    records = [{"id": f"pq-{i}", "title": None, "date": "2024-04-01", "text": _release_text(i)} for i in range(40, 50)]
    pq.write_table(pa.Table.from_pylist(records), folder / "more.parquet")
    return folder


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Small chunks (batch_size * 4 sentences) so the work is spread over many actor calls.
    path = tmp_path_factory.mktemp("ray-config") / "fast.yaml"
    path.write_text("translate:\n  max_length: 12\n  beam_size: 2\n  batch_size: 2\n", encoding="utf-8")
    return path


def _exports(db: Path | str, out: Path) -> dict[str, list[str]]:
    exported = {}
    for lang in ("ar", "fr"):
        path = out / f"{Path(str(db)).stem}.{lang}.jsonl"
        assert main(["export", "--db", str(db), "--lang", lang, "--format", "jsonl", "--out", str(path),
                     "--keep-duplicates", "-q"]) == 0
        exported[lang] = path.read_text(encoding="utf-8").splitlines()
    return exported


@pytest.fixture(scope="module")
def local_exports(corpus: Path, config_file: Path, tiny_models: dict[str, Path],
                  tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    folder = tmp_path_factory.mktemp("ray-local")
    db = folder / "local.db"
    models = [arg for pair, path in tiny_models.items() for arg in ("--model", f"{pair}={path}")]
    assert main(["run", str(corpus), "--to", "ar,fr", "--db", str(db), "--config", str(config_file), "-q", *models]) == 0
    return _exports(db, folder)


def _ray_run(corpus: Path, config_file: Path, tiny_models: dict[str, Path], db: Path | str) -> int:
    models = [arg for pair, path in tiny_models.items() for arg in ("--model", f"{pair}={path}")]
    return main(["run", str(corpus), "--to", "ar,fr", "--db", str(db), "--config", str(config_file), "-q",
                 "--engine", "ray", "--workers", "2", *models])


def test_ray_engine_stores_exactly_what_the_local_engine_stores(
    ray_cluster, corpus: Path, config_file: Path, tiny_models: dict[str, Path], local_exports, tmp_path: Path
) -> None:
    db = tmp_path / "ray.db"
    assert _ray_run(corpus, config_file, tiny_models, db) == 0
    exported = _exports(db, tmp_path)
    assert len(exported["fr"]) == 300 and len(exported["ar"]) == 300
    assert exported == local_exports  # texts, every score and flag, in the same order
    assert not (tmp_path / "ray.db.shards").exists()  # merged shards are removed
    # A second run finds everything done and adds nothing.
    assert _ray_run(corpus, config_file, tiny_models, db) == 0
    assert _exports(db, tmp_path) == local_exports


@pytest.mark.postgres
def test_ray_engine_merges_into_a_postgres_store(
    ray_cluster, corpus: Path, config_file: Path, tiny_models: dict[str, Path], local_exports, tmp_path: Path,
    postgres_url: str,
) -> None:
    pytest.importorskip("psycopg")
    assert _ray_run(corpus, config_file, tiny_models, postgres_url) == 0
    assert _exports(postgres_url, tmp_path) == local_exports
    assert _ray_run(corpus, config_file, tiny_models, postgres_url) == 0  # nothing to add
    assert _exports(postgres_url, tmp_path) == local_exports


def _actor_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"_TranslateChunks" in command:
                pids.append(int(entry.name))
    return pids


def test_a_killed_actor_loses_and_duplicates_nothing(
    ray_cluster, corpus: Path, config_file: Path, tiny_models: dict[str, Path], local_exports, tmp_path: Path
) -> None:
    db = tmp_path / "ray.db"
    shards = Path(f"{db}.shards")
    killed: list[int] = []

    def kill_one_actor_after_the_first_shard() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            pids = _actor_pids()
            if pids and any(shards.rglob("*.parquet")):
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])
            time.sleep(0.02)

    killer = threading.Thread(target=kill_one_actor_after_the_first_shard, daemon=True)
    killer.start()
    assert _ray_run(corpus, config_file, tiny_models, db) == 0
    killer.join(5)
    assert killed, "no translation actor was seen to kill"
    assert _exports(db, tmp_path) == local_exports


def test_shards_left_by_an_interrupted_run_are_merged_not_redone(
    ray_cluster, corpus: Path, config_file: Path, tiny_models: dict[str, Path], local_exports, tmp_path: Path
) -> None:
    from translate_pipe.engine import plan_chunks
    from translate_pipe.engine.ray_engine import RayEngine

    config = load_config(config_file)
    overrides = {pair: str(path) for pair, path in tiny_models.items()}
    shard_dir = tmp_path / "shards"
    engine = RayEngine(config, overrides, workers=2, shard_dir=shard_dir)
    translator = engine.translator("en-fr")
    texts = [f"The ministry opened school number {i}." for i in range(40)]
    results = engine.translate("en-fr", translator, plan_chunks(texts, 8))
    first = next(results)  # the driver dies here: shards are written, nothing is merged
    results.close()
    left = list(shard_dir.rglob("*.parquet"))
    assert left and len(first) == 8
    mtimes = {path: path.stat().st_mtime_ns for path in left}
    again = [r for batch in engine.translate("en-fr", translator, plan_chunks(texts, 8)) for r in batch]
    assert sorted(r.src for r in again) == sorted(texts)
    assert all(path.stat().st_mtime_ns == mtime for path, mtime in mtimes.items() if path.exists())
    assert not list(shard_dir.rglob("*.parquet"))
    # Same results as translating in this process.
    local = {t: r.text for t, r in zip(texts, translator.translate(texts))}
    assert {r.src: r.tgt for r in again} == local
    engine.close()


def test_parquet_export_reads_back_with_datasets(ray_cluster, local_exports, tmp_path: Path, corpus: Path,
                                                 config_file: Path, tiny_models: dict[str, Path]) -> None:
    datasets = pytest.importorskip("datasets")
    db = tmp_path / "local.db"
    with Store(db) as store:
        run_pipeline([str(corpus)], ["fr"], load_config(config_file), store,
                     {pair: str(path) for pair, path in tiny_models.items()})
    out = tmp_path / "fr.parquet"
    assert main(["export", "--db", str(db), "--lang", "fr", "--format", "parquet", "--out", str(out),
                 "--keep-duplicates", "-q"]) == 0
    loaded = datasets.load_dataset("parquet", data_files=str(out), split="train")
    records = [json.loads(line) for line in local_exports["fr"]]
    assert len(loaded) == len(records)
    assert loaded[0]["translation"] == {"en": records[0]["src"], "fr": records[0]["tgt"]}
    assert loaded[0]["score_logprob_mean"] == pytest.approx(records[0]["scores"]["logprob_mean"])
    assert loaded[0]["flags"] == [f["name"] for f in records[0]["flags"]]


def test_ray_missing_says_how_to_install(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path, corpus: Path) -> None:
    import sys

    from translate_pipe.engine.ray_engine import RayEngine

    monkeypatch.setitem(sys.modules, "ray", None)  # what an environment without Ray looks like to import
    with pytest.raises(ConfigError, match=r"pip install \"translate-pipe\[ray\]\""):
        RayEngine(load_config(None))
    assert main(["run", str(corpus), "--to", "fr", "--db", str(tmp_path / "x.db"), "--engine", "ray"]) == 2
    assert "translate-pipe[ray]" in capsys.readouterr().err
