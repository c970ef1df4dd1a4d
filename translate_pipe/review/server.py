"""Running the review application under uvicorn with the limits a local server needs."""

from __future__ import annotations

import socket
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
          on_listening: Callable[[str, int], None] | None = None) -> None:
    """Serve the review application over ``db`` until interrupted.

    The socket is bound first, so a port in use or an unknown address is one
    :class:`TranslatePipeError` (exit 1), and ``on_listening`` gets the real port (for ``--port 0``).
    """
    import uvicorn

    from .app import create_app

    app = create_app(db, config, bind_host=host, allowed_hosts=allowed_hosts)
    sock = listen(host, port)
    server = uvicorn.Server(server_config(app, host, port))
    if on_listening is not None:
        on_listening(host, sock.getsockname()[1])
    try:
        server.run(sockets=[sock])
    except SystemExit as exc:  # uvicorn exits 3 when the application fails to start
        raise TranslatePipeError(f"the review server on {host}:{port} stopped: startup failed ({exc.code})") from None
    finally:
        sock.close()
