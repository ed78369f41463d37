"""The hub id as the strongest match key (ADR 21), through the real write path and the mappings: the
value each system holds in its hub-id slot (HubSpot ``partner_hub_id``, Salesforce
``Partner_Hub_Id__c``, PartnerStack's external keys) lands in ``hub_id``, and a record carrying a hub id
joins that cluster even when its name and domain say otherwise. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from hub.mappers import MapperSet
from hub.mapping.transforms import to_hub_id
from hub.settings import REPO_ROOT

from .test_matching import HS, SF, account, company, golden_of, rid, write

MAPPERS = MapperSet(REPO_ROOT / "mappings")
OTHER = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


def _cluster(engine: Engine) -> str:
    """HubSpot company 1 and Salesforce account A1, one company: one cluster; HubSpot then echoes
    the hub id written back to it. Returns the cluster's golden id."""
    write(engine, HS, "companies", [company("1", name="Acme Corp", domain="acme.com")])
    write(engine, SF, "accounts", [account("001A00000000001AAA", Name="Acme Corp", Website="https://acme.com")])
    golden = golden_of(engine, rid(HS, "companies", "1"))
    assert golden_of(engine, rid(SF, "accounts", "001A00000000001AAA")) == golden
    echo = company("1", 1, name="Acme Corp", domain="acme.com", partner_hub_id=golden.upper())
    write(engine, HS, "companies", [echo])
    return golden


def test_a_record_carrying_the_hub_id_joins_its_cluster_whatever_its_name_and_domain(engine: Engine) -> None:
    golden = _cluster(engine)
    stranger = {"Name": "Zenith Holdings Ltd", "Website": "https://zenith-holdings.de"}
    record_id = rid(SF, "accounts", "001A00000000009AAA")
    write(engine, SF, "accounts", [account("001A00000000009AAA", 2, **stranger)])
    assert golden_of(engine, record_id) != golden  # nothing in common with the cluster
    write(engine, SF, "accounts", [account("001A00000000009AAA", 3, **stranger, Partner_Hub_Id__c=golden)])
    assert golden_of(engine, record_id) == golden  # the hub id written into it says it is that company


def test_another_hub_id_keeps_a_look_alike_out_of_the_cluster(engine: Engine) -> None:
    golden = _cluster(engine)
    twin = account("001A00000000008AAA", 2, Name="Acme Corp", Website="https://acme.com", Partner_Hub_Id__c=OTHER)
    write(engine, SF, "accounts", [twin])
    assert golden_of(engine, rid(SF, "accounts", "001A00000000008AAA")) != golden


def test_junk_in_a_hub_id_slot_is_no_key(engine: Engine) -> None:
    golden = _cluster(engine)
    junk = account("001A00000000007AAA", 2, Name="Acme Corp", Website="https://acme.com", Partner_Hub_Id__c="12345")
    write(engine, SF, "accounts", [junk])
    assert golden_of(engine, rid(SF, "accounts", "001A00000000007AAA")) == golden  # matched by domain and name


def _map(system: str, obj: str, raw: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = MAPPERS.get(system).map(obj, raw, lambda ref: f"x:{ref.id}").fields
    return fields


@pytest.mark.parametrize(
    ("system", "obj", "raw"),
    [
        ("hubspot", "companies", company("1", name="A", partner_hub_id=OTHER)),
        ("hubspot", "contacts", {"id": "5", "properties": {"lastmodifieddate": "2026-01-01T00:00:00Z",
                                                         "email": "a@b.example", "partner_hub_id": OTHER}}),
        ("salesforce", "accounts", account("001A00000000001AAA", Name="A", Partner_Hub_Id__c=OTHER)),
        ("partnerstack", "customers", {"key": "cust_1", "name": "A", "customer_key": OTHER,
                                       "updated_at": "2026-01-01T00:00:00Z", "deleted": False}),
        ("partnerstack", "deals", {"key": "deal_1", "name": "A", "stage": "Registered", "external_key": OTHER,
                                   "updated_at": "2026-01-01T00:00:00Z", "deleted": False}),
    ],
)  # fmt: skip
def test_each_system_s_hub_id_slot_maps_to_hub_id(system: str, obj: str, raw: dict[str, Any]) -> None:
    assert _map(system, obj, raw)["hub_id"] == OTHER


def test_another_system_s_id_in_an_external_key_is_not_a_hub_id() -> None:
    deal = {"key": "deal_1", "name": "A", "stage": "Registered", "external_key": "9876543210",
            "updated_at": "2026-01-01T00:00:00Z", "deleted": False}  # fmt: skip
    fields = _map("partnerstack", "deals", deal)
    assert fields["hub_id"] is None and fields["external_key"] == "9876543210"  # still the round-trip key
    assert to_hub_id(" 7C9E6679-7425-40DE-944B-E07FC1F90AE7 ") == OTHER
    with pytest.raises(ValueError, match="not a hub id"):
        to_hub_id("hub-1")
