"""The hub's id in Salesforce's ``Partner_Hub_Id__c`` (ADR 21): written with an update by Id, the key
of an upsert for a record the hub has no Salesforce Id for, read back into the mapping's ``hub_id``;
an org whose describe lacks the field is written without it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from pydantic import SecretStr

from connectors.salesforce import SalesforceConfig, SalesforceConnector
from connectors.sdk import ReadRequest, WriteRecord
from hub.mapping import Mapper
from sandbox.salesforce import SalesforceSandbox
from tests.policy import SANDBOX_OUTBOUND

from .conftest import DATA, INSTANCE, REPO, FakeDescribe, make_connector, token_response

HUB_A = "0f8fad5b-d9cb-469f-a165-70867728950e"
HUB_B = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


@pytest.fixture(scope="module")
def org() -> Iterator[SalesforceSandbox]:
    with SalesforceSandbox(seed=5, size=200) as sandbox:
        yield sandbox


@pytest.fixture
def sf(org: SalesforceSandbox) -> Iterator[SalesforceConnector]:
    creds = org.credentials
    config = SalesforceConfig(
        login_url=org.base_url, api_version="59.0", client_id=creds["consumer_key"],
        client_secret=SecretStr(creds["consumer_secret"]), verify_tls=str(org.cert_path), page_size=200,
    )  # fmt: skip
    connector = SalesforceConnector(config, outbound=SANDBOX_OUTBOUND)
    yield connector
    connector.close()


def _accounts(sf: SalesforceConnector) -> dict[str, dict[str, Any]]:
    return {r["Id"]: r for page in sf.read("accounts", ReadRequest(mode="full")) for r in page.records}


def test_the_hub_id_is_written_by_id_and_upserted_by_and_read_back_into_hub_id(sf: SalesforceConnector) -> None:
    before = _accounts(sf)
    account_id = next(i for i, r in before.items() if not r["IsDeleted"])
    assert before[account_id]["Partner_Hub_Id__c"] is None  # read: the org's describe has the field
    results = sf.write(
        "accounts",
        [
            WriteRecord(key=account_id, properties={"Phone": "+14155550100"}, external_id=account_id, hub_id=HUB_A),
            WriteRecord(key=HUB_B, properties={"Name": "Brand New Partner GmbH"}, hub_id=HUB_B),
        ],
    )
    assert [r.ok for r in results] == [True, True], results
    assert results[0].external_id == account_id and results[0].created is False
    assert results[1].created is True and results[1].external_id and results[1].external_id != account_id
    assert [r.key for r in results] == [account_id, HUB_B]  # the caller's keys, whatever addressed the record
    after = _accounts(sf)
    assert after[account_id]["Partner_Hub_Id__c"] == HUB_A and after[account_id]["Phone"] == "+14155550100"
    assert after[str(results[1].external_id)]["Partner_Hub_Id__c"] == HUB_B

    again = sf.write("accounts", [WriteRecord(key=HUB_B, properties={"Phone": "+14155550101"}, hub_id=HUB_B)])
    assert again[0].ok and again[0].created is False  # the same hub id updates the record it created

    mapper = Mapper.from_file(REPO / "mappings" / "salesforce.yaml")
    canonical = mapper.map("accounts", after[account_id], lambda ref: f"org:{ref.id}")
    assert canonical.fields["hub_id"] == HUB_A


@respx.mock
def test_an_org_without_the_field_is_written_without_it() -> None:
    respx.post(url__regex=r".*/services/oauth2/token$").mock(return_value=token_response())
    FakeDescribe(respx.mock, absent=("Account.Partner_Hub_Id__c",))
    route = respx.patch(f"{INSTANCE}{DATA}/composite/sobjects").mock(
        return_value=httpx.Response(200, json=[{"id": "001Hs0000000001AAA", "success": True, "errors": []}] * 2)
    )
    connector = make_connector()
    records = [
        WriteRecord(key=i, properties={"Phone": "+1"}, external_id=i, hub_id=HUB_A)
        for i in ("001Hs0000000001AAA", "001Hs0000000002AAA")
    ]
    assert all(r.ok for r in connector.write("accounts", records))
    sent = json.loads(route.calls[0].request.content)["records"]
    assert all("Partner_Hub_Id__c" not in r for r in sent) and [r["Id"] for r in sent] == [
        "001Hs0000000001AAA",
        "001Hs0000000002AAA",
    ]
