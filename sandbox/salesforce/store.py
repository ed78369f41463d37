"""In-memory tables of the simulated org, built from and exported to a :class:`SalesforceWorld`.

A record is a ``dict`` from canonical field name to internal value (see :mod:`.values`); every
field of the object is present.  Deleted records stay in their table with ``IsDeleted = True``
(the recycle bin) until purged; ``Table.deleted_ms`` holds their deletion time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sandbox.kit.clock import FIXED_EPOCH_MS
from sandbox.kit.perf import paused_gc
from sandbox.salesforce.derive import derive
from sandbox.salesforce.ids import IdAllocator
from sandbox.salesforce.objects import build_objects
from sandbox.salesforce.schema import ObjectDef
from sandbox.salesforce.values import load_value, serialize
from sandbox.salesforce.world import SalesforceWorld

Record = dict[str, Any]


class Table:
    """Records of one object type, in creation order."""

    def __init__(self, obj: ObjectDef) -> None:
        self.obj = obj
        self.rows: dict[str, Record] = {}
        self.deleted_ms: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, record_id: str) -> Record | None:
        """A record, deleted or not."""
        return self.rows.get(record_id)

    def get_live(self, record_id: str) -> Record | None:
        """A record that is not deleted."""
        record = self.rows.get(record_id)
        return None if record is None or record["IsDeleted"] else record

    def live(self) -> Iterator[Record]:
        """Records not deleted."""
        return (r for r in self.rows.values() if not r["IsDeleted"])

    def scan(self, include_deleted: bool) -> Iterator[Record]:
        """Live records, plus the recycle bin when ``include_deleted``."""
        return iter(self.rows.values()) if include_deleted else self.live()

    def live_count(self) -> int:
        """Number of records not deleted."""
        return len(self.rows) - len(self.deleted_ms)


class Store:
    """All tables, the id allocator and the recycle-bin purge mark."""

    def __init__(self) -> None:
        self.objects: dict[str, ObjectDef] = build_objects()
        self.tables: dict[str, Table] = {name: Table(obj) for name, obj in self.objects.items()}
        self._lower = {name.lower(): name for name in self.objects}
        self._by_prefix: dict[str, list[str]] = {}
        for name, obj in self.objects.items():
            self._by_prefix.setdefault(obj.prefix, []).append(name)
        self.ids = IdAllocator()
        self.purged_ms = 0
        self.hidden_objects: frozenset[str] = frozenset()

    def hide(self, objects: frozenset[str], fields: dict[str, frozenset[str]]) -> None:
        """Make objects and fields absent from the API (describe, SOQL, REST) as in an org without
        the features that bring them; the records keep their values (see features.py)."""
        self.hidden_objects = objects
        for name, obj in self.objects.items():
            obj.hidden = fields.get(name, frozenset())

    def resolve(self, name: str) -> ObjectDef | None:
        """An object definition by API name, case-insensitively (``None`` for a hidden one)."""
        canonical = self._lower.get(name.lower())
        return self.objects[canonical] if canonical and canonical not in self.hidden_objects else None

    def visible_objects(self) -> list[ObjectDef]:
        """The objects the org has (describeGlobal lists these)."""
        return [obj for name, obj in self.objects.items() if name not in self.hidden_objects]

    def find(self, record_id: str) -> tuple[str, Record] | None:
        """``(object name, record)`` for an 18-character id, deleted or not."""
        for name in self._by_prefix.get(record_id[:3], ()):
            record = self.tables[name].get(record_id)
            if record is not None:
                return name, record
        return None

    def object_for_prefix(self, record_id: str) -> list[str]:
        """Object names whose key prefix the id carries."""
        return list(self._by_prefix.get(record_id[:3], ()))

    def new_id(self, object_name: str) -> str:
        """A fresh id for a new record of ``object_name``."""
        prefix = self.objects[object_name].prefix
        while True:
            record_id = self.ids.allocate(prefix)
            if self.find(record_id) is None:
                return record_id

    def blank(self, object_name: str) -> Record:
        """A record with every field null (booleans false)."""
        return {n: (False if f.type == "boolean" else None) for n, f in self.objects[object_name].fields.items()}

    def max_modstamp(self) -> int:
        """The newest ``SystemModstamp`` of any record (0 when empty)."""
        return max((r["SystemModstamp"] for t in self.tables.values() for r in t.rows.values()), default=0)

    def counts(self) -> dict[str, int]:
        """Live records per object type."""
        return {name: t.live_count() for name, t in self.tables.items()}

    # -- world conversion ----------------------------------------------------------------------
    @classmethod
    def from_world(cls, world: SalesforceWorld) -> Store:
        """Load a world (see :mod:`.world`); ``ValueError`` on unknown objects/fields or bad types."""
        store = cls()
        with paused_gc():
            for raw_name, rows in world.objects.items():
                obj = store.resolve(raw_name)  # nothing is hidden yet: worlds hold every object
                if obj is None:
                    raise ValueError(f"unknown Salesforce object '{raw_name}'")
                for raw in rows:
                    store._load(obj, raw)
        return store

    def _load(self, obj: ObjectDef, raw: dict[str, Any]) -> None:
        record = self.blank(obj.name)
        given: set[str] = set()
        for key, value in raw.items():
            if key == "attributes":
                continue
            fd = obj.fields.get(key) or obj.field(key)
            if fd is None:
                raise ValueError(f"{obj.name} has no field '{key}'")
            record[fd.name] = load_value(fd, value)
            given.add(fd.name)
        record_id = record["Id"] or self.new_id(obj.name)
        if not isinstance(record_id, str) or len(record_id) != 18 or record_id[:3] != obj.prefix:
            raise ValueError(f"{obj.name} record has an invalid Id: {raw.get('Id')!r}")
        if self.tables[obj.name].get(record_id) is not None:
            raise ValueError(f"duplicate {obj.name} Id {record_id}")
        record["Id"] = record_id
        self.ids.observe(obj.prefix, record_id)
        created = record["CreatedDate"] if record["CreatedDate"] is not None else FIXED_EPOCH_MS
        modified = max(created, record["LastModifiedDate"] or created)
        record["CreatedDate"], record["LastModifiedDate"] = created, modified
        record["SystemModstamp"] = max(modified, record["SystemModstamp"] or modified)
        derive(obj.name, record, given, creating=True)
        table = self.tables[obj.name]
        table.rows[record_id] = record
        if record["IsDeleted"]:
            table.deleted_ms[record_id] = record["SystemModstamp"]

    def to_world(self, meta: dict[str, Any] | None = None) -> SalesforceWorld:
        """Export every record (deleted ones too) as a world; ``null`` fields are omitted."""
        world = SalesforceWorld(meta=dict(meta or {}))
        for name, table in self.tables.items():
            fields = table.obj.fields
            world.objects[name] = [
                {k: serialize(fields[k], v) for k, v in r.items() if v is not None} for r in table.rows.values()
            ]
        return world
