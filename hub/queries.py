"""Read-side queries for the API and CLI: status, runs, dead letters, counts (golden records: ``hub.records``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, desc, func, select

from hub.db.schema import (
    dead_letters,
    golden_records,
    inbox_events,
    ledger_entries,
    source_records,
    stream_leases,
    stream_state,
    sync_runs,
)
from hub.sync import deletes


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def run_row(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "connector_id": row.connector_id,
        "stream": row.stream,
        "mode": row.mode,
        "trigger": row.trigger,
        "status": row.status,
        "started_at": _iso(row.started_at),
        "finished_at": _iso(row.finished_at),
        "pages": row.pages,
        "records_seen": row.records_seen,
        "records_changed": row.records_changed,
        "dead_letters": row.dead_letters,
        "cursor_before": row.cursor_before,
        "cursor_after": row.cursor_after,
        "error": row.error,
    }


def list_runs(
    conn: Connection,
    *,
    connector_id: str | None = None,
    stream: str | None = None,
    status: str | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    query = select(sync_runs).order_by(desc(sync_runs.c.started_at)).limit(limit)
    if connector_id:
        query = query.where(sync_runs.c.connector_id == connector_id)
    if stream:
        query = query.where(sync_runs.c.stream == stream)
    if status:
        query = query.where(sync_runs.c.status == status)
    return [run_row(row) for row in conn.execute(query)]


def stream_status(conn: Connection, connector_id: str, stream: str, now: datetime | None = None) -> dict[str, Any]:
    """State, last run, counters, cursor, lag and last error of one stream."""
    now = now or datetime.now(UTC)
    state = conn.execute(
        select(stream_state).where(stream_state.c.connector_id == connector_id, stream_state.c.stream == stream)
    ).first()
    last = conn.execute(
        select(sync_runs)
        .where(sync_runs.c.connector_id == connector_id, sync_runs.c.stream == stream)
        .order_by(desc(sync_runs.c.started_at))
        .limit(1)
    ).first()
    failed = conn.execute(
        select(sync_runs.c.error, sync_runs.c.finished_at)
        .where(sync_runs.c.connector_id == connector_id, sync_runs.c.stream == stream, sync_runs.c.status == "failed")
        .order_by(desc(sync_runs.c.started_at))
        .limit(1)
    ).first()
    held = conn.execute(
        select(stream_leases).where(
            stream_leases.c.connector_id == connector_id,
            stream_leases.c.stream == stream,
            stream_leases.c.expires_at >= now,
        )
    ).first()
    cursor = state.cursor if state else None
    lag = None
    if cursor:
        try:
            lag = max(0.0, (now - datetime.fromisoformat(cursor)).total_seconds())
        except ValueError:
            lag = None
    paused = state.paused_until if state is not None else None
    reason = None
    if paused is not None:  # set from the pause until the resumed run commits a page
        reason = conn.execute(
            select(sync_runs.c.error)
            .where(
                sync_runs.c.connector_id == connector_id, sync_runs.c.stream == stream, sync_runs.c.status == "paused"
            )
            .order_by(desc(sync_runs.c.started_at))
            .limit(1)
        ).scalar()
    holds = deletes.held(conn, connector_id, stream)
    if held:
        phase = "running"
    elif paused is not None and paused > now:
        phase = "paused"
    elif paused is not None:
        phase = "resuming"  # the pause is over; the scheduler's one-off resume is due
    elif holds:
        phase = "held"  # a complete read's deletes wait for an operator (hub deletes confirm)
    elif last is None:
        phase = "never_run"
    elif last.status == "failed":
        phase = "failed"
    elif state is not None and state.resume is not None:
        phase = "interrupted"
    else:
        phase = "idle"
    return {
        "stream": stream,
        "state": phase,
        "cursor": cursor,
        "lag_seconds": lag,
        "resumable": bool(state is not None and state.resume),
        "last_full_sync_at": _iso(state.last_full_sync_at) if state else None,
        "paused_until": _iso(paused),
        "pause_reason": reason,
        "held_deletes": holds,
        "last_run": run_row(last) if last else None,
        "records_seen": last.records_seen if last else 0,
        "records_changed": last.records_changed if last else 0,
        "last_error": failed.error if failed else None,
        "last_error_at": _iso(failed.finished_at) if failed else None,
    }


def list_dead_letters(
    conn: Connection,
    *,
    connector_id: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    query = select(dead_letters).order_by(desc(dead_letters.c.id)).limit(limit).offset(offset)
    if connector_id:
        query = query.where(dead_letters.c.source_instance == connector_id)
    if status:
        query = query.where(dead_letters.c.status == status)
    return [
        {
            "id": row.id,
            "created_at": _iso(row.created_at),
            "system": row.source_system,
            "instance": row.source_instance,
            "object": row.source_object,
            "external_id": row.external_id,
            "stage": row.stage,
            "reason": row.reason,
            "field": row.field,
            "run_id": row.run_id,
            "status": row.status,
            "raw": row.raw,
        }
        for row in conn.execute(query)
    ]


def counts(conn: Connection) -> dict[str, int]:
    """Totals for reports: ledger entries, golden records by type, open dead letters."""
    out = {
        "ledger_entries": conn.execute(select(func.count()).select_from(ledger_entries)).scalar_one(),
        "source_records": conn.execute(select(func.count()).select_from(source_records)).scalar_one(),
        "dead_letters": conn.execute(
            select(func.count()).select_from(dead_letters).where(dead_letters.c.status == "open")
        ).scalar_one(),
    }
    for entity_type, n in conn.execute(
        select(golden_records.c.entity_type, func.count()).group_by(golden_records.c.entity_type)
    ):
        out[f"golden_{entity_type}"] = n
    out["golden_records"] = sum(v for k, v in out.items() if k.startswith("golden_"))
    return out


def webhook_status(conn: Connection, connector_id: str, now: datetime | None = None) -> dict[str, Any]:
    """The webhook path of a connector: events by state, last received, age of the oldest pending."""
    now = now or datetime.now(UTC)
    by_state: dict[str, int] = dict(
        conn.execute(
            select(inbox_events.c.state, func.count())
            .where(inbox_events.c.connector_id == connector_id)
            .group_by(inbox_events.c.state)
        ).all()
    )
    last = conn.execute(
        select(func.max(inbox_events.c.received_at)).where(inbox_events.c.connector_id == connector_id)
    ).scalar()
    oldest = conn.execute(
        select(func.min(inbox_events.c.received_at)).where(
            inbox_events.c.connector_id == connector_id, inbox_events.c.state.in_(["pending", "processing"])
        )
    ).scalar()
    return {
        "events": {state: int(by_state.get(state, 0)) for state in ("pending", "processing", "applied", "dead")},
        "last_received_at": _iso(last),
        "oldest_pending_seconds": (now - oldest).total_seconds() if oldest else None,
    }
