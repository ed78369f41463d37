"""Fixtures of a running HubSpot sandbox (real HTTP on loopback) and helpers to drive it.

Loaded for the whole suite by ``pytest_plugins`` in ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from hub.connector_store import ConnectorCreate
from hub.context import Hub
from sandbox.server import SandboxServer

WORLD_SIZE = 1000


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port=0, seed=11, size=WORLD_SIZE, rate_limit=0, search_rate_limit=0) as server:
        yield server


@pytest.fixture
def upstream(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    """Admin client of the sandbox; resets its world and faults around each test."""
    creds = sandbox.credentials["hubspot"]
    client = httpx.Client(base_url=sandbox.base_urls["hubspot"], headers={"X-Sandbox-Admin": creds["admin_token"]})
    world = client.get("/_sandbox/world").json()
    client.delete("/_sandbox/faults")
    yield client
    client.delete("/_sandbox/faults")
    client.put("/_sandbox/world", json=world)
    client.post("/_sandbox/config", json={"rate_limit": 0, "search_rate_limit": 0})
    client.close()


def hubspot_connector(sandbox: SandboxServer, connector_id: str = "hs", **config: Any) -> ConnectorCreate:
    creds = sandbox.credentials["hubspot"]
    return ConnectorCreate(
        id=connector_id,
        kind="hubspot",
        config={"base_url": sandbox.base_urls["hubspot"], "auth_type": "oauth", "client_id": creds["client_id"],
                "incremental_lookback_seconds": 0, **config},
        credentials={"client_secret": creds["client_secret"], "refresh_token": creds["refresh_token"]},
    )  # fmt: skip


@pytest.fixture
def connected(hub: Hub, sandbox: SandboxServer, upstream: httpx.Client) -> Hub:
    hub.store.create(hubspot_connector(sandbox))
    return hub


def world_counts(upstream: httpx.Client) -> dict[str, Any]:
    world = upstream.get("/_sandbox/world").json()["hubspot"]
    return {
        "companies": len(world["companies"]),
        "contacts": len(world["contacts"]),
        "deals": len(world["deals"]),
        "entities": len(world["entities"]),
        "people": len(world.get("people") or {}),
        "defects": {(d["object"], d["id"]) for d in world["defects"]},
    }


SF_TOKEN = "sf-outbound-token-0123456789"


@pytest.fixture
def sf(hub: Hub, sandbox: SandboxServer) -> Hub:
    creds = sandbox.credentials["salesforce"]
    hub.store.create(
        ConnectorCreate(
            id="sf", kind="salesforce",
            config={"login_url": creds["base_url"], "api_version": "59.0", "client_id": creds["consumer_key"],
                    "verify_tls": creds["cert_path"], "page_size": 200, "incremental_lookback_seconds": 0},
            credentials={"client_secret": creds["consumer_secret"], "outbound_message_token": SF_TOKEN},
        )
    )  # fmt: skip
    return hub


@pytest.fixture
def sf_admin(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    creds = sandbox.credentials["salesforce"]
    client = httpx.Client(
        base_url=creds["base_url"], verify=creds["cert_path"], headers={"X-Sandbox-Admin": creds["admin_token"]}
    )
    world = client.get("/_sandbox/world").json()
    yield client
    client.delete("/_sandbox/salesforce/outbound")
    client.put("/_sandbox/world", json=world)
    client.close()
