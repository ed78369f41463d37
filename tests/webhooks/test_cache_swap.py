"""Issue 9 item 5: editing a connector while inbox workers fetch through it breaks nothing.

Several workers share one ``ConnectorCache`` (as in ``hub serve``); the connector is renamed over
and over while they fetch named records from the sandbox. The old connector must stay open until the
workers using it are done: no event fails, none is retried because of a swap.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import httpx
from sqlalchemy import func, select

from connectors.sdk import InboundRequest, WebhookEvent
from hub.connector_store import ConnectorUpdate
from hub.context import Hub
from hub.db.schema import inbox_events
from hub.inbound import INBOX, connector_cache, inbox_worker
from sandbox.server import SandboxServer
from tests.sandbox_fixtures import hubspot_connector


def test_renames_during_webhook_processing_break_no_fetch(
    hub: Hub, sandbox: SandboxServer, upstream: httpx.Client
) -> None:
    hub.store.create(hubspot_connector(sandbox))
    world = upstream.get("/_sandbox/world").json()["hubspot"]
    companies = [str(c["id"]) for c in world["companies"][:60]]
    # every fetch takes a while, so fetches and swaps overlap
    upstream.post("/_sandbox/faults", json={"kind": "slow", "delay_s": 0.05, "times": 1000, "path_prefix": "/crm"})
    inbound = InboundRequest(method="POST", url="http://hub/webhooks/hs", headers={}, body=b"[]")
    with hub.engine.begin() as conn:
        for company in companies:  # one delivery per event: many small claims
            event = WebhookEvent(object="companies", external_id=company, event_id=f"e-{company}")
            INBOX.store(conn, "hs", inbound, [event], datetime.now(UTC))
    cache = connector_cache(hub, recheck_seconds=0)
    workers = [inbox_worker(hub, cache, batch=1, poll=0.01) for _ in range(4)]
    stop = threading.Event()
    renames = 0

    def rename() -> None:
        nonlocal renames
        while not stop.is_set():
            hub.store.update("hs", ConnectorUpdate(name=f"portal {renames}"))
            cache.forget("hs")
            renames += 1
            time.sleep(0.01)

    renamer = threading.Thread(target=rename)
    renamer.start()
    for worker in workers:
        worker.start()
    try:
        deadline = time.monotonic() + 60
        while True:
            with hub.engine.connect() as conn:
                left = conn.execute(
                    select(func.count()).select_from(inbox_events).where(inbox_events.c.state != "applied")
                ).scalar_one()
            if not left:
                break
            assert time.monotonic() < deadline, "events were not all applied"
            time.sleep(0.05)
    finally:
        stop.set()
        renamer.join()
        for worker in workers:
            worker.stop()
        cache.close()
    assert renames > 10
    with hub.engine.connect() as conn:
        rows = conn.execute(select(inbox_events.c.attempts, inbox_events.c.last_error)).all()
    assert len(rows) == len(companies)
    assert [r for r in rows if r.attempts != 1 or r.last_error] == [], "an event failed or was retried"
