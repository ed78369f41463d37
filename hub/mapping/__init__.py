"""Declarative mapping of source records onto the canonical model (``hub.canonical``).

A mapping file (``mappings/<system>.yaml``) says, per source object, which canonical entity it
becomes and how each canonical field is read and normalised. The pydantic models in
``hub.mapping.spec`` are the format's only definition; ``mapping_json_schema()`` derives its schema.

::

    from hub.mapping import Mapper, SourceRef, load_mapping

    mapper = Mapper(load_mapping("mappings/hubspot.yaml"))    # MappingFileError: file:line: field: why
    refs = mapper.refs("deals", raw)                          # [SourceRef("companies", "77"), ...]
    record = mapper.map("deals", raw, resolve=lambda ref: xref[ref])   # MappedRecord
    records, failures = mapper.map_page("deals", raws, resolve)        # failures: [(raw, MappingFailure)]

Value normalisers (domain, email, phone, country, ...) are plain functions in ``hub.mapping.transforms``.
Errors: ``MappingError`` ← ``MappingFileError`` (bad file, at load) and ``MappingFailure`` (bad record).
"""

from hub.mapping.errors import MappingError, MappingFailure, MappingFileError, MappingIssue
from hub.mapping.loader import load_mapping, load_mappings
from hub.mapping.mapper import Mapper
from hub.mapping.records import MappedRecord, Resolver, SourceRef
from hub.mapping.rules import DeletedRule, FieldRule, FieldType, LinkRule, RoleRule, TimestampRule, WriteRule
from hub.mapping.spec import MappingSpec, ObjectMapping, mapping_json_schema

__all__ = [
    "DeletedRule",
    "FieldRule",
    "FieldType",
    "LinkRule",
    "MappedRecord",
    "Mapper",
    "MappingError",
    "MappingFailure",
    "MappingFileError",
    "MappingIssue",
    "MappingSpec",
    "ObjectMapping",
    "Resolver",
    "RoleRule",
    "SourceRef",
    "TimestampRule",
    "WriteRule",
    "load_mapping",
    "load_mappings",
    "mapping_json_schema",
]
