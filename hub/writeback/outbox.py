"""The outbox side of a golden-value decision: the writes it implies, inserted in its transaction.

``enqueue(conn, golden_ids, now)`` runs inside the transaction that recomputed those golden records
(``hub.ledger.golden.refresh``: sync pages, webhooks, steward decisions). For every live source
record of those clusters that its system can be written to, it compares the golden value of each
field the write-back policy gives that system (``writeback`` in the survivorship table) with what the
upstream holds (the record's latest raw observation, at the write rule's ``current`` path). The
properties that differ become one outbox row, unless an equal write is already waiting, in flight,
sent and not yet echoed, or was rejected (a rejected write is not retried until the value changes,
or an operator asks: ``retry_rejected``). A waiting row with other values is superseded.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, insert, or_, select, update

from connectors.sdk import dotted
from hub.db.schema import golden_records, ledger_entries, outbox, source_records
from hub.ledger.survivorship import active_policy
from hub.ledger.upsert import chunks
from hub.writeback.targets import Target, all_targets, target

#: states of a row that still has to be pushed
WAITING = ("pending", "failed")
#: states of a row whose values the upstream holds (its echo may still be on its way)
LANDED = ("sent", "unchanged")


def format_value(value: Any) -> str | None:
    """A golden value as the upstream property's text (lists joined by ``;``, booleans lower-case)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


@dataclass
class Planned:
    """The write one source record needs, and what to do about it (``action``)."""

    connector_id: str
    object: str
    external_id: str
    canonical_id: str
    key: str | None
    properties: dict[str, str]
    fields: dict[str, Any]
    golden_entry_id: int | None
    #: the record is its cluster's hub-id holder in this object (see ``holders``): the write carries
    #: the golden id as ``WriteRecord.hub_id`` (outbox.stamp_hub_id; the dispatcher reads it)
    stamp_hub_id: bool = False
    #: new (insert a row) | waiting (an equal row waits) | in_flight | awaiting_echo | rejected | invalid
    action: str = "new"
    supersedes: int | None = None


#: the pseudo field an outbox row's ``fields`` names for the hub id written to the hub-id slot
HUB_ID_FIELD = "hub_id"


def _listed(raw: dict[str, Any], path: str) -> bool:
    """Whether the raw record holds the (dotted) path at all, null or not."""
    node: Any = raw
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _hub_id_due(tgt: Target, row: Any, held: Holders) -> bool:
    """Whether this record's hub-id slot should receive its golden id: the rule names a slot, the
    record is its cluster's holder in this object (a slot holds unique values), and the slot holds
    another value (or lacks it: stamped where the connector creates the slot on its first write)."""
    slot = tgt.rule.hub_id
    if slot is None or not _is_holder(row, held):
        return False
    raw = row.raw or {}
    path = tgt.rule.current.format(property=slot)
    if not _listed(raw, path):
        return tgt.rule.hub_id_when_absent
    return str(dotted(raw, path) or "") != row.golden_id


def _desired(tgt: Target, entity_type: str, golden: dict[str, Any], raw: dict[str, Any] | None) -> dict[str, Any]:
    """Canonical field -> golden value, for the properties whose upstream value differs."""
    allowed = set(active_policy().for_entity(entity_type).writes_to(tgt.system))
    changes: dict[str, Any] = {}
    for prop, canonical_field in tgt.rule.properties.items():
        if canonical_field not in allowed:
            continue
        desired = format_value(golden.get(canonical_field))
        if desired is None:
            continue  # never blank an upstream value the hub has no value for
        current = dotted(raw or {}, tgt.rule.current.format(property=prop))
        if current is not None and str(current) == desired:
            continue
        changes[prop] = canonical_field
    return changes


#: The one record of a cluster, per connector and object, that carries the hub id: the lowest live
#: external id, compared by code point on every backend (a hub-id slot holds unique values, HubSpot
#: refuses a second record with the same value, so where one system holds duplicates of a cluster only
#: one is stamped). Decided here, at planning, and stored on the outbox row (``stamp_hub_id``); a change
#: of holder (a lower id joins the cluster, the holder is deleted or leaves it) refreshes the cluster's
#: golden record, which plans its records again: a waiting row whose flag no longer holds is superseded
#: (``_decide``). Computed in Python from the cluster's rows (``holders``), not as a correlated
#: ``MIN`` per row, which PostgreSQL planned as a scan of the whole object for each row (ADR 25).
Holders = dict[tuple[str, str, str], str]


def holders(rows: Iterable[Any]) -> Holders:
    """(golden id, connector, object) -> the lowest external id among ``rows`` (live records)."""
    out: Holders = {}
    for row in rows:
        key = (row.golden_id, row.source_instance, row.source_object)
        held = out.get(key)
        if held is None or row.external_id < held:
            out[key] = row.external_id
    return out


def _peers(conn: Connection, connector_id: str, object_name: str, golden_ids: Sequence[str]) -> Holders:
    """The holders of these clusters in one connector's object, from all their live records."""
    out: Holders = {}
    for part in chunks(sorted(set(golden_ids))):
        out.update(
            holders(
                conn.execute(
                    select(
                        source_records.c.golden_id, source_records.c.source_instance,
                        source_records.c.source_object, source_records.c.external_id,
                    ).where(
                        source_records.c.golden_id.in_(part), source_records.c.source_instance == connector_id,
                        source_records.c.source_object == object_name, source_records.c.deleted.is_(False),
                    )
                )
            )
        )  # fmt: skip
    return out


def _is_holder(row: Any, held: Holders) -> bool:
    return bool(held.get((row.golden_id, row.source_instance, row.source_object)) == row.external_id)


def _rows_query(golden_ids: Sequence[str] | None = None) -> Any:
    return (
        select(
            source_records.c.source_instance, source_records.c.source_object, source_records.c.source_system,
            source_records.c.external_id, source_records.c.entity_type, source_records.c.golden_id,
            golden_records.c.fields.label("golden"), golden_records.c.last_entry_id.label("golden_entry_id"),
            ledger_entries.c.raw,
        )
        .join(golden_records, golden_records.c.canonical_id == source_records.c.golden_id)
        .join(ledger_entries, ledger_entries.c.id == source_records.c.last_entry_id)
        .where(source_records.c.deleted.is_(False))
    )  # fmt: skip


def _plan_rows(rows: Iterable[Any], held: Holders, settled: list[tuple[str, str, str]] | None = None) -> list[Planned]:
    """The writes ``rows`` need (``held``: their clusters' hub-id holders); ``settled`` collects the
    records that need none (the upstream holds the golden values: a write still waiting is stale)."""
    planned: list[Planned] = []
    for row in rows:
        tgt = target(row.source_system, row.source_object)
        if tgt is None:
            continue
        changes = _desired(tgt, row.entity_type, row.golden or {}, row.raw)
        stamp = _hub_id_due(tgt, row, held)
        if not changes and not stamp:
            if settled is not None:
                settled.append((row.source_instance, row.source_object, row.external_id))
            continue
        properties = {prop: format_value(row.golden[f]) or "" for prop, f in changes.items()}
        fields = {f: row.golden[f] for f in changes.values()}
        if stamp and tgt.rule.hub_id is not None:
            properties[tgt.rule.hub_id] = row.golden_id
            fields[HUB_ID_FIELD] = row.golden_id
        if tgt.rule.key == "$external_id":
            key: str | None = row.external_id
        else:
            key = format_value((row.golden or {}).get(tgt.rule.key)) or None
        planned.append(
            Planned(
                connector_id=row.source_instance, object=row.source_object, external_id=row.external_id,
                canonical_id=row.golden_id, key=key, properties=properties,
                fields=fields, golden_entry_id=row.golden_entry_id, stamp_hub_id=_is_holder(row, held),
                action="new" if key else "invalid",
            )
        )  # fmt: skip
    return planned


def latest_rows(conn: Connection, connector_id: str, object_name: str, ids: Sequence[str]) -> dict[str, Any]:
    """The newest outbox row (not superseded) of each record named."""
    latest: dict[str, Any] = {}
    for part in chunks(list(ids)):
        rows = conn.execute(
            select(outbox)
            .where(
                outbox.c.connector_id == connector_id, outbox.c.source_object == object_name,
                outbox.c.external_id.in_(part), outbox.c.state != "superseded",
            )
            .order_by(outbox.c.id)
        )  # fmt: skip
        for row in rows:
            latest[row.external_id] = row
    return latest


def _decide(conn: Connection, planned: list[Planned], retry_rejected: bool = False) -> list[Planned]:
    groups: dict[tuple[str, str], list[Planned]] = {}
    for item in planned:
        groups.setdefault((item.connector_id, item.object), []).append(item)
    for (connector_id, object_name), items in groups.items():
        latest = latest_rows(conn, connector_id, object_name, [i.external_id for i in items])
        for item in items:
            row = latest.get(item.external_id)
            if row is None or item.action == "invalid":
                continue
            # the flag is part of the write: a change of holder makes an equal-valued row another write
            flag = row.stamp_hub_id == item.stamp_hub_id
            same = flag and all(row.properties.get(p) == v for p, v in item.properties.items())
            if row.state in WAITING:
                if flag and row.properties == item.properties:
                    item.action = "waiting"
                else:
                    item.supersedes = row.id
            elif row.state == "in_flight" and same:
                item.action = "in_flight"
            elif row.state in LANDED and row.echo_entry_id is None and same:
                item.action = "awaiting_echo"  # the upstream's answer has not been observed yet
            elif row.state == "rejected" and same and not retry_rejected:
                item.action = "rejected"
    return planned


def _supersede_settled(conn: Connection, settled: list[tuple[str, str, str]], now: datetime) -> None:
    """Waiting rows of records whose upstream now holds the golden values are superseded (a newer
    decision, or the upstream's own change the golden record follows, made them stale)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for connector_id, object_name, external_id in settled:
        groups.setdefault((connector_id, object_name), []).append(external_id)
    for (connector_id, object_name), ids in groups.items():
        for part in chunks(ids):
            conn.execute(
                update(outbox)
                .where(
                    outbox.c.connector_id == connector_id, outbox.c.source_object == object_name,
                    outbox.c.external_id.in_(part), outbox.c.state.in_(WAITING),
                )
                .values(state="superseded", settled_at=now)
            )  # fmt: skip


def _insert(conn: Connection, planned: list[Planned], now: datetime) -> int:
    new = [p for p in planned if p.action == "new"]
    superseded = [p.supersedes for p in new if p.supersedes is not None]
    for part in chunks(superseded):
        conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(part), outbox.c.state.in_(WAITING))
            .values(state="superseded", settled_at=now)
        )
    if new:
        conn.execute(
            insert(outbox),
            [
                {
                    "created_at": now, "connector_id": p.connector_id, "source_object": p.object,
                    "external_id": p.external_id, "canonical_id": p.canonical_id, "key": p.key,
                    "properties": p.properties, "fields": p.fields, "golden_entry_id": p.golden_entry_id,
                    "stamp_hub_id": p.stamp_hub_id,
                    "idempotency_key": uuid.uuid4().hex, "state": "pending", "attempts": 0, "next_attempt_at": now,
                }
                for p in new
            ],
        )  # fmt: skip
    return len(new)


def enqueue(conn: Connection, golden_ids: Iterable[str], now: datetime) -> int:
    """Insert the outbox rows the golden records ``golden_ids`` imply (see the module docstring)."""
    writable = all_targets()
    if not writable:
        return 0
    which = or_(*(and_(source_records.c.source_system == t.system, source_records.c.source_object == t.object)
                  for t in writable))  # fmt: skip
    inserted = 0
    for part in chunks(sorted(set(golden_ids))):
        # every live record of these clusters in the writable objects: the holders are among them
        rows = conn.execute(_rows_query().where(source_records.c.golden_id.in_(part), which)).fetchall()
        settled: list[tuple[str, str, str]] = []
        planned = _plan_rows(rows, holders(rows), settled)
        if settled:
            _supersede_settled(conn, settled, now)
        if planned:
            inserted += _insert(conn, _decide(conn, planned), now)
    return inserted


def plan_object(
    conn: Connection, connector_id: str, object_name: str, *, retry_rejected: bool = False, batch: int = 500
) -> Iterator[Planned]:
    """Every write one connector's object needs now, decided against its outbox rows (in pages)."""
    after = ""
    while True:
        rows = conn.execute(
            _rows_query()
            .where(
                source_records.c.source_instance == connector_id, source_records.c.source_object == object_name,
                source_records.c.external_id > after,
            )
            .order_by(source_records.c.external_id)
            .limit(batch)
        ).fetchall()  # fmt: skip
        if not rows:
            return
        held = _peers(conn, connector_id, object_name, [row.golden_id for row in rows])
        yield from _decide(conn, _plan_rows(rows, held), retry_rejected)
        after = rows[-1].external_id


def enqueue_object(
    conn: Connection, connector_id: str, object_name: str, now: datetime, *, retry_rejected: bool = False
) -> int:
    """``enqueue`` for every record of one connector's object (an on-demand write-back's top-up)."""
    inserted = 0
    page: list[Planned] = []
    for item in plan_object(conn, connector_id, object_name, retry_rejected=retry_rejected):
        page.append(item)
        if len(page) >= 500:
            inserted += _insert(conn, page, now)
            page = []
    return inserted + _insert(conn, page, now)
