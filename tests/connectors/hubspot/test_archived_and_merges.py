"""The HubSpot connector's full read lists live then archived records (resumable across the two), and
names merged ids on every record it reads or fetches; a merge webhook names the survivor."""

from __future__ import annotations

import httpx

from connectors.hubspot import webhooks
from connectors.sdk import MERGED_IDS, ReadRequest
from sandbox.server import SandboxServer
from tests.connectors.hubspot.conftest import connector, put_world


def _record(record_id: int, name: str, **extra: str) -> dict[str, object]:
    return {"id": str(record_id), "properties": {"name": name, "domain": f"{name.lower()}.example", **extra}}


def test_a_full_read_lists_live_then_archived_records_and_resumes_between(
    sandbox: SandboxServer, upstream: httpx.Client
) -> None:
    companies = [_record(n, f"Co{n}") for n in range(1, 8)]
    companies[1]["archived"] = True
    companies[4]["archived"] = True
    put_world(upstream, companies=companies)
    hub = connector(sandbox, page_size=2)
    try:
        pages = list(hub.read("companies", ReadRequest(mode="full")))
        seen = [(r["id"], r["archived"]) for page in pages for r in page.records]
        assert seen == [("1", False), ("3", False), ("4", False), ("6", False), ("7", False), ("2", True), ("5", True)]
        assert pages[-1].resume is None and all(page.resume for page in pages[:-1])
        boundary = next(page.resume for page in pages if page.resume == {"phase": "archived"})
        resumed = list(hub.read("companies", ReadRequest(mode="full", resume=boundary)))
        assert [r["id"] for page in resumed for r in page.records] == ["2", "5"]
        assert all(r[MERGED_IDS] == [] for page in pages for r in page.records)
    finally:
        hub.close()


def test_merged_ids_come_with_reads_and_fetches(sandbox: SandboxServer, upstream: httpx.Client) -> None:
    put_world(upstream, companies=[_record(n, f"Co{n}") for n in range(1, 5)])
    token = {"Authorization": f"Bearer {sandbox.credentials['hubspot']['private_app_token']}"}
    for primary, other in (("2", "1"), ("2", "3")):
        merged = upstream.post(
            "/crm/objects/2026-03/companies/merge", json={"primaryObjectId": primary, "objectIdToMerge": other},
            headers=token,
        )  # fmt: skip
        assert merged.status_code == 200
    hub = connector(sandbox)
    try:
        listed = {
            r["id"]: r[MERGED_IDS] for page in hub.read("companies", ReadRequest(mode="full")) for r in page.records
        }
        assert listed == {"2": ["1", "3"], "4": []}
        fetched = {r["id"]: r[MERGED_IDS] for r in hub.fetch("companies", ["2", "1"])}
        assert fetched == {"2": ["1", "3"]}  # the merged-away id is not a record any more
        recent = list(hub.read("companies", ReadRequest(mode="incremental", cursor="2000-01-01T00:00:00+00:00")))
        assert {r["id"]: r[MERGED_IDS] for page in recent for r in page.records}["2"] == ["1", "3"]
    finally:
        hub.close()


def test_a_merge_event_names_the_surviving_record() -> None:
    event = {
        "eventId": 7, "subscriptionId": 1, "portalId": 62515, "appId": 54321, "occurredAt": 1564113600000,
        "subscriptionType": "company.merge", "attemptNumber": 0, "objectId": 11, "primaryObjectId": 11,
        "mergedObjectIds": [12], "newObjectId": 13, "numberOfPropertiesMoved": 2, "changeSource": "CRM",
    }  # fmt: skip
    (parsed,) = webhooks.parse([event])
    assert (parsed.object, parsed.external_id, parsed.action) == ("companies", "13", "upsert")
    (primary,) = webhooks.parse([{**event, "newObjectId": None}])
    assert primary.external_id == "11"
