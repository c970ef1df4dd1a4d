from __future__ import annotations

from pathlib import Path

import pytest

from translate_pipe.config import Config, load_config
from translate_pipe.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_default_yaml_documents_exactly_the_dataclass_defaults() -> None:
    assert load_config(ROOT / "configs" / "default.yaml") == Config()
    assert load_config() == Config()


def test_user_file_overrides_one_key(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("translate:\n  beam_size: 6\nscore:\n  labels: {good: 0.9}\n", encoding="utf-8")
    config = load_config(path)
    assert config.translate.beam_size == 6 and config.translate.max_length == Config().translate.max_length
    assert config.score.labels.good == 0.9 and config.score.labels.check == Config().score.labels.check


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("translate:\n  beam: 6\n", "unknown key 'translate.beam'"),
        ("translat:\n  beam_size: 6\n", "unknown key 'translat'"),
        ("translate:\n  beam_size: four\n", "'translate.beam_size' must be a whole number"),
        ("translate: [1, 2]\n", "'translate' must be a mapping"),
        ("translate: {beam_size: 4\n", "not valid YAML"),
    ],
)
def test_bad_config_names_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert message in str(info.value) and str(path) in str(info.value)
