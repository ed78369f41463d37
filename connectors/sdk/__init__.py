"""The connector SDK: everything a connector package may import.

A connector declares a ``ConnectorSpec`` (streams and write operations as data), a pydantic config
model (``SecretStr`` for credentials), and subclasses ``Connector``. It registers through the
``hub.connectors`` entry-point group. See docs/connectors.md for a walk-through.
"""

from connectors.sdk.auth import BearerToken, CredentialsChanged, OAuth2RefreshToken
from connectors.sdk.connector import Connector, Page, ReadRequest, WriteRecord, WriteResult
from connectors.sdk.deletes import MERGED_IDS, DeleteGuardConfig
from connectors.sdk.errors import (
    AuthError,
    ConfigError,
    ConnectorError,
    DestinationRefused,
    PaginationLoopError,
    RateLimited,
    RequestRejected,
    TransientError,
    UpstreamError,
    error_codes,
    public_message,
)
from connectors.sdk.http import Requester, RetryPolicy, classify, parse_retry_after
from connectors.sdk.outbound import GuardedTransport, OutboundPolicy, OutboundUrl
from connectors.sdk.paginator import read_pages
from connectors.sdk.records import Association, Associations, ParentRef, association, hub_record, link
from connectors.sdk.selector import dig, dotted, select_records
from connectors.sdk.spec import (
    ConnectorSpec,
    CursorTokenPaginator,
    LastRecordKeyPaginator,
    NextUrlPaginator,
    OffsetPaginator,
    PageNumberPaginator,
    Paginator,
    ParentStream,
    SinglePage,
    StreamSpec,
    WriteSpec,
)
from connectors.sdk.strategies.base import PageRequest
from connectors.sdk.strategies.parent_child import read_child_pages
from connectors.sdk.strategies.query_token import QueryTokenAuth
from connectors.sdk.webhooks import (
    InboundRequest,
    PayloadError,
    SignatureError,
    StandardWebhooks,
    UrlToken,
    Verifier,
    WebhookEvent,
    bounded_header,
    epoch_header,
    epoch_millis,
)

__all__ = [
    "MERGED_IDS",
    "Association",
    "Associations",
    "AuthError",
    "BearerToken",
    "ConfigError",
    "Connector",
    "ConnectorError",
    "ConnectorSpec",
    "CredentialsChanged",
    "CursorTokenPaginator",
    "DeleteGuardConfig",
    "DestinationRefused",
    "GuardedTransport",
    "InboundRequest",
    "LastRecordKeyPaginator",
    "NextUrlPaginator",
    "OAuth2RefreshToken",
    "OffsetPaginator",
    "OutboundPolicy",
    "OutboundUrl",
    "Page",
    "PageNumberPaginator",
    "PageRequest",
    "PaginationLoopError",
    "Paginator",
    "ParentRef",
    "ParentStream",
    "PayloadError",
    "QueryTokenAuth",
    "RateLimited",
    "ReadRequest",
    "RequestRejected",
    "Requester",
    "RetryPolicy",
    "SignatureError",
    "SinglePage",
    "StandardWebhooks",
    "StreamSpec",
    "TransientError",
    "UpstreamError",
    "UrlToken",
    "Verifier",
    "WebhookEvent",
    "WriteRecord",
    "WriteResult",
    "WriteSpec",
    "association",
    "bounded_header",
    "classify",
    "dig",
    "dotted",
    "epoch_header",
    "epoch_millis",
    "error_codes",
    "hub_record",
    "link",
    "parse_retry_after",
    "public_message",
    "read_child_pages",
    "read_pages",
    "select_records",
]
