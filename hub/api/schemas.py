"""Response models of the records and reconciliation endpoints (what the OpenAPI document shows).

The golden ``fields`` of each entity are typed by its canonical model (``hub/canonical/models.py``):
:func:`fields_model` generates a response model from it with every field optional, the types kept
(enums, integers, decimals, nested partner roles) and the write-time validators dropped; dates and
times are declared as ``date``/``date-time`` strings and passed through exactly as stored. An entity
added to ``CANONICAL_MODELS`` gets its models from :func:`record_models` with no code here.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, create_model

from hub.canonical import CANONICAL_MODELS, EntityType

DateTimeText = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
DateText = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]


class ErrorDetail(BaseModel):
    code: str = Field(description="machine-readable: not_found, validation_error, unauthorized, ...")
    message: str
    details: Any = None


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer of the API."""

    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a route: the project's error body for each status."""
    described = {
        401: "missing or invalid bearer token",
        404: "no such record",
        422: "a parameter failed validation",
    }
    return {s: {"model": ErrorBody, "description": described.get(s, "error")} for s in statuses}


# -- the canonical fields, as response types -----------------------------------------------------------


def _wire(annotation: Any, owner: str) -> Any:
    """The response type of a canonical annotation: constraints and validators dropped, types kept."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _wire(typing.get_args(annotation)[0], owner)
    if origin in (Union, types.UnionType):
        args = [_wire(a, owner) for a in typing.get_args(annotation) if a is not type(None)]
        out = args[0]
        for arg in args[1:]:
            out = out | arg
        return out
    if origin is list:
        (item,) = typing.get_args(annotation)
        return list[_wire(item, owner)]  # type: ignore[misc]
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return fields_model(annotation)
        if issubclass(annotation, datetime):
            return DateTimeText
        if issubclass(annotation, date):
            return DateText
    return annotation


def _is_reference(name: str) -> bool:
    return name.endswith(("_id", "_ids"))


@cache
def fields_model(model: type[BaseModel]) -> type[BaseModel]:
    """``Organization`` -> ``OrganizationFields``: every canonical field, optional, typed."""
    definitions: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name == "entity_type":
            continue
        description = info.description
        if _is_reference(name):
            description = "golden id(s) of the referenced record(s)"
        annotation = _wire(info.annotation, model.__name__) | None
        definitions[name] = (annotation, Field(default=None, description=description))
    created: type[BaseModel] = create_model(
        f"{model.__name__}Fields",
        __config__=ConfigDict(extra="ignore"),
        __doc__=f"The canonical fields of {model.__name__} (hub/canonical/models.py); references are golden ids.",
        **definitions,
    )
    return created


class ProvenanceSource(BaseModel):
    """A source record that contributed to a golden field (union rules)."""

    model_config = ConfigDict(extra="allow")

    system: str | None = None
    instance: str | None = None
    object: str | None = None
    external_id: str | None = None


SourcesList = list[ProvenanceSource | str] | None


# A golden field's provenance is written by hub/ledger (the survivorship pass); its parts are declared
# once here and combined, so FieldProvenance and GoldenSource (the same minus the source's timestamp)
# cannot drift apart. Fields are ordered by the reversed MRO, bases last-listed first: the order below
# (record, timestamp, rule) is the order of the OpenAPI properties and of the JSON keys.
class _ProvenanceRecord(BaseModel):
    model_config = ConfigDict(extra="allow")

    system: str | None = None
    instance: str | None = None
    object: str | None = None
    external_id: str | None = None
    entry_id: int | None = None


class _ProvenanceTimestamp(_ProvenanceRecord):
    source_updated_at: DateTimeText | None = None


class _ProvenanceRule(BaseModel):
    model_config = ConfigDict(extra="allow")

    rule: str | None = None
    sources: SourcesList = Field(default=None, description="union rules: every source that added values")


class FieldProvenance(_ProvenanceRule, _ProvenanceTimestamp):
    """Which source record (and ledger entry) a golden field's value came from, and by which rule."""


class SummaryBase(BaseModel):
    id: str = Field(description="the golden id")
    entity_type: str
    name: str | None = None
    key: str | None = Field(default=None, description="primary domain (organizations) or email (people)")
    roles: list[str] = Field(default_factory=list)
    source_count: int = Field(description="live source records in the cluster")
    systems: list[str] = Field(default_factory=list, description="systems holding a live record of it")
    updated_at: DateTimeText | None = None


class SourceRecordBase(BaseModel):
    record_id: str = Field(description="the source record's own (record) id")
    system: str
    instance: str
    object: str
    external_id: str
    content_hash: str
    deleted: bool
    source_updated_at: DateTimeText | None = None
    observed_at: DateTimeText | None = None
    first_seen_at: DateTimeText | None = None
    last_entry_id: int


class Cause(BaseModel):
    """Why a ledger entry exists, derived from its columns."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["sync", "webhook", "decision", "writeback", "echo", "tombstone", "unknown"] = Field(
        description="sync: a sync run; webhook: a webhook event; decision: the matcher's or a steward's "
        "decision; writeback: the hub's own write to a system; echo: the hub's own write seen coming back "
        "(id: the outbox row; via: the run or webhook event that saw it); tombstone: a delete observed or "
        "inferred; unknown: written without a run or event"
    )
    id: str | None = Field(
        description="the run id, webhook event id or match pair id (tombstone: the event, else the run)"
    )
    actor: str | None = Field(default=None, description="a decision's actor: auto or the steward")
    via: str | None = Field(default=None, description="an echo's sync run or webhook event id")


class HistoryEntry(BaseModel):
    """A ledger entry: a member record's observed change, or a hub decision (match, merge, review, ...)."""

    entry_id: int
    kind: Literal["record", "decision"]
    op: str
    observed_at: DateTimeText | None = None
    source_updated_at: DateTimeText | None = None
    source: str = Field(description="instance/object/external_id")
    system: str
    instance: str
    object: str
    external_id: str
    record_id: str = Field(description="a record's entry: its record id; a decision: the target golden id")
    changes: dict[str, Any] = Field(
        description="record: {field: [before, after]} (references as golden ids); "
        "decision: {moves: [[record_id, from_golden_id, to_golden_id], ...]}"
    )
    decision: dict[str, Any] | None = Field(default=None, description="a decision's rule, score, evidence, actor")
    run_id: str | None = None
    webhook_event_id: str | None = None
    mapping_version: str | None = None
    cause: Cause
    entry_hash: str = Field(description="the entry's hash in the ledger's chain (ADR 19)")


class Identity(BaseModel):
    golden_id: str = Field(description="the cluster's golden id")
    requested_id: str = Field(description="the id in the request")
    merged: bool = Field(description="the requested id is a record merged into this cluster")


class HistoryPage(Identity):
    entity_type: str
    members: list[str] = Field(description="record ids of the cluster's source records")
    total: int
    limit: int
    offset: int
    items: list[HistoryEntry]


@dataclass(frozen=True)
class RecordModels:
    fields: type[BaseModel]
    summary: type[BaseModel]
    page: type[BaseModel]
    detail: type[BaseModel]
    history: type[BaseModel]


@cache
def record_models(entity: EntityType) -> RecordModels:
    """The response models of one entity type's list, detail and history endpoints."""
    canonical = CANONICAL_MODELS[entity]
    name = canonical.__name__
    fields: Any = fields_model(canonical)
    summary: Any = create_model(f"{name}Summary", __base__=SummaryBase, fields=(fields, ...))
    page = create_model(
        f"{name}Page", total=(int, ...), limit=(int, ...), offset=(int, ...), items=(list[summary], ...)
    )
    source: Any = create_model(f"{name}SourceRecord", __base__=SourceRecordBase, fields=(fields, ...))
    detail = create_model(
        f"{name}Detail",
        __base__=(summary, Identity),
        provenance=(dict[str, FieldProvenance], Field(description="per golden field: where its value came from")),
        sources=(list[source], Field(description="every source record in the cluster, deleted ones included")),
        history=(list[HistoryEntry], Field(description="the latest entries; see /history for all")),
        as_of=(DateTimeText | None, Field(default=None, description="with ?as_of: the moment (UTC) it shows")),
        as_of_entry_id=(
            int | None,
            Field(default=None, description="with ?as_of: the last ledger entry observed by then (the replay's end)"),
        ),
    )
    history = create_model(f"{name}History", __base__=HistoryPage)
    return RecordModels(fields=fields, summary=summary, page=page, detail=detail, history=history)


# -- the ledger's hash chain ---------------------------------------------------------------------------


class ChainHead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entries: int
    last_id: int | None
    last_hash: str


class ChainProblem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["edited", "removed", "inserted", "reordered", "head"]
    entry_id: int | None = Field(description="the first bad entry (removed: the entry after the gap)")
    message: str


class LedgerVerification(BaseModel):
    """The hash chain recomputed (ADR 19)."""

    model_config = ConfigDict(extra="forbid")

    ok: bool
    entries: int = Field(description="entries checked before the first problem (all of them when ok)")
    last_id: int | None = Field(description="the last good entry")
    last_hash: str = Field(description="the last good entry's hash (the head's hash when ok)")
    head: ChainHead | None = Field(description="the stored chain head")
    problem: ChainProblem | None


# -- reconciliation -------------------------------------------------------------------------------------


class ReconciliationTotals(BaseModel):
    records: int = Field(description="live source records")
    deleted: int = Field(description="tombstoned source records")
    golden_records: int
    merged_clusters: int = Field(description="golden records of two or more live source records")
    open_reviews: int = Field(description="match pairs waiting for a steward")
    drifted_records: int = Field(description="live records holding at least one value unlike the golden one")
    differences: int = Field(description="(record, field) pairs that differ from the golden value")


class EntityReconciliation(BaseModel):
    entity_type: str
    golden_records: int
    merged_clusters: int
    open_reviews: int


class SystemReconciliation(BaseModel):
    system: str
    entity_type: str
    records: int = Field(description="live source records")
    deleted: int
    matched: int = Field(description="records in a cluster with another system's record")
    merged: int = Field(description="records in a cluster of two or more records")
    in_review: int = Field(description="records in an open review pair")
    drifted_records: int
    differences: int
    drift: dict[str, int] = Field(description="per field: records whose value differs from the golden value")


class ReconciliationReport(BaseModel):
    """How each system's records line up with the golden records."""

    generated_at: DateTimeText
    totals: ReconciliationTotals
    entities: list[EntityReconciliation]
    systems: list[SystemReconciliation]


class GoldenSource(_ProvenanceRule, _ProvenanceRecord):
    # a golden field's FieldProvenance without source_updated_at (hub/identity/report.py:_golden_source);
    # no docstring: it would become the schema's description
    pass


class DriftItem(BaseModel):
    """One field of one source record whose value differs from the golden record's."""

    golden_id: str
    entity_type: str
    record_id: str
    system: str
    instance: str
    object: str
    external_id: str
    field: str
    source_value: Any = Field(description="the record's value (references as golden ids)")
    golden_value: Any = Field(description="the golden value (references as golden ids)")
    golden_source: GoldenSource | None = Field(description="where the golden value came from (provenance)")


class DriftPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[DriftItem]
