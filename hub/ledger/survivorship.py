"""Survivorship: which source value each golden field takes, and why.

Policy v1 (a table, so later issues can add per-field source priority):

* ``latest`` (default): the non-empty value from the source record modified most recently upstream
  (ties broken by the later ledger entry);
* ``union``: list fields collect the distinct values of every live source record (roles, domains).

Every golden field records its provenance: the source record and ledger entry it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

UNION_FIELDS = frozenset({"roles", "other_domains", "contact_ids"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
    return value is None or value == [] or value == ""


def _provenance(source: SourceState) -> dict[str, Any]:
    return {
        "system": source.system,
        "instance": source.instance,
        "object": source.object,
        "external_id": source.external_id,
        "entry_id": source.last_entry_id,
        "source_updated_at": source.source_updated_at.isoformat() if source.source_updated_at else None,
        "rule": "latest",
    }


def survive(sources: list[SourceState]) -> Golden:
    """The golden record of one canonical entity from its live source records."""
    ordered = sorted(sources, key=lambda s: (s.source_updated_at or _EPOCH, s.last_entry_id), reverse=True)
    fields: dict[str, Any] = {}
    provenance: dict[str, dict[str, Any]] = {}
    for source in ordered:
        origin = _provenance(source)  # shared by every field this source wins
        for name, value in source.fields.items():
            if _empty(value):
                continue
            if name in UNION_FIELDS and isinstance(value, list):
                merged = fields.setdefault(name, [])
                added = [v for v in value if v not in merged]
                if added:
                    merged.extend(added)
                    entry = provenance.setdefault(name, {**origin, "rule": "union", "sources": []})
                    entry["sources"].append(f"{source.instance}/{source.object}/{source.external_id}")
            elif name not in fields:
                fields[name] = value
                provenance[name] = origin
    for name in UNION_FIELDS & fields.keys():
        if all(isinstance(v, str) for v in fields[name]):
            fields[name] = sorted(fields[name])
    return Golden(
        fields=fields,
        provenance=provenance,
        last_entry_id=max(s.last_entry_id for s in sources),
        updated_at=max(s.observed_at for s in sources),
    )


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
