"""Salesforce synced into the ledger over HTTPS from its sandbox; Outbound Messages flow into the inbox."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from hub.api import create_app
from hub.context import Hub
from hub.db.schema import golden_records, inbox_events, ledger_entries
from hub.inbound import connector_cache, inbox_worker
from hub.serving import BackgroundServer
from tests.conftest import ADMIN_TOKEN
from tests.sandbox_fixtures import SF_TOKEN

TOKEN = SF_TOKEN


def _count(hub: Hub, *where: object) -> int:
    with hub.reader.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(golden_records).where(*where)).scalar_one())  # type: ignore[arg-type]


def test_full_then_incremental_sync_with_partner_roles_and_deletes(sf: Hub, sf_admin: httpx.Client) -> None:
    runs = sf.runner.run_all("sf", mode="full")
    assert [r.status for r in runs] == ["succeeded"] * len(runs), [r.error for r in runs]
    for kind in ("organization", "person", "opportunity", "deal_registration", "partner_enrollment"):
        assert _count(sf, golden_records.c.entity_type == kind) > 0, kind
    assert _count(sf, golden_records.c.roles.like("%|partner|%")) > 0
    with sf.reader.connect() as conn:
        deals = [
            r.fields for r in conn.execute(select(golden_records).where(golden_records.c.entity_type == "opportunity"))
        ]
    assert any(p["role"] == "sourced" for d in deals for p in d.get("partner_roles", []))

    entries = _ledger(sf)
    sf_admin.post("/_sandbox/clock", json={"advance_s": 5})
    changed = sf_admin.post("/_sandbox/mutate", json={"object": "Account", "count": 4, "seed": 3}).json()
    deleted = sf_admin.post("/_sandbox/mutate", json={"object": "Contact", "delete": 2, "seed": 4}).json()
    runs = sf.runner.run_all("sf")
    by_stream = {r.stream: r for r in runs}
    assert all(r.status == "succeeded" for r in runs), [r.error for r in runs]
    assert by_stream["accounts"].mode == "incremental" and by_stream["accounts"].outcome.changed >= 4, changed
    assert by_stream["contacts"].outcome.changed >= 2, deleted
    with sf.reader.connect() as conn:
        ops = [r.op for r in conn.execute(select(ledger_entries.c.op).where(ledger_entries.c.id > entries))]
    assert ops.count("delete") >= 2


def _ledger(hub: Hub) -> int:
    with hub.reader.connect() as conn:
        return int(conn.execute(select(func.max(ledger_entries.c.id))).scalar() or 0)


def test_outbound_messages_are_acknowledged_and_applied(sf: Hub, sf_admin: httpx.Client) -> None:
    sf.runner.run_all("sf", mode="full", streams=["accounts"])
    with BackgroundServer(create_app(sf, admin_token=ADMIN_TOKEN)) as server:
        configured = sf_admin.put(
            "/_sandbox/salesforce/outbound",
            json={"target_url": f"{server.url}/webhooks/sf?token={TOKEN}", "objects": ["Account"], "enabled": True,
                  "batch_window_s": 0.01, "retry_base_s": 0.1},
        )  # fmt: skip
        assert configured.status_code == 200, configured.text
        sf_admin.post("/_sandbox/mutate", json={"object": "Account", "count": 3, "seed": 8})
        flushed = sf_admin.post("/_sandbox/salesforce/outbound/flush", json={"timeout_s": 10}, timeout=30).json()
        log = sf_admin.get("/_sandbox/salesforce/outbound/deliveries").json()
        assert flushed and any(d.get("outcome") == "delivered" for d in log.get("results", log)), log
        assert inbox_worker(sf, connector_cache(sf)).drain() >= 1
        refused = httpx.post(
            f"{server.url}/webhooks/sf?token=wrong", content=b"<x/>", headers={"Content-Type": "text/xml"}
        )
        assert refused.status_code == 401
    with sf.reader.connect() as conn:
        states = {r.state for r in conn.execute(select(inbox_events.c.state))}
    assert states == {"applied"}
