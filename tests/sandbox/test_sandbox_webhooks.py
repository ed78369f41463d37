"""HubSpot webhook delivery from the sandbox: signatures, event shapes, every write path, retries."""

from __future__ import annotations

from typing import Any

import pytest
from hubspot.exceptions import InvalidSignatureTimestampError
from hubspot.utils.signature import Signature

from sandbox.hubspot.webhooks.signing import USER_AGENT, sign_v1, sign_v2, sign_v3
from sandbox.kit.clock import ms_from_iso
from tests.sandbox.conftest import HOOK_SECRET, Hooks
from tests.sandbox.webhook_receiver import Received

VECTOR_BODY = (
    '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,'
    '"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM",'
    '"changeFlag":"NEW","appId":54321}]'
)
VECTOR_URI = "https://www.example.com/webhook_uri"
HEAD_KEYS = [
    "eventId",
    "subscriptionId",
    "portalId",
    "appId",
    "occurredAt",
    "subscriptionType",
    "attemptNumber",
]
HEAD_KEYS.append("objectId")


def test_signature_vectors_match_reference_and_sdk() -> None:
    body = VECTOR_BODY.encode()
    v1 = sign_v1(HOOK_SECRET, body)
    v2 = sign_v2(HOOK_SECRET, "POST", VECTOR_URI, body)
    v3 = sign_v3(HOOK_SECRET, "POST", VECTOR_URI, body, 1564113600000)
    assert v1 == "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de"
    assert v2 == "276a2548f0a0181a076d456de09c0e7477ae101ccc16a11600488a77714e9b8d"
    assert v3 == "DxmVAjFNa2xfF3YgQjdZP6TNcok9k1oaH7UXombPtvw="
    assert v1 == Signature.get_signature(HOOK_SECRET, VECTOR_BODY, "v1")
    assert v3 == Signature.get_signature(HOOK_SECRET, VECTOR_BODY, "v3", VECTOR_URI, "POST", "1564113600000")


def verify(request: Received, url: str, secret: str = HOOK_SECRET) -> None:
    """Both signatures verify with the official SDK."""
    body = request.body.decode()
    assert request.header("X-HubSpot-Signature-Version") == "v1"
    assert Signature.is_valid(
        signature=request.header("X-HubSpot-Signature"),
        client_secret=secret,
        request_body=body,
        signature_version="v1",
    )
    assert Signature.is_valid(
        signature=request.header("X-HubSpot-Signature-v3"),
        client_secret=secret,
        request_body=body,
        http_uri=url,
        http_method="POST",
        signature_version="v3",
        timestamp=request.header("X-HubSpot-Request-Timestamp"),
    )


def by_type(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        out.setdefault(event["subscriptionType"], []).append(event)
    return out


def test_mutate_delivers_signed_events(hooks: Hooks) -> None:
    settings = hooks.admin.get("/_sandbox/webhooks").json()
    assert "client_secret" not in settings and settings["enabled"] and settings["running"]
    changed = hooks.mutate(object="companies", count=3, create=1, archive=1, seed=41)
    hooks.flush()
    requests = hooks.receiver.requests
    assert requests
    for request in requests:
        verify(request, hooks.receiver.url)
        assert request.path == "/webhooks/hs"
        assert request.header("Content-Type") == "application/json"
        assert request.header("User-Agent") == USER_AGENT
        assert request.header("X-HubSpot-Timeout-Millis") == "1000"
    events = hooks.receiver.events()
    ids = [e["eventId"] for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    groups = by_type(events)
    assert {e["objectId"] for e in groups["company.propertyChange"]} == {int(i) for i in changed["updated"]}
    assert [e["objectId"] for e in groups["company.creation"]] == [int(i) for i in changed["created"]]
    assert [e["objectId"] for e in groups["company.deletion"]] == [int(i) for i in changed["archived"]]
    portal = hooks.server.hubspot.config
    for event in events:
        assert event["portalId"] == portal.hub_id and event["appId"] == portal.app_id
        assert event["attemptNumber"] == 0 and event["changeSource"] == "CRM"
        assert event["sourceId"].startswith("userId:")
    for event in groups["company.propertyChange"]:
        record = hooks.api.get(
            f"/crm/v3/objects/companies/{event['objectId']}", params={"properties": "name,phone,city"}
        )
        assert record.json()["properties"][event["propertyName"]] == event["propertyValue"]
        assert event["occurredAt"] == ms_from_iso(record.json()["updatedAt"])
    assert groups["company.creation"][0]["changeFlag"] == "CREATED"
    assert groups["company.deletion"][0]["changeFlag"] == "DELETED"
    assert list(groups["company.creation"][0]) == [*HEAD_KEYS, "changeFlag", "changeSource", "sourceId"]


def test_api_writes_emit_events(hooks: Hooks) -> None:
    api = hooks.api
    created = api.post("/crm/v3/objects/contacts", json={"properties": {"email": "hook.one@example.org"}}).json()
    contact_id = int(created["id"])
    api.patch(f"/crm/v3/objects/contacts/{contact_id}", json={"properties": {"jobtitle": "CTO", "phone": "+1 555"}})
    api.patch(f"/crm/v3/objects/contacts/{contact_id}", json={"properties": {"jobtitle": "CTO"}})  # no change
    batch = api.post(
        "/crm/v3/objects/contacts/batch/upsert",
        json={"inputs": [{"id": "hook.one@example.org", "idProperty": "email", "properties": {"lastname": "Hook"}}]},
    )
    assert batch.status_code == 200
    assert api.delete(f"/crm/v3/objects/contacts/{contact_id}").status_code == 204
    hooks.flush()
    events = hooks.receiver.events()
    assert [(e["subscriptionType"], e.get("propertyName")) for e in events] == [
        ("contact.creation", None),
        ("contact.propertyChange", "jobtitle"),
        ("contact.propertyChange", "phone"),
        ("contact.propertyChange", "lastname"),
        ("contact.deletion", None),
    ]
    assert all(e["objectId"] == contact_id and e["changeSource"] == "API" for e in events)
    assert events[1]["occurredAt"] == events[2]["occurredAt"]


def test_property_events_on_create_option(hooks: Hooks) -> None:
    hooks.configure(property_events_on_create=True, subscriptions=["contact.*"])
    props = {"email": "hook.two@example.org", "firstname": "Two"}
    created = hooks.api.post("/crm/v3/objects/contacts", json={"properties": props}).json()
    hooks.flush()
    events = hooks.receiver.events()
    assert [(e["subscriptionType"], e.get("propertyName")) for e in events] == [
        ("contact.creation", None),
        ("contact.propertyChange", "email"),
        ("contact.propertyChange", "firstname"),
    ]
    assert {e["objectId"] for e in events} == {int(created["id"])}


def test_subscriptions_filter_events(hooks: Hooks) -> None:
    view = hooks.configure(subscriptions=["company.propertyChange:name", "deal.*"])
    assert view["subscriptions"][0] == "company.propertyChange:name" and len(view["subscriptions"]) == 5
    company = hooks.api.get("/crm/v3/objects/companies", params={"limit": 1}).json()["results"][0]["id"]
    props = {"name": "Renamed By Hook Test", "phone": "+44 20 1234"}
    hooks.api.patch(f"/crm/v3/objects/companies/{company}", json={"properties": props})
    hooks.mutate(object="contacts", count=2, seed=5)
    hooks.flush()
    events = hooks.receiver.events()
    assert [(e["subscriptionType"], e["propertyName"], e["propertyValue"]) for e in events] == [
        ("company.propertyChange", "name", "Renamed By Hook Test")
    ]


def test_retries_on_500_then_succeeds(hooks: Hooks) -> None:
    hooks.receiver.answer(500, times=2)
    hooks.mutate(object="deals", count=1, seed=8)
    hooks.flush()
    requests = hooks.receiver.requests
    assert len(requests) == 3
    assert [r.events[0]["attemptNumber"] for r in requests] == [0, 1, 2]
    assert len({r.events[0]["eventId"] for r in requests}) == 1
    assert len({r.header("X-HubSpot-Request-Timestamp") for r in requests}) >= 2
    for request in requests:
        verify(request, hooks.receiver.url)
    assert requests[1].at - requests[0].at >= 0.045  # retry_base_s * 2**0
    assert requests[2].at - requests[1].at >= 0.095  # retry_base_s * 2**1
    log = hooks.deliveries()
    assert [(d["status"], d["outcome"], d["attemptNumber"]) for d in log] == [
        (500, "retry", 0),
        (500, "retry", 1),
        (200, "delivered", 2),
    ]


def test_429_honours_retry_after(hooks: Hooks) -> None:
    hooks.configure(retry_base_s=0.01)
    hooks.receiver.answer(429, headers={"Retry-After": "1"})
    hooks.mutate(object="companies", count=1, seed=9)
    hooks.flush()
    first, second = hooks.receiver.wait_for(2)
    assert second.at - first.at >= 0.95
    assert second.events[0]["attemptNumber"] == 1


def test_no_retry_on_client_errors(hooks: Hooks) -> None:
    for status in (400, 401, 403, 404, 405):
        hooks.receiver.answer(status)
        hooks.mutate(object="contacts", count=1, seed=status)
        hooks.flush()
    assert len(hooks.receiver.requests) == 5
    log = hooks.deliveries()
    assert [(d["status"], d["outcome"]) for d in log] == [(s, "rejected") for s in (400, 401, 403, 404, 405)]
    stats = hooks.admin.get("/_sandbox/webhooks/deliveries").json()["stats"]
    assert stats["events_rejected"] == 5 and "retries" not in stats


def test_timeouts_and_connection_failures_are_retried(hooks: Hooks) -> None:
    hooks.configure(timeout_s=0.2)
    hooks.receiver.answer(200, delay_s=0.5)
    hooks.mutate(object="deals", count=1, seed=2)
    hooks.flush()
    log = hooks.deliveries()
    assert log[0]["outcome"] == "retry" and log[0]["error"].startswith("timeout")
    assert log[-1]["outcome"] == "delivered" and log[-1]["attemptNumber"] == 1

    hooks.admin.delete("/_sandbox/webhooks/deliveries")
    hooks.configure(target_url="http://127.0.0.1:9/webhooks/hs", max_attempts=3, retry_base_s=0.01)
    hooks.mutate(object="deals", count=1, seed=3)
    hooks.flush()
    log = hooks.deliveries()
    assert [(d["status"], d["outcome"]) for d in log] == [(None, "retry"), (None, "retry"), (None, "gave_up")]
    assert all(d["error"] for d in log)


def test_stale_timestamp_is_rejected_by_sdk(hooks: Hooks) -> None:
    event = {"eventId": 7, "subscriptionType": "contact.creation", "objectId": 1, "attemptNumber": 0}
    sent = hooks.admin.post("/_sandbox/webhooks/send", json={"events": [event], "timestamp_offset_ms": -400_000})
    assert sent.json()["status"] == 200
    (request,) = hooks.receiver.requests
    with pytest.raises(InvalidSignatureTimestampError):
        verify(request, hooks.receiver.url)
