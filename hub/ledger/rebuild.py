"""Rebuild every projection (source records, golden records) by replaying the ledger in order.

The ledger is the source of truth: ``rebuild`` drops the projections and recomputes them, so it
must produce exactly the live state. The test suite proves it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from hub.db.schema import golden_records, ledger_entries, source_records
from hub.ledger.golden import golden_row
from hub.ledger.survivorship import SourceState


@dataclass
class RebuildReport:
    entries: int
    source_records: int
    golden_records: int


def replay(conn: Connection, batch: int = 5000) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Fold the ledger into the latest state of every source record."""
    state: dict[tuple[str, str, str], dict[str, Any]] = {}
    last_id = 0
    while True:
        rows = conn.execute(
            select(ledger_entries).where(ledger_entries.c.id > last_id).order_by(ledger_entries.c.id).limit(batch)
        ).fetchall()
        if not rows:
            return state
        for row in rows:
            key = (row.source_instance, row.source_object, row.external_id)
            current = state.get(key)
            fields = dict(current["fields"]) if current else {}
            for name, (_before, after) in row.changes.items():
                if after is None:
                    fields.pop(name, None)
                else:
                    fields[name] = after
            state[key] = {
                "source_instance": row.source_instance,
                "source_object": row.source_object,
                "external_id": row.external_id,
                "source_system": row.source_system,
                "entity_type": row.entity_type,
                "canonical_id": row.canonical_id,
                "fields": fields,
                "content_hash": row.content_hash,
                "source_updated_at": row.source_updated_at,
                "observed_at": row.observed_at,
                "last_entry_id": row.id,
                "deleted": row.op == "delete",
                "golden_id": current["golden_id"] if current else row.canonical_id,
            }
        last_id = rows[-1].id


def rebuild(conn: Connection) -> RebuildReport:
    """Drop and recompute the projections inside the caller's transaction."""
    entries = conn.execute(select(func.count()).select_from(ledger_entries)).scalar_one()
    state = replay(conn)
    conn.execute(delete(golden_records))
    conn.execute(delete(source_records))
    rows = list(state.values())
    for start in range(0, len(rows), 1000):
        conn.execute(insert(source_records), rows[start : start + 1000])
    grouped: dict[str, tuple[str, list[SourceState]]] = {}
    for row in rows:
        if row["deleted"]:
            continue
        entry = grouped.setdefault(row["canonical_id"], (row["entity_type"], []))
        entry[1].append(
            SourceState(
                system=row["source_system"],
                instance=row["source_instance"],
                object=row["source_object"],
                external_id=row["external_id"],
                fields=row["fields"],
                source_updated_at=row["source_updated_at"],
                last_entry_id=row["last_entry_id"],
                observed_at=row["observed_at"],
            )
        )
    goldens = [golden_row(cid, etype, sources) for cid, (etype, sources) in sorted(grouped.items())]
    for start in range(0, len(goldens), 1000):
        conn.execute(insert(golden_records), goldens[start : start + 1000])
    return RebuildReport(entries=entries, source_records=len(rows), golden_records=len(goldens))
