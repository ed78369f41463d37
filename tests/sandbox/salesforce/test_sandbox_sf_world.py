"""Generated worlds, fixtures, ``/_sandbox/world`` and ``/_sandbox/mutate``, and scale."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from sandbox.salesforce import (
    SalesforceSandbox,
    SalesforceState,
    SalesforceWorld,
    client_ssl_context,
    generate_world,
    load_salesforce_world,
)
from sandbox.salesforce.gen_records import REG_STATUSES
from sandbox.salesforce.generate import DEFECT_KINDS, split_size
from sandbox.salesforce.ids import to18
from tests.sandbox.salesforce.conftest import API, error_code, ok, query

SESSION = {"Authorization": "Bearer 00D5g000000Gma8!AQsandbox.static.session"}


@contextmanager
def local(world: SalesforceWorld) -> Iterator[httpx.Client]:
    """A client of a fresh HTTPS org holding ``world``."""
    with (
        SalesforceSandbox(fixture=world) as sandbox,
        httpx.Client(
            base_url=sandbox.base_url, headers=SESSION, verify=client_ssl_context(sandbox.cert_path), timeout=30
        ) as client,
    ):
        yield client


def test_generation_is_deterministic_and_messy() -> None:
    world = generate_world(seed=3, size=1000)
    assert world.to_json() == generate_world(seed=3, size=1000).to_json()
    assert world.to_json() != generate_world(seed=4, size=1000).to_json()
    accounts, contacts, opportunities, leads = split_size(1000)
    counts = world.counts()
    assert (counts["Account"], counts["Contact"], counts["Opportunity"], counts["Lead"]) == (
        accounts,
        contacts,
        opportunities,
        leads,
    )
    assert counts["Partner"] == counts["OpportunityPartner"] > 0 and counts["ChannelProgramMember"] > 0
    assert sorted(d["kind"] for d in world.defects) == sorted(DEFECT_KINDS)
    listed = [i for ids in world.entities.values() for i in ids]
    assert sorted(listed) == sorted(a["Id"] for a in world.records("Account"))
    assert any(len(ids) > 1 for ids in world.entities.values())
    countries = Counter(a["BillingCountry"] for a in world.records("Account"))
    assert {"USA", "US", "United States"} & set(countries) and countries["United States"] > 0
    statuses = {lead.get("Registration_Status__c") for lead in world.records("Lead")}
    lowered = {s for s in statuses if s and s[0].islower()}  # ~5 % typed in lower case
    assert lowered and lowered <= {s.lower() for s in REG_STATUSES} and {s.title() for s in lowered} & statuses
    assert any(
        a["Type"] in ("Partner", "Technology Partner", "Channel Partner / Reseller") and not a["IsPartner"]
        for a in world.records("Account")
    )
    assert all(len(r["Id"]) == 18 for rows in world.objects.values() for r in rows)


def test_fixture_round_trip_and_hand_written_records() -> None:
    fixture = {
        "format": "partner-hub-sandbox/1",
        "hubspot": {"companies": []},
        "salesforce": {
            "objects": {
                "Account": [{"Id": "0015g000001AbCd", "name": "Tiny Co", "IsPartner": True}],
                "Contact": [
                    {
                        "Id": "0035g000001AbCd",
                        "FirstName": "Ada",
                        "LastName": "Byron",
                        "AccountId": "0015g000001AbCd",
                        "CreatedDate": "2025-05-01T10:00:00Z",
                    },
                    {"LastName": "Binned", "IsDeleted": True, "SystemModstamp": "2025-06-01T00:00:00.000+0000"},
                ],
            },
            "entities": {"org-1": [to18("0015g000001AbCd")]},
        },
    }
    with local(load_salesforce_world(fixture)) as client:
        check_hand_written(client)
    with pytest.raises(ValueError, match="no field"):
        SalesforceState(SalesforceWorld.from_json({"salesforce": {"objects": {"Account": [{"Nmae": "x"}]}}}))
    assert (
        load_salesforce_world({"format": "partner-hub-sandbox/1", "hubspot": {}}, seed=1, size=50).counts()["Account"]
        == 9
    )


def check_hand_written(client: httpx.Client) -> None:
    rows = ok(client.get(f"{API}/query", params={"q": "SELECT Id, Name, Account.Name, CreatedDate FROM Contact"}))
    assert rows["records"][0]["Id"] == to18("0035g000001AbCd") and rows["records"][0]["Name"] == "Ada Byron"
    assert rows["records"][0]["Account"]["Name"] == "Tiny Co"
    assert rows["records"][0]["CreatedDate"] == "2025-05-01T10:00:00.000+0000"
    assert ok(client.get(f"{API}/queryAll", params={"q": "SELECT COUNT() FROM Contact"}))["totalSize"] == 2
    exported = ok(client.get("/_sandbox/world", headers={"X-Sandbox-Admin": "sandbox-admin"}))
    assert exported["salesforce"]["entities"] == {"org-1": [to18("0015g000001AbCd")]}
    account = exported["salesforce"]["objects"]["Account"][0]
    assert account["Name"] == "Tiny Co" and account["CreatedDate"] == "2026-01-01T00:00:00.000+0000"
    again = SalesforceWorld.from_json(exported)
    assert SalesforceState(again).export_world().to_json() == SalesforceWorld.from_json(exported).to_json()


def test_world_endpoints(admin: httpx.Client, api: httpx.Client, sf_world: SalesforceWorld) -> None:
    exported = ok(admin.get("/_sandbox/world"))
    assert exported["format"] == "partner-hub-sandbox/1" and exported["salesforce"]["defects"] == sf_world.defects
    small = generate_world(seed=1, size=100)
    loaded = ok(admin.put("/_sandbox/world", json=small.to_fixture()))["loaded"]
    try:
        assert loaded["Account"] == sum(1 for a in small.records("Account") if not a.get("IsDeleted"))
        assert ok(query(api, "SELECT COUNT() FROM Account"))["totalSize"] == loaded["Account"]
        assert error_code(admin.put("/_sandbox/world", json={"salesforce": {"objects": {"Nope": []}}}), 400) == (
            "INVALID_INPUT"
        )
    finally:
        admin.put("/_sandbox/world", json=sf_world.to_fixture()).raise_for_status()


def test_mutate_is_deterministic_and_uses_the_write_path() -> None:
    world = generate_world(seed=5, size=400)
    with local(world) as first, local(world) as second:
        check_mutations(first, second)


def check_mutations(first: httpx.Client, second: httpx.Client) -> None:
    admin = {"X-Sandbox-Admin": "sandbox-admin"}
    spec = {"object": "Opportunity", "count": 5, "create": 2, "delete": 1, "seed": 9}
    one = ok(first.post("/_sandbox/mutate", json=spec, headers=admin))
    two = ok(second.post("/_sandbox/mutate", json=spec, headers=admin))
    assert one["updated"] == two["updated"] and one["deleted"] == two["deleted"] and len(one["created"]) == 2
    changed = ok(first.get(f"{API}/sobjects/Opportunity/{one['updated'][0]}"))
    assert changed["LastModifiedDate"] > "2026-01-01" and changed["SystemModstamp"] == changed["LastModifiedDate"]
    converted = ok(first.post("/_sandbox/mutate", json={"object": "Lead", "convert": 2, "seed": 1}, headers=admin))
    lead = ok(first.get(f"{API}/sobjects/Lead/{converted['converted'][0]}"))
    assert lead["IsConverted"] is True and lead["Status"] == "Closed - Converted"
    opportunity = ok(first.get(f"{API}/sobjects/Opportunity/{lead['ConvertedOpportunityId']}"))
    assert opportunity["AccountId"] == lead["ConvertedAccountId"]
    assert error_code(first.post("/_sandbox/mutate", json={"object": "User"}, headers=admin), 400) == "INVALID_INPUT"


@pytest.fixture(scope="module")
def big() -> Iterator[httpx.Client]:
    with local(generate_world(seed=11, size=80_000)) as client:
        yield client


def test_scale_20k_records_per_object(big: httpx.Client) -> None:
    # every page of a large filtered query is served (speed is the benchmarks' business, not a test's)
    client = big
    total = ok(client.get(f"{API}/query", params={"q": "SELECT COUNT() FROM Opportunity"}))["totalSize"]
    assert total >= 19_000
    soql = (
        "SELECT Id, Name, Amount, Account.Name FROM Opportunity WHERE SystemModstamp > 2024-06-01T00:00:00Z "
        "AND (StageName = 'Closed Won' OR Amount > 10000) ORDER BY SystemModstamp, Id"
    )
    body = ok(client.get(f"{API}/query", params={"q": soql}))
    seen = len(body["records"])
    while not body["done"]:
        body = ok(client.get(body["nextRecordsUrl"]))
        seen += len(body["records"])
    assert seen == body["totalSize"] > 2000
