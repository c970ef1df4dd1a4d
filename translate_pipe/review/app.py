"""The review web application: a JSON API under ``/api/`` and two plain HTML pages.

A thin HTTP layer over :class:`ReviewService`. The pages are static files whose script
fetches the API and builds the DOM with ``textContent`` only, so text from a release can
never become markup. The API is described at ``/openapi.json``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from ..config import Config
from ..errors import StoreError, redact_secrets
from ..store.paging import DEFAULT_LIMIT, MAX_LIMIT
from .guard import HostGuard
from .service import MAX_EDIT_CHARS, InvalidEdit, NotFound, ReviewService

STATIC = Path(__file__).resolve().parent / "static"

#: Largest request body accepted; an edit is one sentence, so this is generous.
MAX_BODY_BYTES = 64 * 1024


class PairEdit(BaseModel):
    """A reviewer's change to a pair: new target text, a decision, or both."""

    model_config = ConfigDict(extra="forbid")

    tgt: StrictStr | None = Field(None, max_length=MAX_EDIT_CHARS, description="the corrected target sentence")
    status: Literal["approved", "rejected"] | None = Field(None, description="the reviewer's decision")


class BodyLimit:
    """ASGI middleware: answer 413 to a request body over ``limit`` bytes, whatever its framing.

    The body is read up to the limit before the application sees it, so a chunked
    upload without Content-Length is cut off too.
    """

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        too_big = JSONResponse({"detail": f"request body over {self.limit} bytes"}, status_code=413)
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await too_big(scope, receive, send)
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                return await too_big(scope, receive, send)
        delivered = False

        async def replay():
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        return await self.app(scope, replay, send)


def _text(value: object) -> str:
    """``value`` as text JSON can carry (a lone surrogate becomes its escape)."""
    return str(value).encode("utf-8", "backslashreplace").decode("utf-8")


def _validation_error(error: dict) -> dict[str, object]:
    message = str(error.get("msg", "invalid"))
    if error.get("type") == "string_unicode":
        message = "not valid text: a lone surrogate (\\ud800-\\udfff) is not a character"
    return {"loc": [_text(part) for part in error.get("loc", ())], "msg": _text(message),
            "type": _text(error.get("type", ""))}


def _names_tag(if_none_match: str | None, tag: str) -> bool:
    """Whether an If-None-Match header names ``tag`` (weak comparison, as RFC 9110 asks for GET)."""
    if not if_none_match:
        return False
    # "*" is not honoured: it would answer 304 for a release that does not exist (browsers
    # do not send it on GET).
    opaque = tag.removeprefix("W/")
    return any(part.strip().removeprefix("W/") == opaque for part in if_none_match.split(","))


def create_app(db: str, config: Config | None = None, bind_host: str = "127.0.0.1",
               allowed_hosts: Sequence[str] = ()) -> FastAPI:
    """The review application over the database ``db``.

    Requests must name this server in ``Host`` (``localhost``, a loopback address,
    ``bind_host`` or one of ``allowed_hosts``); see :mod:`.guard`.
    """
    service = ReviewService(db, config)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        service.close()  # the connections its threads kept open

    app = FastAPI(
        title="translate-pipe review",
        summary="Review and post-edit stored translation pairs.",
        docs_url=None,  # the interactive docs load scripts from a CDN; /openapi.json needs nothing
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.service = service

    @app.exception_handler(NotFound)
    async def not_found(_request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own handler echoes the input back, and JSON cannot carry a lone
        # surrogate: it would answer 500. Say what is wrong without the input.
        return JSONResponse({"detail": [_validation_error(error) for error in exc.errors()]}, status_code=422)

    @app.exception_handler(InvalidEdit)
    async def invalid(_request, exc: InvalidEdit) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(StoreError)
    async def store_failed(_request, exc: StoreError) -> JSONResponse:
        # 'database is locked' past the busy timeout, a PostgreSQL server gone: one line in
        # the server's log (not a traceback), and the reviewer may try again.
        logging.getLogger(__name__).warning("review: %s", redact_secrets(" ".join(str(exc).split())))
        return JSONResponse({"detail": "the database could not be read or written just now; try again "
                                       "(the server's log says why)"}, status_code=503)

    @app.get("/api/releases", summary="A page of releases with their languages and label counts (X-Total-Count: all"
             " that match; ETag: 304 to an If-None-Match that names it)", response_model=list[dict])
    def list_releases(
        request: Request,
        q: str | None = Query(None, max_length=200, description="part of the title (or id), any case"),
        date_from: str | None = Query(None, max_length=32, description="first date, e.g. 2018 or 2018-09-10"),
        date_to: str | None = Query(None, max_length=32, description="last date, inclusive (a prefix: 2018-09)"),
        limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
        offset: int = Query(0, ge=0, le=2**62),
    ) -> Response:
        page = service.release_page(q, date_from, date_to, limit, offset)
        # The page's label counts and names come from all over the store: its tag is the
        # page's own bytes (a 304 saves the transfer and the client's work, not the server's).
        body = JSONResponse(page.items)
        # The total (X-Total-Count, the pager's) is part of what the tag names: a release added
        # past this page changes it and nothing else.
        tag = f'W/"{hashlib.blake2b(body.body + b"|%d" % page.total, digest_size=16).hexdigest()}"'
        if _names_tag(request.headers.get("if-none-match"), tag):
            return Response(status_code=304, headers={"ETag": tag, "Cache-Control": "no-cache"})
        body.headers.update({"X-Total-Count": str(page.total), "ETag": tag, "Cache-Control": "no-cache"})
        return body

    @app.get("/api/releases/{release_id}", summary="One release's metadata and languages")
    def get_release(release_id: str) -> dict:
        return service.release(release_id)

    @app.get("/api/releases/{release_id}/pairs", response_model=list[dict],
             summary="A page of a release's pairs into one language (X-Total-Count: all that match; ETag: 304 to"
                     " an If-None-Match that names it)")
    def get_pairs(
        request: Request,
        response: Response,
        release_id: str,
        lang: str = Query(..., min_length=2, max_length=8, description="target language, e.g. fr"),
        label: Literal["good", "check", "bad"] | None = None,
        flag: str | None = Query(None, max_length=64),
        status: Literal["new", "edited", "approved", "rejected"] | None = None,
        sort: Literal["document", "score", "-score"] = "document",
        limit: int = Query(MAX_LIMIT, ge=1, le=MAX_LIMIT),
        offset: int = Query(0, ge=0, le=2**62),
    ) -> list[dict] | Response:
        filters = {"label": label, "flag": flag, "status": status, "sort": sort}
        # The tag is read before the pairs: a page that includes a write the tag missed goes
        # out under the older tag (so the next request gets the page again); a tag never
        # names a page older than the data it was read from.
        tag = service.pairs_etag(release_id, lang, limit=limit, offset=offset, **filters)
        if _names_tag(request.headers.get("if-none-match"), tag):
            return Response(status_code=304, headers={"ETag": tag, "Cache-Control": "no-cache"})
        page = service.pair_page(release_id, lang, limit, offset, **filters)
        response.headers.update({"X-Total-Count": str(page.total), "ETag": tag, "Cache-Control": "no-cache"})
        return page.items

    @app.get("/api/pairs/{pair_id}", summary="A pair's current version and its history")
    def get_pair(pair_id: int) -> dict:
        return service.pair(pair_id)

    @app.put("/api/pairs/{pair_id}", summary="Edit, approve or reject a pair (stored as a new version)")
    def put_pair(pair_id: int, edit: PairEdit) -> dict:
        return service.edit(pair_id, tgt=edit.tgt, status=edit.status)

    @app.get("/api/releases/{release_id}/download", summary="The localized release (html, text) or its pairs (tmx)")
    def download(release_id: str, lang: str = Query(..., min_length=2, max_length=8),
                 format: Literal["html", "text", "tmx"] = "html") -> Response:
        content, media_type, name = service.download(release_id, lang, format)
        return Response(content, media_type=media_type,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/releases/{release_id}", include_in_schema=False)
    def release_page(release_id: str) -> FileResponse:
        return FileResponse(STATIC / "release.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.add_middleware(HostGuard, bind_host=bind_host, allowed_hosts=allowed_hosts)  # outermost: checked first
    return app
