"""``translate-pipe doctor``: one screen saying what is ready on this machine, and what to do if not.

Each check is cheap (no model is loaded, no torch import unless it is the only way to
see a GPU) and returns a :class:`Check`; :func:`format_checks` lays them out. The
command exits 1 when something ``run`` needs is missing (a model, the database).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import TranslatePipeError


@dataclass(frozen=True)
class Check:
    """One line of the report: a topic, a state and what it means."""

    topic: str
    state: str  # "ready", "missing", "optional" (not installed, not needed by the core commands), "info"
    detail: str

    @property
    def blocks_run(self) -> bool:
        return self.state == "missing"


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_models(overrides: dict[str, str] | None = None, probe_hub: bool = True) -> list[Check]:
    """Per language pair: where its model would be loaded from, and whether it is there."""
    from .translate.registry import hub_cache_commit, hub_offline_reason, is_pinned, load_registry, resolve_model

    checks = []
    registry = load_registry()
    hub: list[str | None] = []  # the hub is asked once, and only if a model is neither local nor cached
    for pair in sorted(set(registry) | set(overrides or {})):
        topic = f"model {pair}"
        try:
            spec = resolve_model(pair, overrides, registry)
        except TranslatePipeError as exc:
            checks.append(Check(topic, "missing", str(exc)))
            continue
        if spec.is_local:
            folder = Path(spec.location)
            lacks = [n for n in ("config.json", "source.spm", "target.spm", "vocab.json") if not (folder / n).exists()]
            if not any((folder / n).exists() for n in ("model.safetensors", "pytorch_model.bin")):
                lacks.append("weights")
            if lacks:
                checks.append(Check(topic, "missing", f"{spec.location} (found by {spec.found_by}) lacks {', '.join(lacks)}"))
            else:
                checks.append(Check(topic, "ready", f"{spec.loaded_id} (found by {spec.found_by})"))
            continue
        commit = hub_cache_commit(spec)
        if commit:
            unpinned = ("" if is_pinned(spec.revision) else
                        f"; the registry names branch '{spec.revision or 'main'}', not a commit: "
                        f"`translate-pipe models pin {pair}` pins this one")
            checks.append(Check(topic, "ready", f"{spec.model_id} commit {commit}, in the Hugging Face cache{unpinned}"))
            continue
        if not hub:
            hub.append(hub_offline_reason() if probe_hub else "the hub was not asked (--no-hub)")
        pinned = f" --revision {spec.revision}" if spec.revision and spec.revision != "main" else ""
        fetch = (f"hf download {spec.model_id}{pinned} --local-dir models/{spec.model_id.rsplit('/', 1)[-1]}, "
                 "then TRANSLATE_PIPE_MODELS=models")
        if hub[0] is None:
            checks.append(Check(topic, "ready", f"{spec.model_id}: not downloaded yet; the first run downloads it "
                                                f"(~300 MB; or now: {fetch})"))
        else:
            checks.append(Check(topic, "missing", f"{spec.model_id}: not here and {hub[0]}; on a machine with "
                                                  f"network: {fetch}"))
    return checks


def check_database(db: str) -> Check:
    """Whether the store opens (SQLite file or PostgreSQL server), without creating anything."""
    from .store import Store, is_postgres_url, redact, sqlite_path

    if not is_postgres_url(db):
        path = Path(sqlite_path(db))
        if not path.exists():
            writable = path.parent if str(path.parent) else Path(".")
            state = "ready" if writable.is_dir() else "missing"
            return Check("database", state, f"{path}: not created yet; the first run creates it (SQLite)")
    try:
        with Store(db) as store:
            runs = store.runs()
            releases = len(store.releases())
    except TranslatePipeError as exc:
        return Check("database", "missing", str(exc))
    kind = "PostgreSQL" if is_postgres_url(db) else "SQLite"
    return Check("database", "ready", f"{redact(db)} ({kind}): {releases} releases, {len(runs)} runs")


def check_backends() -> list[Check]:
    """Which translation backends can run, with versions; which GPU is seen."""
    versions = {name: _version(name) for name in ("ctranslate2", "torch", "transformers", "sentencepiece")}
    listed = ", ".join(f"{name} {version}" if version else f"{name} not installed"
                       for name, version in versions.items())
    ready = versions["sentencepiece"] and (versions["ctranslate2"] or (versions["torch"] and versions["transformers"]))
    checks = [Check("backends", "ready" if ready else "missing", listed)]
    checks.append(Check("GPU", "info", _gpu()))
    return checks


def _gpu() -> str:
    if importlib.util.find_spec("ctranslate2") is not None:
        try:
            import ctranslate2

            count = ctranslate2.get_cuda_device_count()
            return f"{count} CUDA device(s) seen by CTranslate2" if count else "none seen: translating on the CPU"
        except Exception as exc:  # noqa: BLE001 - a broken CUDA install is a finding, not a crash
            return f"CTranslate2 cannot ask CUDA ({exc})"
    if importlib.util.find_spec("torch") is not None:
        import torch

        if torch.cuda.is_available():
            return f"{torch.cuda.device_count()} CUDA device(s) seen by torch: {torch.cuda.get_device_name(0)}"
        return "none seen: translating on the CPU"
    return "no backend installed to ask"


def check_extras() -> list[Check]:
    """Optional parts: what each adds and how to install it when absent."""
    extras = [
        ("postgres", ("psycopg",), "postgresql:// stores", "pip install 'translate-pipe[postgres]'"),
        ("ray", ("ray",), "run --engine ray", "pip install 'translate-pipe[ray]'"),
        ("report", ("matplotlib",), "figures in evaluate --report", "pip install 'translate-pipe[report]'"),
        ("review", ("fastapi", "uvicorn"), "serve (review in the browser)", "pip install fastapi uvicorn"),
    ]
    checks = []
    for name, distributions, what, fix in extras:
        versions = [(d, _version(d)) for d in distributions]
        if all(v for _, v in versions):
            checks.append(Check(f"extra {name}", "ready", f"{what}: " + ", ".join(f"{d} {v}" for d, v in versions)))
        else:
            checks.append(Check(f"extra {name}", "optional", f"{what}: not installed ({fix})"))
    tools = {name: shutil.which(name) for name in ("chromium", "chromedriver")}
    selenium = _version("selenium")
    if all(tools.values()) and selenium:
        checks.append(Check("browser tests", "ready", f"chromium, chromedriver, selenium {selenium}"))
    else:
        absent = [n for n, where in tools.items() if not where] + ([] if selenium else ["selenium"])
        checks.append(Check("browser tests", "optional",
                            f"{', '.join(absent)} missing: the review-page tests skip (Debian: chromium chromium-driver)"))
    return checks


def run_checks(db: str, overrides: dict[str, str] | None = None, probe_hub: bool = True) -> list[Check]:
    return [*check_models(overrides, probe_hub), check_database(db), *check_backends(), *check_extras()]


_MARKS = {"ready": "ok", "missing": "MISSING", "optional": "-", "info": ""}


def format_checks(checks: Sequence[Check]) -> str:
    width = max(len(c.topic) for c in checks)
    lines = [f"{c.topic:<{width}}  {_MARKS[c.state]:<7}  {c.detail}" for c in checks]
    blocking = [c for c in checks if c.blocks_run]
    lines.append("")
    lines.append("ready to run" if not blocking else
                 f"not ready: {len(blocking)} missing ({', '.join(c.topic for c in blocking)})")
    return "\n".join(lines)
