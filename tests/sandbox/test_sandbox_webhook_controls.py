"""Webhook test controls (chaos, flush, hand-made sends), configuration, management API, lifecycle."""

from __future__ import annotations

import time

import httpx
from hubspot import HubSpot
from hubspot.utils.signature import Signature
from hubspot.webhooks import (
    SettingsChangeRequest,
    SubscriptionCreateRequest,
    SubscriptionPatchRequest,
    ThrottlingSettings,
)

from sandbox.server import SandboxServer
from tests.sandbox.conftest import ADMIN, HOOK_SECRET, Hooks


def test_duplicate_next_sends_the_same_delivery_twice(hooks: Hooks) -> None:
    hooks.admin.post("/_sandbox/webhooks/chaos", json={"duplicate": {"next": 1}}).raise_for_status()
    hooks.mutate(object="companies", count=2, seed=11)
    hooks.flush()
    first, second = hooks.receiver.requests
    assert first.body == second.body
    hooks.mutate(object="companies", count=1, seed=12)
    hooks.flush()
    assert len(hooks.receiver.requests) == 3
    kinds = [d["kind"] for d in hooks.deliveries()]
    assert kinds == ["auto", "duplicate", "auto"]


def test_reorder_shuffles_events_within_and_between_batches(hooks: Hooks) -> None:
    hooks.configure(batch_size=5)
    hooks.admin.post("/_sandbox/webhooks/chaos", json={"reorder": True, "seed": 3}).raise_for_status()
    hooks.mutate(object="contacts", count=20, seed=13)
    hooks.flush()
    assert all(len(r.events) <= 5 for r in hooks.receiver.requests)
    ids = [e["eventId"] for e in hooks.receiver.events()]
    assert len(ids) == 20 and len(set(ids)) == 20
    assert ids != sorted(ids)
    first_batch = [e["eventId"] for e in hooks.receiver.requests[0].events]
    assert first_batch != sorted(ids)[:5]


def test_drop_loses_events_silently(hooks: Hooks) -> None:
    hooks.admin.post("/_sandbox/webhooks/chaos", json={"drop": 2}).raise_for_status()
    hooks.mutate(object="deals", count=5, seed=14)
    flushed = hooks.flush()
    assert flushed["events_dropped"] == 2 and flushed["events_delivered"] == 3
    received = {e["eventId"] for e in hooks.receiver.events()}
    (dropped,) = [d for d in hooks.deliveries() if d["outcome"] == "dropped"]
    assert len(dropped["eventIds"]) == 2 and not received & set(dropped["eventIds"])
    assert hooks.admin.get("/_sandbox/webhooks/chaos").json()["drop"] == 0


def test_delay_holds_deliveries(hooks: Hooks) -> None:
    hooks.admin.post("/_sandbox/webhooks/chaos", json={"delay_s": 0.3}).raise_for_status()
    started = time.monotonic()
    hooks.mutate(object="companies", count=1, seed=15)
    hooks.flush()
    (request,) = hooks.receiver.requests
    assert request.at - started >= 0.3


def test_flush_times_out_then_retry_now_hurries(hooks: Hooks) -> None:
    hooks.configure(retry_base_s=60)
    hooks.receiver.answer(503)
    hooks.mutate(object="contacts", count=1, seed=16)
    pending = hooks.admin.post("/_sandbox/webhooks/flush", json={"timeout_s": 0.3}).json()
    assert pending["flushed"] is False and pending["queued_events"] == 1 and pending["scheduled_batches"] == 1
    done = hooks.flush(retry_now=True)
    assert done["queued_events"] == 0 and done["events_delivered"] == 1 and done["retries"] == 1
    log = hooks.deliveries()
    assert log[0]["retryInS"] == 60 and log[1]["attemptNumber"] == 1


def test_send_forged_and_tampered_deliveries(hooks: Hooks) -> None:
    event = {"eventId": 99, "subscriptionType": "company.creation", "objectId": 5, "attemptNumber": 0}
    hooks.receiver.answer(401)
    forged = hooks.admin.post("/_sandbox/webhooks/send", json={"events": [event], "sign": False}).json()
    assert forged["status"] == 401 and forged["outcome"] == "rejected"
    assert "X-HubSpot-Signature-v3" not in forged["request_headers"]
    tampered = hooks.admin.post("/_sandbox/webhooks/send", json={"events": [event], "tamper": True}).json()
    assert tampered["status"] == 200
    request = hooks.receiver.requests[-1]
    assert request.events[0]["objectId"] == 6
    assert not Signature.is_valid(
        signature=request.header("X-HubSpot-Signature-v3"),
        client_secret=HOOK_SECRET,
        request_body=request.body.decode(),
        http_uri=hooks.receiver.url,
        signature_version="v3",
        timestamp=request.header("X-HubSpot-Request-Timestamp"),
    )
    wrong = hooks.admin.post("/_sandbox/webhooks/send", json={"events": [event], "client_secret": "nope"}).json()
    assert wrong["request_headers"]["X-HubSpot-Signature"] != request.header("X-HubSpot-Signature")
    assert [d["kind"] for d in hooks.deliveries()] == ["manual"] * 3


def test_configuration_validation_and_disable(hooks: Hooks) -> None:
    for bad in ({"target_url": "ftp://x"}, {"subscriptions": ["nope.creation"]}, {"batch_size": 0}, {"x": 1}):
        assert hooks.admin.put("/_sandbox/webhooks", json=bad).status_code == 400
    assert hooks.admin.post("/_sandbox/webhooks/chaos", json={"duplicate": 2}).status_code == 400
    disabled = hooks.admin.delete("/_sandbox/webhooks").json()
    assert disabled["enabled"] is False
    hooks.mutate(object="companies", count=2, seed=17)
    hooks.flush()
    assert hooks.receiver.requests == []
    assert httpx.get(hooks.admin.base_url.join("/_sandbox/webhooks")).status_code == 401


def test_management_api_through_the_sdk(hooks: Hooks) -> None:
    creds = hooks.server.credentials["hubspot"]
    app_id = int(creds["app_id"])
    client = HubSpot(api_key=creds["developer_api_key"], host=hooks.server.base_urls["hubspot"])
    throttling = ThrottlingSettings(max_concurrent_requests=7)
    settings = client.webhooks.settings_api.configure(
        app_id, SettingsChangeRequest(target_url=hooks.receiver.url, throttling=throttling)
    )
    assert settings.target_url == hooks.receiver.url and settings.throttling.max_concurrent_requests == 7
    assert client.webhooks.settings_api.get_all(app_id).target_url == hooks.receiver.url
    hooks.configure(subscriptions=[])
    created = client.webhooks.subscriptions_api.create(
        app_id,
        SubscriptionCreateRequest(event_type="deal.propertyChange", property_name="amount", active=True),
    )
    listed = client.webhooks.subscriptions_api.get_all(app_id).results
    assert [(s.id, s.event_type, s.property_name) for s in listed] == [(created.id, "deal.propertyChange", "amount")]
    hooks.mutate(object="deals", count=6, seed=18)
    hooks.flush()
    events = hooks.receiver.events()
    assert events and all(e["propertyName"] == "amount" for e in events)
    assert all(e["subscriptionId"] == int(created.id) for e in events)
    anonymous = httpx.get(hooks.server.base_urls["hubspot"] + f"/webhooks/v3/{app_id}/settings")
    assert anonymous.status_code == 401
    paused = client.webhooks.subscriptions_api.update(created.id, app_id, SubscriptionPatchRequest(active=False))
    assert paused.active is False
    hooks.mutate(object="deals", count=6, seed=19)
    hooks.flush()
    assert len(hooks.receiver.events()) == len(events)
    client.webhooks.subscriptions_api.archive(created.id, app_id)
    client.webhooks.settings_api.clear(app_id)
    assert hooks.admin.get("/_sandbox/webhooks").json()["enabled"] is False


def test_server_stop_stops_the_delivery_thread() -> None:
    with SandboxServer(port=0, size=20, webhook_url="http://127.0.0.1:9/hook") as server:
        worker = server.hubspot.webhooks.worker
        assert worker.running
        view = httpx.get(server.base_urls["hubspot"] + "/_sandbox/webhooks", headers=ADMIN).json()
        assert view["enabled"] and view["running"] and view["target_url"] == "http://127.0.0.1:9/hook"
    assert not worker.running
