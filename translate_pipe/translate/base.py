"""The interface every translation backend implements, and its provenance record."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..model import TranslationResult


@dataclass(frozen=True)
class SystemInfo:
    """Everything that determines a backend's output: stored with every translation.

    Two runs with equal signatures produce the same translations, so the signature
    keys the translation memory and the ``systems`` table.
    """

    model_id: str
    revision: str
    src_lang: str
    tgt_lang: str
    backend: str
    decoding: dict[str, object] = field(default_factory=dict)

    def signature(self) -> str:
        settings = "|".join(f"{k}={v}" for k, v in sorted(self.decoding.items()))
        return f"{self.model_id}@{self.revision}|{self.src_lang}-{self.tgt_lang}|{self.backend}|{settings}"

    def to_json(self) -> str:
        return json.dumps(
            {
                "model_id": self.model_id,
                "revision": self.revision,
                "src_lang": self.src_lang,
                "tgt_lang": self.tgt_lang,
                "backend": self.backend,
                "decoding": self.decoding,
            },
            sort_keys=True,
        )


def decoding_settings(config, max_input_tokens: int, target_token: str | None) -> dict[str, object]:
    """The decoding settings every backend records in its :class:`SystemInfo`."""
    return {
        "beam": config.beam_size,
        "max_length": config.max_length,
        "max_input_tokens": max_input_tokens,
        "target_token": target_token or "",
    }


def resolve_device(requested: str, cuda_devices: int) -> str:
    """``cpu``, ``cuda[:N]`` or ``auto`` -> the device to use, given how many CUDA devices
    the backend sees; asking for CUDA where there is none falls back to the CPU with a
    warning. Each backend counts devices its own way (torch, CTranslate2), so the
    CTranslate2 path never imports torch.
    """
    import logging

    from ..errors import ConfigError

    if requested not in {"cpu", "cuda", "auto"} and not requested.startswith("cuda:"):
        raise ConfigError(f"translate.device must be cpu, cuda or auto, got {requested!r}")
    if requested == "cpu":
        return "cpu"
    if cuda_devices > 0:
        return "cuda" if requested == "auto" else requested
    if requested != "auto":
        logging.getLogger(__name__).warning("CUDA was asked for but is not available here: translating on the CPU")
    return "cpu"


def target_token_prefix(tokenizer, spec) -> str:
    """``">>ara<< "`` for a multi-target model, ``""`` otherwise; refuses a model that lacks it."""
    from ..errors import ModelLoadError

    token = spec.target_token
    if not token:
        return ""
    vocab = tokenizer.get_vocab()
    if token not in vocab or vocab[token] == tokenizer.unk_token_id:
        raise ModelLoadError(
            f"{spec.location}: the model's vocabulary has no target token {token} "
            f"that models/registry.yaml requires for {spec.pair}: wrong model?"
        )
    return token + " "


class Translator(Protocol):
    """A loaded model that translates batches of sentences of one language pair."""

    @property
    def system(self) -> SystemInfo: ...

    def translate(self, sources: Sequence[str]) -> list[TranslationResult]:
        """Translations of ``sources`` in the same order, with confidence scores."""
        ...

    def count_tokens(self, text: str) -> int:
        """How many source tokens the model sees for ``text``."""
        ...

    def score_targets(self, sources: Sequence[str], targets: Sequence[str], passes: int = 1,
                      dropout: bool = False) -> list[list[float]]:
        """Mean token log-prob of given targets (teacher forcing), one value per pass."""
        ...
