"""Live connector instances for webhook verification and fetching, rebuilt when their config changes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

from connectors.sdk import Connector

#: ``lookup(connector_id)`` → (kind, updated_at) of an enabled connector, None if unknown or disabled.
Lookup = Callable[[str], tuple[str, datetime] | None]
#: ``build(connector_id)`` → a live connector from its stored config and secrets.
Build = Callable[[str], Connector]


class ConnectorCache:
    """``get(id)`` → (kind, connector), or None for an unknown or disabled id.

    The host's connector row is looked up at most every ``recheck_seconds`` per id, so a busy
    receiver does not query it on every delivery: a change made through this process's API applies
    at once (``forget``), one made through another process within ``recheck_seconds``. The connector
    is rebuilt when the row's ``updated_at`` moves.
    """

    def __init__(self, lookup: Lookup, build: Build, recheck_seconds: float = 1.0) -> None:
        self.lookup = lookup
        self.build = build
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
        found = self.lookup(connector_id)
        if found is None:
            self._checked.pop(connector_id, None)
            return None
        kind, updated_at = found
        with self._lock:
            self._checked[connector_id] = time.monotonic()
            cached = self._items.get(connector_id)
            if cached is not None and cached[0] == updated_at:
                return cached[1], cached[2]
            if cached is not None:
                cached[2].close()
            connector = self.build(connector_id)
            self._items[connector_id] = (updated_at, kind, connector)
            return kind, connector

    def forget(self, connector_id: str) -> None:
        """Re-read this connector on next use (called when it is changed through this process's API)."""
        self._checked.pop(connector_id, None)

    def close(self) -> None:
        with self._lock:
            for _, _, connector in self._items.values():
                connector.close()
            self._items.clear()
