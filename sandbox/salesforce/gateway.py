"""Request gateway in front of the Salesforce routes: path normalisation, faults, auth, API quota.

Outermost ASGI layer (it needs uvicorn's raw ``send`` to drop connections).  Per request: a trailing
slash is removed (``query/`` = ``query``); ``/_sandbox`` needs ``X-Sandbox-Admin``; a queued fault
may answer instead; ``/services/data/vXX.X/...`` and ``/id/...`` need a valid session (401
``INVALID_SESSION_ID``), an unsupported version is 404, and each such request uses one unit of the
daily API quota (403 ``REQUEST_LIMIT_EXCEEDED`` "TotalRequests Limit exceeded." when used up); their
answers carry ``Sforce-Limit-Info: api-usage=N/LIMIT``.  The versions list, OAuth and SOAP login are
free.  A ``rate_limit`` fault is the *concurrent* request limit: 403 ``REQUEST_LIMIT_EXCEEDED``
"ConcurrentRequests (Concurrent API Requests) Limit exceeded." with api-usage below the limit.
"""

from __future__ import annotations

import asyncio
import re

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.kit.asgi import drop_connection, send_json
from sandbox.kit.faults import Fault
from sandbox.salesforce.errors import SalesforceError, limit_exceeded, not_found, status_error
from sandbox.salesforce.state import SalesforceState

_DATA_RE = re.compile(r"^/services/data/v([^/]+)(?:/|$)")
CONCURRENT_MESSAGE = "ConcurrentRequests (Concurrent API Requests) Limit exceeded."
FAULT_MESSAGES = {
    401: ("INVALID_SESSION_ID", "Session expired or invalid"),
    500: ("UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId if you contact support: "
                               "1234567890-12345 (-1234567890)"),
    503: ("SERVER_UNAVAILABLE", "Server temporarily unavailable. Please try again later."),
}  # fmt: skip


def header(scope: Scope, name: bytes) -> str | None:
    """A request header (case-insensitive)."""
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def request_base(scope: Scope) -> str:
    """``scheme://host[:port]`` the request was sent to."""
    host = header(scope, b"host") or "127.0.0.1"
    return f"{scope.get('scheme', 'https')}://{host}"


class Gateway:
    """Wraps the routed application; see the module docstring."""

    def __init__(self, state: SalesforceState, routes: list[BaseRoute]) -> None:
        self.state = state
        self.routes = routes

    def template(self, scope: Scope) -> str:
        """The matching route's path template (the raw path when nothing matches)."""
        for route in self.routes:
            match, _ = route.matches(scope)
            path = getattr(route, "path", None)
            if match == Match.FULL and path:
                return str(path)
        return str(scope["path"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send, inner: ASGIApp) -> None:
        if scope["type"] != "http":
            await inner(scope, receive, send)
            return
        state = self.state
        path, method = str(scope["path"]), str(scope["method"])
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/") or "/"
            scope["path"], scope["raw_path"] = path, path.encode()
        if path.startswith("/_sandbox"):
            if header(scope, b"x-sandbox-admin") != state.config.admin_token:
                error = SalesforceError(401, "INVALID_SESSION_ID", "Missing or wrong X-Sandbox-Admin header")
                await send_json(send, 401, error.body())
                return
            await inner(scope, receive, send)
            return
        if state.base_url is None:
            state.base_url = request_base(scope)
        template = self.template(scope)
        fault = state.faults.take(method, path)
        if fault is not None and fault.kind != "slow":
            state.stats.record(method, template, await self._apply_fault(fault, send))
            return
        if fault is not None:
            await asyncio.sleep(fault.delay_s)
        extra: list[tuple[bytes, bytes]] = []
        match = _DATA_RE.match(path)
        if match or path.startswith("/id/"):
            try:
                if match and not state.config.supports(match.group(1)):
                    raise not_found()
                state.auth.authenticate(header(scope, b"authorization"))
                if not state.quota.consume(state.clock.now_ms()):
                    raise limit_exceeded()
            except SalesforceError as exc:
                limit = [(b"sforce-limit-info", state.quota.header().encode())]
                auth = [(b"www-authenticate", b'Token realm="Salesforce"')] if exc.status_code == 401 else []
                await send_json(send, exc.status_code, exc.body(), limit + auth)
                state.stats.record(method, template, exc.status_code)
                return
            extra.append((b"sforce-limit-info", state.quota.header().encode()))
        status_box = [0]
        try:
            await inner(scope, receive, _adding_headers(send, extra, status_box))
        finally:
            state.stats.record(method, template, status_box[0] or 500)

    async def _apply_fault(self, fault: Fault, send: Send) -> int:
        if fault.kind == "drop":
            await drop_connection(send)
            return 0
        if fault.kind == "rate_limit":
            # The concurrent long-running request limit: the same 403 REQUEST_LIMIT_EXCEEDED as a spent
            # daily quota, told apart only by the message and by api-usage below its limit. Salesforce
            # sends no Retry-After. https://help.salesforce.com/s/articleView?id=000389067
            error = limit_exceeded(CONCURRENT_MESSAGE)
            await send_json(send, 403, error.body(), [(b"sforce-limit-info", self.state.quota.header().encode())])
            return 403
        code, message = FAULT_MESSAGES.get(fault.status, ("", ""))
        message = fault.message or message
        error = (
            SalesforceError(fault.status, code, message)
            if code
            else status_error(fault.status, fault.message or f"Simulated fault: HTTP {fault.status}")
        )
        await send_json(send, fault.status, error.body())
        return fault.status


def _adding_headers(send: Send, headers: list[tuple[bytes, bytes]], status_box: list[int]) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            status_box[0] = int(message["status"])
            if headers:
                message = {**message, "headers": [*message.get("headers", []), *headers]}
        await send(message)

    return wrapped
