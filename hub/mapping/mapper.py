"""``Mapper``: source records in, validated canonical records out, driven by a ``MappingSpec``.

::

    mapper = Mapper.from_file("mappings/hubspot.yaml")
    mapper.entity_of("deals")                        # EntityType.OPPORTUNITY
    mapper.external_id("deals", raw)                 # "1001" (None if absent), also for bad records
    for ref in mapper.refs("deals", raw):            # what the deal refers to
        ...                                          # make sure each has a canonical id
    record = mapper.map("deals", raw, resolve)       # MappedRecord, or raises MappingFailure
    records, failures = mapper.map_page("deals", page, resolve)   # a bad record never stops a page

``resolve(SourceRef) -> str`` gives the canonical id of a referenced source record and raises
``LookupError`` when there is none (the record then fails with "unresolved reference").
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from hub.canonical import EntityType
from hub.mapping.errors import MappingFailure
from hub.mapping.loader import load_mapping
from hub.mapping.plan import ObjectPlan, compile_object
from hub.mapping.records import MappedRecord, Resolver, SourceRef
from hub.mapping.spec import MappingSpec

Failure = tuple[dict[str, Any], MappingFailure]


class Mapper:
    """Maps the records of one source system; all rules are compiled when the mapper is built."""

    def __init__(self, spec: MappingSpec) -> None:
        self.spec = spec
        self.system: str = spec.system
        """Source system name of the mapping, e.g. "hubspot"."""
        self.version: str = spec.version
        """Version of the mapping; record it beside what the mapper produced."""
        self._plans: dict[str, ObjectPlan] = {
            name: compile_object(name, mapping) for name, mapping in spec.objects.items()
        }

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Mapper:
        """Load a mapping file (``MappingFileError`` if it is bad) and build its mapper."""
        return cls(load_mapping(path))

    @property
    def objects(self) -> tuple[str, ...]:
        """Source object (stream) names this mapper maps, in file order."""
        return tuple(self._plans)

    def entity_of(self, object: str) -> EntityType:
        """Canonical entity the records of ``object`` become."""
        return self._plan(object).entity

    def external_id(self, object: str, raw: dict[str, Any]) -> str | None:
        """The record's external id as ``map`` reads it, or None; e.g. to file a failed record."""
        return self._plan(object).external_id(raw)

    def refs(self, object: str, raw: dict[str, Any]) -> list[SourceRef]:
        """Every associated source record ``map`` will ask ``resolve`` about, without repeats."""
        return self._plan(object).refs(raw)

    def map(self, object: str, raw: dict[str, Any], resolve: Resolver) -> MappedRecord:
        """Map one record of ``object``; raises ``MappingFailure`` if it cannot be mapped."""
        return self._plan(object).map(raw, resolve)

    def map_page(
        self, object: str, raws: Iterable[dict[str, Any]], resolve: Resolver
    ) -> tuple[list[MappedRecord], list[Failure]]:
        """Map a page: the mapped records, and each unmappable record with its ``MappingFailure``."""
        plan = self._plan(object)
        records: list[MappedRecord] = []
        failures: list[Failure] = []
        for raw in raws:
            try:
                records.append(plan.map(raw, resolve))
            except MappingFailure as failure:
                failures.append((raw, failure))
        return records, failures

    def _plan(self, object: str) -> ObjectPlan:
        try:
            return self._plans[object]
        except KeyError:
            known = ", ".join(self._plans)
            raise KeyError(f"{self.system} mapping has no object {object!r} (mapped: {known})") from None
