"""A hostile audit of issue 22's store and review changes (memory index, ETag, PostgreSQL per release).

Each test builds its state through the store's API or the review application and compares
with what the data says: the memory index with the lookup it replaced (kept in
tests/test_store_memory.py), a tag with the body it names.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.test_store import fill_archive
from translate_pipe.review.app import create_app
from translate_pipe.store import Store


@pytest.fixture()
def archive(tmp_path: Path) -> tuple[Path, list[str]]:
    db = tmp_path / "a.db"
    with Store(db) as store:
        ids = fill_archive(store, 12, sentences=4)
    return db, ids


@pytest.fixture()
def client(archive: tuple[Path, list[str]]) -> Iterator[TestClient]:
    with TestClient(create_app(str(archive[0])), base_url="http://localhost") as test_client:
        yield test_client


def test_release_list_tag_changes_when_only_the_total_does(client: TestClient, archive: tuple[Path, list[str]]) -> None:
    """A release added past the first page leaves the page's items as they were, but not its total
    (X-Total-Count, which the UI's pager shows): a 304 would keep the client's old total."""
    first = client.get("/api/releases", params={"limit": 5})
    assert first.headers["X-Total-Count"] == "12"
    with Store(archive[0]) as store:
        # fill_archive's dates are 2010-2019: 2099 sorts after every one, off the first page.
        from translate_pipe.model import Release, Segment

        release = Release(id="zlast", title="Late", paragraphs=(), date="2099-01-01", origin="late.txt")
        store.add_release(release, [Segment("zlast", "en", 0, 0, "Late news.")])
    again = client.get("/api/releases", params={"limit": 5}, headers={"If-None-Match": first.headers["ETag"]})
    fresh = client.get("/api/releases", params={"limit": 5})
    assert fresh.headers["X-Total-Count"] == "13" and fresh.json() == first.json()
    assert again.status_code == 200 and again.headers["X-Total-Count"] == "13"


def test_if_none_match_forms(client: TestClient, archive: tuple[Path, list[str]]) -> None:
    """Weak comparison over a list: weak or strong spelling of the tag, spaces; '*' and broken ones never 304."""
    for path, params in ((f"/api/releases/{archive[1][2]}/pairs", {"lang": "fr"}), ("/api/releases", {"limit": 4})):
        tag = client.get(path, params=params).headers["ETag"]
        opaque = tag.removeprefix("W/")
        for header in (tag, opaque, f'W/"x" ,  {tag}', f'"a",{opaque}  '):
            assert client.get(path, params=params, headers={"If-None-Match": header}).status_code == 304, header
        for header in ("*", "", "W/", opaque.strip('"'), f'W/{opaque[:-2]}"', f"{tag}x", '"a", "b"'):
            assert client.get(path, params=params, headers={"If-None-Match": header}).status_code == 200, header


def test_a_pairs_tag_is_per_language(client: TestClient, archive: tuple[Path, list[str]]) -> None:
    path = f"/api/releases/{archive[1][2]}/pairs"
    fr = client.get(path, params={"lang": "fr"})
    ar = client.get(path, params={"lang": "ar"}, headers={"If-None-Match": fr.headers["ETag"]})
    assert ar.status_code == 200 and ar.json() == [] and ar.headers["ETag"] != fr.headers["ETag"]


def test_a_304_still_passes_the_guard(client: TestClient, archive: tuple[Path, list[str]]) -> None:
    """A foreign Host (DNS rebinding) is refused before any tag is compared, on both lists."""
    for path, params in ((f"/api/releases/{archive[1][2]}/pairs", {"lang": "fr"}), ("/api/releases", {"limit": 4})):
        tag = client.get(path, params=params).headers["ETag"]
        for host in ("evil.example", "localhost.evil.example", "127.0.0.1.nip.io"):
            answer = client.get(path, params=params, headers={"If-None-Match": tag, "Host": host})
            assert answer.status_code in (400, 403) and "ETag" not in answer.headers, (host, answer.status_code)
