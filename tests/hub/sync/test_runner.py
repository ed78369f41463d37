"""The sync engine's control flow (hub/sync/runner.py) over an in-memory connector and a real database:
page transactions, resume after a failure, the cursor rule, leases, quota pauses, dead letters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select, update

from connectors.sdk import RateLimited, TransientError
from hub.db.schema import dead_letters, ledger_entries, source_records, stream_leases, stream_state, sync_runs
from hub.ledger import PageMapper
from hub.mappers import MapperSet
from hub.settings import REPO_ROOT
from hub.sync import SyncRunner, lease
from hub.sync.lease import StreamBusy, StreamPaused
from tests.hub.sync.memory import Clock, MemoryConnector, fixture

MAPPERS = MapperSet(REPO_ROOT / "mappings")
ID = "mem"


def _newest_first(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(records, key=lambda r: r["properties"].get("hs_lastmodifieddate") or "", reverse=True)


def _runner(
    engine: Engine, connector: MemoryConnector, clock: Clock, mapper_for: Callable[[str], PageMapper] = MAPPERS.get
) -> SyncRunner:
    return SyncRunner(engine, lambda _id: ("hubspot", connector), mapper_for, lease_seconds=60, clock=clock)


def _state(engine: Engine, stream: str = "companies") -> Any:
    with engine.connect() as conn:
        return conn.execute(select(stream_state).where(stream_state.c.stream == stream)).first()


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _landed(engine: Engine) -> int:
    """Records that reached the ledger or the dead letters (four companies of the fixture do not map)."""
    return _count(engine, source_records) + _count(engine, dead_letters)


def _run_row(engine: Engine, run_id: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(sync_runs).where(sync_runs.c.id == run_id)).one()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def companies() -> MemoryConnector:
    return MemoryConnector({"companies": fixture("companies"), "deals": fixture("deals")})


def test_a_full_read_commits_each_page_and_ends_at_the_newest_record(
    engine: Engine, companies: MemoryConnector, clock: Clock
) -> None:
    run = _runner(engine, companies, clock).run(ID, "companies", mode="full")
    assert (run.status, run.mode, run.pages, run.outcome.seen, run.resumed) == ("succeeded", "full", 4, 10, False)
    state = _state(engine)
    assert (state.cursor, state.resume, state.last_full_sync_at) == ("2026-03-04T12:00:00.000+00:00", None, clock.now)
    row = _run_row(engine, run.run_id)
    assert (row.status, row.pages, row.records_seen, row.cursor_after) == ("succeeded", 4, 10, state.cursor)
    assert (_count(engine, source_records), _count(engine, dead_letters)) == (6, 4)
    assert _count(engine, stream_leases) == 0  # released


def test_a_full_read_ends_no_later_than_its_start(engine: Engine, companies: MemoryConnector) -> None:
    started = datetime.fromisoformat("2026-03-03T00:00:00+00:00")  # some records are newer than this
    run = _runner(engine, companies, Clock(started)).run(ID, "companies", mode="full")
    assert run.cursor_after == _state(engine).cursor == "2026-03-03T00:00:00.000+00:00"


def test_incremental_reads_in_full_first_then_from_the_committed_cursor(
    engine: Engine, companies: MemoryConnector, clock: Clock
) -> None:
    runner = _runner(engine, companies, clock)
    first = runner.run(ID, "companies")
    assert first.mode == "full" and companies.requests[-1].mode == "full"
    second = runner.run(ID, "companies")
    assert (second.mode, second.cursor_before) == ("incremental", first.cursor_after)
    assert companies.requests[-1].cursor == first.cursor_after
    assert (second.outcome.seen, second.outcome.changed) == (1, 0)  # the newest record, unchanged
    assert second.cursor_after == first.cursor_after


def test_a_failed_page_leaves_the_last_committed_page_to_resume_from(
    engine: Engine, companies: MemoryConnector, clock: Clock
) -> None:
    companies.records["companies"] = _newest_first(companies.records["companies"])
    companies.fail = {2: TransientError("upstream 503")}
    runner = _runner(engine, companies, clock)
    failed = runner.run(ID, "companies", mode="full")
    assert (failed.status, failed.pages, failed.error) == ("failed", 2, "TransientError: upstream 503")
    state = _state(engine)
    assert state.cursor is None  # a cursor moves only when the read completes
    assert state.resume["token"] == {"offset": 6} and state.resume["max_seen"] == "2026-03-04T12:00:00.000+00:00"
    assert _landed(engine) == 6

    clock.advance(5)
    resumed = runner.run(ID, "companies")  # incremental asked: the unfinished full read goes on
    assert (resumed.status, resumed.mode, resumed.resumed, resumed.pages) == ("succeeded", "full", True, 2)
    assert companies.requests[-1].resume == {"offset": 6}
    assert resumed.cursor_after == "2026-03-04T12:00:00.000+00:00"  # the newest was on a page of the first run
    assert _landed(engine) == 10  # nothing lost
    assert _count(engine, ledger_entries) == _count(engine, source_records) == 6  # nothing written twice
    assert _state(engine).resume is None


def test_the_position_moves_only_when_its_page_commits(
    engine: Engine, companies: MemoryConnector, clock: Clock
) -> None:
    calls = {"n": 0}

    class BreaksOnSecondPage:
        """The real mapper, failing inside the second page's transaction (after xrefs were written)."""

        def __init__(self, inner: Any) -> None:
            self.inner = inner
            self.version = inner.version

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

        def map_page(self, *args: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("disk full")
            return self.inner.map_page(*args)

    run = _runner(engine, companies, clock, lambda kind: BreaksOnSecondPage(MAPPERS.get(kind))).run(ID, "companies")
    assert (run.status, run.pages, run.error) == ("failed", 1, "RuntimeError: disk full")
    assert _state(engine).resume["token"] == {"offset": 3}
    assert _run_row(engine, run.run_id).pages == 1
    assert _count(engine, source_records) == _count(engine, ledger_entries) == 3


def test_a_spent_quota_pauses_the_stream_until_the_window_resets(
    engine: Engine, companies: MemoryConnector, clock: Clock
) -> None:
    companies.fail = {1: RateLimited("daily quota", status=429, retry_after=600)}
    runner = _runner(engine, companies, clock)
    paused = runner.run(ID, "companies")
    assert (paused.status, paused.pages) == ("paused", 1)
    assert _state(engine).paused_until == clock.now + timedelta(seconds=600)

    clock.advance(599)
    with pytest.raises(StreamPaused) as caught:
        runner.run(ID, "companies")
    assert caught.value.until == clock.now + timedelta(seconds=1)

    clock.advance(2)
    resumed = runner.run(ID, "companies")
    assert (resumed.status, resumed.resumed, companies.requests[-1].resume) == ("succeeded", True, {"offset": 3})
    assert _state(engine).paused_until is None
    assert _landed(engine) == 10


def test_a_live_lease_keeps_a_second_run_out(engine: Engine, companies: MemoryConnector, clock: Clock) -> None:
    with engine.begin() as conn:
        lease.acquire(conn, ID, "companies", "other-run", "another-host:1", clock.now, 60)
    with pytest.raises(StreamBusy, match="already running"):
        _runner(engine, companies, clock).run(ID, "companies")
    assert _count(engine, sync_runs) == 0
    assert companies.requests == []


def test_an_expired_lease_is_taken_over_and_its_run_marked_interrupted(
    engine: Engine, companies: MemoryConnector, clock: Clock
) -> None:
    died = clock.now - timedelta(seconds=300)
    with engine.begin() as conn:
        conn.execute(
            insert(sync_runs).values(
                id="dead-run", connector_id=ID, stream="companies", mode="full", trigger="schedule",
                status="running", started_at=died, heartbeat_at=died, pages=0, records_seen=0,
                records_changed=0, dead_letters=0,
            )
        )  # fmt: skip
        lease.acquire(conn, ID, "companies", "dead-run", "another-host:1", died, 60)
    run = _runner(engine, companies, clock).run(ID, "companies")
    assert run.status == "succeeded"
    dead = _run_row(engine, "dead-run")
    assert (dead.status, dead.error, dead.finished_at) == ("interrupted", "lease expired: the run died", clock.now)


def test_a_run_that_loses_its_lease_stops_without_committing_the_next_page(
    engine: Engine, companies: MemoryConnector, clock: Clock
) -> None:
    def steal(_run: Any) -> None:
        with engine.begin() as conn:
            conn.execute(update(stream_leases).values(run_id="thief", owner="another-host:2"))

    run = _runner(engine, companies, clock).run(ID, "companies", on_page=steal)
    assert run.status == "failed" and run.error is not None and "lease lost" in run.error
    assert _run_row(engine, run.run_id).pages == 1
    assert _state(engine).resume["token"] == {"offset": 3}
    with engine.connect() as conn:  # the thief's lease is not released by the loser
        assert conn.execute(select(stream_leases.c.run_id)).scalar_one() == "thief"


def test_dead_letters_are_counted_and_the_read_goes_on(
    engine: Engine, companies: MemoryConnector, clock: Clock
) -> None:
    run = _runner(engine, companies, clock).run(ID, "deals", mode="full")
    dead = _count(engine, dead_letters)
    assert run.status == "succeeded" and dead > 0
    assert (run.outcome.seen, run.outcome.dead_lettered, run.outcome.changed) == (10, dead, 10 - dead)
    row = _run_row(engine, run.run_id)
    assert (row.dead_letters, row.records_seen, row.records_changed) == (dead, 10, 10 - dead)


def test_run_all_reads_every_stream_of_the_spec(engine: Engine, companies: MemoryConnector, clock: Clock) -> None:
    runs = _runner(engine, companies, clock).run_all(ID, mode="full")
    assert [(r.stream, r.status) for r in runs] == [("companies", "succeeded"), ("deals", "succeeded")]
