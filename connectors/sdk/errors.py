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

    def __init__(self, message: str, *, status: int | None = None, body: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class TransientError(UpstreamError):
    """A failure worth retrying (429, 5xx, timeouts, dropped connections)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        body: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, body=body)
        self.retry_after = retry_after


class RateLimited(TransientError):
    """HTTP 429; ``retry_after`` is the upstream's requested delay in seconds, if given."""


class AuthError(UpstreamError):
    """Authentication failed and refreshing did not help."""


class RequestRejected(UpstreamError):
    """A 4xx other than 401/429: the request itself is wrong."""


class PaginationLoopError(UpstreamError):
    """The upstream handed back a page token it had already given: paging would never end."""
