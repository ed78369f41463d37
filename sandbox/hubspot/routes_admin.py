"""Test-control endpoints under ``/_sandbox/`` (not part of HubSpot's API).

All require the header ``X-Sandbox-Admin: <admin token>`` (checked by the gateway).  Faults, stats,
mutate and world are the shared endpoints of :mod:`sandbox.kit.admin_routes`.

* ``POST /_sandbox/faults`` — queue a fault (see :mod:`sandbox.kit.faults`); ``GET`` lists pending
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

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.hubspot.errors import validation_error
from sandbox.hubspot.mutate import MutateSpecError, mutate
from sandbox.hubspot.params import json_body
from sandbox.hubspot.responses import json_response
from sandbox.hubspot.state import HubSpotState
from sandbox.hubspot.world import HubSpotWorld
from sandbox.kit.admin_routes import add_common_admin_routes


def add_admin_routes(router: APIRouter, state: HubSpotState) -> None:
    """The ``/_sandbox`` control surface."""

    def import_world(body: dict[str, Any]) -> dict[str, int]:
        state.replace_world(HubSpotWorld.from_json(body))
        return {t: len(state.store.tables[t]) for t in state.store.tables}

    add_common_admin_routes(
        router,
        faults=state.faults,
        stats=state.stats,
        read_body=json_body,
        respond=json_response,
        error=validation_error,
        expire_tokens=state.auth.expire_all,
        mutate=partial(mutate, state),
        mutate_error=MutateSpecError,
        export_world=lambda: state.export_world().to_fixture(),
        import_world=import_world,
    )

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
