"""The store on PostgreSQL: the same pipeline, exports and review as on SQLite.

Each test gets a fresh database on one throwaway server per session (see conftest).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from translate_pipe.cli import main
from translate_pipe.errors import StoreError
from translate_pipe.model import PairScores
from translate_pipe.review.service import ReviewService
from translate_pipe.store import Store, default_shard_dir, redact

pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'translate-pipe[postgres]')")
pytestmark = pytest.mark.postgres

TABLES = ("releases", "release_origins", "segments", "systems", "translations", "scores", "flags", "alignments")


def _counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def _export(db: str, lang: str, fmt: str, out: Path) -> str:
    assert main(["export", "--db", db, "--lang", lang, "--format", fmt, "--out", str(out), "--keep-duplicates",
                 "-q"]) == 0
    return out.read_text(encoding="utf-8")


def _run(db: str, releases_dir: Path, config: Path, model_args: list[str], langs: str = "fr", *extra: str) -> int:
    return main(["run", str(releases_dir), "--to", langs, "--db", db, "--config", str(config), "-q", *extra,
                 *model_args])


def test_run_into_postgres_stores_what_sqlite_stores(
    releases_dir: Path, tmp_path: Path, model_args: list[str], fast_config_file: Path, postgres_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sqlite_db = str(tmp_path / "t.db")
    for db in (sqlite_db, postgres_url):
        assert _run(db, releases_dir, fast_config_file, model_args, "ar,fr") == 0
    for lang in ("ar", "fr"):
        on_sqlite = _export(sqlite_db, lang, "jsonl", tmp_path / f"s.{lang}.jsonl")
        on_postgres = _export(postgres_url, lang, "jsonl", tmp_path / f"p.{lang}.jsonl")
        assert on_postgres.count("\n") > 10
        assert on_postgres == on_sqlite  # every text, score, flag and the order
        assert (_export(postgres_url, lang, "tmx", tmp_path / f"p.{lang}.tmx").split("<body>")[1]
                == _export(sqlite_db, lang, "tmx", tmp_path / f"s.{lang}.tmx").split("<body>")[1])
    # A second run translates nothing and adds no row.
    before = _counts(postgres_url)
    assert before["translations"] == 2 * before["segments"] > 20
    capsys.readouterr()
    assert main(["run", str(releases_dir), "--to", "ar,fr", "--db", postgres_url, "--config", str(fast_config_file),
                 *model_args]) == 0
    assert "0 translated, 0 from memory" in capsys.readouterr().err
    assert _counts(postgres_url) == before
    assert main(["runs", "--db", postgres_url]) == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines() if " done " in line] == ["1", "2"]


def test_review_on_postgres_keeps_every_version(
    releases_dir: Path, model_args: list[str], fast_config_file: Path, postgres_url: str, fast_config,
) -> None:
    assert _run(postgres_url, releases_dir, fast_config_file, model_args) == 0
    service = ReviewService(postgres_url, fast_config)
    release = service.releases()[0]
    pair = service.pairs(release["id"], "fr")[0]
    edited = service.edit(pair["id"], tgt="Le conseil a appelé au cessez-le-feu.")
    approved = service.edit(edited["id"], status="approved")
    assert approved["status"] == "approved" and approved["tgt"] == "Le conseil a appelé au cessez-le-feu."
    history = service.pair(approved["id"])["versions"]
    assert [v["status"] for v in history] == ["new", "edited", "approved"]
    assert [v["version"] for v in history] == [0, 1, 2]
    assert service.releases()[0]["labels"]["fr"]["good"] >= 1


def test_concurrent_reviewers_on_postgres_get_distinct_versions(
    releases_dir: Path, model_args: list[str], fast_config_file: Path, postgres_url: str,
) -> None:
    assert _run(postgres_url, releases_dir, fast_config_file, model_args) == 0
    with Store(postgres_url) as store:
        first = next(store.pairs("fr"))
    errors: list[BaseException] = []

    def reviewer(n: int) -> None:
        try:
            with Store(postgres_url) as store:
                for k in range(5):
                    store.add_version(first.translation_id, f"Version {n}.{k}.", "human", "edited",
                                      PairScores(values={}, flags=(), combined=0.5, label="check"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reviewer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with Store(postgres_url) as store:
        versions = store.versions(first.translation_id)
    assert sorted(v["version"] for v in versions) == list(range(21))
    # Each version points at the one that was current when it was written: one chain, no fork.
    previous = [v["previous_id"] for v in versions[1:]]
    assert previous == [v["id"] for v in versions[:-1]]


def test_many_processes_may_create_the_schema_at_once(postgres_url: str) -> None:
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            Store(postgres_url).close()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert _counts(postgres_url)["releases"] == 0


def test_unreachable_server_is_one_line_without_the_password(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://translator:s3cret@127.0.0.1:9/corpus"
    with pytest.raises(StoreError, match="cannot connect"):
        Store(url)
    assert main(["runs", "--db", url]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot connect to PostgreSQL" in err
    assert "s3cret" not in err and "translator:***@127.0.0.1:9" in err
    assert redact(url) == "postgresql://translator:***@127.0.0.1:9/corpus"


def test_ray_shards_of_a_postgres_store_have_a_stable_home() -> None:
    a = default_shard_dir("postgresql://u:one@host/db")
    assert a == default_shard_dir("postgresql://u:two@host/db")  # the password does not matter
    assert a != default_shard_dir("postgresql://u@host/other")
    assert default_shard_dir("x/t.db") == "x/t.db.shards" and default_shard_dir(":memory:") is None


def test_a_server_gone_mid_session_is_a_store_error(postgres_url: str) -> None:
    import psycopg

    with Store(postgres_url) as store:
        pid = store.db.connection.info.backend_pid
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(StoreError, match=r"^postgresql://postgres@/tp_\w+\?host=.*: .*terminat"):
            store.releases()


def test_exports_stream_in_batches_while_the_store_is_used(
    releases_dir: Path, model_args: list[str], fast_config_file: Path, postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from translate_pipe.store import backends

    assert _run(postgres_url, releases_dir, fast_config_file, model_args) == 0
    monkeypatch.setattr(backends, "STREAM_BATCH", 3)  # many round trips on this small store
    with Store(postgres_url) as store:
        everything = list(store.pairs("fr"))
        streamed = []
        for pair in store.pairs("fr"):
            streamed.append(pair)
            if len(streamed) == 2:  # the store stays usable while a stream is open
                store.add_version(pair.translation_id, "Texte revu.", "human", "edited",
                                  PairScores(values={}, flags=(), combined=0.5, label="check"))
    assert len(everything) > 10
    assert [p.src for p in streamed] == [p.src for p in everything]
    with Store(postgres_url) as store:
        assert [p.tgt for p in store.pairs("fr")][1] == "Texte revu."


def test_review_api_serves_a_postgres_store(
    releases_dir: Path, model_args: list[str], fast_config_file: Path, postgres_url: str,
) -> None:
    from fastapi.testclient import TestClient

    from translate_pipe.review.app import create_app

    assert _run(postgres_url, releases_dir, fast_config_file, model_args) == 0
    with TestClient(create_app(postgres_url), base_url="http://localhost") as client:
        release = client.get("/api/releases").json()[0]
        pair = client.get(f"/api/releases/{release['id']}/pairs", params={"lang": "fr"}).json()[0]
        saved = client.put(f"/api/pairs/{pair['id']}", json={"tgt": "Une phrase revue.", "status": "approved"})
        assert saved.status_code == 200 and saved.json()["status"] == "approved"
        assert client.put(f"/api/pairs/{pair['id']}", json={"tgt": " "}).status_code == 422
        tmx = client.get(f"/api/releases/{release['id']}/download", params={"lang": "fr", "format": "tmx"})
        assert tmx.status_code == 200 and "Une phrase revue." in tmx.text and 'x-status">approved' in tmx.text


def test_references_alignment_and_evaluation_on_postgres(
    releases_dir: Path, tmp_path: Path, model_args: list[str], fast_config_file: Path, postgres_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    from .conftest import FIXTURES

    sqlite_db = str(tmp_path / "t.db")
    for db in (sqlite_db, postgres_url):
        assert _run(db, releases_dir, fast_config_file, model_args, "fr",
                    "--reference", f"fr={FIXTURES / 'references' / 'fr'}") == 0
    assert _counts(postgres_url)["alignments"] > 0
    assert main(["export", "--db", postgres_url, "--lang", "fr", "--format", "jsonl", "--origin", "human",
                 "--out", str(tmp_path / "p.human.jsonl"), "-q"]) == 0
    assert main(["export", "--db", sqlite_db, "--lang", "fr", "--format", "jsonl", "--origin", "human",
                 "--out", str(tmp_path / "s.human.jsonl"), "-q"]) == 0
    assert (tmp_path / "p.human.jsonl").read_text() == (tmp_path / "s.human.jsonl").read_text() != ""
    capsys.readouterr()
    results = []
    for db in (sqlite_db, postgres_url):
        assert main(["evaluate", "--db", db, "--lang", "fr", "--test", "none", "--json"]) == 0
        results.append(json.loads(capsys.readouterr().out)["scores"])
    assert results[0] == results[1]


def _postgres_full_scans(store: Store, statements: list[tuple[str, tuple]]) -> list[str]:
    """Plan lines that read translations or segments whole, or translations of a whole language."""
    bad = []
    for sql, params in statements:
        plan = [line for (line,) in store.db.execute(f"EXPLAIN {sql}", params).fetchall()]
        for n, line in enumerate(plan):
            scanned = line.split(" on ", 1)[1].split()[0] if " on " in line else ""
            if scanned not in ("translations", "segments"):
                continue
            conditions = " ".join(plan[n + 1 : n + 4])
            # A bitmap heap scan reads the rows its bitmap index scan (the next lines) found by key.
            by_index = "Index" in line or "Bitmap Heap Scan" in line
            keyed = by_index and any(key in conditions for key in ("segment_id =", "id =", "release_id ="))
            if not keyed:
                bad.append(f"{line.strip()} | {conditions.strip()[:120]}    <- {sql[:80]}")
    return bad


def test_query_plans_on_postgres_read_one_release_by_key(postgres_url: str) -> None:
    from tests.test_store import fill_archive, page_queries, recorded_sql

    with Store(postgres_url) as store:
        ids = fill_archive(store, 300)
        store.db.execute("ANALYZE")
        for name, query in page_queries(store, ids[150]).items():
            with recorded_sql(store) as statements:
                query()
            assert statements, name
            assert _postgres_full_scans(store, statements) == [], name
        # The check catches the shape issue 22 found: every translation of the language first.
        old = ("SELECT t.label, COUNT(*) FROM translations t JOIN segments s ON s.id = t.segment_id"
               " WHERE t.tgt_lang = ? AND s.lang = ? GROUP BY t.label")
        assert _postgres_full_scans(store, [(old, ("fr", "en"))])


def test_a_run_s_window_of_releases_is_read_by_key_however_large_a_share_of_the_archive(postgres_url: str) -> None:
    """A run asks about 256 releases at a time. As an IN list those were most of a small
    archive, so PostgreSQL read every segment and hashed every translation once per window
    (quadratic in the archive); each release is now read by its key."""
    from tests.test_store import SYSTEM, fill_archive, recorded_sql

    with Store(postgres_url) as store:
        ids = fill_archive(store, 300)
        store.db.execute("ANALYZE")
        system_id = store.system_id(SYSTEM)
        window = ids[:256]
        with recorded_sql(store) as statements:
            assert store.pending_segments(window, system_id) == []
            assert store.count_segments(window, "en") == 6 * 256
            assert store.count_segments(window, "en", untranslated_by=system_id) == 0
            assert sum(store.label_counts(window, "fr").values()) == 6 * 256
            assert sum(store.label_counts(ids, "fr").values()) == 6 * 300
        assert len(statements) == 5  # one statement each, whatever the number of releases
        assert _postgres_full_scans(store, statements) == []
        # The check catches the old shape: the window as an IN list reads segments whole.
        marks = ",".join("?" * len(window))
        old = (f"SELECT s.id, s.text FROM segments s WHERE s.release_id IN ({marks}) AND s.lang = ?"
               " AND NOT EXISTS (SELECT 1 FROM translations t WHERE t.segment_id = s.id AND t.system_id = ?)")
        assert _postgres_full_scans(store, [(old, (*window, "en", system_id))])


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_label_counts_count_the_current_version_of_each_pair(backend: str, postgres_url: str, tmp_path: Path) -> None:
    """Label counts (one probe a segment) agree with the labels of the pairs' current versions:
    reviewed ones (approved, edited, rejected) and a newer machine version of another system."""
    from dataclasses import replace

    from tests.test_store import SYSTEM, fill_archive

    url = postgres_url if backend == "postgresql" else str(tmp_path / "t.db")
    with Store(url) as store:
        ids = fill_archive(store, 12)
        first = list(store.pairs("fr", release_ids=ids[:2]))
        for pair, status, label in zip(first, ("approved", "edited", "rejected", "edited"), ("bad", "good", "bad", "check")):
            store.add_version(pair.translation_id, pair.tgt + " (revu)", "review", status, PairScores({}, (), 0.5, label))
        newer = store.system_id(replace(SYSTEM, revision="r2"))
        run_id = store.begin_run(["again"], ["fr"], "{}", "test")
        store.add_translations(run_id, newer, "fr", [(segment_id, "autre", "mt", PairScores({}, (), 0.1, "bad"))
                                                     for segment_id, _ in store.pending_segments(ids[1:3], newer)])
        store.finish_run(run_id, "done", {})
        expected: dict[str, int] = {}
        for pair in store.pairs("fr", release_ids=ids[:5]):
            expected[pair.label] = expected.get(pair.label, 0) + 1
        assert store.label_counts(ids[:5], "fr") == expected
        assert sum(expected.values()) == 5 * 6 and expected["bad"] >= 6 + 2  # the newer system's release, reviews
        summed: dict[str, int] = {}
        for langs in store.labels_by_release(ids[:5]).values():
            for label, count in langs["fr"].items():
                summed[label] = summed.get(label, 0) + count
        assert summed == expected


def test_release_rows_keep_order_and_parameters_on_both_engines(postgres_url: str, tmp_path: Path) -> None:
    """The per-release statements give the rows an IN list gave (a release given twice read
    once), in the order asked for, with the query's own parameters (and none for no releases)."""
    from translate_pipe.model import Release, Segment

    results = []
    for url in (str(tmp_path / "t.db"), postgres_url):
        with Store(url) as store:
            for n in (3, 1, 2):
                store.add_release(Release(id=f"r{n}", title=f"R{n}", paragraphs=(), origin=f"r{n}.txt"),
                                  [Segment(f"r{n}", "en", i, i, f"Sentence {i} of {n}.") for i in (2, 0, 1)])
            query = "SELECT s.release_id, s.idx, s.text FROM segments s WHERE {releases} AND s.lang = ? AND s.idx >= ?"
            rows = list(store.release_rows(query, ["r3", "r1", "missing", "r3"], ("en", 1), order_by="1, 2"))
            assert list(store.release_rows(query, [], ("en", 1))) == []
            results.append(rows)
    assert results[0] == results[1] == [("r1", 1, "Sentence 1 of 1."), ("r1", 2, "Sentence 2 of 1."),
                                        ("r3", 1, "Sentence 1 of 3."), ("r3", 2, "Sentence 2 of 3.")]


def test_runs_on_postgres_one_at_a_time_and_a_dead_one_is_stale(postgres_url: str) -> None:
    import psycopg

    with Store(postgres_url) as first, Store(postgres_url) as second:
        run_id = first.begin_run(["in"], ["fr"], '{"store": {"db": "postgresql://u:hunter2@h/d"}}', "test")
        with pytest.raises(StoreError, match=rf"run {run_id} \(started .*\) is writing to this database"):
            second.begin_run(["in"], ["fr"], "{}", "test")
        assert [r["status"] for r in second.runs()] == ["running"]
        with psycopg.connect(postgres_url, autocommit=True) as admin:  # the first run's process dies
            admin.execute("SELECT pg_terminate_backend(%s)", (first.db.connection.info.backend_pid,))
        time.sleep(0.2)  # the server drops the session's locks as the backend exits
        assert [r["status"] for r in second.runs()] == ["stale"]
        again = second.begin_run(["in"], ["fr"], "{}", "test")
        second.finish_run(again, "done", {})
        assert [r["status"] for r in second.runs()] == ["stale", "done"]
        assert "hunter2" not in second.db.execute("SELECT string_agg(config, '') FROM runs").fetchone()[0]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_batched_writes_store_each_translation_s_own_scores_and_skip_stored_ones(
    backend: str, postgres_url: str, tmp_path: Path,
) -> None:
    """One batch of translations (PostgreSQL: pipelined inserts and COPY) where some are stored
    already: the count is of the new ones, and each new one gets its own scores and flags."""
    from tests.test_store import SYSTEM
    from translate_pipe.model import Flag, Release, Segment

    url = postgres_url if backend == "postgresql" else str(tmp_path / "t.db")
    with Store(url) as store:
        system_id = store.system_id(SYSTEM)
        run_id = store.begin_run(["synthetic"], ["fr"], "{}", "test")
        release = Release(id="r1", title="One", paragraphs=(), origin="r1.txt")
        assert store.add_release(release, [Segment("r1", "en", i, i, f"Sentence {i}.") for i in range(6)])
        ids = [segment_id for segment_id, _ in store.pending_segments(["r1"], system_id)]

        def item(segment_id: int, text: str, value: float) -> tuple:
            flags = (Flag("length_ratio", f"reason {value}"),) if value > 0.5 else ()
            return segment_id, text, "mt", PairScores({"logprob_mean": -value, "mt_overlap": value}, flags, value, "good")

        assert store.add_translations(run_id, system_id, "fr", [item(ids[1], "first", 0.1), item(ids[3], "first", 0.3)]) == 2
        batch = [item(segment_id, f"second {n}", n / 10 + 0.05) for n, segment_id in enumerate(ids)]
        assert store.add_translations(run_id, system_id, "fr", batch) == 4
        assert store.copy_translations(run_id, []) == 0
        pairs = {p.segment_index: p for p in store.pairs("fr", release_ids=["r1"])}
        for n in range(6):
            kept = {1: 0.1, 3: 0.3}.get(n, n / 10 + 0.05)  # stored first, the batch left them alone
            assert pairs[n].tgt == ("first" if n in (1, 3) else f"second {n}")
            assert pairs[n].scores == {"logprob_mean": -kept, "mt_overlap": kept}
            assert pairs[n].flags == ((Flag("length_ratio", f"reason {kept}"),) if kept > 0.5 else ())
        store.finish_run(run_id, "done", {})


def test_a_run_analyses_the_tables_it_changed_much_and_only_those(postgres_url: str) -> None:
    """The first run into a database analyses its tables (plans for the rows it wrote);
    adding one release to a large archive does not pay for ANALYZE again."""
    from tests.test_store import fill_archive

    def analysed(store: Store) -> dict[str, object]:
        return dict(store.db.execute(
            "SELECT relname, last_analyze FROM pg_stat_user_tables WHERE relname IN ('segments', 'translations', 'memory_best')"
        ).fetchall())

    with Store(postgres_url) as store:
        fill_archive(store, 200)  # its finish_run analyses
        first = analysed(store)
        assert len(first) == 3 and all(first.values()), first  # the memory index too: its lookup plans by it
        assert store.db.execute("SELECT reltuples FROM pg_class WHERE relname = 'segments'").fetchone()[0] >= 1000
        fill_archive(store, 1, start=200)
        assert analysed(store) == first


def test_a_whole_language_export_picks_the_same_current_versions_as_a_release_lookup(
    releases_dir: Path, model_args: list[str], fast_config_file: Path, postgres_url: str, fast_config,
) -> None:
    # A whole-language export tests "current" as an anti-join (PostgreSQL misestimated the
    # correlated subquery and joined the releases quadratically); a release's lookup keeps
    # the subquery. Both must pick the same version of every pair, reviewed ones included.
    assert _run(postgres_url, releases_dir, fast_config_file, model_args) == 0
    other = fast_config_file.with_name("other.yaml")  # other settings: a newer machine version of every pair
    other.write_text(fast_config_file.read_text(encoding="utf-8").replace("beam_size: 2", "beam_size: 1"),
                     encoding="utf-8")
    assert _run(postgres_url, releases_dir, other, model_args) == 0
    service = ReviewService(postgres_url, fast_config)
    release = service.releases()[0]
    first, second, third = service.pairs(release["id"], "fr")[:3]
    service.edit(service.edit(first["id"], tgt="Version revue.")["id"], status="approved")
    service.edit(second["id"], status="rejected")
    service.edit(third["id"], tgt="Une correction.")
    with Store(postgres_url) as store:
        whole = {(p.release_id, p.segment_index): (p.translation_id, p.status) for p in store.pairs("fr")}
        ids = sorted({p[0] for p in whole})
        by_release = {(p.release_id, p.segment_index): (p.translation_id, p.status)
                      for p in store.pairs("fr", release_ids=ids)}
    assert whole == by_release
    assert sorted(status for _, status in whole.values() if status != "new") == ["approved", "edited", "rejected"]
