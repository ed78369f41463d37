"""``POST /webhooks/{connector_id}``: verify, persist, then acknowledge.

Order of checks: size (413) and content type (415) by the app's middleware; unknown connector (404);
signature and timestamp (401, nothing stored); JSON (400); then one transaction stores the raw
delivery and its new events, and only after the commit does the sender get 202. A database that
cannot take the delivery answers 503 with ``Retry-After``, so the sender retries and nothing is lost.
A verified delivery whose content the connector cannot parse is stored as ``unparseable`` (kept for
replay after a fix) and acknowledged.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

import orjson
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from connectors.sdk import Connector, InboundRequest, PayloadError, SignatureError, WebhookEvent
from webhooks.connectors import ConnectorCache
from webhooks.host import ErrorBody, Metrics, ReceiverSettings
from webhooks.inbox import Inbox, Stored

log = logging.getLogger(__name__)
_RETRY = {"Retry-After": "5"}


class StoreTimeout(Exception):
    """The delivery's store timeout ran out before the database took it."""


class Refused(Exception):
    """Answer the sender ``status`` with the host's error body (and ``headers``)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _outage(exc: DBAPIError) -> bool:
    """A database that cannot take the delivery now (down, locked, timed out): the sender should
    retry. Anything else (data the database refuses) will fail the same way on every retry."""
    return isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated


def _url(request: Request, public_url: str | None) -> str:
    if public_url:
        query = f"?{request.url.query}" if request.url.query else ""
        return public_url.rstrip("/") + request.url.path + query
    return str(request.url)


def _sqlite_busy_timeout(conn: Connection, seconds: float) -> None:
    """SQLite waits for the write lock up to its busy timeout; set it on the raw connection, outside
    any transaction (the begin hook takes the lock at BEGIN)."""
    raw = conn.connection.dbapi_connection
    if conn.dialect.name == "sqlite" and raw is not None:
        raw.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}")


def build_router(
    engine: Engine,
    inbox: Inbox,
    cache: ConnectorCache,
    *,
    error_body: ErrorBody,
    settings: ReceiverSettings | None = None,
    metrics: Metrics | None = None,
    on_stored: Callable[[], None] | None = None,
) -> APIRouter:
    """The receiver's router: deliveries are stored with ``engine`` in ``inbox``; refusals answer
    with ``error_body``; ``on_stored`` is called after a delivery added events (to wake workers)."""
    router = APIRouter(tags=["webhooks"])
    settings = settings or ReceiverSettings()
    count = (metrics or Metrics()).delivery
    timeout = settings.store_timeout_seconds

    def _persist(
        connector_id: str, inbound: InboundRequest, events: list[WebhookEvent], error: str | None, deadline: float
    ) -> Stored:
        # Wait for the database only briefly: the sender's retry is a better queue than our socket.
        # The wait is counted from the delivery's arrival, so time spent queued for a worker thread
        # or a pooled connection (many deliveries under one lock) is part of it, not added to it.
        with engine.connect() as conn:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StoreTimeout(f"no database connection within {timeout:g} s")
            _sqlite_busy_timeout(conn, remaining)
            try:
                with conn.begin():
                    if conn.dialect.name == "postgresql":
                        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{max(1, int(remaining * 1000))}ms'")
                    return inbox.store(conn, connector_id, inbound, events, datetime.now(UTC), error=error)
            finally:
                _sqlite_busy_timeout(conn, 30)

    async def _verified(connector_id: str, request: Request) -> tuple[Connector, InboundRequest, str]:
        """The connector and the delivery once it is known authentic, else ``Refused``."""
        body = await request.body()
        try:
            found = await run_in_threadpool(cache.get, connector_id)
        except DBAPIError as exc:
            if _outage(exc):
                raise Refused(503, "database unavailable; retry later", _RETRY) from exc
            raise Refused(404, "no such connector takes webhooks here") from exc
        if found is None:
            raise Refused(404, f"no connector {connector_id!r} takes webhooks here")
        _kind, connector = found
        verifier = connector.webhook_verifier()
        if verifier is None:
            raise Refused(404, f"connector {connector_id!r} does not take webhooks")
        inbound = InboundRequest(
            method=request.method,
            url=_url(request, settings.public_url),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
        )
        content_type = inbound.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in connector.webhook_content_types:
            accepted_types = ", ".join(connector.webhook_content_types)
            raise Refused(415, f"content type {content_type or 'none'!r}; this connector takes {accepted_types}")
        try:
            verifier.verify(inbound, connector.webhook_secrets())
        except SignatureError as exc:
            log.info("webhook for %s rejected: %s", connector_id, _short(str(exc)))
            count(connector_id, "rejected")
            raise Refused(401, f"delivery not authentic: {_short(str(exc))}") from exc
        except Exception as exc:  # a verifier that chokes on a malformed header: not authentic either way
            log.info("webhook for %s rejected: malformed signature headers (%s)", connector_id, type(exc).__name__)
            count(connector_id, "rejected")
            raise Refused(401, "delivery not authentic: malformed signature headers") from exc
        return connector, inbound, content_type

    async def _receive(connector_id: str, request: Request) -> Response:
        deadline = time.monotonic() + timeout
        connector, inbound, content_type = await _verified(connector_id, request)
        document = None
        if content_type == "application/json":
            try:
                document = orjson.loads(inbound.body)
            except orjson.JSONDecodeError as exc:
                try:  # valid JSON orjson cannot hold (an integer beyond 64 bits): the standard library can
                    document = json.loads(inbound.body)
                except ValueError:
                    raise Refused(400, f"malformed JSON: {_short(str(exc))}") from exc
        events: list[WebhookEvent] = []
        error = None
        try:
            events = connector.parse_webhook(inbound, document)
        except PayloadError as exc:
            error = str(exc)
        try:
            stored = await run_in_threadpool(_persist, connector_id, inbound, events, error, deadline)
        except StoreTimeout as exc:
            log.warning("webhook for %s not stored in time, answering 503", connector_id)
            count(connector_id, "unavailable")
            raise Refused(503, "database unavailable; retry later", _RETRY) from exc
        except DBAPIError as exc:
            if _outage(exc):
                log.warning("webhook for %s not stored, answering 503: %s", connector_id, type(exc).__name__)
                count(connector_id, "unavailable")
                raise Refused(503, "database unavailable; retry later", _RETRY) from exc
            # The data, not the database: keep the raw delivery (for replay after a fix), no events.
            log.warning("webhook for %s: events not storable (%s); keeping the delivery", connector_id,
                        type(exc.orig).__name__)  # fmt: skip
            error = f"events not storable: {type(exc.orig).__name__}"
            events = []
            try:
                stored = await run_in_threadpool(_persist, connector_id, inbound, events, error, deadline)
            except StoreTimeout as again:
                count(connector_id, "unavailable")
                raise Refused(503, "database unavailable; retry later", _RETRY) from again
            except DBAPIError as again:
                count(connector_id, "unavailable" if _outage(again) else "rejected")
                if _outage(again):
                    raise Refused(503, "database unavailable; retry later", _RETRY) from again
                raise Refused(422, "the delivery cannot be stored") from again
        count(connector_id, "duplicate" if stored.duplicates and not stored.accepted else "accepted")
        if stored.accepted and on_stored is not None:
            on_stored()
        custom = connector.webhook_response(stored.accepted, stored.duplicates)
        if custom is not None:
            status, payload, media_type = custom
            return Response(payload, status_code=status, media_type=media_type)
        return JSONResponse(
            {"delivery_id": stored.delivery_id, "accepted": stored.accepted, "duplicates": stored.duplicates,
             **({"unparseable": error} if error else {})},
            status_code=202,
        )  # fmt: skip

    @router.post("/webhooks/{connector_id}", status_code=202)
    async def receive(connector_id: str, request: Request) -> Response:
        """Receive one delivery from an upstream system. Answers 202 once it is durably stored."""
        try:
            return await _receive(connector_id, request)
        except Refused as exc:
            return JSONResponse(error_body(exc.status, exc.message), status_code=exc.status, headers=exc.headers)

    return router
