"""Deletes inferred from absence, after a complete full read only, and the mass-delete guard (ADR 22).

While a full read of a stream whose spec says ``deletes_by_absence`` runs, every page's external
ids go into ``stream_seen`` under the read's id (the run that started it; a run resuming the read
carries the id on), in the page's transaction: one statement per page.

In the transaction of the read's last page — every page read, none failed, so the read is
complete — :func:`finish_full_read` takes the stream's live source records last observed before
the read began and not seen by it (one set-based query). If they are more than the guard allows
(``share`` of the live records, and at least ``min_count``) they are *held* in ``delete_holds``
and nothing is tombstoned; otherwise each becomes a tombstone (``raw.cause`` names the read). A
read that fails, is interrupted or is abandoned tombstones nothing: its last page never commits.

:func:`confirm` applies exactly the held set (records seen live again since are skipped by the
write path: only live ones are tombstoned, and only if not observed since the hold);
:func:`reject` discards it. A newer complete read supersedes an older hold.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, exists, func, insert, select, update

from hub.db.schema import delete_holds, source_records, stream_seen
from hub.ledger import Origin
from hub.ledger.upsert import chunks, insert_ignore
from hub.ledger.writer import mark_deleted

HELD = "held"


class HoldNotFound(LookupError):
    """No held deletes for that connector and stream (or that hold id)."""


@dataclass(frozen=True)
class Guard:
    """The mass-delete guard: hold when more than ``share`` of the live records, and ``min_count`` or more."""

    share: float = 0.2
    min_count: int = 10

    def holds(self, candidates: int, live: int) -> bool:
        return candidates >= max(self.min_count, 1) and candidates > self.share * live


@dataclass
class AbsenceOutcome:
    candidates: int = 0
    live: int = 0
    tombstoned: int = 0
    held: str | None = None  # the hold's id


def cause_of_absence(read_id: str) -> str:
    return f"absent from complete full read {read_id}"


def record_seen(conn: Connection, connector_id: str, stream: str, read_id: str, external_ids: Iterable[str]) -> None:
    """Add a page's external ids to the read's seen set (idempotent: a re-read page adds nothing)."""
    ids = sorted({i for i in external_ids if i})
    for part in chunks(ids):
        insert_ignore(
            conn,
            stream_seen,
            [{"connector_id": connector_id, "stream": stream, "read_id": read_id, "external_id": i} for i in part],
            key=["connector_id", "stream", "read_id", "external_id"],
        )


def _live(connector_id: str, object_name: str) -> Any:
    return and_(
        source_records.c.source_instance == connector_id,
        source_records.c.source_object == object_name,
        source_records.c.deleted.is_(False),
    )


def finish_full_read(
    conn: Connection,
    origin: Origin,
    stream: str,
    object_name: str,
    read_id: str,
    read_started_at: datetime,
    guard: Guard,
    mapping_version: str,
    now: datetime,
) -> AbsenceOutcome:
    """At the end of a complete full read: tombstone, or hold, the stream's records it did not see."""
    connector_id = origin.instance
    seen = exists().where(
        stream_seen.c.connector_id == connector_id,
        stream_seen.c.stream == stream,
        stream_seen.c.read_id == read_id,
        stream_seen.c.external_id == source_records.c.external_id,
    )
    live = _live(connector_id, object_name)
    total = int(conn.execute(select(func.count()).select_from(source_records).where(live)).scalar_one())
    missing = sorted(
        conn.execute(
            select(source_records.c.external_id).where(live, ~seen, source_records.c.observed_at < read_started_at)
        ).scalars()
    )
    conn.execute(delete(stream_seen).where(stream_seen.c.connector_id == connector_id, stream_seen.c.stream == stream))
    outcome = AbsenceOutcome(candidates=len(missing), live=total)
    conn.execute(
        update(delete_holds)
        .where(
            delete_holds.c.connector_id == connector_id, delete_holds.c.stream == stream, delete_holds.c.status == HELD
        )
        .values(status="superseded", decided_at=now, decided_by=f"run {origin.run_id}")
    )
    if not missing:
        return outcome
    if guard.holds(len(missing), total):
        outcome.held = str(uuid.uuid4())
        conn.execute(
            insert(delete_holds).values(
                id=outcome.held, connector_id=connector_id, stream=stream, source_object=object_name,
                run_id=origin.run_id or read_id, status=HELD, candidates=len(missing), live=total,
                share_limit=guard.share, min_count=guard.min_count, external_ids=missing, created_at=now,
            )
        )  # fmt: skip
        return outcome
    tombstones = mark_deleted(conn, origin, object_name, missing, now, mapping_version, cause=cause_of_absence(read_id))
    outcome.tombstoned = tombstones.changed
    return outcome


def _held_row(conn: Connection, connector_id: str, stream: str, hold_id: str | None) -> Any:
    query = select(delete_holds).where(
        delete_holds.c.connector_id == connector_id, delete_holds.c.stream == stream, delete_holds.c.status == HELD
    )
    if hold_id is not None:
        query = query.where(delete_holds.c.id == hold_id)
    row = conn.execute(query.order_by(delete_holds.c.created_at.desc()).limit(1)).first()
    if row is None:
        raise HoldNotFound(f"no deletes held for {connector_id}/{stream}" + (f" with id {hold_id}" if hold_id else ""))
    return row


def confirm(
    conn: Connection, system: str, connector_id: str, stream: str, actor: str, mapping_version: str, now: datetime,
    hold_id: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Apply exactly the held set; records observed since the hold was made are left alone."""
    row = _held_row(conn, connector_id, stream, hold_id)
    ids = [str(i) for i in row.external_ids]
    still = set()
    for part in chunks(ids):
        still |= set(
            conn.execute(
                select(source_records.c.external_id).where(
                    _live(connector_id, row.source_object),
                    source_records.c.external_id.in_(part),
                    source_records.c.observed_at <= row.created_at,
                )
            ).scalars()
        )
    origin = Origin(system=system, instance=connector_id, run_id=row.run_id)
    cause = f"{cause_of_absence(row.run_id)}; confirmed by {actor}"
    outcome = mark_deleted(conn, origin, row.source_object, sorted(still), now, mapping_version, cause=cause)
    conn.execute(
        update(delete_holds)
        .where(delete_holds.c.id == row.id)
        .values(status="confirmed", decided_at=now, decided_by=actor, applied=outcome.changed)
    )
    return {**hold_view(row), "status": "confirmed", "decided_by": actor, "applied": outcome.changed}


def reject(
    conn: Connection, connector_id: str, stream: str, actor: str, now: datetime, hold_id: str | None = None
) -> dict[str, Any]:
    """Discard the held set: nothing is tombstoned."""
    row = _held_row(conn, connector_id, stream, hold_id)
    conn.execute(
        update(delete_holds)
        .where(delete_holds.c.id == row.id)
        .values(status="rejected", decided_at=now, decided_by=actor, applied=0)
    )
    return {**hold_view(row), "status": "rejected", "decided_by": actor, "applied": 0}


def hold_view(row: Any, *, with_ids: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": row.id,
        "connector_id": row.connector_id,
        "stream": row.stream,
        "object": row.source_object,
        "run_id": row.run_id,
        "status": row.status,
        "candidates": row.candidates,
        "live": row.live,
        "share": round(row.candidates / row.live, 4) if row.live else None,
        "share_limit": row.share_limit,
        "min_count": row.min_count,
        "created_at": row.created_at.isoformat(),
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "decided_by": row.decided_by,
        "applied": row.applied,
    }
    if with_ids:
        out["external_ids"] = list(row.external_ids)
    return out


def held(conn: Connection, connector_id: str, stream: str | None = None) -> list[dict[str, Any]]:
    """Holds awaiting a decision."""
    query = select(delete_holds).where(delete_holds.c.connector_id == connector_id, delete_holds.c.status == HELD)
    if stream is not None:
        query = query.where(delete_holds.c.stream == stream)
    return [hold_view(row) for row in conn.execute(query.order_by(delete_holds.c.created_at))]


def history(conn: Connection, connector_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """Every hold of the connector, newest first."""
    query = (
        select(delete_holds)
        .where(delete_holds.c.connector_id == connector_id)
        .order_by(delete_holds.c.created_at.desc())
        .limit(limit)
    )
    return [hold_view(row) for row in conn.execute(query)]
