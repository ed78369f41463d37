"""Read side of golden records: lists, details and histories of every canonical entity type.

Two kinds of id meet here (docs: the reconciliation design). A source record's canonical id is its
immutable *record id*; ``source_records.golden_id`` names the cluster (golden record) it belongs to,
and ``golden_records.canonical_id`` is that *golden id*. So:

* a detail or history request for a record id that was merged into another cluster answers with
  the cluster's golden record and says so (``merged``, ``requested_id``, ``golden_id``);
* reference fields (``organization_id``, ``customer_org_id``, ``contact_ids``,
  ``partner_roles[].partner_org_id``, ...) are stored as record ids and are translated to golden ids
  on the way out, in bulk: one :func:`hub.ledger.clusters.golden_ids` query per response.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, Text, and_, cast, desc, exists, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from hub.canonical import CANONICAL_MODELS, EntityType
from hub.db.schema import golden_records, ledger_entries, source_records, xrefs
from hub.ledger import as_of, golden
from hub.ledger.clusters import golden_ids
from hub.ledger.upsert import chunks

#: the ledger's decision entries (identity resolution): who moved which record into which cluster
DECISION_SYSTEM = "hub"
DECISION_OBJECT = "match"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# -- reference fields ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class References:
    """Where one entity's fields hold canonical (record) ids.

    ``direct``: fields holding an id or a list of ids (``organization_id``, ``contact_ids``);
    ``nested``: ``(list field, key)`` pairs for lists of objects (``partner_roles[].partner_org_id``).
    """

    direct: tuple[str, ...]
    nested: tuple[tuple[str, str], ...]

    def ids(self, fields: dict[str, Any] | None) -> Iterator[str]:
        """Every id these fields reference."""
        if not fields:
            return
        for name in self.direct:
            value = fields.get(name)
            if isinstance(value, str):
                yield value
            elif isinstance(value, list):
                yield from (v for v in value if isinstance(v, str))
        for name, key in self.nested:
            for item in fields.get(name) or ():
                if isinstance(item, dict) and isinstance(item.get(key), str):
                    yield item[key]

    def translate(self, fields: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
        """A copy of ``fields`` with every referenced record id replaced by its golden id."""
        if not fields:
            return dict(fields or {})
        out = dict(fields)
        for name in self.direct:
            value = out.get(name)
            if isinstance(value, str):
                out[name] = mapping.get(value, value)
            elif isinstance(value, list):
                seen: list[Any] = []
                for v in value:  # two referenced records merged into one cluster name it once
                    golden = mapping.get(v, v) if isinstance(v, str) else v
                    if golden not in seen:
                        seen.append(golden)
                out[name] = seen
        for name, key in self.nested:
            items = out.get(name)
            if isinstance(items, list):
                out[name] = [
                    {**item, key: mapping.get(item[key], item[key])}
                    if isinstance(item, dict) and isinstance(item.get(key), str)
                    else item
                    for item in items
                ]
        return out


def _is_reference(name: str) -> bool:
    return name.endswith(("_id", "_ids"))


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model class of a ``list[Model]`` (or ``Model``) annotation, else None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        inner = _nested_model(arg)
        if inner is not None:
            return inner
    return None


@cache
def references(entity_type: str) -> References:
    """The reference fields of an entity type, read off its canonical model."""
    model = CANONICAL_MODELS[EntityType(entity_type)]
    direct: list[str] = []
    nested: list[tuple[str, str]] = []
    for name, info in model.model_fields.items():
        if name == "entity_type":
            continue
        sub = _nested_model(info.annotation)
        if sub is not None:
            nested.extend((name, key) for key in sub.model_fields if _is_reference(key))
        elif _is_reference(name):
            direct.append(name)
    return References(tuple(direct), tuple(nested))


def translator(conn: Connection, entity_type: str, field_sets: Iterable[dict[str, Any] | None]) -> dict[str, str]:
    """Record id -> golden id for every reference in ``field_sets``: one query (chunked)."""
    refs = references(entity_type)
    return golden_ids(conn, {rid for fields in field_sets for rid in refs.ids(fields)})


# -- lists ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilters:
    """What a list request may filter on (the registry decides which an entity offers)."""

    role: str | None = None
    q: str | None = None
    source_system: str | None = None
    source_instance: str | None = None
    fields: tuple[tuple[str, str], ...] = ()  # (canonical field, value): a scalar field equals value
    references: tuple[tuple[str, str], ...] = ()  # (reference field, golden or record id)


def _members_of(conn: Connection, entity_type: str, some_id: str) -> list[str]:
    """The record ids of the cluster ``some_id`` (a golden or a record id) names."""
    golden = conn.execute(
        select(source_records.c.golden_id).where(
            source_records.c.canonical_id == some_id, source_records.c.entity_type == entity_type
        )
    ).scalar()
    target = golden or some_id
    ids = conn.execute(select(source_records.c.canonical_id).where(source_records.c.golden_id == target)).scalars()
    return sorted({some_id, target, *ids})


def _where(conn: Connection, entity_type: str, filters: ListFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [golden_records.c.entity_type == entity_type]
    if filters.role:
        where.append(golden_records.c.roles.like(f"%|{filters.role}|%"))
    if filters.q:
        # a literal substring: % and _ in q match themselves (the backslash escapes them and itself)
        literal = filters.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{literal}%"
        where.append(
            or_(
                func.lower(golden_records.c.display_name).like(pattern, escape="\\"),
                golden_records.c.lookup_key.like(pattern, escape="\\"),
            )
        )
    member = [source_records.c.golden_id == golden_records.c.canonical_id, source_records.c.deleted.is_(False)]
    if filters.source_system:
        member.append(source_records.c.source_system == filters.source_system)
    if filters.source_instance:
        member.append(source_records.c.source_instance == filters.source_instance)
    if filters.source_system or filters.source_instance:
        where.append(exists(select(source_records.c.canonical_id).where(*member)))
    for name, value in filters.fields:
        where.append(golden_records.c.fields[name].as_string() == value)
    for name, some_id in filters.references:
        # stored references are record ids: any member of the named cluster matches
        where.append(golden_records.c.fields[name].as_string().in_(_members_of(conn, entity_type, some_id)))
    return where


def list_golden(
    conn: Connection, entity_type: str, filters: ListFilters | None = None, *, limit: int = 50, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """Golden records of one type, filtered; ``(total, page)`` with references as golden ids."""
    where = _where(conn, entity_type, filters or ListFilters())
    total = conn.execute(select(func.count()).select_from(golden_records).where(*where)).scalar_one()
    rows = conn.execute(
        select(golden_records).where(*where).order_by(golden_records.c.display_name, golden_records.c.canonical_id)
        .limit(limit).offset(offset)
    ).all()  # fmt: skip
    mapping = translator(conn, entity_type, (row.fields for row in rows))
    systems = _systems(conn, [row.canonical_id for row in rows])
    return total, [summary(row, mapping, systems.get(row.canonical_id, [])) for row in rows]


def _systems(conn: Connection, golden: list[str]) -> dict[str, list[str]]:
    """The systems holding a live record of each cluster."""
    out: dict[str, set[str]] = {}
    for part in chunks(golden):
        rows = conn.execute(
            select(source_records.c.golden_id, source_records.c.source_system)
            .where(source_records.c.golden_id.in_(part), source_records.c.deleted.is_(False))
            .distinct()
        )
        for golden_id, system in rows:
            out.setdefault(golden_id, set()).add(system)
    return {k: sorted(v) for k, v in out.items()}


def summary(row: Any, mapping: dict[str, str], systems: list[str]) -> dict[str, Any]:
    return {
        "id": row.canonical_id,
        "entity_type": row.entity_type,
        "name": row.display_name,
        "key": row.lookup_key,
        "roles": [r for r in row.roles.split("|") if r],
        "fields": references(row.entity_type).translate(row.fields, mapping),
        "source_count": row.source_count,
        "systems": systems,
        "updated_at": _iso(row.updated_at),
    }


# -- one record ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    row: Any
    requested_id: str

    @property
    def golden_id(self) -> str:
        golden: str = self.row.canonical_id
        return golden

    @property
    def merged(self) -> bool:
        return self.golden_id != self.requested_id

    def identity(self) -> dict[str, Any]:
        return {"golden_id": self.golden_id, "requested_id": self.requested_id, "merged": self.merged}


def resolve(conn: Connection, entity_type: str, some_id: str) -> Resolved | None:
    """The golden record ``some_id`` names: a golden id, or the record id of any member of it."""
    query = select(golden_records).where(golden_records.c.entity_type == entity_type)
    row = conn.execute(query.where(golden_records.c.canonical_id == some_id)).first()
    if row is None:
        golden = conn.execute(
            select(source_records.c.golden_id).where(
                source_records.c.canonical_id == some_id, source_records.c.entity_type == entity_type
            )
        ).scalar()
        if golden is None or golden == some_id:
            return None
        row = conn.execute(query.where(golden_records.c.canonical_id == golden)).first()
        if row is None:
            return None
    return Resolved(row, some_id)


def _member_ids(conn: Connection, golden_id: str) -> list[str]:
    ids = conn.execute(select(source_records.c.canonical_id).where(source_records.c.golden_id == golden_id)).scalars()
    return sorted(set(ids))


def golden_detail(conn: Connection, entity_type: str, some_id: str, history_limit: int = 200) -> dict[str, Any] | None:
    """One golden record: fields, per-field provenance, every source record behind it and the latest
    history (member records' entries and the decisions that moved records in or out)."""
    found = resolve(conn, entity_type, some_id)
    if found is None:
        return None
    sources = conn.execute(
        select(source_records, xrefs.c.first_seen_at)
        .join(
            xrefs,
            and_(
                xrefs.c.source_instance == source_records.c.source_instance,
                xrefs.c.source_object == source_records.c.source_object,
                xrefs.c.external_id == source_records.c.external_id,
            ),
        )
        .where(source_records.c.golden_id == found.golden_id)
        .order_by(source_records.c.source_instance, source_records.c.source_object, source_records.c.external_id)
    ).all()
    return _detail(conn, entity_type, found, sources, history_limit, None)


def _detail(
    conn: Connection, entity_type: str, found: Resolved, sources: Sequence[Any], history_limit: int, upto: int | None
) -> dict[str, Any]:
    row = found.row
    members = sorted({s.canonical_id for s in sources} | {found.golden_id})
    _, history = _history(conn, entity_type, found.golden_id, members, limit=history_limit, offset=0, upto=upto)
    field_sets = [row.fields, *(s.fields for s in sources), *(side for h in history for side in _change_sides(h))]
    refs = references(entity_type)
    if upto is None:
        mapping = translator(conn, entity_type, field_sets)
    else:  # references name the clusters their records were in then
        mapping = as_of.golden_at(conn, {rid for fields in field_sets for rid in refs.ids(fields)}, upto)
    return {
        **summary(row, mapping, sorted({s.source_system for s in sources if not s.deleted})),
        **found.identity(),
        "provenance": row.provenance,
        "sources": [
            {
                "record_id": s.canonical_id,
                "system": s.source_system,
                "instance": s.source_instance,
                "object": s.source_object,
                "external_id": s.external_id,
                "fields": refs.translate(s.fields, mapping),
                "content_hash": s.content_hash,
                "deleted": s.deleted,
                "source_updated_at": _iso(s.source_updated_at),
                "observed_at": _iso(s.observed_at),
                "first_seen_at": _iso(s.first_seen_at),
                "last_entry_id": s.last_entry_id,
            }
            for s in sources
        ],
        "history": [history_entry(h, mapping) for h in history],
    }


# -- time travel -----------------------------------------------------------------------------------------


class NotAtThatTime(LookupError):
    """The record had no golden record at the requested moment: not yet seen, or deleted by then."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def golden_detail_as_of(
    conn: Connection, entity_type: str, some_id: str, moment: datetime, history_limit: int = 200
) -> dict[str, Any] | None:
    """The golden record ``some_id`` named at ``moment`` (ADR 19): the cluster's membership then, each
    member's fields then, survivorship over them; the history up to then. None: the id is unknown;
    :class:`NotAtThatTime`: it existed only later, or its cluster held no live record then."""
    upto = as_of.cutoff(conn, moment)
    known = conn.execute(
        select(func.min(ledger_entries.c.id), func.min(ledger_entries.c.observed_at)).where(
            ledger_entries.c.canonical_id == some_id, ledger_entries.c.entity_type == entity_type
        )
    ).one()
    if known[0] is None:
        return None
    if upto is None or upto < known[0]:
        raise NotAtThatTime("not_yet", f"{some_id} was first observed at {_iso(known[1])}, after {_iso(moment)}")
    golden_id, states = as_of.cluster_at(conn, entity_type, some_id, upto)
    live = [golden.source_state(_Row(s)) for s in states.values() if not s["deleted"]]
    if not live:
        raise NotAtThatTime("deleted", f"{some_id}'s cluster held no live source record at {_iso(moment)}")
    golden_row = golden.golden_row(golden_id, entity_type, live)
    first_seen = _first_seen(conn, list(states))
    ordered = sorted(states.items(), key=lambda kv: (kv[1]["source_instance"], kv[1]["source_object"],
                                                     kv[1]["external_id"]))  # fmt: skip
    sources = [_Row({**s, "first_seen_at": first_seen.get(rid)}) for rid, s in ordered]
    detail = _detail(conn, entity_type, Resolved(_Row(golden_row), some_id), sources, history_limit, upto)
    return {**detail, "as_of": _iso(moment), "as_of_entry_id": upto}


class _Row:
    """A dict read like a result row (attribute access)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _first_seen(conn: Connection, record_ids: list[str]) -> dict[str, datetime]:
    out: dict[str, datetime] = {}
    for part in chunks(sorted(record_ids)):
        for rid, seen in conn.execute(
            select(xrefs.c.canonical_id, func.min(xrefs.c.first_seen_at))
            .where(xrefs.c.canonical_id.in_(part))
            .group_by(xrefs.c.canonical_id)
        ):
            out[rid] = seen
    return out


# -- history ---------------------------------------------------------------------------------------------


def _is_decision(row: Any) -> bool:
    return bool(row.source_system == DECISION_SYSTEM and row.source_object == DECISION_OBJECT)


def _change_sides(row: Any) -> list[dict[str, Any]]:
    """A source entry's changes as two field sets, before and after (a decision entry has none)."""
    changes = row.changes if isinstance(row.changes, dict) and not _is_decision(row) else {}
    pairs = {k: v for k, v in changes.items() if isinstance(v, list) and len(v) == 2}
    return [{k: v[0] for k, v in pairs.items()}, {k: v[1] for k, v in pairs.items()}]


def _history_where(
    entity_type: str, golden_id: str, members: list[str], kind: str | None, upto: int | None = None
) -> ColumnElement[bool]:
    where = _history_kind(entity_type, golden_id, members, kind)
    return where if upto is None else and_(where, ledger_entries.c.id <= upto)


def _history_kind(entity_type: str, golden_id: str, members: list[str], kind: str | None) -> ColumnElement[bool]:
    ids = sorted({*members, golden_id})
    records = ledger_entries.c.canonical_id.in_(ids)
    text = cast(ledger_entries.c.changes, Text)
    decisions = and_(
        ledger_entries.c.source_instance == DECISION_SYSTEM,  # ix_ledger_source's leading columns
        ledger_entries.c.source_object == DECISION_OBJECT,
        ledger_entries.c.source_system == DECISION_SYSTEM,
        ledger_entries.c.entity_type == entity_type,
        or_(records, *(text.contains(f'"{rid}"', autoescape=True) for rid in ids)),
    )
    if kind == "decision":
        return decisions
    not_decision = or_(
        ledger_entries.c.source_system != DECISION_SYSTEM, ledger_entries.c.source_object != DECISION_OBJECT
    )
    if kind == "record":
        return and_(records, not_decision)
    return or_(and_(records, not_decision), decisions)


def _history(
    conn: Connection, entity_type: str, golden_id: str, members: list[str], *, limit: int, offset: int,
    kind: str | None = None, upto: int | None = None,
) -> tuple[int, list[Any]]:  # fmt: skip
    where = _history_where(entity_type, golden_id, members, kind, upto)
    total = conn.execute(select(func.count()).select_from(ledger_entries).where(where)).scalar_one()
    rows = conn.execute(
        select(ledger_entries).where(where).order_by(desc(ledger_entries.c.id)).limit(limit).offset(offset)
    ).all()
    return total, list(rows)


def _translate_changes(row: Any, mapping: dict[str, str]) -> dict[str, Any]:
    changes: dict[str, Any] = row.changes if isinstance(row.changes, dict) else {}
    if _is_decision(row):
        return changes  # moves speak in record ids by design
    refs = references(row.entity_type)
    before, after = (refs.translate(side, mapping) for side in _change_sides(row))
    return {k: [before[k], after[k]] if k in before else v for k, v in changes.items()}


def cause(row: Any) -> dict[str, Any]:
    """Why an entry exists, from its columns: a steward's or the matcher's decision (the pair, the
    actor), the hub's own write-back (source system ``hub``, its run), the echo of a write
    (``echo_of``: the outbox row), a tombstone (the run or event that saw the delete), a webhook
    event, a sync run; ``unknown`` for a direct call of the write path."""
    if _is_decision(row):
        raw = row.raw if isinstance(row.raw, dict) else {}
        pair = raw.get("pair") if isinstance(raw.get("pair"), dict) else None
        actor = raw.get("actor") or (pair or {}).get("decided_by") or "auto"
        return {"kind": "decision", "id": (pair or {}).get("id") or row.external_id, "actor": str(actor)}
    if row.source_system == DECISION_SYSTEM:
        return {"kind": "writeback", "id": row.run_id or row.webhook_event_id}
    if row.op == "delete":
        return {"kind": "tombstone", "id": row.webhook_event_id or row.run_id}
    echo_of = getattr(row, "echo_of", None)
    if echo_of is not None:
        return {"kind": "echo", "id": str(echo_of), "via": row.webhook_event_id or row.run_id}
    if row.webhook_event_id:
        return {"kind": "webhook", "id": row.webhook_event_id}
    if row.run_id:
        return {"kind": "sync", "id": row.run_id}
    return {"kind": "unknown", "id": None}


def history_entry(row: Any, mapping: dict[str, str]) -> dict[str, Any]:
    decision = _is_decision(row)
    return {
        "entry_id": row.id,
        "kind": "decision" if decision else "record",
        "op": row.op,
        "observed_at": _iso(row.observed_at),
        "source_updated_at": _iso(row.source_updated_at),
        "source": f"{row.source_instance}/{row.source_object}/{row.external_id}",
        "system": row.source_system,
        "instance": row.source_instance,
        "object": row.source_object,
        "external_id": row.external_id,
        "record_id": row.canonical_id,
        "changes": _translate_changes(row, mapping),
        "decision": row.raw if decision else None,
        "run_id": row.run_id,
        "webhook_event_id": row.webhook_event_id,
        "mapping_version": row.mapping_version,
        "cause": cause(row),
        "entry_hash": row.entry_hash,
    }


def golden_history(
    conn: Connection, entity_type: str, some_id: str, *, limit: int = 50, offset: int = 0, kind: str | None = None
) -> dict[str, Any] | None:
    """The ledger entries of every member record of a cluster, and the hub's decisions that moved
    records into or out of it, newest first."""
    found = resolve(conn, entity_type, some_id)
    if found is None:
        return None
    members = _member_ids(conn, found.golden_id)
    total, rows = _history(conn, entity_type, found.golden_id, members, limit=limit, offset=offset, kind=kind)
    mapping = translator(conn, entity_type, (side for r in rows for side in _change_sides(r)))
    return {
        **found.identity(),
        "entity_type": entity_type,
        "members": members,
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [history_entry(r, mapping) for r in rows],
    }
