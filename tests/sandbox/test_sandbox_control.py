"""The /_sandbox control surface: faults, stats, mutate, world export/replace."""

from __future__ import annotations

import time

import httpx
import pytest

from sandbox.kit.clock import ms_from_iso
from sandbox.world import HubSpotWorld, generate_world

COMPANIES = "/crm/v3/objects/companies"


def test_admin_header_required(base_url: str) -> None:
    response = httpx.get(f"{base_url}/_sandbox/stats")
    assert response.status_code == 401
    assert httpx.get(f"{base_url}/_sandbox/stats", headers={"X-Sandbox-Admin": "wrong"}).status_code == 401


def test_status_fault_matches_prefix_and_method(api: httpx.Client, admin: httpx.Client) -> None:
    fault = {"kind": "status", "status": 503, "times": 2, "path_prefix": COMPANIES, "method": "GET"}
    assert admin.post("/_sandbox/faults", json=fault).status_code == 201
    assert api.get("/crm/v3/objects/deals").status_code == 200
    assert api.post(f"{COMPANIES}/search", json={}).status_code == 200
    first = api.get(COMPANIES)
    assert (
        first.status_code == 503 and first.json()["category"] == "SERVICE_UNAVAILABLE" and first.json()["correlationId"]
    )
    assert api.get(f"{COMPANIES}/123").status_code == 503
    assert api.get(COMPANIES).status_code == 200
    assert admin.get("/_sandbox/faults").json()["results"] == []


def test_slow_fault_delays_and_can_time_out(api: httpx.Client, admin: httpx.Client) -> None:
    admin.delete("/_sandbox/stats").raise_for_status()
    admin.post("/_sandbox/faults", json={"kind": "slow", "delay_s": 0.3, "times": 2}).raise_for_status()
    started = time.monotonic()
    assert api.get(COMPANIES).status_code == 200
    assert time.monotonic() - started >= 0.3
    with pytest.raises(httpx.ReadTimeout):
        api.get(COMPANIES, timeout=0.1)
    # the server still finishes the request the client gave up on; wait for it to be counted, or it
    # lands in the stats of whichever test runs next
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rows = admin.get("/_sandbox/stats").json()["requests"]
        if sum(r["count"] for r in rows if r["path"] == "/crm/v3/objects/{objectType}" and r["method"] == "GET") >= 2:
            break
        time.sleep(0.05)


def test_drop_fault_closes_connection_without_response(api: httpx.Client, admin: httpx.Client) -> None:
    admin.delete("/_sandbox/stats").raise_for_status()
    admin.post("/_sandbox/faults", json={"kind": "drop", "path_prefix": "/crm/v3/objects/deals"}).raise_for_status()
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.get("/crm/v3/objects/deals")
    assert api.get("/crm/v3/objects/deals").status_code == 200
    rows = admin.get("/_sandbox/stats").json()["requests"]
    assert {"method": "GET", "path": "/crm/v3/objects/{objectType}", "status": 0, "count": 1} in rows


def test_rate_limit_fault(api: httpx.Client, admin: httpx.Client) -> None:
    admin.post("/_sandbox/faults", json={"kind": "rate_limit", "retry_after": 2}).raise_for_status()
    limited = api.get(COMPANIES)
    assert limited.status_code == 429 and limited.headers["retry-after"] == "2"
    assert limited.json()["policyName"] == "TEN_SECONDLY_ROLLING"
    assert api.get(COMPANIES).status_code == 200


def test_fault_validation_and_clear(admin: httpx.Client, api: httpx.Client) -> None:
    assert admin.post("/_sandbox/faults", json={"kind": "explode"}).status_code == 400
    assert admin.post("/_sandbox/faults", json={"kind": "status", "times": 0}).status_code == 400
    admin.post("/_sandbox/faults", json={"kind": "status", "status": 500, "times": 5}).raise_for_status()
    assert admin.delete("/_sandbox/faults").status_code == 204
    assert api.get(COMPANIES).status_code == 200


def test_stats_count_per_template_and_status(
    api: httpx.Client, admin: httpx.Client, world: HubSpotWorld, base_url: str
) -> None:
    admin.delete("/_sandbox/stats").raise_for_status()
    api.get(f"{COMPANIES}/{world.companies[0]['id']}")
    api.get(f"{COMPANIES}/{world.companies[1]['id']}")
    api.get(f"{COMPANIES}/1")
    httpx.get(f"{base_url}{COMPANIES}")
    stats = admin.get("/_sandbox/stats").json()
    rows = {(r["method"], r["path"], r["status"]): r["count"] for r in stats["requests"]}
    assert rows == {
        ("GET", "/crm/v3/objects/{objectType}/{objectId}", 200): 2,
        ("GET", "/crm/v3/objects/{objectType}/{objectId}", 404): 1,
        ("GET", "/crm/v3/objects/{objectType}", 401): 1,
    }
    assert stats["total"] == 4 and stats["by_status"] == {"200": 2, "401": 1, "404": 1}


@pytest.mark.usefixtures("restore_world")
def test_mutate_is_deterministic_and_visible_to_incremental_search(
    api: httpx.Client, admin: httpx.Client, world: HubSpotWorld
) -> None:
    newest = max(ms_from_iso(c["updatedAt"]) for c in world.companies)
    first = admin.post("/_sandbox/mutate", json={"object": "companies", "count": 5, "seed": 1}).json()
    assert len(first["updated"]) == 5 and first["ids"] == first["updated"]
    after_first = {
        i: api.get(f"{COMPANIES}/{i}", params={"properties": "name,phone,city"}).json() for i in first["ids"]
    }
    before = {c["id"]: c for c in world.companies}
    for record_id, record in after_first.items():
        old = before[record_id]["properties"]
        assert any(record["properties"][k] != old.get(k) for k in ("name", "phone", "city"))
        assert ms_from_iso(record["updatedAt"]) > newest
        assert record["properties"]["hs_lastmodifieddate"] == record["updatedAt"]
    body = {
        "filterGroups": [
            {"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GT", "value": str(newest)}]}
        ],
        "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
        "limit": 100,
    }
    found = api.post(f"{COMPANIES}/search", json=body).json()
    assert sorted(r["id"] for r in found["results"]) == sorted(first["ids"])
    stamps = [r["updatedAt"] for r in found["results"]]
    assert stamps == sorted(stamps)
    admin.put("/_sandbox/world", json=world.to_fixture()).raise_for_status()
    second = admin.post("/_sandbox/mutate", json={"object": "companies", "count": 5, "seed": 1}).json()
    assert second["ids"] == first["ids"]
    for record_id in second["ids"]:
        again = api.get(f"{COMPANIES}/{record_id}", params={"properties": "name,phone,city"}).json()
        assert again["properties"] | {"hs_lastmodifieddate": ""} == after_first[record_id]["properties"] | {
            "hs_lastmodifieddate": ""
        }


@pytest.mark.usefixtures("restore_world")
def test_mutate_create_and_archive(api: httpx.Client, admin: httpx.Client) -> None:
    deals = admin.post(
        "/_sandbox/mutate", json={"object": "deals", "count": 3, "create": 2, "archive": 2, "seed": 9}
    ).json()
    assert len(deals["updated"]) == 3 and len(deals["created"]) == 2 and len(deals["archived"]) == 2
    for deal_id in deals["created"]:
        created = api.get(f"/crm/v3/objects/deals/{deal_id}", params={"associations": "companies"}).json()
        assert created["associations"]["companies"]["results"][0]["type"] == "deal_to_company"
    for deal_id in deals["archived"]:
        assert api.get(f"/crm/v3/objects/deals/{deal_id}").status_code == 404
    contacts = admin.post("/_sandbox/mutate", json={"object": "contacts", "create": 1}).json()
    assert len(contacts["created"]) == 1
    assert admin.post("/_sandbox/mutate", json={"object": "tickets", "count": 1}).status_code == 400


@pytest.mark.usefixtures("restore_world")
def test_world_replace_and_export(api: httpx.Client, admin: httpx.Client) -> None:
    small = generate_world(seed=99, size=50)
    loaded = admin.put("/_sandbox/world", json=small.to_fixture())
    assert loaded.json() == {"loaded": {"companies": 10, "contacts": 25, "deals": 15}}
    assert [r["id"] for r in api.get(COMPANIES, params={"limit": 100}).json()["results"]] == [
        c["id"] for c in small.companies
    ]
    assert HubSpotWorld.from_json(admin.get("/_sandbox/world").json()).to_json() == small.to_json()
    assert admin.put("/_sandbox/world", json={"hubspot": {"companies": [{"id": "x"}]}}).status_code == 400
