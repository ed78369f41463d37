"""SOQL subset over HTTP: operators, literals, ordering, relationships, paging and errors."""

from __future__ import annotations

import httpx
import pytest

from sandbox.salesforce import SalesforceWorld
from sandbox.salesforce.gen_base import RT_DEAL_REGISTRATION
from tests.sandbox.salesforce.conftest import API, error_code, ok, query


def ids(body: dict) -> list[str]:  # type: ignore[type-arg]
    return [r["Id"] for r in body["records"]]


def live(world: SalesforceWorld, name: str) -> list[dict]:  # type: ignore[type-arg]
    return [r for r in world.records(name) if not r.get("IsDeleted")]


def test_text_comparisons_are_case_insensitive(api: httpx.Client, sf_world: SalesforceWorld) -> None:
    account = live(sf_world, "Account")[3]
    exact = ok(query(api, f"SELECT Id, Name FROM Account WHERE Name = '{account['Name'].upper()}'"))
    assert account["Id"] in ids(exact)
    prefix = account["Name"][:4].lower().replace("'", "\\'")
    liked = ok(query(api, f"SELECT Id FROM Account WHERE Name LIKE '{prefix}%'"))
    expected = {a["Id"] for a in live(sf_world, "Account") if a["Name"].lower().startswith(prefix.replace("\\'", "'"))}
    assert set(ids(liked)) == expected
    listed = ok(query(api, "SELECT Id FROM Opportunity WHERE StageName IN ('closed won', 'CLOSED LOST')"))
    closed = {o["Id"] for o in live(sf_world, "Opportunity") if o["StageName"] in ("Closed Won", "Closed Lost")}
    assert set(ids(listed)) == closed


def test_null_semantics(api: httpx.Client, sf_world: SalesforceWorld) -> None:
    opps = live(sf_world, "Opportunity")
    no_partner = ok(query(api, "SELECT COUNT() FROM Opportunity WHERE PartnerAccountId = null"))["totalSize"]
    assert no_partner == sum(1 for o in opps if not o.get("PartnerAccountId"))
    not_usd = ok(query(api, "SELECT COUNT() FROM Opportunity WHERE CurrencyIsoCode != 'USD'"))["totalSize"]
    assert not_usd == sum(1 for o in opps if o.get("CurrencyIsoCode") != "USD")  # != keeps nulls
    big = ok(query(api, "SELECT COUNT() FROM Opportunity WHERE Amount > 50000"))["totalSize"]
    assert big == sum(1 for o in opps if o.get("Amount") is not None and o["Amount"] > 50000)
    not_in = ok(query(api, "SELECT COUNT() FROM Opportunity WHERE CurrencyIsoCode NOT IN ('USD', 'EUR')"))
    assert not_in["totalSize"] == sum(1 for o in opps if o.get("CurrencyIsoCode") not in ("USD", "EUR"))


def test_dates_datetimes_booleans_and_numbers(api: httpx.Client, sf_world: SalesforceWorld) -> None:
    opps = live(sf_world, "Opportunity")
    soql = (
        "SELECT Id FROM Opportunity WHERE CloseDate >= 2025-01-01 AND CloseDate < 2025-07-01 "
        "AND IsWon = false AND Probability >= 10.5"
    )
    expected = {
        o["Id"]
        for o in opps
        if "2025-01-01" <= o["CloseDate"] < "2025-07-01" and o["StageName"] != "Closed Won" and o["Probability"] >= 10.5
    }
    assert set(ids(ok(query(api, soql)))) == expected
    since = ok(query(api, "SELECT Id FROM Account WHERE SystemModstamp > 2025-10-01T00:00:00Z ORDER BY SystemModstamp"))
    stamps = [a["SystemModstamp"] for a in live(sf_world, "Account") if a["SystemModstamp"] > "2025-10-01T00:00:00"]
    assert since["totalSize"] == len(stamps)
    offset = ok(query(api, "SELECT COUNT() FROM Account WHERE SystemModstamp > 2025-10-01T02:00:00+02:00"))
    assert offset["totalSize"] == len(stamps)
    negative = ok(query(api, "SELECT COUNT() FROM Opportunity WHERE Amount < -1"))
    assert negative["totalSize"] == sum(1 for o in opps if o.get("Amount") is not None and o["Amount"] < -1) >= 1
    assert ok(query(api, "SELECT COUNT() FROM Account WHERE CreatedDate = LAST_N_DAYS:3"))["totalSize"] == 0
    assert ok(query(api, "SELECT COUNT() FROM Opportunity WHERE CloseDate < TODAY"))["totalSize"] == len(opps)


def test_and_or_parentheses_and_not(api: httpx.Client, sf_world: SalesforceWorld) -> None:
    soql = "SELECT Id FROM Account WHERE (IsPartner = true OR Type = 'Partner') AND NOT BillingCountry = 'Germany'"
    expected = {
        a["Id"]
        for a in live(sf_world, "Account")
        if (a["IsPartner"] or a.get("Type") == "Partner") and a.get("BillingCountry") != "Germany"
    }
    assert set(ids(ok(query(api, soql)))) == expected
    mixed = query(api, "SELECT Id FROM Account WHERE IsPartner = true AND Type = 'Partner' OR Name = 'x'")
    assert error_code(mixed, 400) == "MALFORMED_QUERY"
    assert "ERROR at Row:1:Column:" in mixed.json()[0]["message"]


def test_order_by_nulls_limit_offset(api: httpx.Client, sf_world: SalesforceWorld) -> None:
    rows = ok(query(api, "SELECT Id, Amount FROM Opportunity ORDER BY Amount DESC NULLS FIRST, Name LIMIT 400"))[
        "records"
    ]
    nulls = sum(1 for o in live(sf_world, "Opportunity") if o.get("Amount") is None)
    assert nulls and all(r["Amount"] is None for r in rows[:nulls])
    amounts = [r["Amount"] for r in rows[nulls:]]
    assert amounts == sorted(amounts, reverse=True)
    ascending = ok(query(api, "SELECT Id, Amount FROM Opportunity ORDER BY Amount LIMIT 3"))["records"]
    assert all(r["Amount"] is None for r in ascending)  # ASC puts nulls first by default
    page = ok(query(api, "SELECT Id FROM Opportunity ORDER BY Amount DESC NULLS LAST LIMIT 5 OFFSET 10"))
    whole = ok(query(api, "SELECT Id FROM Opportunity ORDER BY Amount DESC NULLS LAST LIMIT 15"))
    assert ids(page) == ids(whole)[10:15]
    assert error_code(query(api, "SELECT Id FROM Account LIMIT 10 OFFSET 2001"), 400) == "NUMBER_OUTSIDE_VALID_RANGE"


def test_relationship_paths_select_and_filter(api: httpx.Client, sf_world: SalesforceWorld) -> None:
    soql = (
        "SELECT Id, PartnerAccount.Name, PartnerAccount.IsPartner, Account.Owner.Name, RecordType.DeveloperName "
        "FROM Opportunity WHERE PartnerAccount.IsPartner = true LIMIT 5"
    )
    rows = ok(query(api, soql))["records"]
    assert rows and all(r["PartnerAccount"]["IsPartner"] is True for r in rows)
    assert rows[0]["RecordType"] == {"attributes": rows[0]["RecordType"]["attributes"], "DeveloperName": "Standard"}
    assert list(rows[0]["Account"]) == ["attributes", "Owner"] and rows[0]["Account"]["Owner"]["Name"]
    orphan = ok(query(api, "SELECT Id, Account.Name FROM Contact WHERE AccountId = null LIMIT 1"))["records"]
    assert orphan and orphan[0]["Account"] is None
    regs = ok(query(api, "SELECT Id FROM Lead WHERE RecordType.DeveloperName = 'Deal_Registration'"))
    expected = {lead["Id"] for lead in live(sf_world, "Lead") if lead.get("RecordTypeId") == RT_DEAL_REGISTRATION}
    assert set(ids(regs)) == expected and expected


def test_ids_15_and_18_characters(api: httpx.Client, sf_world: SalesforceWorld) -> None:
    account = live(sf_world, "Account")[0]
    for literal in (account["Id"], account["Id"][:15], account["Id"].lower()):
        assert ids(ok(query(api, f"SELECT Id FROM Account WHERE Id = '{literal}'"))) == [account["Id"]]
    assert error_code(query(api, "SELECT Id FROM Account WHERE Id = 'nope'"), 400) == "INVALID_QUERY_FILTER_OPERATOR"


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT Id FORM Account", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account WHERE", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account WHERE Name = 'unterminated", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account WHERE CreatedDate > 2020-01-01T00:00:00", "MALFORMED_QUERY"),
        ("SELECT Id, (SELECT Id FROM Contacts) FROM Account", "MALFORMED_QUERY"),
        ("SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry", "MALFORMED_QUERY"),
        ("SELECT Id, Id FROM Account", "MALFORMED_QUERY"),
        ("SELECT Nmae FROM Account", "INVALID_FIELD"),
        ("SELECT Id FROM Account WHERE Foo__c = 1", "INVALID_FIELD"),
        ("SELECT Id, Acount.Name FROM Contact", "INVALID_FIELD"),
        ("SELECT Id FROM Acount", "INVALID_TYPE"),
        ("SELECT Id FROM Account WHERE CreatedDate > '2020-01-01T00:00:00Z'", "INVALID_QUERY_FILTER_OPERATOR"),
        ("SELECT Id FROM Opportunity WHERE CloseDate > 2020-01-01T00:00:00Z", "INVALID_QUERY_FILTER_OPERATOR"),
        ("SELECT Id FROM Opportunity WHERE Amount > '5'", "INVALID_QUERY_FILTER_OPERATOR"),
        ("SELECT Id FROM Account WHERE IsPartner = 'true'", "INVALID_QUERY_FILTER_OPERATOR"),
        ("SELECT Id FROM Account WHERE Name = 5", "INVALID_QUERY_FILTER_OPERATOR"),
        ("SELECT Id FROM Account WHERE NumberOfEmployees LIKE '5%'", "INVALID_QUERY_FILTER_OPERATOR"),
    ],
)
def test_query_errors(api: httpx.Client, soql: str, code: str) -> None:
    assert error_code(query(api, soql), 400) == code


def test_is_deleted_only_through_query_all(api: httpx.Client, sf_world: SalesforceWorld) -> None:
    deleted = {o["Id"] for o in sf_world.records("Opportunity") if o.get("IsDeleted")}
    assert ok(query(api, "SELECT COUNT() FROM Opportunity WHERE IsDeleted = true"))["totalSize"] == 0
    found = ok(query(api, "SELECT Id, IsDeleted FROM Opportunity WHERE IsDeleted = true", all_rows=True))
    assert set(ids(found)) == deleted and all(r["IsDeleted"] for r in found["records"])


def test_batch_size_header_and_locators(api: httpx.Client, sf_world: SalesforceWorld) -> None:
    headers = {"Sforce-Query-Options": "batchSize=250"}
    first = ok(query(api, "SELECT Id FROM Account ORDER BY Name", headers=headers))
    assert len(first["records"]) == 250 and first["totalSize"] == len(live(sf_world, "Account"))
    seen = ids(first)
    body = first
    while not body["done"]:
        assert body["nextRecordsUrl"].startswith(f"{API}/query/01g")
        body = ok(api.get(body["nextRecordsUrl"]))
        seen += ids(body)
    assert len(seen) == len(set(seen)) == first["totalSize"]
    tiny = ok(query(api, "SELECT Id FROM Account", headers={"Sforce-Query-Options": "batchSize=5"}))
    assert len(tiny["records"]) == 200  # clamped to the minimum of 200
    locator = first["nextRecordsUrl"].rsplit("/", 1)[1].rsplit("-", 1)[0]
    assert ok(api.get(f"{API}/queryAll/{locator}-500/"))["records"]  # either endpoint, trailing slash
    assert error_code(api.get(f"{API}/query/01gBOGUS-2000"), 400) == "INVALID_QUERY_LOCATOR"


def test_trailing_slashes_and_missing_q(api: httpx.Client) -> None:
    assert ok(api.get(f"{API}/query/", params={"q": "SELECT COUNT() FROM User"}))["totalSize"] == 7
    assert error_code(api.get(f"{API}/query/"), 400) == "MALFORMED_QUERY"
