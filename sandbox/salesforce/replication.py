"""``sobjects/{Object}/updated`` and ``/deleted`` (getUpdated / getDeleted, reference B7).

``start``/``end`` are ISO date-times (URL-encoded; ``Z`` or offsets); seconds are ignored (both are
truncated to the minute) and the window must then span at least one minute, otherwise 400
``INVALID_REPLICATION_DATE``.  ``start`` may be at most 30 (updated) / 15 (deleted) days back.
Updated ids are the live records with ``start <= SystemModstamp < latestDateCovered``, where
``latestDateCovered = min(end, now)`` truncated to the minute, so consecutive windows
``[previous latestDateCovered, now]`` never miss nor repeat a change.  ``deletedRecords`` likewise
uses the deletion time; ``earliestDateAvailable`` is the last recycle-bin purge (else the org's
creation): a window starting before it needs a full resync.
"""

from __future__ import annotations

from typing import Any

from sandbox.kit.clock import DAY_MS
from sandbox.salesforce.errors import bad_request
from sandbox.salesforce.schema import ObjectDef
from sandbox.salesforce.state import SalesforceState
from sandbox.salesforce.values import format_datetime, parse_datetime

MINUTE_MS = 60_000


def _window(state: SalesforceState, start_raw: str | None, end_raw: str | None, days: int) -> tuple[int, int]:
    bounds = []
    for name, raw in (("start", start_raw), ("end", end_raw)):
        if not raw:
            raise bad_request("MALFORMED_QUERY", f"Missing required parameter: {name}")
        try:
            bounds.append(parse_datetime(raw.replace(" ", "+")))
        except ValueError:
            raise bad_request("MALFORMED_QUERY", f"{name} date is not in the correct format: {raw}") from None
    start, end = (b - b % MINUTE_MS for b in bounds)
    now = state.clock.now_ms()
    if end - start < MINUTE_MS:
        raise bad_request("INVALID_REPLICATION_DATE", "startDate must be at least one minute greater than endDate")
    if start < now - days * DAY_MS:
        raise bad_request("INVALID_REPLICATION_DATE", f"startDate cannot be more than {days} days ago")
    return start, min(end, now - now % MINUTE_MS)


def get_updated(state: SalesforceState, obj: ObjectDef, start_raw: str | None, end_raw: str | None) -> dict[str, Any]:
    """The ``updated`` body: ``{"ids": [...], "latestDateCovered": ...}``."""
    start, latest = _window(state, start_raw, end_raw, state.config.updated_window_days)
    rows = [r for r in state.store.tables[obj.name].live() if start <= r["SystemModstamp"] < latest]
    _check_size(state, len(rows))
    rows.sort(key=lambda r: r["SystemModstamp"])
    return {"ids": [r["Id"] for r in rows], "latestDateCovered": format_datetime(max(latest, start))}


def get_deleted(state: SalesforceState, obj: ObjectDef, start_raw: str | None, end_raw: str | None) -> dict[str, Any]:
    """The ``deleted`` body: ``{"deletedRecords": [{id, deletedDate}], "earliestDateAvailable",
    "latestDateCovered"}``."""
    start, latest = _window(state, start_raw, end_raw, state.config.deleted_window_days)
    table = state.store.tables[obj.name]
    found = sorted((ms, rid) for rid, ms in table.deleted_ms.items() if start <= ms < latest)
    _check_size(state, len(found))
    earliest = state.store.purged_ms or state.org_created_ms()
    return {
        "deletedRecords": [{"id": rid, "deletedDate": format_datetime(ms)} for ms, rid in found],
        "earliestDateAvailable": format_datetime(earliest - earliest % MINUTE_MS),
        "latestDateCovered": format_datetime(max(latest, start)),
    }


def _check_size(state: SalesforceState, count: int) -> None:
    limit = state.config.replication_id_limit
    if limit and count > limit:
        raise bad_request(
            "EXCEEDED_ID_LIMIT", f"ID limit exceeded: the result would contain {count} ids (limit {limit})"
        )


def purge_recycle_bin(state: SalesforceState) -> int:
    """Physically remove deleted records (queryAll / getDeleted no longer see them)."""
    now = state.clock.now_ms()
    removed = 0
    for table in state.store.tables.values():
        for record_id in list(table.deleted_ms):
            del table.rows[record_id]
            removed += 1
        table.deleted_ms.clear()
    state.store.purged_ms = now
    state.data_version += 1
    return removed
