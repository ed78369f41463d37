"""The reconciliation report and field drift (hub/identity/report.py, GET /api/v1/reconciliation*),
over state written through the real ledger write path with a simulated merge (tests/hub/api/records_world.py)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from rich.console import Console

from hub.context import Hub
from hub.identity.report import drift, format_report, reconciliation_report
from tests.hub.api.records_world import World, build, merge, open_review


@pytest.fixture
def world(hub: Hub) -> World:
    return build(hub.engine)


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _rows(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["system"], r["entity_type"]): r for r in report["systems"]}


def test_report_counts_records_matches_merges_reviews_and_drift(hub: Hub, world: World) -> None:
    open_review(hub.engine, world.customer, world.ps_customer)
    with hub.reader.connect() as conn:
        report = reconciliation_report(conn)
    rows = _rows(report)
    hs = rows[("hubspot", "organization")]
    assert (hs["records"], hs["deleted"], hs["matched"], hs["merged"], hs["in_review"]) == (2, 1, 1, 1, 1)
    # the Salesforce account is newest: its name, domain and raw type are the golden ones; the same
    # created instant in three formats is no drift, nor are the roles all three agree on
    assert hs["drift"] == {"name": 1, "primary_domain": 1, "roles_raw": 1} and hs["drifted_records"] == 1
    sf = rows[("salesforce", "organization")]
    assert (sf["records"], sf["matched"], sf["merged"], sf["in_review"], sf["drift"]) == (1, 1, 1, 0, {})
    ps = rows[("partnerstack", "organization")]
    assert (ps["records"], ps["matched"], ps["merged"], ps["in_review"]) == (2, 1, 1, 1)
    assert ps["drift"] == {"name": 1, "primary_domain": 1}
    assert rows[("hubspot", "person")] == {
        "system": "hubspot", "entity_type": "person", "records": 1, "deleted": 0, "matched": 0, "merged": 0,
        "in_review": 0, "drifted_records": 0, "differences": 0, "drift": {},
    }  # fmt: skip
    entities = {e["entity_type"]: e for e in report["entities"]}
    assert entities["organization"] == {
        "entity_type": "organization", "golden_records": 3, "merged_clusters": 1, "open_reviews": 1
    }  # fmt: skip
    assert set(entities) == {"organization", "person", "opportunity", "deal_registration", "partner_enrollment",
                             "partner_transaction"}  # fmt: skip
    assert report["totals"] == {
        "records": 11, "deleted": 1, "golden_records": 9, "merged_clusters": 1, "open_reviews": 1,
        "drifted_records": 2, "differences": 5,
    }  # fmt: skip


def test_references_are_compared_as_golden_ids(hub: Hub, world: World) -> None:
    # Both registrations name the partner, each by its own system's record: after the organization
    # merge they name the same cluster, so merging the registrations leaves no partner_org_id drift.
    merge(hub.engine, world.sf_registration, [world.ps_registration], entity_type="deal_registration")
    with hub.reader.connect() as conn:
        total, items = drift(conn, entity_type="deal_registration")
    # the raw status differs ("Registered", "Submitted"), the canonical one does not; the PRM decides a
    # registration's status (the default survivorship policy), so Salesforce's raw status drifts
    assert {(i["system"], i["field"]) for i in items} == {("partnerstack", "name"), ("salesforce", "status_raw")}
    assert total == 2
    item = next(i for i in items if i["field"] == "name")
    assert (item["source_value"], item["golden_value"]) == ("Orbit Foods rollout", "Orbit Foods")
    assert item["golden_id"] == world.sf_registration and item["record_id"] == world.ps_registration
    assert item["golden_source"]["system"] == "salesforce" and item["golden_source"]["external_id"] == "00Q1"


def test_drift_endpoint_filters_and_pages(client: TestClient, world: World) -> None:
    everything = _ok(client.get("/api/v1/reconciliation/drift"))
    assert everything["total"] == 5 and len(everything["items"]) == 5
    first = everything["items"][0]
    assert first["golden_id"] == world.partner and first["entity_type"] == "organization"
    assert {"system", "instance", "object", "external_id", "field", "source_value", "golden_value"} <= set(first)
    assert first["golden_source"]["system"] == "salesforce" and first["golden_source"]["rule"] == "source_priority"
    names = _ok(client.get("/api/v1/reconciliation/drift", params={"field": "name"}))
    assert names["total"] == 2
    assert {(i["system"], i["external_id"], i["source_value"]) for i in names["items"]} == {
        ("hubspot", "512", "Acme Cloud Partners"), ("partnerstack", "part_1", "Nimbus Referrals")
    }  # fmt: skip
    assert all(i["golden_value"] == "Zenith Reseller Group" for i in names["items"])
    hubspot = _ok(client.get("/api/v1/reconciliation/drift", params={"system": "hubspot", "entity": "organization"}))
    assert hubspot["total"] == 3 and {i["system"] for i in hubspot["items"]} == {"hubspot"}
    assert _ok(client.get("/api/v1/reconciliation/drift", params={"entity": "person"}))["total"] == 0
    page = _ok(client.get("/api/v1/reconciliation/drift", params={"limit": 2, "offset": 3}))
    assert page["total"] == 5 and page["items"] == everything["items"][3:5]


def test_report_endpoint_and_terminal_rendering(client: TestClient, world: World) -> None:
    report = _ok(client.get("/api/v1/reconciliation"))
    assert report["totals"]["merged_clusters"] == 1 and report["generated_at"]
    assert _rows(report)[("partnerstack", "organization")]["matched"] == 1
    console = Console(width=160, record=True)
    console.print(format_report(report))
    text = console.export_text()
    assert "partnerstack" in text and "name 1" in text and "organization" in text


def test_an_empty_hub_reports_nothing(client: TestClient) -> None:
    report = _ok(client.get("/api/v1/reconciliation"))
    assert report["systems"] == [] and report["entities"] == [] and report["totals"]["records"] == 0
    assert _ok(client.get("/api/v1/reconciliation/drift"))["total"] == 0


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"entity": "planet"}, "validation_error"),
        ({"field": "nosuch"}, "validation_error"),
        ({"field": "Bad Field"}, "validation_error"),
        ({"system": "\x00"}, "validation_error"),
        ({"limit": 0}, "validation_error"),
        ({"offset": -1}, "validation_error"),
    ],
)
def test_bad_drift_parameters_are_422(client: TestClient, params: dict[str, Any], code: str) -> None:
    response = client.get("/api/v1/reconciliation/drift", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code


def test_a_field_of_another_entity_has_no_drift(client: TestClient) -> None:
    page = _ok(client.get("/api/v1/reconciliation/drift", params={"entity": "person", "field": "primary_domain"}))
    assert page["total"] == 0 and page["items"] == []


def test_openapi_declares_the_report_models(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    for path, model in (("/api/v1/reconciliation", "ReconciliationReport"), ("/api/v1/reconciliation/drift",
                                                                              "DriftPage")):  # fmt: skip
        responses = doc["paths"][path]["get"]["responses"]
        assert responses["200"]["content"]["application/json"]["schema"]["$ref"].endswith(f"/{model}")
    assert doc["paths"]["/api/v1/reconciliation/drift"]["get"]["responses"]["422"]["content"]
    assert "drift" in doc["components"]["schemas"]["SystemReconciliation"]["properties"]
