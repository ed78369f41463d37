"""The connector SDK: everything a connector package may import.

A connector declares a ``ConnectorSpec`` (streams and write operations as data), a pydantic config
model (``SecretStr`` for credentials), and subclasses ``Connector``. It registers through the
``hub.connectors`` entry-point group. See docs/connectors.md for a walk-through.
"""

from connectors.sdk.auth import BearerToken, CredentialsChanged, OAuth2RefreshToken
from connectors.sdk.connector import Connector, Page, ReadRequest, WriteRecord, WriteResult
from connectors.sdk.errors import (
    AuthError,
    ConfigError,
    ConnectorError,
    PaginationLoopError,
    RateLimited,
    RequestRejected,
    TransientError,
    UpstreamError,
)
from connectors.sdk.http import Requester, RetryPolicy, classify, parse_retry_after
from connectors.sdk.paginator import read_pages
from connectors.sdk.selector import dig, dotted, select_records
from connectors.sdk.spec import (
    ConnectorSpec,
    CursorTokenPaginator,
    NextUrlPaginator,
    OffsetPaginator,
    StreamSpec,
    WriteSpec,
)
from connectors.sdk.webhooks import (
    InboundRequest,
    PayloadError,
    SignatureError,
    StandardWebhooks,
    Verifier,
    WebhookEvent,
)

__all__ = [
    "AuthError",
    "BearerToken",
    "ConfigError",
    "Connector",
    "ConnectorError",
    "ConnectorSpec",
    "CredentialsChanged",
    "CursorTokenPaginator",
    "InboundRequest",
    "NextUrlPaginator",
    "OAuth2RefreshToken",
    "OffsetPaginator",
    "Page",
    "PaginationLoopError",
    "PayloadError",
    "RateLimited",
    "ReadRequest",
    "RequestRejected",
    "Requester",
    "RetryPolicy",
    "SignatureError",
    "StandardWebhooks",
    "StreamSpec",
    "TransientError",
    "UpstreamError",
    "Verifier",
    "WebhookEvent",
    "WriteRecord",
    "WriteResult",
    "WriteSpec",
    "classify",
    "dig",
    "dotted",
    "parse_retry_after",
    "read_pages",
    "select_records",
]
