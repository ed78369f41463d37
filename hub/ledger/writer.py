"""The one write path into the ledger, shared by scheduled syncs and webhooks.

``write_page`` takes a page of raw source records and, inside the caller's transaction:

1. resolves every source key the page names (its records and their associations) to canonical ids
   through the xref table, in bulk;
2. maps the page with the system's declarative mapping; a record that fails goes to the dead-letter
   table with its reason and the rest of the page goes on;
3. compares each mapped record with the stored state of its source record by content hash: an
   unchanged record appends nothing; an older record than the stored one (a late event) is skipped;
4. appends one ledger entry per changed record (field-level before/after), updates the source-record
   projection and recomputes the affected golden records.

All of it is set-based: a handful of statements per page, never a query per record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import orjson
from sqlalchemy import Connection, and_, bindparam, select, update

from connectors.sdk import MERGED_IDS
from hub.db.schema import outbox, source_records
from hub.identity import store as identity
from hub.ledger import golden, xref
from hub.ledger.chain import append_entries
from hub.ledger.dead_letters import dead_letter, event_id_for, resolve_dead_letters
from hub.ledger.keys import SourceKey
from hub.ledger.upsert import chunks, upsert
from hub.writeback.echo import recognise


class _Ref(Protocol):
    object: str
    id: str


class _Mapped(Protocol):
    object: str
    external_id: str
    entity: Any
    fields: dict[str, Any]
    source_updated_at: datetime | None
    deleted: bool
    raw: dict[str, Any]


class _Failure(Protocol):
    reason: str
    field: str | None


class PageMapper(Protocol):
    """What the write path needs from a mapper (``hub.mapping.Mapper`` satisfies it)."""

    version: str

    def entity_of(self, object_name: str) -> str: ...

    def external_id(self, object_name: str, raw: dict[str, Any]) -> str | None: ...

    def refs(self, object_name: str, raw: dict[str, Any]) -> list[Any]: ...

    def map_page(
        self, object_name: str, raws: list[dict[str, Any]], resolve: Any
    ) -> tuple[list[Any], list[tuple[dict[str, Any], Any]]]: ...


@dataclass(frozen=True)
class Origin:
    """Where a page came from: the connector (system kind + instance id) and the run or webhook."""

    system: str
    instance: str
    run_id: str | None = None
    webhook_event_id: str | None = None


@dataclass
class PageOutcome:
    seen: int = 0
    changed: int = 0
    unchanged: int = 0
    stale: int = 0
    dead_lettered: int = 0
    canonical_ids: list[str] = field(default_factory=list)
    changed_ids: list[str] = field(default_factory=list)  # external ids that appended an entry

    def add(self, other: PageOutcome) -> None:
        self.seen += other.seen
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.stale += other.stale
        self.dead_lettered += other.dead_lettered


def content_hash(fields: dict[str, Any], deleted: bool) -> str:
    payload = orjson.dumps({"f": fields, "d": deleted}, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(payload).hexdigest()


def compact(fields: dict[str, Any]) -> dict[str, Any]:
    """Stored fields never hold ``None``: an absent key means the source has no value."""
    return {k: v for k, v in fields.items() if v is not None}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(before.keys() | after.keys())
        if before.get(name) != after.get(name)
    }


def _stored(conn: Connection, instance: str, object_name: str, ids: list[str]) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for part in chunks(ids):
        query = select(source_records).where(
            and_(source_records.c.source_instance == instance, source_records.c.source_object == object_name),
            source_records.c.external_id.in_(part),
        )
        for row in conn.execute(query):
            rows[row.external_id] = row
    return rows


def write_page(
    conn: Connection,
    origin: Origin,
    object_name: str,
    raws: list[dict[str, Any]],
    mapper: PageMapper,
    now: datetime,
    event_ids: Mapping[str, str] | None = None,
) -> PageOutcome:
    """Apply one page of raw records of ``object_name`` to the ledger (see the module docstring).

    ``event_ids`` names, per external id, the webhook event that brought the record.
    """
    outcome = PageOutcome(seen=len(raws))
    entity = mapper.entity_of(object_name)
    wanted: dict[SourceKey, str] = {}
    for raw in raws:
        external_id = mapper.external_id(object_name, raw)
        if external_id:
            wanted[SourceKey(origin.instance, object_name, external_id)] = entity
        for ref in mapper.refs(object_name, raw):
            wanted.setdefault(SourceKey(origin.instance, ref.object, ref.id), mapper.entity_of(ref.object))
    ids = xref.resolve(conn, wanted.items(), system=origin.system, now=now, lock=True)

    def resolve_ref(ref: _Ref) -> str:
        return ids[SourceKey(origin.instance, ref.object, ref.id)]

    mapped, failures = mapper.map_page(object_name, raws, resolve_ref)
    if failures:
        outcome.dead_lettered = dead_letter(conn, origin, object_name, failures, mapper, now, event_ids)
    if mapped:
        resolve_dead_letters(conn, origin, object_name, [record.external_id for record in mapped])
    apply_mapped(conn, origin, object_name, mapped, ids, now, mapper.version, outcome, event_ids)
    merged = [
        (str(record.external_id), str(gone))
        for record in mapped
        if not record.deleted
        for gone in (record.raw.get(MERGED_IDS) or [])
        if str(gone) and str(gone) != str(record.external_id)
    ]
    if merged:
        from hub.ledger.merges import apply_merges  # merges build on this module's mark_deleted

        apply_merges(conn, origin, object_name, merged, now, mapper.version, outcome, event_ids)
    return outcome


def apply_mapped(
    conn: Connection,
    origin: Origin,
    object_name: str,
    mapped: list[Any],
    ids: dict[SourceKey, str],
    now: datetime,
    mapping_version: str,
    outcome: PageOutcome,
    event_ids: Mapping[str, str] | None = None,
) -> None:
    """Steps 3 and 4 of ``write_page`` for records already mapped."""
    latest: dict[str, Any] = {}
    for record in mapped:  # a page may carry one record twice (window boundaries): keep the newest
        held = latest.get(record.external_id)
        if held is None or (record.source_updated_at or now) >= (held.source_updated_at or now):
            latest[record.external_id] = record
    stored = _stored(conn, origin.instance, object_name, list(latest))
    entries: list[dict[str, Any]] = []
    states: list[dict[str, Any]] = []
    changed: list[tuple[str, Any, dict[str, Any], str, Any]] = []
    for external_id, record in latest.items():
        fields = compact(record.fields)
        digest = content_hash(fields, record.deleted)
        old = stored.get(external_id)
        if old is not None and old.content_hash == digest:
            outcome.unchanged += 1
            continue
        if (
            old is not None
            and old.source_updated_at is not None
            and record.source_updated_at is not None
            and record.source_updated_at < old.source_updated_at
        ):
            outcome.stale += 1
            continue
        changed.append((external_id, record, fields, digest, old))
    # the hub's own writes coming back (hub.writeback.echo, ADR 20)
    seen_before = {ext: (old.fields, new) for ext, record, new, _d, old in changed if old and not record.deleted}
    landed = recognise(conn, origin.instance, object_name, str(mapped[0].entity) if mapped else "", seen_before)
    for external_id, record, fields, digest, old in changed:
        canonical_id = ids[SourceKey(origin.instance, object_name, external_id)]
        hit = landed.get(external_id)
        echo = hit is not None and hit.echo
        # an echo is not a newer observation: the record keeps the source time survivorship ranks it by
        source_updated_at = old.source_updated_at if echo else record.source_updated_at
        entries.append(
            {
                "observed_at": now,
                "source_system": origin.system,
                "source_instance": origin.instance,
                "source_object": object_name,
                "external_id": external_id,
                "entity_type": str(record.entity),
                "canonical_id": canonical_id,
                "op": "delete" if record.deleted else "upsert",
                "content_hash": digest,
                "changes": diff(old.fields if old is not None else {}, fields),
                "raw": record.raw,
                "source_updated_at": record.source_updated_at,
                "run_id": origin.run_id,
                "webhook_event_id": event_id_for(origin, event_ids, external_id),
                "mapping_version": mapping_version,
                "echo_of": hit.outbox_id if echo and hit is not None else None,
            }
        )
        states.append(
            {
                "source_instance": origin.instance,
                "source_object": object_name,
                "external_id": external_id,
                "source_system": origin.system,
                "entity_type": str(record.entity),
                "canonical_id": canonical_id,
                "fields": fields,
                "content_hash": digest,
                "source_updated_at": source_updated_at,
                "observed_at": now,
                "deleted": record.deleted,
                "golden_id": old.golden_id if old is not None else canonical_id,
            }
        )
    _append(conn, entries, states, outcome, origin, now, {ext: hit.outbox_id for ext, hit in landed.items()})


def _append(
    conn: Connection,
    entries: list[dict[str, Any]],
    states: list[dict[str, Any]],
    outcome: PageOutcome,
    origin: Origin,
    now: datetime,
    landed: Mapping[str, int] | None = None,
) -> None:
    """Append ledger entries, upsert their source-record states, match them against the records
    already known (identity resolution), recompute the golden records touched. ``landed`` names,
    per external id, the outbox row whose write the new entry observed."""
    if not entries:
        return
    for state, entry_id in zip(states, append_entries(conn, entries, now), strict=True):
        state["last_entry_id"] = entry_id
    if landed:
        conn.execute(
            update(outbox).where(outbox.c.id == bindparam("row_id")).values(echo_entry_id=bindparam("entry_id")),
            [{"row_id": landed[s["external_id"]], "entry_id": s["last_entry_id"]} for s in states
             if s["external_id"] in landed],
        )  # fmt: skip
    upsert(conn, source_records, states, key=["source_instance", "source_object", "external_id"])
    touched = {state["golden_id"] for state in states}
    by_entity: dict[str, list[dict[str, Any]]] = {}
    for state in states:
        by_entity.setdefault(state["entity_type"], []).append(state)
    events = {
        state["canonical_id"]: entry["webhook_event_id"]
        for state, entry in zip(states, entries, strict=True)
        if entry["webhook_event_id"]
    }
    for entity_type, group in sorted(by_entity.items()):
        touched |= identity.match_page(conn, entity_type, group, now, run_id=origin.run_id, webhook_events=events)
    golden.refresh(conn, sorted(touched))
    outcome.changed += len(entries)
    outcome.canonical_ids.extend(touched)
    outcome.changed_ids.extend(state["external_id"] for state in states)


def mark_deleted(
    conn: Connection,
    origin: Origin,
    object_name: str,
    external_ids: list[str],
    now: datetime,
    mapping_version: str,
    event_ids: Mapping[str, str] | None = None,
    deleted_at: datetime | None = None,
    cause: str | None = None,
) -> PageOutcome:
    """Tombstones for records the upstream no longer has: the last known fields stay, flagged deleted.

    ``cause`` says why (absent from a complete full read, merged into another record): the entry's
    ``raw`` keeps it as ``{"cause": ...}``."""
    outcome = PageOutcome(seen=len(external_ids))
    stored = _stored(conn, origin.instance, object_name, sorted(set(external_ids)))
    entries: list[dict[str, Any]] = []
    states: list[dict[str, Any]] = []
    for external_id, old in sorted(stored.items()):
        if old.deleted:
            outcome.unchanged += 1
            continue
        digest = content_hash(old.fields, True)
        entries.append({
            "observed_at": now, "source_system": origin.system, "source_instance": origin.instance,
            "source_object": object_name, "external_id": external_id, "entity_type": old.entity_type,
            "canonical_id": old.canonical_id, "op": "delete", "content_hash": digest, "changes": {},
            "raw": {"cause": cause} if cause else None,
            "source_updated_at": deleted_at or old.source_updated_at, "run_id": origin.run_id,
            "webhook_event_id": event_id_for(origin, event_ids, external_id), "mapping_version": mapping_version,
        })  # fmt: skip
        states.append({
            "source_instance": origin.instance, "source_object": object_name, "external_id": external_id,
            "source_system": origin.system, "entity_type": old.entity_type, "canonical_id": old.canonical_id,
            "fields": old.fields, "content_hash": digest, "source_updated_at": deleted_at or old.source_updated_at,
            "observed_at": now, "deleted": True, "golden_id": old.golden_id,
        })  # fmt: skip
    _append(conn, entries, states, outcome, origin, now)
    return outcome
