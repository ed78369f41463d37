"""sObject Collections and getUpdated / getDeleted over httpx."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from sandbox.salesforce import SalesforceWorld
from tests.sandbox.salesforce.conftest import API, error_code, ok, query, server_now

pytestmark = pytest.mark.usefixtures("restore_world")
C = f"{API}/composite/sobjects"


def contact(**fields: object) -> dict[str, object]:
    return {"attributes": {"type": "Contact"}, **fields}


def test_create_partial_failure(api: httpx.Client) -> None:
    records = [
        contact(LastName="One"),
        contact(FirstName="NoLast"),
        contact(LastName="Two", Email="bad"),
        {"attributes": {"type": "Account"}, "Name": "Mixed types"},
    ]
    results = ok(api.post(C, json={"allOrNone": False, "records": records}))
    assert [r["success"] for r in results] == [True, False, False, True]
    assert results[1] == {
        "success": False,
        "errors": [
            {
                "statusCode": "REQUIRED_FIELD_MISSING",
                "message": "Required fields are missing: [LastName]",
                "fields": ["LastName"],
            }
        ],
    }
    assert results[2]["errors"][0]["statusCode"] == "INVALID_EMAIL_ADDRESS"
    assert results[0]["id"].startswith("003") and results[3]["id"].startswith("001")
    assert ok(api.get(f"{API}/sobjects/Contact/{results[0]['id']}"))["LastName"] == "One"


def test_all_or_none_rolls_back(api: httpx.Client) -> None:
    before = ok(query(api, "SELECT COUNT() FROM Contact"))["totalSize"]
    results = ok(api.post(C, json={"allOrNone": True, "records": [contact(LastName="A"), contact(Bogus__c=1)]}))
    assert results[0]["success"] is False
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"][0]["statusCode"] == "INVALID_FIELD"
    assert ok(query(api, "SELECT COUNT() FROM Contact"))["totalSize"] == before


def test_update_upsert_retrieve_delete(api: httpx.Client, sf_world: SalesforceWorld) -> None:
    people = [c for c in sf_world.records("Contact") if not c.get("IsDeleted")][:2]
    gone = next(c for c in sf_world.records("Contact") if c.get("IsDeleted"))
    updates = [
        contact(Id=people[0]["Id"], Title="Updated"),
        contact(Title="No id"),
        contact(Id=gone["Id"], Title="x"),
        contact(Id=people[1]["Id"][:15], Title="Short id"),
    ]
    results = ok(api.patch(C, json={"records": updates}))
    assert [r["success"] for r in results] == [True, False, False, True]
    assert results[1]["errors"][0]["statusCode"] == "MISSING_ARGUMENT"
    assert results[2] == {
        "id": gone["Id"],
        "success": False,
        "errors": [{"statusCode": "ENTITY_IS_DELETED", "message": "entity is deleted", "fields": ["Id"]}],
    }
    assert results[3]["id"] == people[1]["Id"]
    upserts = [
        contact(Partner_Hub_Id__c="p-1", LastName="New"),
        contact(Partner_Hub_Id__c="p-2", LastName="Two"),
        contact(Partner_Hub_Id__c="P-2", LastName="Dup"),
        contact(LastName="Missing key"),
    ]
    results = ok(api.patch(f"{C}/Contact/Partner_Hub_Id__c", json={"records": upserts}))
    assert results[0]["created"] is True and results[0]["success"] is True
    assert [r["errors"][0]["statusCode"] for r in results[1:]] == ["DUPLICATE_EXTERNAL_ID"] * 2 + ["MISSING_ARGUMENT"]
    again = ok(
        api.patch(f"{C}/Contact/Partner_Hub_Id__c", json={"records": [contact(Partner_Hub_Id__c="p-1", Title="T")]})
    )
    assert again == [{"id": results[0]["id"], "success": True, "errors": [], "created": False}]
    ids = f"{people[0]['Id']},{results[0]['id']},0035g00000ZZZZZAAA"
    fetched = ok(api.get(f"{C}/Contact", params={"ids": ids, "fields": "Id,Title"}))
    assert fetched[0]["Title"] == "Updated" and fetched[1]["Title"] == "T" and fetched[2] is None
    deleted = ok(api.delete(C, params={"ids": f"{results[0]['id']},0035g00000ZZZZZAAA,{gone['Id']}"}))
    assert [r["success"] for r in deleted] == [True, False, False]
    assert deleted[2]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"


def test_collection_limits_and_bad_requests(api: httpx.Client) -> None:
    too_many = {"records": [contact(LastName=str(n)) for n in range(201)]}
    assert error_code(api.post(C, json=too_many), 400) == "EXCEEDED_ID_LIMIT"
    assert error_code(api.post(C, json={"records": [{"LastName": "untyped"}]}), 400) == "INVALID_TYPE"
    assert error_code(api.post(C, json={"allOrNone": "yes", "records": []}), 400) == "JSON_PARSER_ERROR"
    assert error_code(api.post(C, content=b"[]"), 400) == "JSON_PARSER_ERROR"


def _window(api: httpx.Client, kind: str, start: datetime, end: datetime) -> httpx.Response:
    params = {"start": start.isoformat(timespec="seconds"), "end": end.isoformat(timespec="seconds")}
    return api.get(f"{API}/sobjects/Opportunity/{kind}/", params=params)


def test_get_updated_and_deleted_windows(api: httpx.Client, admin: httpx.Client, sf_world: SalesforceWorld) -> None:
    start = server_now(admin) - timedelta(minutes=2)
    opp = next(o for o in sf_world.records("Opportunity") if not o.get("IsDeleted"))
    api.patch(f"{API}/sobjects/Opportunity/{opp['Id']}", json={"NextStep": "Call"}).raise_for_status()
    victim = next(o for o in sf_world.records("Opportunity") if not o.get("IsDeleted") and o["Id"] != opp["Id"])
    api.delete(f"{API}/sobjects/Opportunity/{victim['Id']}").raise_for_status()
    same_minute = ok(_window(api, "updated", start, server_now(admin) + timedelta(hours=1)))
    assert opp["Id"] not in same_minute["ids"]  # the current minute is not covered yet
    end = server_now(admin, advance_s=90) + timedelta(hours=1)
    updated = ok(_window(api, "updated", start, end))
    assert updated["ids"] == [opp["Id"]] and updated["latestDateCovered"].endswith(":00.000+0000")
    follow = ok(
        _window(api, "updated", datetime.fromisoformat(updated["latestDateCovered"].replace("+0000", "+00:00")), end)
    )
    assert follow["ids"] == []  # consecutive windows never repeat a change
    deleted = ok(_window(api, "deleted", start, end))
    assert [d["id"] for d in deleted["deletedRecords"]] == [victim["Id"]]
    within_a_minute = _window(api, "updated", start.replace(second=5), start.replace(second=55))
    assert error_code(within_a_minute, 400) == "INVALID_REPLICATION_DATE"  # seconds are ignored
    assert error_code(_window(api, "deleted", start - timedelta(days=16), end), 400) == "INVALID_REPLICATION_DATE"
    assert ok(_window(api, "updated", start - timedelta(days=29), end))["ids"] == [opp["Id"]]
    assert error_code(api.get(f"{API}/sobjects/Opportunity/updated", params={"start": "yesterday", "end": "now"}), 400)
    admin.post("/_sandbox/recycle-bin/purge").raise_for_status()
    purged = ok(_window(api, "deleted", start, end))
    assert purged["deletedRecords"] == [] and purged["earliestDateAvailable"] > start.strftime("%Y-%m-%dT%H:%M")
    assert (
        ok(query(api, f"SELECT COUNT() FROM Opportunity WHERE Id = '{victim['Id']}'", all_rows=True))["totalSize"] == 0
    )
