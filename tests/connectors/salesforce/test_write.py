"""Write-back: single update/upsert answers, sObject Collections with per-record results."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from connectors.sdk import WriteRecord, WriteResult

from .conftest import DATA, INSTANCE, LOGIN, make_connector, token_response

COLLECTIONS = f"{INSTANCE}{DATA}/composite/sobjects"
EMAIL_ERROR = {"statusCode": "INVALID_EMAIL_ADDRESS", "message": "Email: invalid email address", "fields": ["Email__c"]}
NOT_FOUND = [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]


@pytest.fixture(autouse=True)
def token(router: respx.MockRouter) -> respx.Route:
    return router.post(f"{LOGIN}/services/oauth2/token").mock(return_value=token_response())


def test_collection_upsert_by_external_id_fails_records_alone(router: respx.MockRouter) -> None:
    route = router.patch(f"{COLLECTIONS}/Account/Ext_Id__c").mock(
        return_value=httpx.Response(
            200,
            json=[
                {"id": "001Hs0000000001AAA", "success": True, "errors": [], "created": True},
                {"id": "001Hs0000000002AAA", "success": True, "errors": [], "created": False},
                {"success": False, "errors": [EMAIL_ERROR]},
            ],
        )
    )  # fmt: skip
    records = [WriteRecord("A-1", {"Website": "a.com"}), WriteRecord("A-2", {"Phone": "+1"}), WriteRecord("A-3", {})]
    results = make_connector().write("accounts", records, id_property="Ext_Id__c")
    assert results == [
        WriteResult(key="A-1", ok=True, external_id="001Hs0000000001AAA", created=True),
        WriteResult(key="A-2", ok=True, external_id="001Hs0000000002AAA", created=False),
        WriteResult(
            key="A-3",
            ok=False,
            error="INVALID_EMAIL_ADDRESS: Email: invalid email address (fields: Email__c)",
            details={"errors": [EMAIL_ERROR]},
        ),
    ]  # fmt: skip
    body = json.loads(route.calls[0].request.content)
    assert body["allOrNone"] is False
    assert body["records"][0] == {"attributes": {"type": "Account"}, "Website": "a.com", "Ext_Id__c": "A-1"}


def test_collection_update_by_id_checks_ids_locally(router: respx.MockRouter) -> None:
    route = router.patch(COLLECTIONS).mock(
        return_value=httpx.Response(200, json=[{"id": "003Hs0000000001AAA", "success": True, "errors": []}])
    )
    records = [WriteRecord("003Hs0000000001AAA", {"Email": "a@b.co"}), WriteRecord("not-an-id", {"Email": "x@y.co"})]
    results = make_connector().write("Contact", records)  # the sObject name works too; id_property defaults to Id
    assert [(r.ok, r.external_id, r.created) for r in results] == [
        (True, "003Hs0000000001AAA", False),
        (False, None, None),
    ]
    assert "not a Salesforce record id" in (results[1].error or "")
    sent = json.loads(route.calls[0].request.content)["records"]
    assert sent == [{"attributes": {"type": "Contact"}, "Email": "a@b.co", "Id": "003Hs0000000001AAA"}]


def test_rejected_collection_fails_every_record_and_big_batches_split(router: respx.MockRouter) -> None:
    bad = [{"message": "Json Deserialization failed", "errorCode": "JSON_PARSER_ERROR"}]
    route = router.patch(f"{COLLECTIONS}/Account/Ext_Id__c").mock(
        side_effect=[httpx.Response(400, json=bad), httpx.Response(200, json=[{"id": "x", "success": True}] * 50)]
    )
    records = [WriteRecord(f"A-{n}", {"Name": str(n)}) for n in range(250)]
    results = make_connector().write("accounts", records, id_property="Ext_Id__c")
    assert route.call_count == 2 and len(json.loads(route.calls[1].request.content)["records"]) == 50
    assert all(not r.ok and r.error == "JSON_PARSER_ERROR: Json Deserialization failed" for r in results[:200])
    assert all(r.ok for r in results[200:])


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        pytest.param(
            httpx.Response(201, json={"id": "001Hs0000000007AAA", "success": True, "errors": [], "created": True}),
            WriteResult(key="ACME 1/2", ok=True, external_id="001Hs0000000007AAA", created=True),
            id="201_created",
        ),
        pytest.param(
            httpx.Response(200, json={"id": "001Hs0000000007AAA", "success": True, "errors": [], "created": False}),
            WriteResult(key="ACME 1/2", ok=True, external_id="001Hs0000000007AAA", created=False),
            id="200_updated",
        ),
        pytest.param(
            httpx.Response(204), WriteResult(key="ACME 1/2", ok=True, created=False), id="204_updated_before_v46"
        ),
        pytest.param(
            httpx.Response(300, json=[f"{DATA}/sobjects/Account/001A", f"{DATA}/sobjects/Account/001B"]),
            WriteResult(
                key="ACME 1/2", ok=False, error="2 records match Ext_Id__c = 'ACME 1/2'", details={"status": 300}
            ),
            id="300_ambiguous",
        ),
        pytest.param(
            httpx.Response(404, json=NOT_FOUND),
            WriteResult(
                key="ACME 1/2", ok=False, error="NOT_FOUND: The requested resource does not exist",
                details={"status": 404, "errors": NOT_FOUND},
            ),
            id="404_no_such_field",
        ),
    ],
)  # fmt: skip
def test_single_upsert_answers(router: respx.MockRouter, response: httpx.Response, expected: WriteResult) -> None:
    route = router.patch(f"{INSTANCE}{DATA}/sobjects/Account/Ext_Id__c/ACME%201%2F2").mock(return_value=response)
    record = WriteRecord("ACME 1/2", {"Ext_Id__c": "ignored", "Website": "acme.com"})
    assert make_connector().write("accounts", [record], id_property="Ext_Id__c") == [expected]
    assert json.loads(route.calls[0].request.content) == {"Website": "acme.com"}  # the key is in the URL only


def test_single_update_by_id(router: respx.MockRouter) -> None:
    route = router.patch(f"{INSTANCE}{DATA}/sobjects/Opportunity/006Hs0000000001AAA").mock(
        return_value=httpx.Response(204)
    )
    results = make_connector().write("opportunities", [WriteRecord("006Hs0000000001AAA", {"StageName": "Closed Won"})])
    assert results == [WriteResult(key="006Hs0000000001AAA", ok=True, external_id="006Hs0000000001AAA", created=False)]
    assert route.call_count == 1


def test_read_only_streams_refuse_writes() -> None:
    with pytest.raises(NotImplementedError):
        make_connector().write("channel_program_members", [WriteRecord("0cmHs0000000001AAA", {})])
