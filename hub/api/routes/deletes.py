"""Deletes held by the mass-delete guard: list them, confirm or reject them (ADR 22)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from hub import deletes
from hub.api.deps import Admin, HubDep
from hub.api.errors import ApiError
from hub.connector_store import NotFound
from hub.context import Hub

router = APIRouter(prefix="/api/v1/connectors", tags=["deletes"], dependencies=[Admin])


class DeleteDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: str = Field(default="operator", min_length=1, max_length=200, description="Who decides (kept in the ledger).")
    hold_id: str | None = Field(default=None, max_length=36, description="The hold to decide (default: the newest).")


def _missing(exc: Exception) -> ApiError:
    message = exc.args[0] if exc.args else str(exc)
    return ApiError(404, str(message))


@router.get("/{connector_id}/deletes")
def list_holds(
    connector_id: str,
    hub: HubDep,
    all: Annotated[bool, Query(description="Decided holds too, newest first.")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """Deletes held for an operator's decision (``all``: every hold with its decision)."""
    try:
        items = deletes.history(hub, connector_id, limit) if all else deletes.held(hub, connector_id)
    except NotFound as exc:
        raise _missing(exc) from None
    return {"holds": items}


async def _decide(
    decide: Callable[[Hub, str, str, str, str | None], dict[str, Any]],
    hub: Hub,
    connector_id: str,
    stream: str,
    body: DeleteDecision | None,
) -> dict[str, Any]:
    """Confirm or reject (``decide``) a stream's held deletes; 404 for an unknown connector, stream or hold."""
    decision = body or DeleteDecision()
    try:
        return await run_in_threadpool(decide, hub, connector_id, stream, decision.by, decision.hold_id)
    except (NotFound, deletes.HoldNotFound) as exc:
        raise _missing(exc) from None


@router.post("/{connector_id}/streams/{stream}/deletes/confirm")
async def confirm(connector_id: str, stream: str, hub: HubDep, body: DeleteDecision | None = None) -> dict[str, Any]:
    """Tombstone exactly the held set of the stream; 404 when nothing is held."""
    return await _decide(deletes.confirm, hub, connector_id, stream, body)


@router.post("/{connector_id}/streams/{stream}/deletes/reject")
async def reject(connector_id: str, stream: str, hub: HubDep, body: DeleteDecision | None = None) -> dict[str, Any]:
    """Discard the held set of the stream: nothing is tombstoned; 404 when nothing is held."""
    return await _decide(deletes.reject, hub, connector_id, stream, body)
