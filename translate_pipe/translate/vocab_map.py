"""A target-vocabulary shortlist for CTranslate2 (``vmap``), learned from sentence pairs.

The output layer of opus-mt scores all ~60,000 target pieces at every step of every
beam: most of the decoder's arithmetic. With a vocabulary map, CTranslate2 scores only
the candidates of the batch: pieces that are always candidates (the most frequent
target pieces) and, for each source piece in the batch, the target pieces seen with it
in sentence pairs (Dice coefficient of co-occurrence, the strongest first). A source
piece that is also a target piece (names, numbers, punctuation) maps to itself.

A shortlist changes the output when the model's best choice is not a candidate, so it
is off unless ``translate.vocab_map`` names a map built from pairs of the user's own
domain (``translate-pipe models vmap``); its pieces are the model's own, so a map fits
one model's tokenizers only.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError
from .marian_vocab import SPECIAL_TOKENS, MarianSentencePiece


def build_vocab_map(tokenizer: MarianSentencePiece, pairs: Iterable[tuple[str, str]],
                    always: int = 500, per_source: int = 30, min_count: int = 2) -> str:
    """The text of a CTranslate2 vocabulary map (``src-piece<TAB>tgt-piece tgt-piece ...``).

    ``always``: how many of the most frequent target pieces are candidates in every
    batch; ``per_source``: most target pieces per source piece; ``min_count``: pairs a
    source and target piece must share to be linked.
    """
    source_count: Counter[str] = Counter()
    target_count: Counter[str] = Counter()  # occurrences
    target_pairs: Counter[str] = Counter()  # pairs that have the piece
    together: Counter[tuple[str, str]] = Counter()
    pair_count = 0
    for source, target in pairs:
        source_pieces = set(tokenizer.source_tokens(source)) - set(SPECIAL_TOKENS) - {tokenizer.target_token}
        target_pieces = tokenizer.target_tokens(target)
        target_count.update(target_pieces)
        target_set = set(target_pieces) - set(SPECIAL_TOKENS)
        source_count.update(source_pieces)
        target_pairs.update(target_set)
        together.update((s, t) for s in source_pieces for t in target_set)
        pair_count += 1
    if not pair_count:
        raise InputError("no sentence pairs to build a vocabulary map from")
    links: dict[str, list[tuple[float, str]]] = {}
    for (s, t), n in together.items():
        if n >= min_count:
            dice = 2 * n / (source_count[s] + target_pairs[t])
            links.setdefault(s, []).append((dice, t))
    lines = ["\t" + " ".join(t for t, _ in target_count.most_common(always) if t not in SPECIAL_TOKENS)]
    target_pieces = {tokenizer.target.id_to_piece(i) for i in range(tokenizer.target.get_piece_size())}
    for s in sorted(source_count):
        chosen = [t for _, t in sorted(links.get(s, []), key=lambda x: (-x[0], x[1]))[:per_source]]
        if s in target_pieces and s in tokenizer.vocab and s not in chosen:
            chosen.append(s)
        if chosen:
            lines.append(f"{s}\t{' '.join(chosen)}")
    return "\n".join(lines) + "\n"


def read_pairs(path: str | Path) -> list[tuple[str, str]]:
    """Tab-separated sentence pairs, one a line (source, then target): what the Moses or
    JSON-lines exports hold, or any aligned corpus."""
    pairs = []
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                source, sep, target = line.rstrip("\n").partition("\t")
                if not sep:
                    raise InputError(f"{path}: line {number} has no tab between source and target")
                pairs.append((source, target))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 ({exc.reason})") from None
    return pairs


def vocab_map_digest(path: str | Path) -> str:
    """A short hash of a map's content: part of the name of the model folder that uses it."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    except OSError as exc:
        raise InputError(f"{path}: cannot read the vocabulary map: {exc.strerror}") from None
