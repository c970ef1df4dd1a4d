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
