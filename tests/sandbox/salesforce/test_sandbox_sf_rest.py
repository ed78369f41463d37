"""sObject REST over httpx: writes, validation errors, derived fields, partners, upsert, versions."""

from __future__ import annotations

import ssl

import httpx
import pytest

from sandbox.salesforce import SalesforceWorld
from tests.sandbox.salesforce.conftest import API, error_code, ok, query

pytestmark = pytest.mark.usefixtures("restore_world")


def create(api: httpx.Client, obj: str, body: dict) -> str:  # type: ignore[type-arg]
    result = ok(api.post(f"{API}/sobjects/{obj}/", json=body), 201)
    assert result["success"] is True and result["errors"] == []
    return str(result["id"])


def get(api: httpx.Client, obj: str, record_id: str) -> dict:  # type: ignore[type-arg]
    body: dict = ok(api.get(f"{API}/sobjects/{obj}/{record_id}"))  # type: ignore[type-arg]
    return body


def test_versions_resources_and_unknown_version(api: httpx.Client, tls: ssl.SSLContext) -> None:
    versions = httpx.get(f"{api.base_url}/services/data/", verify=tls)
    assert versions.status_code == 200 and "sforce-limit-info" not in versions.headers
    listed = {v["version"]: v for v in versions.json()}
    assert listed["59.0"] == {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"}
    assert listed["66.0"]["label"] == "Spring '26"
    resources = ok(api.get(f"{API}/"))
    assert resources["query"] == f"{API}/query" and resources["sobjects"] == f"{API}/sobjects"
    assert error_code(api.get("/services/data/v20.0/limits"), 404) == "NOT_FOUND"
    assert error_code(api.get(f"{API}/nothing/here"), 404) == "NOT_FOUND"


def test_timestamps_and_derived_fields(api: httpx.Client, admin: httpx.Client) -> None:
    account = create(api, "Account", {"Name": "Derived Co"})
    opp = create(
        api,
        "Opportunity",
        {
            "Name": "Derived deal",
            "StageName": "prospecting",
            "CloseDate": "2027-01-31",
            "AccountId": account,
            "Amount": "1250.5",
        },
    )
    record = get(api, "Opportunity", opp)
    assert record["StageName"] == "Prospecting" and record["Amount"] == 1250.5
    assert (record["IsClosed"], record["IsWon"], record["Probability"], record["ForecastCategoryName"]) == (
        False,
        False,
        10.0,
        "Pipeline",
    )
    assert record["CreatedDate"] == record["LastModifiedDate"] == record["SystemModstamp"]
    assert record["CreatedDate"].endswith("+0000") and record["OwnerId"] == record["CreatedById"]
    admin.post("/_sandbox/clock", json={"advance_s": 5}).raise_for_status()
    assert api.patch(f"{API}/sobjects/Opportunity/{opp}", json={"StageName": "Closed Won"}).status_code == 204
    after = get(api, "Opportunity", opp)
    assert (after["IsClosed"], after["IsWon"], after["Probability"]) == (True, True, 100.0)
    assert after["CreatedDate"] == record["CreatedDate"] and after["LastModifiedDate"] > record["LastModifiedDate"]
    assert after["SystemModstamp"] == after["LastModifiedDate"]
    contact = create(api, "Contact", {"FirstName": "Ada", "LastName": "Lovelace", "AccountId": account[:15]})
    assert get(api, "Contact", contact)["Name"] == "Ada Lovelace"
    lead = create(api, "Lead", {"LastName": "Lead", "Company": "Lead Co"})
    lead_row = get(api, "Lead", lead)
    assert lead_row["Status"] == "Open - Not Contacted" and lead_row["RecordTypeId"].startswith("012")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"Name": "X", "Bogus__c": 1}, 400, "INVALID_FIELD"),
        ({"Industry": "Retail"}, 400, "REQUIRED_FIELD_MISSING"),
        ({"Name": "X", "IsDeleted": True}, 400, "INVALID_FIELD_FOR_INSERT_UPDATE"),
        ({"Name": "X", "Id": "001000000000000AAA"}, 400, "INVALID_FIELD"),
        ({"Name": "X", "NumberOfEmployees": "many"}, 400, "JSON_PARSER_ERROR"),
        ({"Name": "X", "ParentId": "nope"}, 400, "MALFORMED_ID"),
        ({"Name": "X", "ParentId": "0035g000000Gma8AAC"}, 400, "FIELD_INTEGRITY_EXCEPTION"),
        ({"Name": "X", "ParentId": "0015g00000ZZZZZAAA"}, 400, "INVALID_CROSS_REFERENCE_KEY"),
        ({"Name": "X" * 300}, 400, "STRING_TOO_LONG"),
        ({"Name": "X", "CurrencyIsoCode": "XYZ"}, 400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
    ],
)
def test_create_validation_errors(api: httpx.Client, body: dict, status: int, code: str) -> None:  # type: ignore[type-arg]
    response = api.post(f"{API}/sobjects/Account", json=body)
    assert error_code(response, status) == code


def test_read_update_delete_errors(api: httpx.Client, sf_world: SalesforceWorld) -> None:
    contact = next(c for c in sf_world.records("Contact") if not c.get("IsDeleted"))
    gone = next(c for c in sf_world.records("Contact") if c.get("IsDeleted"))
    assert error_code(api.get(f"{API}/sobjects/Contact/0035g00000ZZZZZAAA"), 404) == "NOT_FOUND"
    assert error_code(api.get(f"{API}/sobjects/Contact/{gone['Id']}"), 404) == "ENTITY_IS_DELETED"
    assert error_code(api.get(f"{API}/sobjects/Nope__c/{contact['Id']}"), 404) == "NOT_FOUND"
    assert (
        error_code(api.get(f"{API}/sobjects/Contact/{contact['Id']}", params={"fields": "Id,Nope"}), 400)
        == "INVALID_FIELD"
    )
    bad_email = api.patch(f"{API}/sobjects/Contact/{contact['Id']}", json={"Email": "not-an-email"})
    assert error_code(bad_email, 400) == "INVALID_EMAIL_ADDRESS" and bad_email.json()[0]["fields"] == ["Email"]
    assert error_code(api.patch(f"{API}/sobjects/Contact/{contact['Id']}", json={"LastName": None}), 400) == (
        "REQUIRED_FIELD_MISSING"
    )
    assert (
        error_code(api.patch(f"{API}/sobjects/Contact/{contact['Id']}", content=b"{nope"), 400) == "JSON_PARSER_ERROR"
    )
    assert error_code(api.put(f"{API}/sobjects/Contact/{contact['Id']}", json={}), 405) == "METHOD_NOT_ALLOWED"
    assert error_code(api.delete(f"{API}/sobjects/RecordType/{sf_world.records('RecordType')[0]['Id']}"), 400) == (
        "INVALID_TYPE_FOR_OPERATION"
    )


def test_partner_rows_mirror_and_single_primary(api: httpx.Client, sf_world: SalesforceWorld) -> None:
    opp = next(o for o in sf_world.records("Opportunity") if not o.get("IsDeleted") and not o.get("PartnerAccountId"))
    partners = [a["Id"] for a in sf_world.records("Account") if a["IsPartner"]][:2]
    first = create(
        api,
        "Partner",
        {"OpportunityId": opp["Id"], "AccountToId": partners[0], "Role": "VAR/Reseller", "IsPrimary": True},
    )
    mirrored = get(api, "OpportunityPartner", first)
    assert mirrored["OpportunityId"] == opp["Id"] and mirrored["AccountToId"] == partners[0] and mirrored["IsPrimary"]
    assert get(api, "Partner", first)["AccountFromId"] == opp["AccountId"]
    second = create(
        api,
        "OpportunityPartner",
        {"OpportunityId": opp["Id"], "AccountToId": partners[1], "Role": "Consultant", "IsPrimary": True},
    )
    rows = ok(query(api, f"SELECT Id, IsPrimary FROM OpportunityPartner WHERE OpportunityId = '{opp['Id']}'"))
    assert {r["Id"]: r["IsPrimary"] for r in rows["records"]} == {first: False, second: True}
    assert get(api, "Partner", second)["IsPrimary"] is True
    assert error_code(api.patch(f"{API}/sobjects/Partner/{first}", json={"Role": "Agency"}), 400) == (
        "INVALID_TYPE_FOR_OPERATION"
    )
    assert api.delete(f"{API}/sobjects/Partner/{first}").status_code == 204
    assert error_code(api.get(f"{API}/sobjects/OpportunityPartner/{first}"), 404) == "ENTITY_IS_DELETED"


def test_channel_program_membership_updates_account(api: httpx.Client, sf_world: SalesforceWorld) -> None:
    account = create(api, "Account", {"Name": "New Partner", "IsPartner": True, "Type": "Partner"})
    program = sf_world.records("ChannelProgram")[0]["Id"]
    gold = next(lv["Id"] for lv in sf_world.records("ChannelProgramLevel") if lv["Name"] == "Gold")
    member = create(api, "ChannelProgramMember", {"PartnerId": account, "ProgramId": program, "LevelId": gold})
    row = get(api, "Account", account)
    assert (row["ChannelProgramName"], row["ChannelProgramLevelName"]) == ("Reseller Program", "Gold")
    assert row["SystemModstamp"] >= row["LastModifiedDate"]
    api.delete(f"{API}/sobjects/ChannelProgramMember/{member}").raise_for_status()
    assert get(api, "Account", account)["ChannelProgramName"] is None


def test_account_delete_cascades(api: httpx.Client) -> None:
    account = create(api, "Account", {"Name": "Cascade Co"})
    contact = create(api, "Contact", {"LastName": "Child", "AccountId": account})
    opp = create(
        api,
        "Opportunity",
        {"Name": "Child deal", "StageName": "Qualification", "CloseDate": "2027-02-01", "AccountId": account},
    )
    assert api.delete(f"{API}/sobjects/Account/{account}").status_code == 204
    found = ok(query(api, f"SELECT Id FROM Contact WHERE Id IN ('{contact}')", all_rows=True))["records"]
    assert found and ok(query(api, f"SELECT COUNT() FROM Opportunity WHERE Id = '{opp}'"))["totalSize"] == 0


def test_upsert_statuses_by_version(api: httpx.Client) -> None:
    url = f"{API}/sobjects/Account/Partner_Hub_Id__c/org-42"
    created = api.patch(url, json={"Name": "Upsert Co"})
    assert ok(created, 201) == {"id": created.json()["id"], "success": True, "errors": [], "created": True}
    assert ok(api.patch(url, json={"Phone": "1"}))["created"] is False
    old = api.patch("/services/data/v45.0/sobjects/Account/Partner_Hub_Id__c/org-42", json={"Phone": "2"})
    assert old.status_code == 204 and old.content == b""
    assert ok(api.get(url))["Phone"] == "2"
    assert error_code(api.patch(url, json={"Partner_Hub_Id__c": "other"}), 400) == "INVALID_FIELD"
    only = api.patch(f"{API}/sobjects/Account/Partner_Hub_Id__c/org-43?updateOnly=true", json={"Name": "N"})
    assert error_code(only, 404) == "NOT_FOUND"
    missing = api.patch(f"{API}/sobjects/Account/Name/whatever", json={"Phone": "1"})
    assert error_code(missing, 404) == "NOT_FOUND" and "Name" in missing.json()[0]["message"]
    by_id = api.patch(f"{API}/sobjects/Account/Id/{created.json()['id']}", json={"Phone": "3"})
    assert ok(by_id)["created"] is False
    assert api.delete(url).status_code == 204 and error_code(api.get(url), 404) == "NOT_FOUND"
