"""Group commit (ADR 0024): concurrent deliveries share transactions, every 202 is a committed row,
duplicates stay duplicates inside a batch and across batches, and a batch the database does not
commit acknowledges none of its deliveries. Real HTTP against a running hub, on both backends."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from hub.db.schema import inbox_events, webhook_deliveries
from tests.webhooks.conftest import Running, event
from webhooks.commit import GroupCommit


def _rows(running: Running) -> tuple[int, int, int]:
    with running.hub.engine.connect() as conn:
        deliveries = conn.execute(select(func.count()).select_from(webhook_deliveries)).scalar_one()
        events = conn.execute(select(func.count()).select_from(inbox_events)).scalar_one()
        commits = conn.execute(select(func.count(webhook_deliveries.c.received_at.distinct()))).scalar_one()
    return int(deliveries), int(events), int(commits)


def _burst(running: Running, bodies: list[list[dict[str, Any]]], threads: int = 32) -> list[httpx.Response]:
    """Send ``bodies`` from ``threads`` threads at once (all start together)."""
    go = threading.Event()

    def send(events: list[dict[str, Any]]) -> httpx.Response:
        go.wait(10)
        return running.deliver(events)

    with ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(send, body) for body in bodies]
        go.set()
        return [future.result() for future in futures]


def test_concurrent_deliveries_share_commits_and_every_202_is_a_row(running: Running) -> None:
    answers = _burst(running, [[event(5000 + n, str(n % 7 + 1))] for n in range(160)])
    assert [a.status_code for a in answers] == [202] * 160
    assert sum(a.json()["accepted"] for a in answers) == 160
    deliveries, events, commits = _rows(running)
    assert (deliveries, events) == (160, 160)
    assert commits < 160  # deliveries that arrived while a commit ran went together in the next
    assert len({a.json()["delivery_id"] for a in answers}) == 160


def test_duplicates_inside_a_batch_and_across_batches_are_stored_once(running: Running) -> None:
    same = [event(777, "1")]
    answers = _burst(running, [same] * 24)
    assert {a.status_code for a in answers} == {202}
    assert sum(a.json()["accepted"] for a in answers) == 1
    assert sum(a.json()["duplicates"] for a in answers) == 23
    again = _burst(running, [same, [event(777, "1"), event(778, "2")]] * 4)
    assert sum(a.json()["accepted"] for a in again) == 1  # only 778 is new
    deliveries, events, _ = _rows(running)
    assert (deliveries, events) == (32, 2)
    with running.hub.engine.connect() as conn:
        marked = conn.execute(select(func.sum(webhook_deliveries.c.duplicates))).scalar_one()
    assert marked == 23 + 4 + (4 + 3)  # each delivery records the events it repeated


def test_a_batch_the_database_does_not_take_acknowledges_none(running: Running) -> None:
    """The store's write lock is held elsewhere: every delivery of the burst is answered 503 with
    Retry-After and a JSON body, nothing is stored; the senders' retries are then all stored."""
    engine = running.hub.engine
    url = make_url(str(engine.url))
    bodies = [[event(9000 + n, "1")] for n in range(24)]
    if url.get_backend_name() == "sqlite":
        import sqlite3

        locker: Any = sqlite3.connect(str(url.database), isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")
        release = lambda: locker.execute("ROLLBACK")  # noqa: E731
    else:
        locker = engine.connect()
        tx = locker.begin()
        locker.execute(text("LOCK TABLE webhook_deliveries IN EXCLUSIVE MODE"))
        release = tx.rollback
    try:
        answers = _burst(running, bodies, threads=24)
    finally:
        release()
        locker.close()
    assert {a.status_code for a in answers} == {503}
    for answer in answers:
        assert answer.headers["Retry-After"]
        assert answer.json()["error"]["message"] == "database unavailable; retry later"
    assert _rows(running)[:2] == (0, 0)
    retried = _burst(running, bodies, threads=24)
    assert [a.status_code for a in retried] == [202] * 24
    assert _rows(running)[:2] == (24, 24)


def test_a_commit_that_fails_at_commit_time_acknowledges_none(running: Running) -> None:
    """PostgreSQL: a deferred constraint trigger fails every transaction at COMMIT (after every
    statement of the batch succeeded): no delivery of the batch may be answered 202."""
    engine = running.hub.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("a deferred (commit-time) trigger")
    with engine.begin() as conn:
        conn.execute(text("""
            CREATE FUNCTION fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'commit refused' USING ERRCODE = '57P01'; END $$
        """))  # fmt: skip
        conn.execute(text("""
            CREATE CONSTRAINT TRIGGER fail_at_commit AFTER INSERT ON webhook_deliveries
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_at_commit()
        """))  # fmt: skip
    try:
        answers = _burst(running, [[event(12000 + n, "1")] for n in range(40)])
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TRIGGER fail_at_commit ON webhook_deliveries"))
            conn.execute(text("DROP FUNCTION fail_at_commit()"))
    assert {a.status_code for a in answers} == {503}
    assert all(a.headers.get("Retry-After") for a in answers)
    assert _rows(running)[:2] == (0, 0)


def test_group_commit_answers_each_waiter_from_its_own_flush() -> None:
    """The batcher alone: idle → flushed at once, alone; under load → batches; a flush that raises
    fails exactly its batch's waiters, and the next batch goes on."""
    flushed: list[list[int]] = []
    gate = threading.Event()

    def flush(items: list[int]) -> list[int | BaseException]:
        flushed.append(items)
        if len(flushed) == 1:
            gate.wait(5)  # the first flush is slow: the others queue behind it
        if 13 in items:
            raise RuntimeError("commit failed")
        return [item * 10 for item in items]

    commits: GroupCommit[int, int] = GroupCommit(flush, max_batch=4)

    async def scenario() -> list[Any]:
        first = asyncio.ensure_future(commits.submit(1))
        await asyncio.sleep(0.05)
        rest = [asyncio.ensure_future(commits.submit(n)) for n in (11, 12, 13, 14, 15)]
        await asyncio.sleep(0.05)
        gate.set()
        return await asyncio.gather(first, *rest, return_exceptions=True)

    results = asyncio.run(scenario())
    assert flushed == [[1], [11, 12, 13, 14], [15]]
    assert results[0] == 10
    assert all(isinstance(r, RuntimeError) for r in results[1:5])
    assert results[5] == 150
    assert (commits.batches, commits.items) == (3, 6)
