"""The records API: one registry row per canonical entity makes its list, detail and history
endpoints, typed by the canonical model; merged-away record ids answer their cluster; references
come out as golden ids. State is written through the real ledger write path (tests/hub/api/records_world.py)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from hub.api.routes.records import REGISTRY
from hub.canonical import CANONICAL_MODELS
from hub.context import Hub
from tests.hub.api.records_world import World, build, merge

PATHS = {route.entity.value: route.path for route in REGISTRY}


@pytest.fixture
def world(hub: Hub) -> World:
    return build(hub.engine)


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]


def test_every_canonical_entity_has_a_registry_row() -> None:
    assert {route.entity for route in REGISTRY} == set(CANONICAL_MODELS)
    assert len({route.path for route in REGISTRY}) == len(REGISTRY)


def test_every_entity_lists_details_and_histories(client: TestClient, world: World) -> None:
    for entity, path in PATHS.items():
        page = _ok(client.get(f"/api/v1/{path}"))
        assert page["total"] >= 1 and page["items"], entity
        item = page["items"][0]
        assert item["entity_type"] == entity and item["systems"] and item["source_count"] >= 1
        assert item["fields"] and set(item["fields"]) <= CANONICAL_MODELS[entity].field_names()
        assert None not in item["fields"].values()  # a field without a value is absent, as stored
        detail = _ok(client.get(f"/api/v1/{path}/{item['id']}"))
        assert detail["golden_id"] == detail["id"] == detail["requested_id"] == item["id"]
        assert detail["merged"] is False
        assert detail["sources"] and detail["provenance"] and detail["history"]
        for field, origin in detail["provenance"].items():
            assert detail["fields"][field] is not None
            assert origin["external_id"] in {s["external_id"] for s in detail["sources"]}
        history = _ok(client.get(f"/api/v1/{path}/{item['id']}/history"))
        assert history["total"] >= 1 and history["items"][0]["kind"] in ("record", "decision")
        assert history["members"] and history["golden_id"] == item["id"]


def test_a_merged_away_record_id_answers_its_cluster(client: TestClient, world: World) -> None:
    direct = _ok(client.get(f"/api/v1/organizations/{world.partner}"))
    for merged_away in (world.hs_partner, world.ps_partner):
        detail = _ok(client.get(f"/api/v1/organizations/{merged_away}"))
        assert (detail["golden_id"], detail["requested_id"], detail["merged"]) == (world.partner, merged_away, True)
        assert detail["id"] == world.partner and detail["fields"] == direct["fields"]
        history = _ok(client.get(f"/api/v1/organizations/{merged_away}/history"))
        assert history["merged"] is True and history["golden_id"] == world.partner
    assert direct["source_count"] == 3 and direct["systems"] == ["hubspot", "partnerstack", "salesforce"]
    sources = {s["system"]: s for s in direct["sources"]}
    assert {s["record_id"] for s in sources.values()} == {world.partner, world.hs_partner, world.ps_partner}
    hs = sources["hubspot"]
    assert (hs["instance"], hs["object"], hs["external_id"], hs["deleted"]) == ("hs", "companies", "512", False)
    assert hs["fields"]["name"] == "Acme Cloud Partners" and hs["first_seen_at"] and hs["last_entry_id"]
    # the newest source (Salesforce) wins "latest" fields; HubSpot alone holds the city
    assert direct["fields"]["name"] == "Zenith Reseller Group"
    assert direct["provenance"]["name"]["system"] == "salesforce"
    assert direct["provenance"]["city"]["external_id"] == "512"


def test_references_are_golden_ids_everywhere(client: TestClient, world: World) -> None:
    person = _ok(client.get(f"/api/v1/people/{world.person}"))
    assert person["fields"]["organization_id"] == world.partner  # stored: HubSpot company 512's record id
    assert person["sources"][0]["fields"]["organization_id"] == world.partner
    changes = next(h["changes"] for h in person["history"] if h["kind"] == "record")
    assert changes["organization_id"] == [None, world.partner]
    deal = _ok(client.get(f"/api/v1/opportunities/{world.opportunity}"))
    assert deal["fields"]["partner_roles"][0]["partner_org_id"] == world.partner
    assert deal["fields"]["partner_roles"][0]["role"] == "sourced"
    assert deal["fields"]["customer_org_id"] == world.customer and deal["fields"]["contact_ids"] == [world.person]
    listed = _ok(client.get("/api/v1/opportunities"))["items"][0]
    assert listed["fields"]["partner_roles"][0]["partner_org_id"] == world.partner
    registration = _ok(client.get(f"/api/v1/deal-registrations/{world.ps_registration}"))
    assert registration["fields"]["partner_org_id"] == world.partner  # stored: the partnership's record id
    transaction = _ok(client.get(f"/api/v1/partner-transactions/{world.transaction}"))
    assert transaction["fields"]["partner_org_id"] == world.partner
    assert transaction["fields"]["customer_org_id"] == world.ps_customer
    enrollment = _ok(client.get(f"/api/v1/partner-enrollments/{world.enrollment}"))
    assert enrollment["fields"]["partner_org_id"] == world.partner and enrollment["fields"]["tier_rank"] == 3


def test_history_has_member_entries_and_the_merge_decision(client: TestClient, world: World) -> None:
    history = _ok(client.get(f"/api/v1/organizations/{world.partner}/history"))
    assert set(history["members"]) == {world.partner, world.hs_partner, world.ps_partner}
    kinds = [(h["kind"], h["system"]) for h in history["items"]]
    assert kinds[0] == ("decision", "hub")  # newest first
    assert {("record", "hubspot"), ("record", "salesforce"), ("record", "partnerstack")} <= set(kinds)
    decision = history["items"][0]
    assert decision["entry_id"] == world.merge_entry and decision["decision"]["rule"] == "test"
    assert [world.hs_partner, world.hs_partner, world.partner] in decision["changes"]["moves"]
    assert _ok(client.get(f"/api/v1/organizations/{world.partner}/history?kind=decision"))["total"] == 1
    records = _ok(client.get(f"/api/v1/organizations/{world.partner}/history?kind=record"))
    assert records["total"] == history["total"] - 1
    page = _ok(client.get(f"/api/v1/organizations/{world.partner}/history?limit=1&offset=1"))
    assert page["total"] == history["total"] and page["items"] == history["items"][1:2]
    # an unrelated cluster does not see the decision
    other = _ok(client.get(f"/api/v1/organizations/{world.customer}/history"))
    assert all(h["kind"] == "record" for h in other["items"])


def test_a_decision_moving_a_record_out_shows_on_both_clusters(client: TestClient, hub: Hub, world: World) -> None:
    entry = merge(hub.engine, world.ps_partner, [world.ps_partner], whole=False)  # part_1 out again
    for cluster in (world.partner, world.ps_partner):
        decisions = _ok(client.get(f"/api/v1/organizations/{cluster}/history?kind=decision"))["items"]
        assert entry in [d["entry_id"] for d in decisions]
    alone = _ok(client.get(f"/api/v1/organizations/{world.ps_partner}"))
    assert alone["merged"] is False and alone["source_count"] == 1 and alone["fields"]["name"] == "Nimbus Referrals"
    assert _ok(client.get(f"/api/v1/organizations/{world.partner}"))["source_count"] == 2
    registration = _ok(client.get(f"/api/v1/deal-registrations/{world.ps_registration}"))
    assert registration["fields"]["partner_org_id"] == world.ps_partner


def test_list_filters(client: TestClient, world: World) -> None:
    def ids(path: str, **params: Any) -> set[str]:
        body = _ok(client.get(f"/api/v1/{path}", params=params))
        assert body["total"] == len(body["items"])
        return {item["id"] for item in body["items"]}

    assert ids("organizations") == {world.partner, world.customer, world.ps_customer}  # 900 is archived
    assert ids("organizations", role="partner") == {world.partner}
    assert ids("organizations", source_system="partnerstack") == {world.partner, world.ps_customer}
    assert ids("organizations", source_instance="hs", role="customer") == {world.customer}
    assert ids("organizations", q="zenith") == {world.partner}
    assert ids("people", organization_id=world.hs_partner) == {world.person}  # a record id of the cluster
    assert ids("people", organization_id=world.partner) == {world.person}
    assert ids("people", organization_id=world.customer) == set()
    assert ids("opportunities", stage_category="won") == {world.opportunity}
    assert ids("opportunities", stage_category="open") == set()
    assert ids("deal-registrations", partner_org_id=world.partner) == {world.sf_registration, world.ps_registration}
    assert ids("deal-registrations", status="submitted", source_system="salesforce") == {world.sf_registration}
    assert ids("partner-enrollments", program="Global Partner Program") == {world.enrollment}
    assert ids("partner-transactions", kind="reward") == set()
    assert ids("partner-transactions", customer_org_id=world.ps_customer) == {world.transaction}
    page = _ok(client.get("/api/v1/organizations", params={"limit": 1, "offset": 1}))
    assert page["total"] == 3 and len(page["items"]) == 1 and (page["limit"], page["offset"]) == (1, 1)


@pytest.mark.parametrize("path", sorted(PATHS.values()))
def test_unknown_ids_are_404_with_the_error_body(client: TestClient, world: World, path: str) -> None:
    assert "no " in _error(client.get(f"/api/v1/{path}/does-not-exist"), 404, "not_found")["message"]
    _error(client.get(f"/api/v1/{path}/does-not-exist/history"), 404, "not_found")


def test_an_id_of_another_entity_or_a_deleted_record_is_404(client: TestClient, world: World) -> None:
    _error(client.get(f"/api/v1/people/{world.partner}"), 404, "not_found")
    _error(client.get(f"/api/v1/organizations/{world.person}/history"), 404, "not_found")
    _error(client.get(f"/api/v1/organizations/{world.deleted}"), 404, "not_found")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/people?limit=0",
        "/api/v1/deal-registrations?limit=501",
        "/api/v1/partner-enrollments?offset=-1",
        "/api/v1/partner-transactions?offset=1000000001",
        "/api/v1/organizations?role=overlord",
        "/api/v1/opportunities?stage_category=maybe",
        "/api/v1/deal-registrations?status=pending",
        "/api/v1/partner-transactions?kind=gift",
        "/api/v1/people?organization_id=not%20an%20id",
        "/api/v1/organizations?source_system=%00",
        "/api/v1/organizations?q=a%00b",
        "/api/v1/organizations/" + "x" * 65,
        "/api/v1/people/bad%20id/history",
        "/api/v1/opportunities/abc/history?limit=0",
        "/api/v1/opportunities/abc/history?kind=other",
    ],
)
def test_bad_parameters_are_422(client: TestClient, url: str) -> None:
    _error(client.get(url), 422, "validation_error")


def test_openapi_declares_typed_models_and_errors(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    for entity, path in PATHS.items():
        name = CANONICAL_MODELS[entity].__name__
        for url, suffix in ((f"/api/v1/{path}", "Page"), (f"/api/v1/{path}/{{record_id}}", "Detail"),
                            (f"/api/v1/{path}/{{record_id}}/history", "History")):  # fmt: skip
            responses = doc["paths"][url]["get"]["responses"]
            assert responses["200"]["content"]["application/json"]["schema"]["$ref"].endswith(f"/{name}{suffix}")
            assert responses["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
            if suffix != "Page":
                assert responses["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
        fields = schemas[f"{name}Fields"]["properties"]
        assert set(fields) == CANONICAL_MODELS[entity].field_names()
        detail = schemas[f"{name}Detail"]["properties"]
        assert {"golden_id", "requested_id", "merged", "provenance", "sources", "history"} <= set(detail)
    roles = schemas["OpportunityFields"]["properties"]["partner_roles"]["anyOf"][0]["items"]["$ref"]
    assert roles.endswith("/OpportunityPartnerRoleFields")
    assert schemas["OrganizationFields"]["properties"]["created_at"]["anyOf"][0]["format"] == "date-time"
