from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch

from translate_pipe.config import TranslateConfig
from translate_pipe.errors import ConfigError, ModelLoadError
from translate_pipe.translate import load_translator, parse_model_overrides, resolve_model
from translate_pipe.translate.marian import MarianTranslator

# These tests look inside the transformers backend (tokenizer, model, raw logits).
CONFIG = TranslateConfig(backend="transformers", max_length=10, beam_size=2, batch_size=4)


@pytest.fixture(scope="module")
def en_ar(tiny_models: dict[str, Path]) -> MarianTranslator:
    translator = load_translator("en-ar", CONFIG, {"en-ar": str(tiny_models["en-ar"])})
    assert isinstance(translator, MarianTranslator)
    return translator


def test_target_token_is_prepended_and_known(en_ar: MarianTranslator) -> None:
    ids = en_ar.tokenizer(en_ar._prefix + "The minister met the delegation.")["input_ids"]
    token_id = en_ar.tokenizer.convert_tokens_to_ids(">>ara<<")
    assert ids[0] == token_id != en_ar.tokenizer.unk_token_id
    assert en_ar.system.decoding["target_token"] == ">>ara<<"


def test_model_without_the_target_token_is_refused(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    # The en-fr model has no >>ara<< in its vocabulary: loading it for en-ar must fail clearly.
    with pytest.raises(ModelLoadError, match=">>ara<<.*wrong model"):
        load_translator("en-ar", CONFIG, {"en-ar": str(tiny_models["en-fr"])})


def test_confidence_is_the_models_own_raw_logprob(en_ar: MarianTranslator) -> None:
    source = "The minister met the delegation in Geneva."
    (result,) = en_ar.translate([source])
    tok, model = en_ar.tokenizer, en_ar.model
    inputs = tok([en_ar._prefix + source], return_tensors="pt")
    with torch.inference_mode():
        out = model.generate(**inputs)
        logits = model(**inputs, decoder_input_ids=out[:, :-1]).logits
    logprobs = torch.log_softmax(logits, -1).gather(-1, out[:, 1:].unsqueeze(-1)).squeeze(-1)[0]
    eos_at = (out[0, 1:] == model.config.eos_token_id).nonzero()
    length = int(eos_at[0]) + 1 if len(eos_at) else logprobs.shape[0]
    assert result.n_tokens == length
    assert result.logprob_mean == pytest.approx(float(logprobs[:length].mean()), abs=1e-4)
    assert result.text == tok.decode(out[0], skip_special_tokens=True).strip()


def test_batching_and_padding_do_not_change_results(en_ar: MarianTranslator) -> None:
    sources = ["Short one.", "A much longer sentence about the humanitarian situation in the north of the country.",
               "Prices doubled.", "The talks will resume next month in Vienna, officials said on Monday."]
    together = en_ar.translate(sources)
    alone = [en_ar.translate([s])[0] for s in sources]
    assert [r.text for r in together] == [r.text for r in alone]
    for a, b in zip(together, alone):
        assert a.logprob_mean == pytest.approx(b.logprob_mean, abs=1e-3)


def test_long_sources_are_split_never_truncated(tiny_models: dict[str, Path]) -> None:
    config = TranslateConfig(backend="transformers", max_length=4, beam_size=1, max_input_tokens=16)
    translator = load_translator("en-fr", config, {"en-fr": str(tiny_models["en-fr"])})
    source = ", ".join(["the minister met the delegation in Geneva"] * 6) + "."
    assert translator.count_tokens(source) > 16
    (result,) = translator.translate([source])
    assert result.pieces >= 3
    assert result.n_tokens > 4  # several pieces, each with its own output


def test_empty_source_gives_empty_translation(en_ar: MarianTranslator) -> None:
    results = en_ar.translate(["", "The council met."])
    assert results[0].text == "" and results[0].n_tokens == 0 and results[1].n_tokens > 0


def test_hub_id_without_network_is_one_actionable_line() -> None:
    with pytest.raises(ModelLoadError) as info:
        load_translator("en-fr", CONFIG, None)
    message = str(info.value)
    assert "Helsinki-NLP/opus-mt-en-fr" in message and "--model en-fr=" in message
    assert "hf download" in message and "\n" not in message


def test_folder_that_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="not a Marian model folder.*source.spm"):
        load_translator("en-fr", CONFIG, {"en-fr": str(tmp_path)})
    with pytest.raises(ModelLoadError, match="no such model folder"):
        load_translator("en-fr", CONFIG, {"en-fr": str(tmp_path / "missing" / "folder")})


def test_models_folder_from_environment(tiny_models: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(tiny_models["en-fr"], tmp_path / "opus-mt-en-fr")
    monkeypatch.setenv("TRANSLATE_PIPE_MODELS", str(tmp_path))
    spec = resolve_model("en-fr")
    assert spec.found_by == "$TRANSLATE_PIPE_MODELS" and spec.location == str(tmp_path / "opus-mt-en-fr")
    assert spec.model_id == "Helsinki-NLP/opus-mt-en-fr"


def test_registry_entries_and_overrides() -> None:
    assert resolve_model("en-ar").target_token == ">>ara<<"
    assert resolve_model("en-fr").target_token is None
    assert parse_model_overrides(["fr=/m"]) == {"en-fr": "/m"}
    with pytest.raises(ConfigError, match="PAIR=PATH"):
        parse_model_overrides(["en-fr"])
    with pytest.raises(ConfigError, match="no model for language pair 'en-de'"):
        resolve_model("en-de")


def test_revision_is_a_fingerprint_of_local_weights(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    copy = shutil.copytree(tiny_models["en-fr"], tmp_path / "m")
    a = load_translator("en-fr", CONFIG, {"en-fr": str(copy)}).system
    config = json.loads((copy / "config.json").read_text())
    config["dropout"] = 0.2  # any change to the model changes its revision
    (copy / "config.json").write_text(json.dumps(config))
    b = load_translator("en-fr", CONFIG, {"en-fr": str(copy)}).system
    assert a.revision.startswith("sha256:") and a.revision != b.revision
    assert a.signature() != b.signature()
