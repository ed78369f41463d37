"""Helpers of the HubSpot connector tests against the sandbox (real HTTP on loopback).

``sandbox`` and ``upstream`` come from ``tests/sandbox_fixtures.py``; ``upstream`` restores the
shared world, faults and runtime config after each test, so a test may replace the world freely.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from connectors.hubspot import HubSpotConfig, HubSpotConnector
from sandbox.server import SandboxServer
from tests.policy import SANDBOX_OUTBOUND

EPOCH = "1970-01-01T00:00:00.000Z"
RUNTIME_DEFAULTS = {
    "retry_after": 1, "daily_limit": 1_000_000, "search_result_cap": 10_000,
    "association_page_size": 100, "association_batch_page_size": 500,
}  # fmt: skip


def hubspot_config(sandbox: SandboxServer, *, private_app: bool = False, **extra: Any) -> HubSpotConfig:
    creds = sandbox.credentials["hubspot"]
    auth: dict[str, Any]
    if private_app:
        auth = {"auth_type": "private_app", "access_token": SecretStr(creds["private_app_token"])}
    else:
        auth = {"auth_type": "oauth", "client_id": creds["client_id"],
                "client_secret": SecretStr(creds["client_secret"]),
                "refresh_token": SecretStr(creds["refresh_token"])}  # fmt: skip
    return HubSpotConfig(base_url=sandbox.base_urls["hubspot"], incremental_lookback_seconds=0, **auth, **extra)


@pytest.fixture
def hubspot(upstream: httpx.Client) -> Iterator[httpx.Client]:
    """The admin client; also puts the runtime config this package's tests change back."""
    yield upstream
    upstream.post("/_sandbox/config", json=RUNTIME_DEFAULTS)


def connector(sandbox: SandboxServer, **config: Any) -> HubSpotConnector:
    return HubSpotConnector(hubspot_config(sandbox, **config), outbound=SANDBOX_OUTBOUND)


def put_world(admin: httpx.Client, **section: Any) -> None:
    """Replace the sandbox's HubSpot data with ``section`` (companies, contacts, deals, associations)."""
    response = admin.put("/_sandbox/world", json={"format": "partner-hub-sandbox/1", "hubspot": section}, timeout=120)
    assert response.status_code == 200, response.text


def requests_to(admin: httpx.Client, fragment: str, status: int | None = None) -> int:
    """How many requests the sandbox answered on route templates containing ``fragment``."""
    stats = admin.get("/_sandbox/stats").json()["requests"]
    return sum(r["count"] for r in stats if fragment in r["path"] and (status is None or r["status"] == status))
