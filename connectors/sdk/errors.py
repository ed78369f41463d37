"""Errors a connector raises. The hub tells them apart by class, never by message.

ConnectorError
 ├── ConfigError          the connector's configuration is unusable
 │    └── DestinationRefused  the outbound policy refuses a URL or an address (SSRF guard)
 └── UpstreamError        the upstream system answered badly, or not at all
      ├── TransientError  worth retrying: 429, 5xx, timeouts, dropped connections
      │    └── RateLimited    429; carries the Retry-After delay when the upstream sent one
      ├── AuthError       401/403 that a token refresh did not cure
      └── RequestRejected other 4xx: our request was wrong; retrying will not help
"""

from __future__ import annotations

import http
import json
import re
from typing import Any

_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]{0,63}$")
_CODE_KEYS = ("errorCode", "error_code", "statusCode", "code", "error", "category", "subCategory", "policyName")
_PUBLIC_LIMIT = 300


class ConnectorError(Exception):
    """Base of every error a connector raises."""


class ConfigError(ConnectorError):
    """The connector's configuration is unusable."""


class DestinationRefused(ConfigError):
    """The outbound policy refuses to connect there (``connectors.sdk.outbound``): a private,
    loopback, link-local or otherwise internal address, plain http outside the allow-list, or a
    malformed URL. Never retried."""


class UpstreamError(ConnectorError):
    """The upstream answered with an error, or the transport failed."""

    def __init__(
        self, message: str, *, status: int | None = None, body: str | None = None, where: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        #: the upstream's answer, for the connector's own decisions; never shown (see ``public_message``)
        self.body = body
        #: the request, as "METHOD /path" (no query: it may carry secrets), when known
        self.where = where

    @property
    def codes(self) -> list[str]:
        """The upstream's error codes named in ``body`` (``errorCode``, ``category``, ``error``...)."""
        return error_codes(self.body)


class TransientError(UpstreamError):
    """A failure worth retrying (429, 5xx, timeouts, dropped connections)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        body: str | None = None,
        retry_after: float | None = None,
        where: str | None = None,
    ) -> None:
        super().__init__(message, status=status, body=body, where=where)
        self.retry_after = retry_after


class RateLimited(TransientError):
    """HTTP 429; ``retry_after`` is the upstream's requested delay in seconds, if given."""


class AuthError(UpstreamError):
    """Authentication failed and refreshing did not help."""


class RequestRejected(UpstreamError):
    """A 4xx other than 401/429: the request itself is wrong."""


class PaginationLoopError(UpstreamError):
    """The upstream handed back a page token it had already given: paging would never end."""


def error_codes(body: str | bytes | None) -> list[str]:
    """Error-code-like tokens of a JSON error body (an object, or a list of objects): the values of
    ``errorCode``, ``statusCode``, ``code``, ``error``, ``category``... that look like identifiers
    (``INVALID_FIELD``, ``VALIDATION_ERROR``, ``invalid_grant``), at most five; [] for anything else."""
    if not body:
        return []
    try:
        payload: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return []
    items = payload if isinstance(payload, list) else [payload]
    codes: list[str] = []
    for item in items[:20]:
        if not isinstance(item, dict):
            continue
        for key in _CODE_KEYS:
            value = item.get(key)
            if isinstance(value, str) and _CODE.match(value) and value not in codes:
                codes.append(value)
    return codes[:5]


def status_line(status: int) -> str:
    """``HTTP 500 Internal Server Error`` (the reason phrase is the standard one, not the upstream's)."""
    try:
        return f"HTTP {status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def public_message(exc: BaseException) -> str:
    """What the hub may record and show of a failure (a sync run's ``last_error``, a log line).

    An upstream's answer is reduced to its status line and error codes: its body (which, from a
    misdirected URL, could be any internal service's content) is never part of it. Other errors
    keep their message. Capped at 300 characters."""
    name = type(exc).__name__
    if isinstance(exc, UpstreamError) and exc.body is not None:
        parts = [f"{name}: {status_line(exc.status)}" if exc.status is not None else f"{name}: upstream error"]
        if exc.where:
            parts.append(f"on {exc.where}")
        codes = exc.codes
        if codes:
            parts.append(f"({', '.join(codes)})")
        text = " ".join(parts)
    else:
        text = f"{name}: {exc}"
    text = "".join(c if c.isprintable() else " " for c in text)
    return text if len(text) <= _PUBLIC_LIMIT else text[: _PUBLIC_LIMIT - 1] + "…"
