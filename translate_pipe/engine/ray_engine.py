"""The Ray engine: read, segment, translate and score on a Ray cluster.

Ray Data reads the input files and runs the same ingest and segment functions as the
local engine on the workers. Translation runs in ``map_batches`` over an actor pool:
each actor loads its model once (on a GPU when asked) and turns a chunk of sentences
into a Parquet shard, written under a name derived from the chunk's content and
renamed into place when complete. The driver merges each shard into the store as it
arrives; the store's unique keys make a merge idempotent.

So a task retried after a worker dies rewrites the same shard and adds nothing twice;
an interrupted run leaves its shards behind, and the next run merges them before it
translates what is still missing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, replace
from pathlib import Path

from ..config import Config, IngestConfig
from ..errors import ConfigError
from ..ingest import Skipped, learn_furniture, origin_label, releases_from_bytes, scan_inputs
from ..model import Flag, PairScores, Paragraph, Release, Segment
from ..scoring import PairScorer
from ..segment import segment_release
from ..translate import Translator, load_translator
from . import KnownRelease, ReadItem, ScoredTranslation, plan_chunks, translate_chunk

log = logging.getLogger(__name__)

INSTALL_HINT = 'the ray engine needs Ray Data: pip install "translate-pipe[ray]"'

# Environment the workers need to find models, caches and the offline switches.
_FORWARDED_ENV = ("TRANSLATE_PIPE_CACHE", "TRANSLATE_PIPE_MODELS", "HF_HOME", "HF_HUB_OFFLINE",
                  "TRANSFORMERS_OFFLINE", "HF_HUB_CACHE")


def _ray():
    try:
        import ray
        import ray.data  # noqa: F401 - Ray Data is a separate extra of Ray
    except ImportError:
        raise ConfigError(INSTALL_HINT) from None
    return ray


class RayEngine:
    """Runs the heavy stages on Ray; the driver (this process) only stores.

    ``address`` is ``None`` for a new local cluster, ``auto`` for the cluster this
    machine belongs to, or ``ray://host:port``. ``workers`` is the number of
    translation actors (default: as many as the cluster's CPUs allow at
    ``cpus_per_worker`` each). ``shard_dir`` must be visible to the workers and the
    driver alike (a shared file system on a real cluster).
    """

    name = "ray"
    # Each translate call starts a pool of actors that load the model: few, large windows.
    window_releases = 20_000

    def __init__(self, config: Config, model_overrides: dict[str, str] | None = None, *,
                 address: str | None = None, workers: int | None = None, cpus_per_worker: float = 1.0,
                 gpus_per_worker: float = 0.0, shard_dir: str | Path | None = None):
        ray = _ray()
        if workers is not None and workers < 1:
            raise ConfigError(f"--workers must be at least 1, not {workers}")
        if gpus_per_worker < 0 or cpus_per_worker <= 0:
            raise ConfigError("--gpus-per-worker must be >= 0 and CPUs per worker > 0")
        self.config = config
        self.model_overrides = {pair: str(Path(path).resolve()) for pair, path in (model_overrides or {}).items()}
        self.cpus_per_worker = cpus_per_worker
        self.gpus_per_worker = gpus_per_worker
        self._owns_cluster = False
        if not ray.is_initialized():
            env = {name: os.environ[name] for name in _FORWARDED_ENV if name in os.environ}
            try:
                ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False,
                         runtime_env={"env_vars": env} if env else None)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise ConfigError(f"cannot start or reach the Ray cluster {address or '(local)'}: {exc}") from None
            self._owns_cluster = True
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)  # the plan and timing of each dataset
        cpus = float(ray.cluster_resources().get("CPU", 1.0))
        self.workers = workers or max(int(cpus // cpus_per_worker), 1)
        self._own_shards = shard_dir is None
        self.shard_root = Path(shard_dir) if shard_dir else Path(tempfile.mkdtemp(prefix="translate-pipe-shards-"))
        self._local_translators: dict[str, Translator] = {}

    # --- ingest and segment ------------------------------------------------------------

    def read(self, inputs: Sequence[str], config: IngestConfig, known: KnownRelease | None = None
             ) -> Iterator[ReadItem]:
        # The workers segment every release (they cannot ask the store); ``known`` is not needed.
        ray = _ray()
        entries = list(scan_inputs(inputs))
        yield from (entry for entry in entries if isinstance(entry, Skipped))  # as the local engine reports them
        origins = {str(path.resolve()): origin_label(path) for path in entries if not isinstance(path, Skipped)}
        # Learned once from the whole batch, as the local engine does, so both drop the same lines.
        furniture = learn_furniture(origins.values(), config)
        dataset = ray.data.read_binary_files(list(origins), include_paths=True)
        rows = dataset.flat_map(_read_file, fn_kwargs={"origins": origins, "config": config, "furniture": furniture})
        # Streamed to the driver (never all in memory at once), in input order as the local engine reads.
        rows.context.execution_options.preserve_order = True
        for row in rows.iter_rows():
            yield _decode_item(json.loads(row["item"]))

    # --- translate and score -----------------------------------------------------------

    def translator(self, pair: str) -> Translator:
        """The model in the driver: its system signature keys the store, and it aligns references.

        Loading it here also converts it for CTranslate2 once, before the workers look
        for the conversion in the shared cache.
        """
        if pair not in self._local_translators:
            self._local_translators[pair] = load_translator(pair, self.config.translate, self.model_overrides)
        return self._local_translators[pair]

    def translate(self, pair: str, translator: Translator, chunks: list[list[str]]) -> Iterator[list[ScoredTranslation]]:
        ray = _ray()
        shard_dir = self.shard_root / hashlib.sha1(translator.system.signature().encode()).hexdigest()[:16]
        shard_dir.mkdir(parents=True, exist_ok=True)
        wanted = {text for chunk in chunks for text in chunk}
        # Shards an interrupted run wrote but did not merge: merge them, translate the rest.
        for shard in sorted(shard_dir.glob("*.parquet")):
            found = [result for result in read_shard(shard) if result.src in wanted]
            wanted.difference_update(result.src for result in found)
            if found:
                yield found
        todo = plan_chunks(wanted, max(len(chunk) for chunk in chunks)) if wanted else []
        if todo:
            items = [{"key": _chunk_key(chunk), "texts": json.dumps(chunk, ensure_ascii=False)} for chunk in todo]
            dataset = ray.data.from_items(items, override_num_blocks=len(items))
            done = dataset.map_batches(
                _TranslateChunks,
                batch_size=1,
                compute=ray.data.ActorPoolStrategy(size=min(self.workers, len(items))),
                fn_constructor_kwargs={"pair": pair, "config": self.config, "overrides": self.model_overrides,
                                       "shard_dir": str(shard_dir), "cpus": self.cpus_per_worker},
                num_cpus=self.cpus_per_worker,
                num_gpus=self.gpus_per_worker or None,
                # Ray Data's actor pools restart a dead actor and retry its chunk (max_restarts
                # and max_task_retries default to -1 there); the retry rewrites the same shard.
            )
            for row in done.iter_rows():
                yield read_shard(Path(row["shard"]))
        shutil.rmtree(shard_dir, ignore_errors=True)

    def close(self) -> None:
        if self._own_shards:
            shutil.rmtree(self.shard_root, ignore_errors=True)
        else:
            try:
                self.shard_root.rmdir()  # only when every language merged its shards
            except OSError:
                pass
        if self._owns_cluster:
            _ray().shutdown()


class _TranslateChunks:
    """A Ray actor: one model, loaded once, turning chunks of sentences into shards."""

    def __init__(self, pair: str, config: Config, overrides: dict[str, str], shard_dir: str, cpus: float):
        threads = max(int(cpus), 1)
        translate = config.translate
        # A worker owns its CPUs only: size the backend's threads to them unless the config says.
        translate = replace(translate, inter_threads=translate.inter_threads or threads,
                            intra_threads=translate.intra_threads or 1, threads=translate.threads or threads)
        self.config = replace(config, translate=translate)
        self.translator = load_translator(pair, translate, overrides)
        self.scorer = PairScorer(config.score, max_length=config.translate.max_length)
        self.tgt_lang = pair.split("-", 1)[1]
        self.shard_dir = Path(shard_dir)

    def __call__(self, batch: dict) -> dict:
        keys, shards = [], []
        for key, texts in zip(batch["key"], batch["texts"]):
            results = translate_chunk(self.translator, self.scorer, json.loads(str(texts)), self.tgt_lang,
                                      self.config.score.qe_dropout)
            path = self.shard_dir / f"{key}.parquet"
            write_shard(results, path)
            keys.append(str(key))
            shards.append(str(path))
        return {"key": keys, "shard": shards}


def _chunk_key(chunk: list[str]) -> str:
    return hashlib.sha1("\n".join(chunk).encode("utf-8")).hexdigest()[:20]


def write_shard(results: list[ScoredTranslation], path: Path) -> None:
    """Results as one Parquet file, written beside and renamed into place (never half there)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "src": [r.src for r in results],
        "tgt": [r.tgt for r in results],
        "combined": [r.scores.combined for r in results],
        "label": [r.scores.label for r in results],
        # Score names differ between backends; JSON keeps the shard schema fixed.
        "values": [json.dumps(r.scores.values) for r in results],
        "flags": [json.dumps([[f.name, f.reason] for f in r.scores.flags]) for r in results],
    })
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    pq.write_table(table, partial)
    os.replace(partial, path)


def read_shard(path: Path) -> list[ScoredTranslation]:
    import pyarrow.parquet as pq

    rows = pq.read_table(path).to_pylist()
    return [
        ScoredTranslation(row["src"], row["tgt"], PairScores(
            values=json.loads(row["values"]),
            flags=tuple(Flag(name, reason) for name, reason in json.loads(row["flags"])),
            combined=row["combined"],
            label=row["label"],
        ))
        for row in rows
    ]


def _read_file(row: dict, origins: dict[str, str], config: IngestConfig, furniture=None) -> list[dict]:
    """Ray Data ``flat_map``: one input file's bytes to its releases, segmented, as JSON rows."""
    path = str(row["path"])
    origin = origins.get(path) or origins.get("/" + path.lstrip("/"), path)
    return [{"item": json.dumps(_encode_item(item), ensure_ascii=False)}
            for item in releases_from_bytes(origin, bytes(row["bytes"]), config, furniture=furniture)]


def _encode_item(item: Release | Skipped) -> dict:
    if isinstance(item, Skipped):
        return {"skipped": [item.origin, item.reason]}
    return {"release": asdict(item), "segments": [asdict(s) for s in segment_release(item)]}


def _decode_item(data: dict) -> ReadItem:
    if "skipped" in data:
        return Skipped(*data["skipped"])
    fields = dict(data["release"])
    fields["paragraphs"] = tuple(Paragraph(**p) for p in fields["paragraphs"])
    fields["dropped"] = tuple(fields["dropped"])
    fields["warnings"] = tuple(fields.get("warnings", ()))
    return Release(**fields), [Segment(**s) for s in data["segments"]]


__all__ = ["INSTALL_HINT", "RayEngine", "read_shard", "write_shard"]
