"""Thread-safe delivery queue: pending / retrying deliveries, in-flight count, counters and log.

Request handlers (event loop) call :meth:`DeliveryQueue.put`; the delivery thread calls
:meth:`take`, :meth:`finish` and :meth:`schedule`; admin endpoints read the log and counters.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any

from sandbox.kit.chaos import Chaos
from sandbox.kit.clock import wall_ms

LOG_SIZE = 10_000
MAX_WAIT_S = 0.5


@dataclass(slots=True)
class Delivery:
    """One event for one registered webhook; ``attempt`` counts from 0."""

    id: int
    webhook_key: str
    url: str
    event: str
    object_key: str
    body: bytes
    attempt: int = 0
    due: float = 0.0

    def ids(self) -> dict[str, Any]:
        """The identifying fields of log entries."""
        return {
            "deliveryId": self.id,
            "webhookKey": self.webhook_key,
            "event": self.event,
            "objectKey": self.object_key,
            "attempt": self.attempt,
            "url": self.url,
        }


class DeliveryQueue:
    """See the module docstring."""

    def __init__(self, chaos: Chaos) -> None:
        self.chaos = chaos
        self._cond = threading.Condition()
        self._waiting: list[Delivery] = []
        self._in_flight = 0
        self._ids = itertools.count(1)
        self._entry_ids = itertools.count(1)
        self._log: deque[dict[str, Any]] = deque(maxlen=LOG_SIZE)
        self.counts: Counter[str] = Counter()

    def next_id(self) -> int:
        """A new delivery id."""
        return next(self._ids)

    def put(self, deliveries: list[Delivery], hold_s: float) -> None:
        """Queue new deliveries, due after ``hold_s`` (+ chaos delay); chaos may drop some."""
        if not deliveries:
            return
        with self._cond:
            dropped = self.chaos.take_drops(len(deliveries))
            for lost in deliveries[:dropped]:
                self._append({"kind": "chaos", "outcome": "dropped", **lost.ids()})
            self.counts.update(events_queued=len(deliveries), events_dropped=dropped)
            due = time.monotonic() + hold_s + self.chaos.delay_s
            for delivery in deliveries[dropped:]:
                delivery.due = due
                self._waiting.append(delivery)
            self._cond.notify_all()

    def take(self, stop: threading.Event) -> Delivery | None:
        """Block until a delivery is due (``None`` once ``stop`` is set); it counts as in flight."""
        with self._cond:
            while not stop.is_set():
                now = time.monotonic()
                due = sorted((d for d in self._waiting if d.due <= now), key=lambda d: (d.due, d.id))
                if due:
                    chosen = self.chaos.pick(due)
                    self._waiting.remove(chosen)
                    self._in_flight += 1
                    return chosen
                wake = min((d.due for d in self._waiting), default=now + MAX_WAIT_S)
                self._cond.wait(min(max(wake - now, 0.001), MAX_WAIT_S))
            return None

    def finish(self) -> None:
        """The worker is done with its current delivery."""
        with self._cond:
            self._in_flight -= 1
            self._cond.notify_all()

    def schedule(self, delivery: Delivery, delay_s: float) -> None:
        """Try ``delivery`` again after ``delay_s`` seconds."""
        with self._cond:
            delivery.due = time.monotonic() + delay_s
            self._waiting.append(delivery)
            self._cond.notify_all()

    def wake(self) -> None:
        """Wake the worker (stop request, settings change)."""
        with self._cond:
            self._cond.notify_all()

    def clear(self) -> int:
        """Discard every waiting delivery; returns how many."""
        with self._cond:
            n = len(self._waiting)
            self._waiting.clear()
            self.counts["events_discarded"] += n
            self._cond.notify_all()
            return n

    def wait_idle(self, timeout_s: float, hurry: bool = False) -> bool:
        """Block until nothing waits or is in flight; ``hurry`` makes waiting retries due now."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                if hurry:
                    now = time.monotonic()
                    for delivery in self._waiting:
                        delivery.due = min(delivery.due, now)
                    self._cond.notify_all()
                if not self._waiting and self._in_flight == 0:
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))

    def record(self, entry: dict[str, Any], **counts: int) -> None:
        """Append a log entry and add to the counters."""
        with self._cond:
            self._append(entry)
            self.counts.update(counts)

    def _append(self, entry: dict[str, Any]) -> None:
        self._log.append({"id": next(self._entry_ids), "at": wall_ms(), **entry})

    def entries(self, limit: int, filters: dict[str, str]) -> list[dict[str, Any]]:
        """The newest ``limit`` log entries (oldest first) whose fields equal ``filters``."""
        with self._cond:
            rows = [e for e in self._log if all(str(e.get(k)) == v for k, v in filters.items())]
        return rows[-limit:] if limit else rows

    def stats(self) -> dict[str, Any]:
        """Queue sizes and counters."""
        with self._cond:
            return {
                "queued": len(self._waiting),
                "in_flight": self._in_flight,
                **{k: self.counts[k] for k in sorted(self.counts)},
            }

    def reset_log(self) -> None:
        """Forget the log and counters (waiting deliveries stay)."""
        with self._cond:
            self._log.clear()
            self.counts.clear()
