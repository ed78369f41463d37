"""The inbox tables: store deliveries durably, claim due events, settle them.

Idempotency: each event has a key (the sender's event id, else a hash of the event), unique per
connector, kept forever; a delivery seen before is stored as a delivery but adds no event.

The tables are the host's (its schema and migrations create them, see ADR 0012): ``Inbox`` is
built from the two ``Table`` objects and checks that they have the columns it reads and writes.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
from sqlalchemy import Connection, Table, and_, bindparam, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from connectors.sdk import InboundRequest, WebhookEvent

_PRIVATE_HEADERS = {"authorization", "cookie", "proxy-authorization"}
_SECRET_PARAMS = {"token", "api_key", "apikey", "hapikey", "key", "secret", "signature", "sig"}


def redact_url(url: str) -> str:
    """The URL with secret-bearing query parameters (a path token, say) replaced by ``***``."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [
        (k, "***" if k.lower() in _SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))


def event_key(event: WebhookEvent) -> str:
    if event.event_id:
        return f"id:{event.event_id}"
    digest = hashlib.sha256(orjson.dumps(event.payload or event.record or {}, option=orjson.OPT_SORT_KEYS))
    return f"sha256:{digest.hexdigest()}"


DELIVERY_COLUMNS = frozenset(
    {"id", "connector_id", "received_at", "method", "url", "headers", "body", "body_sha256", "events", "duplicates",
     "status", "error"}
)  # fmt: skip
EVENT_COLUMNS = frozenset(
    {"id", "connector_id", "event_key", "delivery_id", "received_at", "source_object", "external_id", "action",
     "occurred_at", "version", "payload", "record", "state", "attempts", "next_attempt_at", "claimed_by",
     "claim_expires_at", "last_error", "applied_at", "changed"}
)  # fmt: skip
BODY_COLUMNS = frozenset({"sha256", "body", "size", "first_received_at"})

_NUL = "\x00"
_NUL_ESCAPED = "\\u0000"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return _NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def escape_nul(value: Any) -> Any:
    """``value`` as JSON the database can hold: every NUL character in its strings (keys too) written
    as the six characters ``\\u0000`` (PostgreSQL's text and jsonb cannot hold NUL), an integer
    beyond 64 bits as its decimal string. The raw body keeps the original."""
    if isinstance(value, str):
        return value.replace(_NUL, _NUL_ESCAPED) if _NUL in value else value
    if isinstance(value, int) and not isinstance(value, bool):
        return value if -(2**63) <= value < 2**64 else str(value)
    if isinstance(value, dict):
        return {escape_nul(k): escape_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [escape_nul(v) for v in value]
    return value


def _fit(value: str, limit: int | None) -> str:
    """``value`` if it fits a column of ``limit`` characters, else its SHA-256 (the original is kept in
    the event's payload)."""
    if limit is None or len(value) <= limit:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8", errors="surrogatepass")).hexdigest()


def _length(table: Table, column: str) -> int | None:
    length = getattr(table.c[column].type, "length", None)
    return int(length) if length else None


#: event keys per ``IN (...)`` lookup (SQLite binds at most 32,766 parameters per statement)
_IN_CHUNK = 500


@dataclass
class Delivery:
    """One verified delivery to store: its connector, the raw request, its parsed events, and the
    reason it could not be parsed (stored ``unparseable``)."""

    connector_id: str
    request: InboundRequest
    events: list[WebhookEvent]
    error: str | None = None


@dataclass
class Stored:
    delivery_id: int
    accepted: int
    duplicates: int


def _insert_ignore(conn: Connection, table: Table, rows: list[dict[str, Any]], key: list[str]) -> None:
    """Insert ``rows``, skipping those whose ``key`` already exists (a concurrent duplicate)."""
    if not rows:
        return
    dialects: dict[str, Any] = {"postgresql": postgresql, "sqlite": sqlite}
    dialect = dialects.get(conn.dialect.name)
    if dialect is None:
        raise NotImplementedError(f"no insert-or-ignore for dialect {conn.dialect.name}")
    conn.execute(dialect.insert(table).on_conflict_do_nothing(index_elements=key), rows)


class Inbox:
    """The inbox over the host's ``deliveries``, ``events`` and ``bodies`` tables (every call runs in
    the caller's transaction)."""

    def __init__(self, deliveries: Table, events: Table, bodies: Table) -> None:
        for table, needed in ((deliveries, DELIVERY_COLUMNS), (events, EVENT_COLUMNS), (bodies, BODY_COLUMNS)):
            missing = needed - set(table.c.keys())
            if missing:
                raise ValueError(f"table {table.name} lacks the inbox columns {sorted(missing)}")
        self.deliveries = deliveries
        self.events = events
        self.bodies = bodies

    def _event_row(self, event: WebhookEvent, key: str) -> dict[str, Any]:
        """The event as a row the database can hold whatever the sender put in it: a field it cannot
        hold (a NUL, an id longer than its column) makes the event ``dead`` with the reason, its
        payload kept (NULs escaped) so it can be read and replayed."""
        events = self.events
        problems = [event.problem] if event.problem else []
        if _has_nul([event.object, event.external_id, event.event_id, event.version, event.payload, event.record]):
            problems.append("the event carries a NUL character (\\u0000), which the hub does not store as data")
        external_id = event.external_id
        limit = _length(events, "external_id")
        if limit is not None and len(external_id) > limit:
            problems.append(f"objectId/external id over {limit} characters")
        version = event.version
        limit = _length(events, "version")
        if version is not None and limit is not None and len(version) > limit:
            problems.append(f"version over {limit} characters")
            version = None
        action = event.action if event.action in ("upsert", "delete") else "upsert"
        problem = "; ".join(escape_nul(p) for p in problems)[:2000] or None
        return {
            "event_key": _fit(escape_nul(key), _length(events, "event_key")),
            "source_object": _fit(escape_nul(event.object), _length(events, "source_object")),
            "external_id": _fit(escape_nul(external_id), _length(events, "external_id")),
            "action": action, "occurred_at": event.occurred_at, "version": escape_nul(version),
            "payload": escape_nul(event.payload), "record": escape_nul(event.record),
            "state": "dead" if problem else "pending", "last_error": problem,
        }  # fmt: skip

    def store(
        self,
        conn: Connection,
        connector_id: str,
        request: InboundRequest,
        events: list[WebhookEvent],
        now: datetime,
        *,
        error: str | None = None,
        key_prefix: str = "",
    ) -> Stored:
        """Append the delivery (its body once per distinct body) and its not-yet-seen events."""
        return self.store_many(conn, [Delivery(connector_id, request, events, error)], now, key_prefix=key_prefix)[0]

    def store_many(
        self, conn: Connection, batch: list[Delivery], now: datetime, *, key_prefix: str = ""
    ) -> list[Stored]:
        """Append several deliveries in the caller's transaction (group commit), as if each were stored
        in turn: an event key seen before, or earlier in the batch, is a duplicate of the later
        delivery. A handful of statements whatever the batch size; results in ``batch`` order."""
        if not batch:
            return []
        deliveries, inbox_events = self.deliveries, self.events
        digests = [hashlib.sha256(item.request.body).hexdigest() for item in batch]
        bodies: dict[str, dict[str, Any]] = {}
        for digest, item in zip(digests, batch, strict=True):
            body = item.request.body
            bodies.setdefault(digest, {"sha256": digest, "body": body, "size": len(body), "first_received_at": now})
        _insert_ignore(conn, self.bodies, list(bodies.values()), key=["sha256"])
        delivery_rows = [
            {
                "connector_id": item.connector_id, "received_at": now, "method": escape_nul(item.request.method)[:10],
                "url": escape_nul(redact_url(item.request.url)),
                "headers": escape_nul({k: v for k, v in item.request.headers.items() if k not in _PRIVATE_HEADERS}),
                "body": None, "body_sha256": digest, "events": len(item.events), "duplicates": 0,
                "status": "unparseable" if item.error else "accepted", "error": escape_nul(item.error),
            }
            for digest, item in zip(digests, batch, strict=True)
        ]  # fmt: skip
        ids = [
            row.id
            for row in conn.execute(
                insert(deliveries).returning(deliveries.c.id, sort_by_parameter_order=True), delivery_rows
            )
        ]
        per_delivery: list[dict[str, dict[str, Any]]] = []
        keys: dict[str, set[str]] = {}
        for delivery_id, item in zip(ids, batch, strict=True):
            rows: dict[str, dict[str, Any]] = {}
            for event in item.events:
                row = self._event_row(event, key_prefix + event_key(event))
                rows[row["event_key"]] = {
                    "connector_id": item.connector_id, "delivery_id": delivery_id, "received_at": now,
                    "attempts": 0, "next_attempt_at": now, **row,
                }  # fmt: skip
            per_delivery.append(rows)
            keys.setdefault(item.connector_id, set()).update(rows)
        taken = {(cid, key) for cid, wanted in keys.items() for key in self._existing(conn, cid, sorted(wanted))}
        fresh: list[dict[str, Any]] = []
        stored: list[Stored] = []
        dup_rows: list[dict[str, Any]] = []
        for delivery_id, item, rows in zip(ids, batch, per_delivery, strict=True):
            new = [row for key, row in rows.items() if (item.connector_id, key) not in taken]
            taken.update((item.connector_id, key) for key in rows)
            fresh.extend(new)
            duplicates = len(item.events) - len(new)
            if duplicates:
                dup_rows.append({"delivery": delivery_id, "dups": duplicates})
            stored.append(Stored(delivery_id=delivery_id, accepted=len(new), duplicates=duplicates))
        _insert_ignore(conn, inbox_events, fresh, key=["connector_id", "event_key"])
        if dup_rows:
            conn.execute(
                update(deliveries).where(deliveries.c.id == bindparam("delivery")).values(duplicates=bindparam("dups")),
                dup_rows,
            )
        return stored

    def _existing(self, conn: Connection, connector_id: str, keys: list[str]) -> set[str]:
        found: set[str] = set()
        events = self.events
        for start in range(0, len(keys), _IN_CHUNK):
            rows = conn.execute(
                select(events.c.event_key).where(
                    events.c.connector_id == connector_id, events.c.event_key.in_(keys[start : start + _IN_CHUNK])
                )
            )
            found.update(row.event_key for row in rows)
        return found

    def claim(self, conn: Connection, owner: str, now: datetime, *, limit: int, claim_seconds: float) -> list[Any]:
        """Take up to ``limit`` due events (pending and due, or processing with an expired claim)."""
        events = self.events
        due = or_(
            and_(events.c.state == "pending", events.c.next_attempt_at <= now),
            and_(events.c.state == "processing", events.c.claim_expires_at < now),
        )
        query = select(events.c.id).where(due).order_by(events.c.id).limit(limit)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = [row.id for row in conn.execute(query)]
        if not ids:
            return []
        conn.execute(
            update(events)
            .where(events.c.id.in_(ids))
            .values(
                state="processing",
                claimed_by=owner,
                claim_expires_at=now + timedelta(seconds=claim_seconds),
                attempts=events.c.attempts + 1,
            )
        )
        return list(conn.execute(select(events).where(events.c.id.in_(ids)).order_by(events.c.id)))

    def settle_applied(
        self, conn: Connection, owner: str, ids: list[int], changed: Mapping[int, bool], now: datetime
    ) -> int:
        """Mark events applied, only while this worker still holds them; returns how many it held."""
        events = self.events
        held = 0
        for changed_flag in (True, False):
            group = [i for i in ids if changed.get(i, False) is changed_flag]
            if not group:
                continue
            result = conn.execute(
                update(events)
                .where(events.c.id.in_(group), events.c.claimed_by == owner, events.c.state == "processing")
                .values(state="applied", applied_at=now, claimed_by=None, claim_expires_at=None, last_error=None,
                        changed=changed_flag)
            )  # fmt: skip
            held += result.rowcount
        return held

    def settle_failed(
        self, conn: Connection, owner: str, rows: list[Any], error: str, now: datetime, *, max_attempts: int,
        base: float,
    ) -> None:  # fmt: skip
        """Schedule a retry with exponential backoff and jitter, or dead-letter after ``max_attempts``."""
        events = self.events
        for row in rows:
            dead = row.attempts >= max_attempts
            delay = min(3600.0, base * 2 ** max(0, row.attempts - 1)) * random.uniform(0.5, 1.0)
            conn.execute(
                update(events)
                .where(events.c.id == row.id, events.c.claimed_by == owner)
                .values(state="dead" if dead else "pending", claimed_by=None, claim_expires_at=None,
                        last_error=error[:2000], next_attempt_at=now + timedelta(seconds=delay))
            )  # fmt: skip

    def replay(self, conn: Connection, ids: list[int], now: datetime) -> int:
        """Put events back in the queue (any state but processing), attempts reset."""
        events = self.events
        result = conn.execute(
            update(events)
            .where(events.c.id.in_(ids), events.c.state != "processing")
            .values(state="pending", attempts=0, next_attempt_at=now, last_error=None, claimed_by=None)
        )
        return int(result.rowcount)
