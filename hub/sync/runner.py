"""The sync engine: runs one stream of one connector, a page per transaction.

For every page the connector yields, one database transaction appends the page to the ledger
(``hub.ledger.write_page``), stores the stream's resume position and cursor, updates the run's
counters and renews the stream's lease. A process killed at any point therefore leaves the ledger
and the cursor consistent with each other, and the next run resumes after the last committed page:
nothing is lost, and nothing is written twice (a re-read page is unchanged by content hash).

Cursor rule: an incremental run advances the cursor to the newest modification time it committed.
A full run ends at ``min(newest seen, start of the run)``, so changes made upstream while the full
read was under way are picked up by the next incremental run.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, Engine, insert, select, update

from connectors.sdk import Connector, Page, RateLimited, ReadRequest, StreamSpec, public_message
from hub.db.schema import stream_state, sync_runs
from hub.ledger import Origin, PageMapper, PageOutcome, write_page
from hub.ledger.upsert import upsert
from hub.metrics import SYNC_RECORDS, SYNC_RUNS
from hub.sync import cursor as cursors
from hub.sync import lease
from hub.sync.lease import StreamPaused

log = logging.getLogger(__name__)
Mode = Literal["full", "incremental"]


@dataclass
class RunResult:
    run_id: str
    connector_id: str
    stream: str
    mode: str
    status: str = "running"
    pages: int = 0
    outcome: PageOutcome = field(default_factory=PageOutcome)
    cursor_before: str | None = None
    cursor_after: str | None = None
    resumed: bool = False
    error: str | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None

    @property
    def seconds(self) -> float:
        end = self.finished_at or datetime.now(UTC)
        return (end - self.started_at).total_seconds()


@dataclass
class _Position:
    """Where a run stands: the cursor committed before it began, and the resume state (mode, token of
    the last committed page, newest cursor value seen, start of the read) carried from page to page."""

    committed: str | None
    resume: dict[str, Any]


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class SyncRunner:
    """Runs streams. ``build`` makes a connector from its id; ``mapper_for`` gives a system's mapper."""

    def __init__(
        self,
        engine: Engine,
        build: Callable[[str], tuple[str, Connector]],
        mapper_for: Callable[[str], PageMapper],
        *,
        lease_seconds: float = 120.0,
        owner: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.build = build
        self.mapper_for = mapper_for
        self.lease_seconds = lease_seconds
        self.owner = owner or default_owner()
        self.clock = clock

    def run_all(
        self,
        connector_id: str,
        *,
        mode: Mode = "incremental",
        trigger: str = "manual",
        streams: list[str] | None = None,
        on_page: Callable[[RunResult], None] | None = None,
    ) -> list[RunResult]:
        kind, connector = self.build(connector_id)
        try:
            names = streams or [s.name for s in connector.spec.streams]
            return [
                self._run(connector_id, kind, connector, name, mode=mode, trigger=trigger, on_page=on_page)
                for name in names
            ]
        finally:
            connector.close()

    def run(
        self,
        connector_id: str,
        stream: str,
        *,
        mode: Mode = "incremental",
        trigger: str = "manual",
        on_page: Callable[[RunResult], None] | None = None,
    ) -> RunResult:
        return self.run_all(connector_id, mode=mode, trigger=trigger, streams=[stream], on_page=on_page)[0]

    def _run(
        self,
        connector_id: str,
        kind: str,
        connector: Connector,
        stream: str,
        *,
        mode: Mode,
        trigger: str,
        on_page: Callable[[RunResult], None] | None,
    ) -> RunResult:
        spec = connector.spec.stream(stream)
        mapper = self.mapper_for(kind)
        now = self.clock()
        run = RunResult(run_id=str(uuid.uuid4()), connector_id=connector_id, stream=stream, mode=mode, started_at=now)
        self._check_pause(connector_id, stream, now)
        position = self._start(run, trigger, now)
        log.info("sync start %s/%s mode=%s resumed=%s", connector_id, stream, run.mode, run.resumed)
        origin = Origin(system=kind, instance=connector_id, run_id=run.run_id)
        request = ReadRequest(mode=run.mode, cursor=position.committed, resume=position.resume.get("token"))  # type: ignore[arg-type]
        try:
            for page in connector.read(stream, request):
                outcome = self._commit_page(run, position, origin, spec, mapper, page)
                self._count(run, outcome)
                if on_page:
                    on_page(run)
            run.status = "succeeded"
        except RateLimited as exc:
            self._pause(run, exc)
        except Exception as exc:
            run.status = "failed"
            run.error = public_message(exc)  # the status line and error codes, never an upstream's body
            log.warning("sync failed %s/%s: %s", connector_id, stream, run.error)
        finally:
            self._finish(run)
        log.info(
            "sync %s %s/%s pages=%d seen=%d changed=%d dead=%d",
            run.status, connector_id, stream, run.pages, run.outcome.seen, run.outcome.changed,
            run.outcome.dead_lettered,
        )  # fmt: skip
        return run

    # --- the steps of a run -------------------------------------------------------------------------

    def _start(self, run: RunResult, trigger: str, now: datetime) -> _Position:
        """One transaction: take the stream's lease, decide where the run starts, record the run."""
        with self.engine.begin() as conn:
            self._take_lease(conn, run, now)
            position = self._plan(conn, run, now)
            conn.execute(
                insert(sync_runs).values(
                    id=run.run_id, connector_id=run.connector_id, stream=run.stream, mode=run.mode, trigger=trigger,
                    status="running", started_at=now, heartbeat_at=now, pages=0, records_seen=0,
                    records_changed=0, dead_letters=0, cursor_before=position.committed,
                )
            )  # fmt: skip
        return position

    def _take_lease(self, conn: Connection, run: RunResult, now: datetime) -> None:
        """Raises ``StreamBusy`` while another run lives; a dead holder's run is marked interrupted."""
        taken_from = lease.acquire(conn, run.connector_id, run.stream, run.run_id, self.owner, now, self.lease_seconds)
        if taken_from:
            conn.execute(
                update(sync_runs)
                .where(sync_runs.c.id == taken_from, sync_runs.c.status == "running")
                .values(status="interrupted", finished_at=now, error="lease expired: the run died")
            )

    def _plan(self, conn: Connection, run: RunResult, now: datetime) -> _Position:
        """Resume an unfinished run of a compatible mode, else start afresh (an incremental run with
        no committed cursor reads in full). Sets ``run.mode``, ``run.resumed``, ``run.cursor_before``."""
        state = conn.execute(
            select(stream_state).where(
                stream_state.c.connector_id == run.connector_id, stream_state.c.stream == run.stream
            )
        ).first()
        committed = state.cursor if state else None
        resume: dict[str, Any] | None = state.resume if state else None
        if resume is not None and (run.mode == "incremental" or resume.get("mode") == run.mode):
            run.mode = resume["mode"]
            run.resumed = True
        else:
            resume = None
            if run.mode == "incremental" and committed is None:
                run.mode = "full"
        if resume is None:
            resume = {"mode": run.mode, "token": None, "max_seen": None, "started_at": now.isoformat()}
        run.cursor_before = committed
        return _Position(committed=committed, resume=resume)

    def _commit_page(
        self, run: RunResult, position: _Position, origin: Origin, spec: StreamSpec, mapper: PageMapper, page: Page
    ) -> PageOutcome:
        """One transaction: the page's ledger writes, the stream's position, the run's counters, the
        lease renewal. The position moves on only once the transaction has committed."""
        now = self.clock()
        with self.engine.begin() as conn:
            outcome = write_page(conn, origin, spec.object, page.records, mapper, now)
            final, next_resume = self._advance(run, position, page, spec.cursor_field)
            self._save_position(conn, run, final, next_resume, now)
            run.pages += 1
            run.outcome.add(outcome)
            conn.execute(
                update(sync_runs)
                .where(sync_runs.c.id == run.run_id)
                .values(
                    pages=run.pages, records_seen=run.outcome.seen, records_changed=run.outcome.changed,
                    dead_letters=run.outcome.dead_lettered, heartbeat_at=now, cursor_after=final,
                )
            )  # fmt: skip
            lease.renew(conn, run.connector_id, run.stream, run.run_id, now, self.lease_seconds)
        if next_resume is not None:
            position.resume = next_resume
        return outcome

    def _advance(
        self, run: RunResult, position: _Position, page: Page, cursor_field: str | None
    ) -> tuple[str | None, dict[str, Any] | None]:
        """The cursor and resume state after ``page``: on the last page the final cursor and no resume
        state; before it, the committed cursor unchanged and the page's resume token."""
        max_seen = cursors.later(position.resume.get("max_seen"), cursors.page_max(page.records, cursor_field))
        if page.resume is None:
            final = self._final_cursor(run.mode, position.committed, max_seen, position.resume["started_at"])
            run.cursor_after = final
            return final, None
        return position.committed, {**position.resume, "token": page.resume, "max_seen": max_seen}

    def _save_position(
        self, conn: Connection, run: RunResult, cursor: str | None, resume: dict[str, Any] | None, now: datetime
    ) -> None:
        state_row: dict[str, Any] = {
            "connector_id": run.connector_id,
            "stream": run.stream,
            "cursor": cursor,
            "resume": resume,
            "updated_at": now,
        }
        if resume is None and run.mode == "full":
            state_row["last_full_sync_at"] = now
        state_row["paused_until"] = None
        upsert(conn, stream_state, [state_row], key=["connector_id", "stream"])

    @staticmethod
    def _count(run: RunResult, outcome: PageOutcome) -> None:
        labels = (run.connector_id, run.stream)
        SYNC_RECORDS.labels(*labels, "seen").inc(outcome.seen)
        SYNC_RECORDS.labels(*labels, "changed").inc(outcome.changed)
        SYNC_RECORDS.labels(*labels, "dead_lettered").inc(outcome.dead_lettered)

    def _pause(self, run: RunResult, exc: RateLimited) -> None:
        """A spent quota is not a failure: pause the stream until the window resets; the position of
        the last committed page is kept, so the next run continues from it."""
        wait = max(exc.retry_after or 0.0, 1.0)
        run.status = "paused"
        run.error = f"{public_message(exc)} (paused {wait:.0f} s)"
        now = self.clock()
        with self.engine.begin() as conn:
            upsert(
                conn,
                stream_state,
                [{"connector_id": run.connector_id, "stream": run.stream, "updated_at": now,
                  "paused_until": now + timedelta(seconds=wait)}],
                key=["connector_id", "stream"],
                update=["paused_until", "updated_at"],
            )  # fmt: skip
        log.warning("sync paused %s/%s for %.0f s: %s", run.connector_id, run.stream, wait, run.error)

    def _finish(self, run: RunResult) -> None:
        """Record the run's outcome and release the lease."""
        run.finished_at = self.clock()
        with self.engine.begin() as conn:
            conn.execute(
                update(sync_runs)
                .where(sync_runs.c.id == run.run_id)
                .values(status=run.status, finished_at=run.finished_at, error=run.error)
            )
            lease.release(conn, run.connector_id, run.stream, run.run_id)
        SYNC_RUNS.labels(run.connector_id, run.stream, run.status).inc()

    def _check_pause(self, connector_id: str, stream: str, now: datetime) -> None:
        with self.engine.connect() as conn:
            until = conn.execute(
                select(stream_state.c.paused_until).where(
                    stream_state.c.connector_id == connector_id, stream_state.c.stream == stream
                )
            ).scalar()
        if until is not None and until > now:
            raise StreamPaused(f"{connector_id}/{stream} is paused until {until.isoformat()} (upstream quota)", until)

    @staticmethod
    def _final_cursor(mode: str, before: str | None, max_seen: str | None, started_at: str) -> str | None:
        if mode == "full":
            start = cursors.normalise(started_at)
            return cursors.earlier(max_seen, start) if max_seen else start
        return cursors.later(before, max_seen)
