"""The webhook inbox seen from the API: list events with their state, replay one or many."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import desc, func, select

from hub.api.deps import MAX_OFFSET, Admin, HubDep
from hub.api.errors import ApiError
from hub.db.schema import inbox_events
from hub.inbound import INBOX

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"], dependencies=[Admin])
State = Literal["pending", "processing", "applied", "dead"]
#: the largest event id accepted: 2^53 - 1, so the bound survives a JSON number read as a double (the
#: OpenAPI document's 2^63 - 1 did not: clients generated 2^63 + 191 as "valid")
MAX_ID = 2**53 - 1
EventId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _event(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "connector_id": row.connector_id,
        "event_key": row.event_key,
        "delivery_id": row.delivery_id,
        "received_at": row.received_at.isoformat(),
        "object": row.source_object,
        "external_id": row.external_id,
        "action": row.action,
        "occurred_at": row.occurred_at.isoformat() if row.occurred_at else None,
        "state": row.state,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at.isoformat() if row.state == "pending" else None,
        "last_error": row.last_error,
        "applied_at": row.applied_at.isoformat() if row.applied_at else None,
        "changed": row.changed,
        "payload": row.payload,
    }


@router.get("/events")
def list_events(
    hub: HubDep,
    connector_id: str | None = None,
    state: State | None = None,
    object: Annotated[str | None, Query(max_length=100)] = None,
    external_id: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    """Inbox events, newest first, filtered by connector, state, object or record."""
    where = []
    if connector_id:
        where.append(inbox_events.c.connector_id == connector_id)
    if state:
        where.append(inbox_events.c.state == state)
    if object:
        where.append(inbox_events.c.source_object == object)
    if external_id:
        where.append(inbox_events.c.external_id == external_id)
    with hub.reader.connect() as conn:
        total = conn.execute(select(func.count()).select_from(inbox_events).where(*where)).scalar_one()
        rows = conn.execute(
            select(inbox_events).where(*where).order_by(desc(inbox_events.c.id)).limit(limit).offset(offset)
        )
        return {"total": total, "events": [_event(r) for r in rows]}


@router.get("/events/{event_id}")
def get_event(event_id: EventId, hub: HubDep) -> dict[str, Any]:
    with hub.reader.connect() as conn:
        row = conn.execute(select(inbox_events).where(inbox_events.c.id == event_id)).first()
    if row is None:
        raise ApiError(404, f"no inbox event {event_id}")
    return _event(row)


@router.post("/events/{event_id}/replay")
def replay_one(event_id: EventId, hub: HubDep) -> dict[str, Any]:
    """Queue one event again (attempts reset). 409 while a worker is processing it."""
    with hub.engine.begin() as conn:
        row = conn.execute(select(inbox_events.c.state).where(inbox_events.c.id == event_id)).first()
        if row is None:
            raise ApiError(404, f"no inbox event {event_id}")
        if row.state == "processing":
            raise ApiError(409, f"event {event_id} is being processed")
        INBOX.replay(conn, [event_id], datetime.now(UTC))
    return {"replayed": 1}


class BulkReplay(BaseModel):
    model_config = ConfigDict(extra="forbid")

    connector_id: str | None = None
    state: Literal["dead", "applied"] = "dead"
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(default=None, max_length=10_000)
    limit: int = Field(default=1000, ge=1, le=10_000)


@router.post("/events/replay")
def replay_many(body: BulkReplay, hub: HubDep) -> dict[str, Any]:
    """Queue many events again: by ids, or every event in ``state`` (default: dead) of a connector."""
    query = select(inbox_events.c.id).where(inbox_events.c.state == body.state)
    if body.connector_id:
        query = query.where(inbox_events.c.connector_id == body.connector_id)
    if body.ids is not None:
        query = query.where(inbox_events.c.id.in_(body.ids))
    with hub.engine.begin() as conn:
        ids = [row.id for row in conn.execute(query.order_by(inbox_events.c.id).limit(body.limit))]
        count = INBOX.replay(conn, ids, datetime.now(UTC)) if ids else 0
    return {"replayed": count}
