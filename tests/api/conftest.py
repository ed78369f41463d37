"""An API client over a fresh database (each backend), with the admin token set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from pydantic import SecretStr

from hub.api import create_app
from hub.context import Hub
from hub.settings import Settings

TOKEN = "test-admin-token-0123456789"


@pytest.fixture
def hub(db_url: str, tmp_path: Path) -> Iterator[Hub]:
    settings = Settings(
        database_url=db_url,
        data_dir=tmp_path,
        admin_token=SecretStr(TOKEN),
        secret_key=SecretStr(Fernet.generate_key().decode()),
        max_request_bytes=64 * 1024,
    )
    hub = Hub.from_settings(settings)
    yield hub
    hub.close()


@pytest.fixture
def client(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub, admin_token=TOKEN), headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield client
