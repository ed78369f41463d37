"""HubSpot webhook signature v3.

``X-HubSpot-Signature-v3`` = base64(HMAC-SHA256(key=client secret, msg = method + uri + body +
timestamp)), with ``X-HubSpot-Request-Timestamp`` in epoch milliseconds; requests older than five
minutes are rejected. https://developers.hubspot.com/docs/api/webhooks/validating-requests
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable

from connectors.sdk import InboundRequest, SignatureError, bounded_header, epoch_header

_MAX_SIGNATURE = 256  # base64 of a SHA-256 HMAC is 44 characters


class HubSpotV3:
    """HubSpot signature v3 with a timestamp window (default 300 s, as HubSpot and its SDK use)."""

    def __init__(self, window_seconds: float = 300.0, clock: Callable[[], float] = time.time) -> None:
        self.window = window_seconds
        self.clock = clock

    @staticmethod
    def sign(secret: str, method: str, uri: str, body: bytes, timestamp_ms: str) -> str:
        message = method.encode() + uri.encode() + body + timestamp_ms.encode()
        return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()

    def verify(self, request: InboundRequest, secrets: list[str]) -> None:
        signature = request.header("X-HubSpot-Signature-v3")
        timestamp = request.header("X-HubSpot-Request-Timestamp")
        if not signature or not timestamp:
            raise SignatureError("missing X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp")
        # ASCII digits, bounded length (so a bounded value): "²".isdigit() is true, int() of it fails
        millis = epoch_header("X-HubSpot-Request-Timestamp", timestamp)
        bounded_header("X-HubSpot-Signature-v3", signature, _MAX_SIGNATURE)
        age = self.clock() - millis / 1000
        if abs(age) > self.window:
            raise SignatureError(f"timestamp outside the {self.window:.0f}-second window ({age:.0f} s)")
        for secret in secrets:
            expected = self.sign(secret, request.method, request.url, request.body, timestamp)
            if hmac.compare_digest(expected.encode(), signature.encode()):
                return
        raise SignatureError("signature does not match")
