"""Rendering records as HubSpot ``SimplePublicObject`` JSON."""

from __future__ import annotations

from sandbox.hubspot.assoc_types import ASSOCIATION_TYPES
from sandbox.hubspot.associations import AssociationGraph
from sandbox.hubspot.records import Record, RecordTable
from sandbox.hubspot.schema import DEFAULT_PROPERTIES, SYSTEM_PROPERTIES
from sandbox.hubspot.world import JsonDict
from sandbox.kit.clock import iso_from_ms


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


def v3_association_entries(
    graph: AssociationGraph, tables: dict[str, RecordTable], object_type: str, record_id: int, to_type: str
) -> list[JsonDict]:
    """Every ``{id, type}`` of one record towards one object type (live targets only), in order."""
    table = tables[to_type]
    return [
        {"id": str(to_id), "type": ASSOCIATION_TYPES[type_id].name}
        for to_id, type_ids in graph.targets(object_type, record_id, to_type).items()
        if table.get_live(to_id) is not None
        for type_id in type_ids
    ]


def v3_association_page(entries: list[JsonDict], after: int, page_size: int, link: str) -> JsonDict:
    """One page of v3 association entries: ``{results, paging?}``; ``after`` is an offset.

    HubSpot returns at most 100 associations per record and object type and a ``paging.next``
    (``after`` plus a ``link`` to the record's association list) when there are more
    (https://developers.hubspot.com/changelog/announcing-a-change-to-how-v3-crm-apis-return-association-data).
    """
    block: JsonDict = {"results": entries[after : after + page_size]}
    if after + page_size < len(entries):
        cursor = str(after + page_size)
        block["paging"] = {"next": {"after": cursor, "link": f"{link}?after={cursor}"}}
    return block


def render_v3_associations(
    graph: AssociationGraph,
    tables: dict[str, RecordTable],
    object_type: str,
    record_id: int,
    to_types: list[str],
    page_size: int = 100,
    base_url: str = "",
) -> JsonDict:
    """The v3 ``associations`` map (first page per object type); types without live associations
    are omitted."""
    out: JsonDict = {}
    for to_type in to_types:
        if to_type == object_type:
            continue
        entries = v3_association_entries(graph, tables, object_type, record_id, to_type)
        if entries:
            link = f"{base_url}/crm/v3/objects/{object_type}/{record_id}/associations/{to_type}"
            out[to_type] = v3_association_page(entries, 0, page_size, link)
    return out
