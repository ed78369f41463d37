"""Record normalisation helpers and the configuration model."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from connectors.partnerstack import PartnerStackConfig, normalise
from connectors.partnerstack.connector import to_epoch_ms
from connectors.partnerstack.freemail import company_domain
from connectors.partnerstack.records import cents_to_units

from .conftest import FIXTURE_LOOKUP, TOKEN


@pytest.mark.parametrize(
    ("cents", "units"),
    [
        pytest.param(1250, "12.50", id="int"),
        pytest.param(5, "0.05", id="small"),
        pytest.param(0, "0.00", id="zero"),
        pytest.param(-300, "-3.00", id="refund"),
        pytest.param("1999", "19.99", id="digits_text"),
        pytest.param(2500.0, "25.00", id="whole_float"),
        pytest.param(None, None, id="absent"),
        pytest.param(" ", None, id="blank"),
        pytest.param(12.5, "not whole cents: 12.5", id="fraction_rejected_by_mapping"),
        pytest.param(True, "not whole cents: True", id="boolean"),
    ],
)
def test_cents_to_units(cents: Any, units: str | None) -> None:
    assert cents_to_units(cents) == units


@pytest.mark.parametrize(
    ("email", "domain"),
    [
        pytest.param("jane@Acme.COM", "acme.com", id="company"),
        pytest.param("sam@gmail.com", None, id="free_mail"),
        pytest.param("x@Outlook.com", None, id="free_mail_case"),
        pytest.param("not-an-address", None, id="not_an_address"),
        pytest.param("x@localhost", None, id="no_dot"),
        pytest.param(None, None, id="absent"),
    ],
)
def test_company_domain(email: Any, domain: str | None) -> None:
    assert company_domain(email) == domain


@pytest.mark.parametrize(
    ("record", "status"),
    [
        pytest.param({"key": "p", "joined_at": 1}, "joined", id="joined"),
        pytest.param({"key": "p", "joined_at": None}, "invited", id="invited"),
        pytest.param({"key": "p", "joined_at": 1, "archived": True}, "archived", id="archived"),
        pytest.param({"key": "p", "joined_at": 1, "is_archived": True}, "archived", id="is_archived"),
        pytest.param({"key": "p", "joined_at": 1, "archived": "true"}, "archived", id="archived_as_text"),
        pytest.param({"key": "p", "joined_at": 1, "archived": False, "is_archived": False}, "joined", id="live"),
    ],
)
def test_partnership_status(record: dict[str, Any], status: str) -> None:
    assert normalise("partnerships", record, FIXTURE_LOOKUP)["partnership_status"] == status


def test_normalise_copies_and_keeps_every_raw_member() -> None:
    raw = {"key": "deal_1", "partner_key": "acme", "amount": 100, "meta": {"x": 1}}
    out = normalise("deals", raw, FIXTURE_LOOKUP)
    assert raw == {"key": "deal_1", "partner_key": "acme", "amount": 100, "meta": {"x": 1}}
    assert {k: out[k] for k in raw} == raw
    assert set(out) - set(raw) == {"associations", "deleted", "amount_decimal", "custom_fields"}


@pytest.mark.parametrize(
    ("cursor", "ms"),
    [
        pytest.param("2026-01-01T00:00:00.000Z", 1_767_225_600_000, id="iso_z"),
        pytest.param("2026-01-01T01:00:00+01:00", 1_767_225_600_000, id="offset"),
        pytest.param("2026-01-01T00:00:00", 1_767_225_600_000, id="naive_is_utc"),
        pytest.param("1767225600000", 1_767_225_600_000, id="epoch_ms"),
    ],
)
def test_cursor_to_epoch_ms(cursor: str, ms: int) -> None:
    assert to_epoch_ms(cursor) == ms


def _config(**extra: Any) -> PartnerStackConfig:
    return PartnerStackConfig(public_key="pk", secret_key=SecretStr("sk_live_very_secret"), **extra)


def test_config_defaults_and_secrets_stay_hidden() -> None:
    config = _config(webhook_token=SecretStr(TOKEN))
    assert config.base_url == "https://api.partnerstack.com/api/v2" and config.page_size == 250
    shown = repr(config) + str(config)
    assert "sk_live_very_secret" not in shown and TOKEN not in shown


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"page_size": 251}, id="page_size_over_250"),
        pytest.param({"page_size": 0}, id="page_size_zero"),
        pytest.param({"api_key": "x"}, id="unknown_key"),
        pytest.param({"webhook_token": SecretStr("short")}, id="weak_token"),
        pytest.param({"webhook_token_previous": SecretStr(TOKEN)}, id="previous_without_current"),
        pytest.param({"base_url": "ftp://x"}, id="bad_base_url"),
    ],
)
def test_config_rejects(extra: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        _config(**extra)


def test_custom_fields_are_indexed_by_api_name() -> None:
    raw = {
        "key": "part_1",
        "fields": [{"api_name": "company_name", "value": "Acme"}, {"name": "website", "value": "acme.io"}],
    }
    assert normalise("partnerships", raw, FIXTURE_LOOKUP)["custom_fields"] == {
        "company_name": "Acme",
        "website": "acme.io",
    }
