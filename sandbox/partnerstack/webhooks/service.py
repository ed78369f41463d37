"""The webhook facade of one program: registrations, settings, chaos, queue and delivery thread.

Write operations call :meth:`WebhookService.emit` with the object's new representation; it returns
at once when no registration wants the event.  Payload = the object itself plus ``"event"``.
"""

from __future__ import annotations

from typing import Any

import orjson

from sandbox.kit.chaos import Chaos
from sandbox.kit.clock import Clock
from sandbox.partnerstack.objects import JsonDict, KeyMaker, public
from sandbox.partnerstack.webhooks.events import EMITTED, Registration, v1_name
from sandbox.partnerstack.webhooks.queue import Delivery, DeliveryQueue
from sandbox.partnerstack.webhooks.settings import WebhookSettings
from sandbox.partnerstack.webhooks.worker import DeliveryWorker


class WebhookService:
    """See the module docstring.  Mutated from the event loop; the worker only reads ``settings``."""

    def __init__(self, clock: Clock, keys: KeyMaker) -> None:
        self.clock = clock
        self.keys = keys
        self.settings = WebhookSettings()
        self.registrations: dict[str, Registration] = {}
        self.chaos = Chaos()
        self.queue = DeliveryQueue(self.chaos)
        self.worker = DeliveryWorker(self.queue, lambda: self.settings)

    def start(self) -> None:
        """Start the delivery thread."""
        self.worker.start()

    def stop(self) -> None:
        """Stop the delivery thread (waiting deliveries stay queued)."""
        self.worker.stop()

    # -- registrations (API) -------------------------------------------------------------------------
    def register(self, body: dict[str, Any]) -> Registration:
        """``POST /api/v2/webhooks`` (raises ``WebhookSpecError``); starts the delivery thread."""
        registration = Registration.from_body(self.keys.new("webhooks"), body, self.clock.now_ms())
        self.registrations[registration.key] = registration
        self.start()
        return registration

    def unregister(self, key: str) -> Registration | None:
        """``DELETE /api/v2/webhooks/{key}``."""
        return self.registrations.pop(key, None)

    # -- settings (admin) ----------------------------------------------------------------------------
    def configure(self, body: dict[str, Any]) -> dict[str, Any]:
        """``PUT /_sandbox/webhooks``: merge settings."""
        self.settings = self.settings.merged(body)
        self.queue.wake()
        return self.view()

    def reset(self) -> int:
        """``DELETE /_sandbox/webhooks``: drop every registration, default settings, discard the queue."""
        self.registrations.clear()
        self.settings = WebhookSettings()
        return self.queue.clear()

    def view(self) -> dict[str, Any]:
        """Settings, registrations and thread state."""
        return {
            **self.settings.view(),
            "webhooks": [r.view() for r in self.registrations.values()],
            "running": self.worker.running,
        }

    # -- events --------------------------------------------------------------------------------------
    def emit(self, resource: str, action: str, record: JsonDict) -> None:
        """Queue ``<resource>.<action>`` (e.g. ``deal.updated``) with ``record`` for every subscriber."""
        event = f"{resource}.{action}"
        if action not in EMITTED.get(resource, ()):
            raise ValueError(f"unknown event {event}")
        targets = [r for r in self.registrations.values() if event in r.events]
        if not targets:
            return
        style = self.settings.event_style
        bodies: dict[str, bytes] = {}
        deliveries = []
        for registration in targets:
            use = registration.style if style == "auto" else style
            name = v1_name(event) if use == "v1" else event
            if name not in bodies:
                bodies[name] = orjson.dumps({**public(f"{resource}s", record), "event": name})
            deliveries.append(
                Delivery(
                    self.queue.next_id(), registration.key, registration.target, name, str(record["key"]), bodies[name]
                )
            )
        self.queue.put(deliveries, self.settings.hold_s)

    def flush(self, timeout_s: float, hurry: bool) -> dict[str, Any]:
        """Block until the queue is empty (call from a worker thread, not the event loop)."""
        idle = self.queue.wait_idle(timeout_s, hurry)
        return {"flushed": idle, "running": self.worker.running, **self.queue.stats()}
