"""The API over a synced HubSpot world: triggers, status, golden records with provenance and history."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hub.api import create_app
from hub.connector_store import Schedule
from hub.context import Hub
from hub.db.schema import sync_runs
from hub.scheduler import HubScheduler
from sandbox.server import SandboxServer
from tests.conftest import ADMIN_TOKEN
from tests.sandbox_fixtures import hubspot_connector


@pytest.fixture
def api(hub: Hub, sandbox: SandboxServer, upstream: httpx.Client) -> Iterator[TestClient]:
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with TestClient(create_app(hub, admin_token=ADMIN_TOKEN), headers=headers) as client:
        body = hubspot_connector(sandbox).model_dump()
        assert client.post("/api/v1/connectors", json=body).status_code == 201
        yield client


def test_sync_status_and_golden_records_over_the_api(api: TestClient, upstream: httpx.Client) -> None:
    response = api.post("/api/v1/connectors/hs/sync", json={"mode": "full", "wait": True})
    assert response.status_code == 200, response.text
    assert {r["stream"]: r["status"] for r in response.json()["runs"]} == dict.fromkeys(
        ("companies", "contacts", "deals"), "succeeded"
    )
    status = api.get("/api/v1/status").json()["connectors"][0]
    streams = {s["stream"]: s for s in status["streams"]}
    assert streams["companies"]["state"] == "idle" and streams["companies"]["cursor"]
    assert streams["companies"]["records_seen"] > 0 and streams["companies"]["lag_seconds"] is not None

    partners = api.get("/api/v1/organizations", params={"role": "partner", "limit": 500}).json()
    everyone = api.get("/api/v1/organizations", params={"limit": 1}).json()
    assert 0 < partners["total"] < everyone["total"]
    assert all("partner" in item["roles"] for item in partners["items"])

    partner = partners["items"][0]
    detail = api.get(f"/api/v1/organizations/{partner['id']}").json()
    assert detail["sources"][0]["system"] == "hubspot" and detail["sources"][0]["instance"] == "hs"
    assert detail["provenance"]["name"]["external_id"] == detail["sources"][0]["external_id"]
    assert detail["history"][0]["changes"]["name"][1] == detail["fields"]["name"]

    # A change upstream shows in the field's history after an incremental sync.
    external_id = detail["sources"][0]["external_id"]
    patched = upstream.patch(
        f"/crm/v3/objects/companies/{external_id}",
        json={"properties": {"name": "Renamed Partner Ltd"}},
        headers={"Authorization": "Bearer pat-na1-sandbox"},
    )
    assert patched.status_code == 200, patched.text
    api.post("/api/v1/connectors/hs/sync", json={"wait": True, "streams": ["companies"]})
    after = api.get(f"/api/v1/organizations/{partner['id']}").json()
    assert after["fields"]["name"] == "Renamed Partner Ltd"
    assert after["history"][0]["changes"]["name"] == [detail["fields"]["name"], "Renamed Partner Ltd"]
    assert after["provenance"]["name"]["entry_id"] == after["history"][0]["entry_id"]

    deals = api.get("/api/v1/opportunities", params={"limit": 5}).json()["items"]
    deal = api.get(f"/api/v1/opportunities/{deals[0]['id']}").json()
    assert deal["fields"]["currency"] and deal["sources"]
    people = api.get("/api/v1/people", params={"limit": 1}).json()["items"]
    assert api.get(f"/api/v1/people/{people[0]['id']}").json()["fields"]["email"]
    dead = api.get("/api/v1/dead-letters").json()["dead_letters"]
    assert dead and all(d["reason"] and d["raw"] for d in dead)
    runs = api.get("/api/v1/runs", params={"connector_id": "hs"}).json()["runs"]
    assert len(runs) == 4 and all(r["status"] == "succeeded" for r in runs)


def test_background_trigger_answers_202_then_409_while_running(api: TestClient, upstream: httpx.Client) -> None:
    upstream.post("/_sandbox/faults", json={"kind": "slow", "delay_s": 0.5, "times": 4, "path_prefix": "/crm/v3"})
    first = api.post("/api/v1/connectors/hs/sync", json={"streams": ["companies"], "mode": "full"})
    assert first.status_code == 202 and first.json()["status"] == "accepted"
    deadline = time.monotonic() + 10
    while api.get("/api/v1/status").json()["connectors"][0]["streams"][0]["state"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    second = api.post("/api/v1/connectors/hs/sync", json={"streams": ["companies"]})
    assert second.status_code == 409 and second.json()["error"]["details"] == {
        "running": ["companies"],
        "runs": first.json()["runs"],  # the 409 names the run the 202 started
    }
    while api.get("/api/v1/status").json()["connectors"][0]["streams"][0]["state"] == "running":
        assert time.monotonic() < deadline + 20
        time.sleep(0.05)


def test_scheduler_runs_streams_on_their_interval(hub: Hub, sandbox: SandboxServer, upstream: httpx.Client) -> None:
    connector = hubspot_connector(sandbox)
    connector.schedules = [Schedule(stream="companies", interval_seconds=1)]
    hub.store.create(connector)
    scheduler = HubScheduler(hub.store, hub.runner)
    scheduler.start()
    try:
        assert scheduler.next_run("hs", "companies") is not None
        assert scheduler.next_run("hs", "deals") is None
        deadline = time.monotonic() + 15
        while True:
            with hub.engine.connect() as conn:
                done = conn.execute(
                    select(func.count()).select_from(sync_runs).where(sync_runs.c.status == "succeeded")
                ).scalar_one()
            if done >= 2:
                break
            assert time.monotonic() < deadline, "the schedule did not fire twice"
            time.sleep(0.1)
    finally:
        scheduler.shutdown()
    with hub.engine.connect() as conn:
        triggers = {r.trigger for r in conn.execute(select(sync_runs.c.trigger))}
        modes = [r.mode for r in conn.execute(select(sync_runs.c.mode).order_by(sync_runs.c.started_at))]
    assert triggers == {"schedule"}
    assert modes[0] == "full" and modes[1] == "incremental"  # first run has no cursor yet


def test_metrics_count_synced_records_and_need_the_token(api: TestClient) -> None:
    api.post("/api/v1/connectors/hs/sync", json={"mode": "full", "wait": True, "streams": ["companies"]})
    text = api.get("/metrics").text
    seen = 'hub_sync_records_total{connector="hs",outcome="seen",stream="companies"}'
    line = next(ln for ln in text.splitlines() if ln.startswith(seen))
    assert float(line.split()[-1]) > 0
    assert 'hub_sync_runs_total{connector="hs",status="succeeded",stream="companies"}' in text
    assert api.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
