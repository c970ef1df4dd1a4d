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
    max_page_bytes: int = 20_000_000


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
    #: Names in the glossaries (people, places, titles) are replaced by placeholders the
    #: model copies, then by the glossary's target, so they are never translated word by word.
    keep_glossary_names: bool = True
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
            "terminology": 0.7,
        }
    )
    #: Flags that make a pair ``bad`` whatever its score.
    fatal_flags: tuple[str, ...] = ("empty_output", "untranslated", "wrong_script", "hit_max_length")
    labels: LabelThresholds = field(default_factory=LabelThresholds)
    #: Monte-Carlo dropout passes for pairs not labelled good (0: off). Costly: each
    #: pass is a forward pass of the model over the pair.
    qe_dropout: int = 0
    #: Target language -> glossary file (CSV/TSV ``source<TAB>target``, or TBX): a pair whose
    #: source holds a term and whose output lacks its target is flagged ``terminology``.
    glossaries: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PairConfig:
    """How ``pair`` and ``run --reference`` decide which release translates which (see pair.py)."""

    threshold: float = 0.3
    norm_prior: float = 5.0
    sure_score: float = 0.35
    min_margin: float = 1.5
    max_days_apart: int = 3
    date_disagreement: float = 0.6
    max_df_share: float = 0.2
    index_df_share: float = 0.01
    index_min_df: int = 10
    candidates: int = 20
    mt_sentences: int = 8


@dataclass(frozen=True)
class AlignmentConfig:
    #: human beads (run --reference) scored below this are left out of ``evaluate --db``
    #: and ``export --origin human``: the bead score estimates P(bead right), see align/score.py
    min_score: float = 0.5


@dataclass(frozen=True)
class StoreConfig:
    db: str = "translate_pipe.db"


@dataclass(frozen=True)
class MemoryConfig:
    #: Imported translation memories (TMX): a unit at least this similar to a sentence
    #: (share of words in matching runs, 0-1) is offered as an alternative.
    min_similarity: float = 0.7
    #: Exact matches from imported memories are used instead of the model.
    use_exact: bool = True


@dataclass(frozen=True)
class Config:
    ingest: IngestConfig = field(default_factory=IngestConfig)
    translate: TranslateConfig = field(default_factory=TranslateConfig)
    score: ScoreConfig = field(default_factory=ScoreConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
    pair: PairConfig = field(default_factory=PairConfig)
    alignment: AlignmentConfig = field(default_factory=AlignmentConfig)
    memory: MemoryConfig = field(default_factory=MemoryConfig)

    def with_overrides(self, section: str, **values: Any) -> Config:
        """A copy with some keys of one section replaced (``None`` values are ignored)."""
        values = {k: v for k, v in values.items() if v is not None}
        if not values:
            return self
        current = getattr(self, section)
        merged = _build(type(current), {**dataclasses.asdict(current), **values}, section)
        return validate(dataclasses.replace(self, **{section: merged}))


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
        return validate(_build(Config, data, ""))
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


# The smallest (and largest) value each number may take; a key not listed is free.
# Zero beams, a negative length or an empty token budget would fail deep inside a model.
_RANGES: dict[str, tuple[float | None, float | None]] = {
    "ingest.max_sentence_chars": (1, None),
    "ingest.max_release_chars": (1, None),
    "translate.beam_size": (1, None),
    "translate.max_length": (1, None),
    "translate.max_input_tokens": (4, None),  # room for a target token, a word and the end mark
    "translate.batch_size": (1, None),
    "translate.max_batch_tokens": (1, None),
    "translate.threads": (0, None),
    "translate.inter_threads": (0, None),
    "translate.intra_threads": (0, None),
    "score.rules.length_ratio.min": (0, None),
    "score.rules.length_ratio.max": (0, None),
    "score.rules.repeated_ngrams.n": (1, None),
    "score.rules.repeated_ngrams.max_repeats": (1, None),
    "score.rules.untranslated.min_chars": (0, None),
    "score.rules.untranslated.max_similarity": (0, 1),
    "score.rules.wrong_script.min_share": (0, 1),
    "score.penalties.*": (0, 1),
    "score.labels.good": (0, 1),
    "score.labels.check": (0, 1),
    "score.qe_dropout": (0, None),
}
_CHOICES: dict[str, tuple[str, ...]] = {"translate.backend": ("ctranslate2", "transformers")}


def validate(config: Config) -> Config:
    """``config`` if every value is in range and every flag name is known, else :class:`ConfigError` naming the key."""
    for key, value in _numbers(config, ""):
        low, high = _RANGES.get(key) or _RANGES.get(key.rsplit(".", 1)[0] + ".*") or (None, None)
        if low is not None and value < low:
            raise ConfigError(f"'{key}' must be at least {low}, got {value}")
        if high is not None and value > high:
            raise ConfigError(f"'{key}' must be at most {high}, got {value}")
    for key, choices in _CHOICES.items():
        section, name = key.split(".")
        value = getattr(getattr(config, section), name)
        if value not in choices:
            raise ConfigError(f"'{key}' must be one of {', '.join(choices)}, got {value!r}")
    flags = set(ScoreConfig().penalties)  # every flag the rules can raise has a default penalty
    for key, names in (("score.penalties", config.score.penalties), ("score.fatal_flags", config.score.fatal_flags)):
        unknown = sorted(set(names) - flags)
        if unknown:
            raise ConfigError(f"unknown flag '{unknown[0]}' in '{key}' (known: {', '.join(sorted(flags))})")
    ratio = config.score.rules.length_ratio
    if ratio.min >= ratio.max:
        raise ConfigError(f"'score.rules.length_ratio.min' ({ratio.min}) must be below its max ({ratio.max})")
    if config.score.labels.check > config.score.labels.good:
        raise ConfigError(f"'score.labels.check' ({config.score.labels.check}) must not exceed "
                          f"'score.labels.good' ({config.score.labels.good})")
    return config


def _numbers(value: Any, where: str) -> typing.Iterator[tuple[str, float]]:
    """(dotted key, number) for every int or float in a config tree."""
    if dataclasses.is_dataclass(value):
        for item in dataclasses.fields(value):
            yield from _numbers(getattr(value, item.name), f"{where}.{item.name}" if where else item.name)
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _numbers(item, f"{where}.{name}")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield where, value


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
