"""Issue 9 item 1: a numeric setting out of range or a cron that never fires is a 422 naming the field,
and one broken connector row (written before the bounds existed) cannot stop the scheduler, the API or
the other connectors' schedules."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from hub.api import create_app
from hub.context import Hub
from hub.db.schema import connectors as connectors_table
from hub.scheduler import HubScheduler
from tests.conftest import ADMIN_TOKEN

HUBSPOT: dict[str, Any] = {
    "id": "hs-main",
    "kind": "hubspot",
    "config": {"base_url": "http://127.0.0.1:9", "auth_type": "private_app"},
    "credentials": {"access_token": "pat-na1-secret-value"},
    "schedules": [{"stream": "*", "interval_seconds": 300}],
}


@pytest.fixture
def scheduler(hub: Hub) -> Iterator[HubScheduler]:
    scheduler = HubScheduler(hub.store, hub.runner)
    yield scheduler
    scheduler.shutdown()


@pytest.fixture
def api(hub: Hub, scheduler: HubScheduler) -> Iterator[TestClient]:
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with TestClient(create_app(hub, admin_token=ADMIN_TOKEN, scheduler=scheduler), headers=headers) as client:
        yield client


def _fields(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    return [".".join(str(p) for p in item["loc"]) for item in error.get("details") or []] + [error["message"]]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        pytest.param({"schedules": [{"interval_seconds": 2**63}]}, "interval_seconds", id="interval_2e63"),
        pytest.param({"schedules": [{"interval_seconds": 2**64 + 1}]}, "interval_seconds", id="interval_2e64"),
        pytest.param({"schedules": [{"interval_seconds": 260_000_000_000}]}, "interval_seconds", id="interval_2e11"),
        pytest.param({"schedules": [{"cron": "0 0 30 2 *"}]}, "cron", id="cron_feb_30"),
        pytest.param({"schedules": [{"cron": "0 0 31 4 *"}]}, "cron", id="cron_apr_31"),
        pytest.param({"config": {"timeout_seconds": 1e12}}, "timeout_seconds", id="timeout_1e12"),
        pytest.param({"config": {"timeout_seconds": 2**64}}, "timeout_seconds", id="timeout_2e64"),
        pytest.param({"config": {"incremental_lookback_seconds": 2**63}}, "incremental_lookback_seconds",
                     id="lookback_2e63"),
        pytest.param({"config": {"max_retries": 2**64}}, "max_retries", id="retries_2e64"),
        pytest.param({"config": {"page_size": 2**64}}, "page_size", id="page_size_2e64"),
    ],
)  # fmt: skip
def test_out_of_range_settings_are_422_naming_the_field(
    api: TestClient, scheduler: HubScheduler, patch: dict[str, Any], field: str
) -> None:
    body = {**HUBSPOT, **patch}
    if "config" in patch:
        body["config"] = {**HUBSPOT["config"], **patch["config"]}
    for response in (api.post("/api/v1/connectors", json=body), _patched(api, body)):
        assert any(field in where for where in _fields(response)), response.text
    # nothing was stored, and the API and scheduler go on working
    assert api.get("/api/v1/connectors").status_code == 200
    assert api.post("/api/v1/connectors", json={**HUBSPOT, "id": "hs-other"}).status_code == 201
    assert scheduler.next_run("hs-other", "companies") is not None
    assert api.delete("/api/v1/connectors/hs-other").status_code == 204


def _patched(api: TestClient, body: dict[str, Any]) -> Any:
    """The same values through PATCH of a valid connector."""
    api.delete("/api/v1/connectors/hs-main")
    assert api.post("/api/v1/connectors", json=HUBSPOT).status_code == 201
    patch = {k: body[k] for k in ("config", "schedules")}
    response = api.patch("/api/v1/connectors/hs-main", json=patch)
    assert api.get("/api/v1/connectors/hs-main").json()["schedules"][0]["interval_seconds"] == 300
    api.delete("/api/v1/connectors/hs-main")
    return response


def _insert_raw(hub: Hub, connector_id: str, config: dict[str, Any], schedules: list[dict[str, Any]]) -> None:
    """A row as a hub without the bounds (or a hand-written SQL statement) stored it."""
    now = datetime.now(UTC)
    with hub.engine.begin() as conn:
        conn.execute(
            insert(connectors_table).values(
                id=connector_id, kind="hubspot", name=connector_id, config=config,
                secrets=hub.store.box.seal({"access_token": "pat-na1-secret-value"}), schedules=schedules,
                enabled=True, created_at=now, updated_at=now,
            )
        )  # fmt: skip


@pytest.mark.parametrize(
    ("config", "schedules"),
    [
        pytest.param({}, [{"stream": "*", "interval_seconds": 260_000_000_000, "cron": None, "mode": "full"}],
                     id="huge_interval"),
        pytest.param({}, [{"stream": "*", "interval_seconds": None, "cron": "0 0 30 2 *", "mode": "full"}],
                     id="never_cron"),
        pytest.param({"timeout_seconds": 1e12}, [{"stream": "*", "interval_seconds": 60, "cron": None,
                                                  "mode": "full"}], id="huge_timeout"),
        pytest.param({}, [{"stream": "*", "interval": "garbage"}], id="garbage_schedule"),
    ],
)  # fmt: skip
def test_a_broken_row_is_reported_and_skipped(
    hub: Hub, scheduler: HubScheduler, config: dict[str, Any], schedules: list[dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    _insert_raw(hub, "broken", {"base_url": "http://127.0.0.1:9", "auth_type": "private_app", **config}, schedules)
    caplog.set_level(logging.WARNING, logger="hub.scheduler")
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    # the app's start-up starts the scheduler, as hub serve does: it must not raise
    with TestClient(create_app(hub, admin_token=ADMIN_TOKEN, scheduler=scheduler), headers=headers) as api:
        assert api.post("/api/v1/connectors", json=HUBSPOT).status_code == 201
        assert scheduler.next_run("hs-main", "companies") is not None
        assert scheduler.next_run("broken", "companies") is None
        listed = api.get("/api/v1/connectors")
        assert listed.status_code == 200, listed.text
        broken = next(c for c in listed.json() if c["id"] == "broken")
        assert broken["error"]
        status = api.get("/api/v1/status")
        assert status.status_code == 200, status.text
        reported = next(c for c in status.json()["connectors"] if c["id"] == "broken")
        assert reported["error"]
        assert api.patch("/api/v1/connectors/hs-main", json={"name": "Main"}).status_code == 200
        assert api.delete("/api/v1/connectors/hs-main").status_code == 204
        # the broken one can be repaired or deleted through the API
        assert api.delete("/api/v1/connectors/broken").status_code == 204
    lines = [r for r in caplog.records if "broken" in r.getMessage()]
    assert lines and all(r.exc_info is None for r in lines)
