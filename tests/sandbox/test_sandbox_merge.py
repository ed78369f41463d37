"""HubSpot's merge endpoint in the sandbox: the survivor, the moved id, the listings, the webhook event."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.conftest import Hooks


def _two_contacts(api: httpx.Client) -> tuple[str, str]:
    results = api.get("/crm/v3/objects/contacts", params={"limit": 2}).json()["results"]
    return results[0]["id"], results[1]["id"]


@pytest.mark.usefixtures("restore_world")
@pytest.mark.parametrize("prefix", ["/crm/v3/objects", "/crm/objects/2026-03"])
def test_merge_keeps_the_primary_and_moves_the_merged_id(api: httpx.Client, prefix: str) -> None:
    primary, other = _two_contacts(api)
    deals_before = api.get(f"/crm/v3/objects/contacts/{other}", params={"associations": "companies"}).json()
    response = api.post(f"{prefix}/contacts/merge", json={"primaryObjectId": primary, "objectIdToMerge": other})
    assert response.status_code == 200, response.text
    survivor = response.json()
    assert survivor["id"] == primary and survivor["archived"] is False
    assert survivor["properties"]["hs_merged_object_ids"] == other

    read = api.get(f"{prefix}/contacts/{primary}", params={"properties": "hs_merged_object_ids"}).json()
    assert read["properties"]["hs_merged_object_ids"] == other
    # the merged-away id answers the survivor, under the survivor's id (HubSpot's changelog: "fetching
    # any records using the original IDs will return the new merged record with the new ID")
    moved = api.get(f"{prefix}/contacts/{other}", params={"properties": "email"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["id"] == primary and "email" in moved.json()["properties"]
    batch = api.post(f"{prefix}/contacts/batch/read", json={"inputs": [{"id": other}], "properties": ["email"]})
    assert batch.status_code == 200 and [r["id"] for r in batch.json()["results"]] == [primary]
    assert api.get(f"{prefix}/contacts/{other}", params={"archived": "true"}).status_code == 404

    listed = {r["id"] for r in api.get("/crm/v3/objects/contacts", params={"limit": 100}).json()["results"]}
    archived = api.get("/crm/v3/objects/contacts", params={"limit": 100, "archived": "true"}).json()["results"]
    assert primary in listed and other not in listed and other not in {r["id"] for r in archived}
    companies = {a["id"] for a in deals_before.get("associations", {}).get("companies", {}).get("results", [])}
    after = api.get(f"/crm/v3/objects/contacts/{primary}", params={"associations": "companies"}).json()
    assert companies <= {a["id"] for a in after.get("associations", {}).get("companies", {}).get("results", [])}


@pytest.mark.usefixtures("restore_world")
def test_merge_chains_carry_every_merged_id(api: httpx.Client) -> None:
    ids = [r["id"] for r in api.get("/crm/v3/objects/companies", params={"limit": 3}).json()["results"]]
    api.post("/crm/v3/objects/companies/merge", json={"primaryObjectId": ids[1], "objectIdToMerge": ids[0]})
    survivor = api.post(
        "/crm/v3/objects/companies/merge", json={"primaryObjectId": ids[2], "objectIdToMerge": ids[1]}
    ).json()
    assert survivor["properties"]["hs_merged_object_ids"].split(";") == [ids[1], ids[0]]
    assert api.get(f"/crm/v3/objects/companies/{ids[0]}").json()["id"] == ids[2]


def test_merge_refuses_what_hubspot_refuses(api: httpx.Client) -> None:
    primary, other = _two_contacts(api)
    path = "/crm/v3/objects/contacts/merge"
    missing = api.post(path, json={"primaryObjectId": primary})
    assert missing.status_code == 400 and missing.json()["category"] == "VALIDATION_ERROR"
    assert api.post(path, json={"primaryObjectId": primary, "objectIdToMerge": primary}).status_code == 400
    assert api.post(path, json={"primaryObjectId": "abc", "objectIdToMerge": other}).status_code == 400
    gone = api.post(path, json={"primaryObjectId": primary, "objectIdToMerge": "999999999"})
    assert gone.status_code == 404 and gone.json()["category"] == "OBJECT_NOT_FOUND"
    assert api.get(f"/crm/v3/objects/contacts/{primary}").status_code == 200


def test_merge_sends_a_merge_event(hooks: Hooks) -> None:
    hooks.configure(subscriptions=["contact.merge"])
    results = hooks.api.get("/crm/v3/objects/contacts", params={"limit": 2}).json()["results"]
    primary, other = results[0]["id"], results[1]["id"]
    world = hooks.admin.get("/_sandbox/world").json()
    try:
        merged = hooks.api.post(
            "/crm/v3/objects/contacts/merge", json={"primaryObjectId": primary, "objectIdToMerge": other}
        )
        assert merged.status_code == 200
        hooks.flush()
        (event,) = hooks.receiver.events()
        assert event["subscriptionType"] == "contact.merge"
        assert event["objectId"] == int(primary) == event["primaryObjectId"] == event["newObjectId"]
        assert event["mergedObjectIds"] == [int(other)]
        assert event["changeSource"] == "API" and isinstance(event["numberOfPropertiesMoved"], int)
    finally:
        hooks.admin.put("/_sandbox/world", json=world).raise_for_status()
