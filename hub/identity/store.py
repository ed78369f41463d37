"""Incremental identity resolution inside the ledger's write path.

For each page of changed source records (:func:`match_page`, called by ``hub.ledger.writer``
before the golden records are recomputed, in the same transaction):

1. their match profiles and blocking keys replace the stored ones (``match_profiles``,
   ``match_keys``: the persisted blocking index);
2. candidates are the stored records sharing a usable key; term frequencies come from the same
   index, in one grouped query;
3. every (record, candidate) pair is compared; auto-band links merge clusters under the guards of
   :class:`hub.identity.engine.Clusterer`, review-band links open a review pair; every decision is a
   ledger entry (:mod:`hub.identity.decisions`).

A handful of set-based statements per page, never a query per record. On PostgreSQL a transaction-
scoped advisory lock per entity type serialises matching between concurrent writers (a sync page and
a webhook), so two transactions never merge from stale cluster views.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from hub.db.schema import (
    match_key_counts,
    match_keys,
    match_pairs,
    match_profiles,
    match_totals,
    source_records,
)
from hub.identity import decisions, features
from hub.identity.compare import Context, compare, strong_keys
from hub.identity.config import MatchConfig, active
from hub.identity.engine import Clusterer, Link, Outcome, candidate_ids, resolve, usable_keys
from hub.ledger.chain import lock_chain
from hub.ledger.clusters import golden_ids, members
from hub.ledger.upsert import append_rows, chunks, upsert

MATCHED_ENTITIES = frozenset({"organization", "person", "opportunity", "deal_registration"})


def lock_entity(conn: Connection, entity_type: str) -> None:
    """Serialise matching of ``entity_type`` (PostgreSQL). The ledger's chain lock comes first, so a
    writer never waits for the chain while holding this lock (a sync page appends, then matches)."""
    lock_chain(conn)
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": zlib.crc32(f"match:{entity_type}".encode())})


def index_states(conn: Connection, entity_type: str, states: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Replace the profiles and blocking keys of these source-record states; live profiles by record id."""
    ids = [s["canonical_id"] for s in states]
    removed = 0
    counts: Counter[tuple[str, str]] = Counter()
    for part in chunks(ids):
        gone = conn.execute(
            delete(match_keys).where(match_keys.c.record_id.in_(part)).returning(match_keys.c.kind, match_keys.c.value)
        )
        counts.subtract(Counter((kind, value) for kind, value in gone))
        removed += conn.execute(delete(match_profiles).where(match_profiles.c.record_id.in_(part))).rowcount or 0
    profiles: dict[str, dict[str, Any]] = {}
    profile_rows, key_rows = [], []
    for state in states:
        if state.get("deleted"):
            continue
        p = features.profile(entity_type, state["fields"], state["external_id"])
        if p is None:
            continue
        rid = state["canonical_id"]
        profiles[rid] = p
        profile_rows.append({
            "record_id": rid, "entity_type": entity_type, "source_system": state["source_system"],
            "source_instance": state["source_instance"], "source_object": state["source_object"], "features": p,
        })  # fmt: skip
        key_rows += [
            {"entity_type": entity_type, "kind": kind, "value": value, "record_id": rid}
            for kind, value in features.blocking_keys(entity_type, p)
        ]
    if profile_rows:
        upsert(conn, match_profiles, profile_rows, key=["record_id"])
    _adjust_total(conn, entity_type, len(profile_rows) - removed)
    for start in range(0, len(key_rows), 1000):
        append_rows(conn, match_keys, key_rows[start : start + 1000])
    counts.update((row["kind"], row["value"]) for row in key_rows)
    _adjust_key_counts(conn, entity_type, counts)
    return profiles


def _adjust_key_counts(conn: Connection, entity_type: str, counts: Mapping[tuple[str, str], int]) -> None:
    """Add ``counts`` (key -> records gained, negative for lost) to ``match_key_counts``."""
    rows = [
        {"entity_type": entity_type, "kind": kind, "value": value, "n": n}
        for (kind, value), n in sorted(counts.items())
        if n
    ]
    if not rows:
        return
    statement = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(match_key_counts)
    statement = statement.on_conflict_do_update(
        index_elements=["entity_type", "kind", "value"], set_={"n": match_key_counts.c.n + statement.excluded.n}
    )
    for part in chunks(rows, 1000):
        conn.execute(statement, list(part))


def _frequencies(conn: Connection, entity_type: str, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    by_kind: dict[str, set[str]] = {}
    for kind, value in keys:
        by_kind.setdefault(kind, set()).add(value)
    out: dict[tuple[str, str], int] = {}
    for kind, values in by_kind.items():
        for part in chunks(sorted(values)):
            rows = conn.execute(
                select(match_key_counts.c.value, match_key_counts.c.n).where(
                    match_key_counts.c.entity_type == entity_type,
                    match_key_counts.c.kind == kind,
                    match_key_counts.c.value.in_(part),
                    match_key_counts.c.n > 0,
                )
            )
            for value, count in rows:
                out[(kind, value)] = int(count)
    return out


def _members_of_keys(
    conn: Connection, entity_type: str, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[str]]:
    by_kind: dict[str, set[str]] = {}
    for kind, value in keys:
        by_kind.setdefault(kind, set()).add(value)
    out: dict[tuple[str, str], list[str]] = {}
    for kind, values in by_kind.items():
        for part in chunks(sorted(values)):
            rows = conn.execute(
                select(match_keys.c.value, match_keys.c.record_id)
                .where(and_(match_keys.c.entity_type == entity_type, match_keys.c.kind == kind))
                .where(match_keys.c.value.in_(part))
            )
            for value, record_id in rows:
                out.setdefault((kind, value), []).append(record_id)
    return out


def load_profiles(conn: Connection, record_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for part in chunks(sorted(set(record_ids))):
        for rid, feats in conn.execute(
            select(match_profiles.c.record_id, match_profiles.c.features).where(match_profiles.c.record_id.in_(part))
        ):
            out[rid] = feats
    return out


def _count_profiles(conn: Connection, entity_type: str) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(match_profiles).where(match_profiles.c.entity_type == entity_type)
        ).scalar_one()
    )


def _adjust_total(conn: Connection, entity_type: str, delta: int) -> None:
    """Keep ``match_totals`` equal to the number of ``entity_type`` profiles after a write that changed
    it by ``delta``. A missing row (a new database, or after a re-index) is counted once, exactly."""
    done = conn.execute(
        update(match_totals).where(match_totals.c.entity_type == entity_type).values(total=match_totals.c.total + delta)
    ).rowcount
    if not done:
        conn.execute(insert(match_totals).values(entity_type=entity_type, total=_count_profiles(conn, entity_type)))


def reset_totals(conn: Connection, entity_type: str | None = None) -> None:
    """Forget the kept totals (after a bulk delete of profiles); the next write counts them again."""
    query = delete(match_totals)
    if entity_type is not None:
        query = query.where(match_totals.c.entity_type == entity_type)
    conn.execute(query)


def entity_total(conn: Connection, entity_type: str) -> int:
    """The number of ``entity_type`` match profiles: one row read, not a count of the table."""
    total = conn.execute(select(match_totals.c.total).where(match_totals.c.entity_type == entity_type)).scalar()
    return int(total) if total is not None else _count_profiles(conn, entity_type)


def context_for(
    conn: Connection, entity_type: str, profiles: Iterable[dict[str, Any]], keys: Iterable[tuple[str, str]]
) -> Context:
    freq = _frequencies(conn, entity_type, keys)
    employer: dict[str, str] = {}
    if entity_type == "person":
        employer = golden_ids(conn, [p["employer"] for p in profiles if p.get("employer")])
    return Context(
        total=max(entity_total(conn, entity_type), 1),
        frequency=lambda kind, value: freq.get((kind, value), 1),
        employer=employer,
    )


def cluster_state(conn: Connection, entity_type: str, record_ids: Iterable[str]) -> Clusterer:
    """A clusterer holding the current clusters of ``record_ids``, their strong keys and steward vetoes."""
    clusterer = Clusterer(entity_type)
    goldens = golden_ids(conn, record_ids)
    clusters = members(conn, set(goldens.values()))
    for rid, golden in goldens.items():
        if rid not in clusters.setdefault(golden, []):
            clusters[golden].append(rid)
    everyone = [rid for recs in clusters.values() for rid in recs]
    profiles = load_profiles(conn, everyone)
    for golden, recs in clusters.items():
        for rid in recs:
            clusterer.add(rid, golden, strong_keys(entity_type, profiles.get(rid, {})))
    for part in chunks(sorted(set(everyone))):
        rows = conn.execute(
            select(match_pairs.c.record_a, match_pairs.c.record_b).where(
                match_pairs.c.state.in_(["rejected", "unmerged"]),
                (match_pairs.c.record_a.in_(part)) | (match_pairs.c.record_b.in_(part)),
            )
        )
        for a, b in rows:
            clusterer.cannot_link(a, b)
    return clusterer


def match_page(
    conn: Connection,
    entity_type: str,
    states: Sequence[dict[str, Any]],
    now: datetime,
    *,
    run_id: str | None = None,
    webhook_events: Mapping[str, str] | None = None,
    config: MatchConfig | None = None,
) -> set[str]:
    """Index and match a page of source-record states; the golden ids whose membership changed."""
    config = config or active()
    if entity_type not in MATCHED_ENTITIES or not states:
        return set()
    lock_entity(conn, entity_type)
    profiles = index_states(conn, entity_type, states)
    if not config.enabled or not profiles:
        return set()
    keys = {rid: features.blocking_keys(entity_type, p) for rid, p in profiles.items()}
    all_keys = {k for ks in keys.values() for k in ks}
    ctx = context_for(conn, entity_type, profiles.values(), all_keys)
    usable = {rid: usable_keys(ks, ctx.frequency, config) for rid, ks in keys.items()}
    key_members = _members_of_keys(conn, entity_type, {k for ks in usable.values() for k in ks})
    candidates = {
        rid: candidate_ids(keys[rid], ctx.frequency, lambda key: key_members.get(key, []), config, rid)
        for rid in profiles
    }
    others = load_profiles(conn, {c for cs in candidates.values() for c in cs} - profiles.keys())
    everyone = {**others, **profiles}
    if entity_type == "person":  # candidates' employers too
        extra = [p["employer"] for p in others.values() if p.get("employer") and p["employer"] not in ctx.employer]
        ctx.employer = {**ctx.employer, **golden_ids(conn, extra)}
    order = {rid: i for i, rid in enumerate(profiles)}
    bands = config.bands(entity_type)
    links: list[Link] = []
    seen: set[tuple[str, str]] = set()
    for rid, cands in candidates.items():
        for other in sorted(cands):
            if other not in everyone:
                continue
            # Each pair once, even when only one side lists the other (candidates are bounded per
            # record); inside the page the later record is the one matched, as in a sync.
            a, b = (other, rid) if other in order and order[other] > order[rid] else (rid, other)
            if (a, b) in seen:
                continue
            seen.add((a, b))
            comparison = compare(entity_type, everyone[a], everyone[b], ctx, bands)
            if comparison.band != "none":
                links.append(Link(a, b, comparison))
    if not links:
        return set()
    clusterer = cluster_state(conn, entity_type, {r for link in links for r in (link.a, link.b)})
    existing = decisions.pair_states(conn, [decisions.pair_id(entity_type, link.a, link.b) for link in links])
    outcomes = resolve(clusterer, [link for link in links if _automatic(existing, entity_type, link)])
    return record_outcomes(conn, entity_type, outcomes, existing, now, run_id=run_id, webhook_events=webhook_events)


def _automatic(existing: dict[str, Any], entity_type: str, link: Link) -> bool:
    """A steward's decision on a pair is final: automatic matching leaves those pairs alone."""
    row = existing.get(decisions.pair_id(entity_type, link.a, link.b))
    return row is None or row.state not in decisions.STEWARD_STATES


def record_outcomes(
    conn: Connection,
    entity_type: str,
    outcomes: Sequence[Outcome],
    existing: dict[str, Any],
    now: datetime,
    *,
    run_id: str | None = None,
    webhook_events: Mapping[str, str] | None = None,
    actor: str = "auto",
) -> set[str]:
    """Write each outcome as a decision entry (naming the run or webhook event that brought the
    record matched); the golden ids whose membership changed."""
    touched: set[str] = set()
    for outcome in outcomes:
        link = outcome.link
        c = link.comparison
        if outcome.action in ("same", "rejected"):
            continue
        pid = decisions.pair_id(entity_type, link.a, link.b)
        held = existing.get(pid)
        state = "merged" if outcome.action == "merged" else "review"
        if held is not None and held.state == state and outcome.action == "review":
            continue  # already waiting for a steward
        pair = decisions.pair_row(
            entity_type, link.a, link.b, state=state, band=c.band, rule=c.rule, score=c.probability,
            evidence=c.evidence, decided_by=actor,
        )  # fmt: skip
        golden = outcome.survivor or link.b
        decisions.record(
            conn, entity_type=entity_type, op="merge" if outcome.action == "merged" else "review", golden_id=golden,
            now=now, moves=outcome.moves, pair=pair, run_id=run_id,
            webhook_event_id=(webhook_events or {}).get(link.a) or (webhook_events or {}).get(link.b),
            details={"reason": outcome.reason, "actor": actor, "weight": c.as_dict()["weight"]},
        )  # fmt: skip
        for _rid, source, target in outcome.moves:
            touched.update((source, target))
    return touched


def reindex_all(conn: Connection, entity_type: str) -> int:
    """Recompute every live record's profile and keys (after a change of standardisation)."""
    conn.execute(delete(match_keys).where(match_keys.c.entity_type == entity_type))
    conn.execute(delete(match_profiles).where(match_profiles.c.entity_type == entity_type))
    conn.execute(delete(match_key_counts).where(match_key_counts.c.entity_type == entity_type))
    reset_totals(conn, entity_type)
    rows = conn.execute(
        select(source_records).where(source_records.c.entity_type == entity_type, source_records.c.deleted.is_(False))
    ).mappings()
    batch: list[dict[str, Any]] = []
    count = 0
    for row in rows:
        batch.append(dict(row))
        if len(batch) >= 1000:
            index_states(conn, entity_type, batch)
            count += len(batch)
            batch = []
    if batch:
        index_states(conn, entity_type, batch)
        count += len(batch)
    return count
