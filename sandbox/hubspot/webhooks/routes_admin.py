"""Webhook test controls under ``/_sandbox/webhooks`` (header ``X-Sandbox-Admin``, checked by the gateway).

* ``PUT /_sandbox/webhooks`` — configure and enable: ``{"target_url", "client_secret", "enabled",
  "subscriptions", "batch_size", "batch_window_s", "timeout_s", "max_attempts", "retry_base_s",
  "retry_max_s", "signature_versions", "max_concurrent_requests", "property_events_on_create"}``
  (all optional; given fields are merged, ``enabled`` defaults to true).  ``GET`` shows the settings
  (never the secret); ``DELETE`` disables and discards queued events.
* ``POST /_sandbox/webhooks/chaos`` — see :mod:`.chaos`; ``GET`` shows, ``DELETE`` resets.
* ``POST /_sandbox/webhooks/flush`` — ``{"timeout_s": 10, "retry_now": false}``: wait until nothing is
  queued, scheduled or in flight (``retry_now`` makes waiting retries due at once); answers
  ``{"flushed": bool, ...counts}``.
* ``GET /_sandbox/webhooks/deliveries?limit=&eventId=`` — the attempt log and counts; ``DELETE``
  clears both.
* ``POST /_sandbox/webhooks/send`` — a hand-made delivery: ``{"events": [...] | "raw_body": "...",
  "sign": true, "tamper": false, "timestamp_offset_ms": 0, "target_url"?, "client_secret"?,
  "signature_versions"?}``; answers the target's status, the request headers and body sent.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.hubspot.errors import validation_error
from sandbox.hubspot.params import json_body
from sandbox.hubspot.responses import json_response
from sandbox.hubspot.webhooks.service import WebhookService
from sandbox.hubspot.webhooks.settings import SettingsError
from sandbox.kit.chaos import ChaosSpecError

MAX_FLUSH_S = 120.0


def add_webhook_admin_routes(router: APIRouter, service: WebhookService) -> None:
    """Register the ``/_sandbox/webhooks`` endpoints."""

    @router.put("/_sandbox/webhooks")
    async def put_webhooks(request: Request) -> Response:
        try:
            return json_response(service.configure(await json_body(request)))
        except SettingsError as exc:
            raise validation_error(str(exc)) from None

    @router.get("/_sandbox/webhooks")
    async def get_webhooks() -> Response:
        return json_response(service.view())

    @router.delete("/_sandbox/webhooks")
    async def delete_webhooks() -> Response:
        discarded = service.disable()
        return json_response({**service.view(), "discarded": discarded})

    @router.post("/_sandbox/webhooks/chaos")
    async def post_chaos(request: Request) -> Response:
        try:
            service.chaos.update(await json_body(request))
        except ChaosSpecError as exc:
            raise validation_error(str(exc)) from None
        return json_response(service.chaos.view())

    @router.get("/_sandbox/webhooks/chaos")
    async def get_chaos() -> Response:
        return json_response(service.chaos.view())

    @router.delete("/_sandbox/webhooks/chaos")
    async def delete_chaos() -> Response:
        service.chaos.reset()
        return json_response(service.chaos.view())

    @router.post("/_sandbox/webhooks/flush")
    async def flush(request: Request) -> Response:
        body = await json_body(request)
        timeout = _float(body.get("timeout_s", 10.0), "timeout_s")
        hurry = body.get("retry_now", False)
        if not isinstance(hurry, bool):
            raise validation_error("'retry_now' must be true or false")
        result = await asyncio.to_thread(service.flush, min(timeout, MAX_FLUSH_S), hurry)
        return json_response(result)

    @router.get("/_sandbox/webhooks/deliveries")
    async def deliveries(request: Request) -> Response:
        limit = _int(request.query_params.get("limit", "1000"), "limit")
        raw_event = request.query_params.get("eventId")
        event_id = _int(raw_event, "eventId") if raw_event else None
        rows = service.queue.entries(limit, event_id)
        return json_response({"results": rows, "stats": service.queue.stats()})

    @router.delete("/_sandbox/webhooks/deliveries")
    async def clear_deliveries() -> Response:
        service.queue.reset_log()
        return Response(status_code=204)

    @router.post("/_sandbox/webhooks/send")
    async def send(request: Request) -> Response:
        body = await json_body(request)
        try:
            return json_response(await asyncio.to_thread(service.send_manual, body))
        except SettingsError as exc:
            raise validation_error(str(exc)) from None


def _float(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise validation_error(f"'{name}' must be a non-negative number")
    return float(value)


def _int(value: str, name: str) -> int:
    text = value.strip()
    if not text.isdigit():
        raise validation_error(f"'{name}' must be a non-negative integer")
    return int(text)
