"""The hub's side of the webhook boundary: builds ``webhooks``' receiver, cache and workers from a ``Hub``.

``webhooks`` knows nothing of the hub (see docs/adr/0012-webhooks-hub-boundary.md). This module hands
it what it needs: the inbox tables of the hub's schema, the engines, the connector store, the
ledger's write path and the mapper of each system, the settings and the Prometheus counters (the
app factory, ``hub.api.app``, adds its error body). The app factory and ``hub worker`` use it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from sqlalchemy import Connection, select

from hub.context import Hub
from hub.db.schema import connectors as connectors_table
from hub.db.schema import inbox_events, webhook_bodies, webhook_deliveries
from hub.ledger import Origin
from hub.ledger.writer import mark_deleted, write_page
from hub.mappers import MapperSet
from hub.metrics import INBOX_EVENTS, WEBHOOK_DELIVERIES
from webhooks.connectors import ConnectorCache
from webhooks.host import ErrorBody, Metrics, ReceiverSettings, WorkerSettings
from webhooks.inbox import Inbox
from webhooks.receiver import build_router
from webhooks.worker import InboxWorker

INBOX = Inbox(webhook_deliveries, inbox_events, webhook_bodies)
METRICS = Metrics(
    delivery=lambda connector_id, result: WEBHOOK_DELIVERIES.labels(connector_id, result).inc(),
    events=lambda connector_id, outcome, n: INBOX_EVENTS.labels(connector_id, outcome).inc(n),
)


class LedgerPath:
    """``webhooks.host.Ledger`` over the hub's ledger writer and mappings."""

    def __init__(self, mappers: MapperSet) -> None:
        self.mappers = mappers

    def external_id(self, kind: str, object_name: str, raw: dict[str, Any]) -> str | None:
        return self.mappers.get(kind).external_id(object_name, raw)

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
        mapper = self.mappers.get(kind)
        origin = Origin(system=kind, instance=connector_id)
        outcome = write_page(conn, origin, object_name, records, mapper, now, event_ids)
        changed = set(outcome.changed_ids)
        if gone:
            changed.update(mark_deleted(conn, origin, object_name, gone, now, mapper.version, event_ids).changed_ids)
        return changed


def connector_cache(hub: Hub, recheck_seconds: float = 1.0) -> ConnectorCache:
    """Live connectors of ``hub.store``, rebuilt when their row changes."""

    def lookup(connector_id: str) -> tuple[str, datetime] | None:
        table = connectors_table
        with hub.reader.connect() as conn:
            row = conn.execute(
                select(table.c.kind, table.c.updated_at, table.c.enabled).where(table.c.id == connector_id)
            ).first()
        if row is None or not row.enabled:
            return None
        return row.kind, row.updated_at

    return ConnectorCache(lookup, hub.store.build, recheck_seconds)


def inbox_worker(hub: Hub, cache: ConnectorCache, **options: Any) -> InboxWorker:
    """An inbox worker applying events through the hub's ledger (``options``: owner, batch, poll)."""
    settings = WorkerSettings(
        claim_seconds=hub.settings.webhook_claim_seconds,
        max_attempts=hub.settings.webhook_max_attempts,
        retry_base_seconds=hub.settings.webhook_retry_base_seconds,
    )
    return InboxWorker(hub.engine, INBOX, cache, LedgerPath(hub.mappers), settings=settings, metrics=METRICS, **options)


def receiver(
    hub: Hub, cache: ConnectorCache, error_body: ErrorBody, on_stored: Callable[[], None] | None = None
) -> APIRouter:
    """``POST /webhooks/{connector_id}``, answering refusals with ``error_body`` (the API's error shape)."""
    settings = ReceiverSettings(
        public_url=hub.settings.public_url, store_timeout_seconds=hub.settings.webhook_store_timeout_seconds
    )
    return build_router(
        hub.engine, INBOX, cache, error_body=error_body, settings=settings, metrics=METRICS, on_stored=on_stored
    )
