"""The reconciliation report: how the systems' records line up with the golden records.

Per system and entity type: how many live records there are, how many sit in a cluster with
another system's record (*matched*), in a cluster of two or more records (*merged*), in an open
review pair (*in review*), and per field how many records hold a value that differs from the golden
value (*drift*). :func:`drift` lists those differences one by one, with the source the golden value
came from (its provenance).

Values are compared as a reader sees them: references translated to golden ids, list fields as
sets, decimals and timestamps by value; a field the record does not have is not drift.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Annotated, Any, Union

import orjson
from rich.console import Group, RenderableType
from rich.table import Table
from sqlalchemy import Connection, and_, case, exists, func, or_, select

from hub.canonical import CANONICAL_MODELS, EntityType
from hub.db.schema import golden_records, match_pairs, source_records
from hub.records import references, translator

_BATCH = 500


# -- comparing values -------------------------------------------------------------------------------------


def _kind(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _kind(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        kinds = {_kind(a) for a in typing.get_args(annotation) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else "scalar"
    if origin is list:
        return "list"
    if isinstance(annotation, type):
        if issubclass(annotation, Decimal):
            return "decimal"
        if issubclass(annotation, datetime):
            return "datetime"
        if issubclass(annotation, date):
            return "date"
    return "scalar"


@cache
def field_kinds(entity_type: str) -> dict[str, str]:
    """Canonical field -> how it compares: list, decimal, datetime, date or scalar."""
    model = CANONICAL_MODELS[EntityType(entity_type)]
    return {name: _kind(info.annotation) for name, info in model.model_fields.items() if name != "entity_type"}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _normal(value: Any, kind: str) -> Any:
    """A comparable form of a stored value."""
    if kind == "list" and isinstance(value, list):
        return frozenset(orjson.dumps(v, option=orjson.OPT_SORT_KEYS) for v in value)
    try:
        if kind == "decimal" and isinstance(value, str | int | float):
            return Decimal(str(value))
        if kind == "datetime" and isinstance(value, str):
            moment = datetime.fromisoformat(value)
            return moment.astimezone(UTC) if moment.tzinfo else moment
    except (InvalidOperation, ValueError):
        return value
    return value


# -- walking the clusters ---------------------------------------------------------------------------------


@dataclass
class _Difference:
    golden_id: str
    entity_type: str
    record: Any
    field: str
    source_value: Any
    golden_value: Any
    golden_source: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        r = self.record
        return {
            "golden_id": self.golden_id,
            "entity_type": self.entity_type,
            "record_id": r.canonical_id,
            "system": r.source_system,
            "instance": r.source_instance,
            "object": r.source_object,
            "external_id": r.external_id,
            "field": self.field,
            "source_value": self.source_value,
            "golden_value": self.golden_value,
            "golden_source": self.golden_source,
        }


def _golden_source(provenance: Any, name: str) -> dict[str, Any] | None:
    entry = provenance.get(name) if isinstance(provenance, dict) else None
    if not isinstance(entry, dict):
        return None
    keys = ("system", "instance", "object", "external_id", "entry_id", "rule", "sources")
    return {k: entry[k] for k in keys if k in entry}


def _walk(
    conn: Connection, entity_type: str | None = None, system: str | None = None, only: str | None = None
) -> Iterator[tuple[Any, list[_Difference]]]:
    """Every live source record (of ``entity_type``, from ``system``) with its differences from its
    golden record (in ``only`` field), cluster by cluster in golden-id order, a batch at a time."""
    last = ""
    while True:
        query = select(
            golden_records.c.canonical_id, golden_records.c.entity_type, golden_records.c.fields,
            golden_records.c.provenance,
        ).where(golden_records.c.canonical_id > last)  # fmt: skip
        if entity_type:
            query = query.where(golden_records.c.entity_type == entity_type)
        goldens = conn.execute(query.order_by(golden_records.c.canonical_id).limit(_BATCH)).all()
        if not goldens:
            return
        last = goldens[-1].canonical_id
        members = select(source_records).where(
            source_records.c.golden_id.in_([g.canonical_id for g in goldens]), source_records.c.deleted.is_(False)
        )
        if system:
            members = members.where(source_records.c.source_system == system)
        by_golden: dict[str, list[Any]] = {}
        for row in conn.execute(members.order_by(*source_records.primary_key.columns)):
            by_golden.setdefault(row.golden_id, []).append(row)
        mapping: dict[str, str] = {}
        for etype in {g.entity_type for g in goldens}:
            sets = [g.fields for g in goldens if g.entity_type == etype]
            sets += [r.fields for g in goldens if g.entity_type == etype for r in by_golden.get(g.canonical_id, [])]
            mapping.update(translator(conn, etype, sets))
        for golden in goldens:
            refs = references(golden.entity_type)
            kinds = field_kinds(golden.entity_type)
            agreed = refs.translate(golden.fields or {}, mapping)
            for record in by_golden.get(golden.canonical_id, []):
                held = refs.translate(record.fields or {}, mapping)
                found: list[_Difference] = []
                for name in sorted(held):
                    value = held[name]
                    if (only and name != only) or _empty(value):
                        continue
                    kind = kinds.get(name, "scalar")
                    target = agreed.get(name)
                    if _normal(value, kind) == _normal(target, kind):
                        continue
                    source = _golden_source(golden.provenance, name)
                    found.append(
                        _Difference(golden.canonical_id, golden.entity_type, record, name, value, target, source)
                    )
                yield record, found


def drift(
    conn: Connection,
    entity_type: str | None = None,
    system: str | None = None,
    field: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    """Fields whose source value differs from the golden value: ``(total, page)``, in golden-id order."""
    total = 0
    items: list[dict[str, Any]] = []
    for _record, differences in _walk(conn, entity_type, system, field):
        for difference in differences:
            if offset <= total < offset + limit:
                items.append(difference.as_dict())
            total += 1
    return total, items


# -- the report -------------------------------------------------------------------------------------------


@dataclass
class _Row:
    system: str
    entity_type: str
    records: int = 0
    deleted: int = 0
    matched: int = 0
    merged: int = 0
    in_review: int = 0
    drifted_records: int = 0
    differences: int = 0
    drift: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "system": self.system, "entity_type": self.entity_type, "records": self.records,
            "deleted": self.deleted, "matched": self.matched, "merged": self.merged, "in_review": self.in_review,
            "drifted_records": self.drifted_records, "differences": self.differences,
            "drift": dict(sorted(self.drift.items())),
        }  # fmt: skip


def reconciliation_report(conn: Connection) -> dict[str, Any]:
    """Per system and entity type: records, matched, merged, in review, drift per field; per entity
    type: golden records, merged clusters, open reviews."""
    rows: dict[tuple[str, str], _Row] = {}

    def row(system: str, entity_type: str) -> _Row:
        return rows.setdefault((system, entity_type), _Row(system, entity_type))

    sr = source_records.c
    for system, entity_type, deleted, n in conn.execute(
        select(sr.source_system, sr.entity_type, sr.deleted, func.count()).group_by(
            sr.source_system, sr.entity_type, sr.deleted
        )
    ):
        target = row(system, entity_type)
        if deleted:
            target.deleted += n
        else:
            target.records += n

    live = sr.deleted.is_(False)
    clusters = (
        select(
            sr.golden_id.label("golden_id"),
            func.count().label("size"),
            func.count(sr.source_system.distinct()).label("systems"),
        )
        .where(live)
        .group_by(sr.golden_id)
        .subquery()
    )
    for system, entity_type, merged, matched in conn.execute(
        select(
            sr.source_system,
            sr.entity_type,
            func.sum(case((clusters.c.size >= 2, 1), else_=0)),
            func.sum(case((clusters.c.systems >= 2, 1), else_=0)),
        )
        .join(clusters, clusters.c.golden_id == sr.golden_id)
        .where(live)
        .group_by(sr.source_system, sr.entity_type)
    ):
        target = row(system, entity_type)
        target.merged, target.matched = int(merged or 0), int(matched or 0)

    open_pair = exists(
        select(match_pairs.c.id).where(
            match_pairs.c.state == "review",
            or_(match_pairs.c.record_a == sr.canonical_id, match_pairs.c.record_b == sr.canonical_id),
        )
    )
    for system, entity_type, n in conn.execute(
        select(sr.source_system, sr.entity_type, func.count())
        .where(and_(live, open_pair))
        .group_by(sr.source_system, sr.entity_type)
    ):
        row(system, entity_type).in_review = n

    for record, differences in _walk(conn):
        if differences:
            target = row(record.source_system, record.entity_type)
            target.drifted_records += 1
            target.differences += len(differences)
            for difference in differences:
                target.drift[difference.field] = target.drift.get(difference.field, 0) + 1

    entities: dict[str, dict[str, Any]] = {}

    def entity(name: str) -> dict[str, Any]:
        return entities.setdefault(
            name, {"entity_type": name, "golden_records": 0, "merged_clusters": 0, "open_reviews": 0}
        )

    for name, n in conn.execute(
        select(golden_records.c.entity_type, func.count()).group_by(golden_records.c.entity_type)
    ):
        entity(name)["golden_records"] = n
    sizes = (
        select(sr.entity_type.label("entity_type"), sr.golden_id.label("golden_id"))
        .where(live)
        .group_by(sr.entity_type, sr.golden_id)
        .having(func.count() >= 2)
        .subquery()
    )
    for name, n in conn.execute(select(sizes.c.entity_type, func.count()).group_by(sizes.c.entity_type)):
        entity(name)["merged_clusters"] = n
    for name, n in conn.execute(
        select(match_pairs.c.entity_type, func.count())
        .where(match_pairs.c.state == "review")
        .group_by(match_pairs.c.entity_type)
    ):
        entity(name)["open_reviews"] = n

    systems = [r.as_dict() for _, r in sorted(rows.items())]
    listed = sorted(entities.values(), key=lambda e: str(e["entity_type"]))
    totals = {
        "records": sum(r["records"] for r in systems),
        "deleted": sum(r["deleted"] for r in systems),
        "golden_records": sum(e["golden_records"] for e in listed),
        "merged_clusters": sum(e["merged_clusters"] for e in listed),
        "open_reviews": sum(e["open_reviews"] for e in listed),
        "drifted_records": sum(r["drifted_records"] for r in systems),
        "differences": sum(r["differences"] for r in systems),
    }
    return {
        "generated_at": datetime.now(UTC).isoformat(),
        "totals": totals,
        "entities": listed,
        "systems": systems,
    }


def format_report(report: dict[str, Any], top_fields: int = 4) -> RenderableType:
    """The report as tables for a terminal (``hub reconcile --report``)."""
    totals = report["totals"]
    head = Table(title="Reconciliation", show_header=True, header_style="bold")
    for column in ("entity", "golden records", "merged clusters", "open reviews"):
        head.add_column(column, justify="left" if column == "entity" else "right")
    for e in report["entities"]:
        head.add_row(e["entity_type"], str(e["golden_records"]), str(e["merged_clusters"]), str(e["open_reviews"]))
    head.add_row(
        "[bold]all[/bold]", str(totals["golden_records"]), str(totals["merged_clusters"]), str(totals["open_reviews"])
    )
    body = Table(title="Per system", show_header=True, header_style="bold")
    for column in ("system", "entity", "records", "deleted", "matched", "merged", "in review", "drifted", "drift"):
        body.add_column(column, justify="left" if column in ("system", "entity", "drift") else "right")
    for r in report["systems"]:
        fields = sorted(r["drift"].items(), key=lambda kv: (-kv[1], kv[0]))
        shown = ", ".join(f"{name} {n}" for name, n in fields[:top_fields])
        if len(fields) > top_fields:
            shown += f", +{len(fields) - top_fields} more"
        body.add_row(
            r["system"], r["entity_type"], str(r["records"]), str(r["deleted"]), str(r["matched"]),
            str(r["merged"]), str(r["in_review"]), str(r["drifted_records"]), shown or "-",
        )  # fmt: skip
    return Group(head, body)
