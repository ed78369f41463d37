"""Inbound webhooks: the request a receiver hands to a connector, verifiers, and parsed events.

The hub's receiver (``webhooks/``) knows no system by name: it asks the connector for a verifier
and a parser. Verifiers check the raw bytes before anything is stored, in constant time, against
every currently valid secret (two during a rotation).

The SDK's own verifiers: ``StandardWebhooks`` (``webhook-id``/``webhook-timestamp``/
``webhook-signature``, v1 HMAC, via the ``standardwebhooks`` package) for gateways and generic
senders, and ``UrlToken`` for senders that cannot sign and authenticate by a secret ``?token=`` in
the URL they were given (PartnerStack, Salesforce Outbound Messages, Moodle); a system with its own
signing scheme ships its verifier in its connector package.
  https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol
from urllib.parse import parse_qs, urlsplit

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from connectors.sdk.errors import ConnectorError


class SignatureError(ConnectorError):
    """The delivery is not authentic (bad or missing signature, stale timestamp). Answer 401."""


class PayloadError(ConnectorError):
    """The delivery is authentic but its content is not what the sender's format promises."""


@dataclass(frozen=True)
class InboundRequest:
    """A webhook delivery as received: ``url`` is the full URI the sender called; headers lower-cased."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class WebhookEvent:
    """One change an upstream announced.

    ``event_id``: the sender's id for idempotency (None: the hub hashes the event). ``record``: the
    raw record when the event carries it, else None and the hub fetches ``external_id``.
    ``version``: the source's modification time or version, for ordering. ``problem``: why this
    event cannot be applied (a field the sender got wrong); the hub stores it dead-lettered with
    that reason and applies the rest of the delivery.
    """

    object: str
    external_id: str
    action: Literal["upsert", "delete"] = "upsert"
    event_id: str | None = None
    occurred_at: datetime | None = None
    version: str | None = None
    record: dict[str, Any] | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None


class Verifier(Protocol):
    def verify(self, request: InboundRequest, secrets: list[str]) -> None:
        """Return if authentic under any of ``secrets``; raise ``SignatureError`` otherwise."""


#: an epoch timestamp header: ASCII digits only, at most this many (13 is milliseconds until 2286)
MAX_TIMESTAMP_DIGITS = 13
_ASCII_DIGITS = re.compile(rf"[0-9]{{1,{MAX_TIMESTAMP_DIGITS}}}")
#: longest accepted signature header (the spec allows several space-separated signatures)
MAX_SIGNATURE_HEADER = 2048
MAX_ID_HEADER = 256


def epoch_header(name: str, value: str | None) -> int:
    """The integer value of a timestamp header, or ``SignatureError`` (never another exception):
    ASCII digits only (``"²".isdigit()`` is true), bounded length and so a bounded value."""
    if not value:
        raise SignatureError(f"missing {name}")
    if not _ASCII_DIGITS.fullmatch(value):
        raise SignatureError(f"{name} is not an epoch timestamp of at most {MAX_TIMESTAMP_DIGITS} ASCII digits")
    return int(value)


def bounded_header(name: str, value: str | None, limit: int) -> str:
    """``value`` if present, printable ASCII and at most ``limit`` characters, else ``SignatureError``."""
    if not value:
        raise SignatureError(f"missing {name}")
    if len(value) > limit or not value.isascii() or not value.isprintable():
        raise SignatureError(f"{name} is malformed (printable ASCII, at most {limit} characters)")
    return value


#: the latest event time accepted (year 9999; databases and datetime hold no later one)
_MAX_EPOCH_MS = 253_402_300_799_999


def epoch_millis(value: Any) -> datetime:
    """An event time given as epoch milliseconds (a JSON integer) as a UTC datetime; ``ValueError``
    for anything else (a float, a string, a bool, a negative or out-of-range number)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"not epoch milliseconds (a JSON integer): {type(value).__name__}")
    if not 0 <= value <= _MAX_EPOCH_MS:
        raise ValueError(f"epoch milliseconds out of range: {str(value)[:40]}")
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=value)


class StandardWebhooks:
    """Standard Webhooks v1 (HMAC-SHA256); the library's window is its fixed ±5 minutes."""

    def verify(self, request: InboundRequest, secrets: list[str]) -> None:
        headers = {k: v for k, v in request.headers.items() if k.startswith("webhook-")}
        if not {"webhook-id", "webhook-timestamp", "webhook-signature"} <= headers.keys():
            raise SignatureError("missing webhook-id, webhook-timestamp or webhook-signature")
        # The library parses these itself; refuse malformed ones here so none reaches it.
        epoch_header("webhook-timestamp", headers["webhook-timestamp"])
        bounded_header("webhook-id", headers["webhook-id"], MAX_ID_HEADER)
        bounded_header("webhook-signature", headers["webhook-signature"], MAX_SIGNATURE_HEADER)
        for secret in secrets:
            try:
                Webhook(secret).verify(request.body, headers, json_parse=False)
                return
            except WebhookVerificationError as exc:
                reason = str(exc) or "signature does not match"
            except Exception as exc:  # a malformed secret or header: not authentic either way
                reason = f"cannot verify: {type(exc).__name__}"
        raise SignatureError(reason if secrets else "no webhook secret configured")


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8")).digest()


class UrlToken:
    """A secret in the delivery URL's query string (``?token=...``), for senders that do not sign.

    The URL must carry ``param`` exactly once, non-empty; it is compared in constant time (as
    SHA-256 digests, so not even its length shows) with every valid secret — the current one and,
    during a rotation, the previous one — without stopping at the first match. Anything else is a
    ``SignatureError`` (401). Anyone who learns the URL can post: keep it out of logs, rotate it.
    """

    def __init__(self, param: str = "token") -> None:
        self.param = param

    def verify(self, request: InboundRequest, secrets: list[str]) -> None:
        valid = [secret for secret in secrets if secret]
        if not valid:
            raise SignatureError("no webhook token configured")
        given = parse_qs(urlsplit(request.url).query, keep_blank_values=True).get(self.param, [])
        if len(given) != 1 or not given[0]:
            raise SignatureError(f"the webhook URL must carry exactly one non-empty ?{self.param}=")
        presented = _digest(given[0])
        matched = False
        for secret in valid:  # no early exit: every secret costs the same
            matched |= hmac.compare_digest(presented, _digest(secret))
        if not matched:
            raise SignatureError(f"?{self.param}= does not match")
