"""The background delivery thread: POST each due delivery, classify, retry, duplicate.

Retried (up to ``max_attempts`` attempts in all): connection failures, timeouts, 5xx and 429,
after ``Retry-After`` when the target sent one, else ``min(retry_base_s * 2**attempt,
retry_max_s)``.  Any other non-2xx answer (including 3xx: redirects are not followed) is final.
Requests are unsigned (PartnerStack documents no signature).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from sandbox.kit.background import BackgroundLoop
from sandbox.kit.clock import wall_ms
from sandbox.kit.retry_after import parse_retry_after
from sandbox.partnerstack.webhooks.queue import Delivery, DeliveryQueue
from sandbox.partnerstack.webhooks.settings import WebhookSettings

USER_AGENT = "PartnerStack-Webhooks/2.0 (sandbox)"
PREVIEW = 500


def post(client: httpx.Client, url: str, body: bytes, timeout_s: float) -> dict[str, Any]:
    """One POST; returns ``{status, error, retry_after, startedAt, finishedAt, durationMs, outcome}``."""
    started = wall_ms()
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    status: int | None = None
    error: str | None = None
    retry_after: float | None = None
    preview = ""
    try:
        response = client.post(url, content=body, headers=headers, timeout=timeout_s)
        status, preview = response.status_code, response.text[:PREVIEW]
        retry_after = parse_retry_after(response.headers.get("retry-after"))
    except httpx.TimeoutException as exc:
        error = f"timeout: {type(exc).__name__}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"
    finished = wall_ms()
    if status is None or status == 429 or status >= 500:
        outcome = "retry"
    else:
        outcome = "delivered" if 200 <= status < 300 else "rejected"
    return {
        "status": status,
        "error": error,
        "retryAfter": retry_after,
        "response": preview,
        "startedAt": started,
        "finishedAt": finished,
        "durationMs": finished - started,
        "outcome": outcome,
    }


class DeliveryWorker(BackgroundLoop):
    """Start with :meth:`start`, stop (and join) with :meth:`stop`; restartable."""

    def __init__(self, queue: DeliveryQueue, settings_fn: Callable[[], WebhookSettings]) -> None:
        super().__init__("sandbox-partnerstack-webhooks")
        self.queue = queue
        self.settings_fn = settings_fn

    def _wake(self) -> None:
        self.queue.wake()

    def _join_timeout(self) -> float:
        return self.settings_fn().timeout_s + 5

    def _run(self) -> None:
        with httpx.Client(follow_redirects=False) as client:
            while (delivery := self.queue.take(self._stop)) is not None:
                try:
                    self._deliver(client, delivery)
                except Exception as exc:  # never let the thread die
                    self.queue.record({"kind": "internal", "outcome": "error", "error": repr(exc), **delivery.ids()})
                finally:
                    self.queue.finish()

    def _deliver(self, client: httpx.Client, delivery: Delivery) -> None:
        settings = self.settings_fn()
        if not settings.enabled:
            self.queue.record({"kind": "auto", "outcome": "discarded", **delivery.ids()}, events_discarded=1)
            return
        result = post(client, delivery.url, delivery.body, settings.timeout_s)
        entry: dict[str, Any] = {"kind": "auto", **delivery.ids(), **result}
        counts = {"attempts": 1}
        if result["outcome"] == "retry" and delivery.attempt + 1 < settings.max_attempts:
            delay = result["retryAfter"]
            delay = settings.retry_delay(delivery.attempt) if delay is None else delay
            entry["retryInS"] = delay
            delivery.attempt += 1
            self.queue.schedule(delivery, delay)
            counts["retries"] = 1
        elif result["outcome"] == "retry":
            entry["outcome"] = "gave_up"
            counts["events_failed"] = 1
        elif result["outcome"] == "rejected":
            counts["events_rejected"] = 1
        else:
            counts["events_delivered"] = 1
        self.queue.record(entry, **counts)
        if self.queue.chaos.take_duplicate():
            again = post(client, delivery.url, delivery.body, settings.timeout_s)
            duplicate = {**entry, **again, "kind": "duplicate"}
            duplicate.pop("retryInS", None)
            self.queue.record(duplicate, duplicates_sent=1)
