"""The exceptions translate-pipe raises.

Every error a user can cause derives from :class:`TranslatePipeError`; the CLI turns
them into one-line messages and an exit code, never a traceback.
"""

from __future__ import annotations

import re

# A password in a database URL's user part (``scheme://user:secret@host``) or parameters
# (``?password=secret``, ``&sslpassword=...``), wherever it appears in a message.
_URL_PASSWORD = re.compile(r"(?P<keep>[a-z][a-z0-9+.-]*://[^\s/@:]*:)[^\s/]*@", re.IGNORECASE)
_PARAM_PASSWORD = re.compile(r"(?P<keep>(?:^|[?&;\s])\w*password=)[^&\s'\"]*", re.IGNORECASE)


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


def redact_secrets(text: str) -> str:
    """``text`` with every database password replaced by ``***`` (for messages and logs)."""
    text = _URL_PASSWORD.sub(lambda m: f"{m.group('keep')}***@", text)
    return _PARAM_PASSWORD.sub(lambda m: f"{m.group('keep')}***", text)
