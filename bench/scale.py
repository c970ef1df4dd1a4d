"""Archive scale: does each command cost what it does, or what the archive holds?

Builds N synthetic releases from real English sentences (the UD EWT and GUM dev sets in
../shared/data/segmentation, about 37 sentences a release: a unique title, two sentences
that carry the release's number, the rest drawn from the pool, so most sentences repeat
as they do in a newsroom's archive), translates them with a tiny random-weight Marian
(real tokenizers, real loader; translation is cheap so that everything else shows), and
measures, for each size:

- ``run``: the first run (time, peak memory of the process: start-up, model and run);
- ``no-op re-run``: the same run again (nothing to segment or translate);
- ``add one``: a run of one new release into this archive, and into an empty one (the
  median of three releases, each added to both in turn);
- ``export``: every pair as JSON lines;
- ``label counts``: the counts a run's summary shows, over every release (median of three);
- ``serve``: one release's pairs and the first page of the release list (median of 20
  requests), the first page's size, and 20 concurrent clients (loopback only, in this
  process): requests/s, and the CPU a request costs the server's processes and the clients,
  which holds on a loaded machine where requests/s does not (``--workers N``: serve
  --workers N);

then prints the growth exponent between consecutive sizes (1.0 = linear) and checks the
targets of issue 22. ``--postgres`` runs the same on a throwaway PostgreSQL server.
The commands run in one child process per size (start-up paid once, not timed), the
server in another. Every figure comes from this one run on this machine: compare
ratios, not seconds. On a loaded machine read the CPU rows (run, no-op re-run, export,
label counts): the CPU of the command's process and of the PostgreSQL server (label
counts: of its own backend only), which hold where wall seconds do not. On PostgreSQL
the archive is vacuumed between the first run and the re-run (untimed, shown as its
own row): what autovacuum does within a minute or two of a run, which would otherwise
land in the re-run's figures, more of it the larger the archive.

    python bench/scale.py --sizes 1000,5000,20000 [--postgres | --only-postgres] [--workers N] [--keep DIR]
    python bench/scale.py --serve-only DB [--workers N]     # the serve figures on an existing database

After each size it prints (on stderr) what the size took and what the next one is expected to.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from translate_pipe.store import Store  # noqa: E402
from translate_pipe.testing import build_random_marian  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "segmentation"
SENTENCES_PER_RELEASE = 37
RELEASES_PER_FILE = 100  # ingest reads a file whole: many files keep that bounded
CLIENTS = 20
ADD_ONE_TIMES = 3
CORES = 2  # the machine issue 22's target is set on
REQUESTS_PER_CLIENT = 15


@dataclass
class Measure:
    seconds: float
    peak_mb: float | None = None
    #: CPU seconds of the command's process and of the PostgreSQL server's processes: on a
    #: loaded machine these hold where wall seconds do not.
    cpu: float | None = None
    extra: dict[str, float] = field(default_factory=dict)


def real_sentences() -> list[str]:
    """Distinct English sentences of 40-200 characters from the UD dev sets."""
    seen: dict[str, None] = {}
    for name in ("en_ewt_dev.jsonl", "en_gum_dev.jsonl"):
        path = SHARED / name
        if not path.exists():
            sys.exit(f"{path}: not found (the shared data must be beside this checkout)")
        for line in path.read_text(encoding="utf-8").splitlines():
            for sentence in json.loads(line)["sents"]:
                sentence = " ".join(sentence.split())
                if 40 <= len(sentence) <= 200 and sentence[-1] in ".!?":
                    seen.setdefault(sentence)
    return list(seen)


def write_archive(folder: Path, start: int, count: int, pool: list[str]) -> Path:
    """Releases ``start`` .. ``start + count - 1`` as JSON-lines files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(start)
    for first in range(start, start + count, RELEASES_PER_FILE):
        with (folder / f"part-{first:07d}.jsonl").open("w", encoding="utf-8") as out:
            for n in range(first, min(first + RELEASES_PER_FILE, start + count)):
                body = rng.sample(pool, SENTENCES_PER_RELEASE - 3)
                body[0] = f"Release {n} reports {n % 97 + 3} new projects in the region."
                body[1] = f"The office received {n * 7 % 1000 + 12} requests in the week of release {n}."
                paragraphs = [" ".join(body[i : i + 4]) for i in range(0, len(body), 4)]
                out.write(json.dumps({
                    "id": f"release-{n}", "title": f"Release {n}: {pool[n % len(pool)][:60].rstrip('.')}",
                    "date": f"{2000 + n % 25}-{n % 12 + 1:02d}-{n % 28 + 1:02d}", "text": "\n\n".join(paragraphs),
                }) + "\n")
    return folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_of(pids: list[int]) -> dict[int, float]:
    """Process id -> CPU seconds (user + system) it has used so far, from /proc (Linux); gone ones left out."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return used


def cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two readings (a process started meanwhile counts from 0)."""
    if not after:
        return float("nan")
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def children_of(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def postgres_pids(url: str) -> list[int]:
    """The throwaway PostgreSQL server's processes (postmaster and backends), for its CPU; [] if unknown."""
    from urllib.parse import parse_qs, urlsplit

    socket_dir = parse_qs(urlsplit(url).query).get("host", [""])[0]
    try:
        postmaster = int((Path(socket_dir) / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return []
    return [postmaster, *children_of(postmaster)]


def postgres_cpu(url: str) -> float:
    """CPU seconds the throwaway PostgreSQL server has used so far: its live processes, and the
    backends that have exited (their time is added to the postmaster's children's time); 0 for SQLite."""
    pids = postgres_pids(url) if url.startswith("postgres") else []
    if not pids:
        return 0.0
    try:
        fields = Path(f"/proc/{pids[0]}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    reaped = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime, cstime
    return reaped + sum(cpu_of(pids).values())


def server_pids(server: subprocess.Popen) -> list[int]:
    """The server process and its worker processes (``serve --workers N``)."""
    return [server.pid, *children_of(server.pid)]


@contextmanager
def review_server(db: str, env: dict[str, str], workers: int = 1) -> Iterator[tuple[int, subprocess.Popen]]:
    port = free_port()
    command = [sys.executable, "-m", "translate_pipe.cli", "serve", "--db", db, "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(port, "/api/releases?limit=1")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit("the review server did not start")
                time.sleep(0.2)
        yield port, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def get(port: int, path: str, connection: http.client.HTTPConnection | None = None) -> tuple[float, int]:
    """(seconds, body bytes) of one GET; raises on a status other than 200."""
    own = connection is None
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        start = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
        return time.perf_counter() - start, len(body)
    finally:
        if own:
            connection.close()


def measure_serve(db: str, release_ids: list[str], env: dict[str, str], workers: int = 1) -> dict[str, float]:
    """Latency of single requests, then 20 concurrent clients: requests/s and CPU per request.

    The clients run in this process (threads, one keep-alive connection each); the CPU
    figures are the server's processes' and this process's own over the concurrent phase,
    so they hold on a loaded machine where requests/s does not.
    """
    middle = release_ids[len(release_ids) // 2]
    with review_server(db, env, workers) as (port, server):
        get(port, f"/api/releases/{middle}/pairs?lang=fr")  # warm
        pairs = statistics.median(get(port, f"/api/releases/{middle}/pairs?lang=fr")[0] for _ in range(20))
        timings = [get(port, "/api/releases") for _ in range(20)]
        first_page = statistics.median(t for t, _ in timings)
        page_bytes = timings[0][1]
        latencies: list[float] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def client(n: int) -> None:
            rng = random.Random(n)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                for k in range(REQUESTS_PER_CLIENT):
                    path = ("/api/releases" if k % 2 else
                            f"/api/releases/{rng.choice(release_ids)}/pairs?lang=fr")
                    seconds, _ = get(port, path, connection)
                    with lock:
                        latencies.append(seconds)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        pids = server_pids(server)
        # PostgreSQL's: backends that exited meanwhile (a connection of a request's own) included.
        server_cpu, database_cpu, client_cpu = cpu_of(pids), postgres_cpu(db), time.process_time()
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        client_cpu = time.process_time() - client_cpu
        server_cpu = cpu_between(server_cpu, cpu_of(pids))
        database_cpu = postgres_cpu(db) - database_cpu
    if errors:
        sys.exit(f"concurrent clients failed: {errors[0]}")
    done = len(latencies)
    return {"pairs_ms": pairs * 1000, "first_page_ms": first_page * 1000, "first_page_kb": page_bytes / 1024,
            "concurrent_rps": done / elapsed, "concurrent_median_ms": statistics.median(latencies) * 1000,
            "server_cpu_ms": server_cpu / done * 1000, "database_cpu_ms": database_cpu / done * 1000,
            "client_cpu_ms": client_cpu / done * 1000,
            "cpu_bound_rps": CORES * done / (server_cpu + database_cpu + client_cpu)}


def measure_label_counts(db: str) -> Measure:
    with Store(db) as store:
        # The CPU of this process and of its own PostgreSQL backend (not autovacuum's).
        backend = [int(store.db.execute("SELECT pg_backend_pid()").fetchone()[0])] if db.startswith("postgres") else []
        ids = [str(r["id"]) for r in store.releases()]
        start, cpu = time.perf_counter(), time.process_time() + sum(cpu_of(backend).values())
        counts = store.label_counts(ids, "fr")
        seconds, cpu = time.perf_counter() - start, time.process_time() + sum(cpu_of(backend).values()) - cpu
    return Measure(seconds, cpu=cpu, extra={"pairs": float(sum(counts.values()))})


def measure_size(n: int, db: str, empty_db: str, work: Path, pool: list[str], model: Path, config: Path, workers: int,
                 env: dict[str, str]) -> dict[str, Measure]:
    archive = write_archive(work / f"archive-{n}", 0, n, pool)
    # Three single releases, each added to this archive and then to an empty database, in
    # turn: the median of three, since one addition takes a few tenths of a second.
    extras = [write_archive(work / f"extra-{n}-{k}", 10_000_000 + 10 * n + k, 1, pool) for k in range(ADD_ONE_TIMES)]
    common = ["--to", "fr", "--config", str(config), "--model", f"en-fr={model}", "-q"]
    plan = [
        ("run", ["run", str(archive), "--db", db, *common]),
        ("no-op re-run", ["run", str(archive), "--db", db, *common]),
        *[step for k, extra in enumerate(extras) for step in (
            (f"add one #{k}", ["run", str(extra), "--db", db, *common]),
            (f"add one (empty db) #{k}", ["run", str(extra), "--db", empty_db, *common]))],
        ("export", ["export", "--db", db, "--lang", "fr", "--format", "jsonl", "--keep-duplicates",
                    "--out", str(work / f"export-{n}.jsonl"), "-q"]),
    ]
    # One process for the commands, so Python's and torch's start-up (half a minute on a
    # loaded machine) is paid once and each figure is the command's own work.
    spec = {"plan": plan, "db": db, "config": str(config), "model": str(model)}
    child = subprocess.run([sys.executable, __file__, "--steps", json.dumps(spec)],
                           env=env, capture_output=True, text=True)
    if child.returncode != 0:
        sys.exit(f"the commands failed ({child.returncode}):\n{child.stderr[-3000:]}")
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    results = {name: Measure(m["seconds"], m.get("peak_mb"), m.get("cpu")) for name, m in measured.items()
               if "#" not in name}
    for name in ("add one", "add one (empty db)"):
        results[name] = Measure(statistics.median(measured[f"{name} #{k}"]["seconds"] for k in range(ADD_ONE_TIMES)))
    with Store(db) as store:
        release_ids = [str(r["id"]) for r in store.release_page(limit=500).items]
    serve = measure_serve(db, release_ids, env, workers)
    results["serve"] = Measure(serve["pairs_ms"] / 1000, extra=serve)
    return results


def run_steps(spec: dict) -> None:
    """In the child: run each planned command in this process and print what each took, as JSON."""
    import resource

    from translate_pipe.cli import main as cli
    from translate_pipe.config import load_config
    from translate_pipe.translate import load_translator

    results: dict[str, dict[str, float]] = {}
    start = time.perf_counter()  # imports (torch, transformers) and a first model load: not a command's work
    load_translator("en-fr", load_config(spec["config"]).translate, {"en-fr": spec["model"]})
    results["start-up (imports, model)"] = {"seconds": time.perf_counter() - start}
    for name, args in spec["plan"]:
        if name == "no-op re-run" and spec["db"].startswith("postgres"):
            # What autovacuum does to the tables a run filled, within a minute or two of it: done
            # here, untimed, so that it does not land in the re-run's figures (more of it the
            # larger the archive).
            start = time.perf_counter()
            with Store(spec["db"]) as store:
                store.db.execute("VACUUM ANALYZE")
            results["vacuum after the run (untimed)"] = {"seconds": time.perf_counter() - start}
        start, cpu = time.perf_counter(), time.process_time() + postgres_cpu(spec["db"])
        code = cli(args)
        if code != 0:
            sys.exit(f"translate-pipe {' '.join(args[:2])}: exit {code}")
        results[name] = {"seconds": time.perf_counter() - start,
                         "cpu": time.process_time() + postgres_cpu(spec["db"]) - cpu}
        if name == "run":  # the process's peak so far: start-up, the model, and the first run
            results[name]["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The median of three: under a second even at 5,000 releases, so one timing is noise.
    label_counts = [measure_label_counts(spec["db"]) for _ in range(3)]
    results["label counts"] = {"seconds": statistics.median(m.seconds for m in label_counts),
                               "cpu": statistics.median(m.cpu for m in label_counts)}
    print(json.dumps(results))


def exponent(small: float, large: float, n_small: int, n_large: int) -> float:
    return math.log(max(large, 1e-9) / max(small, 1e-9)) / math.log(n_large / n_small)


def print_table(backend: str, sizes: list[int], by_size: dict[int, dict[str, Measure]]) -> None:
    steps = list(by_size[sizes[0]])
    print(f"\n## {backend}\n")
    header = "| step | " + " | ".join(f"{n:,} releases" for n in sizes) + " | " + " | ".join(
        f"exp {a // 1000 or a}k→{b // 1000 or b}k" if a >= 1000 else f"exp {a}→{b}" for a, b in zip(sizes, sizes[1:])) + " |"
    print(header)
    print("|" + "---|" * (1 + len(sizes) + len(sizes) - 1))
    for step in steps:
        cells = []
        for n in sizes:
            m = by_size[n][step]
            cells.append(f"{m.seconds:.2f} s" + (f", {m.peak_mb:.0f} MB" if m.peak_mb is not None else ""))
        exps = [f"{exponent(by_size[a][step].seconds, by_size[b][step].seconds, a, b):.2f}"
                for a, b in zip(sizes, sizes[1:])]
        print(f"| {step} | " + " | ".join(cells) + " | " + " | ".join(exps) + " |")
    for step in ("run", "no-op re-run", "export", "label counts"):
        if all(by_size[n][step].cpu for n in sizes):
            cpus = [by_size[n][step].cpu for n in sizes]
            print(f"| {step}, CPU s (process + PostgreSQL server) | " + " | ".join(f"{c:.2f}" for c in cpus) + " | "
                  + " | ".join(f"{exponent(a, b, na, nb):.2f}" for a, b, na, nb in zip(cpus, cpus[1:], sizes, sizes[1:]))
                  + " |")
    for key, label in (("pairs_ms", "serve: one release's pairs, median ms"),
                       ("first_page_ms", "serve: release list first page, median ms"),
                       ("first_page_kb", "serve: release list first page, KB"),
                       ("concurrent_rps", f"serve: {CLIENTS} concurrent clients, requests/s"),
                       ("concurrent_median_ms", f"serve: {CLIENTS} concurrent clients, median ms"),
                       ("server_cpu_ms", "serve: server CPU ms a request (all its processes)"),
                       ("database_cpu_ms", "serve: PostgreSQL's own CPU ms a request (SQLite: in the server)"),
                       ("client_cpu_ms", "serve: the benchmark's clients' CPU ms a request"),
                       ("cpu_bound_rps", f"serve: requests/s {CORES} cores allow at that CPU (all of it)")):
        values = [by_size[n]["serve"].extra[key] for n in sizes]
        print(f"| {label} | " + " | ".join(f"{v:.1f}" for v in values) + " | " + " | ".join(
            f"{exponent(a, b, na, nb):.2f}" for a, b, na, nb in zip(values, values[1:], sizes, sizes[1:])) + " |")
    print()
    check_targets(by_size, sizes)


def check_targets(by_size: dict[int, dict[str, Measure]], sizes: list[int]) -> None:
    """Issue 22's targets, as far as these sizes can say."""
    def line(ok: bool, text: str) -> None:
        print(f"- {'ok  ' if ok else 'MISS'} {text}")

    small, large = sizes[0], sizes[-1]
    s, l = by_size[small], by_size[large]
    ratio = l["serve"].extra["pairs_ms"] / s["serve"].extra["pairs_ms"]
    line(ratio <= 2, f"one release's pairs at {large / small:.0f}x the archive: {ratio:.2f}x the latency (target <= 2x)")
    kb = max(by_size[n]["serve"].extra["first_page_kb"] for n in sizes)
    line(kb <= 200, f"release list first page: {kb:.0f} KB (target <= 200 KB)")
    for n in sizes:
        if n >= 5000:
            rps = by_size[n]["serve"].extra["concurrent_rps"]
            line(rps >= 100, f"{CLIENTS} concurrent clients at {n:,} releases: {rps:.0f} requests/s (target >= 100)")
    for step in ("no-op re-run", "label counts"):
        e = exponent(s[step].seconds, l[step].seconds, small, large)
        cpu = (f"; CPU {exponent(s[step].cpu, l[step].cpu, small, large):.2f}" if s[step].cpu and l[step].cpu else "")
        line(e <= 1.1, f"{step}: exponent {e:.2f} between {small:,} and {large:,} (target <= 1.1){cpu}")
    add = l["add one"].seconds / l["add one (empty db)"].seconds
    line(add <= 1.5, f"adding one release to {large:,}: {add:.2f}x adding it to an empty archive (target <= 1.5x)")
    if large >= 5 * small and s["run"].peak_mb and l["run"].peak_mb:
        grow = l["run"].peak_mb - s["run"].peak_mb
        line(grow <= 30, f"run peak memory at {large / small:.0f}x the releases: {grow:+.0f} MB (target <= +30 MB)")


@contextmanager
def databases(backend: str, work: Path, sizes: list[int]) -> Iterator[dict[int, tuple[str, str]]]:
    """Per size: (the archive's database, an empty one for the one-release baseline)."""
    work.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        yield {n: (str(work / f"archive-{n}.db"), str(work / f"empty-{n}.db")) for n in sizes}
        return
    from tests.postgres_server import fresh_database, server_programs, throwaway_server

    if server_programs() is None:
        sys.exit("PostgreSQL is not installed here (initdb, pg_ctl)")
    with throwaway_server() as server, ExitStack() as stack:
        yield {n: (stack.enter_context(fresh_database(server)), stack.enter_context(fresh_database(server)))
               for n in sizes}


def serve_only(db: str, env: dict[str, str], workers: int) -> None:
    with Store(db) as store:
        total = store.release_page(limit=1).total
        release_ids = [str(r["id"]) for r in store.release_page(limit=500).items]
    serve = measure_serve(db, release_ids, env, workers)
    print(f"# serve on {db}: {total:,} releases, {workers} worker(s), load {os.getloadavg()[0]:.1f}")
    for key, value in serve.items():
        print(f"{key}: {value:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000", help="numbers of releases, comma-separated (default 1000,5000)")
    parser.add_argument("--postgres", action="store_true", help="also on a throwaway PostgreSQL server")
    parser.add_argument("--only-postgres", action="store_true", help="only on PostgreSQL")
    parser.add_argument("--keep", help="work in this folder and keep it (default: a temporary one)")
    parser.add_argument("--workers", type=int, default=1, help="serve --workers N for the serve figures (default 1)")
    parser.add_argument("--serve-only", metavar="DB", help="only the serve figures, on this existing database")
    parser.add_argument("--steps", help=argparse.SUPPRESS)  # internal: the child that runs the commands
    args = parser.parse_args()
    if args.steps:
        run_steps(json.loads(args.steps))
        return
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if args.serve_only:
        serve_only(args.serve_only, env, args.workers)
        return
    sizes = sorted(int(s) for s in args.sizes.split(","))
    backends = (["sqlite"] if not args.only_postgres else []) + (["postgresql"] if args.postgres or args.only_postgres else [])
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="tp-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "TRANSLATE_PIPE_CACHE": str(work / "cache")}
    os.environ.update({k: env[k] for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "TRANSLATE_PIPE_CACHE")})
    model = work / "opus-mt-en-fr"
    if not (model / "config.json").exists():
        build_random_marian(model, "en-fr", seed=1)
    config = work / "bench.yaml"
    config.write_text("translate:\n  max_length: 16\n  beam_size: 2\n  batch_size: 32\n", encoding="utf-8")
    pool = real_sentences()
    print(f"# bench/scale.py: sizes {sizes}, {SENTENCES_PER_RELEASE} sentences a release from {len(pool):,} real ones;"
          f" tiny random Marian; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f} at start; work in {work}")
    try:
        for backend in backends:
            with databases(backend, work / backend, sizes) as dbs:
                by_size, took = {}, {}
                for k, n in enumerate(sizes):
                    start = time.perf_counter()
                    by_size[n] = measure_size(n, dbs[n][0], dbs[n][1], work / backend / str(n), pool, model, config,
                                              args.workers, env)
                    took[n] = time.perf_counter() - start
                    print(f"  {backend} {n:,}: {took[n]:.0f} s in all (run {by_size[n]['run'].seconds:.1f} s),"
                          f" load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
                    if k + 1 < len(sizes):
                        # The next size's work at the growth seen so far (at least 1.15, the run's), plus the
                        # fixed start-up: a guide to the wait, not a measurement.
                        own = {m: took[m] - by_size[m]["start-up (imports, model)"].seconds for m in took}
                        growth = max(1.15, exponent(own[sizes[k - 1]], own[n], sizes[k - 1], n)) if k else 1.15
                        expected = own[n] * (sizes[k + 1] / n) ** growth + by_size[n]["start-up (imports, model)"].seconds
                        print(f"  {backend} {sizes[k + 1]:,}: about {expected / 60:.0f} min expected", file=sys.stderr,
                              flush=True)
                print_table(backend, sizes, by_size)
    finally:
        if not args.keep:  # a 20k archive's databases take a few GB
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
