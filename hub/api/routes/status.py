"""Sync status per connector and stream, run history, and dead letters."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from hub.api.deps import MAX_OFFSET, Admin, HubDep, SchedulerDep
from hub.queries import list_dead_letters, list_runs, stream_status, webhook_status

router = APIRouter(prefix="/api/v1", tags=["status"], dependencies=[Admin])


@router.get("/status")
def status(hub: HubDep, scheduler: SchedulerDep) -> dict[str, Any]:
    """For every connector and stream: state, last run, records seen/changed, cursor, lag, next run, last error;
    and the webhook path beside the scheduled one: inbox events by state, last received, oldest pending."""
    connectors = []
    with hub.reader.connect() as conn:
        for connector in hub.store.list():
            streams = []
            for stream in connector.streams:
                item = stream_status(conn, connector.id, stream)
                next_run = scheduler.next_run(connector.id, stream) if scheduler else None
                item["next_run"] = next_run.isoformat() if next_run else None
                streams.append(item)
            connectors.append(
                {
                    "id": connector.id,
                    "kind": connector.kind,
                    "enabled": connector.enabled,
                    "error": connector.error,
                    "streams": streams,
                    "webhooks": webhook_status(conn, connector.id),
                }
            )
    return {"connectors": connectors}


@router.get("/runs")
def runs(
    hub: HubDep,
    connector_id: str | None = None,
    stream: str | None = None,
    status: Literal["running", "succeeded", "failed", "interrupted", "paused", "cancelled"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    with hub.reader.connect() as conn:
        return {"runs": list_runs(conn, connector_id=connector_id, stream=stream, status=status, limit=limit)}


@router.get("/dead-letters")
def dead_letters(
    hub: HubDep,
    connector_id: str | None = None,
    status: Literal["open", "replayed", "resolved"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    with hub.reader.connect() as conn:
        items = list_dead_letters(conn, connector_id=connector_id, status=status, limit=limit, offset=offset)
    return {"dead_letters": items}
