"""Reads: SOQL text, nextRecordsUrl paging and resume, limits, expired locators, folded-in rows."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from connectors.salesforce import ApiLimitExceeded
from connectors.salesforce.soql import datetime_literal, id_list, string_literal
from connectors.sdk import ConfigError, RateLimited, ReadRequest, RequestRejected

from .conftest import (
    DATA,
    INSTANCE,
    LOGIN,
    RECORD_TYPE_ID,
    FakeDescribe,
    FakeOrg,
    make_connector,
    soql_of,
    token_response,
)

QUERY_ALL = f"{INSTANCE}{DATA}/queryAll"
LOCATOR = f"{DATA}/query/01gHs00000AbCdE-2000"


def _account(n: int) -> dict[str, Any]:
    record_id = f"001Hs0000000{n:03d}AAA"
    return {
        "attributes": {"type": "Account", "url": f"{DATA}/sobjects/Account/{record_id}"},
        "Id": record_id,
        "Name": f"Account {n}",
        "SystemModstamp": f"2026-03-01T10:00:{n:02d}.000+0000",
        "IsDeleted": False,
    }


def _page(records: list[dict[str, Any]], next_url: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"totalSize": 3, "done": next_url is None, "records": records}
    if next_url:
        body["nextRecordsUrl"] = next_url
    return httpx.Response(200, json=body, headers={"Sforce-Limit-Info": "api-usage=18/5000"})


@pytest.fixture
def token(router: respx.MockRouter) -> respx.Route:
    FakeDescribe(router)
    return router.post(f"{LOGIN}/services/oauth2/token").mock(return_value=token_response())


@pytest.mark.parametrize(
    ("cursor", "lookback", "literal"),
    [
        pytest.param("2026-03-01T10:00:00.123+00:00", 0, "2026-03-01T10:00:00Z", id="hub_cursor_truncated"),
        pytest.param("2026-03-01T10:00:00.000+0000", 0, "2026-03-01T10:00:00Z", id="salesforce_format"),
        pytest.param("2026-03-01T10:00:30Z", 60, "2026-03-01T09:59:30Z", id="lookback"),
        pytest.param("2026-03-01T12:00:00+02:00", 0, "2026-03-01T10:00:00Z", id="offset_to_utc"),
        pytest.param("2026-03-01T10:00:00", 0, "2026-03-01T10:00:00Z", id="naive_read_as_utc"),
    ],
)
def test_soql_datetime_literal(cursor: str, lookback: int, literal: str) -> None:
    assert datetime_literal(cursor, minus_seconds=lookback) == literal


def test_soql_literals_are_escaped_and_ids_checked() -> None:
    assert string_literal("O'Brien\\x") == "'O\\'Brien\\\\x'"
    assert id_list(["001Hs0000000001AAA", "001Hs0000000002"]) == "('001Hs0000000001AAA','001Hs0000000002')"
    with pytest.raises(ValueError):
        id_list(["001') OR Name != ('"])


def test_incremental_and_full_soql_text(router: respx.MockRouter, token: respx.Route) -> None:
    route = router.get(url__startswith=QUERY_ALL).mock(return_value=_page([]))
    connector = make_connector(incremental_lookback_seconds=60, omit_fields={"contacts": ["Phone"]})
    list(connector.read("contacts", ReadRequest(mode="incremental", cursor="2026-03-01T10:00:00.500+00:00")))
    list(connector.read("contacts", ReadRequest(mode="full", cursor="2026-03-01T10:00:00.500+00:00")))
    fields = (
        "Id, AccountId, FirstName, LastName, Email, Title, Partner_Hub_Id__c, CreatedDate, SystemModstamp, IsDeleted"
    )
    assert [soql_of(call.request) for call in route.calls] == [
        f"SELECT {fields} FROM Contact WHERE SystemModstamp >= 2026-03-01T09:59:00Z ORDER BY SystemModstamp, Id",
        f"SELECT {fields} FROM Contact ORDER BY SystemModstamp, Id",
    ]


def test_next_records_url_paging_and_resume(router: respx.MockRouter, token: respx.Route) -> None:
    second = router.get(f"{INSTANCE}{LOCATOR}").mock(return_value=_page([_account(3)]))
    first = router.get(url__startswith=QUERY_ALL).mock(return_value=_page([_account(1), _account(2)], LOCATOR))
    connector = make_connector(page_size=500)
    pages = list(connector.read("accounts", ReadRequest(mode="full")))
    assert [[r["Id"] for r in p.records] for p in pages] == [
        ["001Hs0000000001AAA", "001Hs0000000002AAA"],
        ["001Hs0000000003AAA"],
    ]
    assert [p.resume for p in pages] == [{"url": LOCATOR}, None]
    assert {c.request.headers["Sforce-Query-Options"] for c in [*first.calls, *second.calls]} == {"batchSize=500"}
    assert pages[0].records[0]["associations"] == {} and "_hub" in pages[0].records[0]

    resumed = list(connector.read("accounts", ReadRequest(mode="full", resume=pages[0].resume)))
    assert [r["Id"] for p in resumed for r in p.records] == ["001Hs0000000003AAA"]
    assert first.call_count == 1 and second.call_count == 2
    assert connector.api_usage is not None and (connector.api_usage.used, connector.api_usage.limit) == (18, 5000)


def test_expired_query_locator_restarts_the_query(router: respx.MockRouter, token: respx.Route) -> None:
    expired = [{"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}]
    router.get(f"{INSTANCE}{LOCATOR}").mock(return_value=httpx.Response(400, json=expired))
    first = router.get(url__startswith=QUERY_ALL).mock(return_value=_page([_account(1)]))
    pages = list(make_connector().read("accounts", ReadRequest(mode="full", resume={"url": LOCATOR})))
    assert first.call_count == 1 and [r["Id"] for p in pages for r in p.records] == ["001Hs0000000001AAA"]


def test_request_limit_exceeded_pauses_instead_of_retrying(router: respx.MockRouter, token: respx.Route) -> None:
    body = [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
    route = router.get(url__startswith=QUERY_ALL).mock(
        return_value=httpx.Response(403, json=body, headers={"Sforce-Limit-Info": "api-usage=5001/5000"})
    )
    connector = make_connector(api_limit_pause_seconds=7200, max_retries=5)
    with pytest.raises(ApiLimitExceeded) as caught:
        list(connector.read("accounts", ReadRequest(mode="full")))
    assert isinstance(caught.value, RateLimited) and caught.value.retry_after == 7200
    assert route.call_count == 1
    assert connector.api_usage is not None and connector.api_usage.remaining == 0


def test_server_errors_are_retried(router: respx.MockRouter, token: respx.Route) -> None:
    route = router.get(url__startswith=QUERY_ALL).mock(
        side_effect=[httpx.Response(503, text="busy"), _page([_account(1)])]
    )
    pages = list(make_connector(max_retries=2).read("accounts", ReadRequest(mode="full")))
    assert route.call_count == 2 and len(pages[0].records) == 1


def test_rejected_query_names_the_salesforce_error(router: respx.MockRouter, token: respx.Route) -> None:
    body = [{"message": "No such column 'DUNS__c' on entity 'Account'.", "errorCode": "INVALID_FIELD"}]
    router.get(url__startswith=QUERY_ALL).mock(return_value=httpx.Response(400, json=body))
    connector = make_connector(extra_fields={"accounts": ["DUNS__c"]})
    with pytest.raises(RequestRejected, match="INVALID_FIELD: No such column 'DUNS__c'"):
        list(connector.read("accounts", ReadRequest(mode="full")))


def _lead_tables(record_types: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    lead = {"Id": "00QHs0000000001AAA", "RecordTypeId": RECORD_TYPE_ID, "Status": "Submitted", "IsDeleted": False}
    other = {**lead, "Id": "00QHs0000000002AAA", "RecordTypeId": "012Hs000000OtherAAA"}
    return {"Lead": [lead, other], "RecordType": record_types}


def test_deal_registrations_are_leads_of_the_record_type(router: respx.MockRouter) -> None:
    record_type = {"Id": RECORD_TYPE_ID, "DeveloperName": "Deal_Registration", "SobjectType": "Lead"}
    org = FakeOrg(router, _lead_tables([record_type]))
    connector = make_connector()
    pages = list(connector.read("deal_registrations", ReadRequest(mode="full")))
    assert [r["Id"] for r in pages[0].records] == ["00QHs0000000001AAA"]
    assert [e for e, _ in org.queries] == ["query", "queryAll"]
    assert f"WHERE RecordTypeId = '{RECORD_TYPE_ID}' ORDER BY" in org.queries[1][1]
    list(connector.read("deal_registrations", ReadRequest(mode="full")))
    assert len(org.queries) == 3  # the record type is looked up once


def test_configured_record_type_id_skips_the_lookup_and_unknown_type_fails(router: respx.MockRouter) -> None:
    org = FakeOrg(router, _lead_tables([]))
    list(
        make_connector(deal_registration_record_type_id=RECORD_TYPE_ID).read("deal_registrations", ReadRequest("full"))
    )
    assert [e for e, _ in org.queries] == ["queryAll"]
    with pytest.raises(ConfigError, match="no record type 'Deal_Registration'"):
        list(make_connector().read("deal_registrations", ReadRequest(mode="full")))


def _opportunity(n: int, stamp: str) -> dict[str, Any]:
    return {"Id": f"006Hs0000000{n:03d}AAA", "SystemModstamp": stamp, "IsDeleted": False, "IsClosed": False}


def _partner(n: int, opp: int, stamp: str, deleted: bool = False) -> dict[str, Any]:
    return {
        "Id": f"00IHs0000000{n:03d}AAA", "OpportunityId": f"006Hs0000000{opp:03d}AAA",
        "AccountToId": "001Hs0000000001AAA", "Role": "Reseller", "IsPrimary": False,
        "SystemModstamp": stamp, "IsDeleted": deleted,
    }  # fmt: skip


def test_incremental_opportunities_reread_those_whose_partners_changed(router: respx.MockRouter) -> None:
    tables = {
        "Opportunity": [
            _opportunity(1, "2026-03-05T00:00:00.000+0000"),
            _opportunity(2, "2026-01-01T00:00:00.000+0000"),
        ],
        "OpportunityPartner": [
            _partner(1, 2, "2026-03-06T00:00:00.000+0000"),
            _partner(2, 2, "2026-03-06T00:00:00.000+0000", deleted=True),
            _partner(3, 1, "2026-01-01T00:00:00.000+0000"),
        ],
    }
    org = FakeOrg(router, tables)
    connector = make_connector()
    request = ReadRequest(mode="incremental", cursor="2026-03-01T00:00:00.000+00:00")
    pages = list(connector.read("opportunities", request))
    assert [[r["Id"] for r in p.records] for p in pages] == [["006Hs0000000001AAA"], ["006Hs0000000002AAA"]]
    assert [p.resume for p in pages] == [{"phase": "partner_changes"}, None]
    reread = pages[1].records[0]
    # the re-read is fetched after the first phase's snapshot: it must not move the cursor
    assert connector.spec.stream("opportunities").cursor_field == "_hub.cursor"
    assert pages[0].records[0]["_hub"]["cursor"] == "2026-03-05T00:00:00.000+0000"
    assert reread["_hub"]["cursor"] is None and reread["SystemModstamp"] == "2026-01-01T00:00:00.000+0000"
    assert [row["Id"] for row in reread["OpportunityPartnersFrom"]["records"]] == ["00IHs0000000001AAA"]
    assert reread["associations"]["accounts"] == [{"id": "001Hs0000000001AAA", "types": ["partner_reseller"]}]
    assert ("queryAll", "SELECT Id, OpportunityId FROM OpportunityPartner WHERE SystemModstamp >= "
            "2026-03-01T00:00:00Z ORDER BY SystemModstamp, Id") in org.queries  # fmt: skip

    before = len(org.queries)
    resumed = list(connector.read("opportunities", ReadRequest("incremental", request.cursor, pages[0].resume)))
    assert [[r["Id"] for r in p.records] for p in resumed] == [["006Hs0000000002AAA"]]
    assert not any("FROM Opportunity " in soql and "Id IN" not in soql for _, soql in org.queries[before:])


def test_fetch_by_id_uses_query_all_and_skips_malformed_ids(router: respx.MockRouter) -> None:
    gone = {"Id": "003Hs0000000009AAA", "LastName": "Gone", "IsDeleted": True, "AccountId": None}
    org = FakeOrg(router, {"Contact": [gone]})
    records = make_connector().fetch("contacts", ["003Hs0000000009AAA", "'); DELETE", "003Hs0000000008AAA"])
    assert [(r["Id"], r["IsDeleted"]) for r in records] == [("003Hs0000000009AAA", True)]
    endpoint, soql = org.queries[0]
    assert endpoint == "queryAll" and "WHERE Id IN ('003Hs0000000009AAA','003Hs0000000008AAA')" in soql
    assert make_connector().fetch("Contact", []) == []


def test_without_a_usage_header_the_limits_resource_decides(router: respx.MockRouter, token: respx.Route) -> None:
    concurrent = [{"message": "ConcurrentRequests (Concurrent API Requests) Limit exceeded.",
                   "errorCode": "REQUEST_LIMIT_EXCEEDED"}]  # fmt: skip
    route = router.get(url__startswith=QUERY_ALL).mock(
        side_effect=[httpx.Response(403, json=concurrent), _page([_account(1)])]
    )
    limits = router.get(f"{INSTANCE}{DATA}/limits").mock(
        return_value=httpx.Response(200, json={"DailyApiRequests": {"Max": 5000, "Remaining": 4000}})
    )
    connector = make_connector()
    pages = list(connector.read("accounts", ReadRequest(mode="full")))
    assert [r["Id"] for p in pages for r in p.records] == ["001Hs0000000001AAA"]
    assert route.call_count == 2 and limits.call_count == 1 and connector.requester.concurrent_waits == 1


def test_when_nothing_tells_the_message_does(router: respx.MockRouter, token: respx.Route) -> None:
    daily = [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
    router.get(url__startswith=QUERY_ALL).mock(return_value=httpx.Response(403, json=daily))
    no_access = [{"message": "insufficient access rights", "errorCode": "INSUFFICIENT_ACCESS"}]
    router.get(f"{INSTANCE}{DATA}/limits").mock(return_value=httpx.Response(403, json=no_access))
    with pytest.raises(ApiLimitExceeded):
        list(make_connector().read("accounts", ReadRequest(mode="full")))
