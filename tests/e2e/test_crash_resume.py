"""A sync killed with SIGKILL mid-run, then resumed, leaves the same ledger as an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select

from hub.context import Hub
from hub.db.schema import (
    dead_letters,
    golden_records,
    ledger_entries,
    metadata,
    source_records,
    stream_state,
    sync_runs,
)
from sandbox.server import SandboxServer
from tests.sandbox_fixtures import hubspot_connector

PAGE_SIZE = 20  # companies: 10 pages, contacts: 25, deals: 15


def _state(hub: Hub) -> dict[str, Any]:
    """What must be identical: every ledger entry (as a multiset), projections, dead letters, cursors."""
    with hub.engine.connect() as conn:
        entries = Counter(
            (r.source_object, r.external_id, r.op, r.content_hash, repr(sorted(r.changes.items())))
            for r in conn.execute(select(ledger_entries))
        )
        golden = {
            r.canonical_id: (r.fields, {k: {**v, "entry_id": None} for k, v in r.provenance.items()})
            for r in conn.execute(select(golden_records))
        }
        sources = {
            (r.source_object, r.external_id): (r.content_hash, r.fields) for r in conn.execute(select(source_records))
        }
        dead = Counter((r.source_object, r.external_id, r.reason) for r in conn.execute(select(dead_letters)))
        cursors = {(r.stream, r.cursor, r.resume is None) for r in conn.execute(select(stream_state))}
    return {"entries": entries, "golden": golden, "sources": sources, "dead": dead, "cursors": cursors}


def _wipe(hub: Hub) -> None:
    with hub.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name != "connectors":
                conn.execute(delete(table))


def _mid_stream(hub: Hub) -> bool:
    """A stream has committed pages and more to read (its resume position is set)."""
    with hub.engine.connect() as conn:
        return any(resume is not None for resume in conn.execute(select(stream_state.c.resume)).scalars())


def _committed_pages(hub: Hub) -> int:
    with hub.engine.connect() as conn:
        return sum(r.pages for r in conn.execute(select(sync_runs.c.pages)))


@pytest.mark.parametrize("kill_after_pages", [pytest.param(3, id="early"), pytest.param(17, id="second_stream")])
def test_sigkill_mid_sync_then_resume_equals_uninterrupted_run(
    hub: Hub, sandbox: SandboxServer, upstream: httpx.Client, tmp_path: Path, kill_after_pages: int
) -> None:
    hub.store.create(hubspot_connector(sandbox, page_size=PAGE_SIZE))
    upstream.post(
        "/_sandbox/faults",
        json={"kind": "slow", "delay_s": 0.05, "times": 10_000, "path_prefix": "/crm/v3/objects"},
    )
    settings = hub.settings
    assert settings.secret_key is not None
    env = {
        **os.environ,
        "HUB_DATABASE_URL": settings.database_url,
        "HUB_SECRET_KEY": settings.secret_key.get_secret_value(),
        "HUB_DATA_DIR": str(tmp_path),
        "HUB_OUTBOUND_ALLOW": settings.outbound_allow,
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "sync", "hs", "--full"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        # kill inside a stream (not between two, where there is nothing to resume)
        while _committed_pages(hub) < kill_after_pages or not _mid_stream(hub):
            assert child.poll() is None, child.stderr.read().decode() if child.stderr else "child exited"
            assert time.monotonic() < deadline, "the child made no progress"
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(10)
    assert child.returncode == -signal.SIGKILL
    killed_at = _committed_pages(hub)

    upstream.delete("/_sandbox/faults")
    resumed = hub.runner.run_all("hs")  # plain `hub sync hs`: finishes what the killed run left
    assert all(r.status == "succeeded" for r in resumed), [r.error for r in resumed]
    continued = [r for r in resumed if r.resumed]
    assert len(continued) == 1 and continued[0].mode == "full"
    with hub.engine.connect() as conn:
        statuses = Counter(r.status for r in conn.execute(select(sync_runs.c.status)))
    assert statuses["interrupted"] == 1  # the killed run was taken over, not left "running"
    crashed = _state(hub)

    _wipe(hub)
    clean = hub.runner.run_all("hs", mode="full")
    assert all(r.status == "succeeded" for r in clean)
    pages = {r.stream: r.pages for r in clean}
    assert continued[0].pages < pages[continued[0].stream]  # it went on from the last committed page
    assert killed_at < sum(pages.values())
    uninterrupted = _state(hub)

    assert crashed["entries"] == uninterrupted["entries"]
    assert max(crashed["entries"].values()) == 1  # nothing doubled
    assert crashed == uninterrupted
