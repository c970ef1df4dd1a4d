"""Which model translates a language pair, and where its weights are.

``models/registry.yaml`` maps a pair (``en-fr``) to a hub id, a pinned revision and
the target token a multi-target model needs. A ``--model en-fr=PATH`` override or a
``$TRANSLATE_PIPE_MODELS`` folder wins over the hub, so the same config runs on a
machine without network once the weights are copied there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..config import PACKAGE_ROOT
from ..errors import ConfigError

REGISTRY_PATH = PACKAGE_ROOT / "data" / "registry.yaml"
MODELS_ENV = "TRANSLATE_PIPE_MODELS"
_ENTRY_KEYS = {"model", "revision", "target_token"}


@dataclass(frozen=True)
class ModelSpec:
    """Where to load the model for one pair from, and how to prompt it.

    ``location`` is a local folder or a hub id; ``model_id`` is the registry's name for
    the model (kept for provenance even when the weights come from a local copy).
    """

    pair: str
    model_id: str
    location: str
    revision: str | None
    target_token: str | None
    found_by: str

    @property
    def src_lang(self) -> str:
        return self.pair.split("-")[0]

    @property
    def tgt_lang(self) -> str:
        return self.pair.split("-")[1]

    @property
    def is_local(self) -> bool:
        return Path(self.location).is_dir()


def load_registry(path: str | Path | None = None) -> dict[str, dict[str, str | None]]:
    path = Path(path) if path else REGISTRY_PATH
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the model registry: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the registry must map language pairs to models")
    for pair, entry in data.items():
        if not isinstance(entry, dict) or "model" not in entry:
            raise ConfigError(f"{path}: entry '{pair}' needs at least a 'model' key")
        unknown = set(entry) - _ENTRY_KEYS
        if unknown:
            raise ConfigError(f"{path}: entry '{pair}' has unknown key '{sorted(unknown)[0]}'")
    return data


def parse_model_overrides(values: list[str] | None) -> dict[str, str]:
    """``["en-fr=PATH", ...]`` -> ``{"en-fr": "PATH"}``; a bare ``fr=PATH`` means ``en-fr``."""
    overrides = {}
    for value in values or []:
        pair, sep, location = value.partition("=")
        if not sep or not pair or not location:
            raise ConfigError(f"--model {value!r}: expected PAIR=PATH, e.g. en-fr=models/opus-mt-en-fr")
        if "-" not in pair:
            pair = f"en-{pair}"
        overrides[pair] = location
    return overrides


def resolve_model(
    pair: str,
    overrides: dict[str, str] | None = None,
    registry: dict[str, dict[str, str | None]] | None = None,
) -> ModelSpec:
    """The :class:`ModelSpec` for ``pair``: override, then models folder, then hub id."""
    registry = load_registry() if registry is None else registry
    entry = registry.get(pair)
    override = (overrides or {}).get(pair)
    if entry is None and override is None:
        known = ", ".join(sorted(registry)) or "none"
        raise ConfigError(f"no model for language pair '{pair}' (registry has: {known}); pass --model {pair}=PATH")
    model_id = str(entry["model"]) if entry else override
    revision = entry.get("revision") if entry else None
    target_token = entry.get("target_token") if entry else None
    assert model_id is not None
    if override is not None:
        return ModelSpec(pair, model_id, override, None, target_token, "--model")
    models_dir = os.environ.get(MODELS_ENV)
    if models_dir:
        for name in (model_id.rsplit("/", 1)[-1], pair):
            candidate = Path(models_dir) / name
            if candidate.is_dir():
                return ModelSpec(pair, model_id, str(candidate), None, target_token, f"${MODELS_ENV}")
    return ModelSpec(pair, model_id, model_id, str(revision) if revision else None, target_token, "registry")
