"""The cross-reference table: canonical id <-> each system's id, resolved a page at a time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, and_, select

from hub.db.schema import xrefs
from hub.ledger.keys import SourceKey, mint_canonical_id
from hub.ledger.upsert import chunks, insert_ignore


def _lookup(conn: Connection, keys: list[SourceKey], *, lock: bool) -> dict[SourceKey, str]:
    found: dict[SourceKey, str] = {}
    by_scope: dict[tuple[str, str], list[str]] = {}
    for key in keys:
        by_scope.setdefault((key.instance, key.object), []).append(key.external_id)
    for (instance, obj), ids in by_scope.items():
        for part in chunks(ids):
            query = (
                select(xrefs.c.external_id, xrefs.c.canonical_id)
                .where(and_(xrefs.c.source_instance == instance, xrefs.c.source_object == obj))
                .where(xrefs.c.external_id.in_(part))
                .order_by(xrefs.c.id)
            )
            if lock and conn.dialect.name == "postgresql":
                # Serialises concurrent writers (sync page vs webhook) on the same source records.
                query = query.with_for_update()
            for external_id, canonical_id in conn.execute(query):
                found[SourceKey(instance, obj, external_id)] = canonical_id
    return found


def resolve(
    conn: Connection,
    keys: Iterable[tuple[SourceKey, str]],
    *,
    system: str,
    now: datetime,
    lock: bool = False,
) -> dict[SourceKey, str]:
    """Canonical ids for ``(key, entity_type)`` pairs, creating xref rows for keys not seen before.

    With ``lock`` the rows are locked ``FOR UPDATE`` (PostgreSQL) for the rest of the transaction.
    """
    wanted = dict(keys)
    # PostgreSQL: lock the rows that exist now; rows inserted below are ours until commit anyway.
    found = _lookup(conn, sorted(wanted), lock=lock)
    missing = [key for key in wanted if key not in found]
    if missing:
        insert_ignore(
            conn,
            xrefs,
            [
                {
                    "entity_type": wanted[key],
                    "canonical_id": mint_canonical_id(key),
                    "source_system": system,
                    "source_instance": key.instance,
                    "source_object": key.object,
                    "external_id": key.external_id,
                    "status": "active",
                    "first_seen_at": now,
                }
                for key in sorted(missing)
            ],
            key=["source_instance", "source_object", "external_id"],
        )
        # Another writer may have inserted some of them first: read back what won.
        found.update(_lookup(conn, sorted(missing), lock=lock))
    return found


def source_keys_for(conn: Connection, canonical_ids: list[str]) -> dict[str, list[SourceKey]]:
    """Every source key linked to each canonical id."""
    out: dict[str, list[SourceKey]] = {}
    for part in chunks(canonical_ids):
        rows = conn.execute(
            select(xrefs.c.canonical_id, xrefs.c.source_instance, xrefs.c.source_object, xrefs.c.external_id)
            .where(xrefs.c.canonical_id.in_(part))
            .order_by(xrefs.c.id)
        )
        for canonical_id, instance, obj, external_id in rows:
            out.setdefault(canonical_id, []).append(SourceKey(instance, obj, external_id))
    return out


__all__ = ["resolve", "source_keys_for"]
