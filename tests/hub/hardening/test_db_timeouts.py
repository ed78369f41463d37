"""Issue 9 item 8: a locked database gives a prompt answer, never a hang.

PostgreSQL: under a table lock ``GET /api/v1/status`` answers 503 with a JSON error once the read's
lock timeout runs out. SQLite: a webhook delivery waits for the write lock no longer than
``webhook_store_timeout_seconds``, then answers 503.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from hubspot.utils.signature import Signature
from sqlalchemy.engine import make_url

from hub.api import create_app
from hub.context import Hub
from sandbox.server import SandboxServer
from tests.conftest import ADMIN_TOKEN, make_settings
from tests.sandbox_fixtures import hubspot_connector


@pytest.fixture
def quick_hub(db_url: str, tmp_path: Path) -> Iterator[Hub]:
    hub = Hub.from_settings(
        make_settings(db_url, tmp_path, db_read_lock_timeout_seconds=1, webhook_store_timeout_seconds=1)
    )
    yield hub
    hub.close()


def test_status_under_a_postgresql_table_lock_is_a_503(quick_hub: Hub) -> None:
    url = make_url(quick_hub.settings.database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("a PostgreSQL table lock")
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with TestClient(create_app(quick_hub, admin_token=ADMIN_TOKEN), headers=headers) as api:
        assert api.get("/api/v1/status").status_code == 200
        with psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False)) as locker:
            locker.execute("LOCK TABLE connectors IN ACCESS EXCLUSIVE MODE")
            started = time.monotonic()
            response = api.get("/api/v1/status")
            elapsed = time.monotonic() - started
            locker.rollback()
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "unavailable"
        assert elapsed < 5
        assert api.get("/api/v1/status").status_code == 200  # the pooled connection is fine afterwards


def test_a_delivery_under_a_sqlite_lock_waits_only_the_store_timeout(
    quick_hub: Hub, sandbox: SandboxServer, upstream: httpx.Client
) -> None:
    url = make_url(quick_hub.settings.database_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("a SQLite write lock")
    quick_hub.store.create(hubspot_connector(sandbox))
    secret = sandbox.credentials["hubspot"]["client_secret"]
    with TestClient(create_app(quick_hub, admin_token=ADMIN_TOKEN), base_url="http://hub.test") as api:
        assert api.get("/api/v1/connectors/hs", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).status_code == 200
        body = json.dumps([{"eventId": 1, "subscriptionType": "company.propertyChange", "objectId": 1,
                            "occurredAt": int(time.time() * 1000), "portalId": 1}]).encode()  # fmt: skip

        def deliver() -> httpx.Response:
            timestamp = str(int(time.time() * 1000))
            uri = "http://hub.test/webhooks/hs"
            signature = Signature.get_signature(secret, body.decode(), "v3", http_uri=uri, timestamp=timestamp)
            headers = {"Content-Type": "application/json", "X-HubSpot-Signature-v3": signature,
                       "X-HubSpot-Request-Timestamp": timestamp}  # fmt: skip
            return api.post("/webhooks/hs", content=body, headers=headers)

        assert deliver().status_code == 202
        locker = sqlite3.connect(str(url.database), isolation_level=None)
        try:
            locker.execute("BEGIN IMMEDIATE")
            started = time.monotonic()
            response = deliver()
            elapsed = time.monotonic() - started
            locker.execute("ROLLBACK")
        finally:
            locker.close()
        assert response.status_code == 503, response.text
        assert elapsed < 2.5, f"waited {elapsed:.1f} s for a 1 s store timeout"
