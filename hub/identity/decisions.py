"""Match decisions as ledger entries, and the projections they drive (clusters, match pairs).

Every decision (a merge, a pair sent to review, a steward's accept or reject, an unmerge, a
re-clustering) is appended to ``ledger_entries`` with ``source_system = "hub"``, ``source_object =
"match"``: ``changes = {"moves": [[record_id, from_golden, to_golden], ...]}`` says exactly which
records changed cluster, and ``raw`` holds the pair (records, rule, score, per-field evidence), the
reason and the actor. Replaying those entries in order rebuilds ``source_records.golden_id`` and
``match_pairs`` exactly (:func:`replay_decision`).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, select, update

from hub.db.schema import match_pairs, source_records
from hub.ledger.chain import append_entries
from hub.ledger.upsert import upsert

HUB = "hub"
MATCH_OBJECT = "match"
_NS = uuid.UUID("0c6f3a52-7f5e-4b8e-a1d4-53d1a6f0c9e2")

# The pair state a decision leaves behind.
STATE_OF_OP = {"merge": "merged", "review": "review", "accept": "accepted", "reject": "rejected", "unmerge": "unmerged"}
STEWARD_STATES = frozenset({"accepted", "rejected", "unmerged"})


def pair_id(entity_type: str, a: str, b: str) -> str:
    low, high = sorted((a, b))
    return str(uuid.uuid5(_NS, f"{entity_type}|{low}|{high}"))


def pair_row(
    entity_type: str, a: str, b: str, *, state: str, band: str, rule: str, score: float | None,
    evidence: list[dict[str, Any]], decided_by: str | None,
) -> dict[str, Any]:  # fmt: skip
    low, high = sorted((a, b))
    return {
        "id": pair_id(entity_type, a, b),
        "entity_type": entity_type,
        "record_a": low,
        "record_b": high,
        "state": state,
        "band": band,
        "rule": rule[:64],
        "score": None if score is None else round(float(score), 6),
        "evidence": evidence,
        "decided_by": decided_by,
    }


def record(
    conn: Connection,
    *,
    entity_type: str,
    op: str,
    golden_id: str,
    now: datetime,
    moves: Sequence[tuple[str, str, str]] = (),
    pair: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
    run_id: str | None = None,
    webhook_event_id: str | None = None,
) -> int:
    """Append one decision entry, apply its moves and its pair row; the entry's id."""
    raw = {"op": op, "pair": pair, **(details or {})}
    changes = {"moves": [list(m) for m in moves]}
    digest = hashlib.sha256(orjson.dumps({"raw": raw, "changes": changes}, option=orjson.OPT_SORT_KEYS)).hexdigest()
    (entry_id,) = append_entries(
        conn,
        [
            {
                "observed_at": now,
                "source_system": HUB,
                "source_instance": HUB,
                "source_object": MATCH_OBJECT,
                "external_id": (pair or {}).get("id") or f"{op}:{golden_id}",
                "entity_type": entity_type,
                "canonical_id": golden_id,
                "op": op,
                "content_hash": digest,
                "changes": changes,
                "raw": raw,
                "source_updated_at": None,
                "run_id": run_id,
                "webhook_event_id": webhook_event_id,
                "mapping_version": None,
            }
        ],
        now,
    )
    move_records(conn, moves)
    if pair is not None:
        save_pair(conn, pair, entry_id, now)
    return entry_id


def move_records(conn: Connection, moves: Iterable[tuple[str, str, str]]) -> None:
    rows = [{"rid": record_id, "target": target} for record_id, _source, target in moves]
    if rows:
        conn.execute(
            update(source_records)
            .where(source_records.c.canonical_id == bindparam("rid"))
            .values(golden_id=bindparam("target")),
            rows,
        )


def save_pair(conn: Connection, pair: dict[str, Any], entry_id: int, now: datetime) -> None:
    existing = conn.execute(select(match_pairs.c.created_at).where(match_pairs.c.id == pair["id"])).scalar()
    upsert(
        conn,
        match_pairs,
        [{**pair, "created_at": existing or now, "updated_at": now, "last_entry_id": entry_id}],
        key=["id"],
    )


def pair_states(conn: Connection, ids: Iterable[str]) -> dict[str, Any]:
    from hub.ledger.upsert import chunks

    out: dict[str, Any] = {}
    for part in chunks(sorted(set(ids))):
        for row in conn.execute(select(match_pairs).where(match_pairs.c.id.in_(part))):
            out[row.id] = row
    return out


def is_decision(row: Any) -> bool:
    return bool(row.source_system == HUB and row.source_object == MATCH_OBJECT)
