"""Request gateway in front of the HubSpot routes: faults, auth, rate limits, headers, stats.

Runs as the outermost ASGI layer (it needs uvicorn's raw ``send`` to drop connections).  Order per
request: admin check for ``/_sandbox``; queued fault; bearer auth (``/crm/...``); rate limits;
the route; then the response gets ``x-hubspot-correlation-id`` and the rate-limit headers.

A fault's ``path_prefix`` matches a request by its path as sent or by its legacy spelling
(:func:`sandbox.hubspot.versions.legacy_path`), so ``/crm/v3/objects/companies`` also stages a
failure for ``/crm/objects/2026-03/companies``.  429s carry ``Retry-After`` only while the config's
``retry_after`` is 1 (HubSpot documents none).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.hubspot.errors import HubSpotError
from sandbox.hubspot.state import HubSpotState
from sandbox.hubspot.versions import legacy_path
from sandbox.kit.asgi import drop_connection, send_json
from sandbox.kit.faults import Fault

STATUS_CATEGORIES = {
    400: "VALIDATION_ERROR",
    401: "INVALID_AUTHENTICATION",
    403: "MISSING_SCOPES",
    404: "OBJECT_NOT_FOUND",
    409: "CONFLICT",
    429: "RATE_LIMITS",
    423: "LOCKED",
    477: "MIGRATION_IN_PROGRESS",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def rate_limit_body(correlation_id: str, policy: str, message: str) -> dict[str, str]:
    """HubSpot's 429 body."""
    return {
        "status": "error",
        "message": message,
        "errorType": "RATE_LIMIT",
        "correlationId": correlation_id,
        "policyName": policy,
        "category": "RATE_LIMITS",
    }


class Gateway:
    """Wraps the routed application; see the module docstring."""

    def __init__(self, state: HubSpotState, routes: list[BaseRoute]) -> None:
        self.state = state
        self.routes = routes

    def template(self, scope: Scope) -> str:
        """The matching route's path template (the raw path when nothing matches)."""
        partial: str | None = None
        for route in self.routes:
            match, _ = route.matches(scope)
            path = getattr(route, "path", None)
            if match == Match.FULL and path:
                return str(path)
            if match == Match.PARTIAL and partial is None and path:
                partial = str(path)
        return partial or str(scope["path"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send, inner: ASGIApp) -> None:
        if scope["type"] != "http":
            await inner(scope, receive, send)
            return
        state = self.state
        path, method = str(scope["path"]), str(scope["method"])
        correlation_id = str(uuid.uuid4())
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        headers: list[tuple[bytes, bytes]] = [(b"x-hubspot-correlation-id", correlation_id.encode())]
        if path.startswith("/_sandbox"):
            if _header(scope, b"x-sandbox-admin") != state.config.admin_token:
                error = HubSpotError(401, "INVALID_AUTHENTICATION", "Missing or wrong X-Sandbox-Admin header")
                await send_json(send, 401, error.body(correlation_id), headers)
                return
            await inner(scope, receive, _adding_headers(send, headers, [0]))
            return
        template = self.template(scope)
        fault = state.faults.take(method, path)
        if fault is None and legacy_path(path) != path:
            fault = state.faults.take(method, legacy_path(path))
        if fault is not None and fault.kind != "slow":
            status = await self._apply_fault(fault, send, correlation_id, headers)
            state.stats.record(method, template, status)
            return
        if fault is not None:
            await asyncio.sleep(fault.delay_s)
        if path.startswith("/crm/"):
            status = await self._guard(scope, send, correlation_id, headers, method, path)
            if status:
                state.stats.record(method, template, status)
                return
        status_box = [0]
        recorded = [False]

        def record() -> None:
            if not recorded[0]:
                recorded[0] = True
                state.stats.record(method, template, status_box[0] or 500)

        try:
            # counted before the last body chunk goes out: a client that has its answer finds it counted
            await inner(scope, receive, _adding_headers(send, headers, status_box, record))
        finally:
            record()

    async def _guard(
        self,
        scope: Scope,
        send: Send,
        correlation_id: str,
        headers: list[tuple[bytes, bytes]],
        method: str,
        path: str,
    ) -> int:
        """Authenticate and rate-limit; answer and return the status if the request is refused."""
        state = self.state
        try:
            caller = state.auth.authenticate(_header(scope, b"authorization"))
        except HubSpotError as exc:
            extra = [(b"x-hubspot-auth-failure", b"401 Unauthorized")]
            await send_json(send, exc.status_code, exc.body(correlation_id), headers + extra)
            return exc.status_code
        search = method == "POST" and path.endswith("/search")
        decision = state.limiter.check(caller, state.clock.now_ms(), search)
        if not decision.allowed:
            body = rate_limit_body(correlation_id, decision.policy, decision.message)
            await send_json(send, 429, body, headers + self._retry_after(decision.retry_after))
            return 429
        headers.extend(decision.headers)
        return 0

    def _retry_after(self, seconds: int) -> list[tuple[bytes, bytes]]:
        return [(b"retry-after", str(seconds).encode())] if self.state.config.retry_after else []

    async def _apply_fault(
        self, fault: Fault, send: Send, correlation_id: str, headers: list[tuple[bytes, bytes]]
    ) -> int:
        if fault.kind == "drop":
            await drop_connection(send)
            return 0
        if fault.kind == "rate_limit":
            body = rate_limit_body(
                correlation_id, "TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit."
            )
            await send_json(send, 429, body, headers + self._retry_after(fault.retry_after))
            return 429
        category = STATUS_CATEGORIES.get(fault.status, "INTERNAL_ERROR")
        error = HubSpotError(fault.status, category, fault.message or f"Simulated fault: HTTP {fault.status}")
        # 477 Migration in Progress comes with Retry-After (HubSpot's error-handling page)
        extra = [(b"retry-after", str(fault.retry_after).encode())] if fault.status == 477 else []
        await send_json(send, fault.status, error.body(correlation_id), headers + extra)
        return fault.status


def _adding_headers(
    send: Send, headers: list[tuple[bytes, bytes]], status_box: list[int], on_last: Callable[[], None] | None = None
) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            status_box[0] = int(message["status"])
            message = {**message, "headers": [*message.get("headers", []), *headers]}
        elif message["type"] == "http.response.body" and not message.get("more_body") and on_last is not None:
            on_last()
        await send(message)

    return wrapped
