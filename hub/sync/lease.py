"""Stream leases: at most one run of a stream at a time, across threads and processes.

A lease is a row in ``stream_leases`` with an expiry, taken with one conditional write and renewed
on every committed page. A run that dies (kill -9, lost node) stops renewing; once its lease
expires the next trigger takes it over and resumes from the last committed page. All coordination
state lives in the database, so the same rule holds for several hub processes on one PostgreSQL.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, delete, select, update

from hub.db.schema import stream_leases
from hub.ledger.upsert import insert_ignore


class StreamBusy(RuntimeError):
    """Another run holds this stream's lease: ``run_id`` names it (None when unknown)."""

    def __init__(self, message: str, *, stream: str | None = None, run_id: str | None = None) -> None:
        super().__init__(message)
        self.stream = stream
        self.run_id = run_id


class StreamPaused(StreamBusy):
    """The upstream's API quota is spent; the stream waits until ``until``."""

    def __init__(self, message: str, until: datetime, *, stream: str | None = None) -> None:
        super().__init__(message, stream=stream)
        self.until = until


class LeaseLost(StreamBusy):
    """The run's lease is gone: taken over after expiry by another run, or ``withdrawn`` (no lease
    row: its connector was deleted). The run stops at once; the page it was committing is rolled back."""

    def __init__(self, message: str, *, stream: str | None = None, withdrawn: bool = False) -> None:
        super().__init__(message, stream=stream)
        self.withdrawn = withdrawn


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
    statement = update(stream_leases).where(key, stream_leases.c.run_id == held.run_id)
    if not owner_is_dead(held.owner):
        statement = statement.where(stream_leases.c.expires_at < now)
    taken = conn.execute(statement.values(run_id=run_id, owner=owner, expires_at=expires))
    if taken.rowcount != 1:
        raise StreamBusy(
            f"{connector_id}/{stream} is already running (run {held.run_id} on {held.owner})",
            stream=stream,
            run_id=str(held.run_id),
        )
    return str(held.run_id)


def owner_is_dead(owner: str) -> bool:
    """True when ``owner`` (``host:pid``) names a process on this host that no longer exists.

    Lets a crashed run's lease be taken over at once on a single node instead of after its expiry;
    holders on other hosts are only ever taken over by expiry.
    """
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def renew(conn: Connection, connector_id: str, stream: str, run_id: str, now: datetime, ttl: float) -> None:
    """Extend the lease; raises ``LeaseLost`` if it was lost (withdrawn, or expired and taken over)."""
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
        holder = conn.execute(
            select(stream_leases.c.run_id).where(
                stream_leases.c.connector_id == connector_id, stream_leases.c.stream == stream
            )
        ).first()
        if holder is None:
            raise LeaseLost(f"{connector_id}/{stream}: lease withdrawn (the connector was deleted)", withdrawn=True)
        raise LeaseLost(f"{connector_id}/{stream}: lease lost to another run", stream=stream)


def withdraw(conn: Connection, connector_id: str) -> int:
    """Remove every lease of a connector (it is being deleted): its runs stop at their next page."""
    return int(conn.execute(delete(stream_leases).where(stream_leases.c.connector_id == connector_id)).rowcount)


def release(conn: Connection, connector_id: str, stream: str, run_id: str) -> None:
    conn.execute(
        delete(stream_leases).where(
            stream_leases.c.connector_id == connector_id,
            stream_leases.c.stream == stream,
            stream_leases.c.run_id == run_id,
        )
    )
