"""Hostile but authentic (or hostile and forged) deliveries: never a 500, never a 503 for bad data.

A malformed signature header is a 401 with a one-line log; a signed event with a field the database
cannot hold (a NUL, an over-long id, an out-of-range time) is stored as received, dead-lettered with
its reason, and the rest of its batch is applied; a body replayed N times is stored once.
"""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hub.db.schema import inbox_events, webhook_bodies, webhook_deliveries
from tests.webhooks.conftest import Running, event


def _counts(running: Running) -> tuple[int, int]:
    with running.hub.reader.connect() as conn:
        deliveries = conn.execute(select(func.count()).select_from(webhook_deliveries)).scalar_one()
        events = conn.execute(select(func.count()).select_from(inbox_events)).scalar_one()
    return int(deliveries), int(events)


def _events(running: Running) -> list[Any]:
    with running.hub.reader.connect() as conn:
        return list(conn.execute(select(inbox_events).order_by(inbox_events.c.id)))


def _no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.exc_info], "a traceback reached the log"
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(
    "timestamp",
    [
        pytest.param("²".encode("latin-1"), id="superscript-two"),
        pytest.param(b"9" * 400, id="400-digits"),
        pytest.param(b"9" * 5000, id="5000-digits"),
        pytest.param(b"-1", id="negative"),
        pytest.param(b"1e3", id="exponent"),
        pytest.param("١٢٣".encode(), id="arabic-indic-digits"),
    ],
)
def test_a_malformed_hubspot_timestamp_is_a_401_without_traceback(
    running: Running, timestamp: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    body = json.dumps([event(1, "5000000001")]).encode()
    headers = {"Content-Type": "application/json", "X-HubSpot-Signature-v3": "x" * 44,
               "X-HubSpot-Request-Timestamp": timestamp}  # fmt: skip
    response = httpx.post(running.endpoint(), content=body, headers=headers, timeout=10)
    assert response.status_code == 401, response.text
    assert len(response.text) < 500
    assert _counts(running) == (0, 0)
    _no_traceback(caplog)


def test_a_huge_hubspot_signature_header_is_a_401(running: Running, caplog: pytest.LogCaptureFixture) -> None:
    answer = running.deliver([event(1, "5000000001")], headers={"X-HubSpot-Signature-v3": "A" * 3000})
    assert answer.status_code == 401 and _counts(running) == (0, 0)
    _no_traceback(caplog)


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"webhook-timestamp": "9" * 5000}, id="timestamp-5000-digits"),
        pytest.param({"webhook-timestamp": "²"}, id="timestamp-superscript"),
        pytest.param({"webhook-timestamp": "1.5"}, id="timestamp-float"),
        pytest.param({"webhook-id": "i" * 5000}, id="long-id"),
        pytest.param({"webhook-signature": "v1," + "A" * 10_000}, id="long-signature"),
    ],
)
def test_malformed_standard_webhooks_headers_are_401(
    running: Running, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    from standardwebhooks.webhooks import Webhook

    caplog.set_level(logging.INFO)
    secret = "whsec_" + base64.b64encode(b"a-gateway-secret-of-24-bytes").decode()
    patched = running.api.patch(
        "/api/v1/connectors/hs",
        json={"config": {**running.hub.store.get("hs").config, "webhook_signature": "standard_webhooks"},
              "credentials": {"webhook_secret": secret}},
    )  # fmt: skip
    assert patched.status_code == 200, patched.text
    body = json.dumps([event(7, "5000000001")])
    now = datetime.now(UTC)
    sent = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign("msg_1", now, body),
        "Content-Type": "application/json",
    }
    sent.update({k: v.encode("latin-1") if not v.isascii() else v for k, v in headers.items()})  # type: ignore[misc]
    response = httpx.post(running.endpoint(), content=body, headers=sent, timeout=10)
    assert response.status_code == 401, response.text
    assert _counts(running) == (0, 0)
    _no_traceback(caplog)


@pytest.mark.parametrize(
    "occurred",
    [pytest.param(2**63, id="2^63"), pytest.param(-1, id="negative"), pytest.param(1.5e12, id="float"),
     pytest.param("1700000000000", id="string"), pytest.param(int("9" * 400), id="400-digits")],
)  # fmt: skip
def test_a_bad_occurred_at_dead_letters_that_event_and_applies_the_rest(running: Running, occurred: Any) -> None:
    good = event(1, "5000000001")
    bad = {**event(2, "5000000002"), "occurredAt": occurred}
    response = running.deliver([good, bad])
    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 2
    running.worker.drain()
    rows = {row.event_key: row for row in _events(running)}
    assert rows["id:1"].state == "applied"
    assert rows["id:2"].state == "dead" and "occurredAt" in rows["id:2"].last_error
    kept = rows["id:2"].payload["occurredAt"]  # kept as received (beyond 64 bits: as its digits)
    assert kept == (str(occurred) if isinstance(occurred, int) and occurred >= 2**64 else occurred)


def test_data_the_database_cannot_hold_is_dead_lettered_not_a_503(running: Running) -> None:
    long_event_id = "e" * 5000
    events = [
        event(1, "5000000001"),
        {**event(2, "5000000002"), "propertyName": "name", "propertyValue": "nul\u0000here"},
        {**event(3, "5000000003"), "objectId": "7" * 300},
        {**event(4, "5000000004"), "eventId": long_event_id},
        {**event(5, "5000000005"), "occurredAt": "1" * 5000},
        {**event(6, "5000000006"), "nul\u0000key": 1},
        event(7, "5000000007", "contact.creation"),
    ]
    response = running.deliver(events)
    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 7
    running.worker.drain()
    rows = _events(running)
    by_object = {row.payload.get("objectId"): row for row in rows}
    assert by_object[5000000001].state == "applied" and by_object[5000000007].state == "applied"
    dead = [row for row in rows if row.state == "dead"]
    assert len(dead) == 4, [(r.event_key[:20], r.state, r.last_error) for r in rows]  # 2, 3, 5 and 6
    nul = by_object[5000000002]
    assert nul.state == "dead" and "NUL" in nul.last_error
    assert nul.payload["propertyValue"] == "nul\\u0000here"  # escaped, so PostgreSQL jsonb holds it
    long_id = by_object["7" * 300]
    assert long_id.state == "dead" and "objectId" in long_id.last_error
    assert len(long_id.external_id) <= 200
    long_key = next(row for row in rows if row.payload.get("eventId") == long_event_id)
    assert len(long_key.event_key) <= 200  # hashed; the original stays in the payload
    assert long_key.state == "applied"
    # The same delivery again is a duplicate of every event, long keys included.
    again = running.deliver(events)
    assert again.status_code == 202 and again.json()["duplicates"] == 7
    with running.hub.reader.connect() as conn:
        delivery = conn.execute(select(webhook_deliveries).order_by(webhook_deliveries.c.id)).first()
        assert delivery is not None
        stored = conn.execute(select(webhook_bodies.c.body)).scalar_one()
    assert json.loads(stored) == events  # the body exactly as received, NULs included


def test_a_nul_in_the_raw_body_is_stored_as_received(running: Running) -> None:
    raw = b'[{"eventId": 1, "subscriptionType": "company.creation", "objectId": 5000000001, "x": "\\u0000"}]'
    response = running.deliver([], body=raw)
    assert response.status_code == 202, response.text
    with running.hub.reader.connect() as conn:
        assert conn.execute(select(webhook_bodies.c.body)).scalar_one() == raw


def test_replayed_identical_deliveries_store_the_body_once(running: Running) -> None:
    delivery = [event(n, str(5000000000 + n)) for n in range(1, 40)]
    raw = json.dumps(delivery).encode()
    for _ in range(20):
        assert running.deliver([], body=raw).status_code == 202
    with running.hub.reader.connect() as conn:
        bodies = conn.execute(select(func.count()).select_from(webhook_bodies)).scalar_one()
        deliveries = list(conn.execute(select(webhook_deliveries)))
    assert bodies == 1
    assert len(deliveries) == 20 and len({d.body_sha256 for d in deliveries}) == 1
    assert all(not d.body for d in deliveries)
