"""The sync engine: runs one stream of one connector, a page per transaction.

For every page the connector yields, one database transaction appends the page to the ledger
(``hub.ledger.write_page``), stores the stream's resume position and cursor, updates the run's
counters and renews the stream's lease. A process killed at any point therefore leaves the ledger
and the cursor consistent with each other, and the next run resumes after the last committed page:
nothing is lost, and nothing is written twice (a re-read page is unchanged by content hash).

Cursor rule: an incremental run advances the cursor to the newest modification time it committed.
A full run ends at ``min(newest seen, start of the run)``, so changes made upstream while the full
read was under way are picked up by the next incremental run.

Deletes by absence (``hub.sync.deletes``, ADR 22): a full read of a ``deletes_by_absence`` stream
records the ids each page lists; the transaction of its last page tombstones (or holds, past the
mass-delete guard) the live records it did not list. Only a complete read gets there.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, Engine, insert, select, update

from connectors.sdk import Connector, Page, RateLimited, ReadRequest, StreamSpec, public_message
from hub.db.engine import refresh_statistics
from hub.db.schema import stream_state, sync_runs
from hub.ledger import Origin, PageMapper, PageOutcome, write_page
from hub.ledger.chain import lock_chain
from hub.ledger.upsert import upsert
from hub.metrics import SYNC_RECORDS, SYNC_RUNS
from hub.sync import cursor as cursors
from hub.sync import deletes, lease
from hub.sync.lease import LeaseLost, StreamPaused
from hub.sync.prefetch import prefetched

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
    tombstoned: int = 0  # records a complete full read did not list, tombstoned
    held_deletes: str | None = None  # the hold id when the mass-delete guard held them
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


@dataclass
class Claim:
    """A run whose lease is taken and whose row is written, not yet executed (``SyncRunner.claim``)."""

    run: RunResult
    position: _Position


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
        guard: deletes.Guard | None = None,
        prefetch: int = 1,
        concurrency: int = 1,
    ) -> None:
        self.engine = engine
        #: pages read ahead while the current one is written (``HUB_SYNC_PREFETCH``; 0 = inline)
        self.prefetch = prefetch
        #: streams of one connector synced at once by ``run_all`` (``HUB_SYNC_CONCURRENCY``)
        self.concurrency = concurrency
        #: records this runner has written, and the count at which it next refreshes the planner's
        #: statistics (``refresh_statistics``: each time the written data has grown fourfold)
        self._written = 0
        self._analyze_at = 400
        self._written_lock = threading.Lock()  # streams synced at once count into it
        #: the mass-delete guard (``HUB_MASS_DELETE_SHARE``/``_MIN``; a connector's config may override)
        self.guard = guard or deletes.Guard()
        self.build = build
        self.mapper_for = mapper_for
        self.lease_seconds = lease_seconds
        self.owner = owner or default_owner()
        self.clock = clock
        #: Called with (connector id, stream, paused until) when a run pauses on a spent quota; the
        #: scheduler sets it to resume the stream then.
        self.on_pause: Callable[[str, str, datetime], None] | None = None

    def run_all(
        self,
        connector_id: str,
        *,
        mode: Mode = "incremental",
        trigger: str = "manual",
        streams: list[str] | None = None,
        on_page: Callable[[RunResult], None] | None = None,
    ) -> list[RunResult]:
        """Run the streams, each taking its lease as it starts (``StreamBusy`` if another run holds
        it): one after the other, or up to ``concurrency`` at once (one thread and one database
        transaction per page each, sharing the connector and so its client and retry budget). The
        results come in stream order; the first stream's error, in that order, is raised."""
        kind, connector = self.build(connector_id)
        try:
            names = streams or [s.name for s in connector.spec.streams]

            def one(name: str) -> RunResult:
                (claim,) = self.claim(connector_id, [name], mode=mode, trigger=trigger)
                return self._execute(kind, connector, claim, [], on_page)

            workers = min(self.concurrency, len(names))
            if workers <= 1:
                return [one(name) for name in names]
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"sync-{connector_id}") as pool:
                futures = [pool.submit(one, name) for name in names]
                return [future.result() for future in futures]
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

    def claim(self, connector_id: str, streams: list[str], *, mode: Mode, trigger: str) -> list[Claim]:
        """Take the leases of ``streams`` and record their runs (status running), all or none, in one
        transaction: ``StreamPaused`` or ``StreamBusy`` (naming the holder's run) when one is taken.
        The API claims before it answers 202, so an accepted trigger always has a run that runs."""
        now = self.clock()
        for stream in streams:
            self._check_pause(connector_id, stream, now)
        claims = []
        with self.engine.begin() as conn:
            for stream in streams:
                run = RunResult(
                    run_id=str(uuid.uuid4()), connector_id=connector_id, stream=stream, mode=mode, started_at=now
                )
                claims.append(Claim(run, self._start(conn, run, trigger, now)))
        return claims

    def run_claimed(
        self, connector_id: str, claims: list[Claim], on_page: Callable[[RunResult], None] | None = None
    ) -> list[RunResult]:
        """Run streams claimed with ``claim``; their leases are renewed while earlier ones run."""
        try:
            kind, connector = self.build(connector_id)
        except Exception as exc:
            for claim in claims:
                claim.run.status, claim.run.error = "failed", f"{type(exc).__name__}: {exc}"
                self._finish(claim.run)
            raise
        try:
            return [self._execute(kind, connector, claim, claims[n + 1 :], on_page) for n, claim in enumerate(claims)]
        finally:
            connector.close()

    def _execute(
        self,
        kind: str,
        connector: Connector,
        claim: Claim,
        waiting: list[Claim],
        on_page: Callable[[RunResult], None] | None,
    ) -> RunResult:
        run, position = claim.run, claim.position
        connector_id, stream = run.connector_id, run.stream
        log.info("sync start %s/%s mode=%s resumed=%s", connector_id, stream, run.mode, run.resumed)
        origin = Origin(system=kind, instance=connector_id, run_id=run.run_id)
        request = ReadRequest(mode=run.mode, cursor=position.committed, resume=position.resume.get("token"))  # type: ignore[arg-type]
        try:
            spec = connector.spec.stream(stream)
            mapper = self.mapper_for(kind)
            guard = self._guard_for(connector)
            with self.engine.begin() as conn:  # a claim that waited in a queue may have been withdrawn
                self._renew(conn, run, waiting, self.clock())
            # the next page is fetched while this one is written; closed (the reader stopped) on any exit
            reader = prefetched(connector.read(stream, request), self.prefetch, name=f"prefetch-{stream}")
            with closing(reader) as pages:
                for page in pages:
                    outcome = self._commit_page(run, position, origin, spec, mapper, page, waiting, guard)
                    self._count(run, outcome)
                    if self._grown(outcome.changed):  # 400, 1,600, 6,400, ... records written
                        self._refresh_statistics(run)
                    if on_page:
                        on_page(run)
            run.status = "succeeded"
        except LeaseLost as exc:
            run.status = "cancelled" if exc.withdrawn else "failed"
            run.error = f"{type(exc).__name__}: {exc}"
            log.warning("sync %s %s/%s: %s", run.status, connector_id, stream, exc)
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

    def _grown(self, written: int) -> bool:
        """Count ``written`` records; True once they have grown fourfold since the last refresh."""
        with self._written_lock:
            self._written += written
            if self._written < self._analyze_at:
                return False
            self._analyze_at = self._written * 4
            return True

    def _refresh_statistics(self, run: RunResult) -> None:
        """The planner's statistics, as a run grows the tables (PostgreSQL): best effort."""
        try:
            refresh_statistics(self.engine)
        except Exception as exc:  # a sync never fails for want of statistics
            log.warning("sync %s/%s: ANALYZE failed: %s", run.connector_id, run.stream, exc)

    def _guard_for(self, connector: Connector) -> deletes.Guard:
        share = getattr(connector.config, "mass_delete_share", None)
        minimum = getattr(connector.config, "mass_delete_min", None)
        return deletes.Guard(
            share=self.guard.share if share is None else float(share),
            min_count=self.guard.min_count if minimum is None else int(minimum),
        )

    def _renew(self, conn: Connection, run: RunResult, waiting: list[Claim], now: datetime) -> None:
        """Renew the run's lease and those of the claimed runs waiting behind it (``LeaseLost`` if
        one was withdrawn)."""
        # In stream order, the order ``ConnectorStore.delete`` locks them in (no deadlock on PostgreSQL).
        for held in sorted((run, *(claim.run for claim in waiting)), key=lambda r: r.stream):
            lease.renew(conn, held.connector_id, held.stream, held.run_id, now, self.lease_seconds)

    # --- the steps of a run -------------------------------------------------------------------------

    def _start(self, conn: Connection, run: RunResult, trigger: str, now: datetime) -> _Position:
        """In the caller's transaction: take the stream's lease, decide where the run starts, record it."""
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
            # read_id: the run that started the read; the seen set of a full read is keyed by it
            resume = {
                "mode": run.mode, "token": None, "max_seen": None, "started_at": now.isoformat(), "read_id": run.run_id,
            }  # fmt: skip
        run.cursor_before = committed
        return _Position(committed=committed, resume=resume)

    def _commit_page(
        self,
        run: RunResult,
        position: _Position,
        origin: Origin,
        spec: StreamSpec,
        mapper: PageMapper,
        page: Page,
        waiting: list[Claim],
        guard: deletes.Guard,
    ) -> PageOutcome:
        """One transaction: the lease renewal (first: a withdrawn lease, a deleted connector, rolls the
        page back and stops the run), the page's ledger writes, the stream's position, the run's
        counters. The position moves on only once the transaction has committed."""
        now = self.clock()
        with self.engine.begin() as conn:
            # The ledger's chain lock first (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises
            # writers): every later lock of the page (xrefs, projections, the matcher's) is taken
            # under it, so pages of streams synced at once, or of two connectors, never deadlock.
            lock_chain(conn)
            self._renew(conn, run, waiting, now)
            outcome = write_page(conn, origin, spec.object, page.records, mapper, now)
            read_id = position.resume.get("read_id")
            if run.mode == "full" and spec.deletes_by_absence and read_id:
                ids = (mapper.external_id(spec.object, raw) for raw in page.records)
                deletes.record_seen(conn, run.connector_id, run.stream, read_id, [i for i in ids if i])
                if page.resume is None:  # the last page: the read is complete
                    absent = deletes.finish_full_read(
                        conn, origin, run.stream, spec.object, read_id,
                        datetime.fromisoformat(position.resume["started_at"]), guard, mapper.version, now,
                    )  # fmt: skip
                    run.tombstoned, run.held_deletes = absent.tombstoned, absent.held
                    outcome.changed += absent.tombstoned
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
        until = now + timedelta(seconds=wait)
        with self.engine.begin() as conn:
            try:
                lease.renew(conn, run.connector_id, run.stream, run.run_id, now, self.lease_seconds)
            except LeaseLost:  # the connector was deleted meanwhile: no state to keep
                return
            upsert(
                conn,
                stream_state,
                [{"connector_id": run.connector_id, "stream": run.stream, "updated_at": now, "paused_until": until}],
                key=["connector_id", "stream"],
                update=["paused_until", "updated_at"],
            )  # fmt: skip
        log.warning("sync paused %s/%s for %.0f s: %s", run.connector_id, run.stream, wait, run.error)
        if self.on_pause is not None:
            try:
                self.on_pause(run.connector_id, run.stream, until)
            except Exception as error:  # the pause stands; the next trigger resumes it
                log.warning("resume of %s/%s not scheduled: %s", run.connector_id, run.stream, error)

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
            raise StreamPaused(
                f"{connector_id}/{stream} is paused until {until.isoformat()} (upstream quota)", until, stream=stream
            )

    @staticmethod
    def _final_cursor(mode: str, before: str | None, max_seen: str | None, started_at: str) -> str | None:
        if mode == "full":
            start = cursors.normalise(started_at)
            return cursors.earlier(max_seen, start) if max_seen else start
        return cursors.later(before, max_seen)
