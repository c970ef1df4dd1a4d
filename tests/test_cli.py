"""Bad input through the CLI: one-line errors, the right exit codes, nothing stored lost."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from translate_pipe.cli import main


def _translations(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id, segment_id, text FROM translations ORDER BY id").fetchall()


@pytest.fixture()
def filled_db(releases_dir: Path, tmp_path: Path, model_args: list[str], fast_config_file: Path) -> Path:
    db = tmp_path / "filled.db"
    assert main(["run", str(releases_dir), "--to", "fr", "--db", str(db), "--config", str(fast_config_file), "-q", *model_args]) == 0
    return db


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("binary.txt", b"\x00\x01\x02\x03", "binary file"),
        ("latin1.txt", b"Title\n\nCaf\xe9.\n", "not valid UTF-8"),
        ("huge-line.txt", b"Title\n\n" + b"word " * 1_000_000, "characters"),
    ],
)
def test_bad_file_is_an_error_naming_it_and_nothing_is_lost(
    filled_db: Path, tmp_path: Path, model_args: list[str], fast_config_file: Path,
    capsys: pytest.CaptureFixture[str], name: str, content: bytes, reason: str,
) -> None:
    before = _translations(filled_db)
    bad = tmp_path / name
    bad.write_bytes(content)
    capsys.readouterr()
    code = main(["run", str(bad), "--to", "fr", "--db", str(filled_db), "--config", str(fast_config_file), *model_args])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{bad}: skipped: " in err and reason in err
    assert err.strip().splitlines()[-1].startswith(f"translate-pipe: error: {bad}: no release could be read")
    assert _translations(filled_db) == before


def test_bad_file_beside_good_ones_is_skipped_with_a_warning(
    releases_dir: Path, tmp_path: Path, model_args: list[str], fast_config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (releases_dir / "broken.txt").write_bytes(b"\xff\xfe\x00garbage")
    db = tmp_path / "t.db"
    args = ["run", str(releases_dir), "--to", "fr", "--db", str(db), "--config", str(fast_config_file), *model_args]
    assert main(args) == 0
    assert f"{releases_dir / 'broken.txt'}: skipped: binary file" in capsys.readouterr().err
    assert main([*args, "--strict"]) == 1


def test_empty_folder_and_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "none").mkdir()
    assert main(["run", str(tmp_path / "none"), "--to", "fr", "--db", str(tmp_path / "x.db")]) == 1
    assert "no releases in this folder" in capsys.readouterr().err
    assert main(["run", str(tmp_path / "missing"), "--to", "fr", "--db", str(tmp_path / "x.db")]) == 1
    assert "no such file or folder" in capsys.readouterr().err


def test_missing_model_is_one_line_and_keeps_the_data(
    filled_db: Path, releases_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _translations(filled_db)
    capsys.readouterr()
    code = main(["run", str(releases_dir), "--to", "fr", "--db", str(filled_db)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1
    assert err[0].startswith("translate-pipe: error: cannot load model Helsinki-NLP/opus-mt-en-fr for en-fr")
    assert "--model en-fr=" in err[0]
    assert _translations(filled_db) == before


def test_usage_and_config_errors_exit_2(tmp_path: Path, releases_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("translate:\n  beams: 3\n", encoding="utf-8")
    assert main(["run", str(releases_dir), "--to", "fr", "--config", str(bad), "--db", str(tmp_path / "x.db")]) == 2
    assert "unknown key 'translate.beams'" in capsys.readouterr().err
    assert main(["run", str(releases_dir), "--to", "fr", "--model", "nonsense", "--db", str(tmp_path / "x.db")]) == 2
    capsys.readouterr()
    assert main(["export", "--lang", "fr", "--format", "tmx", "--out", "x", "--db", "mysql://h/db"]) == 2
    assert "scheme 'mysql' is not supported" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["run", str(releases_dir)])
    assert info.value.code == 2


def test_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "notes.db"
    db.write_text("these are my notes, not a database" * 100, encoding="utf-8")
    assert main(["export", "--lang", "fr", "--format", "jsonl", "--out", str(tmp_path / "o.jsonl"), "--db", str(db)]) == 1
    assert "cannot open as a translate-pipe database" in capsys.readouterr().err
    assert db.read_text(encoding="utf-8").startswith("these are my notes")


def test_a_database_error_mid_session_is_a_store_error(tmp_path: Path) -> None:
    import sqlite3

    from translate_pipe.errors import StoreError
    from translate_pipe.store import Store

    db = tmp_path / "t.db"
    with Store(db) as store:
        with sqlite3.connect(db) as other:
            other.execute("DROP TABLE runs")  # another program damages the database
        with pytest.raises(StoreError, match=r"t\.db: no such table: runs$"):
            store.runs()


def test_segment_command_reads_stdin(tmp_path: Path) -> None:
    text = "Headline\n\nDr. Smith spoke. « Oui. » Then left.\n"
    result = subprocess.run([sys.executable, "-m", "translate_pipe.cli", "segment", "--lang", "en", "--paragraphs"],
                            input=text.encode(), capture_output=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.decode().splitlines() == ["Headline", "", "Dr. Smith spoke.", "« Oui. »", "Then left."]


def test_a_sentence_repeated_in_one_new_release_is_translated_once(
    tmp_path: Path, model_args: list[str], fast_config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    release = tmp_path / "repeat.txt"
    release.write_text("Repeats\n\nThe council met on Monday. The minister spoke.\n\n"
                       "The council met on Monday. A new sentence ends it.\n", encoding="utf-8")
    db = tmp_path / "t.db"
    assert main(["run", str(release), "--to", "fr", "--db", str(db), "--config", str(fast_config_file), *model_args]) == 0
    err = capsys.readouterr().err
    # Title, 'The council met' (twice), 'The minister spoke', 'A new sentence': four texts, five sentences.
    assert "5 sentences" in err and "en→fr: 4 translated, 1 from memory, 0 already done" in err
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0] == 5


def test_the_max_length_flag_names_the_configured_limit(
    releases_dir: Path, tmp_path: Path, model_args: list[str], fast_config_file: Path
) -> None:
    import json

    db = tmp_path / "t.db"
    assert main(["run", str(releases_dir), "--to", "fr", "--db", str(db), "--config", str(fast_config_file), "-q",
                 *model_args]) == 0
    out = tmp_path / "c.jsonl"
    assert main(["export", "--db", str(db), "--lang", "fr", "--format", "jsonl", "--out", str(out), "-q",
                 "--keep-duplicates"]) == 0
    reasons = [flag["reason"] for line in out.read_text(encoding="utf-8").splitlines()
               for flag in json.loads(line)["flags"] if flag["name"] == "hit_max_length"]
    # Random weights rarely emit </s> within 12 tokens (fast.yaml's max_length).
    assert reasons
    assert set(reasons) == {"decoding stopped at the 12-token limit (translate.max_length)"}


def test_reference_files_that_match_no_release_are_named(
    releases_dir: Path, tmp_path: Path, model_args: list[str], fast_config_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import shutil

    references = tmp_path / "refs"
    shutil.copytree(Path(__file__).parent / "fixtures" / "references" / "fr", references)
    stray = references / "2024-03-harbor.txt"  # a misspelt name; its release has its reference already
    stray.write_text("Titre\n\nUne phrase.\n", encoding="utf-8")
    harbour = releases_dir / "2024-03-harbour.txt"
    assert main(["run", str(harbour), "--to", "fr", "--db", str(tmp_path / "t.db"), "--config",
                 str(fast_config_file), "--reference", f"fr={references}", *model_args]) == 0
    err = capsys.readouterr().err
    assert f"translate-pipe: WARNING: {stray}: reference matched no release" in err
    assert "en→fr references: 1 matched" in err and "1 reference files matched no release" in err
    assert f"{references / '2024-03-harbour.txt'}: reference matched no release" not in err
