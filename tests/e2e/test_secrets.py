"""Credentials never reach a log line, an API answer, or the database in clear."""

from __future__ import annotations

import logging

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hub.api import create_app
from hub.context import Hub
from hub.db.schema import connectors
from sandbox.server import SandboxServer
from tests.conftest import ADMIN_TOKEN
from tests.sandbox_fixtures import hubspot_connector


def test_no_secret_in_logs_responses_or_rows(
    hub: Hub, sandbox: SandboxServer, upstream: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    creds = sandbox.credentials["hubspot"]
    secrets = [creds["client_secret"], creds["refresh_token"], ADMIN_TOKEN]
    caplog.set_level(logging.DEBUG)
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with TestClient(create_app(hub, admin_token=ADMIN_TOKEN), headers=headers) as api:
        created = api.post("/api/v1/connectors", json=hubspot_connector(sandbox).model_dump())
        synced = api.post("/api/v1/connectors/hs/sync", json={"wait": True, "mode": "full"})
        listed = api.get("/api/v1/connectors")
        upstream.post("/_sandbox/faults", json={"kind": "expire_tokens"})
        again = api.post("/api/v1/connectors/hs/sync", json={"wait": True})  # forces a token refresh
        bad = api.patch("/api/v1/connectors/hs", json={"credentials": {"client_secret": 12}})
    assert created.status_code == 201 and synced.status_code == 200 and again.status_code == 200
    assert all(run["status"] == "succeeded" for run in again.json()["runs"])
    assert bad.status_code == 422
    with hub.reader.connect() as conn:
        row = conn.execute(select(connectors)).one()
    exposed = caplog.text + created.text + listed.text + bad.text + repr(row.config)
    for secret in secrets[:2]:
        assert secret.encode() not in row.secrets
    leaked = [s for s in secrets if s in exposed]
    assert leaked == []
    assert "DEBUG" in caplog.text or caplog.records  # logging was on while all this happened
