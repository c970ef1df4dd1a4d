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


# The same sequence of writes for the old code (schema 5) and the new: two systems into French,
# one into Arabic, releases sharing sentences, copies from the memory, reviews of every kind.
# It prints, as JSON, each system's memory_lookup of every text (the old code's own answers).
WORKLOAD = r'''
import json, sys
from translate_pipe.model import PairScores, Release, Segment
from translate_pipe.store import Store
from translate_pipe.translate.base import SystemInfo

TEXTS = ["The council met.", "Water is scarce.", "Schools reopen today.", "The budget grows.", "Rain fell."]
systems = {name: SystemInfo(f"synthetic/{name}", "r1", "en", lang, "transformers", {"beam": 1})
           for name, lang in (("a", "fr"), ("b", "fr"), ("c", "ar"))}
def scores(label="good"):
    return PairScores({"logprob_mean": -0.5}, (), 0.5, label)
with Store(sys.argv[1]) as store:
    ids = {name: store.system_id(info) for name, info in systems.items()}
    segs = []
    for n in range(6):
        rid = f"r{n:03d}"
        texts = [TEXTS[(n + i) % len(TEXTS)] for i in range(4)]
        store.add_release(Release(id=rid, title=f"R{n}", paragraphs=(), date=f"2024-01-0{n + 1}", origin=f"{rid}.txt"),
                          [Segment(rid, "en", i, i, t) for i, t in enumerate(texts)])
        segs += [sid for (sid,) in store.db.execute("SELECT id FROM segments WHERE release_id = ? ORDER BY idx", (rid,))]
    text_of = dict(store.db.execute("SELECT id, text FROM segments").fetchall())
    run = store.begin_run(["x"], ["fr", "ar"], "{}", "t")
    half = segs[: len(segs) // 2]
    for name, lang in (("a", "fr"), ("c", "ar")):
        store.add_translations(run, ids[name], lang, [(s, f"{name}:{text_of[s]}:{s}", "mt", scores()) for s in half])
    store.finish_run(run, "done", {})
    def tid(segment, lang):
        return store.db.execute("SELECT id FROM translations WHERE segment_id = ? AND tgt_lang = ? ORDER BY"
                                " (status != 'new') DESC, id DESC LIMIT 1", (segment, lang)).fetchone()[0]
    store.add_version(tid(half[0], "fr"), "approved text", "review", "approved", scores())
    store.add_version(tid(half[1], "fr"), "edited text", "review", "edited", scores())
    store.add_version(tid(half[2], "fr"), "x", "review", "rejected", scores("bad"))
    store.add_version(tid(half[3], "ar"), "ar approved", "review", "approved", scores())
    # A second run: the rest copied from the memory where it can be, b translating all.
    run = store.begin_run(["x"], ["fr"], "{}", "t")
    rest = segs[len(segs) // 2 :]
    memory = store.memory_lookup(ids["a"], [text_of[s] for s in rest])
    store.copy_translations(run, [(s, memory[text_of[s]]) for s in rest if text_of[s] in memory])
    store.add_translations(run, ids["b"], "fr", [(s, f"b:{s}", "mt", scores()) for s in segs[::3]])
    store.finish_run(run, "done", {})
    store.add_version(tid(segs[-1], "fr"), "rejected late", "review", "rejected", scores("bad"))
    # The approved version held its text's row: rejected, the row falls back to another occurrence.
    store.add_version(tid(half[0], "fr"), "rejected after all", "review", "rejected", scores("bad"))
    print(json.dumps({name: store.memory_lookup(i, TEXTS) for name, i in ids.items()}))
'''


def _old_tree(tmp_path: Path) -> Path:
    """The code at 970ea54 (schema 5, before the memory index), from this repository's history."""
    import subprocess

    root = Path(__file__).resolve().parents[1]
    old = tmp_path / "old"
    old.mkdir()
    archive = subprocess.run(["git", "-C", str(root), "archive", "970ea54", "translate_pipe"], capture_output=True)
    if archive.returncode != 0:
        pytest.skip("this checkout lacks commit 970ea54 (schema 5), needed to build an old database")
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    return old


def _run_workload(python_path: Path, db: str, tmp_path: Path) -> dict[str, dict[str, int]]:
    import json
    import os
    import subprocess
    import sys

    script = tmp_path / "workload.py"
    script.write_text(WORKLOAD)
    done = subprocess.run([sys.executable, str(script), db], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(python_path)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _check_against_reference(store: Store, old_answers: dict[str, dict[str, int]] | None) -> None:
    from tests.test_store_memory import index_rows, reference_lookup
    from translate_pipe.store import memory_index

    texts = [text for (text,) in store.db.execute("SELECT DISTINCT text FROM segments")]
    for model, system_id in store.db.execute("SELECT model_id, id FROM systems").fetchall():
        name = model.split("/")[-1]
        assert store.memory_lookup(system_id, texts) == reference_lookup(store, system_id, texts), name
        if old_answers is not None:
            assert store.memory_lookup(system_id, texts) == old_answers[name], name
    kept = index_rows(store)
    with store.transaction() as db:
        memory_index.rebuild(db)
    assert index_rows(store) == kept


def test_a_schema_5_database_written_by_the_old_code_migrates_to_the_old_answers(tmp_path: Path) -> None:
    from translate_pipe.store import SCHEMA_VERSION

    db = tmp_path / "old.db"
    old_answers = _run_workload(_old_tree(tmp_path), str(db), tmp_path)
    import sqlite3

    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "5"
    with Store(db) as store:
        assert store.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        _check_against_reference(store, old_answers)
    # The same writes again with the new code, on the migrated database: kept up to date from there.
    new_answers = _run_workload(Path(__file__).resolve().parents[1], str(db), tmp_path)
    with Store(db) as store:
        _check_against_reference(store, new_answers)


@pytest.mark.postgres
def test_a_schema_5_postgres_database_written_by_the_old_code_migrates_to_the_old_answers(
    tmp_path: Path, postgres_url: str
) -> None:
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'translate-pipe[postgres]')")
    old_answers = _run_workload(_old_tree(tmp_path), postgres_url, tmp_path)
    with Store(postgres_url) as store:
        _check_against_reference(store, old_answers)
    new_answers = _run_workload(Path(__file__).resolve().parents[1], postgres_url, tmp_path)
    with Store(postgres_url) as store:
        _check_against_reference(store, new_answers)


@pytest.mark.postgres
def test_pairs_and_list_tags_on_postgres_follow_every_change(postgres_url: str) -> None:
    """On PostgreSQL (ids may commit out of order, no label cache) the tags still change with the body."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'translate-pipe[postgres]')")
    from translate_pipe.model import PairScores
    from translate_pipe.translate.base import SystemInfo

    with Store(postgres_url) as store:
        ids = fill_archive(store, 6, sentences=3)
    with TestClient(create_app(postgres_url), base_url="http://localhost") as client:
        path = f"/api/releases/{ids[1]}/pairs"
        seen: list[str] = []

        def check_new_tag(params: dict[str, object]) -> None:
            before = client.get(path, params=params)
            again = client.get(path, params=params, headers={"If-None-Match": before.headers["ETag"]})
            assert again.status_code == 304
            seen.append(before.headers["ETag"])
            assert len(set(seen)) == len(seen), "a tag came back after a change"

        check_new_tag({"lang": "fr"})
        pair = client.get(path, params={"lang": "fr"}).json()[0]
        assert client.put(f"/api/pairs/{pair['id']}", json={"tgt": "Revu."}).status_code == 200
        check_new_tag({"lang": "fr"})
        assert client.put(f"/api/pairs/{pair['id']}", json={"status": "rejected"}).status_code == 200
        check_new_tag({"lang": "fr"})
        with Store(postgres_url) as store:
            newer = store.system_id(SystemInfo("synthetic/newer", "r2", "en", "fr", "transformers", {"beam": 1}))
            run_id = store.begin_run(["x"], ["fr"], "{}", "test")
            segments = store.pending_segments([ids[1]], newer)
            store.add_translations(run_id, newer, "fr", [(s, "Nouveau.", "mt", PairScores({}, (), 0.4, "check"))
                                                          for s, _ in segments])
            store.finish_run(run_id, "done", {})
            store.set_scores([(pair["id"], "chrf", 0.25)])
        check_new_tag({"lang": "fr"})
        # The release list: a review changes a page's label counts, a new release its total.
        listed = client.get("/api/releases", params={"limit": 3})
        first_release = listed.json()[0]["id"]
        target = client.get(f"/api/releases/{first_release}/pairs", params={"lang": "fr", "label": "bad"}).json()[0]
        assert client.put(f"/api/pairs/{target['id']}", json={"tgt": "Bon.", "status": "approved"}).status_code == 200
        after = client.get("/api/releases", params={"limit": 3}, headers={"If-None-Match": listed.headers["ETag"]})
        assert after.status_code == 200 and after.json() != listed.json()
        with Store(postgres_url) as store:
            from translate_pipe.model import Release, Segment

            store.add_release(Release(id="zlast", title="Late", paragraphs=(), date="2099-01-01", origin="z.txt"),
                              [Segment("zlast", "en", 0, 0, "Late news.")])
        latest = client.get("/api/releases", params={"limit": 3}, headers={"If-None-Match": after.headers["ETag"]})
        assert latest.status_code == 200 and latest.headers["X-Total-Count"] == "7"


@pytest.mark.postgres
def test_per_release_reads_agree_between_sqlite_and_postgres(tmp_path: Path, postgres_url: str) -> None:
    """pending_segments, count_segments, label_counts and labels_by_release: the same answers on both
    engines for no ids, unknown ids, a release given twice and more than one SQLite batch (500)."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'translate-pipe[postgres]')")
    from tests.test_store import SYSTEM

    answers = []
    for where in (str(tmp_path / "a.db"), postgres_url):
        with Store(where) as store:
            ids = fill_archive(store, 520, sentences=1)
            extra = fill_archive(store, 3, start=600, sentences=2)  # one run: then a second system leaves gaps
            system = store.system_id(SYSTEM)
            # Reviewed versions change labels: the count must take each pair's current version.
            from translate_pipe.model import PairScores

            for n, (release, status, label) in enumerate(((ids[5], "approved", "good"), (extra[0], "rejected", "bad"),
                                                          (extra[0], "edited", "check"))):
                (tid,) = store.db.execute(
                    "SELECT t.id FROM translations t JOIN segments s ON s.id = t.segment_id WHERE s.release_id = ?"
                    " ORDER BY t.id DESC LIMIT 1", (release,)).fetchone()
                store.add_version(tid, f"v{n}", "review", status, PairScores({}, (), 0.9, label))
            # A later machine translation (another system) never hides a reviewed version.
            from translate_pipe.translate.base import SystemInfo

            later = store.system_id(SystemInfo("synthetic/later", "r9", "en", "fr", "transformers", {"beam": 1}))
            run_id = store.begin_run(["x"], ["fr"], "{}", "test")
            store.add_translations(run_id, later, "fr", [(s, "plus tard", "mt", PairScores({}, (), 0.1, "bad"))
                                                         for s, _ in store.pending_segments([ids[5], *extra], later)])
            store.finish_run(run_id, "done", {})
            for asked in (ids[:7], extra):
                whole: dict[str, int] = {}
                for per_lang in store.labels_by_release(asked, "fr").values():
                    for label, count in per_lang.get("fr", {}).items():
                        whole[label] = whole.get(label, 0) + count
                assert store.label_counts(asked, "fr") == whole
            got = []
            for asked in ([], ["nope"], [ids[5], ids[5], "nope"], list(reversed(ids)) + extra, extra):
                got.append((sorted(store.pending_segments(asked, system)), store.count_segments(asked, "en"),
                            store.count_segments(asked, "en", untranslated_by=system),
                            store.label_counts(asked, "fr"),
                            {k: v for k, v in store.labels_by_release(asked, "fr").items()}))
            answers.append(got)
    sqlite_answers, postgres_answers = answers
    assert sqlite_answers[3][1] == 526 and sum(sqlite_answers[3][3].values()) == 526
    assert sqlite_answers[2][1] == 1 and sqlite_answers[2][3] == postgres_answers[2][3]
    assert sqlite_answers == postgres_answers


def test_the_memory_index_follows_real_runs_reviews_a_tmx_and_a_newer_system(
    releases_dir: Path, tmp_path: Path, model_args: list[str], fast_config_file: Path
) -> None:
    """Through the CLI and the review service, on the tiny Marian: after each step every system's
    memory equals the old query's answers, and a build from scratch holds the same rows."""
    _real_runs_and_reviews(str(tmp_path / "e2e.db"), releases_dir, tmp_path, model_args, fast_config_file)


@pytest.mark.postgres
def test_the_memory_index_follows_real_runs_and_reviews_on_postgres(
    releases_dir: Path, tmp_path: Path, model_args: list[str], fast_config_file: Path, postgres_url: str
) -> None:
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'translate-pipe[postgres]')")
    _real_runs_and_reviews(postgres_url, releases_dir, tmp_path, model_args, fast_config_file)


def _real_runs_and_reviews(db: str, releases_dir: Path, tmp_path: Path, model_args: list[str],
                           fast_config_file: Path) -> None:
    from tests.test_imports import OTHER_TOOL_TMX
    from translate_pipe.cli import main
    from translate_pipe.review import ReviewService

    def run(path: Path, config: Path = fast_config_file) -> None:
        assert main(["run", str(path), "--to", "fr", "--db", str(db), "--config", str(config), "-q", *model_args]) == 0

    def check() -> None:
        with Store(db) as store:
            _check_against_reference(store, None)

    run(releases_dir)
    check()
    with Store(db) as store:
        first = list(store.pairs("fr"))[:4]
    service = ReviewService(str(db))
    try:
        service.edit(first[0].translation_id, status="approved")
        service.edit(first[1].translation_id, tgt="Une phrase revue.")
        service.edit(first[2].translation_id, status="rejected")
        check()
        # Another release sharing those sentences: copies from the memory, reviewed ones included.
        shared = tmp_path / "shared.txt"
        shared.write_text("Shared Things Again\n\n" + " ".join(p.src for p in first) + " Brand new words here.\n",
                          encoding="utf-8")
        run(shared)
        check()
        with Store(db) as store:
            copied = {p.src: p for p in store.pairs("fr", release_ids=[r["id"] for r in store.releases()
                                                                         if r["title"] == "Shared Things Again"])}
        assert copied[first[0].src].status == "approved" and copied[first[1].src].tgt == "Une phrase revue."
        # A TMX imported into the memory, then a release whose sentence it holds exactly.
        tmx = tmp_path / "press-memory.tmx"
        tmx.write_text(OTHER_TOOL_TMX, encoding="utf-8")
        assert main(["import", str(tmx), "--lang", "fr", "--db", str(db), "-q"]) == 0
        water = tmp_path / "water.txt"
        water.write_text("Water News\n\nA water project that serves 40 villages was completed on Sunday.\n",
                         encoding="utf-8")
        run(water)
        check()
        # The shared release re-read with one sentence changed: a new release (content hash), the
        # old one kept, the changed sentence translated, the others copied.
        shared.write_text("Shared Things Again\n\n" + " ".join(p.src for p in first[1:]) + " Changed words here.\n",
                          encoding="utf-8")
        run(shared)
        check()
        with Store(db) as store:
            assert [r["title"] for r in store.releases()].count("Shared Things Again") == 2
        # A newer system (other decoding settings) over everything: the machine's versions move to it.
        newer = tmp_path / "newer.yaml"
        newer.write_text("translate:\n  max_length: 12\n  beam_size: 1\n  batch_size: 8\n", encoding="utf-8")
        for path in (releases_dir, shared, water):
            run(path, newer)
        check()
        with Store(db) as store:
            assert store.db.execute("SELECT COUNT(*) FROM systems").fetchone()[0] == 2
            latest = {p.src: p for p in store.pairs("fr")}
        service.edit(latest[first[3].src].translation_id, status="rejected")
        service.edit(latest[first[0].src].translation_id, status="rejected")
        check()
    finally:
        service.close()


def test_a_filter_spelled_none_is_not_the_unfiltered_page(client: TestClient, archive: tuple[Path, list[str]]) -> None:
    """The pairs tag named its parameters as text: ``flag=None`` (a flag filter, free text, that keeps
    nothing) had the tag of the page without a filter, so revalidating it answered 304 for another body."""
    path = f"/api/releases/{archive[1][2]}/pairs"
    whole = client.get(path, params={"lang": "fr"})
    assert whole.json()
    filtered = client.get(path, params={"lang": "fr", "flag": "None"}, headers={"If-None-Match": whole.headers["ETag"]})
    assert filtered.status_code == 200 and filtered.json() == []


@pytest.mark.postgres
def test_two_reviewers_rejecting_two_occurrences_at_once_leave_no_stale_memory(postgres_url: str) -> None:
    """Reviewer B rejects Y's edited version (its text's row is held by X's approved one, so B
    recomputes nothing) and has not committed when reviewer A rejects X: A recomputes the row from
    what is committed, where Y's edited version is still current, and the row ends on a version
    that is no longer current once B commits, unless B's check holds the row until it commits."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'translate-pipe[postgres]')")
    import threading
    import time

    from tests.test_store_memory import reference_lookup
    from translate_pipe.model import PairScores, Release, Segment
    from tests.test_store import SYSTEM

    text = "The same sentence twice."
    with Store(postgres_url) as store:
        store.add_release(Release(id="r", title="R", paragraphs=(), date="2024-01-01", origin="r.txt"),
                          [Segment("r", "en", i, i, text) for i in range(2)])
        system = store.system_id(SYSTEM)
        run_id = store.begin_run(["x"], ["fr"], "{}", "test")
        (x, _), (y, _) = store.pending_segments(["r"], system)
        store.add_translations(run_id, system, "fr", [(s, "Machine.", "mt", PairScores({}, (), 0.5, "good"))
                                                      for s in (x, y)])
        store.finish_run(run_id, "done", {})
        ids = dict(store.db.execute("SELECT segment_id, id FROM translations").fetchall())
        approved_x = store.add_version(ids[x], "Approuvé.", "review", "approved", PairScores({}, (), 0.9, "good"))
        edited_y = store.add_version(ids[y], "Édité.", "review", "edited", PairScores({}, (), 0.8, "good"))
        assert store.memory_lookup(system, [text]) == {text: approved_x}
    done: list[float] = []
    with Store(postgres_url) as reviewer_a, Store(postgres_url) as reviewer_b:
        with reviewer_b.transaction():
            reviewer_b.add_version(edited_y, "Non.", "review", "rejected", PairScores({}, (), 0.1, "bad"))
            thread = threading.Thread(target=lambda: (
                reviewer_a.add_version(approved_x, "Non plus.", "review", "rejected", PairScores({}, (), 0.1, "bad")),
                done.append(time.monotonic())))
            thread.start()
            time.sleep(1.0)  # A either finished (reading around B's open transaction) or waits for B's lock
            committed = time.monotonic()
        thread.join(30)
        assert done, "reviewer A did not finish"
    with Store(postgres_url) as store:
        assert reference_lookup(store, system, [text]) == {}
        assert store.memory_lookup(system, [text]) == {}, (done[0] > committed)


def test_a_304_from_the_real_server_keeps_the_connection_in_step(archive: tuple[Path, list[str]]) -> None:
    """Under uvicorn, on one keep-alive connection: 200, 304 (no body), then 200 again; a 304 with a
    stray body or length would leave the next response misread. A foreign Host is refused there too."""
    import http.client
    from urllib.parse import urlsplit

    from tests.test_review import running_server

    with running_server(archive[0]) as url:
        connection = http.client.HTTPConnection("127.0.0.1", urlsplit(url).port, timeout=10)
        for path in (f"/api/releases/{archive[1][2]}/pairs?lang=fr", "/api/releases?limit=4"):
            connection.request("GET", path)
            first = connection.getresponse()
            body = first.read()
            assert first.status == 200 and body
            tag = first.getheader("ETag")
            connection.request("GET", path, headers={"If-None-Match": tag})
            again = connection.getresponse()
            assert again.status == 304 and again.read() == b"" and again.getheader("ETag") == tag
            connection.request("GET", path, headers={"If-None-Match": '"other"'})
            third = connection.getresponse()
            assert third.status == 200 and third.read() == body
            connection.request("GET", path, headers={"If-None-Match": tag, "Host": "evil.example"})
            foreign = connection.getresponse()
            assert foreign.status == 403 and foreign.getheader("ETag") is None
            foreign.read()
        connection.close()


def test_if_none_match_names_a_tag_exactly_when_one_of_its_entries_is_it() -> None:
    """Property: any list of entity tags, weak or strong, with spaces around the commas, names the
    server's tag iff one entry is that tag (weak comparison); a prefix, a suffix or '*' never does."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from translate_pipe.review.app import _names_tag

    opaque = st.text(alphabet="0123456789abcdef", min_size=1, max_size=6).map(lambda h: f'"{h}"')
    entry = st.tuples(st.booleans(), opaque, st.sampled_from(["", " ", "  "]))

    @settings(max_examples=300, deadline=None)
    @given(ours=opaque, weak=st.booleans(), entries=st.lists(entry, max_size=5))
    def check(ours: str, weak: bool, entries: list[tuple[bool, str, str]]) -> None:
        tag = f"W/{ours}" if weak else ours
        header = ",".join(f"{space}{'W/' if w else ''}{o}{space}" for w, o, space in entries)
        assert _names_tag(header, tag) == any(o == ours for _, o, _ in entries), header
        assert not _names_tag(f"{ours[:-1]}", tag) and not _names_tag(f"{ours}x", tag) and not _names_tag("*", tag)

    check()


def test_an_empty_list_of_ids_names_no_pair_on_either_engine(tmp_path: Path, postgres_url: str) -> None:
    """``pairs(..., release_ids=[])`` (or no translation / segment ids) is "none", as documented;
    PostgreSQL refused the `IN ()` it made. A list with an id still finds its pairs."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'translate-pipe[postgres]')")
    for where in (str(tmp_path / "a.db"), postgres_url):
        with Store(where) as store:
            ids = fill_archive(store, 2, sentences=2)
            found = list(store.pairs("fr", release_ids=ids[:1]))
            assert len(found) == 2
            assert list(store.pairs("fr", release_ids=[])) == []
            assert list(store.pairs("fr", translation_ids=[])) == []
            assert list(store.pairs("fr", segment_ids=[], release_ids=ids)) == []
