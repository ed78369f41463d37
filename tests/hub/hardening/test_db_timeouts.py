"""Issue 9 item 8: under a PostgreSQL table lock ``GET /api/v1/status`` answers 503 with a JSON error
once the read's lock timeout runs out, instead of hanging (SQLite: tests/webhooks/test_store_timeout.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from hub.api import create_app
from hub.context import Hub
from tests.conftest import ADMIN_TOKEN, make_settings


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
