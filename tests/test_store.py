"""The store at archive scale: query shapes, paging, the run lock and what a run stores.

Archives here are written through the store's own API (releases, segments and
translations with their scores), so the queries under test read exactly the rows a run
writes; the texts are synthetic because only the query plans and counts are checked.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from translate_pipe.errors import InputError, StoreError
from translate_pipe.model import Flag, PairScores, Release, Segment
from translate_pipe.store import SCHEMA_VERSION, Store
from translate_pipe.store.paging import MAX_LIMIT, check_page, page_of
from translate_pipe.translate.base import SystemInfo

SYSTEM = SystemInfo("synthetic/model", "r1", "en", "fr", "transformers", {"beam": 1})
LABELS = ("good", "check", "bad")


def fill_archive(store: Store, releases: int, start: int = 0, sentences: int = 6) -> list[str]:
    """Store ``releases`` English releases with ``sentences`` segments each, all translated into French."""
    system_id = store.system_id(SYSTEM)
    run_id = store.begin_run(["synthetic"], ["fr"], "{}", "test")
    ids = []
    for n in range(start, start + releases):
        release = Release(id=f"r{n:07d}", title=f"Release number {n}", paragraphs=(), date=f"20{10 + n % 10}-0{1 + n % 9}-1{n % 10}",
                          origin=f"r{n}.txt")
        segments = [Segment(release.id, "en", i, i, f"Sentence {i} of release {n}.") for i in range(sentences)]
        store.add_release(release, segments)
        ids.append(release.id)
    pending = store.pending_segments(ids, system_id)
    items = [(segment_id, f"Phrase {text}", "mt",
              PairScores({"logprob_mean": -0.5}, (Flag("length_ratio", "long"),) if segment_id % 5 == 0 else (),
                         0.5, LABELS[segment_id % 3]))
             for segment_id, text in pending]
    store.add_translations(run_id, system_id, "fr", items)
    store.finish_run(run_id, "done", {})
    return ids


@contextmanager
def recorded_sql(store: Store) -> Iterator[list[tuple[str, tuple]]]:
    """Every statement the store runs inside the block, with its parameters."""
    statements: list[tuple[str, tuple]] = []
    execute, stream = store.db.execute, store.db.stream

    def record(method: Callable) -> Callable:
        def recorded(sql: str, params=()):  # type: ignore[no-untyped-def]
            statements.append((sql, tuple(params)))
            return method(sql, params)
        return recorded

    store.db.execute, store.db.stream = record(execute), record(stream)  # type: ignore[method-assign]
    try:
        yield statements
    finally:
        store.db.execute, store.db.stream = execute, stream  # type: ignore[method-assign]


def page_queries(store: Store, release_id: str) -> dict[str, Callable[[], object]]:
    """What one page or one command asks about one release (or one page of releases)."""
    first = next(store.pairs("fr", release_ids=[release_id]))
    return {
        "pairs of one release": lambda: list(store.pairs("fr", release_ids=[release_id])),
        "pair and its history": lambda: (store.pair_of(first.translation_id), store.versions(first.translation_id)),
        "label counts": lambda: store.label_counts([release_id], "fr"),
        "labels of a page": lambda: store.labels_by_release([release_id]),
        "release list page": lambda: store.release_page(limit=20),
        "release langs": lambda: store.release_langs(release_id),
    }


def sqlite_full_scans(store: Store, statements: list[tuple[str, tuple]]) -> list[str]:
    """Plan lines that read the translations or segments tables other than by a key."""
    bad = []
    for sql, params in statements:
        for *_, detail in store.db.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall():
            # Aliases in our SQL: t, t2, me are translations; s is segments.
            table = detail.split()[1] if detail.startswith(("SCAN", "SEARCH")) else ""
            if table in ("t", "t2", "me", "translations", "s", "segments"):
                keyed = detail.startswith("SEARCH") and ("segment_id=" in detail or "rowid=" in detail
                                                         or "release_id=" in detail or "id=" in detail)
                if not keyed:
                    bad.append(f"{detail}    <- {sql[:90]}")
    return bad


def test_one_release_is_read_by_key_not_by_scanning_the_language(tmp_path: Path) -> None:
    with Store(tmp_path / "a.db") as store:
        ids = fill_archive(store, 60)
        store.db.execute("ANALYZE")
        for name, query in page_queries(store, ids[30]).items():
            with recorded_sql(store) as statements:
                query()
            assert statements, name
            assert sqlite_full_scans(store, statements) == [], name


def test_the_old_query_shape_is_caught(tmp_path: Path) -> None:
    """The check above fails on reading every translation of the language (what issue 22 found)."""
    with Store(tmp_path / "a.db") as store:
        fill_archive(store, 10)
        whole_language = "SELECT t.label, COUNT(*) FROM translations t WHERE t.tgt_lang = ? GROUP BY t.label"
        assert sqlite_full_scans(store, [(whole_language, ("fr",))])
        assert sqlite_full_scans(store, [("SELECT COUNT(*) FROM segments s WHERE s.text LIKE ?", ("%x%",))])


def _vm_steps(store: Store, query: Callable[[], object]) -> int:
    """SQLite virtual-machine instructions a query takes (in steps of 100): the work, not the clock."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    connection = store.db.connection  # type: ignore[attr-defined]
    connection.set_progress_handler(count, 100)
    try:
        query()
    finally:
        connection.set_progress_handler(None, 100)
    return steps


def test_a_page_costs_the_same_in_an_archive_five_times_larger(tmp_path: Path) -> None:
    with Store(tmp_path / "a.db") as store:
        ids = fill_archive(store, 40)
        small = {name: _vm_steps(store, query) for name, query in page_queries(store, ids[20]).items()}
        fill_archive(store, 160, start=40)
        large = {name: _vm_steps(store, query) for name, query in page_queries(store, ids[20]).items()}
    for name in small:
        # The release list's total is one count over the releases' index: it may grow, slowly.
        allowed = 3.0 if name == "release list page" else 1.3
        assert large[name] <= allowed * small[name] + 5, (name, small[name], large[name])


def test_label_counts_per_release_add_up_to_the_run_s(tmp_path: Path) -> None:
    with Store(tmp_path / "a.db") as store:
        ids = fill_archive(store, 30)
        per_release = store.labels_by_release(ids[:7])
        assert set(per_release) == set(ids[:7])
        summed: dict[str, int] = {}
        for langs in per_release.values():
            for label, count in langs["fr"].items():
                summed[label] = summed.get(label, 0) + count
        assert summed == store.label_counts(ids[:7], "fr")
        assert sum(summed.values()) == 7 * 6
        assert store.labels_by_release() == store.labels_by_release(ids)
        # A reviewer's rejection moves the pair from its machine label to the reviewed one.
        pair = next(store.pairs("fr", release_ids=[ids[0]]))
        store.add_version(pair.translation_id, pair.tgt, pair.origin, "rejected", PairScores({}, (), 0.0, "bad"))
        after = store.label_counts([ids[0]], "fr")
        before = per_release[ids[0]]["fr"]
        assert sum(after.values()) == 6
        assert after.get("bad", 0) == before.get("bad", 0) + (pair.label != "bad")


def test_release_list_is_paged_with_a_total_and_searchable(tmp_path: Path) -> None:
    with Store(tmp_path / "a.db") as store:
        fill_archive(store, 45)
        everything = store.releases()
        first = store.release_page(limit=20)
        assert first.total == 45 and len(first.items) == 20 and first.next_offset == 20
        last = store.release_page(limit=20, offset=40)
        assert [r["id"] for r in last.items] == [r["id"] for r in everything[40:]] and last.next_offset is None
        pages = [store.release_page(limit=7, offset=o).items for o in range(0, 45, 7)]
        assert [r["id"] for page in pages for r in page] == [r["id"] for r in everything]
        found = store.release_page(search="NUMBER 1")  # case is ignored; 1, 10-19
        assert found.total == 11 and all("number 1" in str(r["title"]).lower() for r in found.items)
        assert store.release_page(search="50%_").total == 0  # LIKE's wildcards are literal
        in_2012 = store.release_page(date_from="2012", date_to="2012")
        assert in_2012.total == sum(1 for r in everything if str(r["date"]).startswith("2012")) > 0
        spring = store.release_page(date_from="2012-03-01", date_to="2013-04", limit=MAX_LIMIT)
        expected = [r["id"] for r in everything if "2012-03-01" <= str(r["date"]) and str(r["date"])[:7] <= "2013-04"]
        assert [r["id"] for r in spring.items] == expected and spring.total == len(expected)
        assert any(str(r["date"]).startswith("2013-04") for r in spring.items)  # the end month is included
        assert store.release_page(offset=100).items == []


def test_paging_helper_checks_its_bounds() -> None:
    assert check_page(None, None) == (50, 0)
    page = page_of(list(range(12)), limit=5, offset=10)
    assert page.items == [10, 11] and page.total == 12 and page.next_offset is None
    assert page_of(list(range(12)), limit=5).next_offset == 5
    for limit, offset in ((0, 0), (MAX_LIMIT + 1, 0), (10, -1)):
        with pytest.raises(InputError):
            check_page(limit, offset)


def test_a_second_run_is_refused_while_the_first_holds_the_database(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with Store(db) as first, Store(db) as second:
        run_id = first.begin_run(["in"], ["fr"], "{}", "test")
        with pytest.raises(StoreError, match=rf"run {run_id} \(started .*process {os.getpid()}.*\) is writing"):
            second.begin_run(["in"], ["fr"], "{}", "test")
        assert [r["status"] for r in second.runs()] == ["running"]  # alive: not stale
        first.finish_run(run_id, "done", {})
        again = second.begin_run(["in"], ["fr"], "{}", "test")
        second.finish_run(again, "done", {})
        assert [r["status"] for r in first.runs()] == ["done", "done"]


HOLD_A_RUN = textwrap.dedent("""
    import sys, time
    from translate_pipe.store import Store
    store = Store(sys.argv[1])
    store.begin_run(["in"], ["fr"], "{}", "test")
    print("started", flush=True)
    time.sleep(120)
""")


def test_a_killed_run_is_marked_stale_and_the_next_run_proceeds(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    holder = subprocess.Popen([sys.executable, "-c", HOLD_A_RUN, str(db)], stdout=subprocess.PIPE, env=env)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"started"
        with Store(db) as store:
            with pytest.raises(StoreError, match=f"process {holder.pid} "):
                store.begin_run(["in"], ["fr"], "{}", "test")
            assert store.runs()[-1]["status"] == "running"
            os.kill(holder.pid, signal.SIGKILL)
            holder.wait(timeout=30)
            assert [r["status"] for r in store.runs()] == ["stale"]
            run_id = store.begin_run(["in"], ["fr"], "{}", "test")
            store.finish_run(run_id, "done", {})
            assert [r["status"] for r in store.runs()] == ["stale", "done"]
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_no_password_or_secret_is_stored_in_runs(tmp_path: Path) -> None:
    config = {"store": {"db": "postgresql://corpus:hunter2@db.internal/corpus?sslpassword=s3cret&sslmode=require"},
              "translate": {"api_token": "tok-123", "beam_size": 4, "model": "opus-mt-en-fr"},
              "notes": "host=db password=pw9 user=corpus"}
    with Store(tmp_path / "a.db") as store:
        run_id = store.begin_run(["postgresql://u:inputpw@h/d", "releases/"], ["fr"], json.dumps(config), "test")
        store.finish_run(run_id, "done", {})
        stored_config, inputs = store.db.execute("SELECT config, inputs FROM runs").fetchone()
    written = b"".join(path.read_bytes() for path in tmp_path.glob("a.db*"))  # the file, its WAL, the lock
    for secret in ("hunter2", "s3cret", "tok-123", "pw9", "inputpw"):
        assert secret not in stored_config + inputs
        assert secret.encode() not in written
    kept = json.loads(stored_config)
    assert kept["translate"]["beam_size"] == 4 and kept["translate"]["api_token"] == "***"
    assert kept["store"]["db"].startswith("postgresql://corpus:***@db.internal/corpus?") and "sslmode=require" in kept["store"]["db"]
    assert json.loads(inputs) == ["postgresql://u:***@h/d", "releases/"]


def test_schema_3_database_gains_the_release_index_and_run_owner(tmp_path: Path) -> None:
    db = tmp_path / "v3.db"
    with Store(db) as store:
        fill_archive(store, 3)
    with sqlite3.connect(db) as conn:  # back to what schema 3 had
        conn.execute("DROP INDEX releases_by_date")
        conn.execute("ALTER TABLE runs DROP COLUMN owner")
        conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    with Store(db) as store:
        assert len(store.release_page().items) == 3
        run_id = store.begin_run(["in"], ["fr"], "{}", "test")
        store.finish_run(run_id, "done", {})
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        assert conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'releases_by_date'").fetchone()[0] == 1
        assert conn.execute("SELECT owner FROM runs ORDER BY id DESC").fetchone()[0].startswith("process ")


def test_review_api_pages_releases_and_pairs_with_a_total(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from translate_pipe.review.app import create_app

    db = tmp_path / "a.db"
    with Store(db) as store:
        ids = fill_archive(store, 120, sentences=12)
    with TestClient(create_app(str(db)), base_url="http://localhost") as client:
        first = client.get("/api/releases")
        assert first.status_code == 200 and first.headers["X-Total-Count"] == "120"
        assert len(first.json()) == 50 and first.json()[0]["labels"]["fr"]
        assert sum(sum(c.values()) for r in first.json() for c in r["labels"].values()) == 50 * 12
        second = client.get("/api/releases", params={"limit": 100, "offset": 100}).json()
        assert len(second) == 20 and {r["id"] for r in second}.isdisjoint(r["id"] for r in first.json())
        found = client.get("/api/releases", params={"q": "number 11", "date_from": "2011"})
        assert found.headers["X-Total-Count"] == str(len(found.json())) and found.json()
        assert all("number 11" in r["title"].lower() and r["date"] >= "2011" for r in found.json())
        for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"offset": 2**63}):
            assert client.get("/api/releases", params=bad).status_code == 422
        pairs = client.get(f"/api/releases/{ids[5]}/pairs", params={"lang": "fr", "limit": 5, "offset": 10})
        assert pairs.headers["X-Total-Count"] == "12" and [p["index"] for p in pairs.json()] == [10, 11]
        everything = client.get(f"/api/releases/{ids[5]}/pairs", params={"lang": "fr"}).json()
        assert [p["index"] for p in everything] == list(range(12))


def test_releases_command_pages_the_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from translate_pipe.cli import main

    db = tmp_path / "a.db"
    with Store(db) as store:
        everything = [r["id"] for r in (fill_archive(store, 30) and store.releases())]
    assert main(["releases", "--db", str(db), "--limit", "10", "--offset", "10"]) == 0
    out, err = capsys.readouterr()
    assert [line.split("\t")[0] for line in out.splitlines()] == everything[10:20]
    assert err.strip() == "11-20 of 30 releases; next: --offset 20"
    assert main(["releases", "--db", str(db), "--search", "Number 7"]) == 0
    assert capsys.readouterr().out.count("\n") == 1
    assert main(["releases", "--db", str(db), "--limit", "0"]) == 1
    assert "limit must be between 1 and 500" in capsys.readouterr().err


def test_concurrent_edits_of_one_pair_never_lose_it(tmp_path: Path) -> None:
    """Issue 19.10: a version saved between reading the current id and reading the pair gave a false 404."""
    import threading

    from translate_pipe.review.service import ReviewService

    db = tmp_path / "a.db"
    with Store(db) as store:
        ids = fill_archive(store, 2, sentences=2)
        first = next(store.pairs("fr", release_ids=[ids[0]]))
    service = ReviewService(str(db))
    errors: list[BaseException] = []

    def reviewer(n: int) -> None:
        try:
            for k in range(8):
                service.edit(first.translation_id, tgt=f"Version {n}.{k}.")
                service.pair(first.translation_id)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reviewer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Store(db) as store:
        assert len(store.versions(first.translation_id)) == 1 + 6 * 8
        assert store.pair_of(first.translation_id).tgt.startswith("Version ")
