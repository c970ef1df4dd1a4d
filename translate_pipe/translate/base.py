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
