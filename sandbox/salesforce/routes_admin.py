"""Test-control endpoints under ``/_sandbox/`` (header ``X-Sandbox-Admin: <admin token>``).

Faults, stats, mutate and world are the shared endpoints of :mod:`sandbox.kit.admin_routes`.

* ``POST /_sandbox/faults`` — queue a fault (:mod:`sandbox.kit.faults`; ``rate_limit`` answers 403
  ``REQUEST_LIMIT_EXCEEDED``, Salesforce has no 429); ``expire_tokens`` expires every issued session
  at once.  ``GET`` lists, ``DELETE`` clears.
* ``GET /_sandbox/stats`` — request counts per (method, route template, status); ``DELETE`` resets.
* ``POST /_sandbox/mutate`` — deterministic updates/creations/deletions/conversions (:mod:`.mutate`).
* ``GET /_sandbox/world`` — fixture JSON of the current data; ``PUT`` replaces it.
* ``GET /_sandbox/config`` / ``POST /_sandbox/config`` — ``session_ttl``, ``daily_api_limit``,
  ``replication_id_limit``, ``query_locator_limit``, ``rotate_refresh_tokens``, ``features``
  (``{"multicurrency": false, "partner": false}``: run as an org without them, :mod:`.features`);
  ``{"api_usage": N}`` sets today's count.
* ``GET /_sandbox/usage`` — API usage; ``DELETE`` resets it to 0.
* ``POST /_sandbox/clock`` — ``{"advance_s": 120}``: move the simulated clock forward (timestamps,
  session expiry, getUpdated/getDeleted windows, the quota day); answers ``{"now": ...}``.
* ``POST /_sandbox/recycle-bin/purge`` — physically remove deleted records.
* ``/_sandbox/salesforce/outbound`` ... — outbound messages (:mod:`.routes_outbound`).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.kit.admin_routes import add_common_admin_routes
from sandbox.salesforce.errors import SalesforceError
from sandbox.salesforce.httpio import admin_body, json_response
from sandbox.salesforce.mutate import MutateSpecError, mutate
from sandbox.salesforce.replication import purge_recycle_bin
from sandbox.salesforce.state import SalesforceState
from sandbox.salesforce.values import format_datetime
from sandbox.salesforce.world import SalesforceWorld


def invalid(message: str) -> SalesforceError:
    """400 for a bad admin request."""
    return SalesforceError(400, "INVALID_INPUT", message)


def add_admin_routes(router: APIRouter, state: SalesforceState) -> None:
    """Register the ``/_sandbox`` control surface."""

    async def body_of(request: Request) -> dict[str, object]:
        try:
            return await admin_body(request)
        except ValueError as exc:
            raise invalid(str(exc)) from None

    def import_world(body: dict[str, Any]) -> dict[str, int]:
        state.replace_world(SalesforceWorld.from_json(body))
        return state.store.counts()

    add_common_admin_routes(
        router,
        faults=state.faults,
        stats=state.stats,
        read_body=body_of,
        respond=json_response,
        error=invalid,
        expire_tokens=state.auth.expire_all,
        mutate=partial(mutate, state),
        mutate_error=MutateSpecError,
        export_world=lambda: state.export_world().to_fixture(),
        import_world=import_world,
    )

    @router.get("/_sandbox/config")
    async def get_config() -> Response:
        return json_response(state.describe_runtime())

    @router.post("/_sandbox/config")
    async def post_config(request: Request) -> Response:
        body = dict(await body_of(request))
        usage = body.pop("api_usage", None)
        try:
            state.config.update(body)
        except ValueError as exc:
            raise invalid(str(exc)) from None
        if usage is not None:
            if isinstance(usage, bool) or not isinstance(usage, int):
                raise invalid("'api_usage' must be an integer")
            state.quota.reset(usage)
        state.queries.locator_limit = state.config.query_locator_limit
        state.apply_features()
        return json_response(state.describe_runtime())

    @router.get("/_sandbox/usage")
    async def get_usage() -> Response:
        return json_response(state.quota.view())

    @router.delete("/_sandbox/usage")
    async def reset_usage() -> Response:
        state.quota.reset()
        return json_response(state.quota.view())

    @router.post("/_sandbox/clock")
    async def advance_clock(request: Request) -> Response:
        seconds = (await body_of(request)).get("advance_s", 0)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise invalid("'advance_s' must be a non-negative number")
        state.clock.advance_past(state.clock.now_ms() + int(seconds * 1000))
        return json_response({"now": format_datetime(state.clock.now_ms())})

    @router.post("/_sandbox/recycle-bin/purge")
    async def purge() -> Response:
        return json_response({"purged": purge_recycle_bin(state)})
