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
