"""Build randomly initialised MarianMT models with real SentencePiece tokenizers.

No machine here can download opus-mt weights, so tests and benchmarks build a model
folder in the exact on-disk layout of ``Helsinki-NLP/opus-mt-*`` (``config.json``,
weights, ``source.spm``, ``target.spm``, ``vocab.json``, tokenizer config) and load it
through the same loader as a real model. ``size="opus-mt"`` has the real architecture
(6+6 layers, d_model 512, 8 heads, FFN 2048, the real vocabulary size), so its compute
is that of the real model; ``size="tiny"`` is for fast tests. The weights are random:
the translations are noise, but every code path that handles them is the real one.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

from .atomic import atomic_write_bytes, atomic_write_text

CORPUS_DIR = Path(__file__).resolve().parent / "data" / "tiny_corpus"


@dataclass(frozen=True)
class MarianShape:
    d_model: int
    layers: int
    heads: int
    ffn: int
    max_positions: int


SHAPES = {
    "tiny": MarianShape(d_model=16, layers=1, heads=2, ffn=32, max_positions=512),
    "opus-mt": MarianShape(d_model=512, layers=6, heads=8, ffn=2048, max_positions=512),
}

#: The real vocabulary sizes of the opus-mt models, for ``size="opus-mt"``.
OPUS_VOCAB_SIZES = {"en-fr": 59514, "en-ar": 62802}


def corpus_lines(lang: str) -> list[str]:
    return (CORPUS_DIR / f"{lang}.txt").read_text(encoding="utf-8").splitlines()


def _train_spm(lines: list[str], vocab_size: int) -> bytes:
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    return model.getvalue()


def build_random_marian(
    out_dir: str | Path,
    pair: str = "en-fr",
    size: str = "tiny",
    seed: int = 0,
    target_token: str | None = None,
    spm_vocab_size: int = 400,
    vocab_size: int | None = None,
) -> Path:
    """Write a random-weight Marian model for ``pair`` to ``out_dir`` and return it.

    ``target_token`` (such as ``>>ara<<``) is put in the vocabulary the way
    multi-target opus-mt models have it. ``vocab_size`` pads the vocabulary with unused
    entries up to that size (``size="opus-mt"`` defaults to the real model's size), so
    the output projection costs what the real one costs.
    """
    import sentencepiece as spm
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    src_lang, tgt_lang = pair.split("-")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    source_model = _train_spm(corpus_lines(src_lang), spm_vocab_size)
    target_model = _train_spm(corpus_lines(tgt_lang), spm_vocab_size)
    atomic_write_bytes(out / "source.spm", source_model)
    atomic_write_bytes(out / "target.spm", target_model)

    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    if target_token:
        vocab[target_token] = len(vocab)
    for blob in (source_model, target_model):
        processor = spm.SentencePieceProcessor(model_proto=blob)
        for piece_id in range(processor.get_piece_size()):
            piece = processor.id_to_piece(piece_id)
            if piece not in vocab and piece not in {"<unk>", "<s>", "</s>"}:
                vocab[piece] = len(vocab)
    if vocab_size is None and size == "opus-mt":
        vocab_size = OPUS_VOCAB_SIZES.get(pair)
    if vocab_size is not None:
        while len(vocab) < vocab_size - 1:
            vocab[f"<unused{len(vocab)}>"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    atomic_write_text(out / "vocab.json", json.dumps(vocab, ensure_ascii=False))

    shape = SHAPES[size]
    pad_id = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        decoder_vocab_size=len(vocab),
        d_model=shape.d_model,
        encoder_layers=shape.layers,
        decoder_layers=shape.layers,
        encoder_attention_heads=shape.heads,
        decoder_attention_heads=shape.heads,
        encoder_ffn_dim=shape.ffn,
        decoder_ffn_dim=shape.ffn,
        max_position_embeddings=shape.max_positions,
        activation_function="swish",
        scale_embedding=True,
        static_position_embeddings=True,
        pad_token_id=pad_id,
        decoder_start_token_id=pad_id,
        eos_token_id=0,
        forced_eos_token_id=0,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config).eval()
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad_id]],
        decoder_start_token_id=pad_id,
        eos_token_id=0,
        forced_eos_token_id=0,
        pad_token_id=pad_id,
        max_length=512,
        num_beams=4,
    )
    model.save_pretrained(out)
    tokenizer = MarianTokenizer(
        source_spm=str(out / "source.spm"),
        target_spm=str(out / "target.spm"),
        vocab=str(out / "vocab.json"),
        source_lang=src_lang,
        target_lang=tgt_lang,
    )
    tokenizer.save_pretrained(out)
    return out
