"""Thread-safe delivery queue: new events, scheduled (delayed / retry) batches, counters and log.

Producers (request handlers on the event loop) call :meth:`DeliveryQueue.put`; the single delivery
thread calls :meth:`DeliveryQueue.take` / :meth:`DeliveryQueue.finish` / :meth:`DeliveryQueue.schedule`.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.hubspot.webhooks.events import Event
from sandbox.hubspot.webhooks.settings import WebhookSettings
from sandbox.kit.chaos import Chaos
from sandbox.kit.clock import wall_ms

LOG_SIZE = 10_000
MAX_WAIT_S = 0.5


@dataclass(slots=True)
class Batch:
    """Events delivered together; ``attempt`` is the next ``attemptNumber``."""

    id: int
    events: list[Event]
    attempt: int = 0
    due: float = 0.0

    @property
    def event_ids(self) -> list[int]:
        """The events' ids, in delivery order."""
        return [int(e["eventId"]) for e in self.events]


class DeliveryQueue:
    """Pending events → batches; see the module docstring."""

    def __init__(self, chaos: Chaos) -> None:
        self.chaos = chaos
        self._cond = threading.Condition()
        self._pending: deque[tuple[float, Event]] = deque()
        self._scheduled: list[Batch] = []
        self._in_flight = 0
        self._batch_ids = itertools.count(1)
        self._entry_ids = itertools.count(1)
        self._log: deque[dict[str, Any]] = deque(maxlen=LOG_SIZE)
        self.counts: Counter[str] = Counter()

    def put(self, events: list[Event]) -> None:
        """Queue new events."""
        if not events:
            return
        with self._cond:
            now = time.monotonic()
            self._pending.extend((now, e) for e in events)
            self.counts["events_queued"] += len(events)
            self._cond.notify_all()

    def take(self, settings_fn: Callable[[], WebhookSettings], stop: threading.Event) -> Batch | None:
        """Block until a batch is due (``None`` once ``stop`` is set); it counts as in flight."""
        with self._cond:
            while not stop.is_set():
                settings = settings_fn()
                now = time.monotonic()
                batch = self._next(now, settings)
                if batch is not None:
                    self._in_flight += 1
                    return batch
                self._cond.wait(self._wait_s(now, settings))
            return None

    def _next(self, now: float, settings: WebhookSettings) -> Batch | None:
        due = sorted((b for b in self._scheduled if b.due <= now), key=lambda b: (b.due, b.id))
        if due:
            batch = self.chaos.pick(due)
            self._scheduled.remove(batch)
            return batch
        size = settings.batch_size
        while self._pending and (len(self._pending) >= size or self._pending[0][0] + settings.batch_window_s <= now):
            formed = self._form(now, size)
            if formed is not None:
                return formed
        return None

    def _form(self, now: float, size: int) -> Batch | None:
        window = [self._pending.popleft() for _ in range(min(len(self._pending), size * 4))]
        window = self.chaos.shuffled(window)
        self._pending.extendleft(reversed(window[size:]))
        events = [e for _, e in window[:size]]
        dropped = self.chaos.take_drops(len(events))
        if dropped:
            lost, events = events[:dropped], events[dropped:]
            self.counts["events_dropped"] += dropped
            self._append({"kind": "chaos", "outcome": "dropped", "eventIds": [e["eventId"] for e in lost]})
        if not events:
            return None
        batch = Batch(next(self._batch_ids), events, due=now)
        if self.chaos.delay_s > 0:
            batch.due = now + self.chaos.delay_s
            self._scheduled.append(batch)
            return None
        return batch

    def _wait_s(self, now: float, settings: WebhookSettings) -> float:
        times = [b.due for b in self._scheduled]
        if self._pending:
            times.append(self._pending[0][0] + settings.batch_window_s)
        wait = min(times, default=now + MAX_WAIT_S) - now
        return min(max(wait, 0.001), MAX_WAIT_S)

    def finish(self, batch: Batch) -> None:
        """The worker is done with ``batch`` (delivered, scheduled again or given up)."""
        with self._cond:
            self._in_flight -= 1
            self._cond.notify_all()

    def schedule(self, batch: Batch, delay_s: float) -> None:
        """Send ``batch`` again after ``delay_s`` seconds."""
        with self._cond:
            batch.due = time.monotonic() + delay_s
            self._scheduled.append(batch)
            self._cond.notify_all()

    def wake(self) -> None:
        """Wake the worker (after a stop request or settings change)."""
        with self._cond:
            self._cond.notify_all()

    def clear(self) -> int:
        """Discard every queued and scheduled event; returns how many."""
        with self._cond:
            n = len(self._pending) + sum(len(b.events) for b in self._scheduled)
            self._pending.clear()
            self._scheduled.clear()
            self.counts["events_discarded"] += n
            self._cond.notify_all()
            return n

    def wait_idle(self, timeout_s: float, hurry: bool = False) -> bool:
        """Block until nothing is queued, scheduled or in flight.

        ``hurry`` makes scheduled (retry / delayed) batches due at once.
        """
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                if hurry:
                    now = time.monotonic()
                    for batch in self._scheduled:
                        batch.due = min(batch.due, now)
                    self._cond.notify_all()
                if not self._pending and not self._scheduled and self._in_flight == 0:
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))

    def record(self, entry: dict[str, Any], **counts: int) -> None:
        """Append a log entry and add to counters."""
        with self._cond:
            self._append(entry)
            self.counts.update(counts)

    def _append(self, entry: dict[str, Any]) -> None:
        self._log.append({"id": next(self._entry_ids), "at": wall_ms(), **entry})

    def entries(self, limit: int, event_id: int | None = None) -> list[dict[str, Any]]:
        """The newest ``limit`` log entries (oldest first), optionally only those with ``event_id``."""
        with self._cond:
            rows = [e for e in self._log if event_id is None or event_id in e.get("eventIds", ())]
        return rows[-limit:] if limit else rows

    def stats(self) -> dict[str, Any]:
        """Queue sizes and counters."""
        with self._cond:
            return {
                "queued_events": len(self._pending) + sum(len(b.events) for b in self._scheduled),
                "scheduled_batches": len(self._scheduled),
                "in_flight": self._in_flight,
                **{k: self.counts[k] for k in sorted(self.counts)},
            }

    def reset_log(self) -> None:
        """Forget the log and the counters (queued events stay)."""
        with self._cond:
            self._log.clear()
            self.counts.clear()
