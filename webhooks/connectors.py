"""Live connector instances for webhook verification and fetching, rebuilt when their config changes."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import select

from connectors.sdk import Connector
from hub.context import Hub
from hub.db.schema import connectors as connectors_table


class ConnectorCache:
    """``get(id)`` → (kind, connector), or None for an unknown id. One cheap query per call."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._items: dict[str, tuple[datetime, str, Connector]] = {}
        self._lock = threading.Lock()

    def get(self, connector_id: str) -> tuple[str, Connector] | None:
        with self.hub.reader.connect() as conn:
            row = conn.execute(
                select(connectors_table.c.kind, connectors_table.c.updated_at, connectors_table.c.enabled).where(
                    connectors_table.c.id == connector_id
                )
            ).first()
        if row is None or not row.enabled:
            return None
        with self._lock:
            cached = self._items.get(connector_id)
            if cached is not None and cached[0] == row.updated_at:
                return cached[1], cached[2]
            if cached is not None:
                cached[2].close()
            connector = self.hub.store.build(connector_id)
            self._items[connector_id] = (row.updated_at, row.kind, connector)
            return row.kind, connector

    def close(self) -> None:
        with self._lock:
            for _, _, connector in self._items.values():
                connector.close()
            self._items.clear()
