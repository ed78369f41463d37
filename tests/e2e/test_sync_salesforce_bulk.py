"""A full sync through Bulk API 2.0 query jobs lands exactly what the REST full sync lands.

Same sandbox world, same connector id: a REST full sync, then a bulk one (``bulk_threshold: 1``)
must change nothing — every record's content hash is already in the ledger and the golden records
stay as they were — and the cursor it leaves must let the next incremental (REST) run pick up the
changes made after it. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from hub.connector_store import ConnectorCreate
from hub.context import Hub
from hub.db.schema import golden_records, ledger_entries
from sandbox.server import SandboxServer
from tests.sandbox_fixtures import SF_TOKEN


def _connector(sandbox: SandboxServer, **config: Any) -> ConnectorCreate:
    creds = sandbox.credentials["salesforce"]
    return ConnectorCreate(
        id="sf", kind="salesforce",
        config={"login_url": creds["base_url"], "api_version": "59.0", "client_id": creds["consumer_key"],
                "verify_tls": creds["cert_path"], "page_size": 200, "incremental_lookback_seconds": 0, **config},
        credentials={"client_secret": creds["consumer_secret"], "outbound_message_token": SF_TOKEN},
    )  # fmt: skip


def _ledger(hub: Hub) -> dict[tuple[str, str], list[str]]:
    out: dict[tuple[str, str], list[str]] = {}
    with hub.reader.connect() as conn:
        rows = conn.execute(
            select(ledger_entries.c.source_object, ledger_entries.c.external_id, ledger_entries.c.content_hash)
            .where(ledger_entries.c.source_system == "salesforce")
            .order_by(ledger_entries.c.id)
        )
        for row in rows:
            out.setdefault((row.source_object, row.external_id), []).append(row.content_hash)
    return out


def _golden(hub: Hub) -> dict[str, Any]:
    with hub.reader.connect() as conn:
        return {r.canonical_id: r.fields for r in conn.execute(select(golden_records))}


def _jobs_created(admin: httpx.Client) -> int:
    rows = admin.get("/_sandbox/stats").json()["requests"]
    return sum(r["count"] for r in rows if r["method"] == "POST" and r["path"].endswith("/jobs/query"))


def test_bulk_full_sync_equals_rest_and_keeps_the_cursor_right(
    hub: Hub, sandbox: SandboxServer, sf_admin: httpx.Client
) -> None:
    sf_admin.delete("/_sandbox/stats")
    hub.store.create(_connector(sandbox, bulk_threshold=0))
    runs = hub.runner.run_all("sf", mode="full")
    assert [r.status for r in runs] == ["succeeded"] * len(runs), [r.error for r in runs]
    assert _jobs_created(sf_admin) == 0
    ledger, golden = _ledger(hub), _golden(hub)
    assert len(ledger) > 500 and golden

    hub.store.upsert(_connector(sandbox, bulk_threshold=1, bulk_max_records=300))
    runs = hub.runner.run_all("sf", mode="full")
    assert [r.status for r in runs] == ["succeeded"] * len(runs), [r.error for r in runs]
    assert _jobs_created(sf_admin) == len(runs)  # every stream went through a query job
    assert sum(r.outcome.changed for r in runs) == 0, [(r.stream, r.outcome) for r in runs]
    assert all(r.tombstoned == 0 for r in runs)
    assert _ledger(hub) == ledger and _golden(hub) == golden

    sf_admin.post("/_sandbox/clock", json={"advance_s": 5})
    sf_admin.post("/_sandbox/mutate", json={"object": "Account", "count": 3, "seed": 21}).raise_for_status()
    later = {r.stream: r for r in hub.runner.run_all("sf")}
    accounts = later["accounts"]
    assert accounts.status == "succeeded" and accounts.mode == "incremental", accounts.error
    assert accounts.outcome.changed >= 3
    assert _jobs_created(sf_admin) == len(later)  # incremental reads stay on REST queries
    with hub.reader.connect() as conn:
        total = conn.execute(select(func.count()).select_from(ledger_entries)).scalar_one()
    assert total >= sum(len(v) for v in ledger.values()) + 3
