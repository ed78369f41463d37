"""``create_partnerstack_app(state)``: the FastAPI application simulating PartnerStack's Vendor API v2.

The outermost layer is a small ASGI gateway: ``/_sandbox`` needs ``X-Sandbox-Admin``; other
requests may hit a queued fault (:mod:`sandbox.kit.faults`); ``/api/v2`` needs HTTP Basic auth with
the public key as user name and the secret key as password (401 ``{message, status}`` otherwise);
every answered request is counted for ``GET /_sandbox/stats``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.kit.asgi import drop_connection, send_json
from sandbox.kit.faults import Fault
from sandbox.partnerstack.errors import PartnerStackError
from sandbox.partnerstack.responses import json_response
from sandbox.partnerstack.routes_admin import add_admin_routes
from sandbox.partnerstack.routes_deals import add_deal_routes
from sandbox.partnerstack.routes_partners import add_partner_routes
from sandbox.partnerstack.state import PartnerStackState

API_PREFIX = "/api/v2"
HTTP_MESSAGES = {404: "Not found", 405: "Method not allowed"}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """``(user, password)`` of an ``Authorization: Basic ...`` header, or ``None``."""
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


class Gateway:
    """Admin check, faults, Basic auth and stats around the routed application."""

    def __init__(self, state: PartnerStackState, routes: list[BaseRoute]) -> None:
        self.state = state
        self.routes = routes

    def template(self, scope: Scope) -> str:
        """The matching route's path template (the raw path when nothing matches)."""
        for route in self.routes:
            match, _ = route.matches(scope)
            path = getattr(route, "path", None)
            if match != Match.NONE and path:
                return str(path)
        return str(scope["path"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send, inner: ASGIApp) -> None:
        if scope["type"] != "http":
            await inner(scope, receive, send)
            return
        state, config = self.state, self.state.config
        path, method = str(scope["path"]), str(scope["method"])
        if path.startswith("/_sandbox"):
            if _header(scope, b"x-sandbox-admin") != config.admin_token:
                await send_json(send, 401, {"message": "Missing or wrong X-Sandbox-Admin header", "status": 401})
                return
            await inner(scope, receive, send)
            return
        template = self.template(scope)
        fault = state.faults.take(method, path)
        if fault is not None and fault.kind not in ("slow", "expire_tokens"):
            status = await self._fault(fault, send)
            state.stats.record(method, template, status)
            return
        if fault is not None and fault.kind == "slow":
            await asyncio.sleep(fault.delay_s)
        if path.startswith(API_PREFIX):
            creds = basic_credentials(_header(scope, b"authorization"))
            live = (config.public_key, config.secret_key)
            test = (config.test_public_key, config.test_secret_key)
            if creds not in (live, test):
                body = {
                    "message": "Unauthorized: invalid or missing API keys (HTTP Basic public:secret)",
                    "status": 401,
                }
                await send_json(send, 401, body)
                state.stats.record(method, template, 401)
                return
            scope.setdefault("state", {})["ps_test_keys"] = creds == test
        status_box = [0]

        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_box[0] = int(message["status"])
            await send(message)

        try:
            await inner(scope, receive, counting)
        finally:
            state.stats.record(method, template, status_box[0] or 500)

    @staticmethod
    async def _fault(fault: Fault, send: Send) -> int:
        if fault.kind == "drop":
            await drop_connection(send)
            return 0
        if fault.kind == "rate_limit":
            body = {"message": "Too many requests", "status": 429}
            await send_json(send, 429, body, [(b"retry-after", str(fault.retry_after).encode())])
            return 429
        body = {"message": fault.message or f"Simulated fault: HTTP {fault.status}", "status": fault.status}
        await send_json(send, fault.status, body)
        return fault.status


class PartnerStackApp(FastAPI):
    """FastAPI app whose outermost layer is the :class:`Gateway`."""

    gateway: Gateway | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.gateway is None:
            await super().__call__(scope, receive, send)
        else:
            await self.gateway(scope, receive, send, super().__call__)


def create_partnerstack_app(state: PartnerStackState) -> FastAPI:
    """Build the simulated PartnerStack Vendor API v2 (plus ``/_sandbox`` controls) around ``state``."""
    app = PartnerStackApp(title="PartnerStack sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.partnerstack = state
    add_partner_routes(app.router, state)
    add_deal_routes(app.router, state)
    add_admin_routes(app.router, state)

    @app.exception_handler(PartnerStackError)
    async def partnerstack_error(request: Request, exc: PartnerStackError) -> Response:
        response = json_response(exc.body(), exc.status)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def request_validation(request: Request, exc: RequestValidationError) -> Response:
        return json_response({"message": f"Invalid request: {exc.errors()}", "status": 400}, 400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = HTTP_MESSAGES.get(exc.status_code, str(exc.detail))
        return json_response({"message": message, "status": exc.status_code}, exc.status_code)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        return json_response({"message": f"Internal error: {type(exc).__name__}", "status": 500}, 500)

    app.gateway = Gateway(state, app.router.routes)
    return app
