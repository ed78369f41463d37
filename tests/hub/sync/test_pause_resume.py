"""Issue 9 item 8: a stream paused on a spent quota resumes by itself when the pause ends (the
scheduler schedules a one-off resume), and its status says why it paused."""

from __future__ import annotations

import time

from sqlalchemy import select

from connectors.sdk import RateLimited
from hub.context import Hub
from hub.db.schema import sync_runs
from hub.mappers import MapperSet
from hub.queries import stream_status
from hub.scheduler import HubScheduler
from hub.settings import REPO_ROOT
from hub.sync import SyncRunner
from tests.hub.sync.memory import MemoryConnector, fixture


def test_a_paused_stream_resumes_when_the_pause_ends(hub: Hub) -> None:
    connector = MemoryConnector({"companies": fixture("companies"), "deals": fixture("deals")})
    connector.fail = {1: RateLimited("daily quota spent", status=429, retry_after=1)}
    runner = SyncRunner(hub.engine, lambda _id: ("hubspot", connector), MapperSet(REPO_ROOT / "mappings").get)
    scheduler = HubScheduler(hub.store, runner)
    scheduler.start()
    try:
        paused = runner.run("mem", "companies", trigger="api")
        assert paused.status == "paused"
        with hub.reader.connect() as conn:
            status = stream_status(conn, "mem", "companies")
        assert status["state"] == "paused" and status["paused_until"]
        assert status["pause_reason"] and "daily quota spent" in status["pause_reason"]
        deadline = time.monotonic() + 15
        while True:
            with hub.engine.connect() as conn:
                rows = conn.execute(select(sync_runs.c.status, sync_runs.c.trigger).order_by(sync_runs.c.started_at))
                runs = [(r.status, r.trigger) for r in rows]
            if len(runs) == 2 and runs[1][0] != "running":
                break
            assert time.monotonic() < deadline, f"the stream was not resumed: {runs}"
            time.sleep(0.1)
    finally:
        scheduler.shutdown()
    assert runs == [("paused", "api"), ("succeeded", "resume")]
    assert connector.requests[-1].resume == {"offset": 3}  # it went on from the last committed page
    with hub.reader.connect() as conn:
        status = stream_status(conn, "mem", "companies")
    assert status["state"] == "idle" and status["paused_until"] is None and status["pause_reason"] is None
