"""Live record table of one HubSpot object type, with the indexes the API needs.

* ``ids``: every record id (archived too), sorted — list paging bisects into it.
* ``lastmod``: ``(updated_ms, id)`` of live records, sorted — incremental search on
  ``hs_lastmodifieddate`` / ``lastmodifieddate`` bisects into it instead of scanning.
* ``unique``: normalised value → id for each unique property (``email``, and each custom property
  with ``hasUniqueValue``, indexed from the first lookup on: ``ensure_unique``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass

from sandbox.hubspot.schema import LASTMOD_PROPERTY, UNIQUE_PROPERTIES
from sandbox.kit.clock import iso_from_ms


@dataclass(slots=True)
class Record:
    """One CRM object.  ``properties`` holds string values only (unset = absent)."""

    id: int
    properties: dict[str, str]
    created_ms: int
    updated_ms: int
    created_iso: str = ""
    updated_iso: str = ""
    archived: bool = False
    archived_ms: int | None = None

    def __post_init__(self) -> None:
        self.created_iso = self.created_iso or iso_from_ms(self.created_ms)
        self.updated_iso = self.updated_iso or iso_from_ms(self.updated_ms)


def unique_key(value: str) -> str:
    """Normalisation used to match unique property values (trimmed, case-insensitive)."""
    return value.strip().lower()


class RecordTable:
    """All records of one object type."""

    def __init__(self, object_type: str) -> None:
        self.object_type = object_type
        self.lastmod_property = LASTMOD_PROPERTY[object_type]
        self.records: dict[int, Record] = {}
        self.ids: list[int] = []
        self.lastmod: list[tuple[int, int]] = []
        self.unique: dict[str, dict[str, int]] = {p: {} for p in UNIQUE_PROPERTIES[object_type]}
        self.max_updated_ms = 0

    def __len__(self) -> int:
        return len(self.records)

    def next_id(self) -> int:
        """An id larger than any existing one."""
        return (self.ids[-1] if self.ids else 0) + 1

    def add(self, record: Record) -> None:
        """Insert a record (its id must be new)."""
        if record.id in self.records:
            raise ValueError(f"duplicate {self.object_type} id {record.id}")
        self.records[record.id] = record
        if not self.ids or record.id > self.ids[-1]:
            self.ids.append(record.id)
        else:
            bisect.insort(self.ids, record.id)
        if not record.archived:
            bisect.insort(self.lastmod, (record.updated_ms, record.id))
            self._index_unique(record)
        self.max_updated_ms = max(self.max_updated_ms, record.updated_ms)

    def get(self, record_id: int, archived: bool = False) -> Record | None:
        """The record with this id if its archived state equals ``archived``."""
        record = self.records.get(record_id)
        if record is None or record.archived != archived:
            return None
        return record

    def get_live(self, record_id: int) -> Record | None:
        """A non-archived record by id."""
        return self.get(record_id, archived=False)

    def find_unique(self, prop: str, value: str) -> Record | None:
        """A live record whose unique property ``prop`` equals ``value`` (normalised)."""
        if prop == "hs_object_id":
            return self.get_live(int(value)) if value.strip().isdigit() else None
        record_id = self.ensure_unique(prop).get(unique_key(value))
        return self.records.get(record_id) if record_id is not None else None

    def ensure_unique(self, prop: str) -> dict[str, int]:
        """The value index of unique property ``prop``, built from the live records on first use."""
        index = self.unique.get(prop)
        if index is None:
            index = self.unique[prop] = {}
            for record in self.live():
                value = record.properties.get(prop)
                if value:
                    index.setdefault(unique_key(value), record.id)
        return index

    def live(self) -> Iterator[Record]:
        """Live records in id order."""
        for record_id in self.ids:
            record = self.records[record_id]
            if not record.archived:
                yield record

    def write(self, record: Record, changes: dict[str, str], now_ms: int) -> bool:
        """Apply property changes (``""`` clears); bump timestamps if anything changed."""
        props = record.properties
        changed = {k: v for k, v in changes.items() if props.get(k, "") != v}
        if not changed:
            return False
        self._unindex_unique(record)
        for key, value in changed.items():
            if value == "":
                props.pop(key, None)
            else:
                props[key] = value
        self._index_unique(record)
        self.touch(record, now_ms)
        return True

    def touch(self, record: Record, now_ms: int) -> None:
        """Set ``updatedAt`` and the last-modified property, keeping the index sorted."""
        if not record.archived:
            self._remove_lastmod(record)
        record.updated_ms = now_ms
        record.updated_iso = iso_from_ms(now_ms)
        record.properties[self.lastmod_property] = record.updated_iso
        if not record.archived:
            bisect.insort(self.lastmod, (record.updated_ms, record.id))
        self.max_updated_ms = max(self.max_updated_ms, now_ms)

    def archive(self, record: Record, now_ms: int) -> None:
        """Archive (soft-delete) a live record."""
        if record.archived:
            return
        self.touch(record, now_ms)
        self._remove_lastmod(record)
        self._unindex_unique(record)
        record.archived = True
        record.archived_ms = now_ms

    def remove(self, record: Record) -> None:
        """Take a record out of the table entirely (merged away: neither live nor archived)."""
        if not record.archived:
            self._remove_lastmod(record)
            self._unindex_unique(record)
        del self.records[record.id]
        pos = bisect.bisect_left(self.ids, record.id)
        if pos < len(self.ids) and self.ids[pos] == record.id:
            del self.ids[pos]

    def _remove_lastmod(self, record: Record) -> None:
        key = (record.updated_ms, record.id)
        pos = bisect.bisect_left(self.lastmod, key)
        if pos < len(self.lastmod) and self.lastmod[pos] == key:
            del self.lastmod[pos]

    def _index_unique(self, record: Record) -> None:
        for prop, index in self.unique.items():
            value = record.properties.get(prop)
            if value:
                index.setdefault(unique_key(value), record.id)

    def _unindex_unique(self, record: Record) -> None:
        for prop, index in self.unique.items():
            value = record.properties.get(prop)
            if value and index.get(unique_key(value)) == record.id:
                del index[unique_key(value)]
