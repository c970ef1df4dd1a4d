"""A Marian model folder's tokenization with SentencePiece alone: no transformers, no torch.

opus-mt folders hold ``source.spm``, ``target.spm`` and ``vocab.json`` (one vocabulary
shared by both sides). ``MarianTokenizer`` cuts a text with the source model, keeps a
leading target token such as ``>>ara<<`` whole, and maps pieces the vocabulary lacks to
``<unk>``; it turns output pieces back into text with the target model, special tokens
kept apart. This class does the same in a few lines, so the CTranslate2 backend starts
without importing transformers (about 2 s of imports); tests check it token for token
against ``MarianTokenizer``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import ModelLoadError

#: The files every Marian folder has and this class reads.
FILES = ("source.spm", "target.spm", "vocab.json")
SPECIAL_TOKENS = ("</s>", "<unk>", "<pad>")
# A special token written in the text is that token, as MarianTokenizer reads it.
_SPECIAL = re.compile("(" + "|".join(re.escape(t) for t in SPECIAL_TOKENS) + ")")


class MarianSentencePiece:
    """Source and target SentencePiece models of one Marian folder, with its vocabulary."""

    def __init__(self, folder: str | Path, target_token: str | None = None):
        """``target_token`` (such as ``>>ara<<``) opens every source; the caller checks that
        :attr:`vocab` has it."""
        import sentencepiece

        folder = Path(folder)
        missing = [name for name in FILES if not (folder / name).exists()]
        if missing:
            raise ModelLoadError(f"{folder}: not a Marian model folder (missing {', '.join(missing)})")
        try:
            self.vocab: dict[str, int] = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
            self.source = sentencepiece.SentencePieceProcessor(model_file=str(folder / "source.spm"))
            self.target = sentencepiece.SentencePieceProcessor(model_file=str(folder / "target.spm"))
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelLoadError(f"{folder}: cannot read the tokenizer files: {exc}") from None
        self.target_token = target_token

    def source_tokens(self, text: str) -> list[str]:
        """The model's input pieces for ``text``: the target token first (if any), then ``</s>``."""
        head = [self.target_token] if self.target_token else []
        return head + self._pieces(self.source, text) + ["</s>"]

    def target_tokens(self, text: str) -> list[str]:
        """The output pieces that spell ``text`` (no ``</s>``), for teacher-forced scoring."""
        return self._pieces(self.target, text)

    def _pieces(self, model, text: str) -> list[str]:
        pieces: list[str] = []
        for part in _SPECIAL.split(text) if "<" in text else (text,):
            if part in SPECIAL_TOKENS:
                pieces.append(part)
            elif part:
                pieces.extend(p if p in self.vocab else "<unk>" for p in model.encode(part, out_type=str))
        return pieces

    def detokenize(self, tokens: list[str]) -> str:
        """Text of output pieces, special tokens kept as words (``MarianTokenizer``'s way)."""
        out, run = "", []
        for token in tokens:
            if token in SPECIAL_TOKENS:
                out += self.target.decode_pieces(run) + token + " "
                run = []
            else:
                run.append(token)
        out += self.target.decode_pieces(run)
        return out.replace("\u2581", " ").strip()
