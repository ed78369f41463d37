"""One error shape for every 4xx/5xx: ``{"error": {"code", "message", "details"}}``.

Malformed JSON is a 400, a body that fails validation a 422, an oversized body a 413, a wrong
content type a 415; nothing a client sends should produce a 500.
"""

from __future__ import annotations

import asyncio
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
    408: "request_timeout",
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


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _nul_in_request(scope: Scope) -> str | None:
    """Where a NUL character is in the path or query string (no database stores one), else None."""
    if "\x00" in scope.get("path", ""):
        return "the path"
    query = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        return "the query string"
    return None


class BodyLimit:
    """Reads the whole request body before a route sees it, and answers instead of the route:

    * 413 for a body over ``max_bytes`` (by ``Content-Length`` up front, and by counting the bytes of
      a chunked body as they arrive), 415 for a non-JSON write to the API;
    * 408 when the body takes longer than ``body_timeout`` seconds to arrive (a trickling client);
    * 422 for a NUL character in the path, the query string or an API JSON body's strings.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        json_prefixes: tuple[str, ...] = ("/api/",),
        limits: dict[str, int] | None = None,
        body_timeout: float = 30.0,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.json_prefixes = json_prefixes
        self.limits = limits or {}
        self.body_timeout = body_timeout

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

    async def _read(self, receive: Receive, limit: int) -> bytes | int:
        """The body, or the status that refuses it (413 too big, 408 too slow)."""
        chunks: list[bytes] = []
        received = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.body_timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return 408
            try:
                message = await asyncio.wait_for(receive(), remaining)
            except TimeoutError:
                return 408
            if message["type"] == "http.disconnect":
                return 499
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                return 413
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        where = _nul_in_request(scope)
        if where is not None:
            await self._reject(send, 422, f"a NUL character in {where}")
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
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
        is_api = path.startswith(self.json_prefixes)
        if has_body and is_api and content_type not in (b"application/json", b""):
            await self._reject(
                send, 415, f"content type {content_type.decode(errors='replace')!r}; send application/json"
            )
            return
        body = await self._read(receive, limit)
        if body == 499:
            return
        if body == 413:
            await self._reject(send, 413, f"request body over {limit} bytes")
            return
        if body == 408:
            await self._reject(send, 408, f"the request body did not arrive within {self.body_timeout:g} seconds")
            return
        assert isinstance(body, bytes)
        if is_api and (b"\\u0000" in body or b"\x00" in body):
            import orjson

            try:
                nul = _has_nul(orjson.loads(body))
            except orjson.JSONDecodeError:
                nul = False  # the route answers malformed JSON
            if nul:
                await self._reject(send, 422, "a NUL character (\\u0000) in the request body")
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
