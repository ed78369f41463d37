"""Salesforce Outbound Messages: the SOAP ``notifications`` envelope in, the ``Ack`` out.

A workflow/flow action POSTs (SOAP 1.1, ``text/xml``)::

    <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
                      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
     <soapenv:Body>
      <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
       <OrganizationId>00D...</OrganizationId> <ActionId>04k...</ActionId>
       <SessionId xsi:nil="true"/> <EnterpriseUrl>...</EnterpriseUrl> <PartnerUrl>...</PartnerUrl>
       <Notification>                                   (1 to 100 of them)
        <Id>04l...</Id>
        <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
         <sf:Id>006...</sf:Id> <sf:StageName>Prospecting</sf:StageName> ...
        </sObject>
       </Notification>
      </notifications>
     </soapenv:Body>
    </soapenv:Envelope>

and expects ``notificationsResponse/Ack = true`` back, else it retries for up to 24 hours. Elements are
matched by local name, so namespace prefixes do not matter. The parser refuses any DTD (so no entity
can be declared: no XXE, no entity expansion bombs) before ElementTree sees the document.

https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_understanding.htm
https://developer.salesforce.com/docs/platform/api/guide/sforce-api-om-outboundmessaging-wsdl.html
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.parsers import expat

from connectors.sdk import PayloadError

XSI = "http://www.w3.org/2001/XMLSchema-instance"
ACK_CONTENT_TYPE = "text/xml; charset=utf-8"
ACK_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
    b"<soapenv:Body>"
    b'<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse>'
    b"</soapenv:Body>"
    b"</soapenv:Envelope>"
)
# Java's Double.toString: SOAP renders large doubles (currency, numbers) as "5.0E7".
_SCIENTIFIC = re.compile(r"^-?\d\.\d+E-?\d+$")


@dataclass(frozen=True)
class Notification:
    """One record in a delivery: the notification id (stable across retries), its type and fields."""

    id: str
    sobject_type: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class Envelope:
    organization_id: str | None
    action_id: str | None
    notifications: list[Notification]


def _forbid(*_: object) -> None:
    raise PayloadError("XML with a DTD or entity declarations is refused")


def safe_fromstring(body: bytes) -> ET.Element:
    """Parse XML that has no DTD; anything else (DTD, entities, malformed XML) is a ``PayloadError``."""
    checker = expat.ParserCreate()
    checker.StartDoctypeDeclHandler = _forbid
    checker.EntityDeclHandler = _forbid
    checker.UnparsedEntityDeclHandler = _forbid
    checker.ExternalEntityRefHandler = _forbid  # type: ignore[assignment]
    try:
        checker.Parse(body, True)
        return ET.fromstring(body)
    except (expat.ExpatError, ET.ParseError) as exc:
        raise PayloadError(f"malformed XML: {exc}") from None


def local(tag: str) -> str:
    """``{namespace}Name`` → ``Name``."""
    return tag.rsplit("}", 1)[-1]


def _child_text(element: ET.Element, name: str) -> str | None:
    for child in element:
        if local(child.tag) == name:
            return None if child.get(f"{{{XSI}}}nil") == "true" else (child.text or "").strip() or None
    return None


def _value(name: str, element: ET.Element) -> Any:
    if element.get(f"{{{XSI}}}nil") == "true":
        return None
    if len(element):
        return {local(child.tag): _value(local(child.tag), child) for child in element}
    text = element.text
    if text is None:
        return None
    if name.startswith("Is") and text in ("true", "false"):
        return text == "true"
    if _SCIENTIFIC.match(text):
        return format(Decimal(text), "f")
    return text


def _notification(element: ET.Element) -> Notification:
    notification_id = _child_text(element, "Id")
    sobject = next((child for child in element if local(child.tag) == "sObject"), None)
    if not notification_id or sobject is None:
        raise PayloadError("a Notification without Id or sObject")
    declared = sobject.get(f"{{{XSI}}}type") or ""
    sobject_type = declared.rsplit(":", 1)[-1]
    if not sobject_type:
        raise PayloadError(f"notification {notification_id}: sObject has no xsi:type")
    fields = {local(child.tag): _value(local(child.tag), child) for child in sobject}
    return Notification(notification_id, sobject_type, fields)


def parse(body: bytes) -> Envelope:
    """The notifications of an Outbound Message delivery; ``PayloadError`` if it is not one."""
    root = safe_fromstring(body)
    block = next((element for element in root.iter() if local(element.tag) == "notifications"), None)
    if block is None:
        raise PayloadError("not an Outbound Message: no <notifications> element")
    return Envelope(
        organization_id=_child_text(block, "OrganizationId"),
        action_id=_child_text(block, "ActionId"),
        notifications=[_notification(child) for child in block if local(child.tag) == "Notification"],
    )
