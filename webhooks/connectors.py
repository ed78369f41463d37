"""Live connector instances for webhook verification and fetching, rebuilt when their config changes."""

from __future__ import annotations

import threading
import time
from datetime import datetime

from sqlalchemy import select

from connectors.sdk import Connector
from hub.context import Hub
from hub.db.schema import connectors as connectors_table


class ConnectorCache:
    """``get(id)`` → (kind, connector), or None for an unknown id.

    The connector row is re-read at most every ``recheck_seconds`` per id, so a busy receiver does not
    query it on every delivery: a change made through this process's API applies at once (``forget``),
    one made through another process within ``recheck_seconds``.
    """

    def __init__(self, hub: Hub, recheck_seconds: float = 1.0) -> None:
        self.hub = hub
        self.recheck_seconds = recheck_seconds
        self._items: dict[str, tuple[datetime, str, Connector]] = {}
        self._checked: dict[str, float] = {}
        self._lock = threading.Lock()

    def get(self, connector_id: str) -> tuple[str, Connector] | None:
        checked = self._checked.get(connector_id)
        if checked is not None and time.monotonic() - checked < self.recheck_seconds:
            cached = self._items.get(connector_id)
            if cached is not None:
                return cached[1], cached[2]
        with self.hub.reader.connect() as conn:
            row = conn.execute(
                select(connectors_table.c.kind, connectors_table.c.updated_at, connectors_table.c.enabled).where(
                    connectors_table.c.id == connector_id
                )
            ).first()
        if row is None or not row.enabled:
            self._checked.pop(connector_id, None)
            return None
        with self._lock:
            self._checked[connector_id] = time.monotonic()
            cached = self._items.get(connector_id)
            if cached is not None and cached[0] == row.updated_at:
                return cached[1], cached[2]
            if cached is not None:
                cached[2].close()
            connector = self.hub.store.build(connector_id)
            self._items[connector_id] = (row.updated_at, row.kind, connector)
            return row.kind, connector

    def forget(self, connector_id: str) -> None:
        """Re-read this connector on next use (called when it is changed through this process's API)."""
        self._checked.pop(connector_id, None)

    def close(self) -> None:
        with self._lock:
            for _, _, connector in self._items.values():
                connector.close()
            self._items.clear()
