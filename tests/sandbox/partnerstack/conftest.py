"""Fixtures for the PartnerStack simulator tests: one shared background server for the session.

Tests that change data use ``ps_restore`` (puts the pristine world back); webhook tests use
``ps_hooks`` (a recording receiver and fast delivery settings, everything reset afterwards).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from sandbox.partnerstack import PartnerStackServer, PartnerStackWorld, generate_world
from tests.sandbox.partnerstack.receiver import Receiver

SEED = 7
SIZE = 300
ADMIN = {"X-Sandbox-Admin": "sandbox-admin"}
FAST_HOOKS = {"retry_base_s": 0.05, "retry_max_s": 0.2, "timeout_s": 1.0, "max_attempts": 4, "hold_s": 0.02}


@pytest.fixture(autouse=True)
def _reset_controls() -> None:
    """Overrides ``tests/sandbox/conftest.py``'s autouse fixture (which drives the HubSpot sandbox)."""


@pytest.fixture(scope="session")
def ps_world() -> PartnerStackWorld:
    """The generated world the shared server starts from (do not modify)."""
    return generate_world(seed=SEED, size=SIZE)


@pytest.fixture(scope="session")
def ps_server(ps_world: PartnerStackWorld) -> Iterator[PartnerStackServer]:
    """The shared PartnerStack sandbox."""
    with PartnerStackServer(fixture=ps_world.to_fixture()) as server:
        yield server


@pytest.fixture(scope="session")
def ps(ps_server: PartnerStackServer) -> Iterator[httpx.Client]:
    """API client authenticated with the live key pair."""
    with httpx.Client(base_url=ps_server.base_url + "/api/v2", auth=ps_server.auth, timeout=10) as client:
        yield client


@pytest.fixture(scope="session")
def ps_admin(ps_server: PartnerStackServer) -> Iterator[httpx.Client]:
    """Client for the ``/_sandbox`` control endpoints."""
    with httpx.Client(base_url=ps_server.base_url, headers=ADMIN, timeout=30) as client:
        yield client


@pytest.fixture
def ps_restore(ps_admin: httpx.Client, ps_world: PartnerStackWorld) -> Iterator[None]:
    """Put the pristine world back (and clear faults) after a data-changing test."""
    yield
    ps_admin.put("/_sandbox/world", json=ps_world.to_fixture()).raise_for_status()
    ps_admin.delete("/_sandbox/faults").raise_for_status()


@pytest.fixture(scope="session")
def ps_receiver() -> Iterator[Receiver]:
    """The recording webhook target."""
    target = Receiver().start()
    yield target
    target.stop()


@dataclass
class Hooks:
    """Handles for one webhook test."""

    api: httpx.Client
    admin: httpx.Client
    receiver: Receiver

    def register(self, *events: str, **extra: Any) -> dict[str, Any]:
        """``POST /webhooks`` towards the receiver; returns the webhook object."""
        body = {"target": self.receiver.url, "events": list(events), **extra}
        response = self.api.post("/webhooks", json=body)
        response.raise_for_status()
        data: dict[str, Any] = response.json()["data"]
        return data

    def flush(self, retry_now: bool = False) -> dict[str, Any]:
        """Wait until every delivery is done; asserts it finished."""
        response = self.admin.post("/_sandbox/webhooks/flush", json={"timeout_s": 5, "retry_now": retry_now})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        assert result["flushed"], result
        return result

    def log(self, **filters: Any) -> list[dict[str, Any]]:
        """The delivery log."""
        response = self.admin.get("/_sandbox/webhooks/deliveries", params=filters)
        response.raise_for_status()
        rows: list[dict[str, Any]] = response.json()["results"]
        return rows


@pytest.fixture
def ps_hooks(ps: httpx.Client, ps_admin: httpx.Client, ps_receiver: Receiver, ps_restore: None) -> Iterator[Hooks]:
    """Fast delivery settings and a clean receiver; registrations, chaos and log reset afterwards."""
    ps_receiver.reset()
    ps_admin.delete("/_sandbox/webhooks/deliveries").raise_for_status()
    ps_admin.put("/_sandbox/webhooks", json=FAST_HOOKS).raise_for_status()
    yield Hooks(ps, ps_admin, ps_receiver)
    ps_admin.delete("/_sandbox/webhooks").raise_for_status()
    ps_admin.delete("/_sandbox/webhooks/chaos").raise_for_status()
    ps_admin.post("/_sandbox/webhooks/flush", json={"timeout_s": 3}).raise_for_status()
    ps_receiver.reset()
