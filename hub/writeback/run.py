"""On-demand write-back of one connector's object (``POST /connectors/{id}/writeback``, ``hub writeback``).

A dry run reports, before anything is written, what the object's records need: ``changed`` (writes
that would be pushed: new, or waiting in the outbox), ``invalid`` (a write that cannot be addressed:
no key), ``rejected`` (the same write the upstream already refused; held until the value changes or
``retry_rejected``), plus those in flight or sent and awaiting their echo. A real run first tops the
outbox up (a record synced before the outbox existed, a policy changed) in one transaction, then
dispatches the object's rows at once (failed ones included, whatever their backoff).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from hub.db.schema import source_records, write_log
from hub.writeback.dispatch import dispatch
from hub.writeback.outbox import enqueue_object, plan_object
from hub.writeback.targets import target

if TYPE_CHECKING:
    from hub.context import Hub


class WritebackError(ValueError):
    """The object cannot be written back (no write rule, or the connector offers no write)."""


@dataclass
class WritebackReport:
    connector_id: str
    object: str
    examined: int = 0
    planned: int = 0  # = changed: the writes this run pushes (or would push)
    written: int = 0  # = sent
    failed: int = 0  # rejected + failed
    dry_run: bool = False
    changed: int = 0
    invalid: int = 0
    rejected: int = 0
    unchanged: int = 0
    retrying: int = 0  # failed transiently: retried on the next run
    in_flight: int = 0
    awaiting_echo: int = 0
    paused_until: str | None = None  # the connector's quota is spent: nothing was pushed
    sample: list[dict[str, Any]] = field(default_factory=list)


def writeback(
    hub: Hub,
    connector_id: str,
    object_name: str,
    *,
    dry_run: bool = False,
    limit: int | None = None,
    retry_rejected: bool = False,
) -> WritebackReport:
    """Report (``dry_run``) or perform the write-back of one object of one connector."""
    kind = hub.store.kind_of(connector_id)
    mapping = hub.mappers.get(kind).spec.objects.get(object_name)
    if mapping is None or mapping.write is None or target(kind, object_name) is None:
        raise WritebackError(f"mappings/{kind}.yaml declares no write-back for {object_name!r}")
    report = WritebackReport(connector_id=connector_id, object=object_name, dry_run=dry_run)
    with hub.reader.connect() as conn:
        planned = list(plan_object(conn, connector_id, object_name, retry_rejected=retry_rejected))
        report.examined = conn.execute(
            select(func.count())
            .select_from(source_records)
            .where(source_records.c.source_instance == connector_id, source_records.c.source_object == object_name)
        ).scalar_one()
    actions = Counter(p.action for p in planned)
    report.changed = actions["new"] + actions["waiting"]
    report.invalid = actions["invalid"]
    report.rejected = actions["rejected"]
    report.in_flight = actions["in_flight"]
    report.awaiting_echo = actions["awaiting_echo"]
    if limit is not None:
        report.changed = min(report.changed, limit)
    report.planned = report.changed
    report.sample = [{"key": p.key, "properties": p.properties} for p in planned if p.action in ("new", "waiting")][:5]
    if dry_run or not report.changed:
        return report
    with hub.engine.begin() as conn:
        enqueue_object(conn, connector_id, object_name, datetime.now(UTC), retry_rejected=retry_rejected)
    done = dispatch(hub, connector_id, object_name, due_only=False, limit=limit)
    report.written = done.sent
    report.unchanged = done.unchanged
    report.rejected = done.rejected
    report.retrying = done.failed
    report.failed = done.rejected + done.failed
    report.paused_until = done.paused_until.isoformat() if done.paused_until else None
    return report


def results(
    hub: Hub,
    connector_id: str,
    *,
    object_name: str | None = None,
    status: str | None = None,
    after: int | None = None,
    limit: int = 100,
) -> dict[str, Any]:
    """The per-row result log (newest first), paged by ``after`` (the last id of the previous page)."""
    query = select(write_log).where(write_log.c.connector_id == connector_id)
    if object_name:
        query = query.where(write_log.c.source_object == object_name)
    if status:
        query = query.where(write_log.c.status == status)
    if after is not None:
        query = query.where(write_log.c.id < after)
    with hub.reader.connect() as conn:
        rows = conn.execute(query.order_by(write_log.c.id.desc()).limit(limit + 1)).fetchall()
    items = [
        {
            "id": r.id, "at": r.created_at.isoformat(), "object": r.source_object, "external_id": r.external_id,
            "canonical_id": r.canonical_id, "status": r.status, "properties": r.properties, "error": r.error,
            "outbox_id": r.outbox_id, "idempotency_key": r.idempotency_key,
        }
        for r in rows[:limit]
    ]  # fmt: skip
    more = len(rows) > limit
    return {"items": items, "next_after": items[-1]["id"] if more and items else None}
