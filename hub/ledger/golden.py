"""Golden records: the projection of live source records through survivorship."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, select

from hub.db.schema import golden_records, source_records
from hub.ledger.survivorship import SourceState, display_name, lookup_key, roles_column, survive
from hub.ledger.upsert import chunks, upsert


def source_state(row: Any) -> SourceState:
    return SourceState(
        system=row.source_system,
        instance=row.source_instance,
        object=row.source_object,
        external_id=row.external_id,
        fields=row.fields,
        source_updated_at=row.source_updated_at,
        last_entry_id=row.last_entry_id,
        observed_at=row.observed_at,
    )


def golden_row(canonical_id: str, entity_type: str, sources: list[SourceState]) -> dict[str, Any]:
    golden = survive(entity_type, sources)
    return {
        "canonical_id": canonical_id,
        "entity_type": entity_type,
        "display_name": display_name(entity_type, golden.fields),
        "lookup_key": lookup_key(entity_type, golden.fields),
        "roles": roles_column(golden.fields),
        "fields": golden.fields,
        "provenance": golden.provenance,
        "source_count": len(sources),
        "last_entry_id": golden.last_entry_id,
        "updated_at": golden.updated_at,
    }


def refresh(conn: Connection, canonical_ids: Iterable[str], *, writes: bool = True) -> int:
    """Recompute the golden records of ``canonical_ids`` from their live source records and, unless
    ``writes`` is false, insert the outbox rows for the writes they imply (same transaction, ADR 20)."""
    ids = sorted(set(canonical_ids))
    grouped: dict[str, tuple[str, list[SourceState]]] = {}
    for part in chunks(ids):
        rows = conn.execute(
            select(source_records).where(source_records.c.golden_id.in_(part), source_records.c.deleted.is_(False))
        )
        for row in rows:
            entry = grouped.setdefault(row.golden_id, (row.entity_type, []))
            entry[1].append(source_state(row))
    upsert(
        conn,
        golden_records,
        [golden_row(cid, etype, sources) for cid, (etype, sources) in sorted(grouped.items())],
        key=["canonical_id"],
    )
    gone = [cid for cid in ids if cid not in grouped]
    for part in chunks(gone):
        conn.execute(delete(golden_records).where(golden_records.c.canonical_id.in_(part)))
    if writes and grouped:
        from hub.writeback.outbox import enqueue  # the outbox plans from golden records: no import cycle

        enqueue(conn, list(grouped), datetime.now(UTC))
    return len(grouped)
