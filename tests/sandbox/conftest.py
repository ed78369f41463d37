"""Fixtures for the HubSpot simulator tests: one shared background server for the session.

The shared server runs with rate limits off; tests that need limits switch them on through
``POST /_sandbox/config`` and the autouse fixture below restores the defaults and clears faults.
Tests that change data restore the generated world with ``restore_world``.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sandbox.server import SandboxServer
from sandbox.world import HubSpotWorld, generate_world

SEED = 7
SIZE = 1000
ADMIN = {"X-Sandbox-Admin": "sandbox-admin"}
BASE_CONFIG = {"rate_limit": 0, "search_rate_limit": 0, "token_ttl": 1800, "daily_limit": 1_000_000}


@pytest.fixture(scope="session")
def world() -> HubSpotWorld:
    """The generated world the shared server starts from (do not modify)."""
    return generate_world(seed=SEED, size=SIZE)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    """The shared sandbox server."""
    with SandboxServer(port=0, seed=SEED, size=SIZE, rate_limit=0, search_rate_limit=0) as server:
        yield server


@pytest.fixture(scope="session")
def base_url(sandbox: SandboxServer) -> str:
    return sandbox.base_urls["hubspot"]


@pytest.fixture(scope="session")
def creds(sandbox: SandboxServer) -> dict[str, str]:
    return sandbox.credentials["hubspot"]


@pytest.fixture(scope="session")
def api(base_url: str, creds: dict[str, str]) -> Iterator[httpx.Client]:
    """httpx client authenticated with the private-app token."""
    headers = {"Authorization": f"Bearer {creds['private_app_token']}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=10) as client:
        yield client


@pytest.fixture(scope="session")
def admin(base_url: str) -> Iterator[httpx.Client]:
    """httpx client for the /_sandbox control endpoints."""
    with httpx.Client(base_url=base_url, headers=ADMIN, timeout=30) as client:
        yield client


@pytest.fixture(autouse=True)
def _reset_controls(admin: httpx.Client) -> Iterator[None]:
    yield
    admin.delete("/_sandbox/faults").raise_for_status()
    admin.post("/_sandbox/config", json=BASE_CONFIG).raise_for_status()


@pytest.fixture
def restore_world(admin: httpx.Client, world: HubSpotWorld) -> Iterator[None]:
    """Put the pristine generated world back after a data-changing test."""
    yield
    admin.put("/_sandbox/world", json=world.to_fixture()).raise_for_status()
