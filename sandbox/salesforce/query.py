"""``query`` / ``queryAll`` execution with Salesforce-style paging.

The first request runs the whole query and keeps the matching records in a cursor; each page holds
``batchSize`` records (``Sforce-Query-Options: batchSize=N``, clamped to 200..2000, default 2000)
and, while more remain, ``nextRecordsUrl = /services/data/vXX.X/query/<locator>-<offset>``.  Values
are read when a page is served.  Cursors idle for 15 minutes, or beyond ``query_locator_limit`` open
ones (oldest first), are dropped: fetching them answers 400 ``INVALID_QUERY_LOCATOR``.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sandbox.salesforce.errors import bad_request
from sandbox.salesforce.ids import IdAllocator, make_id
from sandbox.salesforce.soql_eval import SelectNode, compile_query
from sandbox.salesforce.soql_parser import parse
from sandbox.salesforce.soql_run import execute, shape
from sandbox.salesforce.store import Record, Store

DEFAULT_BATCH = 2000
MIN_BATCH = 200
CURSOR_IDLE_MS = 15 * 60 * 1000
_BATCH_RE = re.compile(r"batchSize\s*=\s*(\d+)", re.I)


def batch_size(header: str | None) -> int:
    """The page size asked for by ``Sforce-Query-Options`` (Salesforce may return fewer)."""
    match = _BATCH_RE.search(header or "")
    if not match:
        return DEFAULT_BATCH
    return max(MIN_BATCH, min(DEFAULT_BATCH, int(match.group(1))))


@dataclass
class Cursor:
    """An open query result."""

    locator: str
    select: SelectNode
    records: list[Record]
    batch: int
    last_used_ms: int


class QueryEngine:
    """Runs queries against a store and keeps their cursors."""

    def __init__(self, locator_limit: int = 200) -> None:
        self.locator_limit = locator_limit
        self._cursors: OrderedDict[str, Cursor] = OrderedDict()
        self._counter = IdAllocator.FIRST

    def reset(self) -> None:
        """Drop every cursor (the data changed wholesale)."""
        self._cursors.clear()

    def run(self, store: Store, soql: str, include_deleted: bool, version: str, batch: int, now_ms: int) -> Any:
        """Execute ``soql`` and return the first page."""
        compiled = compile_query(parse(soql), store, now_ms)
        records = execute(compiled, store, include_deleted)
        if compiled.count:
            return {"totalSize": len(records), "done": True, "records": []}
        self._counter += 1
        cursor = Cursor(make_id("01g", self._counter), compiled.select, records, batch, now_ms)
        return self._page(store, cursor, 0, version, now_ms)

    def more(self, store: Store, token: str, version: str, now_ms: int) -> Any:
        """A later page: ``token`` is ``<locator>-<offset>``."""
        locator, _, raw_offset = token.rpartition("-")
        self._expire(now_ms)
        cursor = self._cursors.get(locator)
        if cursor is None or not raw_offset.isdigit():
            raise bad_request("INVALID_QUERY_LOCATOR", "invalid query locator")
        offset = int(raw_offset)
        if offset > len(cursor.records):
            raise bad_request("INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(store, cursor, offset, version, now_ms)

    def _page(self, store: Store, cursor: Cursor, offset: int, version: str, now_ms: int) -> Any:
        end = min(offset + cursor.batch, len(cursor.records))
        rows = [shape(cursor.select, r, version, store) for r in cursor.records[offset:end]]
        body: dict[str, Any] = {"totalSize": len(cursor.records), "done": end >= len(cursor.records)}
        if not body["done"]:
            body["nextRecordsUrl"] = f"/services/data/v{version}/query/{cursor.locator}-{end}"
            cursor.last_used_ms = now_ms
            self._cursors[cursor.locator] = cursor
            self._cursors.move_to_end(cursor.locator)
            while len(self._cursors) > max(self.locator_limit, 1):
                self._cursors.popitem(last=False)
        body["records"] = rows
        return body

    def _expire(self, now_ms: int) -> None:
        stale = [k for k, c in self._cursors.items() if now_ms - c.last_used_ms > CURSOR_IDLE_MS]
        for key in stale:
            del self._cursors[key]

    def open_cursors(self) -> int:
        """Cursors still open."""
        return len(self._cursors)
