"""Incremental reads through the CRM search endpoint, past the 10,000-result cap.

A search query pages through at most 10,000 results (paging beyond is a 400; HubSpot's search
guide, "Limitations", and e.g. https://docs.aws.amazon.com/glue/latest/dg/hubspot-connector-limitations.md).
Two ways around it, both resumable after every page:

1. **time window** (``{"since", "after"}``): records modified at or after ``since``, oldest first,
   paged with ``after``. When the next page would pass the cap, a new query starts at the last
   modification time seen; records at that boundary are read twice and the hub's ledger drops the
   duplicate by content hash.
2. **one millisecond by id** (``{"ms", "after_id"}``): when 10,000 records share one modification
   time the window cannot advance (a bulk import or workflow touches them in the same millisecond).
   That millisecond is then read by ``hs_object_id``: ``lastmod EQ ms AND hs_object_id GT after_id``,
   sorted by id, each page a new query (keyset paging, never near the cap). Records modified meanwhile
   leave the millisecond for a later one, which step 1 reads afterwards (``lastmod GT ms``).

Search takes one sort rule; ``hs_object_id`` is a searchable, sortable number on every object.
Docs: https://developers.hubspot.com/docs/api-reference/2026-03/crm/search-the-crm
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from connectors.sdk import Page, Requester, UpstreamError, select_records

SEARCH_RESULT_CAP = 10_000
ID_PROPERTY = "hs_object_id"


def to_epoch_ms(value: str) -> int:
    """An ISO-8601 time (or epoch-ms string) as epoch milliseconds."""
    if value.isdigit():
        return int(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _filter(prop: str, operator: str, value: int) -> dict[str, str]:
    return {"propertyName": prop, "operator": operator, "value": str(value)}


def _lastmod_ms(record: dict[str, Any], last_modified: str) -> int:
    value = (record.get("properties") or {}).get(last_modified)
    if value is None:
        raise UpstreamError(f"search result {record.get('id')} without {last_modified}; cannot move the window")
    return to_epoch_ms(str(value))


def search_pages(
    requester: Requester,
    path: str,
    *,
    last_modified: str,
    properties: list[str],
    since_ms: int,
    page_size: int,
    resume: dict[str, Any] | None,
    result_cap: int = SEARCH_RESULT_CAP,
) -> Iterator[Page]:
    """Yield pages of records modified at or after ``since_ms`` (``path``: the object's search endpoint)."""
    position: dict[str, Any] = dict(resume) if resume else {"since": since_ms, "after": 0}
    while True:
        if "ms" in position:
            page, position_next = _millisecond_page(requester, path, last_modified, properties, page_size, position)
        else:
            page, position_next = _window_page(
                requester, path, last_modified, properties, page_size, position, result_cap
            )
        if position_next is None:
            yield Page(records=page, resume=None)
            return
        yield Page(records=page, resume=position_next)
        position = position_next


def _window_page(
    requester: Requester,
    path: str,
    last_modified: str,
    properties: list[str],
    page_size: int,
    position: dict[str, Any],
    result_cap: int,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    window, after = int(position["since"]), int(position.get("after", 0))
    body = {
        "filterGroups": [{"filters": [_filter(last_modified, "GTE", window)]}],
        "sorts": [{"propertyName": last_modified, "direction": "ASCENDING"}],
        "properties": properties,
        "limit": page_size,
        "after": str(after),
    }
    document = requester.post_json(path, body)
    records = select_records(document, ("results",))
    next_after = (document.get("paging") or {}).get("next", {}).get("after")
    if next_after is None or not records:
        return records, None
    after = int(next_after)
    if after + page_size <= result_cap:
        return records, {"since": window, "after": after}
    last = _lastmod_ms(records[-1], last_modified)
    if last > window:
        return records, {"since": last, "after": 0}
    # Every record read so far shares the window's first millisecond: read it by id instead.
    return records, {"ms": window, "after_id": 0}


def _millisecond_page(
    requester: Requester,
    path: str,
    last_modified: str,
    properties: list[str],
    page_size: int,
    position: dict[str, Any],
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    ms, after_id = int(position["ms"]), int(position["after_id"])
    body = {
        "filterGroups": [{"filters": [_filter(last_modified, "EQ", ms), _filter(ID_PROPERTY, "GT", after_id)]}],
        "sorts": [{"propertyName": ID_PROPERTY, "direction": "ASCENDING"}],
        "properties": properties,
        "limit": page_size,
    }
    document = requester.post_json(path, body)
    records = select_records(document, ("results",))
    more = (document.get("paging") or {}).get("next") is not None
    if records and more:
        last_id = max(int(r["id"]) for r in records)
        if last_id <= after_id:
            raise UpstreamError(f"search by {ID_PROPERTY} did not advance past {after_id}")
        return records, {"ms": ms, "after_id": last_id}
    # The millisecond is read: continue with everything modified after it.
    return records, {"since": ms + 1, "after": 0}
