"""The connector contract: read pages of raw records, write batches back.

A connector is constructed from its validated config model and an optional ``httpx.Client`` (the
public test seam: pass the sandbox's base URL or an ``httpx.MockTransport``). It never touches the
hub's database: the hub hands it a ``ReadRequest`` (the committed cursor and, after a crash, the
position of the last committed page) and commits each ``Page`` it yields together with the page's
``resume`` position, so a run killed at any point resumes where it stopped.
"""

from __future__ import annotations

import ssl
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import httpx
from pydantic import BaseModel

from connectors.sdk.auth import CredentialsChanged
from connectors.sdk.outbound import OutboundPolicy
from connectors.sdk.spec import ConnectorSpec
from connectors.sdk.webhooks import InboundRequest, Verifier, WebhookEvent


@dataclass(frozen=True)
class ReadRequest:
    """What the hub asks of a stream read.

    ``cursor``: the committed cursor value (lower bound for an incremental read).
    ``resume``: the ``Page.resume`` of the last committed page of an unfinished run, or ``None``.
    """

    mode: Literal["full", "incremental"]
    cursor: str | None = None
    resume: dict[str, Any] | None = None


@dataclass
class Page:
    """One page of raw records and the position to resume from after it is committed.

    ``resume`` is ``None`` on the last page of the read.
    """

    records: list[dict[str, Any]]
    resume: dict[str, Any] | None


@dataclass(frozen=True)
class WriteRecord:
    """One record to write: ``key`` is the value of the write spec's id property.

    ``external_id`` is the upstream id when the hub knows the record, ``hub_id`` the hub's golden id
    (for the hub-id slot), ``idempotency_key`` the same on every retry of one write.
    """

    key: str
    properties: dict[str, Any]
    external_id: str | None = None
    hub_id: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class WriteResult:
    """The outcome for one ``WriteRecord``; a batch never fails as a whole for one bad record."""

    key: str
    ok: bool
    external_id: str | None = None
    created: bool | None = None
    error: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


class Connector(ABC):
    """Base class of every connector. Subclasses set ``spec`` and ``config_model``."""

    spec: ClassVar[ConnectorSpec]
    config_model: ClassVar[type[BaseModel]]

    def __init__(
        self, config: BaseModel, client: httpx.Client | None = None, *, outbound: OutboundPolicy | None = None
    ) -> None:
        self.config = config
        self.client = client
        #: where the connector may connect (the hub passes its ``HUB_OUTBOUND_ALLOW``); the default
        #: refuses every internal destination
        self.outbound = outbound if outbound is not None else OutboundPolicy()
        #: set by the hub: call it with credentials the upstream replaced (a rotated refresh token)
        self.credentials_changed: CredentialsChanged | None = None

    def http_client(self, *, verify: ssl.SSLContext | bool = True, **kwargs: Any) -> httpx.Client:
        """The ``httpx.Client`` a connector builds for itself (kwargs: ``base_url``, ``timeout``,
        ``headers``, ``auth``...): every request and connection goes through ``self.outbound``."""
        return self.outbound.client(verify=verify, **kwargs)

    @abstractmethod
    def read(self, stream: str, request: ReadRequest) -> Iterator[Page]:
        """Yield pages of raw records of ``stream`` for ``request``."""

    def write(
        self, object_name: str, records: list[WriteRecord], *, id_property: str | None = None
    ) -> list[WriteResult]:
        """Write records to ``object_name``, addressed by ``id_property`` (default: the write spec's);
        one result per record, in order."""
        raise NotImplementedError(f"{self.spec.kind} offers no write operation for {object_name!r}")

    # --- webhooks (optional): see connectors.sdk.webhooks -----------------------------------------

    #: content types the connector's deliveries come in; JSON is parsed by the hub before parse_webhook
    webhook_content_types: ClassVar[tuple[str, ...]] = ("application/json",)

    def webhook_verifier(self) -> Verifier | None:
        """How this system's deliveries are authenticated; None: the connector takes no webhooks."""
        return None

    def webhook_secrets(self) -> list[str]:
        """The currently valid signing secrets, newest first (two during a rotation)."""
        return []

    def parse_webhook(self, request: InboundRequest, document: Any) -> list[WebhookEvent]:
        """The events of one verified delivery (``document`` is its parsed JSON, None for non-JSON
        content types: parse ``request.body`` yourself).

        Raise ``PayloadError`` when the content is not in the sender's format.
        """
        raise NotImplementedError(f"{self.spec.kind} does not accept webhooks")

    def webhook_response(self, stored: int, duplicates: int) -> tuple[int, bytes, str] | None:
        """The answer the sender expects once a delivery is stored (status, body, content type);
        None for the hub's JSON 202."""
        return None

    def fetch(self, object_name: str, external_ids: list[str]) -> list[dict[str, Any]]:
        """Current raw records by id (deleted ones included, flagged as the mapping expects), for
        events that name a record instead of carrying it."""
        raise NotImplementedError(f"{self.spec.kind} cannot fetch records by id")

    def check(self) -> None:
        """Prove the credentials work (one cheap call); raise an SDK error if not."""

    def close(self) -> None:
        """Release the HTTP client if the connector created it."""
