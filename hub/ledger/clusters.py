"""Clusters of source records: which golden record each record id belongs to."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from hub.db.schema import source_records
from hub.ledger.upsert import chunks


def golden_ids(conn: Connection, record_ids: Iterable[str]) -> dict[str, str]:
    """The golden id of each record id (an id the ledger has not seen maps to itself)."""
    ids = sorted({r for r in record_ids if r})
    out = {r: r for r in ids}
    for part in chunks(ids):
        rows = conn.execute(
            select(source_records.c.canonical_id, source_records.c.golden_id).where(
                source_records.c.canonical_id.in_(part)
            )
        )
        for record_id, golden_id in rows:
            out[record_id] = golden_id
    return out


def members(conn: Connection, golden: Iterable[str]) -> dict[str, list[str]]:
    """The record ids in each cluster (deleted records included: a tombstone keeps its cluster)."""
    out: dict[str, list[str]] = {}
    for part in chunks(sorted(set(golden))):
        rows = conn.execute(
            select(source_records.c.golden_id, source_records.c.canonical_id)
            .where(source_records.c.golden_id.in_(part))
            .order_by(source_records.c.canonical_id)
        )
        for golden_id, record_id in rows:
            out.setdefault(golden_id, []).append(record_id)
    return out
