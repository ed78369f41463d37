"""An org without multi-currency or partner features: describe omits what it lacks, SOQL naming it
fails as Salesforce fails it; refresh token rotation."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from .conftest import API, tls_session

NO_FEATURES = {"features": {"multicurrency": False, "partner": False}}


def _ok(response: httpx.Response) -> dict[str, object]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, dict)
    return body


@pytest.fixture
def bare_org(admin: httpx.Client) -> Iterator[None]:
    assert _ok(admin.post("/_sandbox/config", json=NO_FEATURES))["features"] == NO_FEATURES["features"]
    yield  # the conftest's _reset_controls switches the features back on


def _fields(api: httpx.Client, sobject: str) -> set[str]:
    return {str(f["name"]) for f in api.get(f"{API}/sobjects/{sobject}/describe").json()["fields"]}


def test_describe_omits_what_the_org_lacks(api: httpx.Client, bare_org: None) -> None:
    objects = {str(o["name"]) for o in api.get(f"{API}/sobjects").json()["sobjects"]}
    assert {"Account", "Opportunity", "OpportunityPartner"} <= objects
    assert not objects & {"ChannelProgram", "ChannelProgramLevel", "ChannelProgramMember"}
    account, opportunity, lead = _fields(api, "Account"), _fields(api, "Opportunity"), _fields(api, "Lead")
    assert not account & {"CurrencyIsoCode", "IsPartner", "ChannelProgramName", "ChannelProgramLevelName"}
    assert "CurrencyIsoCode" not in opportunity and "PartnerAccountId" not in opportunity
    assert "PartnerAccountId" not in lead and {"Name", "Amount", "StageName"} <= opportunity
    missing = api.get(f"{API}/sobjects/ChannelProgramMember/describe")
    assert missing.status_code == 404
    assert missing.json() == [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]


def test_soql_naming_a_missing_field_or_object_fails_like_salesforce(api: httpx.Client, bare_org: None) -> None:
    soql = "SELECT Id, CurrencyIsoCode FROM Account"
    field = api.get(f"{API}/query", params={"q": soql})
    assert field.status_code == 400
    assert field.json() == [
        {
            "message": "\nSELECT Id, CurrencyIsoCode FROM Account\n           ^\nERROR at Row:1:Column:12\n"
            "No such column 'CurrencyIsoCode' on entity 'Account'. If you are attempting to use a custom field, be "
            "sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call "
            "for the appropriate names.",
            "errorCode": "INVALID_FIELD",
        }
    ]
    relationship = api.get(f"{API}/query", params={"q": "SELECT PartnerAccount.Name FROM Opportunity"})
    assert relationship.status_code == 400 and relationship.json()[0]["errorCode"] == "INVALID_FIELD"
    obj = api.get(f"{API}/query", params={"q": "SELECT Id FROM ChannelProgramMember"})
    assert obj.status_code == 400 and obj.json()[0]["errorCode"] == "INVALID_TYPE"
    assert "sObject type 'ChannelProgramMember' is not supported." in obj.json()[0]["message"]
    write = api.post(f"{API}/sobjects/Account", json={"Name": "Acme", "IsPartner": True})
    assert write.status_code == 400 and write.json()[0]["errorCode"] == "INVALID_FIELD"


def test_features_switch_back_on(api: httpx.Client, admin: httpx.Client) -> None:
    admin.post("/_sandbox/config", json={"features": {"partner": False}}).raise_for_status()
    assert "CurrencyIsoCode" in _fields(api, "Account") and "IsPartner" not in _fields(api, "Account")
    admin.post("/_sandbox/config", json={"features": {"partner": True}}).raise_for_status()
    rows = api.get(f"{API}/query", params={"q": "SELECT Id, IsPartner FROM Account WHERE IsPartner = true LIMIT 1"})
    assert rows.status_code == 200 and rows.json()["records"][0]["IsPartner"] is True
    bad = admin.post("/_sandbox/config", json={"features": {"partners": False}})
    assert bad.status_code == 400 and bad.json()[0]["errorCode"] == "INVALID_INPUT"


def _authorize(admin: httpx.Client, creds: dict[str, str]) -> str:
    form = {
        "grant_type": "authorization_code", "code": creds["authorization_code"], "redirect_uri": creds["redirect_uri"],
        "client_id": creds["consumer_key"], "client_secret": creds["consumer_secret"],
    }  # fmt: skip
    return str(_ok(admin.post("/services/oauth2/token", data=form))["refresh_token"])


def _refresh(admin: httpx.Client, creds: dict[str, str], token: str) -> httpx.Response:
    form = {"grant_type": "refresh_token", "refresh_token": token, "client_id": creds["consumer_key"]}
    return admin.post("/services/oauth2/token", data=form)


def test_refresh_token_rotation(admin: httpx.Client, creds: dict[str, str]) -> None:
    first = _authorize(admin, creds)
    plain = _ok(_refresh(admin, creds, first))
    assert "refresh_token" not in plain  # rotation off: the refresh token stays valid
    admin.post("/_sandbox/config", json={"rotate_refresh_tokens": True}).raise_for_status()
    rotated = _ok(_refresh(admin, creds, first))
    second = str(rotated["refresh_token"])
    assert second != first and rotated["access_token"]
    reused = _refresh(admin, creds, first)
    assert reused.status_code == 400
    assert reused.json() == {"error": "invalid_grant", "error_description": "expired access/refresh token"}
    assert _ok(_refresh(admin, creds, second))["refresh_token"] != second


def test_the_official_client_sees_the_bare_org(creds: dict[str, str], admin: httpx.Client, bare_org: None) -> None:
    sf = Salesforce(
        instance_url=creds["base_url"], session_id=creds["session_id"], session=tls_session(creds["cert_path"])
    )
    names = {o["name"] for o in sf.describe()["sobjects"]}
    assert "Opportunity" in names and "ChannelProgram" not in names
    assert "IsPartner" not in {f["name"] for f in sf.Account.describe()["fields"]}
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.query("SELECT Id, PartnerAccountId FROM Opportunity")
    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD"
    with pytest.raises(SalesforceResourceNotFound):
        sf.ChannelProgramMember.describe()
    admin.post("/_sandbox/faults", json={"kind": "rate_limit"}).raise_for_status()
    with pytest.raises(SalesforceRefusedRequest) as refused:
        sf.limits()
    assert refused.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    usage = sf.api_usage["api-usage"]
    assert usage.used < usage.total  # the concurrent limit: quota left
