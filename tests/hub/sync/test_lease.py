"""Stream leases (hub/sync/lease.py) on a real database: one run of a stream at a time."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from hub.db.schema import stream_leases
from hub.sync import lease
from hub.sync.lease import StreamBusy

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
ELSEWHERE = "another-host:1"


def _holder(engine: Engine) -> tuple[str, str, datetime] | None:
    with engine.connect() as conn:
        row = conn.execute(select(stream_leases)).first()
    return (row.run_id, row.owner, row.expires_at) if row else None


def _acquire(engine: Engine, run_id: str, owner: str = ELSEWHERE, now: datetime = NOW, ttl: float = 60) -> str | None:
    with engine.begin() as conn:
        return lease.acquire(conn, "c", "s", run_id, owner, now, ttl)


def test_a_free_stream_is_taken_and_taking_it_again_is_harmless(engine: Engine) -> None:
    assert _acquire(engine, "r1") is None
    assert _acquire(engine, "r1") is None
    assert _holder(engine) == ("r1", ELSEWHERE, NOW + timedelta(seconds=60))


def test_a_live_lease_is_not_taken(engine: Engine) -> None:
    _acquire(engine, "r1")
    with pytest.raises(StreamBusy, match="r1"):
        _acquire(engine, "r2", "third-host:2", NOW + timedelta(seconds=59))
    held = _holder(engine)
    assert held is not None and held[0] == "r1"


def test_an_expired_lease_is_taken_over_and_names_the_run_it_took(engine: Engine) -> None:
    _acquire(engine, "r1")
    later = NOW + timedelta(seconds=61)
    assert _acquire(engine, "r2", "third-host:2", later) == "r1"
    assert _holder(engine) == ("r2", "third-host:2", later + timedelta(seconds=60))


def test_a_lease_of_a_dead_process_on_this_host_is_taken_over_before_it_expires(engine: Engine) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    _acquire(engine, "r1", f"{socket.gethostname()}:{child.pid}")
    assert _acquire(engine, "r2") == "r1"  # at NOW: the lease has not expired


def test_renew_extends_a_held_lease_and_fails_once_it_is_lost(engine: Engine) -> None:
    _acquire(engine, "r1")
    with engine.begin() as conn:
        lease.renew(conn, "c", "s", "r1", NOW + timedelta(seconds=30), 60)
    assert _holder(engine) == ("r1", ELSEWHERE, NOW + timedelta(seconds=90))
    _acquire(engine, "r2", "third-host:2", NOW + timedelta(seconds=91))
    with pytest.raises(StreamBusy, match="lease lost"), engine.begin() as conn:
        lease.renew(conn, "c", "s", "r1", NOW + timedelta(seconds=92), 60)


def test_release_frees_only_the_holders_own_lease(engine: Engine) -> None:
    _acquire(engine, "r1")
    with engine.begin() as conn:
        lease.release(conn, "c", "s", "someone-else")
    assert _holder(engine) is not None
    with engine.begin() as conn:
        lease.release(conn, "c", "s", "r1")
    assert _holder(engine) is None


def test_owner_is_dead_only_for_a_gone_process_on_this_host() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    host = socket.gethostname()
    assert lease.owner_is_dead(f"{host}:{child.pid}")
    assert not lease.owner_is_dead(f"{host}:{os.getpid()}")
    assert not lease.owner_is_dead(f"another-{host}:{child.pid}")
    assert not lease.owner_is_dead(f"{host}:not-a-pid")
    assert not lease.owner_is_dead("no-colon")
