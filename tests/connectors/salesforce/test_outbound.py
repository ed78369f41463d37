"""Outbound Messages: SOAP parsing into events, hostile XML refused, URL-token verification, the Ack."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from connectors.salesforce import SalesforceConnector
from connectors.salesforce.outbound import ACK_BODY, parse
from connectors.sdk import InboundRequest, PayloadError, SignatureError

from .conftest import FIXTURES, RECORD_TYPE_ID, make_connector

ORG_ID = "00DHs0000000001AAA"
BODY = (FIXTURES / "outbound_message.xml").read_bytes()


def _request(body: bytes = BODY, query: str = "?token=om-secret-0123456789") -> InboundRequest:
    url = f"https://hub.example/webhooks/sf-prod{query}"
    return InboundRequest("POST", url, {"content-type": "text/xml; charset=utf-8"}, body)


def _connector(**overrides: object) -> SalesforceConnector:
    return make_connector(outbound_message_token=SecretStr("om-secret-0123456789"), **overrides)


def test_notifications_become_events() -> None:
    events = _connector(deal_registration_record_type_id=RECORD_TYPE_ID).parse_webhook(_request(), None)
    summary = [(e.object, e.external_id, e.event_id, e.record is not None) for e in events]
    assert summary == [
        ("opportunities", "006Hs0000000001AAA", "04lHs0000000001AAA", False),  # partner rows must be fetched
        ("accounts", "001Hs0000000002AAA", "04lHs0000000002AAA", True),  # every account field is present
        ("contacts", "003Hs0000000001AAA", "04lHs0000000003AAA", False),  # only Email: the hub fetches it
        ("deal_registrations", "00QHs0000000001AAA", "04lHs0000000005AAA", False),  # Status only
    ]  # the Case notification is skipped
    opportunity, account = events[0], events[1]
    assert opportunity.version == "2026-03-05T09:30:00.000Z"
    assert opportunity.occurred_at == datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
    assert opportunity.payload["fields"]["Amount"] == "125000"  # 1.25E5 from SOAP's double rendering
    assert opportunity.payload["organization_id"] == ORG_ID
    assert account.record is not None
    assert account.record["attributes"] == {"type": "Account"}
    assert account.record["IsPartner"] is True and account.record["IsDeleted"] is False
    assert account.record["AnnualRevenue"] == "50000000" and account.record["ChannelProgramName"] is None
    assert account.record["_hub"] == {"roles": "Customer - Direct;IsPartner"}


def test_a_complete_deal_registration_of_the_known_record_type_is_carried() -> None:
    fields = {name: "x" for name in _connector().config.fields("deal_registrations")} | {
        "Id": "00QHs0000000001AAA", "RecordTypeId": RECORD_TYPE_ID[:15], "PartnerAccountId": "001Hs0000000001AAA",
    }  # fmt: skip
    fields.pop("IsDeleted")
    sobject = "".join(f"<sf:{k}>{v}</sf:{k}>" for k, v in fields.items())
    body = BODY.replace(b"<sf:Status>Approved</sf:Status>", sobject.encode()).replace(
        b"<sf:Id>00QHs0000000001AAA</sf:Id>\n     <sf:RecordTypeId>012Hs000000DRegAAA</sf:RecordTypeId>\n", b""
    )
    known = _connector(deal_registration_record_type_id=RECORD_TYPE_ID).parse_webhook(_request(body), None)[-1]
    assert known.record is not None and known.record["associations"]["accounts"][0]["id"] == "001Hs0000000001AAA"
    unknown = _connector().parse_webhook(_request(body), None)[-1]  # record type not known yet: fetch decides
    assert unknown.object == "deal_registrations" and unknown.record is None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>', id="xxe"
        ),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><r>&b;</r>',
            id="entity_expansion",
        ),
        pytest.param(b'<!DOCTYPE r SYSTEM "http://evil.example/r.dtd"><r/>', id="external_dtd"),
        pytest.param(b"<notifications><Notification>", id="truncated"),
        pytest.param(b"<r>&undeclared;</r>", id="undeclared_entity"),
        pytest.param(b"<soapenv:Envelope xmlns:soapenv='x'><Body/></soapenv:Envelope>", id="not_outbound"),
        pytest.param(b"<notifications><Notification><Id>04l</Id></Notification></notifications>", id="no_sobject"),
    ],
)
def test_hostile_or_foreign_xml_is_a_payload_error(body: bytes) -> None:
    with pytest.raises(PayloadError):
        _connector().parse_webhook(_request(body), None)


def test_json_documents_are_refused() -> None:
    with pytest.raises(PayloadError, match="SOAP XML"):
        _connector().parse_webhook(_request(b"[]"), [])


@pytest.mark.parametrize(
    ("query", "secrets", "org_id", "error"),
    [
        pytest.param("?token=om-secret-0123456789", ["om-secret-0123456789"], None, None, id="token_ok"),
        pytest.param("?token=om-old", ["om-new", "om-old"], None, None, id="previous_token_during_rotation"),
        pytest.param(
            "?token=om-secret-0123456789", ["om-secret-0123456789"], ORG_ID[:15], None, id="org_id_15_chars_matches"
        ),
        pytest.param("?token=wrong", ["om-secret-0123456789"], None, "does not match", id="wrong_token"),
        pytest.param("", ["om-secret-0123456789"], None, "exactly one", id="no_token"),
        pytest.param(
            "?token=om-secret-0123456789&token=om-secret-0123456789",
            ["om-secret-0123456789"],
            None,
            "exactly one",
            id="two_tokens",
        ),
        pytest.param("?token=om-secret-0123456789", [], None, "no outbound message token", id="nothing_configured"),
        pytest.param(
            "?token=om-secret-0123456789",
            ["om-secret-0123456789"],
            "00DHs0000000999AAA",
            "not the configured org",
            id="org",
        ),
    ],
)
def test_token_verification(query: str, secrets: list[str], org_id: str | None, error: str | None) -> None:
    verifier = make_connector(outbound_message_org_id=org_id).webhook_verifier()
    if error is None:
        verifier.verify(_request(query=query), secrets)
    else:
        with pytest.raises(SignatureError, match=error):
            verifier.verify(_request(query=query), secrets)


def test_org_check_refuses_hostile_xml_as_unauthentic() -> None:
    verifier = make_connector(outbound_message_org_id=ORG_ID).webhook_verifier()
    with pytest.raises(SignatureError, match="OrganizationId"):
        verifier.verify(_request(b'<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>'), ["om-secret-0123456789"])


def test_secrets_and_the_soap_acknowledgement() -> None:
    connector = make_connector(
        outbound_message_token=SecretStr("new-token-0123456789"),
        outbound_message_token_previous=SecretStr("old-token-0123456789"),
    )
    assert connector.webhook_secrets() == ["new-token-0123456789", "old-token-0123456789"]
    assert "text/xml" in connector.webhook_content_types
    status, body, content_type = connector.webhook_response(stored=1, duplicates=0)
    assert (status, content_type) == (200, "text/xml; charset=utf-8") and body == ACK_BODY
    ack = ET.fromstring(body).find(".//{http://soap.sforce.com/2005/09/outbound}Ack")
    assert ack is not None and ack.text == "true"


def test_envelope_fields() -> None:
    envelope = parse(BODY)
    assert (envelope.organization_id, envelope.action_id) == (ORG_ID, "04kHs0000000001AAA")
    assert [n.sobject_type for n in envelope.notifications] == ["Opportunity", "Account", "Contact", "Case", "Lead"]
