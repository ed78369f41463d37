"""The record shape the mapping expects: an upstream record as it came, plus a few hub members.

Connectors hand the hub raw records (their system's own JSON) with these members added:

``associations``  ``{"<object>": [{"id": "<external id>", "types": ["<label>", ...]}, ...]}``: the
                  records this one links to, by the target object's external id; ``links:`` and
                  ``partner_roles:`` in a mapping read them (``hub.mapping``). Always present
                  (``{}`` when the record links nothing).
``deleted``       ``true`` for a tombstone (archived upstream, a ``*.deleted`` event); the mapping's
                  ``deleted:`` rule reads it. Always present.
``_hub``          what the connector knows about where the record came from, for the ledger's raw
                  copy and for debugging, never for mapping business fields:
                  ``_hub.parent`` = ``{"stream", "object", "id"}`` for a record read as a child of
                  another (``strategies.parent_child``).

Use the constructors rather than spelling the dicts by hand, so every connector writes the same shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypedDict


class Association(TypedDict):
    """One link: the target's external id and the labels (HubSpot association labels, roles)."""

    id: str
    types: list[str]


Associations = dict[str, list[Association]]


class ParentRef(TypedDict):
    """The parent a child-stream record was read under."""

    stream: str
    object: str
    id: str


class HubMembers(TypedDict, total=False):
    """The ``_hub`` member of a record."""

    parent: ParentRef


ASSOCIATIONS = "associations"
DELETED = "deleted"
HUB = "_hub"


def association(target_id: str, *types: str) -> Association:
    """``{"id": target_id, "types": [...]}``."""
    return {"id": str(target_id), "types": list(types)}


def link(associations: Associations, target_object: str, target_id: str | None, *types: str) -> None:
    """Add a link to ``target_object`` (nothing when ``target_id`` is empty; no duplicate ids)."""
    if not target_id:
        return
    targets = associations.setdefault(target_object, [])
    for existing in targets:
        if existing["id"] == str(target_id):
            existing["types"].extend(t for t in types if t not in existing["types"])
            return
    targets.append(association(target_id, *types))


def hub_record(
    raw: Mapping[str, Any],
    *,
    associations: Associations | None = None,
    deleted: bool = False,
    parent: ParentRef | None = None,
) -> dict[str, Any]:
    """A copy of ``raw`` in the shape the mapping expects (see the module docstring)."""
    out = dict(raw)
    out[ASSOCIATIONS] = associations if associations is not None else {}
    out[DELETED] = bool(deleted)
    if parent is not None:
        hub: HubMembers = dict(out.get(HUB) or {})  # type: ignore[assignment]
        hub["parent"] = parent
        out[HUB] = hub
    return out


def with_parent(records: Iterable[Any], parent: ParentRef) -> list[Any]:
    """``records`` with ``_hub.parent`` set (non-dict items are passed on for the mapper to reject)."""
    out: list[Any] = []
    for record in records:
        if isinstance(record, dict):
            hub = dict(record.get(HUB) or {})
            hub["parent"] = parent
            record = {**record, HUB: hub}
        out.append(record)
    return out
