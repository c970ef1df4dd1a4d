from __future__ import annotations

import json
from pathlib import Path

import pytest

from translate_pipe.config import IngestConfig
from translate_pipe.errors import InputError
from translate_pipe.ingest import Skipped, parse_date, parse_release_text, read_releases


def test_seed_release_metadata_and_boilerplate(seed_release: Path) -> None:
    (release,) = list(read_releases([seed_release]))
    assert release.date == "2018-09-10T16:14"
    assert release.title.startswith("President Mustafa Meets French Envoy")
    assert release.source == "Syrian Coalition’s Media Department"
    assert len(release.dropped) == 1 and release.dropped[0].startswith("breadcrumb: Home Media Center")
    assert not any(p.text.startswith("Home Media Center") for p in release.paragraphs)
    assert release.paragraphs[0].kind == "title"
    assert len(release.paragraphs) == 11  # the title and ten body paragraphs


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("Monday, 10 September 2018 16:14", "2018-09-10T16:14"),
        ("May 3, 2024 2:15 pm", "2024-05-03T14:15"),
        ("2024-06-01", "2024-06-01"),
        ("Sept. 9, 2019", "2019-09-09"),
        ("30 February 2020", None),
        ("Mardi 12 mars 2024 09:30", "2024-03-12T09:30"),
        ("1er août 2023 à 14h05", "2023-08-01T14:05"),
        ("الثلاثاء، ١٢ آذار ٢٠٢٤", "2024-03-12"),
        ("12 كانون الأول 2023", "2023-12-12"),
        ("President Mustafa Meets French Envoy", None),
    ],
)
def test_parse_date(line: str, iso: str | None) -> None:
    assert parse_date(line) == iso


def test_same_text_under_another_name_has_the_same_id(releases_dir: Path, tmp_path: Path) -> None:
    original = releases_dir / "2024-03-harbour.txt"
    copy = tmp_path / "renamed.txt"
    copy.write_text(original.read_text(encoding="utf-8").replace("\n\n", "\n\n\n"), encoding="utf-8")
    (a,) = read_releases([original])
    (b,) = read_releases([copy])
    assert a.id == b.id and a.origin != b.origin


def test_navigation_lines_are_dropped_and_reported(releases_dir: Path) -> None:
    (release,) = read_releases([releases_dir / "2024-05-schools.txt"])
    assert any(d.startswith("navigation link: Share this") for d in release.dropped)
    assert release.paragraphs[-1].kind == "trailer" and release.source == "Ministry of Education"


def test_jsonl_releases(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    lines = [
        json.dumps({"id": "a", "title": "T1", "date": "June 2, 2024", "text": "One. Two."}),
        "not json",
        json.dumps({"id": "b", "title": "T2"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_releases([path]))
    assert items[0].external_id == "a" and items[0].date == "2024-06-02" and items[0].title == "T1"
    assert isinstance(items[1], Skipped) and items[1].origin.endswith(":2") and "JSON" in items[1].reason
    assert isinstance(items[2], Skipped) and '"text"' in items[2].reason


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary\x00", "binary"),
        (b"Title\n\nCaf\xe9 au lait.", "not valid UTF-8"),
        (("x" * 5_000_000).encode(), "max_release_chars"),
        (("word " * 1000).encode(), "max_sentence_chars"),
    ],
)
def test_bad_files_are_skipped_with_a_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    (item,) = read_releases([path], IngestConfig(max_sentence_chars=2000))
    assert isinstance(item, Skipped) and item.origin == str(path) and reason in item.reason


def test_missing_paths_and_empty_folders_are_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        list(read_releases([tmp_path / "nope"]))
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no releases in this folder"):
        list(read_releases([tmp_path / "empty"]))


def test_title_only_text_is_an_error() -> None:
    with pytest.raises(InputError, match="no title"):
        parse_release_text("Monday, 10 September 2018 16:14\n", "x.txt")


def test_read_lines_splits_on_line_breaks_only(tmp_path: Path) -> None:
    from translate_pipe.ingest import read_lines

    path = tmp_path / "l.txt"
    path.write_bytes("one\u2028still one\r\ntwo\rthree\n".encode())
    assert read_lines(path) == ["one\u2028still one", "two", "three"]


def test_release_and_stored_origin_agree_on_the_matching_key(tmp_path: Path) -> None:
    from translate_pipe.ingest import origin_key, release_key

    path = tmp_path / "batch.jsonl"
    path.write_text(json.dumps({"title": "T", "text": "No id here."}) + "\n", encoding="utf-8")
    (release,) = read_releases([path])
    assert release_key(release) == origin_key(release.origin, None) == "batch:1"


def test_parquet_rows_are_releases_like_json_lines(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    records = [
        {"id": "p-1", "title": "Water Project Completed", "date": "June 2, 2024",
         "text": "A water project that serves 40 villages was completed on Sunday."},
        {"id": "p-2", "title": None, "date": None, "text": None},
    ]
    pq.write_table(pa.Table.from_pylist(records), tmp_path / "wire.parquet")
    (tmp_path / "wire.jsonl").write_text(json.dumps(records[0]) + "\n", encoding="utf-8")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    items = list(read_releases([tmp_path]))
    releases = [i for i in items if not isinstance(i, Skipped)]
    skipped = {Path(i.origin).name: i.reason for i in items if isinstance(i, Skipped)}
    assert len(releases) == 2 and releases[0].id == releases[1].id  # same release, same id, either format
    from_parquet = next(r for r in releases if r.origin.endswith("wire.parquet:1"))
    assert (from_parquet.external_id, from_parquet.date) == ("p-1", "2024-06-02")
    assert "needs a \"text\" string" in skipped["wire.parquet:2"]
    assert "not a readable Parquet file" in skipped["broken.parquet"]


def test_a_folder_is_read_once_and_gives_what_reading_each_file_gives(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Learning the batch's furniture reads the files; ingest must not read them again."""
    from collections import Counter

    from translate_pipe.ingest import files

    for day in range(1, 7):
        (tmp_path / f"{day:02d}.txt").write_text(
            f"Site Name News\nMonday, {day} May 2018 10:00\n\nTitle number {day}\n\nThe body sentence number {day} "
            f"says something new today.\n\nFollow us on our channels\n", encoding="utf-8")
    (tmp_path / "07.html").write_text(
        "<html><head><title>Page seven</title></head><body><article><p>The seventh release says that the water "
        "network reaches forty villages in the north now.</p></article></body></html>", encoding="utf-8")
    (tmp_path / "08.txt").write_bytes(b"\xff\xfe\x00\x00broken")
    reads: Counter[str] = Counter()
    read_bytes = Path.read_bytes

    def counting_read_bytes(self: Path) -> bytes:
        reads[self.name] += 1
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", counting_read_bytes)
    items = list(read_releases([tmp_path]))
    # Each file once; the undecodable one (not kept by learning) twice, as before.
    assert {name: n for name, n in reads.items() if n != 1} == {"08.txt": 2}
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    # The same releases as with nothing kept from learning (every file read again).
    monkeypatch.setattr(files, "LEARN_CACHE_CHARS", 0)
    again = list(read_releases([tmp_path]))
    assert [(getattr(i, "paragraphs", None), getattr(i, "dropped", None), getattr(i, "reason", None)) for i in items] == \
        [(getattr(i, "paragraphs", None), getattr(i, "dropped", None), getattr(i, "reason", None)) for i in again]
    assert any("repeated site line" in d for d in items[0].dropped)
