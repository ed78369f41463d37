"""The webhook facade of one portal: settings, subscriptions, event generation, queue and worker.

Write operations call :meth:`WebhookService.created` / :meth:`changed` / :meth:`deleted`; these
return at once when webhooks are disabled, so an unconfigured sandbox pays nothing.
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from sandbox.hubspot.config import HubSpotConfig
from sandbox.hubspot.records import Record
from sandbox.hubspot.webhooks import sender
from sandbox.hubspot.webhooks.events import EventBuilder
from sandbox.hubspot.webhooks.queue import DeliveryQueue
from sandbox.hubspot.webhooks.settings import (
    SettingsError,
    SubscriptionSet,
    WebhookSettings,
    check_url,
    check_versions,
)
from sandbox.hubspot.webhooks.worker import DeliveryWorker
from sandbox.kit.chaos import Chaos
from sandbox.kit.clock import Clock


class WebhookService:
    """See the module docstring.  Mutated from the event loop; the worker only reads ``settings``."""

    def __init__(self, config: HubSpotConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self.settings = WebhookSettings(client_secret=config.client_secret)
        self.subscriptions = SubscriptionSet(clock.now_ms())
        self.settings_created_ms = self.settings_updated_ms = clock.now_ms()
        self.chaos = Chaos()
        self.queue = DeliveryQueue(self.chaos)
        self.builder = EventBuilder(config.hub_id, config.app_id, config.user_id)
        self.worker = DeliveryWorker(self.queue, lambda: self.settings)

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the delivery thread."""
        self.worker.start()

    def stop(self) -> None:
        """Stop the delivery thread (queued events stay queued)."""
        self.worker.stop()

    # -- configuration ---------------------------------------------------------------------------
    def configure(self, body: dict[str, Any]) -> dict[str, Any]:
        """``PUT /_sandbox/webhooks``: merge settings (``enabled`` defaults to true) and subscriptions."""
        new = self.settings.merged({"enabled": True, **body})
        if "subscriptions" in body:
            subs = SubscriptionSet(self.clock.now_ms())
            subs.replace(body["subscriptions"], self.clock.now_ms())
            self.subscriptions = subs
        self._swap(new)
        if new.enabled:
            self.start()
        return self.view()

    def disable(self) -> int:
        """``DELETE /_sandbox/webhooks``: stop generating events and discard queued ones."""
        self._swap(self.settings.merged({"enabled": False}))
        return self.queue.clear()

    def set_target(self, target_url: str | None, max_concurrent: int | None) -> None:
        """Management API ``PUT settings`` (a URL enables delivery; ``""`` disables it)."""
        changes: dict[str, Any] = {}
        if target_url is not None:
            changes["target_url"] = check_url(target_url)
            changes["enabled"] = bool(target_url)
        if max_concurrent is not None:
            changes["max_concurrent_requests"] = max_concurrent
        self._swap(self.settings.merged(changes))
        if self.settings.enabled:
            self.start()

    def _swap(self, new: WebhookSettings) -> None:
        self.settings = new
        self.settings_updated_ms = self.clock.now_ms()
        self.queue.wake()

    def view(self) -> dict[str, Any]:
        """Settings (never the secret), subscription labels, worker state, ids."""
        return {
            **self.settings.view(),
            "subscriptions": [s.label for s in self.subscriptions.items if s.active],
            "running": self.worker.running,
            "portal_id": self.config.hub_id,
            "app_id": self.config.app_id,
        }

    # -- events ----------------------------------------------------------------------------------
    def created(self, object_type: str, record: Record, props: dict[str, str], source: str) -> None:
        """A record was created with ``props``."""
        if not self.settings.enabled:
            return
        build = self.builder
        events = build.flag_events(self.subscriptions, object_type, "creation", record.id, record.updated_ms, source)
        if self.settings.property_events_on_create:
            values = {k: record.properties[k] for k in props if k in record.properties}
            events += build.property_events(
                self.subscriptions, object_type, record.id, record.updated_ms, values, source
            )
        self.queue.put(events)

    def changed(self, object_type: str, record: Record, changes: dict[str, str], source: str) -> None:
        """Properties of a record changed to ``changes`` (``""`` = cleared)."""
        if self.settings.enabled and changes:
            self.queue.put(
                self.builder.property_events(
                    self.subscriptions, object_type, record.id, record.updated_ms, changes, source
                )
            )

    def deleted(self, object_type: str, record: Record, source: str) -> None:
        """A record was archived."""
        if self.settings.enabled:
            occurred = record.archived_ms or record.updated_ms
            self.queue.put(
                self.builder.flag_events(self.subscriptions, object_type, "deletion", record.id, occurred, source)
            )

    def merged(self, object_type: str, survivor: Record, merged_ids: list[int], moved: int, source: str) -> None:
        """Records were merged into ``survivor``."""
        if self.settings.enabled:
            self.queue.put(
                self.builder.merge_events(
                    self.subscriptions, object_type, survivor.id, merged_ids, survivor.updated_ms, moved, source
                )
            )

    # -- test controls ---------------------------------------------------------------------------
    def flush(self, timeout_s: float, hurry: bool) -> dict[str, Any]:
        """Block until the queue is empty (call from a worker thread, not the event loop)."""
        idle = self.queue.wait_idle(timeout_s, hurry)
        return {"flushed": idle, "running": self.worker.running, **self.queue.stats()}

    def send_manual(self, body: dict[str, Any]) -> dict[str, Any]:
        """``POST /_sandbox/webhooks/send`` (blocking; run it in a thread)."""
        settings = self.settings
        url = check_url(body.get("target_url", settings.target_url))
        if not url:
            raise SettingsError("no 'target_url' configured or given")
        payload, sent = manual_payload(body)
        secret = body.get("client_secret", settings.client_secret)
        if not isinstance(secret, str) or not secret:
            raise SettingsError("'client_secret' must be a non-empty string")
        versions = check_versions(body.get("signature_versions", list(settings.signature_versions)))
        offset = body.get("timestamp_offset_ms", 0)
        if isinstance(offset, bool) or not isinstance(offset, int):
            raise SettingsError("'timestamp_offset_ms' must be an integer")
        sign = body.get("sign", True)
        with httpx.Client() as client:
            result = sender.send(
                client,
                url,
                payload,
                client_secret=secret if sign else None,
                versions=versions,
                timeout_s=settings.timeout_s,
                timestamp_offset_ms=offset,
                sent_body=sent,
            )
        event_ids = _event_ids(body.get("events"))
        self.queue.record(
            {
                "kind": "manual",
                "outcome": result.outcome,
                "eventIds": event_ids,
                "url": url,
                **result.log_fields(),
            },
            manual_sends=1,
        )
        return {
            **result.log_fields(),
            "outcome": result.outcome,
            "response_body": result.response_body,
            "request_headers": result.request_headers,
            "request_body": (sent if sent is not None else payload).decode("utf-8", "replace"),
        }


def manual_payload(body: dict[str, Any]) -> tuple[bytes, bytes | None]:
    """``(signed body, body actually sent or None)`` for a manual send; tampering changes the latter."""
    if "raw_body" in body:
        raw = body["raw_body"]
        if not isinstance(raw, str):
            raise SettingsError("'raw_body' must be a string")
        payload = raw.encode()
    else:
        events = body.get("events")
        if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
            raise SettingsError("'events' must be a list of event objects")
        payload = sender.encode_body(events)
    if not body.get("tamper", False):
        return payload, None
    try:
        doc = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return payload, payload + b" "
    if isinstance(doc, list) and doc and isinstance(doc[0], dict):
        first = doc[0]
        if isinstance(first.get("objectId"), int):
            first["objectId"] += 1
        else:
            first["tampered"] = True
        return payload, orjson.dumps(doc)
    return payload, payload + b" "


def _event_ids(events: Any) -> list[Any]:
    if not isinstance(events, list):
        return []
    return [e.get("eventId") for e in events if isinstance(e, dict) and "eventId" in e]
