"""The inbox worker through its seams only (webhooks/host.py): a recording ledger and an in-memory
connector stand in for the hub, the inbox is the real one on a real database. The hub's own wiring
(hub/inbound.py) is exercised end to end by the other tests in this directory."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import Column, Connection, Engine, Integer, MetaData, Table, select

from connectors.sdk import Connector, ConnectorSpec, InboundRequest, WebhookEvent
from hub.db.schema import inbox_events, webhook_bodies, webhook_deliveries
from webhooks.connectors import ConnectorCache
from webhooks.host import Metrics, WorkerSettings
from webhooks.inbox import Inbox
from webhooks.worker import InboxWorker

INBOX = Inbox(webhook_deliveries, inbox_events, webhook_bodies)
STAMP = datetime(2026, 3, 1, tzinfo=UTC)


class _NoConfig(BaseModel):
    pass


class Upstream(Connector):
    """Knows record "1" only: an event naming "2" is about a record the upstream no longer has."""

    spec = ConnectorSpec(kind="memory", title="In memory", streams=())
    config_model = _NoConfig

    def read(self, stream: str, request: Any) -> Any:
        raise NotImplementedError

    def fetch(self, object_name: str, external_ids: list[str]) -> list[dict[str, Any]]:
        return [{"id": i, "fetched": True} for i in external_ids if i == "1"]


class RecordingLedger:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.writes: list[dict[str, Any]] = []

    def external_id(self, kind: str, object_name: str, raw: dict[str, Any]) -> str | None:
        return str(raw["id"])

    def write(
        self,
        conn: Connection,
        kind: str,
        connector_id: str,
        object_name: str,
        records: list[dict[str, Any]],
        gone: list[str],
        now: datetime,
        event_ids: Mapping[str, str],
    ) -> set[str]:
        if self.fail:
            raise RuntimeError("ledger unavailable")
        self.writes.append({"kind": kind, "connector": connector_id, "object": object_name, "records": records,
                            "gone": gone, "event_ids": dict(event_ids)})  # fmt: skip
        return {"1", "3"}  # "3" changed, "2" (a tombstone of a record already gone) did not


def _store(engine: Engine, events: list[WebhookEvent]) -> None:
    request = InboundRequest(method="POST", url="https://hub.test/webhooks/m?token=s3cret", headers={}, body=b"[]")
    with engine.begin() as conn:
        INBOX.store(conn, "m", request, events, STAMP)


def _worker(engine: Engine, ledger: RecordingLedger, counted: list[tuple[str, str, int]]) -> InboxWorker:
    cache = ConnectorCache(lambda _id: ("memory", STAMP), lambda _id: Upstream(_NoConfig()))
    settings = WorkerSettings(claim_seconds=30, max_attempts=2, retry_base_seconds=0.0)
    metrics = Metrics(events=lambda c, outcome, n: counted.append((c, outcome, n)))
    return InboxWorker(engine, INBOX, cache, ledger, settings=settings, metrics=metrics, owner="test")


def _states(engine: Engine) -> dict[str, tuple[str, bool | None, int]]:
    with engine.connect() as conn:
        rows = conn.execute(select(inbox_events).order_by(inbox_events.c.id))
        return {r.external_id: (r.state, r.changed, r.attempts) for r in rows}


def test_events_are_applied_through_the_hosts_ledger_and_settled(engine: Engine) -> None:
    _store(engine, [
        WebhookEvent(object="companies", external_id="1", event_id="e1"),  # named: fetched
        WebhookEvent(object="companies", external_id="2", event_id="e2"),  # named, gone upstream
        WebhookEvent(object="companies", external_id="3", event_id="e3", record={"id": "3", "carried": True}),
    ])  # fmt: skip
    ledger, counted = RecordingLedger(), []
    assert _worker(engine, ledger, counted).run_once() == 3
    [write] = ledger.writes
    assert (write["kind"], write["connector"], write["object"]) == ("memory", "m", "companies")
    assert write["records"] == [{"id": "3", "carried": True}, {"id": "1", "fetched": True}]
    assert write["gone"] == ["2"]
    assert set(write["event_ids"]) == {"1", "2", "3"}
    assert _states(engine) == {"1": ("applied", True, 1), "2": ("applied", False, 1), "3": ("applied", True, 1)}
    assert counted == [("m", "applied", 3)]


def test_a_failing_ledger_retries_then_dead_letters_the_events(engine: Engine) -> None:
    _store(engine, [WebhookEvent(object="companies", external_id="1", event_id="e1")])
    counted: list[tuple[str, str, int]] = []
    worker = _worker(engine, RecordingLedger(fail=True), counted)
    assert worker.run_once() == 1
    assert _states(engine) == {"1": ("pending", None, 1)}
    assert worker.run_once() == 1  # no backoff (base 0): due again at once
    assert _states(engine) == {"1": ("dead", None, 2)}
    assert worker.run_once() == 0
    assert counted == [("m", "failed", 1), ("m", "failed", 1)]
    with engine.connect() as conn:
        assert conn.execute(select(inbox_events.c.last_error)).scalar_one() == "RuntimeError: ledger unavailable"
        assert conn.execute(select(webhook_deliveries.c.url)).scalar_one() == "https://hub.test/webhooks/m?token=***"


def test_the_inbox_refuses_tables_without_its_columns() -> None:
    thin = Table("inbox_events", MetaData(), Column("id", Integer, primary_key=True))
    with pytest.raises(ValueError, match=r"inbox_events lacks the inbox columns \['action', "):
        Inbox(webhook_deliveries, thin, webhook_bodies)
