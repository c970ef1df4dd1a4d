"""The exceptions translate-pipe raises.

Every error a user can cause derives from :class:`TranslatePipeError`; the CLI turns
them into one-line messages and an exit code, never a traceback.
"""

from __future__ import annotations


class TranslatePipeError(Exception):
    """Base class of every error translate-pipe raises on purpose."""

    #: Exit code the CLI uses for this kind of error.
    exit_code: int = 1


class ConfigError(TranslatePipeError):
    """A configuration file, option or registry entry is wrong (usage error)."""

    exit_code = 2


class InputError(TranslatePipeError):
    """An input file cannot be read as a release, a segment list or a reference."""


class ModelLoadError(TranslatePipeError):
    """A translation model or its tokenizer cannot be loaded."""


class StoreError(TranslatePipeError):
    """The database cannot be opened or written."""


class OutputError(TranslatePipeError):
    """An output file cannot be written (missing or read-only folder, a folder given as a file, full disk)."""
