"""What keeps the review server to its one user: host and origin checks, and slow-client limits.

The server is a local tool bound to this machine, but "local" is not a security model by
itself (see Jupyter Server): a web page on another site can make the user's browser talk to
``127.0.0.1`` after pointing its own host name there (DNS rebinding), and any page can send
writes to it (cross-site requests). So:

* :class:`HostGuard` answers 403 unless the ``Host`` header names this server: ``localhost``,
  a loopback address, the address it was bound to (``--host``) or a name the user allowed.
  With a rebound name the browser sends the attacker's host name, which is refused.
* On writes (PUT, POST, PATCH, DELETE) it also answers 403 when the browser says the request
  comes from another origin (``Origin`` not this server's, or ``Sec-Fetch-Site: cross-site``).
  Requests without those headers (curl, scripts) are not from a browser page and pass.
* :func:`guarded_protocol` gives uvicorn an HTTP/1.1 protocol that drops a connection whose
  request (headers and body) has not fully arrived within ``request_timeout`` seconds of the
  connection or of the previous response: a client trickling a byte at a time (slowloris)
  cannot hold a connection open. Idle keep-alive connections close after uvicorn's
  ``timeout_keep_alive``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.responses import JSONResponse

#: Host names that always mean this machine.
LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
#: Bind addresses that listen on every interface; the Host then names one of them.
WILDCARD_BINDS = frozenset({"0.0.0.0", "::", ""})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _host_name(host_header: str) -> str | None:
    """The host part of a ``Host`` header (``name``, ``name:port``, ``[v6]:port``), lower case."""
    value = host_header.strip().lower()
    if not value:
        return None
    if value.startswith("["):
        end = value.find("]")
        if end < 0 or (value[end + 1:] and not value[end + 1:].startswith(":")):
            return None
        return value[1:end]
    name, _, port = value.partition(":")
    if port and not port.isdigit():
        return None
    return name.rstrip(".")


def _is_ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


class HostGuard:
    """ASGI middleware: 403 for a foreign ``Host``, and for a cross-origin write."""

    def __init__(self, app, bind_host: str = "127.0.0.1", allowed_hosts: Iterable[str] = ()):
        self.app = app
        bind = bind_host.strip("[]").lower()
        self.any_address = bind in WILDCARD_BINDS
        self.allowed = set(LOCAL_NAMES) | {name.strip("[]").lower().rstrip(".") for name in allowed_hosts}
        if not self.any_address:
            self.allowed.add(bind)

    def host_allowed(self, host_header: str) -> bool:
        name = _host_name(host_header)
        if name is None:
            return False
        if name in self.allowed:
            return True
        address = _is_ip(name)
        if address is None:
            return False
        # An address typed into the browser cannot be rebound; loopback always names us,
        # and on a server listening everywhere any of this machine's addresses may.
        return address.is_loopback or self.any_address

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {}
        for key, value in scope["headers"]:
            headers.setdefault(key, value.decode("latin-1"))
        host = headers.get(b"host", "")
        if not self.host_allowed(host):
            return await _forbidden(f"Host {host!r} is not this server; open it as http://localhost:PORT/",
                                    scope, receive, send)
        if scope["type"] == "websocket" or scope["method"] in WRITE_METHODS:
            problem = _cross_origin(headers, host)
            if problem:
                return await _forbidden(problem, scope, receive, send)
        return await self.app(scope, receive, send)


def _cross_origin(headers: dict[bytes, str], host: str) -> str | None:
    """Why a write looks like it comes from another site's page, or None."""
    if headers.get(b"sec-fetch-site", "").lower() in ("cross-site", "same-site"):
        return "writes from another site's page are refused"
    origin = headers.get(b"origin")
    if origin is None:
        return None  # not sent by a browser page (curl, scripts)
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.netloc.lower() != host.strip().lower():
        return f"Origin {origin!r} is not this server; writes are accepted only from its own pages"
    return None


async def _forbidden(detail: str, scope, receive, send) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    await JSONResponse({"detail": detail}, status_code=403)(scope, receive, send)


def guarded_protocol(request_timeout: float):
    """uvicorn's h11 protocol with a deadline for each request to arrive in full."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class DeadlineH11Protocol(H11Protocol):
        """Drops a connection whose request is not complete ``request_timeout`` s after it may start.

        The clock starts when the connection opens and again after each response; it
        stops once the whole request (headers and body) is in. uvicorn's own timer covers
        idle keep-alive connections only, and a byte of data cancels it.
        """

        timeout = request_timeout

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._deadline = None
            self._arm()

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(self.timeout, self._too_slow)

        def _disarm(self) -> None:
            deadline = getattr(self, "_deadline", None)
            if deadline is not None:
                deadline.cancel()
                self._deadline = None

        def _request_in(self) -> bool:
            return self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR)

        def _too_slow(self) -> None:
            self._deadline = None
            if not self._request_in() and not self.transport.is_closing():
                self.logger.info("dropped a client that took over %ss to send its request", self.timeout)
                if self.cycle is not None and not self.cycle.response_complete:
                    self.cycle.disconnected = True
                    self.cycle.message_event.set()
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._request_in():
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and not self._request_in():
                self._arm()

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

    return DeadlineH11Protocol
