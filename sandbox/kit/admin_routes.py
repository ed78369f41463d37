"""The ``/_sandbox/`` control endpoints every simulator shares.

:func:`add_common_admin_routes` registers

* ``POST /_sandbox/faults`` — queue a fault (201 with the fault); an ``expire_tokens`` fault is
  applied at once instead (200 ``{"kind", "expired"}``).  ``GET`` lists pending faults
  (``{"results": [...]}``); ``DELETE`` clears them (204).
* ``GET /_sandbox/stats`` — request counts; ``DELETE`` resets them (204).
* ``POST /_sandbox/mutate`` — the system's deterministic mutate operation.
* ``GET /_sandbox/world`` — the current data as fixture JSON; ``PUT`` replaces it and answers
  ``{"loaded": <counts>}``.

The system-specific parts (error factory, body reader, JSON response helper, token expiry, mutate,
world import/export) are passed in, so each system's answers keep their own shape.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.kit.faults import Fault, FaultQueue, FaultSpecError
from sandbox.kit.stats import RequestStats

WORLD_ERRORS: tuple[type[Exception], ...] = (ValueError, KeyError, TypeError)


class Respond(Protocol):
    """A system's JSON response helper (``json_response(body, status_code=200)``)."""

    def __call__(self, body: Any, status_code: int = 200) -> Response: ...


def add_common_admin_routes(
    router: APIRouter,
    *,
    faults: FaultQueue,
    stats: RequestStats,
    read_body: Callable[[Request], Awaitable[dict[str, Any]]],
    respond: Respond,
    error: Callable[[str], Exception],
    expire_tokens: Callable[[], int],
    mutate: Callable[[dict[str, Any]], Any],
    mutate_error: type[Exception],
    export_world: Callable[[], Any],
    import_world: Callable[[dict[str, Any]], Any],
    world_errors: tuple[type[Exception], ...] = WORLD_ERRORS,
) -> None:
    """Register the shared faults / stats / mutate / world endpoints on ``router``.

    ``read_body`` reads an admin request's JSON object; ``error(message)`` builds the system's 400
    exception (raised for a bad fault spec, a ``mutate_error`` from ``mutate`` and a ``world_errors``
    exception from ``import_world``).  ``expire_tokens`` expires every live token and returns how
    many it expired; ``export_world`` returns the fixture document; ``import_world`` replaces the
    data with the given fixture and returns the loaded counts.
    """

    @router.post("/_sandbox/faults")
    async def add_fault(request: Request) -> Response:
        try:
            fault = Fault.from_dict(await read_body(request))
        except FaultSpecError as exc:
            raise error(str(exc)) from None
        if fault.kind == "expire_tokens":
            return respond({"kind": fault.kind, "expired": expire_tokens()})
        faults.add(fault)
        return respond(fault.as_dict(), 201)

    @router.get("/_sandbox/faults")
    async def list_faults() -> Response:
        return respond({"results": [f.as_dict() for f in faults.pending()]})

    @router.delete("/_sandbox/faults")
    async def clear_faults() -> Response:
        faults.clear()
        return Response(status_code=204)

    @router.get("/_sandbox/stats")
    async def get_stats() -> Response:
        return respond(stats.snapshot())

    @router.delete("/_sandbox/stats")
    async def reset_stats() -> Response:
        stats.reset()
        return Response(status_code=204)

    @router.post("/_sandbox/mutate")
    async def post_mutate(request: Request) -> Response:
        try:
            return respond(mutate(await read_body(request)))
        except mutate_error as exc:
            raise error(str(exc)) from None

    @router.get("/_sandbox/world")
    async def get_world() -> Response:
        return respond(export_world())

    @router.put("/_sandbox/world")
    async def put_world(request: Request) -> Response:
        try:
            loaded = import_world(await read_body(request))
        except world_errors as exc:
            raise error(f"Invalid world fixture: {exc}") from None
        return respond({"loaded": loaded})
