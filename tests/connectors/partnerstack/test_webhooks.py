"""Webhooks: the ?token= check (good, wrong, missing, rotated) and parsing of v1/v2 event names."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr

from connectors.partnerstack import PartnerStackConnector
from connectors.sdk import InboundRequest, PayloadError, SignatureError

from .conftest import OLD_TOKEN, TOKEN, make_connector

HOOK = "https://hub.example/webhooks/ps-main"


def _request(url: str, document: Any = None) -> InboundRequest:
    body = json.dumps(document if document is not None else {}).encode()
    return InboundRequest("POST", url, {"content-type": "application/json"}, body)


def _verify(connector: PartnerStackConnector, url: str) -> None:
    verifier = connector.webhook_verifier()
    assert verifier is not None
    verifier.verify(_request(url), connector.webhook_secrets())


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        pytest.param(f"{HOOK}?token={TOKEN}", True, id="good"),
        pytest.param(f"{HOOK}?source=ps&token={TOKEN}", True, id="good_among_other_params"),
        pytest.param(f"{HOOK}?token={TOKEN}x", False, id="wrong"),
        pytest.param(f"{HOOK}?token={TOKEN[:-1]}", False, id="prefix_of_the_token"),
        pytest.param(HOOK, False, id="missing"),
        pytest.param(f"{HOOK}?token=", False, id="empty"),
        pytest.param(f"{HOOK}?token={TOKEN}&token={TOKEN}", False, id="given_twice"),
        pytest.param(f"{HOOK}?Token={TOKEN}", False, id="other_param_name"),
        pytest.param(f"{HOOK}?token={OLD_TOKEN}", False, id="old_token_without_rotation"),
    ],
)
def test_token_in_the_url_is_checked(url: str, accepted: bool) -> None:
    connector = make_connector(webhook_token=SecretStr(TOKEN))
    if accepted:
        _verify(connector, url)
    else:
        with pytest.raises(SignatureError):
            _verify(connector, url)


def test_both_tokens_verify_during_a_rotation() -> None:
    connector = make_connector(webhook_token=SecretStr(TOKEN), webhook_token_previous=SecretStr(OLD_TOKEN))
    assert connector.webhook_secrets() == [TOKEN, OLD_TOKEN]
    _verify(connector, f"{HOOK}?token={OLD_TOKEN}")
    _verify(connector, f"{HOOK}?token={TOKEN}")


def test_without_a_token_the_connector_takes_no_webhooks() -> None:
    connector = make_connector()
    assert connector.webhook_verifier() is None and connector.webhook_secrets() == []


def test_a_verifier_without_secrets_rejects_everything() -> None:
    verifier = make_connector(webhook_token=SecretStr(TOKEN)).webhook_verifier()
    assert verifier is not None
    with pytest.raises(SignatureError, match="no webhook token"):
        verifier.verify(_request(f"{HOOK}?token={TOKEN}"), [])


def _parse(connector: PartnerStackConnector, document: Any) -> list[Any]:
    return connector.parse_webhook(_request(f"{HOOK}?token={TOKEN}", document), document)


PARTNERSHIP = {"key": "part_1", "partner_key": "acme", "email": "jane@acme.io", "joined_at": 1_700_000_000_000,
               "created_at": 1_700_000_000_000, "updated_at": 1_767_225_600_000}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "object_name", "action"),
    [
        pytest.param("partnership.updated", "partnerships", "upsert", id="v2_dotted"),
        pytest.param("partnership_created", "partnerships", "upsert", id="v1_underscore"),
        pytest.param("partnership.tags_updated", "partnerships", "upsert", id="v2_tags_updated"),
        pytest.param("customer_created", "customers", "upsert", id="v1_customer"),
        pytest.param("customer_deleted", "customers", "delete", id="v1_delete"),
        pytest.param("deal.deleted", "deals", "delete", id="v2_delete"),
        pytest.param("deal.archived", "deals", "delete", id="v2_archived"),
        pytest.param("transaction.created", "transactions", "upsert", id="transaction"),
        pytest.param("reward.updated", "rewards", "upsert", id="reward"),
        pytest.param("Customer.Updated", "customers", "upsert", id="case_insensitive"),
    ],
)
def test_event_names_map_to_objects_and_actions(name: str, object_name: str, action: str) -> None:
    document = {**PARTNERSHIP, "key": "obj_1", "partnership_key": "part_1", "event": name}
    [event] = _parse(make_connector(), document)
    assert (event.object, event.action, event.external_id) == (object_name, action, "obj_1")


def test_an_event_carries_its_normalised_record() -> None:
    [event] = _parse(make_connector(), {**PARTNERSHIP, "event": "partnership.updated"})
    assert event.record is not None and "event" not in event.record
    assert event.record["email_domain"] == "acme.io" and event.record["partnership_status"] == "joined"
    assert event.version == "1767225600000"
    assert event.occurred_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert event.event_id is None  # the hub hashes the event
    assert event.payload["event"] == "partnership.updated"


def test_a_deletion_carries_a_tombstone() -> None:
    [event] = _parse(make_connector(), {"key": "cust_1", "partner_key": "acme", "event": "customer_deleted"})
    assert event.action == "delete" and event.record is not None and event.record["deleted"] is True


def test_a_sender_event_id_is_used() -> None:
    [event] = _parse(make_connector(), {**PARTNERSHIP, "event": "partnership.updated", "event_id": "evt_9"})
    assert event.event_id == "evt_9"


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("application_created", id="application"),
        pytest.param("agreement.accepted", id="agreement"),
        pytest.param("partnership", id="no_action"),
    ],
)
def test_unknown_families_are_skipped(name: str) -> None:
    assert _parse(make_connector(), {"key": "appl_1", "event": name}) == []


@pytest.mark.parametrize(
    "document",
    [
        pytest.param([{"key": "part_1", "event": "partnership.updated"}], id="a_list"),
        pytest.param("partnership.updated", id="a_string"),
        pytest.param({"key": "part_1"}, id="no_event"),
        pytest.param({"event": "partnership.updated"}, id="no_key"),
        pytest.param({"key": 7, "event": "deal.updated"}, id="key_not_text"),
    ],
)
def test_content_not_in_partnerstack_format_is_a_payload_error(document: Any) -> None:
    with pytest.raises(PayloadError):
        _parse(make_connector(), document)


def test_an_unknown_partner_is_fetched_not_carried_without_its_link() -> None:
    connector = make_connector()
    [event] = _parse(connector, {"key": "deal_1", "partner_key": "acme", "event": "deal.updated"})
    assert event.record is None  # the worker fetches it, translating acme on the way
    _parse(connector, {**PARTNERSHIP, "event": "partnership.created"})  # the connector learns acme
    [event] = _parse(connector, {"key": "deal_1", "partner_key": "acme", "amount": 100, "event": "deal.updated"})
    assert event.record is not None
    assert event.record["associations"]["partnerships"] == [{"id": "part_1", "types": ["partner"]}]
    assert event.record["amount_decimal"] == "1.00"


def test_rewards_are_always_carried() -> None:
    [event] = _parse(make_connector(), {"key": "rew_1", "amount": 5, "partnership": {"partner_key": "x"},
                                        "event": "reward.created"})  # fmt: skip
    assert event.record is not None and event.record["associations"] == {}
