"""Inbox workers: claim due events, apply them through the ledger write path, settle them.

An event that names a record is applied by fetching the record's current state; an event carrying
the record is applied as carried (the ledger skips it if it is older than what it holds). The ledger
write and the settling of the events commit together, so a worker killed at any point leaves its
events to be claimed again when the claim expires, and they are applied once. A failure retries with
exponential backoff and jitter; after ``WorkerSettings.max_attempts`` the event is ``dead`` with its
reason, visible in the API and replayable. The write path is the host's (``webhooks.host.Ledger``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from connectors.sdk import public_message
from webhooks.connectors import ConnectorCache
from webhooks.host import Ledger, Metrics, WorkerSettings
from webhooks.inbox import Inbox

log = logging.getLogger(__name__)


class ClaimLost(RuntimeError):
    """Another worker took these events over (our claim expired); roll back and let it apply them."""


class InboxWorker:
    """``run_once()`` processes one batch; ``start()`` runs it in a thread until ``stop()``.

    ``engine`` holds ``inbox``; ``ledger`` is the host's write path, called in the transaction that
    settles the events it applies.
    """

    def __init__(
        self,
        engine: Engine,
        inbox: Inbox,
        cache: ConnectorCache,
        ledger: Ledger,
        *,
        settings: WorkerSettings | None = None,
        metrics: Metrics | None = None,
        owner: str | None = None,
        batch: int = 200,
        poll: float = 0.2,
    ) -> None:
        self.engine = engine
        self.inbox = inbox
        self.cache = cache
        self.ledger = ledger
        self.settings = settings or WorkerSettings()
        self.metrics = metrics or Metrics()
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:inbox:{id(self):x}"
        self.batch = batch
        self.poll = poll
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        settings = self.settings
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            rows = self.inbox.claim(conn, self.owner, now, limit=self.batch, claim_seconds=settings.claim_seconds)
        groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for row in rows:
            groups[(row.connector_id, row.source_object)].append(row)
        for (connector_id, object_name), group in groups.items():
            try:
                self._apply(connector_id, object_name, group)
                self.metrics.events(connector_id, "applied", len(group))
            except Exception as exc:
                self.metrics.events(connector_id, "failed", len(group))
                error = public_message(exc)  # an upstream's answer: status line and codes, never its body
                log.warning("inbox events %s failed: %s", [r.id for r in group], error)
                with self.engine.begin() as conn:
                    self.inbox.settle_failed(
                        conn, self.owner, group, error, datetime.now(UTC),
                        max_attempts=settings.max_attempts, base=settings.retry_base_seconds,
                    )  # fmt: skip
        return len(rows)

    def _apply(self, connector_id: str, object_name: str, group: list[Any]) -> None:
        # The connector is held until the write is done: an edit meanwhile swaps it for new users only.
        with self.cache.use(connector_id) as found:
            if found is None:
                raise LookupError(f"connector {connector_id!r} is gone or disabled")
            kind, connector = found
            event_ids = {row.external_id: str(row.id) for row in group}  # the latest event per record wins
            carried = [row.record for row in group if row.record is not None]
            named = list(dict.fromkeys(row.external_id for row in group if row.record is None))
            fetched = connector.fetch(object_name, named) if named else []
        records = [*carried, *fetched]
        present = {self.ledger.external_id(kind, object_name, raw) for raw in records}
        gone = [external_id for external_id in named if external_id not in present]
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            changed = self.ledger.write(conn, kind, connector_id, object_name, records, gone, now, event_ids)
            ids = [row.id for row in group]
            flags = {row.id: row.external_id in changed and event_ids[row.external_id] == str(row.id) for row in group}
            if self.inbox.settle_applied(conn, self.owner, ids, flags, now) != len(ids):
                raise ClaimLost(f"claim on events {ids} expired before they were applied")

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except Exception:
                log.exception("inbox worker iteration failed")
                busy = 0
            if not busy:
                self._wake.wait(self.poll)
                self._wake.clear()

    def wake(self) -> None:
        """New events were stored: look now instead of at the next poll."""
        self._wake.set()

    def start(self) -> InboxWorker:
        self._thread = threading.Thread(target=self._loop, name=f"inbox-{self.owner}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def drain(self, timeout: float = 30.0) -> int:
        """Process until nothing is due (tests, CLI); returns events processed."""
        total = 0
        deadline = datetime.now(UTC).timestamp() + timeout
        while datetime.now(UTC).timestamp() < deadline:
            n = self.run_once()
            total += n
            if n == 0:
                return total
        return total
