"""Test-control endpoints under ``/_sandbox/`` (not part of HubSpot's API).

All require the header ``X-Sandbox-Admin: <admin token>`` (checked by the gateway).

* ``POST /_sandbox/faults`` — queue a fault (see :mod:`sandbox.faults`); ``GET`` lists pending
  faults; ``DELETE`` clears them.
* ``GET /_sandbox/stats`` — request counts per (method, route template, status); ``DELETE`` resets.
* ``POST /_sandbox/mutate`` — deterministic updates/creations/archivals (see :mod:`.mutate`).
* ``GET /_sandbox/world`` — export the current data as fixture JSON; ``PUT`` replaces it.
* ``GET /_sandbox/config`` / ``POST /_sandbox/config`` — read / change ``token_ttl``,
  ``rate_limit``, ``rate_limit_interval_ms``, ``daily_limit``, ``search_rate_limit``
  (rate-limit windows are reset on change).
* ``/_sandbox/webhooks`` … — webhook delivery settings and test controls (see
  :mod:`sandbox.hubspot.webhooks.routes_admin`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.faults import Fault, FaultSpecError
from sandbox.hubspot.errors import validation_error
from sandbox.hubspot.mutate import MutateSpecError, mutate
from sandbox.hubspot.params import json_body
from sandbox.hubspot.responses import json_response
from sandbox.hubspot.state import HubSpotState
from sandbox.hubspot.world import HubSpotWorld


def add_admin_routes(router: APIRouter, state: HubSpotState) -> None:
    """The ``/_sandbox`` control surface."""

    @router.post("/_sandbox/faults")
    async def add_fault(request: Request) -> Response:
        try:
            fault = Fault.from_dict(await json_body(request))
        except FaultSpecError as exc:
            raise validation_error(str(exc)) from None
        if fault.kind == "expire_tokens":
            return json_response({"kind": fault.kind, "expired": state.auth.expire_all()})
        state.faults.add(fault)
        return json_response(fault.as_dict(), 201)

    @router.get("/_sandbox/faults")
    async def list_faults() -> Response:
        return json_response({"results": [f.as_dict() for f in state.faults.pending()]})

    @router.delete("/_sandbox/faults")
    async def clear_faults() -> Response:
        state.faults.clear()
        return Response(status_code=204)

    @router.get("/_sandbox/stats")
    async def get_stats() -> Response:
        return json_response(state.stats.snapshot())

    @router.delete("/_sandbox/stats")
    async def reset_stats() -> Response:
        state.stats.reset()
        return Response(status_code=204)

    @router.post("/_sandbox/mutate")
    async def post_mutate(request: Request) -> Response:
        try:
            return json_response(mutate(state, await json_body(request)))
        except MutateSpecError as exc:
            raise validation_error(str(exc)) from None

    @router.get("/_sandbox/world")
    async def get_world() -> Response:
        return json_response(state.export_world().to_fixture())

    @router.put("/_sandbox/world")
    async def put_world(request: Request) -> Response:
        try:
            world = HubSpotWorld.from_json(await json_body(request))
            state.replace_world(world)
        except (ValueError, KeyError, TypeError) as exc:
            raise validation_error(f"Invalid world fixture: {exc}") from None
        counts = {t: len(state.store.tables[t]) for t in state.store.tables}
        return json_response({"loaded": counts})

    @router.get("/_sandbox/config")
    async def get_config() -> Response:
        return json_response(state.config.runtime_view())

    @router.post("/_sandbox/config")
    async def post_config(request: Request) -> Response:
        try:
            state.config.update(await json_body(request))
        except (TypeError, ValueError) as exc:
            raise validation_error(str(exc)) from None
        state.limiter.reset()
        return json_response(state.config.runtime_view())
