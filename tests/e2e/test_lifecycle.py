"""Issue 9 items 5 and 6 against the HubSpot sandbox: deleting a connector stops its sync and retires
its cursors; concurrent triggers are each a run that runs, or a 409 naming the run that does."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hub.api import create_app
from hub.context import Hub
from hub.db.schema import ledger_entries, source_records, stream_leases, stream_state, sync_runs
from hub.serving import BackgroundServer
from hub.sync import RunResult
from sandbox.server import SandboxServer
from tests.conftest import ADMIN_TOKEN
from tests.sandbox_fixtures import hubspot_connector, world_counts


@pytest.fixture
def api(hub: Hub, sandbox: SandboxServer, upstream: httpx.Client) -> Iterator[httpx.Client]:
    """The hub over real HTTP (uvicorn in a thread), a HubSpot connector ``hs`` on the sandbox."""
    hub.store.create(hubspot_connector(sandbox))
    with BackgroundServer(create_app(hub, admin_token=ADMIN_TOKEN)) as server:
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            yield client


def _wait_idle(hub: Hub, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with hub.engine.connect() as conn:
            running = conn.execute(
                select(func.count()).select_from(sync_runs).where(sync_runs.c.status == "running")
            ).scalar_one()
        if not running:
            return
        assert time.monotonic() < deadline, "runs still running"
        time.sleep(0.05)


def test_thirty_concurrent_triggers_each_202_is_a_run_that_runs(
    api: httpx.Client, hub: Hub, upstream: httpx.Client
) -> None:
    upstream.post("/_sandbox/faults", json={"kind": "slow", "delay_s": 0.3, "times": 3, "path_prefix": "/crm"})
    barrier = threading.Barrier(30)

    def fire(_: int) -> httpx.Response:
        barrier.wait()
        return api.post("/api/v1/connectors/hs/sync", json={"streams": ["companies"], "mode": "full"})

    with ThreadPoolExecutor(30) as pool:
        responses = list(pool.map(fire, range(30)))
    assert {r.status_code for r in responses} <= {202, 409}, [r.text for r in responses if r.status_code >= 500]
    accepted = [r.json()["runs"][0]["run_id"] for r in responses if r.status_code == 202]
    named = [r.json()["error"]["details"]["runs"][0]["run_id"] for r in responses if r.status_code == 409]
    assert accepted and len(accepted) + len(named) == 30
    _wait_idle(hub)
    with hub.engine.connect() as conn:
        runs = {row.id: row.status for row in conn.execute(select(sync_runs.c.id, sync_runs.c.status))}
    assert set(runs) == set(accepted), "every run has its 202, every 202 its run"
    assert all(runs[run_id] == "succeeded" for run_id in accepted)
    assert set(named) <= set(accepted), "a 409 names a run that ran"


def _count(hub: Hub, *where: Any) -> int:
    with hub.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ledger_entries).where(*where)).scalar_one())


def test_deleting_a_connector_stops_its_sync_and_a_recreated_one_starts_clean(
    api: httpx.Client, hub: Hub, sandbox: SandboxServer, upstream: httpx.Client
) -> None:
    page_size = 10
    body = hubspot_connector(sandbox, "hs2", page_size=page_size).model_dump()
    assert api.post("/api/v1/connectors", json=body).status_code == 201
    # a first full run leaves a cursor behind
    first = api.post("/api/v1/connectors/hs2/sync", json={"streams": ["companies"], "mode": "full", "wait": True})
    assert first.status_code == 200 and first.json()["runs"][0]["status"] == "succeeded"
    companies = world_counts(upstream)["companies"]
    assert companies > 10 * page_size

    started = threading.Event()
    result: list[RunResult] = []

    def on_page(run: RunResult) -> None:
        if run.pages >= 3:
            started.set()
        time.sleep(0.02)

    def long_sync() -> None:
        result.append(hub.runner.run("hs2", "companies", mode="full", on_page=on_page))

    thread = threading.Thread(target=long_sync)
    thread.start()
    assert started.wait(30)
    deleted = api.delete("/api/v1/connectors/hs2")
    assert deleted.status_code == 204
    with hub.engine.connect() as conn:
        high = conn.execute(select(func.max(ledger_entries.c.id))).scalar_one()
    thread.join(60)
    assert not thread.is_alive()
    (run,) = result
    assert run.status == "cancelled" and run.error and "withdrawn" in run.error
    assert run.pages * page_size < companies, "the run stopped before the end of the stream"
    assert _count(hub, ledger_entries.c.id > high, ledger_entries.c.run_id == run.run_id) <= page_size
    with hub.engine.connect() as conn:
        for table in (stream_state, stream_leases):
            left = conn.execute(select(func.count()).select_from(table).where(table.c.connector_id == "hs2"))
            assert left.scalar_one() == 0, table.name
        kept = conn.execute(
            select(func.count()).select_from(source_records).where(source_records.c.source_instance == "hs2")
        ).scalar_one()
    assert kept >= companies and _count(hub, ledger_entries.c.source_instance == "hs2") > 0  # history stays

    # the same id, re-created: no inherited cursor, a full read
    assert api.post("/api/v1/connectors", json=body).status_code == 201
    again = api.post("/api/v1/connectors/hs2/sync", json={"streams": ["companies"], "wait": True})
    (row,) = again.json()["runs"]
    assert row["status"] == "succeeded" and row["mode"] == "full" and row["cursor_before"] is None
    assert row["records_seen"] == companies
