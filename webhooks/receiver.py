"""``POST /webhooks/{connector_id}``: verify, persist, then acknowledge.

Order of checks: size (413) and content type (415) by the app's middleware; unknown connector (404);
signature and timestamp (401, nothing stored); JSON (400); then a transaction stores the raw
delivery and its new events, and only after the commit does the sender get 202. Concurrent
deliveries share that transaction (group commit, ``webhooks.commit``; ADR 0024). A database that
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
from starlette.types import Receive, Scope, Send

from connectors.sdk import Connector, InboundRequest, PayloadError, SignatureError, WebhookEvent
from webhooks.commit import GroupCommit
from webhooks.connectors import ConnectorCache
from webhooks.host import ErrorBody, Metrics, ReceiverSettings
from webhooks.inbox import Delivery, Inbox, Stored

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


Outcome = tuple[Stored, str | None] | Refused
_UNAVAILABLE = "database unavailable; retry later"


class Receiver:
    """Verifies, stores and acknowledges deliveries: ``await receiver.handle(connector_id, request)``.

    Deliveries are stored by group commit (``webhooks.commit``): those arriving while a transaction
    commits share the next one, each answered 202 only after that transaction committed. A batch the
    database cannot take (down, locked, timed out) answers every delivery in it 503 with
    ``Retry-After``; a batch refused for its data (a value one delivery carries) is stored again one
    delivery per transaction, so one bad delivery does not fail the others.
    """

    def __init__(
        self,
        engine: Engine,
        inbox: Inbox,
        cache: ConnectorCache,
        *,
        error_body: ErrorBody,
        settings: ReceiverSettings | None = None,
        metrics: Metrics | None = None,
        on_stored: Callable[[], None] | None = None,
    ) -> None:
        self.engine = engine
        self.inbox = inbox
        self.cache = cache
        self.error_body = error_body
        self.settings = settings or ReceiverSettings()
        self.count = (metrics or Metrics()).delivery
        self.on_stored = on_stored
        concurrency = self.settings.commit_concurrency or (1 if engine.dialect.name == "sqlite" else 4)
        self.commits: GroupCommit[tuple[Delivery, float], Outcome] = GroupCommit(
            self._flush, max_batch=self.settings.commit_max_batch, max_wait=self.settings.commit_max_wait_seconds,
            concurrency=concurrency,
        )  # fmt: skip

    # --- in the worker thread ------------------------------------------------------------------

    def _transaction(self, batch: list[Delivery], deadline: float) -> list[Stored]:
        """Store ``batch`` in one transaction, waiting for the database until ``deadline`` at most.

        The wait is counted from the earliest arrival in the batch, so time spent queued behind other
        deliveries (for the writer, a pooled connection, a lock) is part of it, not added to it: the
        sender's retry is a better queue than our socket."""
        with self.engine.connect() as conn:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StoreTimeout(f"no database connection within {self.settings.store_timeout_seconds:g} s")
            _sqlite_busy_timeout(conn, remaining)
            try:
                with conn.begin():
                    if conn.dialect.name == "postgresql":
                        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{max(1, int(remaining * 1000))}ms'")
                    return self.inbox.store_many(conn, batch, datetime.now(UTC))
            finally:
                _sqlite_busy_timeout(conn, 30)

    def _unavailable(self, delivery: Delivery, exc: BaseException) -> Refused:
        if isinstance(exc, StoreTimeout):
            log.warning("webhook for %s not stored in time, answering 503", delivery.connector_id)
        else:
            log.warning("webhook for %s not stored, answering 503: %s", delivery.connector_id, type(exc).__name__)
        return Refused(503, _UNAVAILABLE, _RETRY)

    def _alone(self, delivery: Delivery, deadline: float) -> Outcome:
        """One delivery in its own transaction; events the database refuses are dropped, the raw
        delivery kept (for replay after a fix)."""
        try:
            return self._transaction([delivery], deadline)[0], delivery.error
        except StoreTimeout as exc:
            return self._unavailable(delivery, exc)
        except DBAPIError as exc:
            if _outage(exc):
                return self._unavailable(delivery, exc)
            log.warning("webhook for %s: events not storable (%s); keeping the delivery", delivery.connector_id,
                        type(exc.orig).__name__)  # fmt: skip
            error = f"events not storable: {type(exc.orig).__name__}"
        bare = Delivery(delivery.connector_id, delivery.request, [], error)
        try:
            return self._transaction([bare], deadline)[0], error
        except StoreTimeout as again:
            return self._unavailable(delivery, again)
        except DBAPIError as again:
            if _outage(again):
                return self._unavailable(delivery, again)
            return Refused(422, "the delivery cannot be stored")

    def _flush(self, items: list[tuple[Delivery, float]]) -> list[Outcome]:
        now = time.monotonic()
        outcomes: list[Outcome | None] = [None] * len(items)
        live = []
        for n, (delivery, deadline) in enumerate(items):
            if deadline <= now:
                outcomes[n] = self._unavailable(delivery, StoreTimeout())
            else:
                live.append(n)
        if live:
            batch = [items[n][0] for n in live]
            try:
                stored = self._transaction(batch, min(items[n][1] for n in live))
                for n, one in zip(live, stored, strict=True):
                    outcomes[n] = (one, items[n][0].error)
            except StoreTimeout as exc:
                for n in live:  # one batch, one fate: nothing in it was committed
                    outcomes[n] = self._unavailable(items[n][0], exc)
            except DBAPIError as exc:
                for n in live:
                    # the database cannot take it now: every delivery is told to retry; else the data
                    # of one of them was refused: each alone, so the others are not failed with it
                    outcomes[n] = self._unavailable(items[n][0], exc) if _outage(exc) else self._alone(*items[n])
        return [outcome for outcome in outcomes if outcome is not None]

    # --- on the event loop ---------------------------------------------------------------------

    async def _connector(self, connector_id: str) -> tuple[str, Connector] | None:
        found = self.cache.fresh(connector_id)  # a cache hit needs no thread
        if found is not None:
            return found
        try:
            return await run_in_threadpool(self.cache.get, connector_id)
        except DBAPIError as exc:
            if _outage(exc):
                raise Refused(503, _UNAVAILABLE, _RETRY) from exc
            raise Refused(404, "no such connector takes webhooks here") from exc

    async def _verified(self, connector_id: str, request: Request) -> tuple[Connector, InboundRequest, str]:
        """The connector and the delivery once it is known authentic, else ``Refused``."""
        body = await request.body()
        found = await self._connector(connector_id)
        if found is None:
            raise Refused(404, f"no connector {connector_id!r} takes webhooks here")
        _kind, connector = found
        verifier = connector.webhook_verifier()
        if verifier is None:
            raise Refused(404, f"connector {connector_id!r} does not take webhooks")
        inbound = InboundRequest(
            method=request.method,
            url=_url(request, self.settings.public_url),
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
            self.count(connector_id, "rejected")
            raise Refused(401, f"delivery not authentic: {_short(str(exc))}") from exc
        except Exception as exc:  # a verifier that chokes on a malformed header: not authentic either way
            log.info("webhook for %s rejected: malformed signature headers (%s)", connector_id, type(exc).__name__)
            self.count(connector_id, "rejected")
            raise Refused(401, "delivery not authentic: malformed signature headers") from exc
        return connector, inbound, content_type

    async def _receive(self, connector_id: str, request: Request) -> Response:
        deadline = time.monotonic() + self.settings.store_timeout_seconds
        connector, inbound, content_type = await self._verified(connector_id, request)
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
            outcome = await self.commits.submit((Delivery(connector_id, inbound, events, error), deadline))
        except Refused as exc:
            outcome = exc
        except Exception as exc:  # the flush itself broke: nothing in its batch was acknowledged
            log.warning("webhook for %s not stored, answering 503: %s", connector_id, type(exc).__name__)
            outcome = Refused(503, _UNAVAILABLE, _RETRY)
        if isinstance(outcome, Refused):
            self.count(connector_id, "unavailable" if outcome.status == 503 else "rejected")
            raise outcome
        stored, error = outcome
        self.count(connector_id, "duplicate" if stored.duplicates and not stored.accepted else "accepted")
        if stored.accepted and self.on_stored is not None:
            self.on_stored()
        custom = connector.webhook_response(stored.accepted, stored.duplicates)
        if custom is not None:
            status, payload, media_type = custom
            return Response(payload, status_code=status, media_type=media_type)
        return Response(
            orjson.dumps(
                {"delivery_id": stored.delivery_id, "accepted": stored.accepted, "duplicates": stored.duplicates,
                 **({"unparseable": error} if error else {})}
            ),
            status_code=202,
            media_type="application/json",
        )  # fmt: skip

    async def handle(self, connector_id: str, request: Request) -> Response:
        """Receive one delivery from an upstream system. Answers 202 once it is durably stored."""
        try:
            return await self._receive(connector_id, request)
        except Refused as exc:
            return JSONResponse(self.error_body(exc.status, exc.message), status_code=exc.status, headers=exc.headers)

    async def asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The same route as plain ASGI, for a fast path that skips the framework's routing:
        ``scope["path"]`` is ``/webhooks/{connector_id}``."""
        connector_id = scope["path"][len("/webhooks/") :]
        response = await self.handle(connector_id, Request(scope, receive))
        await response(scope, receive, send)


class ReceiverRouter(APIRouter):
    """The receiver's route, documented in the API; ``receiver.asgi`` serves the same requests
    without the framework's routing (the app's fast path)."""

    def __init__(self, receiver: Receiver) -> None:
        super().__init__(tags=["webhooks"])
        self.receiver = receiver

        @self.post("/webhooks/{connector_id}", status_code=202)
        async def receive(connector_id: str, request: Request) -> Response:
            """Receive one delivery from an upstream system. Answers 202 once it is durably stored."""
            return await receiver.handle(connector_id, request)


def build_router(
    engine: Engine,
    inbox: Inbox,
    cache: ConnectorCache,
    *,
    error_body: ErrorBody,
    settings: ReceiverSettings | None = None,
    metrics: Metrics | None = None,
    on_stored: Callable[[], None] | None = None,
) -> ReceiverRouter:
    """The receiver's router: deliveries are stored with ``engine`` in ``inbox``; refusals answer
    with ``error_body``; ``on_stored`` is called after a delivery added events (to wake workers)."""
    receiver = Receiver(
        engine, inbox, cache, error_body=error_body, settings=settings, metrics=metrics, on_stored=on_stored
    )
    return ReceiverRouter(receiver)
