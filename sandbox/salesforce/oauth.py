"""The OAuth 2.0 token endpoint's grants and the SOAP ``login`` call (reference B1 / B0).

Grants: ``client_credentials`` (Basic auth header or form ``client_id``/``client_secret``),
``password`` (password, optionally followed by the security token), ``refresh_token`` (with
``config.rotate_refresh_tokens``: answered with a new refresh token, the old one invalidated),
``authorization_code`` and ``urn:ietf:params:oauth:grant-type:jwt-bearer`` (claims ``iss`` =
consumer key, ``sub`` = username and ``exp`` are checked; the RS256 signature is **not** verified).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from sandbox.salesforce.auth import Session, SessionRegistry
from sandbox.salesforce.config import SalesforceConfig

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class OAuthError(Exception):
    """An OAuth failure: ``{"error", "error_description"}`` with HTTP ``status``."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status

    def body(self) -> dict[str, str]:
        """The JSON error body."""
        return {"error": self.error, "error_description": self.description}


def _client(form: dict[str, str], authorization: str | None) -> tuple[str | None, str | None]:
    if authorization and authorization[:6].lower() == "basic ":
        try:
            user, _, secret = base64.b64decode(authorization[6:].strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client", "invalid client credentials") from None
        return user, secret
    return form.get("client_id"), form.get("client_secret")


def _check_client(config: SalesforceConfig, client_id: str | None, secret: str | None, need_secret: bool) -> str:
    if client_id != config.consumer_key:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    if (need_secret or secret is not None) and secret != config.consumer_secret:
        raise OAuthError("invalid_client", "invalid client credentials")
    return client_id


def _jwt_claims(assertion: str) -> dict[str, Any]:
    try:
        payload = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error):
        raise OAuthError("invalid_grant", "invalid assertion") from None
    if not isinstance(claims, dict):
        raise OAuthError("invalid_grant", "invalid assertion")
    return claims


def grant(
    config: SalesforceConfig, sessions: SessionRegistry, form: dict[str, str], authorization: str | None
) -> tuple[Session, str | None]:
    """Run one token request; returns the new session and the refresh token to hand out (if any)."""
    grant_type = form.get("grant_type", "")
    client_id, secret = _client(form, authorization)
    if grant_type == "client_credentials":
        return sessions.issue(_check_client(config, client_id, secret, need_secret=True)), None
    if grant_type == "password":
        client = _check_client(config, client_id, secret, need_secret=True)
        password = form.get("password") or ""
        valid = (config.password, config.password + config.security_token)
        if form.get("username") != config.username or password not in valid:
            raise OAuthError("invalid_grant", "authentication failure")
        return sessions.issue(client), None
    if grant_type == "refresh_token":
        client = _check_client(config, client_id, secret, need_secret=False)
        given = form.get("refresh_token", "")
        if sessions.refresh_client(given) != client:
            raise OAuthError("invalid_grant", "expired access/refresh token")
        # Refresh token rotation (a connected-app setting): a new refresh token with every access
        # token, the one given is invalidated. https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm
        rotated = sessions.rotate_refresh_token(given, client) if config.rotate_refresh_tokens else None
        return sessions.issue(client), rotated
    if grant_type == "authorization_code":
        client = _check_client(config, client_id, secret, need_secret=True)
        if form.get("code") != config.authorization_code:
            raise OAuthError("invalid_grant", "invalid authorization code")
        if form.get("redirect_uri") != config.redirect_uri:
            raise OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration")
        return sessions.issue(client), sessions.new_refresh_token(client)
    if grant_type == JWT_GRANT:
        claims = _jwt_claims(form.get("assertion", ""))
        if claims.get("iss") != config.consumer_key:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        if claims.get("sub") != config.username:
            raise OAuthError("invalid_grant", "user hasn't approved this consumer")
        try:
            expired = float(claims.get("exp", 0)) * 1000 < sessions.clock.now_ms()
        except (TypeError, ValueError):
            expired = True
        if expired:
            raise OAuthError("invalid_grant", "expired authorization code")
        return sessions.issue(config.consumer_key), None
    raise OAuthError("unsupported_grant_type", "grant type not supported")


def token_body(config: SalesforceConfig, session: Session, instance_url: str, refresh: str | None) -> dict[str, Any]:
    """The token endpoint's success body."""
    identity = f"{instance_url}/id/{config.organization_id}/{session.user_id}"
    issued_at = str(session.issued_ms)
    digest = hmac.new(config.consumer_secret.encode(), (identity + issued_at).encode(), hashlib.sha256).digest()
    body: dict[str, Any] = {
        "access_token": session.token,
        "instance_url": instance_url,
        "id": identity,
        "token_type": "Bearer",
        "issued_at": issued_at,
        "signature": base64.b64encode(digest).decode(),
        "scope": "api refresh_token" if refresh else "api",
    }
    if refresh:
        body["refresh_token"] = refresh
    return body


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def soap_credentials(body: bytes) -> tuple[str, str]:
    """``(username, password)`` from a SOAP ``login`` envelope; ``ValueError`` if there is none."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise ValueError(f"invalid XML: {exc}") from None
    values = {_local(el.tag): (el.text or "") for el in root.iter()}
    if "login" not in values or "username" not in values:
        raise ValueError("no login element")
    return values["username"], values.get("password", "")


def soap_login_ok(config: SalesforceConfig, session: Session, instance_url: str, version: str) -> str:
    """The SOAP ``loginResponse`` envelope."""
    org, user = config.organization_id, session.user_id
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><loginResponse><result>\
<metadataServerUrl>{instance_url}/services/Soap/m/{version}/{org[:15]}</metadataServerUrl>\
<passwordExpired>false</passwordExpired><sandbox>true</sandbox>\
<serverUrl>{instance_url}/services/Soap/u/{version}/{org[:15]}</serverUrl>\
<sessionId>{escape(session.token)}</sessionId><userId>{user}</userId><userInfo>\
<organizationId>{org}</organizationId><organizationName>Partner Hub Sandbox</organizationName>\
<sessionSecondsValid>{int(config.session_ttl)}</sessionSecondsValid><userEmail>{escape(config.username)}</userEmail>\
<userFullName>Integration User</userFullName><userId>{user}</userId><userName>{escape(config.username)}</userName>\
</userInfo></result></loginResponse></soapenv:Body></soapenv:Envelope>"""


def soap_fault(code: str, message: str) -> str:
    """A SOAP fault with ``sf:exceptionCode`` / ``sf:exceptionMessage`` (what simple-salesforce reads)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" \
xmlns:sf="urn:fault.partner.soap.sforce.com" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>sf:{code}</faultcode>\
<faultstring>{code}: {escape(message)}</faultstring><detail><sf:LoginFault xsi:type="sf:LoginFault">\
<sf:exceptionCode>{code}</sf:exceptionCode><sf:exceptionMessage>{escape(message)}</sf:exceptionMessage>\
</sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"""
