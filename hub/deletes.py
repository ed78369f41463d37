"""Operator decisions on deletes held by the mass-delete guard, shared by the API and the CLI (ADR 22)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hub.context import Hub
from hub.sync import deletes
from hub.sync.deletes import HoldNotFound

__all__ = ["HoldNotFound", "confirm", "held", "history", "reject"]


def _check_stream(hub: Hub, connector_id: str, stream: str) -> str:
    """The connector's kind; ``NotFound`` for an unknown connector, ``HoldNotFound`` for an unknown stream."""
    kind = hub.store.kind_of(connector_id)
    if stream not in hub.store.get(connector_id).streams:
        raise HoldNotFound(f"connector {connector_id} has no stream {stream}")
    return kind


def confirm(hub: Hub, connector_id: str, stream: str, by: str, hold_id: str | None = None) -> dict[str, Any]:
    """Tombstone exactly the held set (records observed since the hold are left alone)."""
    kind = _check_stream(hub, connector_id, stream)
    version = hub.mappers.get(kind).version
    with hub.engine.begin() as conn:
        return deletes.confirm(conn, kind, connector_id, stream, by, version, datetime.now(UTC), hold_id)


def reject(hub: Hub, connector_id: str, stream: str, by: str, hold_id: str | None = None) -> dict[str, Any]:
    """Discard the held set: nothing is tombstoned."""
    _check_stream(hub, connector_id, stream)
    with hub.engine.begin() as conn:
        return deletes.reject(conn, connector_id, stream, by, datetime.now(UTC), hold_id)


def held(hub: Hub, connector_id: str, stream: str | None = None) -> list[dict[str, Any]]:
    hub.store.kind_of(connector_id)
    with hub.reader.connect() as conn:
        return deletes.held(conn, connector_id, stream)


def history(hub: Hub, connector_id: str, limit: int = 50) -> list[dict[str, Any]]:
    hub.store.kind_of(connector_id)
    with hub.reader.connect() as conn:
        return deletes.history(conn, connector_id, limit)
