"""Upstream merges (HubSpot: two records merged into one, ``hs_merged_object_ids`` on the survivor).

A record that names ids merged into it (``connectors.sdk.MERGED_IDS``) makes, inside the page's
transaction, for each merged-away id:

1. a tombstone of its source record (op ``delete``, ``raw.cause`` = ``merged into <survivor id>``),
   through the write path's ``mark_deleted``; no live duplicate is left;
2. its cross-reference re-pointed at the survivor's record (status ``merged``): a record that
   references the merged-away id from now on resolves to the survivor;
3. a match decision (``op: merge``, rule ``upstream_merge``) moving its cluster into the survivor's,
   so references stored before the merge resolve to the survivor's golden record too. Decisions
   are ledger entries: ``hub ledger rebuild`` replays them. A steward's decision on the pair (an
   unmerge, a reject) stands: the merge is not applied again over it.

Idempotent: a merge already applied (tombstone written, xref re-pointed, clusters joined) adds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, select, update

from hub.db.schema import source_records, xrefs
from hub.identity import decisions
from hub.ledger import golden
from hub.ledger.clusters import members
from hub.ledger.keys import SourceKey
from hub.ledger.upsert import chunks, insert_ignore
from hub.ledger.writer import Origin, PageOutcome, _stored, mark_deleted

RULE = "upstream_merge"


def merge_cause(survivor: str) -> str:
    return f"merged into {survivor}"


def _state(conn: Connection, instance: str, object_name: str, external_id: str) -> Any:
    return conn.execute(
        select(source_records).where(
            and_(
                source_records.c.source_instance == instance,
                source_records.c.source_object == object_name,
                source_records.c.external_id == external_id,
            )
        )
    ).first()


def _repoint_xref(
    conn: Connection, origin: Origin, object_name: str, gone: str, entity_type: str, survivor_id: str, now: datetime
) -> None:
    key = SourceKey(origin.instance, object_name, gone)
    insert_ignore(
        conn,
        xrefs,
        [{
            "entity_type": entity_type, "canonical_id": survivor_id, "source_system": origin.system,
            "source_instance": key.instance, "source_object": key.object, "external_id": key.external_id,
            "status": "merged", "first_seen_at": now,
        }],
        key=["source_instance", "source_object", "external_id"],
    )  # fmt: skip
    conn.execute(
        update(xrefs)
        .where(
            xrefs.c.source_instance == key.instance,
            xrefs.c.source_object == key.object,
            xrefs.c.external_id == key.external_id,
        )
        .values(canonical_id=survivor_id, status="merged")
    )


def _pending(conn: Connection, instance: str, object_name: str, merges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs not yet applied: survivor live, and the merged-away xref, tombstone or cluster not done."""
    states = _stored(conn, instance, object_name, sorted({i for pair in merges for i in pair}))
    links: dict[str, tuple[str, str]] = {}
    for part in chunks(sorted({gone for _, gone in merges})):
        rows = conn.execute(
            select(xrefs.c.external_id, xrefs.c.canonical_id, xrefs.c.status).where(
                xrefs.c.source_instance == instance, xrefs.c.source_object == object_name, xrefs.c.external_id.in_(part)
            )
        )
        links.update({row.external_id: (row.canonical_id, row.status) for row in rows})
    pending = []
    for survivor, gone in merges:
        kept, old = states.get(survivor), states.get(gone)
        if kept is None or kept.deleted:
            continue
        linked = links.get(gone) == (kept.canonical_id, "merged")
        settled = old is None or (old.deleted and old.golden_id == kept.golden_id)
        if not (linked and settled):
            pending.append((survivor, gone))
    return pending


def apply_merges(
    conn: Connection,
    origin: Origin,
    object_name: str,
    merges: list[tuple[str, str]],
    now: datetime,
    mapping_version: str,
    outcome: PageOutcome,
    event_ids: Mapping[str, str] | None = None,
) -> None:
    """Apply ``(survivor external id, merged-away external id)`` pairs (see the module docstring).

    Merges already applied are found in bulk (two queries) and skipped: a full read re-lists every
    survivor with its merged ids, and only a new merge costs per-pair statements."""
    for survivor, gone in _pending(conn, origin.instance, object_name, sorted(set(merges))):
        kept = _state(conn, origin.instance, object_name, survivor)
        if kept is None or kept.deleted:
            continue
        survivor_id: str = kept.canonical_id
        entity_type: str = kept.entity_type
        _repoint_xref(conn, origin, object_name, gone, entity_type, survivor_id, now)
        old = _state(conn, origin.instance, object_name, gone)
        if old is None:
            continue  # never seen: the re-pointed xref is all there is to do
        if not old.deleted:
            tombstone = mark_deleted(
                conn, origin, object_name, [gone], now, mapping_version, event_ids, cause=merge_cause(survivor)
            )
            outcome.changed += tombstone.changed
            outcome.changed_ids.extend(tombstone.changed_ids)
            outcome.canonical_ids.extend(tombstone.canonical_ids)
        _join_clusters(conn, origin, entity_type, old, kept, survivor, gone, now)


def _join_clusters(
    conn: Connection, origin: Origin, entity_type: str, old: Any, kept: Any, survivor: str, gone: str,
    now: datetime,
) -> None:  # fmt: skip
    """Move the merged-away record's cluster into the survivor's (one decision entry), unless joined."""
    source_golden = str(
        conn.execute(
            select(source_records.c.golden_id).where(source_records.c.canonical_id == old.canonical_id)
        ).scalar_one()
    )
    target_golden = str(
        conn.execute(
            select(source_records.c.golden_id).where(source_records.c.canonical_id == kept.canonical_id)
        ).scalar_one()
    )
    if source_golden == target_golden:
        return
    pid = decisions.pair_id(entity_type, old.canonical_id, kept.canonical_id)
    decided = decisions.pair_states(conn, [pid]).get(pid)
    if decided is not None and decided.state in decisions.STEWARD_STATES:
        return  # a steward split them (or ruled on the pair): the hub does not override it
    moved = members(conn, [source_golden]).get(source_golden, [])
    pair = decisions.pair_row(
        entity_type, old.canonical_id, kept.canonical_id,
        state="merged", band="auto", rule=RULE, score=None,
        evidence=[{"rule": RULE, "source": origin.system, "survivor": survivor, "merged": gone}],
        decided_by=origin.system,
    )  # fmt: skip
    decisions.record(
        conn,
        entity_type=entity_type,
        op="merge",
        golden_id=target_golden,
        now=now,
        moves=[(record_id, source_golden, target_golden) for record_id in moved],
        pair=pair,
        details={"reason": f"{origin.system} merged {gone} into {survivor}"},
        run_id=origin.run_id,
        webhook_event_id=origin.webhook_event_id,
    )
    golden.refresh(conn, sorted({source_golden, target_golden}))
