"""Fixtures for the HubSpot simulator tests: one shared background server for the session.

The shared server runs with rate limits off; tests that need limits switch them on through
``POST /_sandbox/config`` and the autouse fixture below restores the defaults and clears faults.
Tests that change data restore the generated world with ``restore_world``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from sandbox.server import SandboxServer
from sandbox.world import HubSpotWorld, generate_world
from tests.sandbox.webhook_receiver import Receiver

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


# -- webhook delivery (a small sandbox of its own, so the shared one never sends webhooks) ------------

HOOK_SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
HOOK_DEFAULTS: dict[str, Any] = {
    "client_secret": HOOK_SECRET,
    "batch_window_s": 0.02,
    "retry_base_s": 0.05,
    "timeout_s": 1.0,
    "max_attempts": 5,
    "batch_size": 100,
    "subscriptions": ["*"],
    "signature_versions": ["v1", "v3"],
}


@dataclass
class Hooks:
    """Handles for one webhook test: the sandbox, its admin/API clients and the receiver."""

    server: SandboxServer
    admin: httpx.Client
    api: httpx.Client
    receiver: Receiver

    def configure(self, **overrides: Any) -> dict[str, Any]:
        """``PUT /_sandbox/webhooks`` with the test defaults (target = the receiver)."""
        body = {**HOOK_DEFAULTS, "target_url": self.receiver.url, **overrides}
        response = self.admin.put("/_sandbox/webhooks", json=body)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def mutate(self, **body: Any) -> dict[str, Any]:
        """``POST /_sandbox/mutate``."""
        response = self.admin.post("/_sandbox/mutate", json=body)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def flush(self, timeout_s: float = 5.0, retry_now: bool = False) -> dict[str, Any]:
        """``POST /_sandbox/webhooks/flush``; asserts it emptied the queue."""
        response = self.admin.post("/_sandbox/webhooks/flush", json={"timeout_s": timeout_s, "retry_now": retry_now})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        assert result["flushed"], result
        return result

    def deliveries(self, **params: Any) -> list[dict[str, Any]]:
        """The delivery log."""
        response = self.admin.get("/_sandbox/webhooks/deliveries", params=params)
        response.raise_for_status()
        rows: list[dict[str, Any]] = response.json()["results"]
        return rows


@pytest.fixture(scope="session")
def hook_server() -> Iterator[SandboxServer]:
    """A small sandbox used only by the webhook tests."""
    with SandboxServer(port=0, seed=3, size=60, rate_limit=0, search_rate_limit=0) as server:
        yield server


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    """The recording webhook target."""
    target = Receiver().start()
    yield target
    target.stop()


@pytest.fixture
def hooks(hook_server: SandboxServer, receiver: Receiver) -> Iterator[Hooks]:
    """Webhooks enabled towards ``receiver`` with fast test settings; everything reset afterwards."""
    base = hook_server.base_urls["hubspot"]
    token = {"Authorization": f"Bearer {hook_server.credentials['hubspot']['private_app_token']}"}
    with (
        httpx.Client(base_url=base, headers=ADMIN, timeout=30) as admin_client,
        httpx.Client(base_url=base, headers=token, timeout=10) as api_client,
    ):
        receiver.reset()
        admin_client.delete("/_sandbox/webhooks/deliveries").raise_for_status()
        handles = Hooks(hook_server, admin_client, api_client, receiver)
        handles.configure()
        yield handles
        admin_client.delete("/_sandbox/webhooks").raise_for_status()
        admin_client.delete("/_sandbox/webhooks/chaos").raise_for_status()
        admin_client.post("/_sandbox/webhooks/flush", json={"timeout_s": 3}).raise_for_status()
        receiver.reset()
