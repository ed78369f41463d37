"""An Outbound Message through the hub's real receiver and inbox worker (SQLite, no network).

The entry point is not registered yet, so the test puts the class into the hub's registry by hand.
Checks the receiver contract: text/xml accepted, ?token= verified, the SOAP Ack returned, events
stored; then the worker applies the carried Account and fetches the named records from the org.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx
from fastapi import FastAPI
from sqlalchemy import func, select

from connectors.salesforce import SalesforceConnector
from connectors.salesforce.outbound import ACK_BODY
from hub.api import create_app
from hub.connector_store import ConnectorCreate
from hub.context import Hub
from hub.db import migrate
from hub.db.schema import inbox_events, source_records
from hub.inbound import connector_cache, inbox_worker
from tests.conftest import ADMIN_TOKEN, make_settings

from .conftest import FIXTURES, LOGIN, RECORD_TYPE_ID, VERSION, FakeOrg, fixture_tables

BODY = (FIXTURES / "outbound_message.xml").read_bytes()


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    migrate(url)
    hub = Hub.from_settings(make_settings(url, tmp_path))
    hub.registry._loaded["salesforce"] = SalesforceConnector  # not registered as an entry point yet
    hub.store.create(
        ConnectorCreate(
            id="sf",
            kind="salesforce",
            config={"login_url": LOGIN, "api_version": VERSION, "client_id": "3MVG9-consumer-key",
                    "deal_registration_record_type_id": RECORD_TYPE_ID},
            credentials={"client_secret": "consumer-secret", "outbound_message_token": "om-secret-0123456789"},
        )
    )  # fmt: skip
    yield hub
    hub.close()


def _post(app: FastAPI, path: str, content_type: str = "text/xml; charset=utf-8") -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            return await client.post(path, content=BODY, headers={"Content-Type": content_type, "SOAPAction": '""'})

    return asyncio.run(send())


def test_outbound_message_is_acknowledged_stored_and_applied(hub: Hub, router: respx.MockRouter) -> None:
    app = create_app(hub, admin_token=ADMIN_TOKEN)
    assert _post(app, "/webhooks/sf?token=om-secret-0123456789", "application/json").status_code == 415
    assert _post(app, "/webhooks/sf?token=wrong").status_code == 401

    answer = _post(app, "/webhooks/sf?token=om-secret-0123456789")
    assert answer.status_code == 200 and answer.content == ACK_BODY
    assert answer.headers["content-type"].startswith("text/xml")
    assert _post(app, "/webhooks/sf?token=om-secret-0123456789").content == ACK_BODY  # a redelivery is acknowledged too
    with hub.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(inbox_events)).scalar_one() == 4  # not 8

    FakeOrg(router, fixture_tables())
    cache = connector_cache(hub)
    inbox_worker(hub, cache).drain(timeout=10)
    with hub.engine.connect() as conn:
        states = conn.execute(select(inbox_events.c.state, inbox_events.c.last_error)).fetchall()
        assert {row.state for row in states} == {"applied"}, states
        rows = conn.execute(select(source_records.c.source_object, source_records.c.external_id)).fetchall()
    stored = {(row.source_object, row.external_id) for row in rows}
    assert {
        ("accounts", "001Hs0000000002AAA"),  # carried by the message
        ("opportunities", "006Hs0000000001AAA"),  # fetched, with its partner rows
        ("contacts", "003Hs0000000001AAA"),  # fetched
        ("deal_registrations", "00QHs0000000001AAA"),  # fetched
    } <= stored
    cache.close()
