"""Readable names: releases by file name or title in exports, downloads and reports."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from translate_pipe.cli import main
from translate_pipe.names import release_names, slugify
from translate_pipe.store import Store


def test_slugify_examples() -> None:
    assert slugify("Port Authority Opens New Terminal!") == "port-authority-opens-new-terminal"
    assert slugify("2024-03-harbour") == "2024-03-harbour"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("هيئة الموانئ تفتتح") == "هيئة-الموانئ-تفتتح"
    assert slugify("???") == ""


@given(st.text(max_size=200))
def test_slugify_is_safe_short_and_idempotent(text: str) -> None:
    slug = slugify(text)
    assert len(slug) <= 60 and "/" not in slug and "\\" not in slug and not slug.startswith(".")
    assert all(c.isalnum() or c in "-._" for c in slug)
    assert slugify(slug) == slug


@pytest.fixture()
def filled(releases_dir: Path, tmp_path: Path, model_args: list[str], fast_config_file: Path) -> Path:
    db = tmp_path / "t.db"
    references = Path(__file__).parent / "fixtures" / "references" / "fr"
    assert main(["run", str(releases_dir), "--to", "fr", "--db", str(db), "--config", str(fast_config_file), "-q",
                 "--reference", f"fr={references}", *model_args]) == 0
    return db


def test_names_come_from_file_names_and_ids_and_are_unique(filled: Path, tmp_path: Path, model_args: list[str],
                                                           fast_config_file: Path) -> None:
    with Store(filled) as store:
        names = release_names(store)
    assert sorted(names.values()) == ["2024-03-harbour", "2024-05-schools", "wire-001", "wire-002"]
    # Another file with the same name elsewhere, different text: a second, still unique and stable name.
    other = tmp_path / "elsewhere" / "2024-03-harbour.txt"
    other.parent.mkdir()
    other.write_text("Another Harbour\n\nA different release with the same file name.\n", encoding="utf-8")
    time.sleep(1.1)  # stored times have whole seconds: the second release is stored later
    assert main(["run", str(other), "--to", "fr", "--db", str(filled), "--config", str(fast_config_file), "-q",
                 *model_args]) == 0
    with Store(filled) as store:
        again = release_names(store)
        assert release_names(store) == again
    assert {k: v for k, v in again.items() if k in names} == names
    (new_id,) = set(again) - set(names)
    assert again[new_id] == f"2024-03-harbour-{new_id[:8]}"


def test_release_exports_are_named_by_file_name(filled: Path, tmp_path: Path) -> None:
    out = tmp_path / "pages"
    assert main(["export", "--db", str(filled), "--lang", "fr", "--format", "release-html", "--out", str(out), "-q"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "2024-03-harbour.fr.html", "2024-05-schools.fr.html", "wire-001.fr.html", "wire-002.fr.html"]
    # --release takes the name a person sees.
    one = tmp_path / "one"
    assert main(["export", "--db", str(filled), "--lang", "fr", "--format", "release", "--out", str(one),
                 "--release", "2024-05-schools", "-q"]) == 0
    assert [p.name for p in one.iterdir()] == ["2024-05-schools.fr.txt"]


def test_evaluation_lists_documents_by_name(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["evaluate", "--db", str(filled), "--lang", "fr", "--json", "--samples", "10"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result["documents"]) == ["2024-03-harbour"]


def test_review_download_is_named_by_file_name(filled: Path, fast_config: object) -> None:
    from translate_pipe.review.service import ReviewService

    service = ReviewService(str(filled), fast_config)
    harbour = next(r for r in service.releases() if "Container Terminal" in str(r["title"]))
    _, _, name = service.download(str(harbour["id"]), "fr", "html")
    assert name == "2024-03-harbour.fr.html"
