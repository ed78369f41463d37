"""Incremental reads through the CRM search endpoint, sliding the window past the 10,000 cap.

Search returns at most 10,000 results per query (paging beyond is a 400), so when a window fills
up the reader starts a new query at the last modification time it saw. Records at that boundary
are read twice; the hub's ledger drops the duplicate by content hash.

Docs: https://developers.hubspot.com/docs/api-reference/search/guide
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from connectors.sdk import Page, Requester, UpstreamError, select_records

SEARCH_RESULT_CAP = 10_000


def to_epoch_ms(value: str) -> int:
    """An ISO-8601 time (or epoch-ms string) as epoch milliseconds."""
    if value.isdigit():
        return int(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def search_pages(
    requester: Requester,
    object_name: str,
    *,
    last_modified: str,
    properties: list[str],
    since_ms: int,
    page_size: int,
    resume: dict[str, Any] | None,
) -> Iterator[Page]:
    """Yield pages of records modified at or after ``since_ms``, oldest first."""
    window = int(resume["since"]) if resume else since_ms
    after = int(resume.get("after", 0)) if resume else 0
    while True:
        body = {
            "filterGroups": [{"filters": [{"propertyName": last_modified, "operator": "GTE", "value": str(window)}]}],
            "sorts": [{"propertyName": last_modified, "direction": "ASCENDING"}],
            "properties": properties,
            "limit": page_size,
            "after": str(after),
        }
        document = requester.post_json(f"/crm/v3/objects/{object_name}/search", body)
        records = select_records(document, ("results",))
        next_after = (document.get("paging") or {}).get("next", {}).get("after")
        if next_after is None or not records:
            yield Page(records=records, resume=None)
            return
        after = int(next_after)
        if after + page_size > SEARCH_RESULT_CAP:
            last = (records[-1].get("properties") or {}).get(last_modified)
            if last is None:
                raise UpstreamError(f"search result without {last_modified}; cannot move the window")
            new_window = to_epoch_ms(str(last))
            if new_window <= window:
                raise UpstreamError(
                    f"more than {SEARCH_RESULT_CAP} {object_name} share one modification time; "
                    "the search window cannot advance (run a full sync)"
                )
            window, after = new_window, 0
        yield Page(records=records, resume={"since": window, "after": after})
