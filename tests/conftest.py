"""Shared fixtures: a fresh database per test on every backend (SQLite file and real PostgreSQL).

``HUB_TEST_BACKENDS`` picks the backends (default ``sqlite,postgresql``); ``HUB_TEST_PG_URL`` names the
PostgreSQL server (default the machine's 127.0.0.1:5432, trust auth). Each test session creates its
own PostgreSQL database and drops it at the end; each test starts from empty tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from hub.context import Hub
from hub.db import create_db_engine, metadata, migrate
from hub.settings import Settings
from tests.policy import SANDBOX_ALLOW

pytest_plugins = ["tests.sandbox_fixtures"]

BACKENDS = [b.strip() for b in os.environ.get("HUB_TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()]
PG_SERVER = os.environ.get("HUB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    name = f"hub_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq(PG_SERVER), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
    migrate(url)
    yield url
    with psycopg.connect(_libpq(PG_SERVER), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database on each backend in turn."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hub.db'}"
        migrate(url)
        return url
    url = request.getfixturevalue("pg_url")
    engine = create_db_engine(url)
    with engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = create_db_engine(db_url)
    yield engine
    engine.dispose()


ADMIN_TOKEN = "test-admin-token-0123456789"


def make_settings(db_url: str, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": db_url,
        "data_dir": data_dir,
        "admin_token": SecretStr(ADMIN_TOKEN),
        "secret_key": SecretStr(Fernet.generate_key().decode()),
        "max_request_bytes": 64 * 1024,
        # the sandbox is on loopback: the one internal destination tests let connectors reach
        "outbound_allow": SANDBOX_ALLOW,
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def hub(db_url: str, tmp_path: Path) -> Iterator[Hub]:
    """The hub's object graph on a fresh database."""
    hub = Hub.from_settings(make_settings(db_url, tmp_path))
    yield hub
    hub.close()
