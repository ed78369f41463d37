"""The ledger as it was at a moment T (ADR 19): clusters, source-record states, references.

The state at T is the ledger's prefix up to the last entry observed at or before T (its *cutoff*
id; ids grow along the hash chain). From that prefix:

* a record's cluster is the target of the last decision move of it (``changes.moves``: ``[record,
  from, to]``), else its own id; a cluster's members are the records whose last move went into it,
  plus its own record unless moved out. Only decisions naming the ids concerned are read (the
  same ``changes`` text match as the history), never the whole ledger;
* a source record's fields are its entries folded in id order (:func:`hub.ledger.rebuild.fold`);
* the golden record is today's survivorship policy applied to the live members' states at T.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Text, and_, cast, func, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from hub.db.schema import ledger_entries
from hub.identity.decisions import HUB, MATCH_OBJECT
from hub.ledger.rebuild import fold
from hub.ledger.upsert import chunks

_MENTIONS_PER_QUERY = 50


def cutoff(conn: Connection, moment: datetime) -> int | None:
    """The id of the last entry observed at or before ``moment`` (None: the ledger was empty)."""
    found = conn.execute(select(func.max(ledger_entries.c.id)).where(ledger_entries.c.observed_at <= moment)).scalar()
    return None if found is None else int(found)


def _is_decision() -> ColumnElement[bool]:
    return and_(
        ledger_entries.c.source_instance == HUB,
        ledger_entries.c.source_object == MATCH_OBJECT,
        ledger_entries.c.source_system == HUB,
    )


def decisions_naming(conn: Connection, ids: Iterable[str], upto: int, entity_type: str | None = None) -> list[Any]:
    """Decision entries up to ``upto`` whose moves (or target) name any of ``ids``, in id order."""
    text = cast(ledger_entries.c.changes, Text)
    found: dict[int, Any] = {}
    for part in chunks(sorted(set(ids)), _MENTIONS_PER_QUERY):
        where = [
            _is_decision(),
            ledger_entries.c.id <= upto,
            or_(ledger_entries.c.canonical_id.in_(part), *(text.contains(f'"{i}"', autoescape=True) for i in part)),
        ]
        if entity_type is not None:
            where.append(ledger_entries.c.entity_type == entity_type)
        for row in conn.execute(select(ledger_entries).where(*where)):
            found[row.id] = row
    return [found[k] for k in sorted(found)]


def golden_at(conn: Connection, record_ids: Iterable[str], upto: int) -> dict[str, str]:
    """Each record id's cluster at ``upto`` (an id no move names maps to itself)."""
    ids = {r for r in record_ids if r}
    out = {r: r for r in ids}
    for row in decisions_naming(conn, ids, upto):
        for record_id, _source, target in row.changes.get("moves", []):
            if record_id in ids:
                out[record_id] = target
    return out


def _record_entries(conn: Connection, record_ids: Iterable[str], upto: int) -> list[Any]:
    rows: list[Any] = []
    for part in chunks(sorted(set(record_ids))):
        rows += conn.execute(
            select(ledger_entries).where(
                ledger_entries.c.canonical_id.in_(part), ledger_entries.c.id <= upto, not_(_is_decision())
            )
        ).fetchall()
    return sorted(rows, key=lambda r: r.id)


def states_at(conn: Connection, record_ids: Iterable[str], upto: int) -> dict[str, dict[str, Any]]:
    """Each record's source-record state at ``upto`` (records without entries by then are absent)."""
    states: dict[str, dict[str, Any]] = {}
    for row in _record_entries(conn, record_ids, upto):
        states[row.canonical_id] = fold(states.get(row.canonical_id), row)
    return states


def members_at(conn: Connection, entity_type: str, golden_id: str, upto: int) -> list[str]:
    """The record ids in cluster ``golden_id`` at ``upto`` (deleted records included)."""
    inside = {golden_id}
    for row in decisions_naming(conn, [golden_id], upto, entity_type):
        for record_id, source, target in row.changes.get("moves", []):
            if target == golden_id:
                inside.add(record_id)
            elif source == golden_id:
                inside.discard(record_id)
    return sorted(inside)


def cluster_at(conn: Connection, entity_type: str, some_id: str, upto: int) -> tuple[str, dict[str, dict[str, Any]]]:
    """The cluster ``some_id`` (a golden or a record id) named at ``upto``, and its members' states
    (of ``entity_type``; empty when none existed by then). A golden id with live members answers
    itself, as the live read does; otherwise the cluster the record was in."""
    golden = some_id
    states = _of_type(states_at(conn, members_at(conn, entity_type, golden, upto), upto), entity_type)
    if not any(not s["deleted"] for s in states.values()):
        golden = golden_at(conn, [some_id], upto)[some_id]
        if golden != some_id:
            states = _of_type(states_at(conn, members_at(conn, entity_type, golden, upto), upto), entity_type)
    return golden, states


def _of_type(states: dict[str, dict[str, Any]], entity_type: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in states.items() if v["entity_type"] == entity_type}
