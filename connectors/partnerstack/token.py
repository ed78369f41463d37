"""Webhook authentication by a secret token in the delivery URL (PartnerStack does not sign).

Register the webhook in PartnerStack as ``https://<hub>/webhooks/<connector id>?token=<webhook_token>``.
The token is compared in constant time (as SHA-256 digests, so not even its length shows) with every
currently valid token — two while one is rotated out. Anything else is a ``SignatureError`` (401).
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

from connectors.sdk import InboundRequest, SignatureError


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8")).digest()


class QueryToken:
    """A ``Verifier``: the request URL must carry exactly one ``?token=`` equal to a valid secret."""

    def __init__(self, param: str = "token") -> None:
        self.param = param

    def verify(self, request: InboundRequest, secrets: list[str]) -> None:
        valid = [secret for secret in secrets if secret]
        if not valid:
            raise SignatureError("no webhook token configured")
        given = parse_qs(urlsplit(request.url).query, keep_blank_values=True).get(self.param, [])
        if len(given) != 1 or not given[0]:
            raise SignatureError(f"the webhook URL carries no single ?{self.param}=")
        presented = _digest(given[0])
        matched = False
        for secret in valid:  # no early exit: every secret costs the same
            matched |= hmac.compare_digest(presented, _digest(secret))
        if not matched:
            raise SignatureError(f"?{self.param}= does not match")
