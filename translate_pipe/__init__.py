"""translate-pipe: press releases in, aligned and scored English-Arabic/French pairs out."""

__version__ = "0.1.0"

from .config import Config, load_config  # noqa: E402
from .errors import ConfigError, InputError, ModelLoadError, StoreError, TranslatePipeError  # noqa: E402
from .model import Bead, Flag, Pair, PairScores, Paragraph, Release, Segment, TranslationResult  # noqa: E402


def __getattr__(name: str):
    # Segmentation loads when first asked for: commands that never segment (translate) start
    # without its imports (regular expressions, lexicons: 30 ms).
    if name in ("segment_document", "split_sentences"):
        from . import segment

        return getattr(segment, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Bead", "Config", "ConfigError", "Flag", "InputError", "ModelLoadError", "Pair", "PairScores",
    "Paragraph", "Release", "Segment", "StoreError", "TranslatePipeError", "TranslationResult",
    "__version__", "load_config", "segment_document", "split_sentences",
]
