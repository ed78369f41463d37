"""HubSpot connector edge cases that the sandbox cannot easily stage (respx)."""

from __future__ import annotations

import json

import httpx
import respx
from pydantic import SecretStr

from connectors.hubspot import HubSpotConfig, HubSpotConnector
from connectors.hubspot.associations import from_v3, from_v4
from connectors.hubspot.search import SEARCH_RESULT_CAP
from connectors.sdk import ReadRequest, WriteRecord
from tests.policy import SANDBOX_OUTBOUND

BASE = "https://hubspot.test"


def _connector(**extra: object) -> HubSpotConnector:
    config = HubSpotConfig(base_url=BASE, access_token=SecretStr("pat-test"), incremental_lookback_seconds=0, **extra)
    return HubSpotConnector(config, outbound=SANDBOX_OUTBOUND)


def _record(n: int, ms: int) -> dict[str, object]:
    return {"id": str(n), "properties": {"hs_lastmodifieddate": str(ms)}, "associations": {}}


@respx.mock
def test_search_window_moves_past_the_10000_result_cap() -> None:
    bodies: list[dict[str, object]] = []
    world = [_record(n, 1_000_000 + n) for n in range(12_500)]  # one change per millisecond

    def search(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        bodies.append(body)
        since = int(body["filterGroups"][0]["filters"][0]["value"])
        after, limit = int(body["after"]), int(body["limit"])
        if after + limit > SEARCH_RESULT_CAP:
            return httpx.Response(400, json={"status": "error", "category": "VALIDATION_ERROR", "message": "cap"})
        hits = [r for r in world if int(r["properties"]["hs_lastmodifieddate"]) >= since]  # type: ignore[index]
        chunk = hits[after : after + limit]
        paging = {"next": {"after": str(after + limit)}} if after + limit < len(hits) else None
        return httpx.Response(200, json={"total": len(hits), "results": chunk, "paging": paging})

    respx.post(f"{BASE}/crm/objects/2026-03/companies/search").mock(side_effect=search)
    pages = list(_connector().read("companies", ReadRequest(mode="incremental", cursor="1970-01-01T00:16:40.000Z")))
    windows = sorted({int(b["filterGroups"][0]["filters"][0]["value"]) for b in bodies})  # type: ignore[index]
    assert windows[0] == 1_000_000 and len(windows) == 2
    seen = {r["id"] for p in pages for r in p.records}
    assert seen == {r["id"] for r in world}  # nothing lost across the window move
    assert pages[-1].resume is None
    assert bodies[0]["sorts"] == [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}]


def test_associations_normalise_to_one_shape() -> None:
    v3 = {"companies": {"results": [
        {"id": "7", "type": "deal_to_company"}, {"id": "7", "type": "deal_to_company_unlabeled"},
        {"id": "9", "type": "sourcing_partner"}]}}  # fmt: skip
    assert from_v3(v3) == {"companies": [
        {"id": "7", "types": ["deal_to_company", "deal_to_company_unlabeled"]},
        {"id": "9", "types": ["sourcing_partner"]}]}  # fmt: skip
    v4 = [{"from": {"id": "1"}, "to": [
        {"toObjectId": 7, "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 5, "label": "Primary"}]},
        {"toObjectId": 9,
         "associationTypes": [{"category": "USER_DEFINED", "typeId": 101, "label": "Sourcing partner"}]}]}]  # fmt: skip
    assert from_v4(v4) == {"1": [{"id": "7", "types": ["deal_to_company"]}, {"id": "9", "types": ["sourcing_partner"]}]}


@respx.mock
def test_batch_upsert_reports_each_record_and_one_failure_does_not_fail_the_rest() -> None:
    def upsert(request: httpx.Request) -> httpx.Response:
        inputs = json.loads(request.content)["inputs"]
        ok = [i for i in inputs if i["id"].startswith("hub-")]
        bad = [i for i in inputs if not i["id"].startswith("hub-")]
        return httpx.Response(207, json={
            "status": "COMPLETE", "startedAt": "2026-01-01T00:00:00Z", "completedAt": "2026-01-01T00:00:01Z",
            "results": [{"id": str(100 + n), "new": n == 0, "properties": {"partner_hub_id": i["id"]}}
                        for n, i in enumerate(ok)],
            "numErrors": len(bad),
            "errors": [{"status": "error", "category": "VALIDATION_ERROR", "message": f"Invalid value {i['id']}",
                        "context": {"objectWriteTraceId": [i["objectWriteTraceId"]]}, "links": {}, "errors": []}
                       for i in bad],
        })  # fmt: skip

    respx.get(f"{BASE}/crm/properties/2026-03/contacts/partner_hub_id").mock(
        return_value=httpx.Response(200, json={"name": "partner_hub_id", "type": "string", "hasUniqueValue": True})
    )
    route = respx.post(f"{BASE}/crm/objects/2026-03/contacts/batch/upsert").mock(side_effect=upsert)
    records = [WriteRecord(key=k, properties={"firstname": "A"}, hub_id=k) for k in ("hub-a", "broken", "hub-b")]
    results = _connector().write("contacts", records)
    assert [r.ok for r in results] == [True, False, True]
    assert results[0].created is True and results[2].created is False
    assert "Invalid value broken" in (results[1].error or "")
    sent = json.loads(route.calls[0].request.content)["inputs"]
    assert {i["idProperty"] for i in sent} == {"partner_hub_id"}
