"""Live connector instances for webhook verification and fetching, rebuilt when their config changes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from connectors.sdk import Connector

#: ``lookup(connector_id)`` → (kind, updated_at) of an enabled connector, None if unknown or disabled.
Lookup = Callable[[str], tuple[str, datetime] | None]
#: ``build(connector_id)`` → a live connector from its stored config and secrets.
Build = Callable[[str], Connector]


@dataclass
class _Entry:
    updated_at: datetime
    kind: str
    connector: Connector
    users: int = 0
    retired: bool = False


class ConnectorCache:
    """``with cache.use(id) as found:`` → (kind, connector), or None for an unknown or disabled id.

    The host's connector row is looked up at most every ``recheck_seconds`` per id, so a busy
    receiver does not query it on every delivery: a change made through this process's API applies
    at once (``forget``), one made through another process within ``recheck_seconds``. The connector
    is rebuilt when the row's ``updated_at`` moves.

    A rebuilt connector replaces the old one for new users only: the old one (and its HTTP client)
    is closed when the last user still holding it leaves ``use``, so an edit made while a worker is
    fetching never breaks the fetch.
    """

    def __init__(self, lookup: Lookup, build: Build, recheck_seconds: float = 1.0) -> None:
        self.lookup = lookup
        self.build = build
        self.recheck_seconds = recheck_seconds
        self._items: dict[str, _Entry] = {}
        self._checked: dict[str, float] = {}
        self._lock = threading.Lock()

    def _current(self, connector_id: str) -> _Entry | None:
        """The up-to-date entry, with one more user counted (the caller must ``_release`` it)."""
        with self._lock:
            checked = self._checked.get(connector_id)
            cached = self._items.get(connector_id)
            if cached is not None and checked is not None and time.monotonic() - checked < self.recheck_seconds:
                cached.users += 1
                return cached
        found = self.lookup(connector_id)
        with self._lock:
            cached = self._items.get(connector_id)
            if found is None:
                self._checked.pop(connector_id, None)
                if cached is not None:
                    self._retire(connector_id, cached)
                return None
            kind, updated_at = found
            self._checked[connector_id] = time.monotonic()
            if cached is None or cached.updated_at != updated_at:
                if cached is not None:
                    self._retire(connector_id, cached)
                cached = _Entry(updated_at, kind, self.build(connector_id))
                self._items[connector_id] = cached
            cached.users += 1
            return cached

    def _retire(self, connector_id: str, entry: _Entry) -> None:
        """Under the lock: take ``entry`` out of use; close it now if nobody holds it, else at release."""
        if self._items.get(connector_id) is entry:
            del self._items[connector_id]
        entry.retired = True
        if entry.users == 0:
            entry.connector.close()

    def _release(self, entry: _Entry) -> None:
        with self._lock:
            entry.users -= 1
            close = entry.retired and entry.users == 0
        if close:
            entry.connector.close()

    @contextmanager
    def use(self, connector_id: str) -> Iterator[tuple[str, Connector] | None]:
        """The live connector for the block's duration (it stays open until the block ends)."""
        entry = self._current(connector_id)
        if entry is None:
            yield None
            return
        try:
            yield entry.kind, entry.connector
        finally:
            self._release(entry)

    def get(self, connector_id: str) -> tuple[str, Connector] | None:
        """The live connector, without holding it: for callers that do not make calls with it (a
        rebuild may close it at any time after); use ``use`` to call the upstream."""
        with self.use(connector_id) as found:
            return found

    def fresh(self, connector_id: str) -> tuple[str, Connector] | None:
        """The live connector if its row was checked within ``recheck_seconds``, else None (then call
        ``get``, which may query the database): lets an async caller skip a thread hop on a hit."""
        with self._lock:
            checked = self._checked.get(connector_id)
            cached = self._items.get(connector_id)
            if cached is None or checked is None or time.monotonic() - checked >= self.recheck_seconds:
                return None
            return cached.kind, cached.connector

    def forget(self, connector_id: str) -> None:
        """Re-read this connector on next use (called when it is changed through this process's API)."""
        self._checked.pop(connector_id, None)

    def close(self) -> None:
        with self._lock:
            for connector_id, entry in list(self._items.items()):
                self._retire(connector_id, entry)
            self._items.clear()
