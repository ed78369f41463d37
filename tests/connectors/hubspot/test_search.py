"""Incremental reads past the search cap: a window of more than 10,000 records modified in one
millisecond is read completely, by ``hs_object_id`` inside that millisecond.

The sandbox enforces HubSpot's cap as HubSpot does (paging a query past 10,000 results is a 400).
"""

from __future__ import annotations

import httpx

from connectors.sdk import ReadRequest
from sandbox.server import SandboxServer
from tests.connectors.hubspot.conftest import EPOCH, connector, put_world, requests_to

BULK = 10_300  # one bulk update touched these in the same millisecond
SAME_MS = "2026-06-01T12:00:00.000Z"


def _company(n: int, updated: str) -> dict[str, object]:
    return {"id": str(n), "properties": {"name": f"Company {n}"}, "updatedAt": updated}


def test_more_than_10000_records_in_one_millisecond_are_all_read(sandbox: SandboxServer, hubspot: httpx.Client) -> None:
    earlier = [_company(n, f"2026-05-01T00:00:{n:02d}.000Z") for n in range(1, 21)]
    bulk = [_company(1000 + n, SAME_MS) for n in range(BULK)]
    later = [_company(50_000 + n, f"2026-06-02T00:00:{n:02d}.000Z") for n in range(30)]
    put_world(hubspot, companies=[*earlier, *bulk, *later])
    hubspot.delete("/_sandbox/stats")
    hs = connector(sandbox, private_app=True)
    try:
        pages = list(hs.read("companies", ReadRequest(mode="incremental", cursor=EPOCH)))
        by_id = [p for p in pages if p.resume and "ms" in p.resume]
        assert by_id, "the one-millisecond window was never read by id"
        middle = by_id[len(by_id) // 2]
        resumed = list(hs.read("companies", ReadRequest(mode="incremental", cursor=EPOCH, resume=middle.resume)))
    finally:
        hs.close()
    seen = {r["id"] for p in pages for r in p.records}
    assert seen == {c["id"] for c in [*earlier, *bulk, *later]}
    assert pages[-1].resume is None
    assert requests_to(hubspot, "/search", status=400) == 0  # never paged past the cap
    # Resuming inside the millisecond reads the rest of it (ids above the position) and what follows.
    rest = {r["id"] for p in resumed for r in p.records}
    assert {c["id"] for c in later} <= rest
    assert {c["id"] for c in bulk if int(c["id"]) > middle.resume["after_id"]} <= rest  # type: ignore[index]
    assert not {c["id"] for c in earlier} & rest


def test_paging_past_the_cap_is_refused(sandbox: SandboxServer, hubspot: httpx.Client) -> None:
    token = sandbox.credentials["hubspot"]["private_app_token"]
    body = {"filterGroups": [], "limit": 10, "after": "10000"}
    for path in ("/crm/v3/objects/companies/search", "/crm/objects/2026-03/companies/search"):
        refused = hubspot.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 400 and refused.json()["category"] == "VALIDATION_ERROR"
