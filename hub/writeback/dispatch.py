"""The outbox dispatcher: claims outbox rows, pushes them through ``Connector.write``, settles them.

One pass (``dispatch``) per connector: while rows are due, claim a batch (one row per record, the
oldest), push it with each row's idempotency key, and settle every row in one transaction, with one
``write_log`` row per attempt: ``sent``, ``unchanged`` (the upstream already held the values),
``rejected`` (the upstream refused the record: dead-lettered with its message, not retried until
the value changes or an operator asks) or ``failed`` (a transient failure: retried with backoff on a
later pass; an on-demand pass retries at once).

Crash safety. A claim is a lease (``claimed_by`` host:pid, ``claim_expires_at``); a row claimed by a
process that died is claimed again at once (its pid is gone) or after expiry. A row that was claimed
before (``attempts`` > 1) may have been pushed by the attempt that died after the push and before
settling: before pushing it again the dispatcher re-reads the record upstream (``Connector.fetch``)
and settles it ``unchanged`` when the upstream already holds every value, so a write is pushed once.

A connector whose quota is spent (``stream_state.paused_until`` of any of its streams, or a 429 on
the write) is not pushed to until the pause ends; its rows wait.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, and_, bindparam, insert, or_, select, update
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

from connectors.sdk import Connector, RateLimited, TransientError, UpstreamError, WriteRecord, WriteResult, dotted
from hub.db.schema import dead_letters, outbox, stream_state, write_log
from hub.sync.lease import owner_is_dead
from hub.writeback.outbox import WAITING
from hub.writeback.targets import Target, target

if TYPE_CHECKING:
    from hub.context import Hub

log = logging.getLogger(__name__)

CLAIM_SECONDS = 120.0
RETRY_BASE_SECONDS = 30.0
RETRY_MAX_SECONDS = 3600.0
#: test hook: ``HUB_WRITEBACK_CRASH_AT=before_push|after_push`` SIGKILLs the process at that point
CRASH_ENV = "HUB_WRITEBACK_CRASH_AT"


@dataclass
class DispatchReport:
    connector_id: str
    claimed: int = 0
    sent: int = 0
    unchanged: int = 0
    rejected: int = 0
    failed: int = 0
    batches: int = 0
    paused_until: datetime | None = None
    latencies: list[float] = field(default_factory=list)  # seconds per pushed batch

    def add(self, other: DispatchReport) -> None:
        for name in ("claimed", "sent", "unchanged", "rejected", "failed", "batches"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.latencies.extend(other.latencies)
        self.paused_until = self.paused_until or other.paused_until


def _crash_point(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def owner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def paused_until(conn: Connection, connector_id: str, now: datetime) -> datetime | None:
    until = conn.execute(
        select(stream_state.c.paused_until).where(
            stream_state.c.connector_id == connector_id, stream_state.c.paused_until > now
        )
    ).scalars()
    return max(until, default=None)


def claim(
    conn: Connection,
    connector_id: str,
    object_name: str,
    now: datetime,
    *,
    batch: int,
    due_only: bool,
    owner: str,
    after: int = 0,
    tried: set[int] | None = None,
) -> list[Any]:
    """Claim up to ``batch`` rows of one object (one per record, the oldest), from id ``after`` on:
    waiting ones (due, unless ``due_only`` is false) and in-flight ones whose claimer died or whose
    claim expired. ``tried`` are rows this pass already attempted (not claimed twice in one pass)."""
    waiting: ColumnElement[bool] = outbox.c.state.in_(WAITING)
    if due_only:
        waiting = and_(waiting, outbox.c.next_attempt_at <= now)
    chosen: list[int] = []
    stale: list[str] = []
    busy: set[str] = set()
    cursor = after
    while len(chosen) < batch:
        candidates = conn.execute(
            select(outbox.c.id, outbox.c.external_id, outbox.c.state, outbox.c.claimed_by, outbox.c.claim_token,
                   outbox.c.claim_expires_at)
            .where(outbox.c.connector_id == connector_id, outbox.c.source_object == object_name,
                   outbox.c.id > cursor, or_(waiting, outbox.c.state == "in_flight"))
            .order_by(outbox.c.id)
            .limit(batch * 2)
        ).fetchall()  # fmt: skip
        if not candidates:
            break
        cursor = candidates[-1].id
        for row in candidates:
            if (tried and row.id in tried) or row.external_id in busy:
                continue
            busy.add(row.external_id)  # one row per record per batch: the oldest
            if row.state == "in_flight":
                if row.claim_expires_at >= now and not owner_is_dead(row.claimed_by or ""):
                    continue
                stale.append(row.claim_token)
            chosen.append(row.id)
            if len(chosen) >= batch:
                break
    if not chosen:
        return []
    token = str(uuid.uuid4())
    takeable: ColumnElement[bool] = outbox.c.state.in_(WAITING)
    if stale:
        takeable = or_(takeable, and_(outbox.c.state == "in_flight", outbox.c.claim_token.in_(stale)))
    conn.execute(
        update(outbox)
        .where(outbox.c.id.in_(chosen), takeable)
        .values(state="in_flight", claimed_by=owner, claim_token=token, attempts=outbox.c.attempts + 1,
                claim_expires_at=now + timedelta(seconds=CLAIM_SECONDS))
    )  # fmt: skip
    claimed = select(outbox).where(outbox.c.id.in_(chosen), outbox.c.claim_token == token).order_by(outbox.c.id)
    return list(conn.execute(claimed))


def _holds(tgt: Target, raw: dict[str, Any], properties: dict[str, Any]) -> bool:
    return all(
        str(dotted(raw, tgt.rule.current.format(property=prop))) == str(value) for prop, value in properties.items()
    )


def _verify(
    connector: Connector, tgt: Target, rows: list[Any], ident: Callable[[dict[str, Any]], str | None]
) -> set[int]:
    """Rows an earlier attempt may have pushed, whose values the upstream already holds."""
    again = [r for r in rows if r.attempts > 1]
    if not again:
        return set()
    try:
        raws = connector.fetch(tgt.object, [r.external_id for r in again])
    except (NotImplementedError, UpstreamError) as exc:
        log.warning("cannot re-read %s before retrying: %s", tgt.object, exc)
        return set()
    current = {ident(raw): raw for raw in raws}
    return {r.id for r in again if r.external_id in current and _holds(tgt, current[r.external_id], r.properties)}


def _transient(exc: BaseException) -> bool:
    return isinstance(exc, TransientError) and not isinstance(exc, RateLimited)


def _push(connector: Connector, tgt: Target, records: list[WriteRecord]) -> list[WriteResult]:
    @retry(
        retry=retry_if_exception(_transient),
        stop=stop_after_attempt(3),
        wait=wait_exponential(multiplier=0.2, max=2),
        reraise=True,
    )
    def call() -> list[WriteResult]:
        return connector.write(tgt.object, records, id_property=tgt.rule.id_property)

    return call()


def _record(tgt: Target, row: Any) -> WriteRecord:
    return WriteRecord(
        key=row.key,
        properties=dict(row.properties),
        external_id=row.external_id if tgt.rule.key == "$external_id" else None,
        # the cluster's hub-id holder in this object, decided when the write was planned (outbox.holders)
        hub_id=row.canonical_id if row.stamp_hub_id else None,
        idempotency_key=row.idempotency_key,
    )


def _is_transient_result(result: WriteResult) -> bool:
    status = result.details.get("status") if result.details else None
    return isinstance(status, int) and (status == 429 or status >= 500)


def _settle(conn: Connection, hub_kind: str, tgt: Target, outcomes: list[tuple[Any, str, str | None, str | None]],
            now: datetime) -> None:  # fmt: skip
    """Record each row's outcome: (row, status, error, upstream id); failed rows are due again later."""
    updates, logs, dead = [], [], []
    for row, status, error, upstream_id in outcomes:
        delay = min(RETRY_BASE_SECONDS * 2 ** max(0, row.attempts - 1), RETRY_MAX_SECONDS)
        updates.append({
            "row_id": row.id, "token": row.claim_token, "new_state": status, "error": error,
            "settled": None if status == "failed" else now, "due": now + timedelta(seconds=delay),
        })  # fmt: skip
        logs.append({
            "created_at": now, "connector_id": row.connector_id, "source_object": row.source_object,
            "external_id": upstream_id or row.external_id, "canonical_id": row.canonical_id,
            "properties": row.properties, "status": status, "error": error, "golden_entry_id": row.golden_entry_id,
            "outbox_id": row.id, "idempotency_key": row.idempotency_key,
        })  # fmt: skip
        if status == "rejected":
            dead.append({
                "created_at": now, "source_system": hub_kind, "source_instance": row.connector_id,
                "source_object": row.source_object, "external_id": row.external_id, "stage": "write",
                "reason": error or "rejected by the upstream", "field": None,
                "raw": {"id_property": tgt.rule.id_property, "key": row.key, "properties": row.properties,
                        "outbox_id": row.id},
                "status": "open",
            })  # fmt: skip
    conn.execute(
        update(outbox)
        .where(outbox.c.id == bindparam("row_id"), outbox.c.claim_token == bindparam("token"))
        .values(state=bindparam("new_state"), last_error=bindparam("error"), settled_at=bindparam("settled"),
                next_attempt_at=bindparam("due"), claim_token=None, claimed_by=None, claim_expires_at=None),
        updates,
    )  # fmt: skip
    conn.execute(insert(write_log), logs)
    if dead:
        conn.execute(insert(dead_letters), dead)


def _one_batch(hub: Hub, connector: Connector, kind: str, tgt: Target, rows: list[Any],
               report: DispatchReport) -> None:  # fmt: skip
    report.claimed += len(rows)
    mapper = hub.mappers.get(kind)
    held = _verify(connector, tgt, rows, lambda raw: mapper.external_id(tgt.object, raw))
    outcomes: list[tuple[Any, str, str | None, str | None]] = [(r, "unchanged", None, None) for r in rows
                                                                if r.id in held]  # fmt: skip
    todo = [r for r in rows if r.id not in held]
    if todo:
        _crash_point("before_push")
        started = time.perf_counter()
        results: list[WriteResult] | None = None
        try:
            results = _push(connector, tgt, [_record(tgt, r) for r in todo])
        except RateLimited as exc:
            wait = exc.retry_after or RETRY_BASE_SECONDS
            report.paused_until = datetime.now(UTC) + timedelta(seconds=wait)
            outcomes.extend((r, "failed", f"rate limited: retry after {wait:.0f} s", None) for r in todo)
        except UpstreamError as exc:  # the whole call failed (transport, 5xx after retries, auth)
            outcomes.extend((r, "failed", str(exc), None) for r in todo)
        report.latencies.append(time.perf_counter() - started)
        report.batches += 1
        _crash_point("after_push")
        for row, result in zip(todo, results or [], strict=results is not None):
            if result.ok:
                outcomes.append((row, "sent", None, result.external_id))
            elif _is_transient_result(result):
                outcomes.append((row, "failed", result.error, None))
            else:
                outcomes.append((row, "rejected", result.error or "rejected by the upstream", None))
    with hub.engine.begin() as conn:
        _settle(conn, kind, tgt, outcomes, datetime.now(UTC))
    for _row, status, _e, _u in outcomes:
        setattr(report, status, getattr(report, status) + 1)


def dispatch(
    hub: Hub,
    connector_id: str,
    object_name: str | None = None,
    *,
    due_only: bool = True,
    limit: int | None = None,
    batch: int = 100,
) -> DispatchReport:
    """Push the due outbox rows of one connector (one object, or all); see the module docstring."""
    report = DispatchReport(connector_id)
    kind = hub.store.kind_of(connector_id)
    owner = owner_name()
    now = datetime.now(UTC)
    with hub.engine.connect() as conn:
        report.paused_until = paused_until(conn, connector_id, now)
        objects = [object_name] if object_name else sorted(
            set(conn.execute(select(outbox.c.source_object).where(outbox.c.connector_id == connector_id,
                                                                  outbox.c.state.in_((*WAITING, "in_flight"))))
                .scalars())
        )  # fmt: skip
    if report.paused_until is not None:
        return report
    connector: Connector | None = None
    try:
        for name in objects:
            tgt = target(kind, name)
            if tgt is None:
                continue
            tried: set[int] = set()
            while limit is None or report.claimed < limit:
                size = batch if limit is None else min(batch, limit - report.claimed)
                with hub.engine.begin() as conn:
                    rows = claim(conn, connector_id, name, datetime.now(UTC), batch=size, due_only=due_only,
                                 owner=owner, tried=tried)  # fmt: skip
                if not rows:
                    break
                tried.update(r.id for r in rows)
                if connector is None:
                    connector = hub.store.build(connector_id)
                _one_batch(hub, connector, kind, tgt, rows, report)
                if report.paused_until is not None:
                    return report
    finally:
        if connector is not None:
            connector.close()
    return report


def dispatch_all(hub: Hub) -> DispatchReport:
    """One pass over every connector with due rows (``hub worker`` and the scheduler run it)."""
    total = DispatchReport("*")
    with hub.engine.connect() as conn:
        ids = sorted(
            set(conn.execute(select(outbox.c.connector_id).where(outbox.c.state.in_((*WAITING, "in_flight"))))
                .scalars())
        )  # fmt: skip
    for connector_id in ids:
        try:
            total.add(dispatch(hub, connector_id))
        except Exception:
            log.exception("write-back dispatch of %s crashed", connector_id)
    return total
