"""The official client, simple-salesforce, against the HTTPS simulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceResourceNotFound,
)

from sandbox.salesforce import SalesforceSandbox, SalesforceWorld
from tests.sandbox.salesforce.conftest import RedirectingSession, server_now, tls_session


@pytest.fixture(scope="module")
def sf(sf_sandbox: SalesforceSandbox, creds: dict[str, str]) -> Salesforce:
    """A direct-session client (instance_url + session_id)."""
    return Salesforce(
        instance_url=creds["base_url"], session_id=creds["session_id"], session=tls_session(creds["cert_path"])
    )


def test_query_returns_records_with_attributes_and_usage(sf: Salesforce) -> None:
    result = sf.query("SELECT Id, Name, Account.Name FROM Contact WHERE AccountId != null ORDER BY Name LIMIT 5")
    assert result["totalSize"] == 5 and result["done"] is True
    first = result["records"][0]
    assert first["attributes"]["type"] == "Contact"
    assert first["attributes"]["url"] == f"/services/data/v59.0/sobjects/Contact/{first['Id']}"
    assert first["Account"]["attributes"]["type"] == "Account" and first["Account"]["Name"]
    names = [r["Name"].lower() for r in result["records"]]
    assert names == sorted(names)
    usage = sf.api_usage["api-usage"]
    assert usage.used >= 1 and usage.total == 100_000


def test_query_all_pages_over_2000_records(sf: Salesforce, sf_world: SalesforceWorld) -> None:
    live = [c for c in sf_world.records("Contact") if not c.get("IsDeleted")]
    assert len(live) > 2000
    first = sf.query("SELECT Id FROM Contact")
    assert first["done"] is False and len(first["records"]) == 2000
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    assert first["nextRecordsUrl"].endswith("-2000")
    everything = sf.query_all("SELECT Id, Email FROM Contact")
    assert everything["totalSize"] == len(live)
    assert {r["Id"] for r in everything["records"]} == {c["Id"] for c in live}


def test_query_all_iter_and_include_deleted(sf: Salesforce, sf_world: SalesforceWorld) -> None:
    deleted = {c["Id"] for c in sf_world.records("Contact") if c.get("IsDeleted")}
    assert deleted
    ids = [r["Id"] for r in sf.query_all_iter("SELECT Id FROM Contact WHERE IsDeleted = true", include_deleted=True)]
    assert set(ids) == deleted
    assert sf.query("SELECT Id FROM Contact WHERE IsDeleted = true")["totalSize"] == 0
    rows = list(sf.query_all_iter("SELECT Id, IsDeleted FROM Contact", include_deleted=True))
    assert len(rows) == len(sf_world.records("Contact"))


def test_create_get_update_delete(sf: Salesforce, restore_world: None) -> None:
    created = sf.Account.create({"Name": "Simple Salesforce Co", "Industry": "Technology", "IsPartner": True})
    assert created["success"] is True and created["errors"] == [] and created["id"].startswith("001")
    record = sf.Account.get(created["id"])
    assert record["Name"] == "Simple Salesforce Co" and record["IsPartner"] is True
    assert record["CreatedDate"] == record["LastModifiedDate"] == record["SystemModstamp"]
    assert sf.Account.update(created["id"], {"Website": "simple.example"}) == 204
    after = sf.Account.get(created["id"], params={"fields": "Id,Website,LastModifiedDate"})
    assert list(after) == ["attributes", "Id", "Website", "LastModifiedDate"]
    assert after["Website"] == "simple.example" and after["LastModifiedDate"] >= record["LastModifiedDate"]
    assert sf.Account.delete(created["id"]) == 204
    with pytest.raises(SalesforceResourceNotFound) as info:
        sf.Account.get(created["id"])
    assert info.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_upsert_by_external_id(sf: Salesforce, sf_world: SalesforceWorld, restore_world: None) -> None:
    assert (
        sf.Contact.upsert("Partner_Hub_Id__c/hub-person-1", {"LastName": "Upserted", "Email": "u@example.com"}) == 201
    )
    assert sf.Contact.upsert("Partner_Hub_Id__c/hub-person-1", {"Title": "CTO"}) == 200
    found = sf.Contact.get_by_custom_id("Partner_Hub_Id__c", "hub-person-1")
    assert found["Title"] == "CTO" and found["LastName"] == "Upserted"
    raw = sf.Contact.upsert("Partner_Hub_Id__c/HUB-PERSON-1", {"Title": "CEO"}, raw_response=True)
    assert raw.status_code == 200 and raw.json()["created"] is False and raw.json()["id"] == found["Id"]
    duplicate = next(d for d in sf_world.defects if d["kind"] == "duplicate_duns")
    duns = next(a["DUNS__c"] for a in sf_world.records("Account") if a["Id"] == duplicate["id"])
    with pytest.raises(SalesforceMoreThanOneRecord) as info:
        sf.Account.upsert(f"DUNS__c/{duns}", {"Phone": "1"})
    assert sorted(u.rsplit("/", 1)[1] for u in info.value.content) == sorted([duplicate["id"], duplicate["other"]])
    with pytest.raises(SalesforceResourceNotFound):
        sf.Account.upsert("Website/x.example", {"Name": "X"})


def test_updated_and_deleted(sf: Salesforce, admin: httpx.Client, restore_world: None) -> None:
    start = server_now(admin) - timedelta(minutes=1)
    created = sf.Lead.create({"LastName": "Replica", "Company": "Replica Inc"})["id"]
    other = sf.Lead.create({"LastName": "Gone", "Company": "Gone Inc"})["id"]
    sf.Lead.delete(other)
    end = server_now(admin, advance_s=120) + timedelta(minutes=5)
    updated = sf.Lead.updated(start, end)
    assert created in updated["ids"] and other not in updated["ids"]
    deleted = sf.Lead.deleted(start, end)
    assert [d["id"] for d in deleted["deletedRecords"]] == [other]
    assert deleted["earliestDateAvailable"] < deleted["latestDateCovered"]
    with pytest.raises(SalesforceMalformedRequest):
        sf.Lead.updated(datetime(2020, 1, 1, tzinfo=UTC), end)  # more than 30 days back
    with pytest.raises(SalesforceMalformedRequest):
        sf.Lead.updated(datetime.now().replace(tzinfo=None), end)  # naive: malformed value


def test_limits_and_describe(sf: Salesforce) -> None:
    limits = sf.limits()
    assert limits["DailyApiRequests"]["Max"] == 100_000
    assert 0 < limits["DailyApiRequests"]["Remaining"] <= 100_000
    described = sf.Opportunity.describe()
    fields = {f["name"]: f for f in described["fields"]}
    assert described["keyPrefix"] == "006" and fields["PartnerAccountId"]["referenceTo"] == ["Account"]
    assert fields["IsWon"]["updateable"] is False and fields["Partner_Hub_Id__c"]["externalId"] is True
    assert {o["name"] for o in sf.describe()["sobjects"]} >= {"Account", "Lead", "ChannelProgramMember"}


def test_unknown_session_raises_expired_session(creds: dict[str, str]) -> None:
    client = Salesforce(
        instance_url=creds["base_url"], session_id="00Dbogus!session", session=tls_session(creds["cert_path"])
    )
    with pytest.raises(SalesforceExpiredSession) as info:
        client.query("SELECT Id FROM Account LIMIT 1")
    assert info.value.content == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def test_client_credentials_flow_refreshes_after_expiry(creds: dict[str, str], admin: httpx.Client) -> None:
    session = RedirectingSession(creds["base_url"], creds["cert_path"])
    client = Salesforce(
        consumer_key=creds["consumer_key"],
        consumer_secret=creds["consumer_secret"],
        domain="partnerhub-sandbox.my",
        session=session,
    )
    assert session.login_urls == ["https://partnerhub-sandbox.my.salesforce.com/services/oauth2/token"]
    assert client.sf_instance == creds["base_url"].removeprefix("https://")
    token = client.session_id
    assert client.query("SELECT COUNT() FROM Account")["totalSize"] > 0
    assert admin.post("/_sandbox/faults", json={"kind": "expire_tokens"}).json()["expired"] >= 1
    assert client.query("SELECT COUNT() FROM Account")["totalSize"] > 0  # 401 → new token → retried
    assert client.session_id != token and len(session.login_urls) == 2


def test_password_flow_and_soap_login(creds: dict[str, str]) -> None:
    session = RedirectingSession(creds["base_url"], creds["cert_path"])
    oauth = Salesforce(
        username=creds["username"],
        password=creds["password"],
        consumer_key=creds["consumer_key"],
        consumer_secret=creds["consumer_secret"],
        session=session,
    )
    assert oauth.query("SELECT Id FROM User LIMIT 1")["totalSize"] == 1
    soap = Salesforce(
        username=creds["username"],
        password=creds["password"],
        security_token=creds["security_token"],
        session=RedirectingSession(creds["base_url"], creds["cert_path"]),
    )
    assert soap.sf_instance == creds["base_url"].removeprefix("https://")
    assert soap.query("SELECT COUNT() FROM Lead")["totalSize"] > 0
    with pytest.raises(SalesforceAuthenticationFailed) as info:
        Salesforce(
            username=creds["username"],
            password="wrong",
            security_token="",
            session=RedirectingSession(creds["base_url"], creds["cert_path"]),
        )
    assert info.value.code == "INVALID_LOGIN"
    with pytest.raises(SalesforceAuthenticationFailed) as info:
        Salesforce(
            consumer_key="nope",
            consumer_secret="x",
            domain="acme.my",
            session=RedirectingSession(creds["base_url"], creds["cert_path"]),
        )
    assert info.value.code == "invalid_client_id"
