"""Survivorship: which source value each golden field takes, and why.

A golden record is a cluster of live source records (``source_records.golden_id``) from several
systems. The policy table (``hub.ledger.policy``, YAML) gives every entity type a default rule and
rules per field or per group of linked fields:

* ``most_recent``: the non-empty value of the source modified most recently upstream
  (``source_updated_at``; ties by the later ledger entry);
* ``source_priority``: the highest-ranked system in the rule's list that has a value; sources of
  unlisted systems come after, most recent first;
* ``system_of_record``: like ``source_priority``, but only the listed systems may supply the value;
  if none has one, the field stays empty;
* ``most_complete`` (for a group): the source with the most non-empty fields of the group; ties by
  recency;
* ``union`` (list fields): the distinct values of every live source, sorted.

A group survives whole: every field of it comes from the one source the rule picks, so a golden
address never has the city of one source and the country of another.

Every golden field records its provenance: the source record, the ledger entry, the source's
``source_updated_at`` and the rule (``rule:group`` for grouped fields; ``union`` lists its sources).
The result depends only on the source states, so rebuilding from the ledger equals the live state.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hub.ledger.policy import EntityPolicy, Rule, SurvivorshipPolicy, load_policy

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_active: SurvivorshipPolicy | None = None


def active_policy() -> SurvivorshipPolicy:
    """The policy ``survive`` applies when given none: the shipped default unless one was set."""
    global _active
    if _active is None:
        _active = load_policy(None)
    return _active


def set_active_policy(policy: SurvivorshipPolicy | None) -> None:
    """Make ``policy`` the process's policy (``Hub.from_settings`` does, once); ``None`` = the default."""
    global _active
    _active = policy


@dataclass(frozen=True)
class SourceState:
    """One live source record's canonical fields, as the survivorship input."""

    system: str
    instance: str
    object: str
    external_id: str
    fields: dict[str, Any]
    source_updated_at: datetime | None
    last_entry_id: int
    observed_at: datetime


@dataclass(frozen=True)
class Golden:
    fields: dict[str, Any]
    provenance: dict[str, dict[str, Any]]
    last_entry_id: int
    updated_at: datetime


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == "" or value == {}


def _recency(source: SourceState) -> tuple[datetime, int]:
    return source.source_updated_at or _EPOCH, source.last_entry_id


def _ref(source: SourceState) -> dict[str, Any]:
    """The source record's key (a union's ``sources``; its latest entry is in ``source_records``)."""
    return {
        "system": source.system,
        "instance": source.instance,
        "object": source.object,
        "external_id": source.external_id,
    }


def _provenance(source: SourceState, rule: str) -> dict[str, Any]:
    return {
        **_ref(source),
        "entry_id": source.last_entry_id,
        "source_updated_at": source.source_updated_at.isoformat() if source.source_updated_at else None,
        "rule": rule,
    }


def _pick(rule: Rule, names: Sequence[str], newest_first: list[SourceState]) -> SourceState | None:
    """The one source that supplies ``names`` (a field or a group), or ``None``."""
    candidates = [s for s in newest_first if any(not _empty(s.fields.get(n)) for n in names)]
    if not candidates:
        return None
    if rule.name == "most_complete" and len(candidates) > 1:
        # sorted() is stable: equally complete sources stay newest first
        candidates.sort(key=lambda s: -sum(not _empty(s.fields.get(n)) for n in names))
    elif rule.name in ("source_priority", "system_of_record"):
        unlisted = len(rule.systems)
        ranks = [rule.rank(s.system, s.instance) for s in candidates]
        ranked = [(unlisted if rank is None else rank, s) for rank, s in zip(ranks, candidates, strict=True)]
        if rule.name == "system_of_record":
            ranked = [pair for pair, rank in zip(ranked, ranks, strict=True) if rank is not None]
        ranked.sort(key=lambda pair: pair[0])
        return ranked[0][1] if ranked else None
    return candidates[0]


def _sort_key(value: Any) -> tuple[int, str]:
    if isinstance(value, str):
        return 0, value
    return 1, json.dumps(value, sort_keys=True, default=str)


def _distinct(items: list[Any]) -> list[Any]:
    """The distinct items (dicts compared by value), sorted: strings by value, others by their JSON."""
    if all(isinstance(item, str) for item in items):
        return sorted(set(items))
    seen: dict[tuple[int, str], Any] = {}
    for item in items:
        seen.setdefault(_sort_key(item), item)
    return [seen[key] for key in sorted(seen)]


def _union(name: str, newest_first: list[SourceState]) -> tuple[list[Any], dict[str, Any]] | None:
    """Distinct values of ``name`` over every source, sorted; and the provenance naming the sources."""
    items: list[Any] = []
    contributors: list[SourceState] = []
    for source in newest_first:
        value = source.fields.get(name)
        if _empty(value):
            continue
        contributors.append(source)
        items.extend(value if isinstance(value, list) else [value])
    if not contributors:
        return None
    ordered = sorted(contributors, key=lambda s: (s.system, s.instance, s.object, s.external_id))
    origin = {**_provenance(contributors[0], "union"), "sources": [_ref(s) for s in ordered]}
    return _distinct(items), origin


def survive(entity_type: str, sources: list[SourceState], policy: SurvivorshipPolicy | None = None) -> Golden:
    """The golden record of one cluster of live source records, by the policy (default: the active one)."""
    table = (policy or active_policy()).for_entity(entity_type)
    if len(sources) == 1:  # the common case, on every page: the same result, without comparing sources
        fields, provenance = _single(table, sources[0])
    else:
        fields, provenance = _cluster(table, sources)
    return Golden(
        fields=dict(sorted(fields.items())),
        provenance=dict(sorted(provenance.items())),
        last_entry_id=max(s.last_entry_id for s in sources),
        updated_at=max(s.observed_at for s in sources),
    )


Survived = tuple[dict[str, Any], dict[str, dict[str, Any]]]


def _cluster(table: EntityPolicy, sources: list[SourceState]) -> Survived:
    newest_first = sorted(sources, key=_recency, reverse=True)
    fields: dict[str, Any] = {}
    provenance: dict[str, dict[str, Any]] = {}
    origins: dict[tuple[int, str], dict[str, Any]] = {}

    def take(names: Sequence[str], rule: Rule, label: str) -> None:
        winner = _pick(rule, names, newest_first)
        if winner is None:
            return
        key = (id(winner), label)
        origin = origins.get(key)
        if origin is None:  # one provenance dict per (source, rule), shared by the fields it supplies
            origin = origins[key] = _provenance(winner, label)
        for name in names:
            value = winner.fields.get(name)
            if not _empty(value):
                fields[name] = value
                provenance[name] = origin

    grouped: set[str] = set()
    for group in table.groups:
        take(group.fields, group.rule, f"{group.rule.name}:{group.name}")
        grouped.update(group.fields)
    for name in sorted({n for s in sources for n in s.fields} - grouped):
        rule = table.rule_of(name)
        if rule.name == "union":
            merged = _union(name, newest_first)
            if merged is not None:
                fields[name], provenance[name] = merged
        else:
            take((name,), rule, rule.name)
    return fields, provenance


def _single(table: EntityPolicy, source: SourceState) -> Survived:
    """``_cluster`` for a cluster of one: every rule picks the source, except a system of record
    that does not list it."""
    fields: dict[str, Any] = {}
    provenance: dict[str, dict[str, Any]] = {}
    origins: dict[str, dict[str, Any]] = {}
    base = _provenance(source, "")
    for name, value in source.fields.items():
        if _empty(value):
            continue
        rule, label = table.unit_of(name)
        if rule.name == "system_of_record" and rule.rank(source.system, source.instance) is None:
            continue
        if label == "union":
            fields[name] = _distinct(value if isinstance(value, list) else [value])
            provenance[name] = {**base, "rule": "union", "sources": [_ref(source)]}
            continue
        origin = origins.get(label)
        if origin is None:
            origin = origins[label] = {**base, "rule": label}
        fields[name] = value
        provenance[name] = origin
    return fields, provenance


def display_name(entity_type: str, fields: dict[str, Any]) -> str | None:
    if entity_type == "person":
        name = " ".join(p for p in (fields.get("first_name"), fields.get("last_name")) if p)
        return name or fields.get("email")
    value = fields.get("name")
    return str(value) if value is not None else None


def lookup_key(entity_type: str, fields: dict[str, Any]) -> str | None:
    if entity_type == "organization":
        return fields.get("primary_domain")
    if entity_type == "person":
        return fields.get("email")
    return None


def roles_column(fields: dict[str, Any]) -> str:
    roles = fields.get("roles") or []
    return "|" + "|".join(sorted(roles)) + "|" if roles else ""
