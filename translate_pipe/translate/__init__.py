"""Translation backends behind one small interface, chosen by name from the config.

Adding a backend is one class with ``system``, ``translate`` and ``count_tokens``,
registered in :data:`BACKENDS`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..config import TranslateConfig
from ..errors import ConfigError
from .base import SystemInfo, Translator
from .registry import ModelSpec, load_registry, parse_model_overrides, resolve_model


def _marian(spec: ModelSpec, config: TranslateConfig) -> Translator:
    from .marian import MarianTranslator

    return MarianTranslator(spec, config)


def _ctranslate2(spec: ModelSpec, config: TranslateConfig) -> Translator:
    from .ctranslate2 import CTranslate2Translator

    return CTranslate2Translator(spec, config)


BACKENDS: dict[str, Callable[[ModelSpec, TranslateConfig], Translator]] = {
    "transformers": _marian,
    "ctranslate2": _ctranslate2,
}


def translation_texts(translator: Translator, sources: list[str]) -> list[str]:
    """The translations of ``sources`` alone: without the confidence pass where the
    backend can skip it (``translate_text``), else the text of :meth:`Translator.translate`."""
    text_only = getattr(translator, "translate_text", None)
    if text_only is not None:
        return text_only(sources)
    return [result.text for result in translator.translate(sources)]


def load_translator(
    pair: str,
    config: TranslateConfig,
    model_overrides: dict[str, str] | None = None,
) -> Translator:
    """Resolve the model for ``pair`` and load it with the configured backend."""
    factory = BACKENDS.get(config.backend)
    if factory is None:
        raise ConfigError(
            f"unknown translate.backend {config.backend!r} (available: {', '.join(sorted(BACKENDS))})"
        )
    return factory(resolve_model(pair, model_overrides), config)


__all__ = [
    "BACKENDS",
    "ModelSpec",
    "SystemInfo",
    "Translator",
    "load_registry",
    "load_translator",
    "parse_model_overrides",
    "resolve_model",
    "translation_texts",
]
