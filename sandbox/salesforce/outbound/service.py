"""Outbound-message queue and delivery thread of one org.

``notify`` (event loop) records the latest field values of a changed record and queues a
notification; the thread groups pending notifications per object (≤ ``batch_size``, after
``batch_window_s``) into messages, POSTs each and retries it until acknowledged, ``max_age_s`` has
passed or ``max_attempts`` were made.  Values are read when a message is built, so only the latest
values are sent (as Salesforce does); duplicates are possible, so receivers dedupe on the
notification ``Id``.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from sandbox.kit.background import BackgroundLoop
from sandbox.kit.clock import wall_ms
from sandbox.salesforce.ids import IdAllocator, make_id
from sandbox.salesforce.outbound.envelope import build_envelope, parse_ack
from sandbox.salesforce.outbound.settings import OutboundSettings
from sandbox.salesforce.schema import ObjectDef
from sandbox.salesforce.values import format_datetime

LOG_SIZE = 10_000
MAX_WAIT_S = 0.5
PREVIEW = 2000


@dataclass(slots=True)
class Message:
    """One SOAP message (a batch of notifications of one object)."""

    id: int
    object: str
    notifications: list[tuple[str, str]]  # (notification id, record id)
    attempt: int = 0
    due: float = 0.0
    first_ms: int = 0


def xml_values(obj: ObjectDef, record: dict[str, Any], only: tuple[str, ...]) -> dict[str, str]:
    """Non-null field values as SOAP text (``Id`` first; ``only`` restricts the fields)."""
    names = ["Id", *[n for n in (only or tuple(obj.fields)) if n != "Id"]]
    out: dict[str, str] = {}
    for name in names:
        fd = obj.field(name)
        value = record.get(fd.name) if fd else None
        if fd is None or value is None:
            continue
        if fd.type == "datetime":
            out[fd.name] = format_datetime(int(value)).replace("+0000", "Z")
        elif isinstance(value, bool):
            out[fd.name] = "true" if value else "false"
        else:
            out[fd.name] = str(value)
    return out


class OutboundService(BackgroundLoop):
    """See the module docstring; ``context`` returns (org id, base URL, session id or None)."""

    def __init__(self, objects: dict[str, ObjectDef], context: Callable[[], tuple[str, str, str | None]]) -> None:
        super().__init__("sandbox-salesforce-outbound")
        self.objects = objects
        self.context = context
        self.settings = OutboundSettings()
        self._cond = threading.Condition()
        self._pending: deque[tuple[float, str, str, str]] = deque()  # (queued at, object, notif id, record id)
        self._latest: dict[tuple[str, str], dict[str, str]] = {}
        self._scheduled: list[Message] = []
        self._in_flight = 0
        self._ids = itertools.count(1)
        self._entry_ids = itertools.count(1)
        self._notification_ids = itertools.count(IdAllocator.FIRST)
        self._log: deque[dict[str, Any]] = deque(maxlen=LOG_SIZE)
        self.counts: Counter[str] = Counter()

    # -- configuration / lifecycle ---------------------------------------------------------------
    def configure(self, body: dict[str, Any]) -> dict[str, Any]:
        """Merge settings (``enabled`` defaults to true) and start the thread when enabled."""
        known = {name.lower(): name for name in self.objects}
        new = self.settings.merged({"enabled": True, **body} if isinstance(body, dict) else body, known)
        with self._cond:
            self.settings = new
            self._cond.notify_all()
        if new.enabled:
            self.start()
        return self.view()

    def disable(self) -> int:
        """Stop queueing and discard what is queued; returns how many notifications were dropped."""
        with self._cond:
            self.settings = self.settings.merged({"enabled": False}, {})
            dropped = len(self._pending) + sum(len(m.notifications) for m in self._scheduled)
            self._pending.clear()
            self._scheduled.clear()
            self.counts["notifications_discarded"] += dropped
            self._cond.notify_all()
        return dropped

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def _join_timeout(self) -> float:
        return self.settings.timeout_s + 5

    def view(self) -> dict[str, Any]:
        """Settings and state."""
        return {**self.settings.view(), "running": self.running, **self.stats()}

    # -- producer --------------------------------------------------------------------------------
    def notify(self, object_name: str, record: dict[str, Any]) -> None:
        """A record of ``object_name`` was created or updated."""
        settings = self.settings
        if not settings.enabled or object_name not in settings.objects:
            return
        values = xml_values(self.objects[object_name], record, settings.fields.get(object_name, ()))
        notification_id = make_id("04l", next(self._notification_ids))
        with self._cond:
            self._latest[(object_name, record["Id"])] = values
            self._pending.append((time.monotonic(), object_name, notification_id, record["Id"]))
            self.counts["notifications_queued"] += 1
            self._cond.notify_all()

    # -- consumer --------------------------------------------------------------------------------
    def _take(self) -> Message | None:
        with self._cond:
            while not self._stop.is_set():
                now = time.monotonic()
                message = self._next(now)
                if message is not None:
                    self._in_flight += 1
                    return message
                waits = [m.due for m in self._scheduled]
                if self._pending:
                    waits.append(self._pending[0][0] + self.settings.batch_window_s)
                self._cond.wait(min(max(min(waits, default=now + MAX_WAIT_S) - now, 0.001), MAX_WAIT_S))
            return None

    def _next(self, now: float) -> Message | None:
        due = sorted((m for m in self._scheduled if m.due <= now), key=lambda m: (m.due, m.id))
        if due:
            self._scheduled.remove(due[0])
            return due[0]
        size = self.settings.batch_size
        if not self._pending or (
            len(self._pending) < size and self._pending[0][0] + self.settings.batch_window_s > now
        ):
            return None
        kind = self._pending[0][1]
        taken: list[tuple[float, str, str, str]] = []
        rest: deque[tuple[float, str, str, str]] = deque()
        while self._pending:
            item = self._pending.popleft()
            (taken if item[1] == kind and len(taken) < size else rest).append(item)
        self._pending = rest
        return Message(next(self._ids), kind, [(n, r) for _, _, n, r in taken], first_ms=wall_ms())

    def _run(self) -> None:
        with httpx.Client(follow_redirects=False, verify=False) as client:
            while (message := self._take()) is not None:
                try:
                    self._deliver(client, message)
                except Exception as exc:  # never let the thread die
                    self._record({"messageId": message.id, "outcome": "error", "error": repr(exc)}, internal_errors=1)
                finally:
                    with self._cond:
                        self._in_flight -= 1
                        self._cond.notify_all()

    def _deliver(self, client: httpx.Client, message: Message) -> None:
        settings = self.settings
        count = len(message.notifications)
        if not settings.enabled or not settings.target_url:
            self._record({"messageId": message.id, "outcome": "discarded"}, notifications_discarded=count)
            return
        org, base, session = self.context()
        org15, version = org[:15], settings.api_version
        with self._cond:
            items = [(n, self._latest.get((message.object, r), {"Id": r})) for n, r in message.notifications]
        action = make_id("04k", IdAllocator.FIRST + list(self.objects).index(message.object))
        body = build_envelope(
            org,
            action,
            session if settings.send_session_id else None,
            f"{base}/services/Soap/c/{version}/{org15}",
            f"{base}/services/Soap/u/{version}/{org15}",
            message.object,
            items,
        )
        started = wall_ms()
        status, error, text, acked = None, None, "", False
        try:
            response = client.post(
                settings.target_url,
                content=body,
                timeout=settings.timeout_s,
                headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
            )
            status, text = response.status_code, response.text[:PREVIEW]
            acked = 200 <= status < 300 and parse_ack(response.content)
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        entry: dict[str, Any] = {
            "messageId": message.id,
            "object": message.object,
            "attempt": message.attempt + 1,
            "notificationIds": [n for n, _ in message.notifications],
            "recordIds": [r for _, r in message.notifications],
            "url": settings.target_url,
            "status": status,
            "ack": acked,
            "error": error,
            "response": text,
            "startedAt": started,
            "durationMs": wall_ms() - started,
        }
        if acked:
            self._record({**entry, "outcome": "delivered"}, attempts=1, notifications_delivered=count)
            return
        message.attempt += 1
        aged = wall_ms() - message.first_ms >= settings.max_age_s * 1000
        if aged or (settings.max_attempts and message.attempt >= settings.max_attempts):
            self._record({**entry, "outcome": "gave_up"}, attempts=1, notifications_failed=count)
            return
        delay = settings.retry_delay(message.attempt - 1)
        self._record({**entry, "outcome": "retry", "retryInS": delay}, attempts=1, retries=1)
        with self._cond:
            message.due = time.monotonic() + delay
            self._scheduled.append(message)
            self._cond.notify_all()

    # -- log and test controls -------------------------------------------------------------------
    def _record(self, entry: dict[str, Any], **counts: int) -> None:
        with self._cond:
            self._log.append({"id": next(self._entry_ids), "at": wall_ms(), **entry})
            self.counts.update(counts)

    def flush(self, timeout_s: float, retry_now: bool) -> dict[str, Any]:
        """Block (in a worker thread) until nothing is queued, scheduled or in flight."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                if retry_now:
                    for message in self._scheduled:
                        message.due = min(message.due, time.monotonic())
                    self._cond.notify_all()
                idle = not self._pending and not self._scheduled and self._in_flight == 0
                remaining = deadline - time.monotonic()
                if idle or remaining <= 0:
                    break
                self._cond.wait(min(remaining, 0.05))
        return {"flushed": idle, "running": self.running, **self.stats()}

    def entries(self, limit: int) -> list[dict[str, Any]]:
        """The newest ``limit`` log entries (oldest first)."""
        with self._cond:
            rows = list(self._log)
        return rows[-limit:] if limit else rows

    def stats(self) -> dict[str, Any]:
        """Queue sizes and counters."""
        with self._cond:
            return {
                "queued_notifications": len(self._pending) + sum(len(m.notifications) for m in self._scheduled),
                "scheduled_messages": len(self._scheduled),
                "in_flight": self._in_flight,
                "counts": dict(sorted(self.counts.items())),
            }

    def reset_log(self) -> None:
        """Forget the log and counters."""
        with self._cond:
            self._log.clear()
            self.counts.clear()
