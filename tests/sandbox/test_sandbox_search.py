"""CRM search semantics, checked against the world data; and v4 associations."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sandbox.kit.clock import ms_from_iso
from sandbox.world import HubSpotWorld

SEARCH = "/crm/v3/objects/{}/search"


def search_all(api: httpx.Client, object_type: str, body: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    results: list[dict[str, Any]] = []
    after: str | None = None
    total = -1
    while True:
        page = api.post(SEARCH.format(object_type), json={**body, "limit": 200, **({"after": after} if after else {})})
        assert page.status_code == 200, page.text
        data = page.json()
        total = data["total"]
        results += data["results"]
        if "paging" not in data:
            return total, results
        after = data["paging"]["next"]["after"]


def f(prop: str, op: str, value: Any = None, **extra: Any) -> dict[str, Any]:
    out = {"propertyName": prop, "operator": op, **extra}
    if value is not None:
        out["value"] = value
    return out


def ids_where(world: HubSpotWorld, object_type: str, pred: Any) -> list[str]:
    return [r["id"] for r in world.objects(object_type) if pred(r["properties"])]


def test_operators_match_ground_truth(api: httpx.Client, world: HubSpotWorld) -> None:
    def amount(p: dict[str, str]) -> float | None:
        try:
            return float(p["amount"])
        except (KeyError, ValueError):
            return None

    cases = [
        ([f("dealstage", "EQ", "closedwon")], lambda p: p["dealstage"] == "closedwon"),
        ([f("dealstage", "NEQ", "closedwon")], lambda p: p["dealstage"] != "closedwon"),
        (
            [f("dealstage", "IN", values=["closedwon", "closedlost"])],
            lambda p: p["dealstage"].startswith("closed"),
        ),
        ([f("deal_currency_code", "NOT_IN", values=["USD"])], lambda p: p["deal_currency_code"] != "USD"),
        ([f("amount", "GT", "50000")], lambda p: (amount(p) or 0) > 50000),
        ([f("amount", "BETWEEN", "10000", highValue="20000")], lambda p: 10000 <= (amount(p) or -1) <= 20000),
        (
            [f("amount", "LT", "5000"), f("dealstage", "EQ", "closedwon")],
            lambda p: (amount(p) or 1e9) < 5000 and p["dealstage"] == "closedwon",
        ),
    ]
    for filters, pred in cases:
        total, results = search_all(api, "deals", {"filterGroups": [{"filters": filters}]})
        assert sorted(r["id"] for r in results) == sorted(ids_where(world, "deals", pred)), filters
        assert total == len(results)


def test_or_groups_has_property_and_tokens(api: httpx.Client, world: HubSpotWorld) -> None:
    groups = [
        {"filters": [f("partner_tier", "EQ", "Gold")]},
        {"filters": [f("partner_tier", "EQ", "platinum")]},
    ]
    _, results = search_all(api, "companies", {"filterGroups": groups})
    expected = ids_where(world, "companies", lambda p: p.get("partner_tier") in ("Gold", "Platinum"))
    assert sorted(r["id"] for r in results) == sorted(expected) and expected
    _, missing = search_all(api, "companies", {"filterGroups": [{"filters": [f("duns", "NOT_HAS_PROPERTY")]}]})
    assert len(missing) == len(ids_where(world, "companies", lambda p: "duns" not in p))
    _, has = search_all(api, "companies", {"filterGroups": [{"filters": [f("duns", "HAS_PROPERTY")]}]})
    assert len(has) + len(missing) == len(world.companies)
    word = world.companies[0]["properties"]["name"].split()[0]
    _, tokens = search_all(
        api, "companies", {"filterGroups": [{"filters": [f("name", "CONTAINS_TOKEN", word.lower())]}]}
    )
    assert world.companies[0]["id"] in {r["id"] for r in tokens}
    _, by_query = search_all(api, "companies", {"query": word})
    assert world.companies[0]["id"] in {r["id"] for r in by_query}


def test_sorts_string_and_object_form(api: httpx.Client) -> None:
    as_object = api.post(
        SEARCH.format("deals"),
        json={
            "sorts": [{"propertyName": "amount", "direction": "DESCENDING"}],
            "properties": ["amount"],
            "limit": 20,
        },
    )
    values = [float(r["properties"]["amount"]) for r in as_object.json()["results"]]
    assert values == sorted(values, reverse=True)
    as_string = api.post(SEARCH.format("deals"), json={"sorts": ["createdate"], "limit": 20}).json()["results"]
    created = [r["properties"]["createdate"] for r in as_string]
    assert created == sorted(created)


def test_date_filter_values_epoch_ms_or_iso(api: httpx.Client, world: HubSpotWorld) -> None:
    iso = "2025-06-01T00:00:00.000Z"
    body = {"sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}]}
    as_ms = search_all(
        api,
        "contacts",
        {**body, "filterGroups": [{"filters": [f("lastmodifieddate", "GTE", str(ms_from_iso(iso)))]}]},
    )
    as_iso = search_all(api, "contacts", {**body, "filterGroups": [{"filters": [f("lastmodifieddate", "GTE", iso)]}]})
    assert as_ms == as_iso
    expected = sorted((c["updatedAt"], int(c["id"])) for c in world.contacts if c["updatedAt"] >= iso)
    assert [int(r["id"]) for r in as_ms[1]] == [i for _, i in expected]
    gt_last = search_all(
        api,
        "contacts",
        {
            **body,
            "filterGroups": [{"filters": [f("lastmodifieddate", "GT", str(ms_from_iso(expected[-1][0])))]}],
        },
    )
    assert gt_last == (0, [])


def test_search_validation(api: httpx.Client) -> None:
    assert api.post(SEARCH.format("deals"), json={"limit": 201}).status_code == 400
    assert (
        api.post(SEARCH.format("deals"), json={"filterGroups": [{"filters": [f("nope", "EQ", "x")]}]}).status_code
        == 400
    )
    assert (
        api.post(SEARCH.format("deals"), json={"filterGroups": [{"filters": [f("amount", "LIKE", "x")]}]}).status_code
        == 400
    )
    bad_date = api.post(
        SEARCH.format("deals"), json={"filterGroups": [{"filters": [f("closedate", "GT", "yesterday")]}]}
    )
    assert bad_date.status_code == 400 and bad_date.json()["category"] == "VALIDATION_ERROR"
    default = api.post(SEARCH.format("contacts"), json={}).json()
    assert default["total"] == 500 and set(default["results"][0]["properties"]) == {
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    }


def test_v4_list_labels_and_default_associate(api: httpx.Client, world: HubSpotWorld, restore_world: None) -> None:
    row = next(r for r in world.associations if any(t["typeId"] == 102 for t in r["types"]))
    listed = api.get(f"/crm/v4/objects/deals/{row['fromId']}/associations/companies").json()["results"]
    partner = next(x for x in listed if str(x["toObjectId"]) == row["toId"])
    assert {"category": "USER_DEFINED", "typeId": 102, "label": "Influencing partner"} in partner["associationTypes"]
    back = api.get(f"/crm/v4/objects/companies/{row['toId']}/associations/deals").json()["results"]
    inverse = next(x for x in back if str(x["toObjectId"]) == row["fromId"])
    assert {t["typeId"] for t in inverse["associationTypes"]} == {104, 342}
    labels = api.get("/crm/v4/associations/deals/companies/labels").json()["results"]
    assert {(x["typeId"], x["label"]) for x in labels} >= {
        (101, "Sourcing partner"),
        (102, "Influencing partner"),
        (5, "Primary"),
    }
    contact_id, deal_id = world.contacts[0]["id"], world.deals[-1]["id"]
    made = api.put(f"/crm/v4/objects/contacts/{contact_id}/associations/default/deals/{deal_id}")
    assert made.status_code == 200 and made.json()["results"][0]["associationSpec"]["associationTypeId"] == 4
    again = api.get(f"/crm/v4/objects/deals/{deal_id}/associations/contacts").json()["results"]
    assert int(contact_id) in {x["toObjectId"] for x in again}
    assert api.put(f"/crm/v4/objects/contacts/1/associations/default/deals/{deal_id}").status_code == 404


@pytest.mark.usefixtures("restore_world")
def test_v4_labelled_associate_and_delete(api: httpx.Client, world: HubSpotWorld) -> None:
    deal_id = world.deals[0]["id"]
    partner_id = next(c["id"] for c in world.companies if "partner_tier" in c["properties"])
    spec = [{"associationCategory": "USER_DEFINED", "associationTypeId": 101}]
    made = api.put(f"/crm/v4/objects/deals/{deal_id}/associations/companies/{partner_id}", json=spec)
    assert made.status_code == 201 and "Sourcing partner" in made.json()["labels"]
    assert made.json()["fromObjectTypeId"] == "0-3" and made.json()["toObjectTypeId"] == "0-2"
    assert api.delete(f"/crm/v4/objects/deals/{deal_id}/associations/companies/{partner_id}").status_code == 204
    listed = api.get(f"/crm/v4/objects/deals/{deal_id}/associations/companies").json()["results"]
    assert int(partner_id) not in {x["toObjectId"] for x in listed}
