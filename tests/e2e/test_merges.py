"""A HubSpot merge reaches the hub by polling (``hs_merged_object_ids`` on the survivor) and by webhook
(``company.merge``): the merged-away record is tombstoned "merged into" the survivor, its xref points
at the survivor's record and records referencing it resolve to the survivor's golden record. Real
HTTP against the sandbox, SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hub.api import create_app
from hub.context import Hub
from hub.db.schema import golden_records, ledger_entries, match_pairs, source_records, xrefs
from hub.identity import steward
from hub.ledger.clusters import golden_ids
from hub.ledger.rebuild import rebuild
from hub.serving import BackgroundServer
from sandbox.server import SandboxServer
from tests.conftest import ADMIN_TOKEN, make_settings
from tests.sandbox_fixtures import hubspot_connector


def _state(hub: Hub, external_id: str, object_type: str = "companies") -> Any:
    with hub.reader.connect() as conn:
        return conn.execute(
            select(source_records).where(
                source_records.c.source_object == object_type, source_records.c.external_id == external_id
            )
        ).one()


def _pair_in_two_clusters(hub: Hub) -> tuple[str, str]:
    """Two live companies in different golden records; the second is a deal's customer."""
    with hub.reader.connect() as conn:
        deals = conn.execute(select(golden_records.c.fields).where(golden_records.c.entity_type == "opportunity"))
        customers = [d["customer_org_id"] for (d,) in deals if d.get("customer_org_id")]
        rows = conn.execute(
            select(source_records.c.external_id, source_records.c.canonical_id, source_records.c.golden_id).where(
                source_records.c.source_object == "companies", source_records.c.deleted.is_(False)
            )
        ).all()
    by_record = {r.canonical_id: r for r in rows}
    referenced = next(by_record[c] for c in customers if c in by_record)
    other = next(r for r in rows if r.golden_id != referenced.golden_id)
    return other.external_id, referenced.external_id


def assert_merged(hub: Hub, survivor: str, gone: str) -> None:
    kept, old = _state(hub, survivor), _state(hub, gone)
    assert not kept.deleted and old.deleted
    with hub.reader.connect() as conn:
        raws = conn.execute(
            select(ledger_entries.c.raw).where(ledger_entries.c.external_id == gone, ledger_entries.c.op == "delete")
        ).scalars()
        assert list(raws) == [{"cause": f"merged into {survivor}"}]
        key = (xrefs.c.external_id == gone, xrefs.c.source_object == "companies")
        xref = conn.execute(select(xrefs).where(*key)).one()
        assert (xref.canonical_id, xref.status) == (kept.canonical_id, "merged")
        clusters = golden_ids(conn, [old.canonical_id, kept.canonical_id])
        assert clusters[old.canonical_id] == clusters[kept.canonical_id]  # references to it resolve to the survivor
        pair = conn.execute(select(match_pairs).where(match_pairs.c.rule == "upstream_merge")).one()
        assert pair.state == "merged" and {pair.record_a, pair.record_b} == {old.canonical_id, kept.canonical_id}
        survivor_golden = golden_records.c.canonical_id == clusters[kept.canonical_id]
        assert conn.execute(select(golden_records).where(survivor_golden)).one() is not None


def test_a_merge_seen_by_polling_repoints_the_merged_record(
    connected: Hub, sandbox: SandboxServer, upstream: httpx.Client
) -> None:
    assert all(r.status == "succeeded" for r in connected.runner.run_all("hs", mode="full"))
    survivor, gone = _pair_in_two_clusters(connected)
    token = {"Authorization": f"Bearer {sandbox.credentials['hubspot']['private_app_token']}"}
    body = {"primaryObjectId": survivor, "objectIdToMerge": gone}
    merged = upstream.post("/crm/objects/2026-03/companies/merge", json=body, headers=token)
    assert merged.status_code == 200, merged.text
    run = connected.runner.run("hs", "companies")
    assert run.mode == "incremental" and run.status == "succeeded"
    assert_merged(connected, survivor, gone)
    again = connected.runner.run("hs", "companies", mode="full")  # idempotent: nothing new, nothing absent
    assert again.outcome.changed == 0 and again.tombstoned == 0

    with connected.engine.begin() as conn:  # the merge decision replays: the clusters survive a rebuild
        rebuild(conn)
    assert_merged(connected, survivor, gone)

    kept, old = _state(connected, survivor), _state(connected, gone)
    with connected.engine.begin() as conn:  # a steward splits them: the next reads do not merge them again
        pair = conn.execute(select(match_pairs).where(match_pairs.c.rule == "upstream_merge")).one()
        decision = conn.execute(
            select(ledger_entries.c.id).where(ledger_entries.c.external_id == pair.id, ledger_entries.c.op == "merge")
        ).scalar_one()
        steward.unmerge(conn, "organization", kept.golden_id, "steward", datetime.now(UTC), decision_id=decision)
    assert connected.runner.run("hs", "companies", mode="full").status == "succeeded"
    with connected.reader.connect() as conn:
        clusters = golden_ids(conn, [old.canonical_id, kept.canonical_id])
    assert clusters[old.canonical_id] != clusters[kept.canonical_id] and _state(connected, gone).deleted


@pytest.fixture
def live(db_url: str, tmp_path: Path) -> Iterator[tuple[Hub, httpx.Client, httpx.Client]]:
    hub = Hub.from_settings(make_settings(db_url, tmp_path, webhook_retry_base_seconds=0.05))
    with SandboxServer(port=0, seed=5, size=200, rate_limit=0, search_rate_limit=0) as sandbox:
        hub.store.create(hubspot_connector(sandbox))
        with BackgroundServer(create_app(hub, admin_token=ADMIN_TOKEN, workers=1)) as server:
            creds = sandbox.credentials["hubspot"]
            admin = httpx.Client(
                base_url=sandbox.base_urls["hubspot"], headers={"X-Sandbox-Admin": creds["admin_token"]}
            )
            api = httpx.Client(
                base_url=sandbox.base_urls["hubspot"], headers={"Authorization": f"Bearer {creds['private_app_token']}"}
            )
            configured = admin.put("/_sandbox/webhooks", json={
                "target_url": f"{server.url}/webhooks/hs", "subscriptions": ["company.merge"], "retry_base_s": 0.2,
                "max_attempts": 20, "timeout_s": 5, "batch_window_s": 0.02,
            })  # fmt: skip
            assert configured.status_code == 200, configured.text
            assert all(r.status == "succeeded" for r in hub.runner.run_all("hs", mode="full"))
            yield hub, admin, api
            admin.close()
            api.close()
    hub.close()


def test_a_merge_webhook_repoints_the_merged_record(live: tuple[Hub, httpx.Client, httpx.Client]) -> None:
    hub, admin, api = live
    survivor, gone = _pair_in_two_clusters(hub)
    merged = api.post("/crm/v3/objects/companies/merge", json={"primaryObjectId": survivor, "objectIdToMerge": gone})
    assert merged.status_code == 200, merged.text
    assert admin.post("/_sandbox/webhooks/flush", json={"timeout_s": 10}).json()["flushed"]
    deadline = time.monotonic() + 20
    while not _state(hub, gone).deleted:
        assert time.monotonic() < deadline, "the merge event was not applied"
        time.sleep(0.05)
    assert_merged(hub, survivor, gone)
    deliveries = admin.get("/_sandbox/webhooks/deliveries").json()["results"]
    assert any(d["status"] == 202 for d in deliveries)
