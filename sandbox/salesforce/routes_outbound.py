"""Outbound-message controls (header ``X-Sandbox-Admin``).

* ``PUT /_sandbox/salesforce/outbound`` — ``{"target_url", "objects": ["Account", ...], "enabled",
  "fields": {"Account": ["Name", ...]}, "batch_size", "batch_window_s", "timeout_s", "retry_base_s",
  "retry_max_s", "max_age_s", "max_attempts", "send_session_id", "api_version"}`` (merged;
  ``enabled`` defaults to true).  ``GET`` shows settings and counters; ``DELETE`` disables and
  discards queued notifications.
* ``POST /_sandbox/salesforce/outbound/flush`` — ``{"timeout_s": 10, "retry_now": false}``: wait until
  nothing is queued, scheduled or in flight; answers ``{"flushed": bool, ...}``.
* ``GET /_sandbox/salesforce/outbound/deliveries?limit=`` — attempt log (``outcome`` delivered,
  retry, gave_up, discarded); ``DELETE`` clears log and counters.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.salesforce.errors import SalesforceError
from sandbox.salesforce.httpio import admin_body, json_response
from sandbox.salesforce.outbound.settings import SettingsError
from sandbox.salesforce.state import SalesforceState

P = "/_sandbox/salesforce/outbound"
MAX_FLUSH_S = 120.0


def _invalid(message: str) -> SalesforceError:
    return SalesforceError(400, "INVALID_INPUT", message)


def add_outbound_routes(router: APIRouter, state: SalesforceState) -> None:
    """Register the routes."""
    service = state.outbound

    async def body_of(request: Request) -> dict[str, Any]:
        try:
            return await admin_body(request)
        except ValueError as exc:
            raise _invalid(str(exc)) from None

    @router.put(P)
    async def configure(request: Request) -> Response:
        body = await body_of(request)
        try:
            view = service.configure(body)
        except SettingsError as exc:
            raise _invalid(str(exc)) from None
        if service.settings.send_session_id and state.outbound_session is None:
            state.outbound_session = state.auth.issue(None).token
        return json_response(view)

    @router.get(P)
    async def show() -> Response:
        return json_response(service.view())

    @router.delete(P)
    async def disable() -> Response:
        dropped = service.disable()
        return json_response({**service.view(), "discarded": dropped})

    @router.post(P + "/flush")
    async def flush(request: Request) -> Response:
        body = await body_of(request)
        timeout, retry_now = body.get("timeout_s", 10.0), body.get("retry_now", False)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
            raise _invalid("'timeout_s' must be a non-negative number")
        if not isinstance(retry_now, bool):
            raise _invalid("'retry_now' must be true or false")
        return json_response(await asyncio.to_thread(service.flush, min(float(timeout), MAX_FLUSH_S), retry_now))

    @router.get(P + "/deliveries")
    async def deliveries(request: Request) -> Response:
        raw = request.query_params.get("limit", "1000")
        if not raw.isdigit():
            raise _invalid("'limit' must be a non-negative integer")
        return json_response({"results": service.entries(int(raw)), "stats": service.stats()})

    @router.delete(P + "/deliveries")
    async def clear() -> Response:
        service.reset_log()
        return Response(status_code=204)
