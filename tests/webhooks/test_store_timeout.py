"""Issue 9 item 8: under a SQLite write lock a delivery waits ``webhook_store_timeout_seconds`` at most,
counted from its arrival: time queued behind other deliveries for a worker thread is part of the wait,
so a burst under a lock answers 503 within the setting instead of lining up for ever longer."""

from __future__ import annotations

import json
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio.to_thread
import httpx
import pytest
from hubspot.utils.signature import Signature
from sqlalchemy.engine import make_url

from hub.api import create_app
from hub.context import Hub
from hub.serving import BackgroundServer
from sandbox.server import SandboxServer
from tests.conftest import ADMIN_TOKEN, make_settings
from tests.sandbox_fixtures import hubspot_connector


def test_a_burst_under_a_sqlite_lock_waits_only_the_store_timeout(
    db_url: str, tmp_path: Path, sandbox: SandboxServer, upstream: httpx.Client
) -> None:
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("a SQLite write lock")
    hub = Hub.from_settings(make_settings(db_url, tmp_path, webhook_store_timeout_seconds=1))
    hub.store.create(hubspot_connector(sandbox))
    secret = sandbox.credentials["hubspot"]["client_secret"]
    app = create_app(hub, admin_token=ADMIN_TOKEN)

    @app.get("/_test/threads")
    async def few_threads() -> dict[str, int]:  # two worker threads: a burst queues for them
        anyio.to_thread.current_default_thread_limiter().total_tokens = 2
        return {"threads": 2}

    with BackgroundServer(app) as server:
        assert httpx.get(f"{server.url}/_test/threads").status_code == 200

        def deliver(n: int) -> tuple[int, float]:
            body = json.dumps([{"eventId": n, "subscriptionType": "company.propertyChange", "objectId": 1,
                                "occurredAt": int(time.time() * 1000), "portalId": 1}]).encode()  # fmt: skip
            timestamp, uri = str(int(time.time() * 1000)), f"{server.url}/webhooks/hs"
            signature = Signature.get_signature(secret, body.decode(), "v3", http_uri=uri, timestamp=timestamp)
            headers = {"Content-Type": "application/json", "X-HubSpot-Signature-v3": signature,
                       "X-HubSpot-Request-Timestamp": timestamp}  # fmt: skip
            started = time.monotonic()
            response = httpx.post(uri, content=body, headers=headers, timeout=60)
            return response.status_code, time.monotonic() - started

        assert deliver(0)[0] == 202
        locker = sqlite3.connect(str(url.database), isolation_level=None)
        try:
            locker.execute("BEGIN IMMEDIATE")
            with ThreadPoolExecutor(8) as pool:
                answers = list(pool.map(deliver, range(1, 9)))
            locker.execute("ROLLBACK")
        finally:
            locker.close()
        assert {status for status, _ in answers} == {503}
        slowest = max(seconds for _, seconds in answers)
        # before: 8 deliveries through 2 threads, 1 s each, the last answered after ~4 s
        assert slowest < 2.5, f"a delivery waited {slowest:.1f} s for a 1 s store timeout"
    hub.close()
