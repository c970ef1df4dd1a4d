"""MarianMT through transformers: ``MarianTokenizer`` + ``MarianMTModel.generate``.

Confidence scores are computed from the model's raw logits in a second, teacher-forced
pass over the output it chose (Fomicheva et al. 2020), not from beam-search scores,
which length penalties and logits processors have already reshaped.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

from ..config import TranslateConfig
from ..errors import ConfigError, ModelLoadError
from ..model import TranslationResult
from .base import SystemInfo, decoding_settings, target_token_prefix
from .base import resolve_device as resolve_device_for
from .batching import token_budget_batches, translate_in_pieces
from .registry import ModelSpec, download_hint, hub_offline_reason

log = logging.getLogger(__name__)

_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def resolve_device(requested: str) -> str:
    """``cpu``, ``cuda`` or ``auto``; asking for CUDA where there is none falls back to CPU."""
    if requested == "cpu":
        return "cpu"
    import torch

    return resolve_device_for(requested, torch.cuda.device_count() if torch.cuda.is_available() else 0)


def load_marian(spec: ModelSpec, with_model: bool = True):
    """Load tokenizer and model for ``spec``; :class:`ModelLoadError` with the fix if not possible.

    ``with_model=False`` loads the tokenizer only (the model is then ``None``).
    """
    try:
        from transformers import MarianMTModel, MarianTokenizer
        from transformers.utils import logging as hf_logging

        # Our own progress reporting is on stderr; the loader's bars would interleave.
        hf_logging.disable_progress_bar()
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ModelLoadError(f"transformers is not installed ({exc}); run: pip install -e .") from None

    if spec.is_local:
        missing = [name for name in ("config.json", "source.spm", "target.spm", "vocab.json")
                   if not (Path(spec.location) / name).exists()]
        if missing:
            raise ModelLoadError(
                f"{spec.location}: not a Marian model folder (missing {', '.join(missing)}); "
                f"it needs the files of {spec.model_id} as saved by save_pretrained"
            )
        kwargs: dict[str, object] = {}
    else:
        if _looks_like_path(spec.location):
            raise ModelLoadError(f"{spec.location}: no such model folder (given by {spec.found_by})")
        kwargs = {"revision": spec.revision} if spec.revision else {}

    def _load(local_only: bool):
        tokenizer = MarianTokenizer.from_pretrained(spec.location, local_files_only=local_only, **kwargs)
        if not with_model:
            return tokenizer, None
        model = MarianMTModel.from_pretrained(spec.location, local_files_only=local_only, **kwargs)
        return tokenizer, model

    try:
        # The local cache first: no network round-trip when the weights are already here.
        return _load(local_only=True)
    # Any failure is a load failure (transformers raises OSError, ValueError, even
    # TypeError for a missing cache entry); the user gets its first line and the fix.
    except Exception as first_error:
        if spec.is_local:
            raise ModelLoadError(f"{spec.location}: cannot load the Marian model: {_first_line(first_error)}") from None
        if offline := hub_offline_reason():
            raise ModelLoadError(_download_hint(spec, f"it is not in the local Hugging Face cache and {offline}")) from None
    try:
        return _load(local_only=False)
    except Exception as exc:
        raise ModelLoadError(_download_hint(spec, f"it is not in the local cache and downloading failed ({_first_line(exc)})")) from None


def local_snapshot(spec: ModelSpec) -> tuple[Path, str]:
    """The local folder of a hub model (downloaded on first use) and its commit hash.

    Only the files a Marian model needs are fetched; no weights are loaded.
    """
    from huggingface_hub import snapshot_download

    patterns = ["*.json", "*.spm", "*.safetensors", "pytorch_model.bin"]
    try:
        folder = snapshot_download(spec.location, revision=spec.revision, allow_patterns=patterns,
                                   local_files_only=True)
    except Exception:
        if offline := hub_offline_reason():
            raise ModelLoadError(_download_hint(spec, f"it is not in the local Hugging Face cache and {offline}")) from None
        try:
            folder = snapshot_download(spec.location, revision=spec.revision, allow_patterns=patterns)
        except Exception as exc:
            raise ModelLoadError(_download_hint(spec, f"it is not in the local cache and downloading failed ({_first_line(exc)})")) from None
    return Path(folder), Path(folder).name


def _looks_like_path(location: str) -> bool:
    """A hub id is ``owner/name``; anything else that is not a folder here is a bad path."""
    return location.startswith((".", "/", "~")) or location.count("/") > 1 or location.endswith("/")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def _download_hint(spec: ModelSpec, why: str) -> str:
    return download_hint(spec, why)


def weights_fingerprint(folder: str | Path) -> str:
    """A short hash of a local model's weights: the revision of a model with no hub commit."""
    digest = hashlib.sha256()
    for name in _WEIGHT_FILES + ("config.json", "vocab.json"):
        path = Path(folder) / name
        if path.exists():
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
    return "sha256:" + digest.hexdigest()[:16]


class MarianTranslator:
    """One MarianMT model, loaded once, translating batches of one language pair."""

    backend_name = "transformers"

    def __init__(self, spec: ModelSpec, config: TranslateConfig):
        import torch

        self.spec = spec
        self.config = config
        if config.beam_size < 1 or config.max_length < 1 or config.max_input_tokens < 4:
            raise ConfigError("translate.beam_size and max_length must be >= 1, max_input_tokens >= 4")
        self.device = resolve_device(config.device)
        if config.threads > 0:
            torch.set_num_threads(config.threads)
        self.tokenizer, self.model = load_marian(spec)
        self.model.to(self.device).eval()
        # We enforce input limits ourselves (split_for_length); counting a long text
        # must not warn about the model's limit.
        self.tokenizer.model_max_length = 1 << 30
        generation = self.model.generation_config
        generation.num_beams = config.beam_size
        generation.max_new_tokens = config.max_length
        generation.max_length = None
        self._prefix = target_token_prefix(self.tokenizer, spec)
        model_limit = int(getattr(self.model.config, "max_position_embeddings", 512))
        # The prefix token and </s> count against the model's position limit.
        self.max_input_tokens = min(config.max_input_tokens, model_limit - 2)
        self._system = SystemInfo(
            model_id=spec.loaded_id,
            revision=self._revision(),
            src_lang=spec.src_lang,
            tgt_lang=spec.tgt_lang,
            backend=self.backend_name,
            decoding=decoding_settings(config, self.max_input_tokens, spec.target_token),
        )

    @property
    def system(self) -> SystemInfo:
        return self._system

    def _revision(self) -> str:
        if self.spec.is_local:
            return weights_fingerprint(self.spec.location)
        commit = getattr(self.model.config, "_commit_hash", None)
        return commit or self.spec.revision or "unknown"

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(self._prefix + text)["input_ids"])

    def translate(self, sources: Sequence[str]) -> list[TranslationResult]:
        return translate_in_pieces(sources, self.count_tokens, self.max_input_tokens, self._translate_pieces)

    def _translate_pieces(self, pieces: list[str]) -> list[TranslationResult]:
        results: list[TranslationResult | None] = [None] * len(pieces)
        todo = [i for i, text in enumerate(pieces) if text.strip()]
        for i in set(range(len(pieces))) - set(todo):
            results[i] = TranslationResult("", 0.0, 0.0, 0.0, 0)
        lengths = [self.count_tokens(pieces[i]) for i in todo]
        for batch in token_budget_batches(lengths, self.config.batch_size, self.config.max_batch_tokens):
            indices = [todo[b] for b in batch]
            for index, result in zip(indices, self._translate_batch([pieces[i] for i in indices])):
                results[index] = result
        return [r for r in results if r is not None]

    def _translate_batch(self, texts: list[str]) -> list[TranslationResult]:
        import torch

        inputs = self.tokenizer([self._prefix + t for t in texts], return_tensors="pt", padding=True)
        inputs = {k: v.to(self.device) for k, v in inputs.items()}
        with torch.inference_mode():
            sequences = self.model.generate(**inputs, num_return_sequences=1)
            stats = self._confidence(inputs, sequences)
        decoded = self.tokenizer.batch_decode(sequences, skip_special_tokens=True)
        return [
            TranslationResult(
                text=text.strip(),
                logprob_mean=mean,
                logprob_std=std,
                entropy_mean=entropy,
                n_tokens=n_tokens,
                # At the limit, generate forces </s>: reaching the limit is the signal.
                hit_max_length=not ended or n_tokens >= self.config.max_length,
            )
            for text, (mean, std, entropy, n_tokens, ended) in zip(decoded, stats)
        ]

    def score_targets(self, sources: Sequence[str], targets: Sequence[str], passes: int = 1,
                      dropout: bool = False) -> list[list[float]]:
        """Mean token log-prob of each target given its source, by teacher forcing.

        For a human translation this is how translation-like the pair looks to the
        model (the negative is its cross-entropy). With ``dropout`` the model runs in
        training mode ``passes`` times (Monte-Carlo dropout): the spread of the values
        says how unsure the model is. Returns, per pair, one value per pass.
        """
        import torch

        results: list[list[float]] = [[] for _ in sources]
        lengths = [self.count_tokens(s) + self.count_tokens(t) for s, t in zip(sources, targets)]
        start = self.model.config.decoder_start_token_id
        pad = self.tokenizer.pad_token_id
        try:
            if dropout:
                self.model.train()
            for batch in token_budget_batches(lengths, self.config.batch_size, self.config.max_batch_tokens):
                inputs = self.tokenizer([self._prefix + sources[i] for i in batch], return_tensors="pt", padding=True)
                labels = self.tokenizer(text_target=[targets[i] for i in batch], return_tensors="pt",
                                        padding=True)["input_ids"]
                inputs = {k: v.to(self.device) for k, v in inputs.items()}
                labels = labels.to(self.device)
                decoder_input = torch.cat([torch.full_like(labels[:, :1], start), labels[:, :-1]], dim=1)
                mask = (labels != pad).float()
                for _ in range(passes):
                    with torch.inference_mode():
                        logits = self.model(**inputs, decoder_input_ids=decoder_input).logits.float()
                    token_lp = torch.log_softmax(logits, -1).gather(-1, labels.unsqueeze(-1)).squeeze(-1)
                    means = (token_lp * mask).sum(-1) / mask.sum(-1).clamp(min=1)
                    for i, value in zip(batch, means.cpu().tolist()):
                        results[i].append(float(value))
        finally:
            self.model.eval()
        return results

    def _confidence(self, inputs, sequences) -> list[tuple[float, float, float, int, bool]]:
        """Per sequence: mean and std of token log-probs, mean entropy, length, ended with </s>."""
        import torch

        eos = self.model.config.eos_token_id
        decoder_input = sequences[:, :-1]
        labels = sequences[:, 1:]
        logits = self.model(**inputs, decoder_input_ids=decoder_input).logits.float()
        log_probs = torch.log_softmax(logits, dim=-1)
        token_lp = log_probs.gather(-1, labels.unsqueeze(-1)).squeeze(-1)
        entropy = -(log_probs.exp() * log_probs).sum(-1)
        # Tokens up to and including the first </s>; what follows is padding.
        is_eos = labels == eos
        after_eos = (is_eos.long().cumsum(-1) - is_eos.long()) > 0
        mask = (~after_eos).float()
        counts = mask.sum(-1).clamp(min=1)
        mean = (token_lp * mask).sum(-1) / counts
        var = (((token_lp - mean.unsqueeze(-1)) ** 2) * mask).sum(-1) / counts
        entropy_mean = (entropy * mask).sum(-1) / counts
        ended = is_eos.any(-1)
        return [
            (float(m), float(v.sqrt()), float(e), int(c), bool(d))
            for m, v, e, c, d in zip(mean.cpu(), var.cpu(), entropy_mean.cpu(), counts.cpu(), ended.cpu())
        ]
