"""Which model translates a language pair, and where its weights are.

``models/registry.yaml`` maps a pair (``en-fr``) to a hub id, a pinned revision and
the target token a multi-target model needs. A ``--model en-fr=PATH`` override or a
``$TRANSLATE_PIPE_MODELS`` folder wins over the hub, so the same config runs on a
machine without network once the weights are copied there.

Before anything is downloaded, :func:`hub_offline_reason` asks the hub once, with a
short timeout, whether it can be reached at all: on a machine without network the
loaders then fail at once with the fix, instead of minutes of retries per file.
"""

from __future__ import annotations

import os
import threading
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

    @property
    def loaded_id(self) -> str:
        """What a run records as the model: the folder it loaded (absolute), or the hub id.

        A local copy may be anything (a fine-tuned model, another snapshot), so the
        registry's hub id would be a false provenance; the folder plus the hash of its
        weights and config (the revision backends record) says what was loaded.
        """
        return str(Path(self.location).resolve()) if self.is_local else self.model_id


def load_registry(path: str | Path | None = None) -> dict[str, dict[str, str | None]]:
    path = Path(path) if path else REGISTRY_PATH
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the model registry: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the registry must map language pairs to models")
    for pair, entry in data.items():
        if not isinstance(entry, dict) or "model" not in entry:
            raise ConfigError(f"{path}: entry '{pair}' needs at least a 'model' key")
        unknown = set(entry) - _ENTRY_KEYS
        if unknown:
            raise ConfigError(f"{path}: entry '{pair}' has unknown key '{sorted(unknown)[0]}'")
    return data


def is_pinned(revision: str | None) -> bool:
    """Whether ``revision`` names one commit (40 hex digits), not a branch or tag that moves."""
    return bool(revision) and len(str(revision)) == 40 and all(c in "0123456789abcdef" for c in str(revision))


def pinned_text(text: str, where: str | Path, pair: str, commit: str) -> str | None:
    """``text`` (a registry file, named ``where`` in messages) with ``pair``'s ``revision``
    set to ``commit``, or None if it already is.

    The file is edited as text, line by line, so its comments (a comment after the
    revision too) and its line ends stay; the result is parsed again, and an edit that
    would not read back as the pin (a flow-style entry) is refused.
    """
    if not is_pinned(commit):
        raise ConfigError(f"{commit!r} is not a commit (40 hex digits)")
    lines = text.splitlines(keepends=True)
    eol = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    start = next((i for i, line in enumerate(lines) if line.rstrip() == f"{pair}:"), None)
    if start is None:
        raise ConfigError(f"{where}: no entry '{pair}' to pin")
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].strip() and not lines[i][0].isspace() and not lines[i].startswith("#")), len(lines))
    # Comments that say the entry is not pinned stop being true now.
    kept = [line for line in lines[start + 1:end] if not line.lstrip().lower().startswith("# unpinned")]
    lines[start + 1:end] = kept
    end = start + 1 + len(kept)
    for i in range(start + 1, end):
        key, sep, value = lines[i].partition(":")
        if sep and key.strip() == "revision" and not key.lstrip().startswith("#"):
            old, hash_, comment = value.partition(" #")
            if old.strip() == commit:
                return None
            ending = lines[i][len(lines[i].rstrip("\r\n")):] or eol
            tail = f" {hash_}{comment.rstrip(chr(13) + chr(10))}" if hash_ else ""
            lines[i] = f"{key}: {commit}{tail}{ending}"
            break
    else:
        indent = next((line[: len(line) - len(line.lstrip())] for line in lines[start + 1:end]
                       if line.strip() and not line.lstrip().startswith("#")), "  ")
        lines.insert(start + 1, f"{indent}revision: {commit}{eol}")
    edited = "".join(lines)
    try:
        parsed = yaml.safe_load(edited)
    except yaml.YAMLError:
        parsed = None
    entry = parsed.get(pair) if isinstance(parsed, dict) else None
    if not isinstance(entry, dict) or str(entry.get("revision")) != commit:
        raise ConfigError(f"{where}: pinning '{pair}' by a text edit would break the YAML (flow style?); "
                          "nothing changed, edit it by hand")
    return edited


def _registry_text(path: Path) -> str:
    """A registry file's text, line ends kept, if it may be edited in place (one line why not)."""
    import stat

    from ..atomic import check_writable

    try:
        with path.open("rb") as handle:
            text = handle.read().decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; not pinned") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the model registry: {exc.strerror}") from None
    # Root may write anything: a file without write permission for anyone says "do not edit" too.
    if not os.access(path, os.W_OK) or not stat.S_IMODE(path.stat().st_mode) & 0o222:
        raise ConfigError(f"{path}: read-only; not pinned (make it writable or edit it by hand)")
    check_writable(path)  # its folder too: the new file is renamed in there
    return text


def pin_to_cached_commit(pair: str, files: list[Path]) -> tuple[str, bool]:
    """Pin ``pair`` in each registry file to the commit of its snapshot in the local cache.

    The hub is never asked: the commit pinned is the one whose weights are on this
    machine (fetched by a first run or ``hf download``), so the pin names what was used.
    The first file is the registry read; the others are kept identical copies of it.
    Every file is read, checked and edited in memory before any is replaced, so they are
    all pinned or none is. Returns the commit and whether anything changed.
    """
    from ..atomic import atomic_write_bytes

    texts = [_registry_text(Path(path)) for path in files]
    registry = load_registry(files[0])
    entry = registry.get(pair)
    if entry is None:
        raise ConfigError(f"{files[0]}: no entry '{pair}' to pin (registry has: {', '.join(sorted(registry))})")
    revision = entry.get("revision")
    if is_pinned(revision):
        return str(revision), False
    model_id = str(entry["model"])
    commit = hub_cache_commit(ModelSpec(pair, model_id, model_id, revision, entry.get("target_token"), "registry"))
    if commit is None:
        raise ConfigError(f"{pair}: {model_id} is not in the local Hugging Face cache, so there is no commit to pin; "
                          f"download it first (`hf download {model_id}`), then run this again")
    edited = [pinned_text(text, path, pair, commit) for text, path in zip(texts, files)]
    for path, text in zip(files, edited):
        if text is not None:
            atomic_write_bytes(path, text.encode("utf-8"))
    return commit, any(text is not None for text in edited)


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


#: Seconds the hub probe waits for an answer; a hub that does not answer by then is
#: treated as unreachable for the rest of the process.
HUB_PROBE_TIMEOUT = 3.0
_OFFLINE_VALUES = {"1", "true", "yes", "on"}
_probe_lock = threading.Lock()
_probe_result: list[str | None] = []


def _hub_endpoint() -> str:
    try:
        from huggingface_hub import constants

        return str(constants.ENDPOINT).rstrip("/")
    except ImportError:  # pragma: no cover - huggingface_hub comes with transformers
        return os.environ.get("HF_ENDPOINT", "").rstrip("/")


_SILENT = "silent"  # the probe's outcome when the hub took the whole timeout


def _probe(endpoint: str, timeout: float) -> str | None:
    """None if ``endpoint`` answers an HTTP request within ``timeout`` s, else why not.

    Plain urllib, which honours the proxy variables as the hub client does; any answer
    (an error status, even a certificate the local trust store rejects) means a server
    is there, so only connection failures count. Name resolution is not covered by
    socket timeouts, so the request runs in a thread that is waited for ``timeout``
    seconds at most (and left to end on its own after that).
    """
    import ssl
    import urllib.error
    import urllib.request

    outcome: list[str | None] = []

    def ask() -> None:
        try:
            urllib.request.urlopen(urllib.request.Request(endpoint, method="HEAD"), timeout=timeout).close()
            outcome.append(None)
        except urllib.error.HTTPError:
            outcome.append(None)
        except urllib.error.URLError as exc:
            answered = isinstance(exc.reason, ssl.SSLError)
            outcome.append(None if answered else _SILENT if isinstance(exc.reason, TimeoutError)
                           else str(exc.reason)[:120])
        except TimeoutError:  # the socket's own timeout may end the wait just before join() does
            outcome.append(_SILENT)
        except Exception as exc:  # noqa: BLE001 - every other failure means "not reachable"
            outcome.append(str(exc)[:120] or type(exc).__name__)

    thread = threading.Thread(target=ask, name="translate-pipe-hub-probe", daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome or outcome[0] == _SILENT:
        return f"the model hub ({endpoint}) did not answer within {timeout:g} s"
    if outcome[0] is None:
        return None
    return f"the model hub ({endpoint}) cannot be reached: {outcome[0]}"


def hub_offline_reason(timeout: float = HUB_PROBE_TIMEOUT) -> str | None:
    """Why nothing can be downloaded from the model hub now, or None if it answers.

    ``HF_HUB_OFFLINE``/``TRANSFORMERS_OFFLINE`` answer without asking. Otherwise the hub
    is asked once per process (one request, ``timeout`` seconds at most); when it does
    not answer, ``HF_HUB_OFFLINE`` is set for the rest of the process so that no later
    call (the tokenizer's, the model's, the conversion's) waits on it again.
    """
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        if os.environ.get(name, "").strip().lower() in _OFFLINE_VALUES:
            return f"{name} is set"
    with _probe_lock:
        if not _probe_result:
            endpoint = _hub_endpoint()
            reason = _probe(endpoint, timeout) if endpoint else "no model hub endpoint is configured"
            _probe_result.append(reason)
            if reason is not None:
                _go_offline()
        return _probe_result[0]


def _go_offline() -> None:
    """Tell huggingface_hub and transformers, already imported or not, not to try the network."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        from huggingface_hub import constants

        constants.HF_HUB_OFFLINE = True
    except ImportError:  # pragma: no cover
        pass


def reset_hub_probe() -> None:
    """Forget the probe's answer (tests; a long-lived process whose network came back)."""
    with _probe_lock:
        _probe_result.clear()


def download_hint(spec: ModelSpec, why: str) -> str:
    """One line: which model is missing, why, and the commands that fix it."""
    folder = f"models/{spec.model_id.rsplit('/', 1)[-1]}"
    revision = f" --revision {spec.revision}" if spec.revision and spec.revision != "main" else ""
    return (
        f"cannot load model {spec.model_id} for {spec.pair}: {why}. "
        f"On a machine with network run `hf download {spec.model_id}{revision} --local-dir {folder}`, "
        f"copy {folder} here and pass --model {spec.pair}={folder} "
        f"(or set TRANSLATE_PIPE_MODELS=models)"
    )


def hub_cache_commit(spec: ModelSpec) -> str | None:
    """The commit of ``spec``'s model in the Hugging Face cache (config and weights there), or None."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover
        return None
    revision = spec.revision or "main"
    config = try_to_load_from_cache(spec.location, "config.json", revision=revision)
    if not isinstance(config, str):
        return None
    if not any(isinstance(try_to_load_from_cache(spec.location, name, revision=revision), str)
               for name in ("model.safetensors", "pytorch_model.bin")):
        return None
    return Path(config).parent.name  # .../snapshots/<commit>/config.json
