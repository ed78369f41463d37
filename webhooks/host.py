"""What the webhooks package needs from the application that hosts it, as small protocols.

``webhooks`` imports the connector SDK, its own modules and third-party libraries only. The hub
(``hub.inbound``) builds these from its own objects and hands them in: the database engines and
inbox tables, the ledger's write path and mapper lookup, a few settings, the error-body shape of its
API, and its metrics counters. Nothing here names a hub type, so the arrow points one way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection

#: ``error_body(status, message)`` → the JSON body of an error answer (the host API's error shape).
ErrorBody = Callable[[int, str], dict[str, Any]]


class Ledger(Protocol):
    """The host's write path for records that webhooks bring, in the worker's transaction."""

    def external_id(self, kind: str, object_name: str, raw: dict[str, Any]) -> str | None:
        """The record's id in its source system, as the mapping of connector ``kind`` reads it."""
        ...

    def write(
        self,
        conn: Connection,
        kind: str,
        connector_id: str,
        object_name: str,
        records: list[dict[str, Any]],
        gone: list[str],
        now: datetime,
        event_ids: Mapping[str, str],
    ) -> set[str]:
        """Apply ``records`` and tombstone ``gone`` (external ids the upstream no longer has);
        ``event_ids`` names the event that brought each record. Returns the external ids whose
        ledger state changed."""
        ...


def _ignore(*_args: Any) -> None:
    return None


@dataclass(frozen=True)
class Metrics:
    """Counters the host exports: ``delivery(connector_id, result)`` for each delivery received
    (accepted, duplicate, rejected, unavailable), ``events(connector_id, outcome, count)`` for inbox
    events processed (applied, failed). No-ops by default."""

    delivery: Callable[[str, str], None] = _ignore
    events: Callable[[str, str, int], None] = _ignore


@dataclass(frozen=True)
class ReceiverSettings:
    """``public_url``: the receiver's address as senders see it (signatures cover the URL) when a
    proxy rewrites it; ``store_timeout_seconds``: how long a delivery waits for the database before
    the sender is told to retry (503); ``commit_max_batch``: most deliveries in one group commit;
    ``commit_max_wait_seconds``: how long a group commit that is not full waits for more (0: flush at
    once, batches form only from deliveries that arrive while the previous commit runs);
    ``commit_concurrency``: group commits in flight at once (None: 1 on SQLite, one writer at a time
    anyway; 4 on PostgreSQL, whose commits proceed in parallel)."""

    public_url: str | None = None
    store_timeout_seconds: float = 2.0
    commit_max_batch: int = 256
    commit_max_wait_seconds: float = 0.0
    commit_concurrency: int | None = None


@dataclass(frozen=True)
class WorkerSettings:
    """How long a worker's claim on events lasts, how often an event is tried before it is dead,
    and the base of the exponential backoff between tries."""

    claim_seconds: float = 60.0
    max_attempts: int = 8
    retry_base_seconds: float = 2.0
