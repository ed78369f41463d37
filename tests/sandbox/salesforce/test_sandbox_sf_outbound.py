"""Outbound Messages: SOAP envelopes, acknowledgement, retries, batching and controls."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.salesforce.outbound.envelope import ack_body, parse_ack
from tests.sandbox.salesforce.conftest import API, error_code, ok
from tests.sandbox.salesforce.outbound_receiver import Listener

P = "/_sandbox/salesforce/outbound"
FAST = {"batch_window_s": 0.02, "retry_base_s": 0.05, "retry_max_s": 0.2, "timeout_s": 2.0}


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    target = Listener().start()
    yield target
    target.stop()


@pytest.fixture
def outbound(admin: httpx.Client, listener: Listener, restore_world: None) -> Iterator[Listener]:
    listener.reset()
    admin.delete(f"{P}/deliveries").raise_for_status()
    yield listener
    admin.delete(P).raise_for_status()
    admin.post(f"{P}/flush", json={"timeout_s": 3}).raise_for_status()
    listener.reset()


def configure(admin: httpx.Client, listener: Listener, **settings: Any) -> dict[str, Any]:
    body = {**FAST, "target_url": listener.url, "objects": ["Account", "Opportunity"], **settings}
    return ok(admin.put(P, json=body))  # type: ignore[no-any-return]


def flush(admin: httpx.Client, retry_now: bool = False) -> dict[str, Any]:
    result: dict[str, Any] = ok(admin.post(f"{P}/flush", json={"timeout_s": 5, "retry_now": retry_now}))
    assert result["flushed"], result
    return result


def test_envelope_on_create_and_update(
    api: httpx.Client, admin: httpx.Client, outbound: Listener, creds: dict[str, str]
) -> None:
    view = configure(admin, outbound, fields={"Account": ["Name", "Website", "IsPartner", "LastModifiedDate"]})
    assert view["enabled"] is True and view["running"] is True
    created = ok(api.post(f"{API}/sobjects/Account", json={"Name": "Outbound & Co", "Website": "ob.example"}), 201)
    ok(api.patch(f"{API}/sobjects/Account/{created['id']}", json={"Website": "new.example"}), 204)
    ok(api.post(f"{API}/sobjects/Contact", json={"LastName": "Not configured"}), 201)
    flush(admin)
    messages = outbound.messages()
    notifications = [n for m in messages for n in m["notifications"]]
    assert len(notifications) == 2 and all(m["OrganizationId"] == creds["organization_id"] for m in messages)
    first = messages[0]
    assert first["ActionId"].startswith("04k") and first["SessionId"] is None
    assert first["PartnerUrl"] == f"{creds['base_url']}/services/Soap/u/59.0/{creds['organization_id'][:15]}"
    assert first["EnterpriseUrl"].startswith(f"{creds['base_url']}/services/Soap/c/59.0/")
    assert all(n["id"].startswith("04l") and n["type"] == "sf:Account" for n in notifications)
    assert notifications[0]["id"] != notifications[1]["id"]
    fields = notifications[-1]["fields"]
    assert set(fields) == {"Id", "Name", "Website", "IsPartner", "LastModifiedDate"}
    assert fields["Id"] == created["id"] and fields["Name"] == "Outbound & Co" and fields["IsPartner"] == "false"
    assert fields["Website"] == "new.example" and fields["LastModifiedDate"].endswith("Z")  # latest values
    headers = {k.lower(): v for k, v in outbound.requests[0][0].items()}
    assert headers["content-type"].startswith("text/xml") and headers["soapaction"] == '""'
    log = ok(admin.get(f"{P}/deliveries"))["results"]
    assert {e["outcome"] for e in log} == {"delivered"} and all(e["ack"] for e in log)


def test_retries_until_acknowledged(api: httpx.Client, admin: httpx.Client, outbound: Listener) -> None:
    outbound.script(
        (500, b"oops"),
        (200, b"<ok/>"),
        (200, ack_body().replace(b"<Ack>", b"<ack>").replace(b"</Ack>", b"</ack>")),
        (200, ack_body(False)),
    )
    configure(admin, outbound, objects=["Opportunity"])
    opp = next(iter(ok(api.get(f"{API}/query", params={"q": "SELECT Id FROM Opportunity LIMIT 1"}))["records"]))
    ok(api.patch(f"{API}/sobjects/Opportunity/{opp['Id']}", json={"NextStep": "Retry me"}), 204)
    flush(admin)
    outcomes = [(e["status"], e["outcome"]) for e in ok(admin.get(f"{P}/deliveries"))["results"]]
    assert outcomes == [(500, "retry"), (200, "retry"), (200, "retry"), (200, "retry"), (200, "delivered")]
    ids = {n["id"] for m in outbound.messages() for n in m["notifications"]}
    assert len(ids) == 1  # the same notification each time: receivers dedupe on it
    stats = ok(admin.get(P))["counts"]
    assert stats["retries"] == 4 and stats["notifications_delivered"] == 1


def test_batches_give_up_session_and_disable(
    api: httpx.Client, admin: httpx.Client, outbound: Listener, tls: ssl.SSLContext
) -> None:
    configure(admin, outbound, objects=["Lead"], batch_window_s=0.3, send_session_id=True)
    body = {
        "allOrNone": False,
        "records": [{"attributes": {"type": "Lead"}, "LastName": f"L{n}", "Company": "C"} for n in range(150)],
    }
    ok(api.post(f"{API}/composite/sobjects", json=body))
    flush(admin)
    sizes = [len(m["notifications"]) for m in outbound.messages()]
    assert sizes == [100, 50]
    session = outbound.messages()[0]["SessionId"]
    assert session and ok(
        httpx.get(f"{api.base_url}{API}/limits", headers={"Authorization": f"Bearer {session}"}, verify=tls)
    )
    outbound.reset()
    outbound.script(*[(503, b"")] * 3)
    configure(admin, outbound, objects=["Lead"], max_attempts=3, batch_window_s=0.01)
    ok(api.post(f"{API}/sobjects/Lead", json={"LastName": "Doomed", "Company": "C"}), 201)
    flush(admin, retry_now=True)
    assert [e["outcome"] for e in ok(admin.get(f"{P}/deliveries", params={"limit": 3}))["results"]] == [
        "retry",
        "retry",
        "gave_up",
    ]
    configure(admin, outbound, objects=["Lead"], retry_base_s=60)
    outbound.script((500, b""))
    ok(api.post(f"{API}/sobjects/Lead", json={"LastName": "Parked", "Company": "C"}), 201)
    deadline = time.monotonic() + 5
    while ok(admin.get(P))["scheduled_messages"] != 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ok(admin.delete(P))["discarded"] == 1


def test_settings_validation(admin: httpx.Client) -> None:
    assert error_code(admin.put(P, json={"target_url": "", "objects": ["Account"]}), 400) == "INVALID_INPUT"
    assert error_code(admin.put(P, json={"target_url": "ftp://x", "objects": []}), 400) == "INVALID_INPUT"
    assert error_code(admin.put(P, json={"target_url": "http://x", "objects": ["Nope"]}), 400) == "INVALID_INPUT"
    assert error_code(admin.put(P, json={"target_url": "http://x", "batch_size": 101}), 400) == "INVALID_INPUT"


def test_ack_parsing() -> None:
    assert parse_ack(ack_body()) is True
    assert parse_ack(b"<Envelope><Body><notificationsResponse><Ack>1</Ack></notificationsResponse></Body></Envelope>")
    assert not parse_ack(ack_body(False))
    assert not parse_ack(b"<r><ACK>true</ACK></r>") and not parse_ack(b"true") and not parse_ack(b"")
