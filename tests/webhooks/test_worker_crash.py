"""A worker killed (SIGKILL) while processing an event leaves it to be processed again, applied once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
from sqlalchemy import select

from hub.db.schema import inbox_events, ledger_entries
from tests.webhooks.conftest import Running, event

AUTH = {"Authorization": "Bearer pat-na1-sandbox"}


def _event_state(running: Running) -> tuple[str, int, str | None]:
    with running.hub.reader.connect() as conn:
        row = conn.execute(select(inbox_events.c.state, inbox_events.c.attempts, inbox_events.c.claimed_by)).one()
    return row.state, row.attempts, row.claimed_by


def test_killed_worker_leaves_the_event_to_be_applied_once(running: Running, upstream: httpx.Client) -> None:
    company = str(
        upstream.get("/crm/v3/objects/companies", params={"limit": 1}, headers=AUTH).json()["results"][0]["id"]
    )
    renamed = upstream.patch(f"/crm/v3/objects/companies/{company}", json={"properties": {"name": "Crash Test Co"}},
                             headers=AUTH)  # fmt: skip
    assert renamed.status_code == 200
    assert running.deliver([event(900, company, propertyName="name", propertyValue="Crash Test Co")]).status_code == 202
    # The child worker will hang in the upstream fetch: killed there, it holds a claim and wrote nothing.
    upstream.post("/_sandbox/faults", json={"kind": "slow", "delay_s": 30, "times": 1,
                                             "path_prefix": "/crm/v3/objects/companies/batch/read"})  # fmt: skip
    settings = running.hub.settings
    assert settings.secret_key is not None
    env = {**os.environ, "HUB_DATABASE_URL": settings.database_url, "HUB_DATA_DIR": str(settings.data_dir),
           "HUB_SECRET_KEY": settings.secret_key.get_secret_value(), "HUB_WEBHOOK_CLAIM_SECONDS": "2",
           "HUB_OUTBOUND_ALLOW": settings.outbound_allow}  # fmt: skip
    child = subprocess.Popen([sys.executable, "-m", "hub.cli", "worker"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while _event_state(running)[0] != "processing":
            assert child.poll() is None and time.monotonic() < deadline, "the child never claimed the event"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)  # it holds the claim: between claiming and committing, whatever it was doing
    finally:
        child.wait(10)
    state, attempts, owner = _event_state(running)
    assert (state, attempts) == ("processing", 1) and owner and str(child.pid) in owner
    upstream.delete("/_sandbox/faults")

    deadline = time.monotonic() + 20
    while _event_state(running)[0] != "applied":  # taken over once the dead worker's claim expires
        running.worker.run_once()
        assert time.monotonic() < deadline, "the event was never taken over"
        time.sleep(0.1)
    state, attempts, owner = _event_state(running)
    assert (state, attempts, owner) == ("applied", 2, None)
    with running.hub.reader.connect() as conn:
        entries = conn.execute(select(ledger_entries).where(ledger_entries.c.external_id == company)).fetchall()
    assert len(entries) == 1 and entries[0].changes["name"][1] == "Crash Test Co"
