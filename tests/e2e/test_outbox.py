"""The transactional outbox against the HubSpot sandbox: rows inserted with the golden decision,
dry-run counts, transient failures retried on the next run, the result log, and crash safety with
real processes killed by SIGKILL between decision and push and between push and settling."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from hub.api import create_app
from hub.context import Hub
from hub.db.schema import golden_records, outbox, stream_state, write_log
from hub.writeback.dispatch import CRASH_ENV
from hub.writeback.run import writeback
from sandbox.server import SandboxServer
from tests.conftest import ADMIN_TOKEN
from tests.sandbox_fixtures import hubspot_connector

UPSERT = "/crm/v3/objects/{objectType}/batch/upsert"
AUTH = {"Authorization": "Bearer pat-na1-sandbox"}


def _writes(upstream: httpx.Client) -> int:
    """Write requests HubSpot received (batch upserts, batch updates, creates)."""
    rows = upstream.get("/_sandbox/stats").json()["requests"]
    return sum(r["count"] for r in rows if r["method"] in ("POST", "PATCH") and "/batch/" in r["path"]
               and not r["path"].endswith("/read") and r["status"] < 300)  # fmt: skip


def _states(hub: Hub, object_name: str) -> Counter[str]:
    with hub.reader.connect() as conn:
        rows = conn.execute(
            select(outbox.c.state, func.count()).where(outbox.c.source_object == object_name).group_by(outbox.c.state)
        )
        return Counter({state: n for state, n in rows})


def test_the_golden_decision_and_its_writes_commit_together(connected: Hub, upstream: httpx.Client) -> None:
    connected.runner.run_all("hs", mode="full", streams=["companies"])
    states = _states(connected, "companies")
    assert states["pending"] > 0  # the sync's golden decisions left their writes in the outbox
    preview = writeback(connected, "hs", "companies", dry_run=True)
    assert preview.changed == states["pending"] and preview.invalid == 0 and preview.rejected == 0
    assert _writes(upstream) == 0  # nothing is pushed before a dispatcher runs
    with connected.reader.connect() as conn:
        row = conn.execute(select(outbox).where(outbox.c.state == "pending").limit(1)).one()
        golden = conn.execute(select(golden_records.c.fields).where(golden_records.c.canonical_id == row.canonical_id))
        fields = golden.scalar_one()
    for name, value in row.fields.items():
        # the row carries the golden values it was decided from, and the golden id for the hub-id slot
        assert (row.canonical_id if name == "hub_id" else fields[name]) == value


def test_failed_rows_are_retried_on_the_next_run_and_rejected_ones_counted(
    hub: Hub, sandbox: SandboxServer, upstream: httpx.Client
) -> None:
    hub.store.create(hubspot_connector(sandbox, max_retries=0))  # the dispatcher's own retries, quickly
    connected = hub
    connected.runner.run_all("hs", mode="full", streams=["contacts"])
    planned = writeback(connected, "hs", "contacts", dry_run=True).changed
    upstream.post("/_sandbox/faults", json={"kind": "status", "status": 503, "times": 1000,
                                            "path_prefix": "/crm/v3/objects/contacts/batch"})  # fmt: skip
    first = writeback(connected, "hs", "contacts")
    assert first.written == 0 and first.retrying == planned
    upstream.delete("/_sandbox/faults")
    victim = writeback(connected, "hs", "contacts", dry_run=True).sample[0]["key"]
    assert upstream.delete(f"/crm/v3/objects/contacts/{victim}", headers=AUTH).status_code == 204
    second = writeback(connected, "hs", "contacts")  # the failed rows go again, whatever their backoff
    assert second.written == planned - 1 and second.rejected == 1 and second.retrying == 0
    after = writeback(connected, "hs", "contacts", dry_run=True)
    assert after.changed == 0 and after.rejected == 1  # the rejected write is held, not retried blindly

    app = create_app(connected, admin_token=ADMIN_TOKEN)
    with TestClient(app, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as api:
        dry = api.post("/api/v1/connectors/hs/writeback", json={"object": "contacts", "dry_run": True}).json()
        assert (dry["changed"], dry["invalid"], dry["rejected"]) == (0, 0, 1)
        page = api.get("/api/v1/connectors/hs/writeback/results", params={"status": "failed", "limit": 5}).json()
        assert len(page["items"]) == 5 and page["next_after"]
        rest = api.get("/api/v1/connectors/hs/writeback/results",
                       params={"status": "failed", "after": page["next_after"], "limit": 1000}).json()  # fmt: skip
        assert len(page["items"]) + len(rest["items"]) == planned and rest["next_after"] is None
        rejected = api.get("/api/v1/connectors/hs/writeback/results", params={"status": "rejected"}).json()
        assert [r["external_id"] for r in rejected["items"]] == [victim] and rejected["items"][0]["error"]
        assert api.get("/api/v1/connectors/nope/writeback/results").status_code == 404
    with connected.reader.connect() as conn:
        statuses = Counter(conn.execute(select(write_log.c.status)).scalars())
    assert statuses == {"failed": planned, "sent": planned - 1, "rejected": 1}


@pytest.mark.parametrize("point", ["before_push", "after_push"])
def test_a_dispatcher_killed_mid_push_pushes_each_write_exactly_once(
    connected: Hub, upstream: httpx.Client, tmp_path: Path, point: str
) -> None:
    connected.runner.run_all("hs", mode="full", streams=["companies"])
    planned = writeback(connected, "hs", "companies", dry_run=True).changed
    assert planned > 0
    upstream.delete("/_sandbox/stats")
    settings = connected.settings
    assert settings.secret_key is not None
    env = {
        **os.environ, CRASH_ENV: point, "HUB_DATABASE_URL": settings.database_url,
        "HUB_SECRET_KEY": settings.secret_key.get_secret_value(), "HUB_DATA_DIR": str(tmp_path),
        "HUB_OUTBOUND_ALLOW": settings.outbound_allow,
    }  # fmt: skip
    child = subprocess.run([sys.executable, "-m", "hub.cli", "writeback", "hs", "companies"], env=env,
                           capture_output=True, timeout=120, check=False)  # fmt: skip
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]
    killed = _writes(upstream)
    assert killed == (0 if point == "before_push" else 1)
    assert _states(connected, "companies")["in_flight"] > 0  # the dead process's claim is left behind

    resumed = writeback(connected, "hs", "companies")  # a restart: the dead claimer's rows are taken over
    assert resumed.failed == 0
    batches = -(-planned // 100)  # HubSpot batches of 100
    assert _writes(upstream) == batches  # exactly one push of every write, across both processes
    states = _states(connected, "companies")
    assert states["in_flight"] == 0 and states["pending"] == 0
    with connected.reader.connect() as conn:
        settled = Counter(conn.execute(select(write_log.c.status)).scalars())
        per_row = Counter(conn.execute(select(write_log.c.outbox_id)).scalars())
    assert max(per_row.values()) == 1 and sum(per_row.values()) == planned
    if point == "before_push":
        assert settled == {"sent": planned}
    else:  # the first batch landed before the kill: re-read upstream, settled unchanged, not pushed again
        assert settled["unchanged"] == min(100, planned) and settled["sent"] == planned - settled["unchanged"]
    assert writeback(connected, "hs", "companies", dry_run=True).changed == 0


def test_a_waiting_write_made_stale_by_a_newer_upstream_change_is_superseded(
    connected: Hub, upstream: httpx.Client
) -> None:
    connected.runner.run_all("hs", mode="full", streams=["companies"])
    with connected.reader.connect() as conn:
        rows = conn.execute(
            select(outbox)
            .join(golden_records, golden_records.c.canonical_id == outbox.c.canonical_id)
            .where(outbox.c.state == "pending", golden_records.c.source_count == 1)
        ).fetchall()  # fmt: skip
    # a write of a phone number (not one that only stamps the hub id)
    row = next((r for r in rows if r.properties.get("phone")), None)
    assert row is not None
    # someone changes the number in HubSpot, in the canonical form: the golden record follows it
    changed = upstream.patch(f"/crm/v3/objects/companies/{row.external_id}", headers=AUTH,
                             json={"properties": {"phone": "+14155550199"}})  # fmt: skip
    assert changed.status_code == 200, changed.text
    connected.runner.run_all("hs", streams=["companies"])
    with connected.reader.connect() as conn:
        state = conn.execute(select(outbox.c.state).where(outbox.c.id == row.id)).scalar_one()
        waiting = conn.execute(
            select(outbox.c.properties).where(outbox.c.external_id == row.external_id, outbox.c.state == "pending")
        ).fetchall()
    assert state == "superseded"  # the old number is never pushed over the newer one
    assert all(r.properties.get("phone") != row.properties["phone"] for r in waiting)


def test_a_connector_whose_quota_is_spent_is_not_pushed_to(connected: Hub, upstream: httpx.Client) -> None:
    connected.runner.run_all("hs", mode="full", streams=["companies"])
    until = datetime.now(UTC) + timedelta(minutes=5)
    with connected.engine.begin() as conn:
        conn.execute(update(stream_state).where(stream_state.c.stream == "companies").values(paused_until=until))
    upstream.delete("/_sandbox/stats")
    report = writeback(connected, "hs", "companies")
    assert report.written == 0 and report.paused_until is not None and _writes(upstream) == 0
    assert _states(connected, "companies")["pending"] == report.changed  # the rows wait for the pause to end
