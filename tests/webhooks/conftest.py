"""A running hub (real HTTP, uvicorn in a thread) with a HubSpot connector on the sandbox, and a
signer that uses HubSpot's official SDK — not the hub's verifier — to sign deliveries."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hubspot.utils.signature import Signature

from hub.api import create_app
from hub.context import Hub
from hub.inbound import connector_cache, inbox_worker
from hub.serving import BackgroundServer
from sandbox.server import SandboxServer
from tests.conftest import ADMIN_TOKEN, make_settings
from tests.sandbox_fixtures import hubspot_connector
from webhooks.worker import InboxWorker


@dataclass
class Running:
    hub: Hub
    url: str
    worker: InboxWorker
    secret: str
    api: httpx.Client

    def endpoint(self, connector_id: str = "hs") -> str:
        return f"{self.url}/webhooks/{connector_id}"

    def deliver(
        self,
        events: list[dict[str, Any]],
        *,
        secret: str | None = None,
        age_seconds: float = 0,
        body: bytes | None = None,
        sign_body: bytes | None = None,
        connector_id: str = "hs",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        raw = body if body is not None else json.dumps(events).encode()
        uri = self.endpoint(connector_id)
        timestamp = str(int((time.time() - age_seconds) * 1000))
        signature = Signature.get_signature(
            secret or self.secret, (sign_body or raw).decode(), "v3", http_uri=uri, timestamp=timestamp
        )
        sent = {"Content-Type": "application/json", "X-HubSpot-Signature-v3": signature,
                "X-HubSpot-Request-Timestamp": timestamp, **(headers or {})}  # fmt: skip
        return httpx.post(uri, content=raw, headers=sent, timeout=10)


def event(event_id: int, object_id: str, kind: str = "company.propertyChange", **extra: Any) -> dict[str, Any]:
    return {"eventId": event_id, "subscriptionId": 1, "portalId": 62515, "appId": 54321,
            "occurredAt": int(time.time() * 1000), "subscriptionType": kind, "attemptNumber": 0,
            "objectId": int(object_id), "changeSource": "CRM", **extra}  # fmt: skip


@pytest.fixture
def running(
    db_url: str,
    tmp_path: Path,
    sandbox: SandboxServer,
    upstream: httpx.Client,
) -> Iterator[Running]:
    settings = make_settings(
        db_url, tmp_path, webhook_retry_base_seconds=0.05, webhook_max_attempts=3, webhook_claim_seconds=2
    )
    hub = Hub.from_settings(settings)
    hub.store.create(hubspot_connector(sandbox))
    cache = connector_cache(hub)
    worker = inbox_worker(hub, cache)
    api = httpx.Client(headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=30)
    with BackgroundServer(create_app(hub, admin_token=ADMIN_TOKEN)) as server:
        api.base_url = httpx.URL(server.url)
        yield Running(hub, server.url, worker, sandbox.credentials["hubspot"]["client_secret"], api)
    api.close()
    cache.close()
    hub.close()
