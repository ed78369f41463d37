"""The sandbox's HubSpot sends real signed webhooks to a running hub: changes flow in, duplicates
and reordering change nothing, and a database outage answers 503 until the sender's retry lands."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from hub.api import create_app
from hub.context import Hub
from hub.db.schema import inbox_events, ledger_entries
from hub.serving import BackgroundServer
from sandbox.server import SandboxServer
from tests.conftest import ADMIN_TOKEN, PG_SERVER, make_settings
from tests.sandbox_fixtures import hubspot_connector

AUTH = {"Authorization": "Bearer pat-na1-sandbox"}


@dataclass
class Live:
    hub: Hub
    admin: httpx.Client
    api: httpx.Client

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.05)

    def golden_name(self, company: str) -> str | None:
        with self.hub.reader.connect() as conn:
            entry = conn.execute(
                select(ledger_entries.c.canonical_id).where(ledger_entries.c.external_id == company).limit(1)
            ).first()
        if entry is None:
            return None
        found = self.api.get(f"/api/v1/organizations/{entry.canonical_id}")
        return found.json()["fields"].get("name") if found.status_code == 200 else None

    def upstream_name(self, company: str) -> str:
        return str(self.admin.get(f"/crm/v3/objects/companies/{company}", headers=AUTH).json()["properties"]["name"])

    def pending(self) -> int:
        with self.hub.reader.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(inbox_events).where(inbox_events.c.state != "applied")
                ).scalar_one()
            )


@pytest.fixture
def live(db_url: str, tmp_path: Path) -> Iterator[Live]:
    settings = make_settings(db_url, tmp_path, webhook_store_timeout_seconds=1.0, webhook_retry_base_seconds=0.05)
    hub = Hub.from_settings(settings)
    with SandboxServer(port=0, seed=5, size=200, rate_limit=0, search_rate_limit=0) as sandbox:
        hub.store.create(hubspot_connector(sandbox))
        with BackgroundServer(create_app(hub, admin_token=ADMIN_TOKEN, workers=1)) as server:
            creds = sandbox.credentials["hubspot"]
            admin = httpx.Client(
                base_url=sandbox.base_urls["hubspot"], headers={"X-Sandbox-Admin": creds["admin_token"]}
            )
            api = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
            configured = admin.put("/_sandbox/webhooks", json={
                "target_url": f"{server.url}/webhooks/hs", "retry_base_s": 0.2, "retry_max_s": 1, "max_attempts": 20,
                "timeout_s": 5, "batch_window_s": 0.02,
            })  # fmt: skip
            assert configured.status_code == 200, configured.text
            hub.runner.run_all("hs", mode="full")
            yield Live(hub, admin, api)
            admin.close()
            api.close()
    hub.close()


def _companies(live: Live, n: int) -> list[str]:
    results = live.admin.get("/crm/v3/objects/companies", params={"limit": n}, headers=AUTH).json()["results"]
    return [str(r["id"]) for r in results]


def test_an_upstream_change_flows_in_by_webhook(live: Live) -> None:
    (company,) = _companies(live, 1)
    live.admin.patch(f"/crm/v3/objects/companies/{company}", json={"properties": {"name": "Pushed By Webhook"}},
                     headers=AUTH)  # fmt: skip
    live.wait(lambda: live.golden_name(company) == "Pushed By Webhook", "the webhook to reach the golden record")
    deliveries = live.admin.get("/_sandbox/webhooks/deliveries").json()["results"]
    assert any(d["status"] == 202 for d in deliveries)


def test_duplicates_and_reordering_apply_each_change_once(live: Live) -> None:
    live.admin.post("/_sandbox/webhooks/chaos", json={"duplicate": 1.0, "reorder": True, "seed": 3})
    before = live.hub.reader.connect().execute(select(func.count()).select_from(ledger_entries)).scalar_one()
    changed = live.admin.post("/_sandbox/mutate", json={"object": "companies", "count": 8, "seed": 9}).json()["updated"]
    flushed = live.admin.post("/_sandbox/webhooks/flush", json={"timeout_s": 15}).json()
    assert flushed["flushed"] and flushed["duplicates_sent"] > 0
    live.wait(lambda: live.pending() == 0, "the inbox to drain")
    for company in changed:
        assert live.golden_name(str(company)) == live.upstream_name(str(company))
    with live.hub.reader.connect() as conn:
        after = conn.execute(select(func.count()).select_from(ledger_entries)).scalar_one()
        per_record = conn.execute(
            select(ledger_entries.c.external_id, func.count()).where(ledger_entries.c.id > before)
            .group_by(ledger_entries.c.external_id)
        ).all()  # fmt: skip
    assert after - before == len(changed) and all(n == 1 for _, n in per_record)


@contextlib.contextmanager
def _outage(hub: Hub) -> Iterator[None]:
    """Make the database refuse the hub: a held write lock (SQLite) or refused connections (PostgreSQL)."""
    url = make_url(hub.settings.database_url)
    if url.get_backend_name() == "sqlite":
        blocker = sqlite3.connect(url.database or "", isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            blocker.execute("COMMIT")
            blocker.close()
        return
    server = make_url(PG_SERVER).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS false')
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (url.database,))
        try:
            yield
        finally:
            admin.execute(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS true')


def test_a_database_outage_answers_503_and_the_senders_retry_lands(live: Live) -> None:
    (company,) = _companies(live, 1)
    live.admin.delete("/_sandbox/webhooks/deliveries")
    statuses: list[Any] = []
    with _outage(live.hub):
        live.admin.patch(f"/crm/v3/objects/companies/{company}", json={"properties": {"name": "Survived Outage"}},
                         headers=AUTH)  # fmt: skip

        def refused() -> bool:
            statuses[:] = [d["status"] for d in live.admin.get("/_sandbox/webhooks/deliveries").json()["results"]]
            return 503 in statuses

        live.wait(refused, "the hub to answer 503 during the outage")
    live.wait(lambda: live.golden_name(company) == "Survived Outage", "the retried delivery to be applied", 30)
    final = [d["status"] for d in live.admin.get("/_sandbox/webhooks/deliveries").json()["results"]]
    assert 503 in final and 202 in final
