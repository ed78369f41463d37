"""The receiving path over real HTTP: forged, stale and tampered deliveries leave no trace;
malformed, oversized and mistyped ones get a 4xx with a JSON reason; good ones are stored before 202."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from hub.db.schema import inbox_events, webhook_bodies, webhook_deliveries
from tests.webhooks.conftest import Running, event


def _stored(running: Running) -> tuple[int, int]:
    with running.hub.reader.connect() as conn:
        deliveries = conn.execute(select(func.count()).select_from(webhook_deliveries)).scalar_one()
        events = conn.execute(select(func.count()).select_from(inbox_events)).scalar_one()
    return int(deliveries), int(events)


def test_a_signed_delivery_is_stored_before_the_202(running: Running) -> None:
    response = running.deliver([event(1, "5000000001"), event(2, "5000000002", "contact.creation")])
    assert response.status_code == 202, response.text
    assert response.json()["accepted"] == 2 and response.json()["duplicates"] == 0
    assert _stored(running) == (1, 2)
    with running.hub.reader.connect() as conn:
        stored = conn.execute(select(webhook_deliveries)).one()
        body = conn.execute(select(webhook_bodies.c.body).where(webhook_bodies.c.sha256 == stored.body_sha256))
    assert "x-hubspot-signature-v3" in stored.headers and json.loads(body.scalar_one())[0]["eventId"] == 1


@pytest.mark.parametrize(
    ("how", "message"),
    [
        pytest.param({"secret": "not-the-secret"}, "signature does not match", id="forged"),
        pytest.param({"age_seconds": 301}, "outside the 300-second window", id="stale"),
        pytest.param({"age_seconds": -400}, "outside the 300-second window", id="from_the_future"),
        pytest.param({"sign_body": b'[{"eventId": 9}]'}, "signature does not match", id="tampered"),
    ],
)
def test_unauthentic_deliveries_get_401_and_leave_no_trace(running: Running, how: dict, message: str) -> None:
    response = running.deliver([event(1, "5000000001")], **how)
    assert response.status_code == 401
    assert message in response.json()["error"]["message"]
    assert _stored(running) == (0, 0)


def test_missing_signature_headers_are_401(running: Running) -> None:
    import httpx

    response = httpx.post(running.endpoint(), json=[event(1, "5000000001")])
    assert response.status_code == 401 and "missing" in response.json()["error"]["message"]
    assert _stored(running) == (0, 0)


def test_bad_input_gets_a_clear_4xx(running: Running) -> None:
    import httpx

    malformed = running.deliver([], body=b'[{"eventId": 1,')
    assert malformed.status_code == 400 and "malformed JSON" in malformed.json()["error"]["message"]
    big = running.deliver([], body=b"[" + b'{"x": 1},' * 200_000 + b"{}]")
    assert big.status_code == 413 and big.json()["error"]["code"] == "payload_too_large"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    typed = httpx.post(running.endpoint(), content=b"a=1", headers=form)
    assert typed.status_code == 415
    unknown = running.deliver([event(1, "1")], connector_id="nope")
    assert unknown.status_code == 404
    assert _stored(running) == (0, 0)


def test_an_authentic_but_unexpected_payload_is_kept_not_lost(running: Running) -> None:
    response = running.deliver([], body=json.dumps({"not": "an array"}).encode())
    assert response.status_code == 202 and "JSON array" in response.json()["unparseable"]
    with running.hub.reader.connect() as conn:
        stored = conn.execute(select(webhook_deliveries)).one()
    assert stored.status == "unparseable" and stored.error
    assert _stored(running) == (1, 0)


def test_rotated_secrets_are_both_valid_until_the_old_one_is_removed(running: Running) -> None:
    old = running.secret
    patched = running.api.patch(
        "/api/v1/connectors/hs",
        json={"credentials": {"webhook_secret": "new-secret-1234", "webhook_secret_previous": old}},
    )
    assert patched.status_code == 200, patched.text
    assert running.deliver([event(1, "5000000001")], secret="new-secret-1234").status_code == 202
    assert running.deliver([event(2, "5000000001")], secret=old).status_code == 202
    patched = running.api.patch("/api/v1/connectors/hs", json={"credentials": {"webhook_secret_previous": None}})
    assert patched.status_code == 200, patched.text
    assert running.deliver([event(3, "5000000001")], secret=old).status_code == 401
    assert running.deliver([event(4, "5000000001")], secret="new-secret-1234").status_code == 202


def test_standard_webhooks_senders_are_verified_too(running: Running) -> None:
    import base64
    from datetime import UTC, datetime

    import httpx
    from standardwebhooks.webhooks import Webhook

    secret = "whsec_" + base64.b64encode(b"a-gateway-secret-of-24-bytes").decode()
    patched = running.api.patch(
        "/api/v1/connectors/hs",
        json={"config": {**running.hub.store.get("hs").config, "webhook_signature": "standard_webhooks"},
              "credentials": {"webhook_secret": secret}},
    )  # fmt: skip
    assert patched.status_code == 200, patched.text
    body = json.dumps([event(7, "5000000001")])
    now = datetime.now(UTC)
    signature = Webhook(secret).sign("msg_1", now, body)
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(int(now.timestamp())),
               "webhook-signature": signature, "Content-Type": "application/json"}  # fmt: skip
    assert httpx.post(running.endpoint(), content=body, headers=headers).status_code == 202
    other = Webhook("whsec_" + base64.b64encode(b"x" * 24).decode())
    forged = {**headers, "webhook-signature": other.sign("msg_1", now, body)}
    assert httpx.post(running.endpoint(), content=body, headers=forged).status_code == 401


def test_a_delivery_seen_before_a_restart_is_still_a_duplicate_after_it(running: Running) -> None:
    from hub.api import create_app
    from hub.serving import BackgroundServer
    from tests.conftest import ADMIN_TOKEN

    delivery = [event(77, "5000000001"), event(78, "5000000002")]
    assert running.deliver(delivery).json()["accepted"] == 2
    with BackgroundServer(create_app(running.hub, admin_token=ADMIN_TOKEN)) as restarted:
        second = Running(running.hub, restarted.url, running.worker, running.secret, running.api)
        answer = second.deliver(delivery)
    assert answer.status_code == 202 and answer.json()["accepted"] == 0 and answer.json()["duplicates"] == 2
    assert _stored(running) == (2, 2)
