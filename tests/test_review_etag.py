"""ETag and If-None-Match on the review API's lists: 304 while nothing changed, a new tag after any change.

The archive is written through the store's API (as in test_store.py); the requests go
through the whole application, the Host guard included.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.test_store import fill_archive, recorded_sql, sqlite_full_scans
from translate_pipe.model import PairScores
from translate_pipe.review.app import create_app
from translate_pipe.store import Store
from translate_pipe.store import memory as memory_store
from translate_pipe.translate.base import SystemInfo


@pytest.fixture()
def archive(tmp_path: Path) -> tuple[Path, list[str]]:
    db = tmp_path / "a.db"
    with Store(db) as store:
        ids = fill_archive(store, 12, sentences=8)
    return db, ids


@pytest.fixture()
def client(archive: tuple[Path, list[str]]) -> Iterator[TestClient]:
    with TestClient(create_app(str(archive[0])), base_url="http://localhost") as test_client:
        yield test_client


def _revalidate(client: TestClient, path: str, **params: object):
    """GET, then GET again naming the tag: (first response, second response)."""
    first = client.get(path, params=params)
    assert first.status_code == 200 and first.headers["ETag"].startswith('W/"'), first.headers
    again = client.get(path, params=params, headers={"If-None-Match": first.headers["ETag"]})
    return first, again


def test_pairs_answer_304_while_unchanged_without_reading_the_pairs(
    client: TestClient, archive: tuple[Path, list[str]]
) -> None:
    path = f"/api/releases/{archive[1][3]}/pairs"
    first, again = _revalidate(client, path, lang="fr")
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == first.headers["ETag"]
    # A list of tags, weak or not, names it too; another tag does not.
    tag = first.headers["ETag"]
    listed = client.get(path, params={"lang": "fr"}, headers={"If-None-Match": f'"other", {tag.removeprefix("W/")}'})
    assert listed.status_code == 304
    assert client.get(path, params={"lang": "fr"}, headers={"If-None-Match": '"other"'}).status_code == 200
    # The tag is worked out without building the page.
    service = client.app.state.service

    def not_read(*args: object, **kwargs: object) -> None:
        raise AssertionError("the pairs were read for a 304")

    service.pair_page = not_read
    assert client.get(path, params={"lang": "fr"}, headers={"If-None-Match": tag}).status_code == 304


def test_each_page_and_filter_has_its_own_tag(client: TestClient, archive: tuple[Path, list[str]]) -> None:
    release = archive[1][3]
    tags = {client.get(f"/api/releases/{r}/pairs", params={"lang": "fr", **params}).headers["ETag"]
            for r, params in ((release, {}), (release, {"limit": 3}), (release, {"offset": 2}),
                              (release, {"label": "good"}), (release, {"sort": "score"}), (archive[1][4], {}))}
    assert len(tags) == 6


def test_every_kind_of_change_to_a_release_s_pairs_changes_its_tag(
    client: TestClient, archive: tuple[Path, list[str]]
) -> None:
    db, ids = archive
    path = f"/api/releases/{ids[3]}/pairs"

    def tag() -> str:
        return client.get(path, params={"lang": "fr"}).headers["ETag"]

    seen = [tag()]
    pair = client.get(path, params={"lang": "fr"}).json()[0]
    # A reviewer's edit through the API.
    assert client.put(f"/api/pairs/{pair['id']}", json={"status": "approved"}).status_code == 200
    seen.append(tag())
    with Store(db) as store:
        other = store.system_id(SystemInfo("synthetic/other", "r2", "en", "fr", "transformers", {"beam": 1}))
        segments = [s for s, _ in store.db.execute(
            "SELECT id, idx FROM segments WHERE release_id = ? ORDER BY idx", (ids[3],))]
        # Another system's machine translation (a new version row).
        run_id = store.begin_run(["x"], ["fr"], "{}", "test")
        store.add_translations(run_id, other, "fr", [(segments[5], "Autre.", "mt", PairScores({}, (), 0.4, "check"))])
    seen.append(tag())
    with Store(db) as store:
        # A score changed in place (references), the one change that adds no row.
        store.set_scores([(pair["id"], "chrf", 0.5)])
    seen.append(tag())
    with Store(db) as store:
        # A fuzzy match from an imported memory.
        memory_store.add_units(store, "en", "fr", [("Sentence 1 of release 3", "Phrase 1")], "m.tmx")
        assert memory_store.match_segments(store, [(segments[1], "Sentence 1 of release 3.")], "en", "fr", 0.5) == 1
    seen.append(tag())
    assert len(set(seen)) == len(seen), seen
    # Nothing changed since the last one: it holds.
    assert client.get(f"/api/releases/{ids[3]}/pairs", params={"lang": "fr"},
                      headers={"If-None-Match": seen[-1]}).status_code == 304


def test_a_change_elsewhere_keeps_a_release_s_tag(client: TestClient, archive: tuple[Path, list[str]]) -> None:
    path = f"/api/releases/{archive[1][3]}/pairs"
    before = client.get(path, params={"lang": "fr"}).headers["ETag"]
    pair = client.get(f"/api/releases/{archive[1][4]}/pairs", params={"lang": "fr"}).json()[0]
    assert client.put(f"/api/pairs/{pair['id']}", json={"tgt": "Changé.", "status": "approved"}).status_code == 200
    with Store(archive[0]) as store:
        fill_archive(store, 2, start=100)
    assert client.get(path, params={"lang": "fr"}, headers={"If-None-Match": before}).status_code == 304


def test_release_list_pages_answer_304_until_the_page_changes(
    client: TestClient, archive: tuple[Path, list[str]]
) -> None:
    first, again = _revalidate(client, "/api/releases", limit=5)
    assert again.status_code == 304 and again.content == b""
    assert first.headers["X-Total-Count"] == "12" and len(first.json()) == 5
    assert client.get("/api/releases", params={"limit": 5, "offset": 5}).headers["ETag"] != first.headers["ETag"]
    # An approval changes the label counts of a release on the page.
    release = first.json()[0]["id"]
    pair = client.get(f"/api/releases/{release}/pairs", params={"lang": "fr", "label": "bad"}).json()[0]
    assert client.put(f"/api/pairs/{pair['id']}", json={"tgt": "Bon.", "status": "approved"}).status_code == 200
    after = client.get("/api/releases", params={"limit": 5}, headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != first.headers["ETag"]
    assert after.json() != first.json()


def test_the_guard_answers_before_any_tag(client: TestClient, archive: tuple[Path, list[str]]) -> None:
    path = f"/api/releases/{archive[1][3]}/pairs"
    tag = client.get(path, params={"lang": "fr"}).headers["ETag"]
    foreign = client.get(path, params={"lang": "fr"}, headers={"If-None-Match": tag, "Host": "evil.example"})
    assert foreign.status_code == 403 and "ETag" not in foreign.headers


def test_the_tag_is_read_by_key(archive: tuple[Path, list[str]]) -> None:
    db, ids = archive
    with Store(db) as store:
        memory_store.ensure_schema(store)
        store.db.execute("ANALYZE")
        with recorded_sql(store) as statements:
            store.pairs_stamp(ids[3], "fr")
        assert len(statements) == 2
        assert sqlite_full_scans(store, statements) == []
        plans = [detail for sql, params in statements
                 for *_, detail in store.db.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()]
        assert not [d for d in plans if d.startswith("SCAN")], plans
