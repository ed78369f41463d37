"""Held deletes seen and decided through the API (/api/v1/status, /connectors/{id}/deletes, confirm,
reject) and the CLI (hub status, hub deletes list|confirm|reject), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hub.api import create_app
from hub.cli import app
from hub.context import Hub
from tests.conftest import ADMIN_TOKEN
from tests.hub.sync.test_deletes import live_ids, tombstones, vanish


@pytest.fixture
def api(connected: Hub, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    settings = connected.settings
    assert settings.secret_key is not None
    monkeypatch.setenv("HUB_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("HUB_SECRET_KEY", settings.secret_key.get_secret_value())
    monkeypatch.setenv("HUB_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("HUB_OUTBOUND_ALLOW", settings.outbound_allow)
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with TestClient(create_app(connected, admin_token=ADMIN_TOKEN), headers=headers) as client:
        yield client


def _companies(client: TestClient) -> dict[str, object]:
    (connector,) = client.get("/api/v1/status").json()["connectors"]
    return next(s for s in connector["streams"] if s["stream"] == "companies")


def _hold(connected: Hub, upstream: httpx.Client) -> list[str]:
    connected.runner.run("hs", "companies", mode="full")
    gone = live_ids(connected)[:60]
    vanish(upstream, "companies", gone)
    assert connected.runner.run("hs", "companies", mode="full").held_deletes
    return gone


def test_held_deletes_in_status_and_decided_by_api(connected: Hub, upstream: httpx.Client, api: TestClient) -> None:
    gone = _hold(connected, upstream)
    stream = _companies(api)
    assert stream["state"] == "held"
    (hold,) = stream["held_deletes"]  # type: ignore[misc]
    assert hold["candidates"] == len(gone) and hold["status"] == "held"
    assert api.get("/api/v1/connectors/hs/deletes").json()["holds"] == [hold]

    path = "/api/v1/connectors/hs/streams/companies/deletes"
    rejected = api.post(f"{path}/reject", json={"by": "alice"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected" and not tombstones(connected)
    assert api.post(f"{path}/reject").status_code == 404  # nothing held any more

    assert connected.runner.run("hs", "companies", mode="full").held_deletes  # held again by the next read
    confirmed = api.post(f"{path}/confirm", json={"by": "bob"})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["applied"] == len(gone) and set(tombstones(connected)) == set(gone)
    assert _companies(api)["state"] == "idle"
    history = api.get("/api/v1/connectors/hs/deletes", params={"all": "true"}).json()["holds"]
    assert [(h["status"], h["decided_by"]) for h in history] == [("confirmed", "bob"), ("rejected", "alice")]

    assert api.post(f"{path}/confirm").status_code == 404
    assert api.post("/api/v1/connectors/hs/streams/nope/deletes/confirm").status_code == 404
    assert api.post("/api/v1/connectors/nope/streams/companies/deletes/confirm").status_code == 404
    assert api.post(f"{path}/confirm", json={"by": ""}).status_code == 422


def test_held_deletes_in_the_cli(connected: Hub, upstream: httpx.Client, api: TestClient) -> None:
    gone = _hold(connected, upstream)
    runner = CliRunner()
    status = runner.invoke(app, ["status"], env={"COLUMNS": "250"})
    assert status.exit_code == 0 and "held" in status.output and f"{len(gone)} of" in status.output
    listed = runner.invoke(app, ["deletes", "list", "hs"], env={"COLUMNS": "250"})
    assert listed.exit_code == 0 and "companies" in listed.output and str(len(gone)) in listed.output

    confirmed = runner.invoke(app, ["deletes", "confirm", "hs", "companies", "--by", "carol"])
    assert confirmed.exit_code == 0, confirmed.output
    assert f"{len(gone)} records tombstoned" in confirmed.output and set(tombstones(connected)) == set(gone)

    again = runner.invoke(app, ["deletes", "reject", "hs", "companies"])
    assert again.exit_code != 0 and isinstance(again.exception, LookupError)
