"""Start-up and memory of the translate command: what it imports, how big its batches get."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_pipe.config import TranslateConfig
from translate_pipe.translate.batching import balanced_batches, token_budget_batches


def test_the_parser_names_the_exporters_formats() -> None:
    """The CLI lists the export formats without importing the exporters (0.2 s of start-up)."""
    from translate_pipe.cli import EXPORT_FORMATS
    from translate_pipe.export import FORMATS

    assert EXPORT_FORMATS == FORMATS


# Run the CLI in a fresh interpreter, then write the modules it imported to the file in argv[1].
_MODULES_OF_A_RUN = """
import json, sys
from translate_pipe.cli import main
out = sys.argv[1]
code = main(sys.argv[2:])
with open(out, "w") as handle:
    json.dump(sorted(name for name, module in sys.modules.items() if module is not None), handle)
sys.exit(code)
"""

# What the translate command has no use for: every one of these cost start-up time.
NOT_FOR_TRANSLATING = ("translate_pipe.export", "translate_pipe.store", "translate_pipe.segment",
                       "translate_pipe.ingest", "translate_pipe.scoring", "translate_pipe.align", "sqlite3", "lxml",
                       "numpy", "sacrebleu", "torch", "transformers", "pandas", "pyarrow")


def test_translate_on_a_cached_conversion_imports_only_what_it_uses(tiny_models: dict[str, Path],
                                                                   tmp_path: Path) -> None:
    pytest.importorskip("ctranslate2")
    from translate_pipe.translate import load_translator

    folder = str(tiny_models["en-fr"])
    config = TranslateConfig(backend="ctranslate2", max_length=6, beam_size=2)
    load_translator("en-fr", config, {"en-fr": folder})  # the conversion (imports transformers) happens here
    listing = tmp_path / "modules.json"
    result = subprocess.run(
        [sys.executable, "-c", _MODULES_OF_A_RUN, str(listing), "translate", "--to", "fr", "--model",
         f"en-fr={folder}", "--max-length", "6", "--beam", "2"],
        input="Prices doubled.\n", capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.split("\n")) == 2 and result.stdout.strip()
    modules = json.loads(listing.read_text())
    assert "ctranslate2" in modules and "sentencepiece" in modules  # what it does need
    loaded = sorted(m for m in modules if m.split(".")[0] in NOT_FOR_TRANSLATING or m.startswith(NOT_FOR_TRANSLATING))
    assert loaded == []


def test_the_package_still_offers_segmentation_on_first_use() -> None:
    import translate_pipe

    assert translate_pipe.split_sentences("One. Two.", "en") == ["One.", "Two."]
    assert callable(translate_pipe.segment_document)
    with pytest.raises(AttributeError):
        translate_pipe.no_such_thing  # noqa: B018


@given(st.lists(st.integers(1, 120), max_size=300), st.integers(1, 4), st.integers(1, 4000), st.integers(1, 40))
@settings(max_examples=300)
def test_balanced_batches_never_exceed_the_sentence_bound(lengths: list[int], workers: int, max_tokens: int,
                                                          max_sentences: int) -> None:
    batches = balanced_batches(lengths, workers, max_tokens, max_sentences)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert all(len(b) <= max_sentences for b in batches)
    if not lengths:
        return
    assert all(len(b) == 1 or len(b) * max(lengths[i] for i in b) <= max(max_tokens, max(lengths)) for b in batches)
    # No more batches than balancing needs: the fewest under both bounds, rounded up to a
    # multiple of the workers.
    fewest = len(token_budget_batches(lengths, max_sentences, max(max_tokens, max(lengths))))
    wanted = -(-max(fewest, min(workers, len(lengths))) // workers) * workers
    assert fewest <= len(batches) <= wanted


def test_short_sentences_no_longer_make_one_huge_batch() -> None:
    # 256 news sentences of 15-30 tokens fit a 2048-token budget 65 at a time (260 beam rows,
    # each with a 59,514-wide score vector: most of the 1.2 GB peak at 1,000 sentences).
    lengths = [15 + i % 16 for i in range(256)]
    assert max(len(b) for b in balanced_batches(lengths, 2, 2048)) > 60
    assert max(len(b) for b in balanced_batches(lengths, 2, 2048, 16)) == 16


def test_ctranslate2_batches_hold_at_most_batch_size_sentences(tiny_models: dict[str, Path]) -> None:
    """The backend sends CTranslate2 no batch above translate.batch_size, and the results are those
    of each sentence translated alone."""
    pytest.importorskip("ctranslate2")
    from translate_pipe.translate import load_translator

    folder = {"en-fr": str(tiny_models["en-fr"])}
    sentences = [f"The council met {n} times in Geneva and agreed on aid." if n % 2 else f"Prices rose {n}%."
                 for n in range(11)]
    alone = load_translator("en-fr", TranslateConfig(backend="ctranslate2", max_length=8, beam_size=2), folder)
    expected = [alone.translate([s])[0] for s in sentences]
    bounded = load_translator("en-fr", TranslateConfig(backend="ctranslate2", max_length=8, beam_size=2,
                                                       batch_size=3), folder)
    sizes: list[int] = []
    real_translate_batch = bounded.translator.translate_batch

    def recording(source, *args, **kwargs):  # the real call, its batch size noted
        sizes.append(len(source))
        return real_translate_batch(source, *args, **kwargs)

    bounded.translator = _Recording(bounded.translator, recording)
    results = bounded.translate(sentences)
    assert sum(sizes) == len(sentences) and max(sizes) <= 3 and len(sizes) >= 4
    assert [(r.text, r.logprob_mean, r.n_tokens) for r in results] == \
        [(r.text, r.logprob_mean, r.n_tokens) for r in expected]


class _Recording:
    """A CTranslate2 translator whose ``translate_batch`` goes through ``translate_batch``;
    everything else is the real object's."""

    def __init__(self, translator, translate_batch):
        self._translator, self.translate_batch = translator, translate_batch

    def __getattr__(self, name: str):
        return getattr(self._translator, name)


def test_a_model_ctranslate2_cannot_load_is_one_actionable_line(tiny_models: dict[str, Path], tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The model loads in a thread beside the tokenizers; its failure still surfaces at load, as our error."""
    pytest.importorskip("ctranslate2")
    from translate_pipe.errors import ModelLoadError
    from translate_pipe.translate import load_translator

    monkeypatch.setenv("TRANSLATE_PIPE_CACHE", str(tmp_path / "cache"))
    folder = {"en-fr": str(tiny_models["en-fr"])}
    config = TranslateConfig(backend="ctranslate2", max_length=6, beam_size=2)
    converted = load_translator("en-fr", config, folder)
    assert converted.translate(["Prices doubled."])[0].n_tokens > 0
    model_bin = converted.model_dir / "model.bin"
    model_bin.write_bytes(model_bin.read_bytes()[:1000])  # a cut-off file, as a full disk leaves it
    with pytest.raises(ModelLoadError) as info:
        load_translator("en-fr", config, folder)
    message = str(info.value)
    assert str(converted.model_dir) in message and "cannot load" in message and "\n" not in message


def test_the_first_translations_appear_before_the_input_ends(tiny_models: dict[str, Path]) -> None:
    """The first chunk is one line per core: its translations are written while the input is still
    open (before, the command waited for --chunk lines, 256 by default, or the end of the input)."""
    pytest.importorskip("ctranslate2")
    import os
    import select

    from translate_pipe.translate import load_translator

    folder = str(tiny_models["en-fr"])
    load_translator("en-fr", TranslateConfig(backend="ctranslate2"), {"en-fr": folder})  # converted beforehand
    cores = os.cpu_count() or 1
    process = subprocess.Popen(
        [sys.executable, "-m", "translate_pipe.cli", "translate", "--to", "fr", "--model", f"en-fr={folder}",
         "--max-length", "6", "--beam", "1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        process.stdin.write(b"Prices doubled in the city.\n" * cores)
        process.stdin.flush()
        written = b""  # read from the descriptor itself: a buffered reader would hide lines from select
        while written.count(b"\n") < cores:
            ready, _, _ = select.select([process.stdout], [], [], 120)
            assert ready, f"no translation came while the input stayed open (got {written!r})"
            chunk = os.read(process.stdout.fileno(), 65536)
            assert chunk, process.stderr.read().decode()
            written += chunk
        first = written.decode().split("\n")
        assert len(first) == cores + 1 and all(line.strip() for line in first[:-1]) and first[-1] == ""
        process.stdin.write(b"The talks resume.\n\n")
        process.stdin.close()
        rest = (written.split(b"\n", cores)[-1] + process.stdout.read()).decode()
        assert process.wait(timeout=120) == 0, process.stderr.read().decode()
        assert rest.split("\n")[1:] == ["", ""] and rest.split("\n")[0].strip()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
