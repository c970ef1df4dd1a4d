"""A throwaway PostgreSQL server for the tests: its own data folder, a Unix socket, no TCP.

Debian's server programs (package ``postgresql``) are found on PATH or under
/usr/lib/postgresql/*/bin. PostgreSQL refuses to run as root, so as root the server runs
as the ``postgres`` user that package creates.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def server_programs() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when the server is not installed."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "initdb").exists():
            return Path(folder)
    return None


@contextmanager
def throwaway_server() -> Iterator[str]:
    """Start a server in a temporary folder; yields a URL of its maintenance database."""
    programs = server_programs()
    if programs is None:
        raise FileNotFoundError("PostgreSQL's initdb and pg_ctl are not installed (Debian package postgresql)")
    # Not under pytest's temporary folder: that one is private to root, and the server
    # may run as another user.
    root = Path(tempfile.mkdtemp(prefix="translate-pipe-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
    data, socket_dir = root / "data", root
    run = lambda *args: subprocess.run([*as_user, *map(str, args)], check=True, capture_output=True)  # noqa: E731
    try:
        run(programs / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        # Durability is not what these tests check: skip the fsyncs.
        options = f"-c listen_addresses='' -k {socket_dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        run(programs / "pg_ctl", "-D", data, "-l", root / "server.log", "-o", options, "-w", "start")
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"could not start PostgreSQL: {exc.stderr.decode(errors='replace')}") from None
    try:
        yield f"postgresql://postgres@/postgres?host={socket_dir}"
    finally:
        subprocess.run([*as_user, str(programs / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server; dropped afterwards. Yields its URL."""
    import psycopg

    name = f"tp_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    base, _, query = server_url.partition("?")
    url = f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
    try:
        yield url
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
