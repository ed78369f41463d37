"""An API client over a fresh database (each backend), with the admin token set."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from hub.api import create_app
from hub.context import Hub
from tests.conftest import ADMIN_TOKEN


@pytest.fixture
def client(hub: Hub) -> Iterator[TestClient]:
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with TestClient(create_app(hub, admin_token=ADMIN_TOKEN), headers=headers) as client:
        yield client
