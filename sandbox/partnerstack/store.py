"""In-memory tables of one simulated PartnerStack program, with the lookups the API needs.

Records are stored in their API shape, keyed by object ``key``, in insertion order.  Indexes:
``partner_key`` → partnership, external ``customer_key`` → customer.  Not thread-safe: touched only
from the server's event loop.
"""

from __future__ import annotations

import copy
import random
from typing import Any

import orjson

from sandbox.kit.perf import paused_gc
from sandbox.partnerstack.normalize import (
    find_group,
    normalize_customer,
    normalize_deal,
    normalize_group,
    normalize_partnership,
    normalize_reward,
    normalize_transaction,
)
from sandbox.partnerstack.objects import JsonDict, KeyMaker
from sandbox.partnerstack.world import TABLES, PartnerStackWorld


class Store:
    """See the module docstring; build with :meth:`from_world`."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, JsonDict]] = {name: {} for name in TABLES}
        self.meta: JsonDict = {}
        self.entities: dict[str, list[str]] = {}
        self.distractors: list[JsonDict] = []
        self.defects: list[JsonDict] = []
        self.discrepancies: list[JsonDict] = []
        self.keys = KeyMaker(random.Random("partnerstack-runtime"))
        self.by_partner_key: dict[str, str] = {}
        self.by_external_key: dict[str, str] = {}

    @classmethod
    def from_world(cls, world: PartnerStackWorld) -> Store:
        """Copy ``world`` into a new store, completing records (``ValueError`` on broken references)."""
        with paused_gc():
            return cls._load(world)

    @classmethod
    def _load(cls, world: PartnerStackWorld) -> Store:
        store = cls()
        doc = orjson.loads(orjson.dumps(world.section()))
        store.meta = doc["meta"]
        store.entities = doc["entities"]
        store.distractors = doc["distractors"]
        store.defects = doc["defects"]
        store.discrepancies = doc["discrepancies"]
        store.keys = KeyMaker(random.Random(f"partnerstack-runtime:{store.meta.get('seed')}"))
        keys = store.keys
        groups = store.tables["groups"]
        for index, raw in enumerate(doc["groups"] or [{"name": "Partners", "slug": "partners", "default": True}]):
            group = normalize_group(raw, keys, index)
            groups[group["key"]] = group
        for raw in doc["partnerships"]:
            record = normalize_partnership(raw, keys, groups)
            if record["partner_key"] in store.by_partner_key:
                raise ValueError(f"duplicate partner_key {record['partner_key']!r}")
            store.put("partnerships", record)
        partners = {pk: store.tables["partnerships"][k] for pk, k in store.by_partner_key.items()}
        for raw in doc["customers"]:
            store.put("customers", normalize_customer(raw, keys, partners))
        for raw in doc["deals"]:
            store.put("deals", normalize_deal(raw, keys, partners, groups))
        for raw in doc["transactions"]:
            store.put("transactions", normalize_transaction(raw, keys, store.tables["customers"]))
        for raw in doc["rewards"]:
            store.put("rewards", normalize_reward(raw, keys, store.tables["partnerships"]))
        return store

    def to_world(self) -> PartnerStackWorld:
        """A deep copy of the current data as a world."""
        world = PartnerStackWorld(
            meta=copy.deepcopy(self.meta),
            entities=copy.deepcopy(self.entities),
            distractors=copy.deepcopy(self.distractors),
            defects=copy.deepcopy(self.defects),
            discrepancies=copy.deepcopy(self.discrepancies),
        )
        with paused_gc():
            for name in TABLES:
                world.table(name).extend(orjson.loads(orjson.dumps(list(self.tables[name].values()))))
        return world

    # -- writes ------------------------------------------------------------------------------------
    def put(self, table: str, record: JsonDict) -> None:
        """Insert or replace ``record`` (indexes follow)."""
        self.tables[table][record["key"]] = record
        self.keys.used.add(record["key"])
        if table == "partnerships":
            self.by_partner_key[record["partner_key"]] = record["key"]
        elif table == "customers":
            self.reindex_customer(record, None)

    def reindex_customer(self, record: JsonDict, old_external: str | None) -> None:
        """Follow a change of a customer's external ``customer_key``."""
        if old_external and self.by_external_key.get(old_external) == record["key"]:
            del self.by_external_key[old_external]
        if record.get("customer_key"):
            self.by_external_key[str(record["customer_key"])] = record["key"]

    def remove(self, table: str, key: str) -> JsonDict | None:
        """Delete a record (customers and transactions are really deleted); returns it."""
        record = self.tables[table].pop(key, None)
        external = str(record.get("customer_key")) if record is not None and table == "customers" else ""
        if external and self.by_external_key.get(external) == key:
            del self.by_external_key[external]
        return record

    # -- lookups -----------------------------------------------------------------------------------
    def get(self, table: str, key: str) -> JsonDict | None:
        """A record by key."""
        return self.tables[table].get(key)

    def partnership(self, partner_key: Any) -> JsonDict | None:
        """The partnership with this ``partner_key``."""
        key = self.by_partner_key.get(str(partner_key))
        return self.tables["partnerships"].get(key) if key else None

    def customer(self, ref: Any) -> JsonDict | None:
        """A customer by PartnerStack ``key`` or external ``customer_key``."""
        text = str(ref)
        found = self.tables["customers"].get(text)
        if found is None and text in self.by_external_key:
            found = self.tables["customers"].get(self.by_external_key[text])
        return found

    def customers_by_email(self, email: str) -> list[JsonDict]:
        """Customers whose email matches (trimmed, case-insensitive), newest first."""
        wanted = email.strip().lower()
        found = [c for c in self.tables["customers"].values() if str(c.get("email") or "").strip().lower() == wanted]
        return sorted(found, key=lambda c: (c["created_at"], c["key"]), reverse=True)

    def group(self, ref: Any) -> JsonDict | None:
        """A group by key, slug or (squashed) name."""
        return find_group(self.tables["groups"], ref)

    def group_of(self, partnership: JsonDict) -> JsonDict:
        """The full group record of a partnership."""
        return self.tables["groups"][partnership["group"]["key"]]

    def max_updated_ms(self) -> int:
        """The newest ``updated_at`` of any record (0 when empty)."""
        return max((int(r.get("updated_at") or 0) for table in self.tables.values() for r in table.values()), default=0)
