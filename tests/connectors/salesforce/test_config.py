"""Config validation, as data: what is refused, and why."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from connectors.salesforce import SalesforceConfig, SalesforceConnector
from hub.connector_store import secret_fields

from .conftest import make_config


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"auth_type": "refresh_token"}, "needs refresh_token", id="refresh_without_token"),
        pytest.param({"extra_fields": {"leads": ["X__c"]}}, "unknown stream 'leads'", id="unknown_stream"),
        pytest.param({"extra_fields": {"accounts": ["Name FROM User --"]}}, "not field API names", id="injection"),
        pytest.param({"omit_fields": {"accounts": ["SystemModstamp"]}}, "cannot be omitted", id="omit_cursor"),
        pytest.param({"page_size": 100}, "greater than or equal to 200", id="batch_below_200"),
        pytest.param({"api_version": "v62.0"}, "should match pattern", id="version_with_v"),
        pytest.param({"login_url": "https://login.salesforce.com/services"}, "should match", id="login_url_path"),
        pytest.param({"deal_registration_record_type": "Deal Reg'"}, "DeveloperName", id="record_type_name"),
        pytest.param({"outbound_message_org_id": "00D-bad"}, "should match pattern", id="org_id"),
        pytest.param({"surprise": 1}, "Extra inputs are not permitted", id="extra_forbidden"),
    ],
)
def test_bad_config_is_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        make_config(**overrides)


def test_fields_apply_omissions_and_extras() -> None:
    config = make_config(
        omit_fields={"opportunities": ["CurrencyIsoCode", "ContactId"]},
        extra_fields={"opportunities": ["Deal_Registration__c", "Name"]},
    )
    fields = config.fields("opportunities")
    assert "CurrencyIsoCode" not in fields and "ContactId" not in fields
    assert fields[-1] == "Deal_Registration__c" and fields.count("Name") == 1


def test_credentials_are_top_level_secret_fields() -> None:
    assert secret_fields(SalesforceConfig) == {
        "client_secret", "refresh_token", "outbound_message_token", "outbound_message_token_previous",
    }  # fmt: skip
    assert SalesforceConnector.config_model is SalesforceConfig
    assert make_config(client_secret=SecretStr("s")).token_url == "https://login.sf.test/services/oauth2/token"
