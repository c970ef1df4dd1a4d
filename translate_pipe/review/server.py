"""Running the review application under uvicorn with the limits a local server needs."""

from __future__ import annotations

import os
import signal
import socket
import sys
from collections.abc import Callable, Sequence

from ..errors import TranslatePipeError

#: Seconds a client has to send a whole request (headers and body) once it may start one.
REQUEST_TIMEOUT = 10.0
#: Seconds an idle keep-alive connection is kept.
KEEP_ALIVE_TIMEOUT = 5
#: Connections served at once; more get 503 until one finishes.
MAX_CONNECTIONS = 64
#: Largest request line plus headers, in bytes (h11's default is 16 KiB too; stated here).
MAX_HEADER_BYTES = 16 * 1024


def server_config(app, host: str = "127.0.0.1", port: int = 8000, request_timeout: float = REQUEST_TIMEOUT,
                  keep_alive: int = KEEP_ALIVE_TIMEOUT, log_level: str = "warning"):
    """A ``uvicorn.Config`` for ``app`` with the request deadline, keep-alive and size limits."""
    import uvicorn

    from .guard import guarded_protocol

    return uvicorn.Config(
        app, host=host, port=port, log_level=log_level, http=guarded_protocol(request_timeout),
        timeout_keep_alive=keep_alive, limit_concurrency=MAX_CONNECTIONS,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES, ws="none", lifespan="on",
        server_header=False, proxy_headers=False,
    )


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` (0: any free port), or one line saying why not."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise TranslatePipeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise TranslatePipeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def serve(db: str, host: str, port: int, config=None, allowed_hosts: Sequence[str] = (),
          on_listening: Callable[[str, int], None] | None = None, workers: int = 1) -> None:
    """Serve the review application over ``db`` until interrupted.

    The socket is bound first, so a port in use or an unknown address is one
    :class:`TranslatePipeError` (exit 1), and ``on_listening`` gets the real port (for ``--port 0``).
    With ``workers`` > 1, that many processes accept on the one socket (see :func:`_run_workers`).
    """
    from .app import create_app

    if workers < 1:
        raise TranslatePipeError(f"--workers must be 1 or more, not {workers}")
    if workers > 1 and not hasattr(os, "fork"):
        raise TranslatePipeError("--workers above 1 needs os.fork (Linux, macOS); run one worker here")
    app = create_app(db, config, bind_host=host, allowed_hosts=allowed_hosts)
    sock = listen(host, port)
    if on_listening is not None:
        on_listening(host, sock.getsockname()[1])
    try:
        if workers == 1:
            _run_server(app, sock, host, port)
        else:
            _run_workers(app, sock, host, port, workers)
    finally:
        sock.close()


def _run_server(app, sock: socket.socket, host: str, port: int) -> None:
    import uvicorn

    server = uvicorn.Server(server_config(app, host, port))
    try:
        server.run(sockets=[sock])
    except SystemExit as exc:  # uvicorn exits 3 when the application fails to start
        raise TranslatePipeError(f"the review server on {host}:{port} stopped: startup failed ({exc.code})") from None


def _run_workers(app, sock: socket.socket, host: str, port: int, workers: int) -> None:
    """``workers`` forked processes, each a whole server (guard, deadlines, limits) on the bound socket.

    One Python process serves at most about one core (the interpreter lock); the kernel
    hands each new connection to one of the processes accepting on the socket. Each
    worker opens its own database connections after the fork (SQLite in WAL mode lets
    readers run beside a writer; an edit takes the write lock). This process only waits:
    SIGINT or SIGTERM is passed on to the workers, and when one worker dies the others
    are stopped, so the server never runs on with fewer workers than it said.
    """
    children: list[int] = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # the worker: serve, then leave without running the parent's clean-up
            code = 0
            try:
                signal.signal(signal.SIGINT, signal.default_int_handler)
                _run_server(app, sock, host, port)
            except TranslatePipeError as exc:
                print(f"translate-pipe: {exc}", file=sys.stderr, flush=True)
                code = 1
            except KeyboardInterrupt:
                pass
            except BaseException:  # noqa: BLE001 - a worker must never return into the parent's code
                code = 1
            finally:
                os._exit(code)
        children.append(pid)

    def stop(signum, _frame) -> None:
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    failed = False
    try:
        remaining = set(children)
        while remaining:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            remaining.discard(pid)
            if os.waitstatus_to_exitcode(status) not in (0, -signal.SIGTERM, -signal.SIGINT) and not failed:
                failed = True
                stop(signal.SIGTERM, None)  # one worker died: stop the rest
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if failed:
        raise TranslatePipeError(f"the review server on {host}:{port} stopped: a worker process failed")
