"""CRM v3 object endpoints over plain HTTP: parameters, status codes, shapes, batch semantics."""

from __future__ import annotations

import httpx
import pytest

from sandbox.world import HubSpotWorld

STANDARD_ERROR_KEYS = {"status", "category", "message", "context", "links", "errors"}


def test_list_params_repeated_or_csv_and_booleans_any_case(api: httpx.Client) -> None:
    repeated = api.get("/crm/v3/objects/companies?limit=3&properties=name&properties=city&archived=False")
    csv = api.get("/crm/v3/objects/companies", params={"limit": 3, "properties": "name,city", "archived": "FALSE"})
    assert repeated.status_code == csv.status_code == 200
    assert repeated.json()["results"] == csv.json()["results"]
    assert set(repeated.json()["results"][0]["properties"]) == {
        "name",
        "city",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    }
    assert repeated.headers["x-hubspot-correlation-id"]


def test_list_defaults_and_limits(api: httpx.Client) -> None:
    body = api.get("/crm/v3/objects/deals").json()
    assert len(body["results"]) == 10
    assert set(body["results"][0]["properties"]) == {
        "amount",
        "closedate",
        "createdate",
        "dealname",
        "dealstage",
        "hs_lastmodifieddate",
        "hs_object_id",
        "pipeline",
    }
    assert body["paging"]["next"]["link"].startswith("http")
    too_big = api.get("/crm/v3/objects/deals?limit=101")
    assert too_big.status_code == 400 and too_big.json()["category"] == "VALIDATION_ERROR"
    assert api.get("/crm/v3/objects/deals?after=%%%garbage").status_code == 400
    assert api.get("/crm/v3/objects/widgets").status_code == 400
    history = api.get("/crm/v3/objects/deals?limit=2&propertiesWithHistory=dealstage").json()["results"][0]
    assert history["propertiesWithHistory"]["dealstage"][0]["value"] == history["properties"]["dealstage"]
    assert api.get("/crm/v3/objects/deals?limit=51&propertiesWithHistory=dealstage").status_code == 400


def test_list_pages_to_the_end_without_paging_on_last_page(api: httpx.Client, world: HubSpotWorld) -> None:
    ids: list[str] = []
    after = None
    while True:
        params: dict[str, str | int] = {"limit": 100, "associations": "companies"}
        if after:
            params["after"] = after
        body = api.get("/crm/v3/objects/contacts", params=params).json()
        ids += [r["id"] for r in body["results"]]
        assert all(r["associations"]["companies"]["results"] for r in body["results"])
        if "paging" not in body:
            break
        after = body["paging"]["next"]["after"]
    assert ids == [c["id"] for c in world.contacts]


def test_read_by_id_and_id_property(api: httpx.Client, world: HubSpotWorld) -> None:
    company = next(c for c in world.companies if c["properties"].get("domain", "").islower())
    by_id = api.get(f"/crm/v3/objects/companies/{company['id']}", params={"properties": "name,duns"}).json()
    assert by_id["properties"]["name"] == company["properties"]["name"]
    assert "duns" in by_id["properties"]  # null when unset, as HubSpot does
    # a company's domain is not unique in HubSpot (domains may repeat): no idProperty
    by_domain = api.get(f"/crm/v3/objects/companies/{company['properties']['domain']}", params={"idProperty": "domain"})
    assert by_domain.status_code == 400 and by_domain.json()["category"] == "VALIDATION_ERROR"
    missing = api.get("/crm/v3/objects/companies/1")
    body = missing.json()
    assert missing.status_code == 404 and body["category"] == "OBJECT_NOT_FOUND"
    assert body["correlationId"] == missing.headers["x-hubspot-correlation-id"]
    assert api.get("/crm/v3/objects/contacts/x?idProperty=name").status_code == 400


@pytest.mark.usefixtures("restore_world")
def test_create_update_archive_cycle(api: httpx.Client, world: HubSpotWorld) -> None:
    company_id = world.companies[0]["id"]
    association = {
        "to": {"id": company_id},
        "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}],
    }
    created = api.post(
        "/crm/v3/objects/contacts",
        json={"properties": {"email": "new@x.io", "firstname": "N"}, "associations": [association]},
    )
    assert created.status_code == 201
    record = created.json()
    assert record["properties"]["email"] == "new@x.io" and record["createdAt"] == record["updatedAt"]
    assert record["updatedAt"] > max(c["updatedAt"] for c in world.contacts)
    read = api.get(f"/crm/v3/objects/contacts/{record['id']}?associations=companies").json()
    assert read["associations"]["companies"]["results"][0] == {"id": company_id, "type": "contact_to_company"}
    patched = api.patch(f"/crm/v3/objects/contacts/{record['id']}", json={"properties": {"lastname": "Later"}})
    assert patched.status_code == 200 and patched.json()["properties"]["lastname"] == "Later"
    assert patched.json()["updatedAt"] >= record["updatedAt"]
    assert api.delete(f"/crm/v3/objects/contacts/{record['id']}").status_code == 204
    assert api.get(f"/crm/v3/objects/contacts/{record['id']}").status_code == 404
    archived = api.get(f"/crm/v3/objects/contacts/{record['id']}?archived=true").json()
    assert archived["archived"] is True and archived["archivedAt"]
    listed = api.get("/crm/v3/objects/contacts?archived=true").json()["results"]
    assert [r["id"] for r in listed] == [record["id"]]


def test_write_validation_errors(api: httpx.Client) -> None:
    unknown = api.post("/crm/v3/objects/companies", json={"properties": {"name": "X", "colour": "red"}})
    assert unknown.status_code == 400
    assert unknown.json()["category"] == "VALIDATION_ERROR" and "PROPERTY_DOESNT_EXIST" in unknown.json()["message"]
    bad = api.post(
        "/crm/v3/objects/deals",
        json={"properties": {"amount": "n/a", "dealstage": "won", "closedate": "soon"}},
    )
    message = bad.json()["message"]
    assert bad.status_code == 400 and all(
        code in message for code in ("INVALID_DECIMAL", "INVALID_OPTION", "INVALID_DATE")
    )
    email = api.post("/crm/v3/objects/contacts", json={"properties": {"email": "not-an-email"}})
    assert email.status_code == 400 and "INVALID_EMAIL" in email.json()["message"]


@pytest.mark.usefixtures("restore_world")
def test_batch_create_update_archive(api: httpx.Client, world: HubSpotWorld) -> None:
    created = api.post(
        "/crm/v3/objects/contacts/batch/create",
        json={
            "inputs": [
                {"properties": {"email": "a@b.io"}},
                {"properties": {"email": "nope"}, "objectWriteTraceId": "t2"},
            ]
        },
    )
    assert created.status_code == 207
    body = created.json()
    assert body["status"] == "COMPLETE" and body["numErrors"] == 1 and len(body["results"]) == 1
    assert set(body["errors"][0]) >= STANDARD_ERROR_KEYS and body["errors"][0]["id"] == "t2"
    assert {"requestedAt", "startedAt", "completedAt"} <= set(body)
    ok = api.post("/crm/v3/objects/contacts/batch/create", json={"inputs": [{"properties": {"email": "c@d.io"}}]})
    assert ok.status_code == 201
    deal_id = world.deals[0]["id"]
    updated = api.post(
        "/crm/v3/objects/deals/batch/update",
        json={
            "inputs": [
                {"id": deal_id, "properties": {"dealstage": "closedwon"}},
                {"id": "77", "properties": {}},
            ]
        },
    )
    assert updated.status_code == 207
    assert updated.json()["results"][0]["properties"]["dealstage"] == "closedwon"
    assert updated.json()["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert updated.json()["errors"][0]["context"] == {"ids": ["77"]}
    archived = api.post("/crm/v3/objects/deals/batch/archive", json={"inputs": [{"id": deal_id}, {"id": "77"}]})
    assert archived.status_code == 204
    assert api.get(f"/crm/v3/objects/deals/{deal_id}").status_code == 404


def test_batch_read_by_id_property_and_limits(api: httpx.Client, world: HubSpotWorld) -> None:
    email = next(c["properties"]["email"] for c in world.contacts if c["properties"].get("email", "").islower())
    read = api.post(
        "/crm/v3/objects/contacts/batch/read",
        json={"idProperty": "email", "inputs": [{"id": email}], "properties": ["email"]},
    )
    assert read.status_code == 200 and read.json()["results"][0]["properties"]["email"] == email
    too_many = api.post("/crm/v3/objects/contacts/batch/read", json={"inputs": [{"id": str(i)} for i in range(101)]})
    assert too_many.status_code == 400 and too_many.json()["category"] == "VALIDATION_ERROR"
    dupes = api.post("/crm/v3/objects/contacts/batch/update", json={"inputs": [{"id": "1", "properties": {}}] * 2})
    assert dupes.status_code == 400
