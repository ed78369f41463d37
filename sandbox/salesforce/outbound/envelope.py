"""The Outbound Messaging SOAP envelope and the listener's acknowledgement.

Sent body (one action = one object type, ≤100 ``Notification`` elements)::

    <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ...>
     <soapenv:Body>
      <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
       <OrganizationId>00D...</OrganizationId><ActionId>04k...</ActionId>
       <SessionId xsi:nil="true"/>
       <EnterpriseUrl>https://host/services/Soap/c/59.0/00D...</EnterpriseUrl>
       <PartnerUrl>https://host/services/Soap/u/59.0/00D...</PartnerUrl>
       <Notification><Id>04l...</Id>
        <sObject xsi:type="sf:Account" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
         <sf:Id>001...</sf:Id><sf:Name>Acme</sf:Name></sObject></Notification>
      </notifications></soapenv:Body></soapenv:Envelope>

The listener must answer a SOAP envelope containing ``<Ack>true</Ack>`` (element ``Ack``, in the
``notificationsResponse`` of the same namespace; the reference flags the exact spelling as
unverified).  The check here is strict on the element's local name ``Ack`` (case-sensitive, any
namespace) and accepts the xsd:boolean spellings ``true``/``1``; anything else (``ack``, ``ACK``,
``<Ack>false</Ack>``, a non-XML or non-2xx answer) counts as not acknowledged and is retried.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

NAMESPACE = "http://soap.sforce.com/2005/09/outbound"


def build_envelope(
    organization_id: str,
    action_id: str,
    session_id: str | None,
    enterprise_url: str,
    partner_url: str,
    object_name: str,
    notifications: list[tuple[str, dict[str, str]]],
) -> bytes:
    """The SOAP request body; ``notifications`` = ``[(notification id, {field: text value})]``."""
    session = f"<SessionId>{escape(session_id)}</SessionId>" if session_id else '<SessionId xsi:nil="true"/>'
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope '
        'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n <soapenv:Body>\n'
        f'  <notifications xmlns="{NAMESPACE}">\n'
        f"   <OrganizationId>{organization_id}</OrganizationId>\n   <ActionId>{action_id}</ActionId>\n"
        f"   {session}\n   <EnterpriseUrl>{escape(enterprise_url)}</EnterpriseUrl>\n"
        f"   <PartnerUrl>{escape(partner_url)}</PartnerUrl>\n"
    ]
    for notification_id, values in notifications:
        fields = "".join(f"<sf:{name}>{escape(text)}</sf:{name}>" for name, text in values.items())
        parts.append(
            f"   <Notification>\n    <Id>{notification_id}</Id>\n"
            f'    <sObject xsi:type="sf:{object_name}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">'
            f"{fields}</sObject>\n   </Notification>\n"
        )
    parts.append("  </notifications>\n </soapenv:Body>\n</soapenv:Envelope>\n")
    return "".join(parts).encode()


def parse_ack(body: bytes) -> bool:
    """Whether a listener's answer acknowledges the message (see the module docstring)."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return False
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == "Ack":
            return (element.text or "").strip() in ("true", "1")
    return False


def ack_body(ack: bool = True) -> bytes:
    """The acknowledgement a listener sends (for tests and demos)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
        f'<soapenv:Body><notificationsResponse xmlns="{NAMESPACE}"><Ack>{"true" if ack else "false"}</Ack>'
        "</notificationsResponse></soapenv:Body></soapenv:Envelope>"
    ).encode()


def parse_notifications(body: bytes) -> dict[str, Any]:
    """Decode a notifications envelope (for tests): header fields and ``[{id, type, fields}]``."""
    root = ElementTree.fromstring(body)
    ns = {"o": NAMESPACE, "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
    node = root.find(".//o:notifications", ns)
    if node is None:
        raise ValueError("no notifications element")
    out: dict[str, Any] = {}
    for key in ("OrganizationId", "ActionId", "SessionId", "EnterpriseUrl", "PartnerUrl"):
        element = node.find(f"o:{key}", ns)
        nil = element is not None and element.get(f"{{{ns['xsi']}}}nil") == "true"
        out[key] = None if element is None or nil else element.text or ""
    out["notifications"] = []
    for item in node.findall("o:Notification", ns):
        sobject = item.find("o:sObject", ns)
        fields = {el.tag.rsplit("}", 1)[-1]: el.text or "" for el in (sobject if sobject is not None else [])}
        kind = sobject.get(f"{{{ns['xsi']}}}type", "") if sobject is not None else ""
        out["notifications"].append({"id": item.findtext("o:Id", "", ns), "type": kind, "fields": fields})
    return out
