"""Authenticating Outbound Messages: a secret ``?token=`` in the endpoint URL, and the sending org.

Outbound Messages are not signed, and Salesforce lets the admin set only the endpoint URL (no
headers), so the URL carries the secret: ``https://hub.example/webhooks/<connector_id>?token=...``.
The token is compared in constant time with every valid one (two during a rotation). When
``outbound_message_org_id`` is configured, the envelope's ``OrganizationId`` must match it too (the
first 15 characters: 15- and 18-character forms of an id are the same id).
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_setting_up.htm
"""

from __future__ import annotations

from connectors.salesforce import outbound
from connectors.sdk import InboundRequest, PayloadError, SignatureError, UrlToken

TOKEN_PARAM = "token"


def same_id(a: str | None, b: str | None) -> bool:
    """Whether two Salesforce ids (15 or 18 characters) name the same record."""
    return bool(a) and bool(b) and str(a)[:15] == str(b)[:15]


class OutboundMessageToken:
    """``Verifier`` for Outbound Message deliveries (see the module docstring)."""

    def __init__(self, organization_id: str | None = None, param: str = TOKEN_PARAM) -> None:
        self.organization_id = organization_id
        self.param = param

    def verify(self, request: InboundRequest, secrets: list[str]) -> None:
        if not secrets:
            raise SignatureError("no outbound message token configured")
        UrlToken(self.param).verify(request, secrets)  # constant time, every valid secret
        if self.organization_id is None:
            return
        try:
            sender = outbound.parse(request.body).organization_id
        except PayloadError as exc:
            raise SignatureError(f"cannot read the sending OrganizationId: {exc}") from None
        if not same_id(sender, self.organization_id):
            raise SignatureError(f"OrganizationId {sender!r} is not the configured org")
