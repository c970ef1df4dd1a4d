from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("ctranslate2")

from translate_pipe.cli import main  # noqa: E402
from translate_pipe.config import TranslateConfig  # noqa: E402
from translate_pipe.errors import ConfigError, ModelLoadError  # noqa: E402
from translate_pipe.translate import load_translator  # noqa: E402

CT2 = TranslateConfig(backend="ctranslate2", max_length=10, beam_size=2)
HF = TranslateConfig(backend="transformers", max_length=10, beam_size=2, batch_size=4)
SOURCES = ["The minister met the delegation in Geneva.", "", "Prices doubled.",
           "The talks will resume next month in Vienna, officials said on Monday."]


@pytest.fixture(scope="module")
def ct2_ar(tiny_models: dict[str, Path]):
    return load_translator("en-ar", CT2, {"en-ar": str(tiny_models["en-ar"])})


def test_same_model_same_outputs_as_transformers(ct2_ar, tiny_models: dict[str, Path]) -> None:
    hf = load_translator("en-ar", HF.__class__(**{**HF.__dict__, "compute_type": "float32"}),
                         {"en-ar": str(tiny_models["en-ar"])})
    ct2_float = load_translator("en-ar", TranslateConfig(backend="ctranslate2", compute_type="float32", max_length=10,
                                                          beam_size=2), {"en-ar": str(tiny_models["en-ar"])})
    ours, theirs = ct2_float.translate(SOURCES), hf.translate(SOURCES)
    assert [r.text for r in ours][1] == "" and len(ours) == len(SOURCES)
    for a, b in zip(ours, theirs):
        if b.n_tokens:
            # Same weights in float32: the model's own log-probs of its output agree.
            assert abs(a.logprob_mean - b.logprob_mean) < 0.05
            assert a.entropy_mean is None and a.hit_max_length == b.hit_max_length
    assert ct2_ar.system.backend == "ctranslate2-int8"
    assert ct2_ar.system.revision == hf.system.revision  # fingerprint of the same weights


def test_conversion_is_cached(ct2_ar, tiny_models: dict[str, Path], conversion_cache: Path) -> None:
    model_bin = ct2_ar.model_dir / "model.bin"
    stamp = model_bin.stat().st_mtime_ns
    again = load_translator("en-ar", CT2, {"en-ar": str(tiny_models["en-ar"])})
    assert again.model_dir == ct2_ar.model_dir and model_bin.stat().st_mtime_ns == stamp
    assert conversion_cache in ct2_ar.model_dir.parents


def test_long_sources_split_and_target_token(ct2_ar) -> None:
    config = TranslateConfig(backend="ctranslate2", max_length=4, beam_size=1, max_input_tokens=16)
    long = ", ".join(["the minister met the delegation in Geneva"] * 5) + "."
    translator = load_translator("en-ar", config, {"en-ar": str(ct2_ar.spec.location)})
    (result,) = translator.translate([long])
    assert result.pieces >= 3
    assert ct2_ar._source_tokens("Hello")[0] == ">>ara<<"


def test_wrong_model_and_no_dropout(tiny_models: dict[str, Path], ct2_ar) -> None:
    with pytest.raises(ModelLoadError, match=">>ara<<"):
        load_translator("en-ar", CT2, {"en-ar": str(tiny_models["en-fr"])})
    with pytest.raises(ConfigError, match="transformers backend"):
        ct2_ar.score_targets(["a"], ["b"], passes=2, dropout=True)
    (value,) = ct2_ar.score_targets(["Prices doubled."], ["ارتفعت الأسعار."])
    assert value[0] < 0


def test_pipeline_on_ctranslate2(releases_dir: Path, tmp_path: Path, model_args: list[str],
                                 fast_config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "t.db"
    args = ["run", str(releases_dir), "--to", "ar", "--db", str(db), "--config", str(fast_config_file),
            "--backend", "ctranslate2", *model_args]
    assert main(args) == 0
    assert main(args) == 0
    assert "0 translated, 0 from memory" in capsys.readouterr().err


def test_translate_command_streams_line_for_line(tmp_path: Path, model_args: list[str]) -> None:
    lines = [f"Sentence number {n} about the talks." if n % 7 else "" for n in range(50)]
    text = "\n".join(lines) + "\n"
    for backend in ("ctranslate2", "transformers"):
        result = subprocess.run(
            [sys.executable, "-m", "translate_pipe.cli", "translate", "--to", "fr", "--backend", backend,
             "--max-length", "6", "--beam", "1", "--chunk", "16", *model_args],
            input=text.encode(), capture_output=True, timeout=300)
        assert result.returncode == 0, result.stderr.decode()
        out = result.stdout.decode().split("\n")[:-1]
        assert len(out) == 50
        assert [o == "" for o in out] == [line == "" for line in lines]
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine\n\xff\xfe\n")
    assert main(["translate", str(bad), "--to", "fr", "--backend", "ctranslate2", *model_args]) == 1


def test_hub_model_conversion_offline_is_one_actionable_line() -> None:
    from translate_pipe.translate import resolve_model
    from translate_pipe.translate.ctranslate2 import convert_model

    with pytest.raises(ModelLoadError) as info:
        convert_model(resolve_model("en-fr"), "int8")
    assert "hf download Helsinki-NLP/opus-mt-en-fr" in str(info.value) and "\n" not in str(info.value)


def test_a_sentences_scores_do_not_depend_on_its_batch(ct2_ar) -> None:
    """The Ray and local engines chunk differently: a sentence must score the same in any company."""
    import random

    words = "the council met in Geneva and agreed on aid to Homs while officials said talks would resume".split()
    rng = random.Random(3)
    sentences = [" ".join(rng.choice(words) for _ in range(rng.randint(2, 30))).capitalize() + "." for _ in range(24)]
    alone = {s: ct2_ar.translate([s])[0] for s in sentences}
    for size in (3, 7, 24):
        rng.shuffle(sentences)
        for start in range(0, len(sentences), size):
            company = sentences[start : start + size]
            for sentence, result in zip(company, ct2_ar.translate(company)):
                expected = alone[sentence]
                assert result.text == expected.text
                assert (result.logprob_mean, result.logprob_std) == (expected.logprob_mean, expected.logprob_std)
    # A small token budget: many batches in flight, each scored as it ends, results in input order.
    small = load_translator("en-ar", TranslateConfig(backend="ctranslate2", max_length=10, beam_size=2,
                                                     max_batch_tokens=24), {"en-ar": str(ct2_ar.spec.location)})
    assert [(r.text, r.logprob_mean) for r in small.translate(sentences)] == \
        [(alone[s].text, alone[s].logprob_mean) for s in sentences]


def test_worker_threads_one_batch_per_core_on_cpu_one_worker_on_gpu() -> None:
    from translate_pipe.translate.ctranslate2 import worker_threads

    assert worker_threads("cpu", 2, TranslateConfig()) == (2, 1)
    assert worker_threads("cpu", 8, TranslateConfig(inter_threads=2)) == (2, 4)
    assert worker_threads("cuda", 16, TranslateConfig()) == (1, 16)
    assert worker_threads("cuda", 16, TranslateConfig(inter_threads=2, intra_threads=1)) == (2, 1)


# --- fast start: SentencePiece alone, no torch, no transformers -----------------------------------

TRICKY = ["  spaced   out  ", "Ünïcödé ☃ ‘quotes’ — dash…", "x" * 300, "tab\there", "numbers 1,234.5 and 10%",
          "<unk> is text here", "Emoji 🙂 and Arabic العربية mixed", "a"]


@pytest.mark.parametrize("pair", ["en-fr", "en-ar"])
def test_sentencepiece_tokenizer_matches_marian_tokenizer(pair: str, tiny_models: dict[str, Path]) -> None:
    """Token for token what MarianTokenizer gives, on both sides, >>ara<< included."""
    import random

    from transformers import MarianTokenizer

    from translate_pipe.testing import corpus_lines
    from translate_pipe.translate.marian_vocab import SPECIAL_TOKENS, MarianSentencePiece

    target_token = ">>ara<<" if pair == "en-ar" else None
    hf = MarianTokenizer.from_pretrained(tiny_models[pair])
    ours = MarianSentencePiece(tiny_models[pair], target_token)
    prefix = f"{target_token} " if target_token else ""
    for text in corpus_lines("en") + TRICKY:
        assert ours.source_tokens(text) == hf.convert_ids_to_tokens(hf(prefix + text)["input_ids"]), text
    for text in corpus_lines(pair.split("-")[1]) + TRICKY:
        expected = hf.convert_ids_to_tokens(hf(text_target=text)["input_ids"])[:-1]
        assert ours.target_tokens(text) == expected, text
        assert ours.detokenize(expected) == hf.convert_tokens_to_string(expected)
    # What a random-weight model emits: any piece of the vocabulary, special ones included.
    rng = random.Random(0)
    pieces = sorted(ours.vocab)
    for _ in range(200):
        tokens = [rng.choice(pieces) for _ in range(rng.randint(0, 12))] + rng.sample(SPECIAL_TOKENS, 1)
        rng.shuffle(tokens)
        assert ours.detokenize(tokens) == hf.convert_tokens_to_string(tokens), tokens


def _teacher_forced_logprobs(folder: Path, prefix: str, source: str, output_tokens: list[str]) -> list[float]:
    """Log-prob of each output token and </s> under MarianMTModel given the source (PyTorch).

    ``<pad>`` is no output (generate bans it; CTranslate2's converter gives it no
    probability), so the softmax is over the other tokens: with it, every token's
    log-prob is lower by log(1 - p(pad)), 0.002 on the tiny model's 471 tokens.
    """
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(folder)
    model = MarianMTModel.from_pretrained(folder).eval()
    inputs = tokenizer([prefix + source], return_tensors="pt")
    labels = torch.tensor([tokenizer.convert_tokens_to_ids(output_tokens) + [model.config.eos_token_id]])
    start = torch.full_like(labels[:, :1], model.config.decoder_start_token_id)
    with torch.inference_mode():
        logits = model(**inputs, decoder_input_ids=torch.cat([start, labels[:, :-1]], 1)).logits.float()
        logits[..., model.config.pad_token_id] = float("-inf")
    return torch.log_softmax(logits, -1).gather(-1, labels.unsqueeze(-1))[0, :, 0].tolist()


@pytest.mark.parametrize("compute_type, tolerance", [("float32", 1e-4), ("int8", 0.01)])
def test_confidence_equals_pytorch_teacher_forced_logprobs(compute_type: str, tolerance: float,
                                                           tiny_models: dict[str, Path]) -> None:
    """CTranslate2's own scores of its output are the PyTorch model's log-probs of that output."""
    folder = tiny_models["en-ar"]
    config = TranslateConfig(backend="ctranslate2", compute_type=compute_type, max_length=10, beam_size=2)
    translator = load_translator("en-ar", config, {"en-ar": str(folder)})
    sources = [s for s in SOURCES if s]
    for source, result in zip(sources, translator.translate(sources)):
        (hypothesis,) = translator.translator.translate_batch([translator._source_tokens(source)], beam_size=2,
                                                              max_decoding_length=10)
        tokens = hypothesis.hypotheses[0]
        assert translator.tokenizer.detokenize(tokens) == result.text
        expected = _teacher_forced_logprobs(folder, ">>ara<< ", source, tokens)
        assert result.n_tokens == len(expected) == len(tokens) + 1
        mean = sum(expected) / len(expected)
        std = (sum((v - mean) ** 2 for v in expected) / len(expected)) ** 0.5
        assert result.logprob_mean == pytest.approx(mean, abs=tolerance)
        assert result.logprob_std == pytest.approx(std, abs=tolerance * 2)
    # A given target (human translation) scores the same way.
    target = "ارتفعت الأسعار."
    (value,) = translator.score_targets(["Prices doubled."], [target])
    expected = _teacher_forced_logprobs(folder, ">>ara<< ", "Prices doubled.",
                                        translator.tokenizer.target_tokens(target))
    assert value[0] == pytest.approx(sum(expected) / len(expected), abs=tolerance)


# Run in a fresh interpreter where `import torch` and `import transformers` raise ImportError.
_WITHOUT_TORCH = """
import runpy, sys
for name in ("torch", "transformers", "huggingface_hub"):
    sys.modules[name] = None
sys.argv = ["translate-pipe"] + sys.argv[1:]
if sys.argv[1] == "score":
    from translate_pipe.config import TranslateConfig
    from translate_pipe.translate import load_translator
    t = load_translator("en-ar", TranslateConfig(max_length=8, beam_size=2), {"en-ar": sys.argv[2]})
    (result,) = t.translate(["The minister met the delegation."])
    (score,) = t.score_targets(["Prices doubled."], ["ارتفعت الأسعار."])
    print(result.n_tokens, result.logprob_mean, score[0])
    print(sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "transformers") and sys.modules[m]))
else:
    runpy.run_module("translate_pipe.cli", run_name="__main__")
"""


def test_cached_conversion_translates_and_scores_without_torch(tiny_models: dict[str, Path]) -> None:
    """The fast-start rule: once converted, the CTranslate2 path needs neither torch nor transformers."""
    folder = str(tiny_models["en-ar"])
    load_translator("en-ar", CT2, {"en-ar": folder})  # converts (this may import transformers)
    result = subprocess.run(
        [sys.executable, "-c", _WITHOUT_TORCH, "translate", "--to", "ar", "--model", f"en-ar={folder}",
         "--max-length", "8", "--beam", "2"],
        input="The minister met the delegation.\n\nPrices doubled.\n", capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")
    assert len(lines) == 4 and lines[0] and lines[1] == "" and lines[2]
    scored = subprocess.run([sys.executable, "-c", _WITHOUT_TORCH, "score", folder],
                            capture_output=True, text=True, timeout=120)
    assert scored.returncode == 0, scored.stderr
    counts, modules = scored.stdout.strip().split("\n")
    n_tokens, mean, score = counts.split()
    assert int(n_tokens) > 0 and float(mean) < 0 and float(score) < 0 and modules == "[]"
    # The shim itself works: the transformers backend cannot start there.
    refused = subprocess.run(
        [sys.executable, "-c", _WITHOUT_TORCH, "translate", "--to", "ar", "--model", f"en-ar={folder}",
         "--backend", "transformers"], input="Prices doubled.\n", capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0


def test_a_changed_model_is_converted_again(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    import json
    import shutil

    copy = shutil.copytree(tiny_models["en-fr"], tmp_path / "m")
    first = load_translator("en-fr", CT2, {"en-fr": str(copy)})
    config = json.loads((copy / "config.json").read_text())
    config["dropout"] = 0.3
    (copy / "config.json").write_text(json.dumps(config))
    second = load_translator("en-fr", CT2, {"en-fr": str(copy)})
    assert first.system.revision != second.system.revision and first.model_dir != second.model_dir
    from translate_pipe.translate.marian import weights_fingerprint

    assert second.system.revision == weights_fingerprint(copy)


def test_cuda_requested_without_a_gpu_falls_back_to_cpu(tiny_models: dict[str, Path],
                                                       caplog: pytest.LogCaptureFixture) -> None:
    import ctranslate2

    if ctranslate2.get_cuda_device_count() > 0:
        pytest.skip("a GPU is present: the fallback cannot be observed here")
    config = TranslateConfig(backend="ctranslate2", device="cuda", compute_type="auto", max_length=6, beam_size=1)
    translator = load_translator("en-fr", config, {"en-fr": str(tiny_models["en-fr"])})
    assert translator.device == "cpu" and translator.compute_type == "int8"
    assert "CUDA was asked for" in caplog.text
    assert translator.translate(["Prices doubled."])[0].n_tokens > 0


def test_vocab_map_restricts_outputs_to_candidates(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    """With translate.vocab_map, every output piece is a candidate of the map for its source;
    the map is learned from pairs; without it the same model may choose any piece."""
    from translate_pipe.testing import corpus_lines
    from translate_pipe.translate.marian_vocab import MarianSentencePiece
    from translate_pipe.translate.vocab_map import build_vocab_map

    folder = tiny_models["en-fr"]
    pairs = list(zip(corpus_lines("en"), corpus_lines("fr")))
    text = build_vocab_map(MarianSentencePiece(folder), pairs, always=20, per_source=5)
    vmap = tmp_path / "vmap.txt"
    vmap.write_text(text, encoding="utf-8")
    always = set(text.split("\n")[0].split("\t")[1].split())
    links = {line.split("\t")[0]: set(line.split("\t")[1].split()) for line in text.split("\n")[1:] if line}
    assert len(always) == 20 and links[","] >= {","}  # a piece in both vocabularies maps to itself
    config = TranslateConfig(backend="ctranslate2", max_length=8, beam_size=2)
    shortlisted = load_translator("en-fr", TranslateConfig(**{**config.__dict__, "vocab_map": str(vmap)}),
                                  {"en-fr": str(folder)})
    full = load_translator("en-fr", config, {"en-fr": str(folder)})
    assert shortlisted.system.signature() != full.system.signature()  # stored translations say which
    differs = 0
    for source in corpus_lines("en")[:6]:
        tokens = shortlisted._source_tokens(source)
        allowed = always.union(*(links.get(t, set()) for t in tokens)) | {"<unk>", "</s>"}
        (ours,) = shortlisted.translator.translate_batch([tokens], beam_size=2, max_decoding_length=8, use_vmap=True)
        assert set(ours.hypotheses[0]) <= allowed
        (theirs,) = full.translator.translate_batch([tokens], beam_size=2, max_decoding_length=8)
        differs += not set(theirs.hypotheses[0]) <= allowed
        (result,) = shortlisted.translate([source])
        assert result.text == shortlisted.tokenizer.detokenize(ours.hypotheses[0]) and result.logprob_mean < 0
    assert differs  # random weights choose outside the shortlist: the map is what restricts them


def test_models_vmap_command_writes_a_map_the_backend_uses(tiny_models: dict[str, Path], tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from translate_pipe.testing import corpus_lines

    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("".join(f"{e}\t{f}\n" for e, f in zip(corpus_lines("en"), corpus_lines("fr"))), encoding="utf-8")
    out = tmp_path / "vmap.txt"
    model = ["--model", f"en-fr={tiny_models['en-fr']}"]
    assert main(["models", "vmap", "en-fr", "--pairs", str(pairs), "--out", str(out), *model]) == 0
    assert out.read_text(encoding="utf-8").startswith("\t") and "vocab_map" in capsys.readouterr().out
    bad = tmp_path / "bad.tsv"
    bad.write_text("no tab here\n", encoding="utf-8")
    assert main(["models", "vmap", "en-fr", "--pairs", str(bad), "--out", str(tmp_path / "x"), *model]) == 1
    assert "line 1 has no tab" in capsys.readouterr().err and not (tmp_path / "x").exists()
    assert main(["models", "vmap", "en-fr"]) == 2


def test_text_only_translation_is_the_scored_translations_text(ct2_ar, tiny_models: dict[str, Path]) -> None:
    # `translate-pipe translate` prints no confidence, so it skips the scoring pass; the text
    # must be exactly what the scored path gives (empty lines and long, split sources included).
    from translate_pipe.translate import translation_texts

    long = ", ".join(["the minister met the delegation in Geneva"] * 40) + "."
    sources = [*SOURCES, long, "   "]
    assert translation_texts(ct2_ar, sources) == [r.text for r in ct2_ar.translate(sources)]
    hf = load_translator("en-ar", HF, {"en-ar": str(tiny_models["en-ar"])})
    assert not hasattr(hf, "translate_text")  # the fallback: the text of translate()
    assert translation_texts(hf, SOURCES) == [r.text for r in hf.translate(SOURCES)]
