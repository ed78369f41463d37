"""Salesforce as production meets it, against the HTTPS sandbox: orgs without multi-currency or
partner features, refresh token rotation, and the two limits behind REQUEST_LIMIT_EXCEEDED."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from connectors.salesforce import ApiLimitExceeded, SalesforceConfig, SalesforceConnector
from connectors.salesforce.errors import ConcurrentLimitExceeded
from connectors.sdk import AuthError, ConfigError, RateLimited, ReadRequest
from hub.connector_store import ConnectorCreate
from hub.context import Hub
from sandbox.salesforce import SalesforceSandbox
from tests.policy import SANDBOX_OUTBOUND

VERSION = "59.0"
FEATURE_FIELDS = {"CurrencyIsoCode", "IsPartner", "PartnerAccountId", "ChannelProgramName", "ChannelProgramLevelName"}


@pytest.fixture(scope="module")
def org() -> Iterator[SalesforceSandbox]:
    """A sandbox of this module's own: the tests switch its features, limits and token rotation."""
    with SalesforceSandbox(seed=11, size=400) as sandbox:
        yield sandbox


@pytest.fixture
def admin(org: SalesforceSandbox) -> Iterator[httpx.Client]:
    headers = {"X-Sandbox-Admin": org.credentials["admin_token"]}
    with httpx.Client(base_url=org.base_url, verify=str(org.cert_path), headers=headers) as client:
        yield client
        client.delete("/_sandbox/faults").raise_for_status()
        reset = {"features": {"multicurrency": True, "partner": True}, "rotate_refresh_tokens": False}
        client.post("/_sandbox/config", json=reset).raise_for_status()
        client.delete("/_sandbox/usage").raise_for_status()


def config(org: SalesforceSandbox, **overrides: Any) -> dict[str, Any]:
    creds = org.credentials
    return {
        "login_url": org.base_url, "api_version": VERSION, "client_id": creds["consumer_key"],
        "verify_tls": str(org.cert_path), "page_size": 200, "concurrent_limit_wait_seconds": 0, **overrides,
    }  # fmt: skip


def connect(org: SalesforceSandbox, **overrides: Any) -> SalesforceConnector:
    values = {"client_secret": SecretStr(org.credentials["consumer_secret"]), **config(org, **overrides)}
    return SalesforceConnector(SalesforceConfig(**values), sleep=lambda _seconds: None, outbound=SANDBOX_OUTBOUND)


def records(connector: SalesforceConnector, stream: str) -> list[dict[str, Any]]:
    return [record for page in connector.read(stream, ReadRequest(mode="full")) for record in page.records]


# --- orgs without multi-currency or partner features --------------------------------------------


def test_a_full_featured_org_is_read_with_every_field(org: SalesforceSandbox, admin: httpx.Client) -> None:
    connector = connect(org)
    accounts = records(connector, "accounts")
    assert accounts and {"IsPartner", "ChannelProgramName", "ChannelProgramLevelName"} <= set(accounts[0])
    assert {"CurrencyIsoCode", "PartnerAccountId"} <= set(records(connector, "opportunities")[0])
    assert records(connector, "channel_program_members") and connector.unavailable_streams() == {}


def test_an_org_without_the_features_is_read_without_them(org: SalesforceSandbox, admin: httpx.Client) -> None:
    admin.post("/_sandbox/config", json={"features": {"multicurrency": False, "partner": False}}).raise_for_status()
    connector = connect(org, deal_registration_record_type="Deal_Registration")
    for stream in ("accounts", "opportunities", "deal_registrations", "contacts"):
        rows = records(connector, stream)
        assert rows, stream
        assert not FEATURE_FIELDS & {key for row in rows for key in row}, stream
    opportunities = records(connector, "opportunities")
    assert any(row["OpportunityPartnersFrom"]["records"] for row in opportunities)  # partner rows still folded in

    pages = list(connector.read("channel_program_members", ReadRequest(mode="full")))
    assert [(page.records, page.resume) for page in pages] == [([], None)]
    reasons = connector.unavailable_streams()
    assert list(reasons) == ["channel_program_members"] and "ChannelProgramMember" in reasons["channel_program_members"]
    assert connector.fetch("channel_program_members", ["0Hm000000000001AAA"]) == []
    connector.check()  # the credentials still prove themselves


def test_extra_fields_the_org_lacks_are_a_config_error(org: SalesforceSandbox, admin: httpx.Client) -> None:
    admin.post("/_sandbox/config", json={"features": {"multicurrency": False}}).raise_for_status()
    connector = connect(org, extra_fields={"contacts": ["CurrencyIsoCode"]})
    with pytest.raises(ConfigError, match="Contact has no field CurrencyIsoCode"):
        records(connector, "contacts")


def test_every_stream_of_a_bare_org_syncs_through_the_hub(
    org: SalesforceSandbox, admin: httpx.Client, hub: Hub
) -> None:
    admin.post("/_sandbox/config", json={"features": {"multicurrency": False, "partner": False}}).raise_for_status()
    creds = org.credentials
    hub.store.create(
        ConnectorCreate(id="bare", kind="salesforce", config=config(org),
                        credentials={"client_secret": creds["consumer_secret"]})
    )  # fmt: skip
    runs = hub.runner.run_all("bare", mode="full")
    assert [r.status for r in runs] == ["succeeded"] * len(runs), [r.error for r in runs]
    by_stream = {r.stream: r for r in runs}
    assert by_stream["channel_program_members"].outcome.seen == 0 and by_stream["accounts"].outcome.seen > 0


# --- refresh token rotation ---------------------------------------------------------------------


def _authorize(admin: httpx.Client, creds: dict[str, str]) -> str:
    form = {
        "grant_type": "authorization_code", "code": creds["authorization_code"], "redirect_uri": creds["redirect_uri"],
        "client_id": creds["consumer_key"], "client_secret": creds["consumer_secret"],
    }  # fmt: skip
    response = admin.post("/services/oauth2/token", data=form)
    assert response.status_code == 200, response.text
    return str(response.json()["refresh_token"])


def test_a_rotated_refresh_token_is_kept_and_handed_on(org: SalesforceSandbox, admin: httpx.Client) -> None:
    admin.post("/_sandbox/config", json={"rotate_refresh_tokens": True}).raise_for_status()
    first = _authorize(admin, org.credentials)
    stored: list[dict[str, str]] = []
    connector = connect(org, auth_type="refresh_token", refresh_token=SecretStr(first))
    connector.credentials_changed = stored.append
    connector.check()
    assert len(stored) == 1 and stored[0]["refresh_token"] != first
    admin.post("/_sandbox/faults", json={"kind": "expire_tokens"}).raise_for_status()
    connector.check()  # the session died: refreshed with the rotated token (the first one is dead)
    assert len(stored) == 2 and stored[1]["refresh_token"] != stored[0]["refresh_token"]

    stale = connect(org, auth_type="refresh_token", refresh_token=SecretStr(first))
    with pytest.raises(AuthError, match="invalid_grant"):
        stale.check()
    connect(org, auth_type="refresh_token", refresh_token=SecretStr(stored[-1]["refresh_token"])).check()


def test_the_hub_reseals_a_rotated_refresh_token(org: SalesforceSandbox, admin: httpx.Client, hub: Hub) -> None:
    admin.post("/_sandbox/config", json={"rotate_refresh_tokens": True}).raise_for_status()
    first = _authorize(admin, org.credentials)
    hub.store.create(
        ConnectorCreate(id="rotating", kind="salesforce", config=config(org, auth_type="refresh_token"),
                        credentials={"client_secret": org.credentials["consumer_secret"], "refresh_token": first})
    )  # fmt: skip
    runs = hub.runner.run_all("rotating", mode="full", streams=["contacts"])
    assert [r.status for r in runs] == ["succeeded"], [r.error for r in runs]
    rebuilt = hub.store.build("rotating")
    assert isinstance(rebuilt, SalesforceConnector)
    kept = rebuilt.config.refresh_token
    assert kept is not None and kept.get_secret_value() != first
    rebuilt.check()  # the stored token is the live one
    rebuilt.close()
    assert hub.store.get("rotating").credentials_set == ["client_secret", "refresh_token"]


# --- the concurrent request limit and the daily quota -------------------------------------------


def test_the_concurrent_limit_is_waited_out(org: SalesforceSandbox, admin: httpx.Client) -> None:
    prefix = f"/services/data/v{VERSION}/queryAll"
    admin.post("/_sandbox/faults", json={"kind": "rate_limit", "times": 2, "path_prefix": prefix}).raise_for_status()
    connector = connect(org, concurrent_limit_retries=3)
    assert records(connector, "contacts")
    assert connector.requester.concurrent_waits == 2

    admin.post("/_sandbox/faults", json={"kind": "rate_limit", "times": 5, "path_prefix": prefix}).raise_for_status()
    with pytest.raises(ConcurrentLimitExceeded, match="ConcurrentRequests") as caught:
        records(connect(org, concurrent_limit_retries=2), "contacts")
    assert not isinstance(caught.value, RateLimited)  # the hub fails the run; it does not pause the stream


def test_a_spent_daily_quota_pauses_at_once(org: SalesforceSandbox, admin: httpx.Client) -> None:
    connector = connect(org, api_limit_pause_seconds=7200)
    connector.check()
    limit = admin.get("/_sandbox/usage").json()["limit"]
    admin.post("/_sandbox/config", json={"api_usage": limit}).raise_for_status()
    with pytest.raises(ApiLimitExceeded, match="TotalRequests Limit exceeded") as caught:
        records(connector, "contacts")
    assert caught.value.retry_after == 7200 and connector.requester.concurrent_waits == 0
    assert connector.api_usage is not None and connector.api_usage.remaining == 0


def test_the_hub_pauses_only_for_the_daily_quota(org: SalesforceSandbox, admin: httpx.Client, hub: Hub) -> None:
    creds = org.credentials
    hub.store.create(
        ConnectorCreate(id="limits", kind="salesforce", config=config(org, concurrent_limit_retries=1),
                        credentials={"client_secret": creds["consumer_secret"]})
    )  # fmt: skip
    prefix = f"/services/data/v{VERSION}/queryAll"
    admin.post("/_sandbox/faults", json={"kind": "rate_limit", "times": 3, "path_prefix": prefix}).raise_for_status()
    concurrent = hub.runner.run("limits", "contacts", mode="full")
    assert concurrent.status == "failed" and "ConcurrentLimitExceeded" in str(concurrent.error)
    admin.delete("/_sandbox/faults").raise_for_status()
    assert hub.runner.run("limits", "contacts", mode="full").status == "succeeded"  # not paused

    limit = admin.get("/_sandbox/usage").json()["limit"]
    admin.post("/_sandbox/config", json={"api_usage": limit}).raise_for_status()
    daily = hub.runner.run("limits", "accounts", mode="full")
    assert daily.status == "paused" and "ApiLimitExceeded" in str(daily.error)
