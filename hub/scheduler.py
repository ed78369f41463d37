"""Schedules: APScheduler triggers (interval or cron) that run connector streams inside ``hub serve``.

Each (connector, stream, schedule) is one job with ``max_instances=1`` and ``coalesce=True``, so a
slow run is never stacked on itself; the stream lease in the database makes the same guarantee
against manual triggers and other processes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from hub.connector_store import ConnectorPublic, ConnectorStore, Schedule
from hub.db.schema import stream_state
from hub.sync import StreamBusy, StreamPaused, SyncRunner

log = logging.getLogger(__name__)
#: Job ids of one-off resumptions of paused streams (kept across ``reload``).
RESUME_PREFIX = "resume:"
WRITEBACK_JOB = "writeback"
RESUME_MARGIN = timedelta(seconds=1)


def trigger_for(schedule: Schedule) -> BaseTrigger:
    if schedule.cron is not None:
        return CronTrigger.from_crontab(schedule.cron, timezone=UTC)
    assert schedule.interval_seconds is not None
    return IntervalTrigger(seconds=schedule.interval_seconds, timezone=UTC)


class HubScheduler:
    """Owns the APScheduler instance; ``reload()`` after any connector change."""

    def __init__(
        self,
        store: ConnectorStore,
        runner: SyncRunner,
        *,
        workers: int = 4,
        writeback: Callable[[], object] | None = None,
        writeback_seconds: float = 0,
    ) -> None:
        self.store = store
        self.runner = runner
        #: the outbox dispatcher's pass (``hub.writeback.dispatch.dispatch_all``), run every ``writeback_seconds``
        self.writeback = writeback
        self.writeback_seconds = writeback_seconds
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=workers)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
            timezone=UTC,
        )
        runner.on_pause = self.schedule_resume

    def start(self) -> None:
        self.reload()
        self._resume_paused()
        if self.writeback is not None and self.writeback_seconds > 0:
            self.scheduler.add_job(
                self._writeback, trigger=IntervalTrigger(seconds=self.writeback_seconds, timezone=UTC),
                id=WRITEBACK_JOB, name="push due write-back outbox rows", replace_existing=True,
            )  # fmt: skip
        self.scheduler.start()

    def _writeback(self) -> None:
        assert self.writeback is not None
        try:
            self.writeback()
        except Exception:
            log.exception("write-back dispatch crashed")

    def schedule_resume(self, connector_id: str, stream: str, until: datetime) -> None:
        """A one-off run of the paused stream just after ``until`` (it continues from its last page)."""
        self.scheduler.add_job(
            self._run,
            trigger=DateTrigger(run_date=until + RESUME_MARGIN, timezone=UTC),
            args=(connector_id, stream, "incremental", "resume"),
            id=f"{RESUME_PREFIX}{connector_id}:{stream}",
            name=f"resume {connector_id}/{stream} after its pause",
            replace_existing=True,
            misfire_grace_time=None,
        )

    def _resume_paused(self) -> None:
        """At start-up: schedule the resumption of every stream a pause left waiting (a restart
        during the pause would otherwise leave it for the next trigger)."""
        known = {c.id for c in self.store.list() if c.enabled and not c.error}
        with self.store.reader.connect() as conn:
            rows = conn.execute(
                select(stream_state.c.connector_id, stream_state.c.stream, stream_state.c.paused_until).where(
                    stream_state.c.paused_until.is_not(None)
                )
            ).all()
        now = datetime.now(UTC)
        for row in rows:
            if row.connector_id in known:
                self.schedule_resume(row.connector_id, row.stream, max(row.paused_until, now))

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def _run(self, connector_id: str, stream: str, mode: str, trigger: str = "schedule") -> None:
        try:
            self.runner.run(connector_id, stream, mode=mode, trigger=trigger)  # type: ignore[arg-type]
        except StreamPaused as exc:
            log.info("scheduled run skipped: %s", exc)
            self.schedule_resume(connector_id, stream, exc.until)
        except StreamBusy as exc:
            log.info("scheduled run skipped: %s", exc)
        except Exception:
            log.exception("scheduled run of %s/%s crashed", connector_id, stream)

    def jobs_for(self, connector: ConnectorPublic) -> list[tuple[str, str, Schedule]]:
        jobs: list[tuple[str, str, Schedule]] = []
        for n, schedule in enumerate(connector.schedules):
            streams = connector.streams if schedule.stream == "*" else [schedule.stream]
            jobs.extend((f"{connector.id}:{stream}:{n}", stream, schedule) for stream in streams)
        return jobs

    def reload(self) -> None:
        """Register every enabled connector's schedules. A connector whose stored configuration is
        unusable (``ConnectorPublic.error``) is logged in one line and skipped: it cannot keep the
        others from being scheduled, nor ``hub serve`` from starting."""
        wanted: set[str] = set()
        for connector in self.store.list():
            if not connector.enabled:
                continue
            if connector.error:
                log.warning("connector %s not scheduled: %s", connector.id, connector.error)
                continue
            for job_id, stream, schedule in self.jobs_for(connector):
                try:
                    trigger = trigger_for(schedule)
                    self.scheduler.add_job(
                        self._run,
                        trigger=trigger,
                        args=(connector.id, stream, schedule.mode),
                        id=job_id,
                        name=f"sync {connector.id}/{stream} ({schedule.mode})",
                        replace_existing=True,
                    )
                except (ValueError, OverflowError) as exc:
                    log.warning("connector %s: schedule %s not registered: %s", connector.id, job_id, exc)
                    continue
                wanted.add(job_id)
        for job in self.scheduler.get_jobs():
            if job.id not in wanted and not job.id.startswith(RESUME_PREFIX) and job.id != WRITEBACK_JOB:
                job.remove()

    def next_run(self, connector_id: str, stream: str) -> datetime | None:
        times = [
            job.next_run_time
            for job in self.scheduler.get_jobs()
            if job.id.startswith(f"{connector_id}:{stream}:") and job.next_run_time is not None
        ]
        return min(times) if times else None
