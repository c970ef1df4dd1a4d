"""MarianMT on CTranslate2: int8 on the CPU, float16 on a GPU.

The backend takes the same model folders (or hub ids) as the transformers backend and
converts each once with CTranslate2's own converter; the conversion is cached under
``$TRANSLATE_PIPE_CACHE`` (default ``~/.cache/translate-pipe``) by the weights'
fingerprint and the compute type, so a changed model is converted again. The cached
folder holds the model's SentencePiece files too, and a run on a cached conversion
imports neither torch nor transformers (only the first conversion does): tokenization
is :class:`MarianSentencePiece`, the device count is CTranslate2's own.

Confidence scores come from CTranslate2's own scoring of the chosen output
(``score_batch``): the log-probability of each output token under the model with the
full vocabulary, as in the other backend (the beam search's ``return_scores`` would
give only their length-normalised sum, and over a vocabulary shortlist when ``vmap``
is on). CTranslate2 does not expose the full softmax, so there is no entropy, and no
dropout.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from ..atomic import atomic_write_text
from ..config import TranslateConfig
from ..errors import ConfigError, ModelLoadError, OutputError
from ..model import TranslationResult
from .base import SystemInfo, decoding_settings, resolve_device
from .batching import balanced_batches, translate_in_pieces
from .marian_vocab import FILES as TOKENIZER_FILES
from .marian_vocab import MarianSentencePiece
from .registry import ModelSpec

log = logging.getLogger(__name__)

CACHE_ENV = "TRANSLATE_PIPE_CACHE"


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "translate-pipe")


def _import_ctranslate2():
    try:
        import ctranslate2
    except ImportError:
        raise ConfigError(
            "the ctranslate2 backend needs the ctranslate2 package: pip install ctranslate2 "
            "(or use --backend transformers)"
        ) from None
    return ctranslate2


def local_fingerprint(folder: Path) -> str:
    """:func:`weights_fingerprint` of a local model folder, remembered by the files' size and
    modification time, so a run on a cached conversion does not hash 300 MB of weights
    again (0.3-0.5 s here). A changed file has a new size or time and is hashed anew.
    """
    from .marian import _WEIGHT_FILES, weights_fingerprint

    folder = folder.resolve()
    stamp = []
    for name in _WEIGHT_FILES + ("config.json", "vocab.json"):
        path = folder / name
        if path.exists():
            info = path.stat()
            stamp.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
    key = f"{folder}|{'|'.join(stamp)}"
    index_path = cache_dir() / "ct2" / "fingerprints.json"
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        index = {}
    if isinstance(index, dict) and isinstance(index.get(key), str):
        return index[key]
    fingerprint = weights_fingerprint(folder)
    index = {k: v for k, v in (index.items() if isinstance(index, dict) else ()) if not k.startswith(f"{folder}|")}
    index[key] = fingerprint
    try:
        index_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(index_path, json.dumps(index, indent=0, sort_keys=True))
    except (OSError, OutputError) as exc:  # a read-only cache only costs the hashing next time
        log.debug("cannot remember the fingerprint in %s: %s", index_path, exc)
    return fingerprint


def _model_source(spec: ModelSpec) -> tuple[Path, str]:
    """The local folder with the transformers weights of ``spec``, and their revision."""
    from .marian import _looks_like_path, local_snapshot

    if spec.is_local:
        folder = Path(spec.location)
        missing = [name for name in ("config.json",) + TOKENIZER_FILES if not (folder / name).exists()]
        if missing:
            raise ModelLoadError(
                f"{spec.location}: not a Marian model folder (missing {', '.join(missing)}); "
                f"it needs the files of {spec.model_id} as saved by save_pretrained")
        return folder, local_fingerprint(folder)
    if _looks_like_path(spec.location):
        raise ModelLoadError(f"{spec.location}: no such model folder (given by {spec.found_by})")
    # A hub model is converted from its local snapshot: no weights are loaded just to
    # learn the revision, so a cached conversion costs nothing on later runs.
    return local_snapshot(spec)


def convert_model(spec: ModelSpec, compute_type: str, out: Path | None = None,
                  force: bool = False) -> tuple[Path, str]:
    """Convert the transformers Marian model of ``spec`` to CTranslate2, cached unless ``force``.

    Returns the CTranslate2 folder (with the model's SentencePiece files beside
    ``model.bin``) and the revision of the weights it was made from. Only a conversion
    imports transformers and torch (CTranslate2's converter reads the weights with them).
    """
    source, revision = _model_source(spec)
    name = f"{spec.model_id.replace('/', '--')}-{revision.replace(':', '-')}-{compute_type}"
    target = out or cache_dir() / "ct2" / name
    if (target / "model.bin").exists() and not force:
        if not all((target / f).exists() for f in TOKENIZER_FILES):  # converted by an older version
            _copy_tokenizer_files(source, target)
        return target, revision
    ctranslate2 = _import_ctranslate2()
    _quiet_transformers()
    target.parent.mkdir(parents=True, exist_ok=True)
    quantization = None if compute_type in ("default", "float32", "auto") else compute_type
    log.info("converting %s to CTranslate2 (%s) in %s", spec.location, compute_type, target)
    # Convert into a fresh folder and rename: an interrupted conversion leaves no half model.
    staging = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        ctranslate2.converters.TransformersConverter(str(source)).convert(
            str(staging), quantization=quantization, force=True)
        _copy_tokenizer_files(source, staging)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except Exception as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ModelLoadError(f"{spec.location}: CTranslate2 could not convert the model: {exc}") from None
    return target, revision


def _quiet_transformers() -> None:
    """The converter loads the weights with transformers, whose progress bars would
    interleave with ours on stderr."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # the converter will say what is missing
        return
    hf_logging.disable_progress_bar()


def _copy_tokenizer_files(source: Path, target: Path) -> None:
    for name in TOKENIZER_FILES:
        shutil.copyfile(source / name, target / name)


def with_vocab_map(model_dir: Path, vocab_map: str | Path) -> Path:
    """A sibling of ``model_dir`` that has ``vocab_map`` as its ``vmap.txt`` (the name
    CTranslate2 reads with ``use_vmap``), the model's files linked, not copied; named by
    the map's content, so runs with different maps never share a folder."""
    from .vocab_map import vocab_map_digest

    target = model_dir.parent / f"{model_dir.name}-vmap-{vocab_map_digest(vocab_map)}"
    if (target / "vmap.txt").exists():
        return target
    staging = Path(tempfile.mkdtemp(prefix=".vmap-", dir=model_dir.parent))
    for item in model_dir.iterdir():
        (staging / item.name).symlink_to(item.resolve())
    shutil.copyfile(vocab_map, staging / "vmap.txt")
    try:
        staging.rename(target)
    except OSError:  # another process made it first
        shutil.rmtree(staging, ignore_errors=True)
    return target


def worker_threads(device: str, cores: int, config: TranslateConfig) -> tuple[int, int]:
    """CTranslate2's ``inter_threads`` (batches decoded at once) and ``intra_threads`` (threads each).

    On the CPU, one batch per core with one thread each: measured on 2 cores, several
    batches in flight beat one batch over all cores by far (decoding is latency-bound
    per batch), and even a lone sentence decodes faster on one thread than on two
    (0.82 s against 1.72 s, L = 45, beam 4, best of six at load 2). On a GPU every inter thread is another copy of the model on the device
    and a call's sentences would be cut into that many small batches, so one worker
    decodes large batches there. The config overrides either.
    """
    inter = config.inter_threads or (1 if device == "cuda" else cores)
    intra = config.intra_threads or max(cores // inter, 1)
    return inter, intra


class CTranslate2Translator:
    """One converted MarianMT model on CTranslate2, translating one language pair."""

    backend_name = "ctranslate2"

    def __init__(self, spec: ModelSpec, config: TranslateConfig):
        ctranslate2 = _import_ctranslate2()
        self.spec, self.config = spec, config
        device = resolve_device(config.device, ctranslate2.get_cuda_device_count())
        self.device = "cuda" if device.startswith("cuda") else "cpu"
        self.device_index = int(device.partition(":")[2] or 0)
        compute_type = config.compute_type
        if compute_type == "auto":
            compute_type = "float16" if self.device == "cuda" else "int8"
        self.compute_type = compute_type
        self.model_dir, revision = convert_model(spec, compute_type)
        if config.vocab_map:
            self.model_dir = with_vocab_map(self.model_dir, config.vocab_map)
        inter, intra = worker_threads(self.device, os.cpu_count() or 1, config)
        self.inter_threads = inter
        # CTranslate2 releases the GIL while it reads and prepares the weights (0.1 s for
        # opus-mt int8), so the tokenizers load meanwhile: start-up counts the longer, not both.
        loaded: dict[str, object] = {}

        def load_model() -> None:
            try:
                loaded["model"] = ctranslate2.Translator(
                    str(self.model_dir), device=self.device, device_index=self.device_index,
                    compute_type=compute_type, inter_threads=inter, intra_threads=intra)
            except (RuntimeError, ValueError) as exc:
                loaded["error"] = exc

        loader = threading.Thread(target=load_model, name="ctranslate2-load", daemon=True)
        loader.start()
        try:
            self.tokenizer = MarianSentencePiece(self.model_dir, spec.target_token)
        finally:
            loader.join()
        if spec.target_token and spec.target_token not in self.tokenizer.vocab:
            raise ModelLoadError(
                f"{spec.location}: the model's vocabulary has no target token {spec.target_token} "
                f"that models/registry.yaml requires for {spec.pair}: wrong model?")
        if "error" in loaded:
            raise ModelLoadError(f"{self.model_dir}: CTranslate2 cannot load the model: {loaded['error']}")
        self.translator = loaded["model"]
        # opus-mt models have 512 positions; the prefix token and </s> count against them.
        self.max_input_tokens = min(config.max_input_tokens, 510)
        self._system = SystemInfo(
            model_id=spec.loaded_id,
            revision=revision,
            src_lang=spec.src_lang,
            tgt_lang=spec.tgt_lang,
            backend=f"{self.backend_name}-{compute_type}",
            decoding={**decoding_settings(config, self.max_input_tokens, spec.target_token),
                      **({"vocab_map": self.model_dir.name.rsplit("-vmap-", 1)[1]} if config.vocab_map else {})},
        )

    @property
    def system(self) -> SystemInfo:
        return self._system

    def _source_tokens(self, text: str) -> list[str]:
        return self.tokenizer.source_tokens(text)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.source_tokens(text))

    def translate(self, sources: Sequence[str]) -> list[TranslationResult]:
        return translate_in_pieces(sources, self.count_tokens, self.max_input_tokens, self._translate_pieces)

    def translate_text(self, sources: Sequence[str]) -> list[str]:
        """The translations alone, for callers that show no confidence (`translate-pipe translate`).

        The same beam search and output as :meth:`translate`, without the scoring pass
        (about a seventh of the CPU, and 0.08 s before a lone sentence's line can be written).
        """
        results = translate_in_pieces(sources, self.count_tokens, self.max_input_tokens,
                                      lambda pieces: self._translate_pieces(pieces, with_scores=False))
        return [r.text for r in results]

    def _translate_pieces(self, pieces: list[str], with_scores: bool = True) -> list[TranslationResult]:
        todo = [i for i, text in enumerate(pieces) if text.strip()]
        results = [TranslationResult("", 0.0, 0.0, None, 0) for _ in pieces]
        if not todo:
            return results
        source_tokens = [self._source_tokens(pieces[i]) for i in todo]
        # Our own batches, each one call that one of the inter_threads workers decodes,
        # balanced so the workers finish together (see balanced_batches), and on the CPU of at
        # most translate.batch_size sentences: a worker's memory grows with its batch's rows
        # (peak 818 MB for 120 sentences in batches of up to 45, 451 MB in batches of 16,
        # the same CPU time within the noise). A GPU's one worker wants large batches and has
        # the memory for them (not measured: no GPU here), so there the token budget alone cuts.
        most = self.config.batch_size if self.device == "cpu" else None
        in_flight = []
        for batch in balanced_batches([len(t) for t in source_tokens], self.inter_threads,
                                      self.config.max_batch_tokens, most):
            in_flight.append((batch, self.translator.translate_batch(
                [source_tokens[i] for i in batch],
                beam_size=self.config.beam_size,
                max_decoding_length=self.config.max_length,
                use_vmap=bool(self.config.vocab_map),
                asynchronous=True,
            )))
        if not with_scores:
            for batch, batch_results in in_flight:
                for i, result in zip(batch, batch_results):
                    tokens = result.result().hypotheses[0]
                    results[todo[i]] = TranslationResult(
                        text=self.tokenizer.detokenize(tokens).strip(), logprob_mean=float("nan"),
                        logprob_std=float("nan"), entropy_mean=None, n_tokens=len(tokens) + 1,
                        hit_max_length=len(tokens) >= self.config.max_length)
            return results
        hypotheses, scored = self._score_as_translated(source_tokens, in_flight)
        for i, tokens, score in zip(todo, hypotheses, scored):
            log_probs = list(score.result().log_probs)  # the output tokens and </s>
            n = len(log_probs)
            mean = sum(log_probs) / n
            std = (sum((v - mean) ** 2 for v in log_probs) / n) ** 0.5
            text = self.tokenizer.detokenize(tokens)
            results[i] = TranslationResult(text=text.strip(), logprob_mean=mean, logprob_std=std, entropy_mean=None,
                                           n_tokens=n, hit_max_length=len(tokens) >= self.config.max_length)
        return results

    def _score_as_translated(self, source_tokens: list[list[str]], in_flight: list) -> tuple[list, list]:
        """Hypotheses of the asynchronous translations ``in_flight`` (batch indices, results),
        each batch scored as soon as it ends.

        The batches of one call never end quite together; scoring a finished one at once
        keeps its worker busy while the other still decodes (the scoring pass is about a
        seventh of the work: 31.6 s -> 27.7 s on 96 sentences, same outputs and scores).
        CTranslate2 offers no wait-for-any, and polling every 2 ms is nothing next to a
        batch (seconds).
        """
        hypotheses: list = [None] * len(source_tokens)
        scored: list = [None] * len(source_tokens)
        while in_flight:
            ready, running = [], []
            for item in in_flight:
                (ready if all(r.done() for r in item[1]) else running).append(item)
            in_flight = running
            if not ready:
                time.sleep(0.002)
            for batch, results in ready:
                for i, result in zip(batch, results):
                    hypotheses[i] = result.result().hypotheses[0]
                scoring = self._score([source_tokens[i] for i in batch], [hypotheses[i] for i in batch],
                                      asynchronous=True)
                for i, result in zip(batch, scoring):
                    scored[i] = result
        return hypotheses, scored

    def _score(self, source_tokens: list[list[str]], target_tokens: list[list[str]],
               asynchronous: bool = False) -> list:
        """Log-probabilities of each target token under the model (teacher forcing).

        One sentence per batch: a sentence's scores then never depend on the sentences it
        was sent with (in padded batches they moved in the 8th digit), so any engine and
        any chunking store the same numbers; and with no padding to compute, the workers
        (one sentence each) finish this pass faster than with length-sorted batches
        (3.9 s against 5.2 s for 64 sentences).
        """
        return self.translator.score_batch(source_tokens, target_tokens, max_batch_size=1, batch_type="examples",
                                           asynchronous=asynchronous)

    def score_targets(self, sources: Sequence[str], targets: Sequence[str], passes: int = 1,
                      dropout: bool = False) -> list[list[float]]:
        if dropout:
            raise ConfigError("score.qe_dropout needs the transformers backend (CTranslate2 has no dropout)")
        source_tokens = [self._source_tokens(s) for s in sources]
        target_tokens = [self.tokenizer.target_tokens(t) for t in targets]
        scored = self._score(source_tokens, target_tokens)
        return [[sum(s.log_probs) / max(len(s.log_probs), 1)] * passes for s in scored]
