"""Rebuild every projection (source records, golden records) by replaying the ledger in order.

The ledger is the source of truth: ``rebuild`` drops the projections and recomputes them, so it
must produce exactly the live state. The test suite proves it does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from hub.db.schema import (
    golden_records,
    ledger_entries,
    match_key_counts,
    match_keys,
    match_pairs,
    match_profiles,
    source_records,
)
from hub.identity.decisions import is_decision
from hub.identity.store import index_states, reset_totals
from hub.ledger.golden import golden_row
from hub.ledger.survivorship import SourceState


@dataclass
class RebuildReport:
    entries: int
    source_records: int
    golden_records: int


@dataclass
class Replayed:
    """The ledger folded: every source record's latest state (cluster included) and every match pair."""

    records: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    pairs: dict[str, dict[str, Any]] = field(default_factory=dict)


def _replay_decision(out: Replayed, by_record: dict[str, tuple[str, str, str]], row: Any) -> None:
    for record_id, _source, target in row.changes.get("moves", []):
        key = by_record.get(record_id)
        if key is not None:
            out.records[key]["golden_id"] = target
    pair = (row.raw or {}).get("pair")
    if pair:
        created = out.pairs[pair["id"]]["created_at"] if pair["id"] in out.pairs else row.observed_at
        out.pairs[pair["id"]] = {**pair, "created_at": created, "updated_at": row.observed_at, "last_entry_id": row.id}


def replay(conn: Connection, batch: int = 5000) -> Replayed:
    """Fold the ledger into the latest state of every source record and every match decision."""
    out = Replayed()
    state = out.records
    by_record: dict[str, tuple[str, str, str]] = {}
    last_id = 0
    while True:
        rows = conn.execute(
            select(ledger_entries).where(ledger_entries.c.id > last_id).order_by(ledger_entries.c.id).limit(batch)
        ).fetchall()
        if not rows:
            return out
        for row in rows:
            if is_decision(row):
                _replay_decision(out, by_record, row)
                continue
            key = (row.source_instance, row.source_object, row.external_id)
            by_record[row.canonical_id] = key
            state[key] = fold(state.get(key), row)
        last_id = rows[-1].id


def fold(current: dict[str, Any] | None, row: Any) -> dict[str, Any]:
    """A source record's state after one more of its (non-decision) ledger entries."""
    fields = dict(current["fields"]) if current else {}
    for name, (_before, after) in row.changes.items():
        if after is None:
            fields.pop(name, None)
        else:
            fields[name] = after
    return {
        "source_instance": row.source_instance,
        "source_object": row.source_object,
        "external_id": row.external_id,
        "source_system": row.source_system,
        "entity_type": row.entity_type,
        "canonical_id": row.canonical_id,
        "fields": fields,
        "content_hash": row.content_hash,
        # an echo of the hub's own write keeps the record's source time (hub.writeback.echo)
        "source_updated_at": current["source_updated_at"]
        if current and getattr(row, "echo_of", None) is not None
        else row.source_updated_at,
        "observed_at": row.observed_at,
        "last_entry_id": row.id,
        "deleted": row.op == "delete",
        "golden_id": current["golden_id"] if current else row.canonical_id,
    }


def rebuild(conn: Connection) -> RebuildReport:
    """Drop and recompute the projections inside the caller's transaction."""
    entries = conn.execute(select(func.count()).select_from(ledger_entries)).scalar_one()
    replayed = replay(conn)
    conn.execute(delete(golden_records))
    conn.execute(delete(source_records))
    conn.execute(delete(match_pairs))
    conn.execute(delete(match_keys))
    conn.execute(delete(match_profiles))
    conn.execute(delete(match_key_counts))
    reset_totals(conn)
    rows = list(replayed.records.values())
    for start in range(0, len(rows), 1000):
        conn.execute(insert(source_records), rows[start : start + 1000])
    pairs = list(replayed.pairs.values())
    for start in range(0, len(pairs), 1000):
        conn.execute(insert(match_pairs), pairs[start : start + 1000])
    by_entity: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_entity.setdefault(row["entity_type"], []).append(row)
    for entity_type, group in sorted(by_entity.items()):
        for start in range(0, len(group), 1000):
            index_states(conn, entity_type, group[start : start + 1000])
    grouped: dict[str, tuple[str, list[SourceState]]] = {}
    for row in rows:
        if row["deleted"]:
            continue
        entry = grouped.setdefault(row["golden_id"], (row["entity_type"], []))
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
