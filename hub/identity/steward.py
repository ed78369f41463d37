"""What people and whole-ledger jobs decide: accept, reject, unmerge, explain, re-cluster.

A steward's decision is final for automatic matching: an accepted pair stays together through any
re-clustering, a rejected pair (or an unmerged one) is never merged again, nor are the clusters that
hold its two records.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from hub.db.schema import ledger_entries, match_pairs, source_records
from hub.identity import decisions, features
from hub.identity.compare import Comparison, compare
from hub.identity.config import MatchConfig, active
from hub.identity.engine import Clusterer, Link, MatchInput, cluster_with_outcomes
from hub.identity.store import MATCHED_ENTITIES, cluster_state, context_for, load_profiles, lock_entity, reindex_all
from hub.ledger import golden
from hub.ledger.clusters import golden_ids, members


class StewardError(Exception):
    """A decision that cannot be taken as asked; ``status`` is the HTTP status it maps to."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _pair(conn: Connection, pid: str) -> Any:
    row = conn.execute(select(match_pairs).where(match_pairs.c.id == pid)).first()
    if row is None:
        raise StewardError(404, f"no match pair {pid}")
    return row


def _pair_dict(row: Any, **changes: Any) -> dict[str, Any]:
    keys = ("id", "entity_type", "record_a", "record_b", "state", "band", "rule", "score", "evidence", "decided_by")
    return {**{k: getattr(row, k) for k in keys}, **changes}


def accept(conn: Connection, pid: str, actor: str, now: datetime) -> dict[str, Any]:
    """The two records are the same: merge their clusters (steward's word beats any guard)."""
    row = _pair(conn, pid)
    lock_entity(conn, row.entity_type)
    clusterer = cluster_state(conn, row.entity_type, [row.record_a, row.record_b])
    forced = Comparison("steward", True, float("inf"), 1.0, "auto")
    outcome = clusterer.link(Link(row.record_a, row.record_b, forced), force=True)
    pair = _pair_dict(row, state="accepted", decided_by=actor)
    golden_id = outcome.survivor or clusterer.golden[row.record_a]
    entry = decisions.record(
        conn, entity_type=row.entity_type, op="accept", golden_id=golden_id, now=now, moves=outcome.moves,
        pair=pair, details={"actor": actor, "previous_state": row.state},
    )  # fmt: skip
    golden.refresh(conn, {m for _, s, t in outcome.moves for m in (s, t)} | {golden_id})
    return {"pair": pid, "state": "accepted", "golden_id": golden_id, "entry_id": entry, "moved": len(outcome.moves)}


def reject(conn: Connection, pid: str, actor: str, now: datetime) -> dict[str, Any]:
    """The two records differ: keep them apart for good; if they were merged by this pair, split."""
    row = _pair(conn, pid)
    lock_entity(conn, row.entity_type)
    goldens = golden_ids(conn, [row.record_a, row.record_b])
    together = goldens[row.record_a] == goldens[row.record_b]
    if together:
        merge_entry = _merge_entry_of_pair(conn, row)
        if merge_entry is None:
            raise StewardError(409, "these records are in one cluster through other links: unmerge the cluster instead")
        result = _undo(
            conn,
            row.entity_type,
            merge_entry,
            actor,
            now,
            op="reject",
            pair=_pair_dict(row, state="rejected", decided_by=actor),
        )
        return {"pair": pid, "state": "rejected", **result}
    entry = decisions.record(
        conn, entity_type=row.entity_type, op="reject", golden_id=goldens[row.record_a], now=now,
        pair=_pair_dict(row, state="rejected", decided_by=actor), details={"actor": actor, "previous_state": row.state},
    )  # fmt: skip
    return {"pair": pid, "state": "rejected", "entry_id": entry, "restored": []}


def _merge_entry_of_pair(conn: Connection, row: Any) -> Any:
    return conn.execute(
        select(ledger_entries)
        .where(ledger_entries.c.source_system == decisions.HUB, ledger_entries.c.external_id == row.id)
        .where(ledger_entries.c.op.in_(["merge", "accept"]))
        .order_by(ledger_entries.c.id.desc())
        .limit(1)
    ).first()


def _undo(
    conn: Connection, entity_type: str, entry: Any, actor: str, now: datetime, *, op: str, pair: dict[str, Any] | None
) -> dict[str, Any]:
    """Reverse a merge: each record it moved and that is still in the cluster goes back where it was."""
    moves = [tuple(m) for m in entry.changes.get("moves", [])]
    if not moves:
        raise StewardError(409, f"decision {entry.id} moved no records")
    current = golden_ids(conn, [m[0] for m in moves])
    back = [(rid, current[rid], source) for rid, source, target in moves if current[rid] == target]
    if not back:
        raise StewardError(409, f"the records decision {entry.id} merged have moved since; nothing to undo")
    survivor = back[0][1]
    if pair is None:
        raw_pair = (entry.raw or {}).get("pair")
        pair = {**raw_pair, "state": "unmerged", "decided_by": actor} if raw_pair else None
    new_entry = decisions.record(
        conn, entity_type=entity_type, op=op, golden_id=survivor, now=now,
        moves=back, pair=pair, details={"actor": actor, "undoes": entry.id},
    )  # fmt: skip
    restored = sorted({source for _, _, source in back})
    golden.refresh(conn, [survivor, *restored])
    return {"entry_id": new_entry, "undoes": entry.id, "golden_id": survivor, "restored": restored}


def unmerge(
    conn: Connection, entity_type: str, golden_id: str, actor: str, now: datetime, decision_id: int | None = None
) -> dict[str, Any]:
    """Split the cluster: undo ``decision_id`` (a merge into it), by default the latest one."""
    lock_entity(conn, entity_type)
    target = golden_ids(conn, [golden_id])[golden_id]
    recs = members(conn, [target]).get(target, [])
    if not recs:
        raise StewardError(404, f"no {entity_type} {golden_id}")
    if len(recs) < 2:
        raise StewardError(409, f"{entity_type} {target} holds one source record: nothing to unmerge")
    entry = _merge_to_undo(conn, entity_type, recs, decision_id)
    if entry is None:
        raise StewardError(404 if decision_id else 409, "no merge decision to undo for this cluster")
    return _undo(conn, entity_type, entry, actor, now, op="unmerge", pair=None)


def _merge_to_undo(conn: Connection, entity_type: str, recs: Sequence[str], decision_id: int | None) -> Any:
    if decision_id is not None:
        entry = conn.execute(select(ledger_entries).where(ledger_entries.c.id == decision_id)).first()
        if entry is None or not decisions.is_decision(entry) or entry.op not in ("merge", "accept", "recluster"):
            return None
        moved = {m[0] for m in entry.changes.get("moves", [])}
        return entry if moved & set(recs) else None
    inside = set(recs)
    pair_rows = conn.execute(
        select(match_pairs.c.id, match_pairs.c.record_a, match_pairs.c.record_b)
        .where(match_pairs.c.entity_type == entity_type, match_pairs.c.state.in_(["merged", "accepted"]))
        .where(match_pairs.c.record_a.in_(sorted(inside)))
    ).fetchall()
    ids = [p.id for p in pair_rows if p.record_b in inside]
    if not ids:
        return None
    return conn.execute(
        select(ledger_entries)
        .where(ledger_entries.c.source_system == decisions.HUB, ledger_entries.c.external_id.in_(ids))
        .where(ledger_entries.c.op.in_(["merge", "accept"]))
        .order_by(ledger_entries.c.id.desc())
        .limit(1)
    ).first()


def explain(conn: Connection, entity_type: str, a: str, b: str, config: MatchConfig | None = None) -> dict[str, Any]:
    """Every comparison between two records and its weight, as the matcher would decide it now."""
    config = config or active()
    profiles = load_profiles(conn, [a, b])
    for rid in (a, b):
        if rid not in profiles:
            raise StewardError(404, f"no matchable {entity_type} record {rid}")
    keys = {k for rid in (a, b) for k in features.blocking_keys(entity_type, profiles[rid])}
    ctx = context_for(conn, entity_type, profiles.values(), keys)
    comparison = compare(entity_type, profiles[a], profiles[b], ctx, config.bands(entity_type))
    goldens = golden_ids(conn, [a, b])
    shared = sorted(
        set(features.blocking_keys(entity_type, profiles[a])) & set(features.blocking_keys(entity_type, profiles[b]))
    )
    pid = decisions.pair_id(entity_type, a, b)
    held = conn.execute(select(match_pairs.c.state).where(match_pairs.c.id == pid)).scalar()
    return {
        "entity": entity_type,
        "a": {"record_id": a, "golden_id": goldens[a], "profile": profiles[a]},
        "b": {"record_id": b, "golden_id": goldens[b], "profile": profiles[b]},
        "same_cluster": goldens[a] == goldens[b],
        "blocking_keys_shared": [f"{k}:{v}" for k, v in shared],
        "pair": {"id": pid, "state": held},
        "thresholds": config.bands(entity_type).model_dump(),
        **comparison.as_dict(),
    }


# -- re-clustering ---------------------------------------------------------------------------------
@dataclass
class ReclusterReport:
    entity: str
    records: int = 0
    clusters_before: int = 0
    clusters_after: int = 0
    moved: int = 0
    review_opened: int = 0
    decisions: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity, "records": self.records, "clusters_before": self.clusters_before,
            "clusters_after": self.clusters_after, "moved": self.moved, "review_opened": self.review_opened,
            "decision_entries": len(self.decisions),
        }  # fmt: skip


def recluster(conn: Connection, entity_type: str, now: datetime, actor: str = "reconcile") -> ReclusterReport:
    """Re-index and re-cluster every live record of ``entity_type`` from scratch, honouring steward
    decisions; what changed is written as ``recluster`` decision entries (one per cluster)."""
    if entity_type not in MATCHED_ENTITIES:
        raise StewardError(422, f"{entity_type} records are not matched")
    lock_entity(conn, entity_type)
    report = ReclusterReport(entity_type)
    reindex_all(conn, entity_type)
    rows = conn.execute(
        select(
            source_records.c.canonical_id, source_records.c.golden_id, source_records.c.source_system,
            source_records.c.source_instance, source_records.c.source_object, source_records.c.external_id,
            source_records.c.fields,
        )
        .where(source_records.c.entity_type == entity_type, source_records.c.deleted.is_(False))
        .order_by(source_records.c.last_entry_id)
    ).fetchall()  # fmt: skip
    current = {r.canonical_id: r.golden_id for r in rows}
    report.records = len(rows)
    report.clusters_before = len(set(current.values()))
    steward = conn.execute(
        select(match_pairs.c.record_a, match_pairs.c.record_b, match_pairs.c.state).where(
            match_pairs.c.entity_type == entity_type, match_pairs.c.state.in_(sorted(decisions.STEWARD_STATES))
        )
    ).fetchall()
    employer: dict[str, str] = {}
    if entity_type == "person":
        employer = golden_ids(conn, [r.fields.get("organization_id") for r in rows if r.fields.get("organization_id")])
    inputs = [
        MatchInput(r.canonical_id, r.source_system, r.source_instance, r.source_object, r.fields, r.external_id)
        for r in rows
    ]
    clusterer, outcomes = cluster_with_outcomes(
        entity_type, inputs, employer=employer,
        rejected=[(s.record_a, s.record_b) for s in steward if s.state in ("rejected", "unmerged")],
        accepted=[(s.record_a, s.record_b) for s in steward if s.state == "accepted"],
    )  # fmt: skip
    target = _stable_ids(clusterer, current)
    report.clusters_after = len(set(target.values()))
    by_cluster: dict[str, list[tuple[str, str, str]]] = {}
    for rid, golden_id in target.items():
        if current[rid] != golden_id:
            by_cluster.setdefault(golden_id, []).append((rid, current[rid], golden_id))
    for golden_id, moves in sorted(by_cluster.items()):
        report.decisions.append(
            decisions.record(
                conn,
                entity_type=entity_type,
                op="recluster",
                golden_id=golden_id,
                now=now,
                moves=sorted(moves),
                details={"actor": actor},
            )
        )
        report.moved += len(moves)
    existing = decisions.pair_states(conn, [decisions.pair_id(entity_type, o.link.a, o.link.b) for o in outcomes])
    for outcome in outcomes:
        if outcome.action not in ("merged", "review"):
            continue
        pid = decisions.pair_id(entity_type, outcome.link.a, outcome.link.b)
        held = existing.get(pid)
        state = "merged" if outcome.action == "merged" else "review"
        if held is not None and (held.state in decisions.STEWARD_STATES or held.state == state):
            continue
        c = outcome.link.comparison
        pair = decisions.pair_row(entity_type, outcome.link.a, outcome.link.b, state=state, band=c.band, rule=c.rule,
                                  score=c.probability, evidence=c.evidence, decided_by=actor)  # fmt: skip
        entry = decisions.record(conn, entity_type=entity_type, op="merge" if state == "merged" else "review",
                                 golden_id=target[outcome.link.a], now=now, pair=pair,
                                 details={"actor": actor, "reason": outcome.reason})  # fmt: skip
        report.decisions.append(entry)
        report.review_opened += state == "review"
    touched = {g for moves in by_cluster.values() for _, s, t in moves for g in (s, t)}
    golden.refresh(conn, touched)
    return report


def _stable_ids(clusterer: Clusterer, current: dict[str, str]) -> dict[str, str]:
    """Target cluster ids that keep today's golden ids wherever the same records stay together."""
    groups: dict[str, list[str]] = {}
    for rid, root in clusterer.golden.items():
        groups.setdefault(root, []).append(rid)
    claimed: set[str] = set()
    out: dict[str, str] = {}
    for recs in sorted(groups.values(), key=lambda g: (-len(g), min(g))):
        votes = Counter(current[r] for r in recs)
        choice = next((g for g, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])) if g not in claimed), None)
        if choice is None:
            choice = next((r for r in sorted(recs) if r not in claimed), None) or str(
                uuid.uuid5(uuid.NAMESPACE_URL, "|".join(sorted(recs)))
            )
        claimed.add(choice)
        for rid in recs:
            out[rid] = choice
    return out
