"""The HubSpot write path against the sandbox, which refuses what HubSpot refuses (upsert by
``hs_object_id``, ``domain`` or any property without unique values).

Records the hub knows are updated by record id, new ones upserted by the unique hub-id property (created
through the properties API when the portal lacks it, once per connector instance), and the connector
never names ``hs_object_id`` or ``domain`` as an ``idProperty``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from connectors.hubspot import HubSpotConnector
from connectors.sdk import WriteRecord
from sandbox.server import SandboxServer

from .conftest import connector, requests_to

HUB_A = "0f8fad5b-d9cb-469f-a165-70867728950e"
HUB_B = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
HUB_C = "16fd2706-8baf-433b-82eb-8c7fada847da"


class Sent:
    """Every JSON body the connector sent, by path."""

    def __init__(self, hs: HubSpotConnector) -> None:
        self.bodies: list[tuple[str, str, Any]] = []
        assert hs.client is not None
        hooks = hs.client.event_hooks
        hooks["request"] = [*hooks.get("request", []), self._record]
        hs.client.event_hooks = hooks

    def _record(self, request: httpx.Request) -> None:
        if request.headers.get("content-type", "").startswith("application/json"):
            self.bodies.append((request.method, request.url.path, json.loads(request.content)))
        elif "/oauth/" not in request.url.path:
            self.bodies.append((request.method, request.url.path, None))

    def id_properties(self) -> set[str]:
        return {
            str(i["idProperty"])
            for _, path, body in self.bodies
            if path.endswith(("/batch/upsert", "/batch/update"))
            for i in body["inputs"]
            if "idProperty" in i
        }

    def paths(self, fragment: str) -> list[str]:
        return [f"{method} {path}" for method, path, _ in self.bodies if fragment in path]


@pytest.fixture
def hs(sandbox: SandboxServer, hubspot: httpx.Client) -> Iterator[HubSpotConnector]:
    conn = connector(sandbox)
    yield conn
    conn.close()


def _companies(admin: httpx.Client, count: int) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = admin.get("/_sandbox/world").json()["hubspot"]["companies"]
    return [c for c in records if not c.get("archived")][:count]


def _read(hs: HubSpotConnector, record_id: str) -> dict[str, Any]:
    props = "name,phone,domain,partner_hub_id"
    document: dict[str, Any] = hs.requester.get_json(
        f"/crm/v3/objects/companies/{record_id}", params={"properties": props}
    )
    return document


def test_the_hub_id_property_is_created_once_when_missing_and_reused_when_present(
    sandbox: SandboxServer, hubspot: httpx.Client, hs: HubSpotConnector
) -> None:
    assert hubspot.delete("/_sandbox/stats").status_code in (200, 204)
    known = _companies(hubspot, 1)[0]
    first = hs.write("companies", [WriteRecord(key=known["id"], properties={}, external_id=known["id"], hub_id=HUB_A)])
    assert first[0].ok, first
    assert requests_to(hubspot, "/properties/", 201) == 1  # created
    prop = hs.requester.get_json("/crm/properties/2026-03/companies/partner_hub_id")
    assert prop["hasUniqueValue"] is True and prop["type"] == "string" and prop["fieldType"] == "text"
    assert prop["groupName"] == "companyinformation"
    assert _read(hs, known["id"])["properties"]["partner_hub_id"] == HUB_A  # stamped on the update

    hs.write("companies", [WriteRecord(key=HUB_B, properties={"name": "Second"}, hub_id=HUB_B)])
    assert requests_to(hubspot, "/properties/") == 3  # its read and create, ours: nothing more this instance

    other = connector(sandbox)
    try:
        assert other.write("companies", [WriteRecord(key=HUB_C, properties={"name": "Third"}, hub_id=HUB_C)])[0].ok
    finally:
        other.close()
    assert requests_to(hubspot, "/properties/", 200) == 2  # ours, and the new instance's read: no create
    assert requests_to(hubspot, "/properties/", 201) == 1


def test_known_records_are_updated_by_id_new_ones_upserted_by_hub_id_and_created_once(
    hubspot: httpx.Client, hs: HubSpotConnector
) -> None:
    sent = Sent(hs)
    known, unknown_id = _companies(hubspot, 1)[0], "99999999"
    records = [
        WriteRecord(key=known["id"], properties={"phone": "+14155550100"}, external_id=known["id"], hub_id=HUB_A),
        WriteRecord(key=HUB_B, properties={"name": "Brand New Partner", "domain": "brand-new.example"}, hub_id=HUB_B),
        WriteRecord(key=unknown_id, properties={"phone": "+14155550101"}, external_id=unknown_id),
        WriteRecord(key="not-a-number", properties={"phone": "+1"}, external_id="not-a-number"),
    ]
    results = hs.write("companies", records)
    assert [r.ok for r in results] == [True, True, False, False]
    assert results[0].external_id == known["id"] and results[0].created is False
    assert results[1].created is True and results[1].external_id and results[1].external_id.isdigit()
    assert "Could not update some COMPANY objects" in (results[2].error or "")  # 207: fails alone
    assert "not a HubSpot record id" in (results[3].error or "")  # never sent
    assert _read(hs, known["id"])["properties"]["phone"] == "+14155550100"
    created = _read(hs, str(results[1].external_id))["properties"]
    assert created["partner_hub_id"] == HUB_B and created["domain"] == "brand-new.example"

    # the same hub id again is an update of the record it created, not a second record
    again = hs.write("companies", [WriteRecord(key=HUB_B, properties={"phone": "+14155550102"}, hub_id=HUB_B)])
    assert again[0].ok and again[0].created is False and again[0].external_id == results[1].external_id

    update = next(b for _, p, b in sent.bodies if p.endswith("/batch/update"))
    assert update["inputs"][0] == {
        "id": known["id"], "properties": {"phone": "+14155550100", "partner_hub_id": HUB_A}, "objectWriteTraceId": "0",
    }  # fmt: skip
    assert sent.id_properties() == {"partner_hub_id"}  # never hs_object_id, never domain
    assert all("/crm/objects/2026-03/" in p for p in sent.paths("/batch/"))  # the configured API version


@pytest.mark.parametrize("id_property", ["domain", "name"])
def test_an_id_property_without_unique_values_is_never_sent(
    hubspot: httpx.Client, hs: HubSpotConnector, id_property: str
) -> None:
    sent = Sent(hs)
    results = hs.write(
        "companies", [WriteRecord(key="acme.example", properties={"name": "A"})], id_property=id_property
    )
    assert not results[0].ok and "only by a property with unique values" in (results[0].error or "")
    assert sent.paths("/batch/") == [] and sent.id_properties() == set()
    assert sent.paths("/properties/") == [f"GET /crm/properties/2026-03/companies/{id_property}"]


def test_addressing_by_record_id_updates_without_an_id_property(hubspot: httpx.Client, hs: HubSpotConnector) -> None:
    sent = Sent(hs)
    known = _companies(hubspot, 1)[0]
    results = hs.write(
        "companies", [WriteRecord(key=known["id"], properties={"city": "Porto"})], id_property="hs_object_id"
    )
    assert results[0].ok and results[0].external_id == known["id"]
    assert sent.paths("/batch/") == ["POST /crm/objects/2026-03/companies/batch/update"]
    assert sent.id_properties() == set() and sent.paths("/properties/") == []


def test_a_record_without_any_id_is_created(hubspot: httpx.Client, hs: HubSpotConnector) -> None:
    sent = Sent(hs)
    results = hs.write("companies", [WriteRecord(key="", properties={"name": "Nameless Partner Co"})])
    assert results[0].ok and results[0].created is True
    assert sent.paths("/batch/") == ["POST /crm/objects/2026-03/companies/batch/create"]


def test_a_hub_id_another_record_holds_fails_that_record_alone(hubspot: httpx.Client, hs: HubSpotConnector) -> None:
    first, second = _companies(hubspot, 2)
    records = [
        WriteRecord(key=first["id"], properties={}, external_id=first["id"], hub_id=HUB_A),
        WriteRecord(key=second["id"], properties={}, external_id=second["id"], hub_id=HUB_A),
        WriteRecord(key=HUB_B, properties={"name": "Fine"}, hub_id=HUB_B),
    ]
    results = hs.write("companies", records)
    assert [r.ok for r in results] == [True, False, True]
    assert f"Existing ID: {first['id']}" in (results[1].error or "")


def test_legacy_api_version_writes_through_the_v3_paths(sandbox: SandboxServer, hubspot: httpx.Client) -> None:
    legacy = connector(sandbox, api_version="v3")
    try:
        sent = Sent(legacy)
        assert legacy.write("companies", [WriteRecord(key=HUB_C, properties={"name": "Legacy"}, hub_id=HUB_C)])[0].ok
        assert sent.paths("/properties/")[0] == "GET /crm/v3/properties/companies/partner_hub_id"
        assert sent.paths("/batch/") == ["POST /crm/v3/objects/companies/batch/upsert"]
    finally:
        legacy.close()
