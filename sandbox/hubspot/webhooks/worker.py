"""The background delivery thread of one simulated HubSpot portal.

It takes due batches from the :class:`DeliveryQueue`, signs and POSTs them, and schedules retries:
a retryable failure of attempt ``n`` is sent again (``attemptNumber`` n+1, new timestamp and
signature) after ``Retry-After`` if the target sent one, else ``min(retry_base_s * 2**n,
retry_max_s)``, until ``max_attempts`` attempts were made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from sandbox.hubspot.webhooks import sender
from sandbox.hubspot.webhooks.queue import Batch, DeliveryQueue
from sandbox.hubspot.webhooks.settings import WebhookSettings
from sandbox.kit.background import BackgroundLoop
from sandbox.kit.clock import wall_ms


class DeliveryWorker(BackgroundLoop):
    """Start with :meth:`start`, stop (and join) with :meth:`stop`; restartable."""

    def __init__(self, queue: DeliveryQueue, settings_fn: Callable[[], WebhookSettings]) -> None:
        super().__init__("sandbox-hubspot-webhooks")
        self.queue = queue
        self.settings_fn = settings_fn

    def _wake(self) -> None:
        self.queue.wake()

    def _join_timeout(self) -> float:
        return self.settings_fn().timeout_s + 5

    def _run(self) -> None:
        with httpx.Client(follow_redirects=False) as client:
            while (batch := self.queue.take(self.settings_fn, self._stop)) is not None:
                try:
                    self._deliver(client, batch)
                except Exception as exc:  # never let the thread die
                    self.queue.record(
                        {
                            "kind": "internal",
                            "outcome": "error",
                            "eventIds": batch.event_ids,
                            "error": repr(exc),
                        },
                        internal_errors=1,
                    )
                finally:
                    self.queue.finish(batch)

    def _deliver(self, client: httpx.Client, batch: Batch) -> None:
        settings = self.settings_fn()
        count = len(batch.events)
        if not settings.enabled or not settings.target_url:
            self.queue.record(
                {"kind": "auto", "outcome": "discarded", "eventIds": batch.event_ids}, events_discarded=count
            )
            return
        body = sender.encode_body(batch.events, batch.attempt)
        result = self._post(client, settings, body)
        attempt = batch.attempt
        entry: dict[str, Any] = {
            "kind": "auto",
            "batchId": batch.id,
            "eventIds": batch.event_ids,
            "attemptNumber": attempt,
            "url": settings.target_url,
            **result.log_fields(),
        }
        outcome = result.outcome
        counts = {"attempts": 1}
        if outcome == "retry" and attempt + 1 < settings.max_attempts:
            delay = result.retry_after if result.retry_after is not None else settings.retry_delay(attempt)
            entry["retryInS"] = delay
            entry["nextAttemptAt"] = wall_ms() + int(delay * 1000)
            batch.attempt += 1
            self.queue.schedule(batch, delay)
            counts["retries"] = 1
        elif outcome == "retry":
            outcome = "gave_up"
            counts["events_failed"] = count
        elif outcome == "rejected":
            counts["events_rejected"] = count
        else:
            counts["events_delivered"] = count
        entry["outcome"] = outcome
        self.queue.record(entry, **counts)
        if self.queue.chaos.take_duplicate():
            again = self._post(client, settings, body)
            base = {k: v for k, v in entry.items() if k not in ("retryInS", "nextAttemptAt")}
            self.queue.record(
                {**base, "kind": "duplicate", "outcome": again.outcome, **again.log_fields()},
                duplicates_sent=1,
            )

    @staticmethod
    def _post(client: httpx.Client, settings: WebhookSettings, body: bytes) -> sender.AttemptResult:
        return sender.send(
            client,
            settings.target_url,
            body,
            client_secret=settings.client_secret,
            versions=settings.signature_versions,
            timeout_s=settings.timeout_s,
        )
