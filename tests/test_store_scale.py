"""A run's cost follows its work: bounded memory, and a no-op re-run that segments nothing.

Runs go through the real pipeline and the tiny real-tokenizer Marian model; the
releases are synthetic JSON lines so that their number can change freely.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

import translate_pipe.engine as engine_module
from translate_pipe.config import Config
from translate_pipe.engine import LocalEngine
from translate_pipe.pipeline import run_pipeline
from translate_pipe.store import Store
from translate_pipe.translate import load_translator

WORDS = ("council", "ministry", "harbour", "schools", "water", "project", "villages", "convoys", "delegation", "budget")


def write_releases(path: Path, count: int, sentences: int = 30, distinct: int = 150, per_file: int = 20) -> Path:
    """A folder of ``count`` releases of ``sentences`` sentences drawn from ``distinct`` different ones.

    Each release is different (its title and order), but most sentences repeat across
    releases, as in a real archive, so the run is mostly the store and the memory. The
    releases are in JSON-lines files of ``per_file`` each (ingest reads a file whole).
    """
    path.mkdir()
    pool = [f"The {WORDS[n % 10]} of district {n} met the {WORDS[(n * 7) % 10]} on day {n % 28 + 1}."
            for n in range(distinct)]
    for r in range(count):
        with (path / f"part-{r // per_file:05d}.jsonl").open("a", encoding="utf-8") as out:
            chosen = [pool[(r * 13 + k * 7) % distinct] for k in range(sentences)]
            paragraphs = [" ".join(chosen[i : i + 3]) for i in range(0, sentences, 3)]
            out.write(json.dumps({"id": f"synthetic-{r}", "title": f"Release {r} on the {WORDS[r % 10]}",
                                  "date": f"2024-0{r % 9 + 1}-1{r % 10}", "text": "\n\n".join(paragraphs)}) + "\n")
    return path


def _run_peak(tmp_path: Path, name: str, releases: int, window: int, config: Config, translator) -> int:
    """Peak Python memory (bytes) of a first run over ``releases`` releases, the model loaded before."""
    source = write_releases(tmp_path / name, releases)
    engine = LocalEngine(config, translator_factory=lambda pair: translator)
    engine.window_releases = window
    with Store(tmp_path / f"{name}.db") as store:
        tracemalloc.start()
        try:
            summary = run_pipeline([str(source)], ["fr"], config, store, engine=engine)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert summary.status == "done" and summary.releases == releases
    assert summary.languages["fr"].translated + summary.languages["fr"].from_memory == summary.segments
    return peak


@pytest.mark.slow
def test_run_memory_is_bounded_by_the_window_not_the_run(
    tmp_path: Path, tiny_models: dict[str, Path], fast_config: Config
) -> None:
    translator = load_translator("en-fr", fast_config.translate, {"en-fr": str(tiny_models["en-fr"])})
    small, large = 40, 200
    # Control: one window for the whole run is the old behaviour; it must grow, or this test measures nothing.
    whole_small = _run_peak(tmp_path, "whole-small", small, 10**9, fast_config, translator)
    whole_large = _run_peak(tmp_path, "whole-large", large, 10**9, fast_config, translator)
    windowed_small = _run_peak(tmp_path, "win-small", small, 20, fast_config, translator)
    windowed_large = _run_peak(tmp_path, "win-large", large, 20, fast_config, translator)
    whole_growth = whole_large - whole_small
    windowed_growth = windowed_large - windowed_small
    assert whole_growth > 600_000, whole_growth  # 4,800 more pending sentences held at once
    print(f"peak growth 40 -> 200 releases: whole run {whole_growth:,} B, windows of 20 {windowed_growth:,} B")
    assert windowed_growth < whole_growth / 4, (windowed_growth, whole_growth)


def test_a_no_op_rerun_segments_nothing_and_reports_the_same(
    tmp_path: Path, tiny_models: dict[str, Path], fast_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_releases(tmp_path / "in", 12, sentences=6)
    overrides = {"en-fr": str(tiny_models["en-fr"])}
    segmented: list[str] = []
    real_segment = engine_module.segment_release

    def counting_segment(release):  # type: ignore[no-untyped-def]
        segmented.append(release.id)
        return real_segment(release)

    monkeypatch.setattr(engine_module, "segment_release", counting_segment)
    with Store(tmp_path / "t.db") as store:
        first = run_pipeline([str(source)], ["fr"], fast_config, store, model_overrides=overrides)
        assert len(segmented) == 12
        segmented.clear()
        again = run_pipeline([str(source)], ["fr"], fast_config, store, model_overrides=overrides)
        assert segmented == []
        # A release not seen before is segmented; the stored ones still are not.
        with (source / "part-00000.jsonl").open("a", encoding="utf-8") as out:
            out.write(json.dumps({"id": "new-one", "title": "A New Release", "text": "Something new happened."}) + "\n")
        third = run_pipeline([str(source)], ["fr"], fast_config, store, model_overrides=overrides)
    assert len(segmented) == 1
    assert again.segments == first.segments and again.releases == first.releases == 12
    assert again.new_releases == 0 and again.languages["fr"].translated == 0
    assert again.languages["fr"].already_done == first.segments
    assert again.languages["fr"].labels == first.languages["fr"].labels
    assert third.releases == 13 and third.new_releases == 1 and third.segments == first.segments + 2  # title and sentence
