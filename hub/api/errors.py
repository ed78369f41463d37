"""One error shape for every 4xx/5xx: ``{"error": {"code", "message", "details"}}``.

Malformed JSON is a 400, a body that fails validation a 422, an oversized body a 413, a wrong
content type a 415; nothing a client sends should produce a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    503: "unavailable",
}


def error_body(status: int, message: str, details: Any = None, code: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code or _CODES.get(status, "error"), "message": message}
    if details is not None:
        body["details"] = details
    return {"error": body}


class ApiError(Exception):
    """Raise from a route to answer ``status`` with a JSON error body."""

    def __init__(self, status: int, message: str, details: Any = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details
        self.headers = headers


def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        first = next(e for e in errors if e.get("type") == "json_invalid")
        message = f"malformed JSON: {first.get('ctx', {}).get('error', 'cannot parse body')}"
        return JSONResponse(error_body(400, message, code="malformed_json"), status_code=400)
    details = [{"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg"), "type": e.get("type")} for e in errors]
    return JSONResponse(error_body(422, "request failed validation", details), status_code=422)


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse(
        error_body(exc.status_code, str(exc.detail)), status_code=exc.status_code, headers=getattr(exc, "headers", None)
    )


def _api(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(error_body(exc.status, exc.message, exc.details), status_code=exc.status, headers=exc.headers)


def _database(request: Request, exc: Exception) -> JSONResponse:
    """The database is down, or a lock or statement timeout ran out (PostgreSQL): retry later."""
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return JSONResponse(
        error_body(503, "database unavailable or busy; retry later"), status_code=503, headers={"Retry-After": "5"}
    )


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse(error_body(500, "internal error; see the hub's log", code="internal"), status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(ApiError, _api)
    app.add_exception_handler(OperationalError, _database)
    app.add_exception_handler(Exception, _unexpected)


class BodyLimit:
    """Answers 413 before a route sees a body over ``max_bytes``, and 415 for non-JSON writes.

    Checks ``Content-Length`` up front and counts streamed bytes for chunked bodies.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        json_prefixes: tuple[str, ...] = ("/api/",),
        limits: dict[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.json_prefixes = json_prefixes
        self.limits = limits or {}

    async def _reject(self, send: Send, status: int, message: str) -> None:
        import orjson

        payload = orjson.dumps(error_body(status, message))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        path: str = scope.get("path", "")
        limit = next((n for prefix, n in self.limits.items() if path.startswith(prefix)), self.max_bytes)
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await self._reject(send, 413, f"request body over {limit} bytes")
            return
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        has_body = (length is not None and length != b"0") or b"transfer-encoding" in headers
        if has_body and path.startswith(self.json_prefixes) and content_type not in (b"application/json", b""):
            await self._reject(
                send, 415, f"content type {content_type.decode(errors='replace')!r}; send application/json"
            )
            return
        received = 0
        too_big = False

        async def counted() -> Message:
            nonlocal received, too_big
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_big = True
                    raise _TooBig()
            return message

        try:
            await self.app(scope, counted, send)
        except _TooBig:
            await self._reject(send, 413, f"request body over {limit} bytes")


class _TooBig(Exception):
    pass
