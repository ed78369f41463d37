"""Test-control endpoints under ``/_sandbox/`` (not PartnerStack's API); header ``X-Sandbox-Admin``.

Plain JSON answers (no envelope); errors are ``{message, status}`` 400.  Faults, stats, mutate and
world are the shared endpoints of :mod:`sandbox.kit.admin_routes`.

* ``POST /_sandbox/faults`` — queue a fault (:mod:`sandbox.kit.faults`: ``status``, ``slow``, ``drop``,
  ``rate_limit``; ``expire_tokens`` is a no-op here); ``GET`` lists; ``DELETE`` clears.
* ``GET /_sandbox/stats`` — request counts per (method, route template, status); ``DELETE`` resets.
* ``POST /_sandbox/mutate`` — deterministic updates / creations / archivals (:mod:`.mutate`).
* ``GET /_sandbox/world`` — the data as a fixture document; ``PUT`` replaces it (full document with
  a ``partnerstack`` key, or a bare section); webhook registrations and settings are kept.
* ``GET /_sandbox/webhooks`` — delivery settings, registrations, thread state; ``PUT`` changes
  settings (:class:`~sandbox.partnerstack.webhooks.WebhookSettings`); ``DELETE`` removes every
  registration, restores default settings and discards queued deliveries.
* ``POST /_sandbox/webhooks/chaos`` — ``{duplicate, next, reorder, delay_s, drop, seed}`` (the
  HubSpot sandbox's chaos switches); ``GET`` shows; ``DELETE`` resets.
* ``POST /_sandbox/webhooks/flush`` — ``{"timeout_s": 10, "retry_now": false}``: wait until nothing
  is queued or in flight; answers ``{"flushed": bool, ...counters}``.
* ``GET /_sandbox/webhooks/deliveries?limit=&event=&webhookKey=&objectKey=&outcome=&kind=`` — the
  attempt log (oldest first) and counters; ``DELETE`` clears both.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.kit.admin_routes import add_common_admin_routes
from sandbox.kit.chaos import ChaosSpecError
from sandbox.partnerstack.errors import bad_request
from sandbox.partnerstack.mutate import MutateSpecError, mutate
from sandbox.partnerstack.responses import json_response
from sandbox.partnerstack.state import PartnerStackState
from sandbox.partnerstack.validate import json_body
from sandbox.partnerstack.webhooks import WebhookSpecError
from sandbox.partnerstack.world import PartnerStackWorld

MAX_FLUSH_S = 120.0
LOG_FILTERS = ("event", "webhookKey", "objectKey", "outcome", "kind", "deliveryId")


def add_admin_routes(router: APIRouter, state: PartnerStackState) -> None:
    """The ``/_sandbox`` control surface."""

    def import_world(body: dict[str, Any]) -> dict[str, int]:
        state.replace_world(PartnerStackWorld.from_json(body))
        return {name: len(rows) for name, rows in state.store.tables.items()}

    add_common_admin_routes(
        router,
        faults=state.faults,
        stats=state.stats,
        read_body=json_body,
        respond=json_response,
        error=bad_request,
        expire_tokens=lambda: 0,
        mutate=partial(mutate, state),
        mutate_error=MutateSpecError,
        export_world=lambda: state.export_world().to_fixture(),
        import_world=import_world,
        world_errors=(ValueError, KeyError, TypeError, AttributeError),
    )

    @router.get("/_sandbox/webhooks")
    async def get_webhooks() -> Response:
        return json_response(state.webhooks.view())

    @router.put("/_sandbox/webhooks")
    async def put_webhooks(request: Request) -> Response:
        try:
            return json_response(state.webhooks.configure(await json_body(request)))
        except WebhookSpecError as exc:
            raise bad_request(str(exc)) from None

    @router.delete("/_sandbox/webhooks")
    async def delete_webhooks() -> Response:
        discarded = state.webhooks.reset()
        return json_response({**state.webhooks.view(), "discarded": discarded})

    @router.post("/_sandbox/webhooks/chaos")
    async def post_chaos(request: Request) -> Response:
        try:
            state.webhooks.chaos.update(await json_body(request))
        except ChaosSpecError as exc:
            raise bad_request(str(exc)) from None
        return json_response(state.webhooks.chaos.view())

    @router.get("/_sandbox/webhooks/chaos")
    async def get_chaos() -> Response:
        return json_response(state.webhooks.chaos.view())

    @router.delete("/_sandbox/webhooks/chaos")
    async def delete_chaos() -> Response:
        state.webhooks.chaos.reset()
        return json_response(state.webhooks.chaos.view())

    @router.post("/_sandbox/webhooks/flush")
    async def flush(request: Request) -> Response:
        body = await json_body(request)
        timeout = _number(body.get("timeout_s", 10.0), "timeout_s")
        hurry = body.get("retry_now", False)
        if not isinstance(hurry, bool):
            raise bad_request("'retry_now' must be true or false")
        result = await asyncio.to_thread(state.webhooks.flush, min(timeout, MAX_FLUSH_S), hurry)
        return json_response(result)

    @router.get("/_sandbox/webhooks/deliveries")
    async def deliveries(request: Request) -> Response:
        raw = request.query_params.get("limit", "1000")
        if not raw.isdigit():
            raise bad_request("'limit' must be a non-negative integer")
        filters = {k: v for k in LOG_FILTERS if (v := request.query_params.get(k))}
        rows = state.webhooks.queue.entries(int(raw), filters)
        return json_response({"results": rows, "stats": state.webhooks.queue.stats()})

    @router.delete("/_sandbox/webhooks/deliveries")
    async def clear_deliveries() -> Response:
        state.webhooks.queue.reset_log()
        return Response(status_code=204)


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise bad_request(f"'{name}' must be a non-negative number")
    return float(value)
