"""HubSpot webhook request signatures (reference A8) and the delivery request headers.

* v1: ``X-HubSpot-Signature`` = hex(SHA-256(client_secret + body)), ``X-HubSpot-Signature-Version: v1``
* v2: same headers = hex(SHA-256(client_secret + method + uri + body)), version ``v2``
* v3: ``X-HubSpot-Signature-v3`` = base64(HMAC-SHA256(key=client_secret, method + uri + body + timestamp))
  with ``X-HubSpot-Request-Timestamp`` (epoch milliseconds).

``uri`` is the full target URL exactly as called; everything is UTF-8.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

USER_AGENT = (
    "HubSpot Connect 2.0 (http://dev.hubspot.com/) (namespace: webhooks-nio-http-client) "
    "- WebhooksExecutorDaemon-executor"
)


def sign_v1(client_secret: str, body: bytes) -> str:
    """hex(SHA-256(client_secret + body))."""
    return hashlib.sha256(client_secret.encode() + body).hexdigest()


def sign_v2(client_secret: str, method: str, uri: str, body: bytes) -> str:
    """hex(SHA-256(client_secret + method + uri + body))."""
    return hashlib.sha256(f"{client_secret}{method}{uri}".encode() + body).hexdigest()


def sign_v3(client_secret: str, method: str, uri: str, body: bytes, timestamp_ms: int) -> str:
    """base64(HMAC-SHA256(client_secret, method + uri + body + timestamp))."""
    message = f"{method}{uri}".encode() + body + str(timestamp_ms).encode()
    return base64.b64encode(hmac.new(client_secret.encode(), message, hashlib.sha256).digest()).decode()


def delivery_headers(
    client_secret: str | None,
    versions: Iterable[str],
    uri: str,
    body: bytes,
    timestamp_ms: int,
    timeout_ms: int,
    method: str = "POST",
) -> dict[str, str]:
    """Every header of a delivery; signatures only when ``client_secret`` is given."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-HubSpot-Timeout-Millis": str(timeout_ms),
    }
    if client_secret is None:
        return headers
    for version in versions:
        if version == "v1":
            headers["X-HubSpot-Signature"] = sign_v1(client_secret, body)
            headers["X-HubSpot-Signature-Version"] = "v1"
        elif version == "v2":
            headers["X-HubSpot-Signature"] = sign_v2(client_secret, method, uri, body)
            headers["X-HubSpot-Signature-Version"] = "v2"
        elif version == "v3":
            headers["X-HubSpot-Signature-v3"] = sign_v3(client_secret, method, uri, body, timestamp_ms)
            headers["X-HubSpot-Request-Timestamp"] = str(timestamp_ms)
    return headers
