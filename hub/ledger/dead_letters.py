"""Dead letters: records that could not be mapped, kept with their reason and raw payload.

A record is dead-lettered once per reason while its letter is open (the next sync re-reads it), and
its letters are resolved when it later maps.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select, update

from hub.db.schema import dead_letters
from hub.ledger.upsert import chunks

if TYPE_CHECKING:
    from hub.ledger.writer import Origin, PageMapper


def event_id_for(origin: Origin, event_ids: Mapping[str, str] | None, external_id: str | None) -> str | None:
    if event_ids and external_id and external_id in event_ids:
        return event_ids[external_id]
    return origin.webhook_event_id


def dead_letter(
    conn: Connection,
    origin: Origin,
    object_name: str,
    failures: list[tuple[dict[str, Any], Any]],
    mapper: PageMapper,
    now: datetime,
    event_ids: Mapping[str, str] | None = None,
) -> int:
    """Record records that could not be mapped, once each: a record still open with the same reason
    (re-read by the next sync) is not dead-lettered again."""
    rows = [
        {
            "created_at": now,
            "source_system": origin.system,
            "source_instance": origin.instance,
            "source_object": object_name,
            "external_id": mapper.external_id(object_name, raw),
            "stage": "mapping",
            "reason": failure.reason,
            "field": failure.field,
            "raw": raw,
            "run_id": origin.run_id,
            "webhook_event_id": event_id_for(origin, event_ids, mapper.external_id(object_name, raw)),
            "status": "open",
        }
        for raw, failure in failures
    ]
    ids = [row["external_id"] for row in rows if row["external_id"]]
    open_now: set[tuple[str, str]] = set()
    for part in chunks(ids):
        query = select(dead_letters.c.external_id, dead_letters.c.reason).where(
            dead_letters.c.source_instance == origin.instance,
            dead_letters.c.source_object == object_name,
            dead_letters.c.external_id.in_(part),
            dead_letters.c.status == "open",
        )
        open_now.update((r.external_id, r.reason) for r in conn.execute(query))
    fresh = [row for row in rows if (row["external_id"], row["reason"]) not in open_now]
    if fresh:
        conn.execute(insert(dead_letters), fresh)
    return len(rows)


def resolve_dead_letters(conn: Connection, origin: Origin, object_name: str, external_ids: list[str]) -> None:
    """A record that maps now closes its open dead letters."""
    for part in chunks(external_ids):
        conn.execute(
            update(dead_letters)
            .where(
                dead_letters.c.source_instance == origin.instance,
                dead_letters.c.source_object == object_name,
                dead_letters.c.external_id.in_(part),
                dead_letters.c.status == "open",
            )
            .values(status="resolved")
        )
