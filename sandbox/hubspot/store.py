"""The live data of a simulated HubSpot portal, convertible to and from :class:`HubSpotWorld`."""

from __future__ import annotations

from typing import Any

from sandbox.hubspot.assoc_types import ASSOCIATION_TYPES
from sandbox.hubspot.associations import AssociationGraph
from sandbox.hubspot.records import Record, RecordTable
from sandbox.hubspot.schema import OBJECT_TYPES
from sandbox.hubspot.world import HubSpotWorld, JsonDict
from sandbox.kit.clock import iso_from_ms, ms_from_iso
from sandbox.kit.perf import paused_gc


class HubSpotStore:
    """Record tables per object type, the association graph and the world's ground truth."""

    def __init__(self) -> None:
        self.tables: dict[str, RecordTable] = {t: RecordTable(t) for t in OBJECT_TYPES}
        self.graph = AssociationGraph()
        self.entities: dict[str, list[str]] = {}
        self.people: dict[str, list[str]] = {}
        self.distractors: list[JsonDict] = []
        self.defects: list[JsonDict] = []
        self.meta: JsonDict = {}

    @classmethod
    def from_world(cls, world: HubSpotWorld) -> HubSpotStore:
        """Load a world (records are copied; the world object is not kept)."""
        with paused_gc():
            return cls._load(world)

    @classmethod
    def _load(cls, world: HubSpotWorld) -> HubSpotStore:
        store = cls()
        for object_type in OBJECT_TYPES:
            table = store.tables[object_type]
            for raw in world.objects(object_type):
                table.add(_record_from_json(raw))
        for row in world.associations:
            from_type, to_type = row["fromType"], row["toType"]
            from_id, to_id = int(row["fromId"]), int(row["toId"])
            if from_id not in store.tables[from_type].records or to_id not in store.tables[to_type].records:
                raise ValueError(f"association refers to a missing record: {row!r}")
            store.graph.add(from_type, from_id, to_type, to_id, [int(t["typeId"]) for t in row["types"]])
        store.entities = {k: list(v) for k, v in world.entities.items()}
        store.people = {k: list(v) for k, v in world.people.items()}
        store.distractors = [dict(d) for d in world.distractors]
        store.defects = [dict(d) for d in world.defects]
        store.meta = dict(world.meta)
        return store

    def to_world(self) -> HubSpotWorld:
        """Export the current state as a world (fixture data)."""
        with paused_gc():
            return self._export()

    def _export(self) -> HubSpotWorld:
        world = HubSpotWorld(
            entities={k: list(v) for k, v in self.entities.items()},
            people={k: list(v) for k, v in self.people.items()},
            distractors=[dict(d) for d in self.distractors],
            defects=[dict(d) for d in self.defects],
            meta=dict(self.meta),
        )
        for object_type in OBJECT_TYPES:
            table = self.tables[object_type]
            world.objects(object_type).extend(record_to_json(table.records[i]) for i in table.ids)
        for from_type, from_id, to_type, to_id, type_ids in self.graph.rows():
            types = [
                {"category": ASSOCIATION_TYPES[t].category, "typeId": t, "label": ASSOCIATION_TYPES[t].label}
                for t in type_ids
            ]
            world.associations.append(
                {
                    "fromType": from_type,
                    "fromId": str(from_id),
                    "toType": to_type,
                    "toId": str(to_id),
                    "types": types,
                }
            )
        return world

    def max_updated_ms(self) -> int:
        """Newest ``updatedAt`` over all tables (0 when empty)."""
        return max((t.max_updated_ms for t in self.tables.values()), default=0)


def _record_from_json(raw: JsonDict) -> Record:
    archived = bool(raw.get("archived", False))
    archived_at: Any = raw.get("archivedAt")
    return Record(
        id=int(raw["id"]),
        properties=dict(raw["properties"]),
        created_ms=ms_from_iso(raw["createdAt"]),
        updated_ms=ms_from_iso(raw["updatedAt"]),
        created_iso=raw["createdAt"],
        updated_iso=raw["updatedAt"],
        archived=archived,
        archived_ms=ms_from_iso(archived_at) if archived and archived_at else None,
    )


def record_to_json(record: Record) -> JsonDict:
    """A record in HubSpot's response/fixture shape (all properties)."""
    out: JsonDict = {
        "id": str(record.id),
        "properties": dict(record.properties),
        "createdAt": record.created_iso,
        "updatedAt": record.updated_iso,
        "archived": record.archived,
    }
    if record.archived and record.archived_ms is not None:
        out["archivedAt"] = iso_from_ms(record.archived_ms)
    return out
