"""Configuration as data: ``configs/default.yaml`` maps one-to-one onto these dataclasses.

A key the dataclasses do not know is an error at load time, so a typo never silently
falls back to a default. Values are type-checked (ints, floats, strings, bools, maps).
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

PACKAGE_ROOT = Path(__file__).resolve().parent
DEFAULT_CONFIG_PATH = PACKAGE_ROOT / "data" / "default.yaml"


@dataclass(frozen=True)
class IngestConfig:
    max_sentence_chars: int = 2000
    max_release_chars: int = 1_000_000


@dataclass(frozen=True)
class TranslateConfig:
    backend: str = "ctranslate2"
    device: str = "cpu"
    beam_size: int = 4
    max_length: int = 256
    max_input_tokens: int = 256
    batch_size: int = 16
    max_batch_tokens: int = 2048
    threads: int = 0
    compute_type: str = "auto"
    inter_threads: int = 0
    intra_threads: int = 0
    vocab_map: str = ""


@dataclass(frozen=True)
class LengthRatioRule:
    min: float = 0.4
    max: float = 2.5


@dataclass(frozen=True)
class RepeatedNgramRule:
    n: int = 3
    max_repeats: int = 3


@dataclass(frozen=True)
class UntranslatedRule:
    min_chars: int = 12
    max_similarity: float = 0.8


@dataclass(frozen=True)
class ScriptRule:
    min_share: float = 0.5


@dataclass(frozen=True)
class RulesConfig:
    length_ratio: LengthRatioRule = field(default_factory=LengthRatioRule)
    repeated_ngrams: RepeatedNgramRule = field(default_factory=RepeatedNgramRule)
    untranslated: UntranslatedRule = field(default_factory=UntranslatedRule)
    wrong_script: ScriptRule = field(default_factory=ScriptRule)


@dataclass(frozen=True)
class LabelThresholds:
    good: float = 0.55
    check: float = 0.3


@dataclass(frozen=True)
class ScoreConfig:
    rules: RulesConfig = field(default_factory=RulesConfig)
    #: Factor the combined score is multiplied by when a flag fires.
    penalties: dict[str, float] = field(
        default_factory=lambda: {
            "empty_output": 0.0,
            "untranslated": 0.1,
            "wrong_script": 0.1,
            "repeated_ngrams": 0.3,
            "hit_max_length": 0.3,
            "number_mismatch": 0.5,
            "url_mismatch": 0.5,
            "length_ratio": 0.6,
            "split_for_length": 0.9,
        }
    )
    #: Flags that make a pair ``bad`` whatever its score.
    fatal_flags: tuple[str, ...] = ("empty_output", "untranslated", "wrong_script", "hit_max_length")
    labels: LabelThresholds = field(default_factory=LabelThresholds)
    #: Monte-Carlo dropout passes for pairs not labelled good (0: off). Costly: each
    #: pass is a forward pass of the model over the pair.
    qe_dropout: int = 0


@dataclass(frozen=True)
class StoreConfig:
    db: str = "translate_pipe.db"


@dataclass(frozen=True)
class Config:
    ingest: IngestConfig = field(default_factory=IngestConfig)
    translate: TranslateConfig = field(default_factory=TranslateConfig)
    score: ScoreConfig = field(default_factory=ScoreConfig)
    store: StoreConfig = field(default_factory=StoreConfig)

    def with_overrides(self, section: str, **values: Any) -> Config:
        """A copy with some keys of one section replaced (``None`` values are ignored)."""
        values = {k: v for k, v in values.items() if v is not None}
        if not values:
            return self
        current = getattr(self, section)
        merged = _build(type(current), {**dataclasses.asdict(current), **values}, section)
        return dataclasses.replace(self, **{section: merged})


def load_config(path: str | Path | None = None) -> Config:
    """Load the default configuration, then the YAML file at ``path`` over it.

    Raises :class:`ConfigError` naming the file and key for unknown keys or wrong types.
    """
    data = _read_yaml(DEFAULT_CONFIG_PATH)
    where = str(DEFAULT_CONFIG_PATH)
    if path is not None:
        data = _deep_merge(data, _read_yaml(Path(path)))
        where = str(path)
    try:
        return _build(Config, data, "")
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections")
    return data


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _build(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"'{where or 'top level'}' must be a mapping, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        prefix = f"{where}." if where else ""
        raise ConfigError(
            f"unknown key '{prefix}{unknown[0]}' (known: {', '.join(sorted(names))})"
        )
    values = {}
    for name, value in data.items():
        key = f"{where}.{name}" if where else name
        values[name] = _coerce(hints[name], value, key)
    return cls(**values)


def _coerce(hint: Any, value: Any, key: str) -> Any:
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, key)
    origin = typing.get_origin(hint)
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"'{key}' must be a mapping")
        _, value_type = typing.get_args(hint)
        return {str(k): _coerce(value_type, v, f"{key}.{k}") for k, v in value.items()}
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"'{key}' must be a list")
        item_type = typing.get_args(hint)[0]
        return tuple(_coerce(item_type, v, key) for v in value)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"'{key}' must be a number, got {value!r}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"'{key}' must be a whole number, got {value!r}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"'{key}' must be true or false, got {value!r}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"'{key}' must be a string, got {value!r}")
        return value
    raise ConfigError(f"'{key}': unsupported type {hint}")  # pragma: no cover - a bug of ours
