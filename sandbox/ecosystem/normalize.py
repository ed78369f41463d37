"""Normalising hand-written fixture records into the ecosystem's record format.

Only ``properties`` (and ``id``, for associations to work) are required: missing timestamps default
to the fixed epoch, non-string property values become strings, ``null`` values are dropped, and the
system properties ``hs_object_id``, ``createdate`` and the last-modified property are (re)derived
from ``id`` and the timestamps.  A simulator may validate more (HubSpot checks association type ids
against its own table).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.ecosystem.vocabulary import LASTMOD_PROPERTY, OBJECT_ALIASES
from sandbox.kit.clock import FIXED_EPOCH_MS, iso_from_ms, ms_from_iso

JsonDict = dict[str, Any]


def normalize_record(object_type: str, raw: Mapping[str, Any]) -> JsonDict:
    """Coerce one fixture record into the record shape (see the module docstring)."""
    if "id" not in raw or not str(raw["id"]).isdigit():
        raise ValueError(f"{object_type} record needs a numeric string 'id': {raw!r}")
    record_id = str(raw["id"])
    created = _ms(raw.get("createdAt"), FIXED_EPOCH_MS)
    updated = max(created, _ms(raw.get("updatedAt"), created))
    props: dict[str, str] = {}
    for key, value in (raw.get("properties") or {}).items():
        if value is None:
            continue
        props[str(key)] = _as_string(value)
    props["hs_object_id"] = record_id
    props["createdate"] = iso_from_ms(created)
    props[LASTMOD_PROPERTY[object_type]] = iso_from_ms(updated)
    record: JsonDict = {
        "id": record_id,
        "properties": props,
        "createdAt": iso_from_ms(created),
        "updatedAt": iso_from_ms(updated),
        "archived": bool(raw.get("archived", False)),
    }
    if record["archived"]:
        record["archivedAt"] = iso_from_ms(_ms(raw.get("archivedAt"), updated))
    return record


def normalize_association(raw: Mapping[str, Any]) -> JsonDict:
    """One association row with plural object types and integer ``typeId`` values."""
    from_type = OBJECT_ALIASES.get(str(raw.get("fromType", "")).strip().lower())
    to_type = OBJECT_ALIASES.get(str(raw.get("toType", "")).strip().lower())
    if from_type is None or to_type is None:
        raise ValueError(f"association has unknown object types: {raw!r}")
    types = [
        {
            "category": spec.get("category") or spec.get("associationCategory"),
            "typeId": int(spec.get("typeId", spec.get("associationTypeId", 0))),
            "label": spec.get("label"),
        }
        for spec in raw.get("types") or []
    ]
    return {
        "fromType": from_type,
        "fromId": str(raw["fromId"]),
        "toType": to_type,
        "toId": str(raw["toId"]),
        "types": types,
    }


def _ms(value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, int | float):
        return int(value)
    return ms_from_iso(str(value))


def _as_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
