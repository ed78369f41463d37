"""Stream leases: at most one run of a stream at a time, across threads and processes.

A lease is a row in ``stream_leases`` with an expiry, taken with one conditional write and renewed
on every committed page. A run that dies (kill -9, lost node) stops renewing; once its lease
expires the next trigger takes it over and resumes from the last committed page. All coordination
state lives in the database, so the same rule holds for several hub processes on one PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, delete, or_, select, update

from hub.db.schema import stream_leases
from hub.ledger.upsert import insert_ignore


class StreamBusy(RuntimeError):
    """Another run holds this stream's lease."""


def acquire(
    conn: Connection, connector_id: str, stream: str, run_id: str, owner: str, now: datetime, ttl: float
) -> str | None:
    """Take the lease for ``run_id``; returns the run id of an expired holder taken over, if any.

    Raises ``StreamBusy`` when a live lease is held by someone else.
    """
    expires = now + timedelta(seconds=ttl)
    key = and_(stream_leases.c.connector_id == connector_id, stream_leases.c.stream == stream)
    insert_ignore(
        conn,
        stream_leases,
        [{"connector_id": connector_id, "stream": stream, "run_id": run_id, "owner": owner, "expires_at": expires}],
        key=["connector_id", "stream"],
    )
    held = conn.execute(select(stream_leases).where(key)).one()
    if held.run_id == run_id:
        return None
    taken = conn.execute(
        update(stream_leases)
        .where(key, or_(stream_leases.c.expires_at < now, stream_leases.c.run_id == run_id))
        .values(run_id=run_id, owner=owner, expires_at=expires)
    )
    if taken.rowcount != 1:
        raise StreamBusy(f"{connector_id}/{stream} is already running (run {held.run_id} on {held.owner})")
    return str(held.run_id)


def renew(conn: Connection, connector_id: str, stream: str, run_id: str, now: datetime, ttl: float) -> None:
    """Extend the lease; raises ``StreamBusy`` if it was lost (expired and taken over)."""
    result = conn.execute(
        update(stream_leases)
        .where(
            stream_leases.c.connector_id == connector_id,
            stream_leases.c.stream == stream,
            stream_leases.c.run_id == run_id,
        )
        .values(expires_at=now + timedelta(seconds=ttl))
    )
    if result.rowcount != 1:
        raise StreamBusy(f"{connector_id}/{stream}: lease lost to another run")


def release(conn: Connection, connector_id: str, stream: str, run_id: str) -> None:
    conn.execute(
        delete(stream_leases).where(
            stream_leases.c.connector_id == connector_id,
            stream_leases.c.stream == stream,
            stream_leases.c.run_id == run_id,
        )
    )
