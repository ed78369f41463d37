"""Inbox workers: claim due events, apply them through the ledger write path, settle them.

An event that names a record is applied by fetching the record's current state; an event carrying
the record is applied as carried (the ledger skips it if it is older than what it holds). The ledger
write and the settling of the events commit together, so a worker killed at any point leaves its
events to be claimed again when the claim expires, and they are applied once. A failure retries with
exponential backoff and jitter; after ``webhook_max_attempts`` the event is ``dead`` with its reason,
visible in the API and replayable.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from hub.context import Hub
from hub.ledger import Origin
from hub.ledger.writer import mark_deleted, write_page
from hub.metrics import INBOX_EVENTS
from hub.sync.runner import default_owner
from webhooks import inbox
from webhooks.connectors import ConnectorCache

log = logging.getLogger(__name__)


class ClaimLost(RuntimeError):
    """Another worker took these events over (our claim expired); roll back and let it apply them."""


class InboxWorker:
    """``run_once()`` processes one batch; ``start()`` runs it in a thread until ``stop()``."""

    def __init__(
        self, hub: Hub, cache: ConnectorCache, *, owner: str | None = None, batch: int = 200, poll: float = 0.2
    ) -> None:
        self.hub = hub
        self.cache = cache
        self.owner = owner or f"{default_owner()}:inbox:{id(self):x}"
        self.batch = batch
        self.poll = poll
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        settings = self.hub.settings
        now = datetime.now(UTC)
        with self.hub.engine.begin() as conn:
            rows = inbox.claim(conn, self.owner, now, limit=self.batch, claim_seconds=settings.webhook_claim_seconds)
        groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for row in rows:
            groups[(row.connector_id, row.source_object)].append(row)
        for (connector_id, object_name), group in groups.items():
            try:
                self._apply(connector_id, object_name, group)
                INBOX_EVENTS.labels(connector_id, "applied").inc(len(group))
            except Exception as exc:
                INBOX_EVENTS.labels(connector_id, "failed").inc(len(group))
                log.warning("inbox events %s failed: %s", [r.id for r in group], exc)
                with self.hub.engine.begin() as conn:
                    inbox.settle_failed(
                        conn, self.owner, group, f"{type(exc).__name__}: {exc}", datetime.now(UTC),
                        max_attempts=settings.webhook_max_attempts, base=settings.webhook_retry_base_seconds,
                    )  # fmt: skip
        return len(rows)

    def _apply(self, connector_id: str, object_name: str, group: list[Any]) -> None:
        found = self.cache.get(connector_id)
        if found is None:
            raise LookupError(f"connector {connector_id!r} is gone or disabled")
        kind, connector = found
        mapper = self.hub.mappers.get(kind)
        event_ids = {row.external_id: str(row.id) for row in group}  # the latest event per record wins
        carried = [row.record for row in group if row.record is not None]
        named = list(dict.fromkeys(row.external_id for row in group if row.record is None))
        fetched = connector.fetch(object_name, named) if named else []
        present = {mapper.external_id(object_name, raw) for raw in [*carried, *fetched]}
        gone = [external_id for external_id in named if external_id not in present]
        now = datetime.now(UTC)
        origin = Origin(system=kind, instance=connector_id)
        with self.hub.engine.begin() as conn:
            outcome = write_page(conn, origin, object_name, [*carried, *fetched], mapper, now, event_ids)
            if gone:
                deleted = mark_deleted(conn, origin, object_name, gone, now, mapper.version, event_ids)
                outcome.changed_ids.extend(deleted.changed_ids)
            changed = set(outcome.changed_ids)
            ids = [row.id for row in group]
            flags = {row.id: row.external_id in changed and event_ids[row.external_id] == str(row.id) for row in group}
            if inbox.settle_applied(conn, self.owner, ids, flags, now) != len(ids):
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
