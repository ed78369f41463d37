"""Rendering records as HubSpot ``SimplePublicObject`` JSON."""

from __future__ import annotations

from sandbox.clock import iso_from_ms
from sandbox.hubspot.assoc_types import ASSOCIATION_TYPES
from sandbox.hubspot.associations import AssociationGraph
from sandbox.hubspot.records import Record, RecordTable
from sandbox.hubspot.schema import DEFAULT_PROPERTIES, SYSTEM_PROPERTIES
from sandbox.hubspot.world import JsonDict


class Renderer:
    """Turns records into response JSON for one request's property selection."""

    def __init__(
        self,
        object_type: str,
        properties: list[str] | None,
        known_props: set[str],
        with_history: list[str] | None = None,
    ) -> None:
        if properties:
            wanted = [p for p in properties if p in known_props]
            for system in SYSTEM_PROPERTIES[object_type]:
                if system not in wanted:
                    wanted.append(system)
        else:
            wanted = list(DEFAULT_PROPERTIES[object_type])
        self.object_type = object_type
        self.properties = wanted
        self.history = [p for p in with_history or [] if p in known_props]

    def render(self, record: Record) -> JsonDict:
        """``{id, properties, createdAt, updatedAt, archived[, archivedAt][, propertiesWithHistory]}``."""
        props = record.properties
        out: JsonDict = {
            "id": str(record.id),
            "properties": {name: props.get(name) for name in self.properties},
            "createdAt": record.created_iso,
            "updatedAt": record.updated_iso,
            "archived": record.archived,
        }
        if record.archived and record.archived_ms is not None:
            out["archivedAt"] = iso_from_ms(record.archived_ms)
        if self.history:
            out["propertiesWithHistory"] = {
                name: [{"value": props[name], "timestamp": record.updated_iso, "sourceType": "API"}]
                for name in self.history
                if name in props
            }
        return out


def render_v3_associations(
    graph: AssociationGraph,
    tables: dict[str, RecordTable],
    object_type: str,
    record_id: int,
    to_types: list[str],
) -> JsonDict:
    """The v3 ``associations`` map; object types without live associations are omitted."""
    out: JsonDict = {}
    for to_type in to_types:
        if to_type == object_type:
            continue
        table = tables[to_type]
        results = [
            {"id": str(to_id), "type": ASSOCIATION_TYPES[type_id].name}
            for to_id, type_ids in graph.targets(object_type, record_id, to_type).items()
            if table.get_live(to_id) is not None
            for type_id in type_ids
        ]
        if results:
            out[to_type] = {"results": results}
    return out
