"""Identity resolution: match pairs and their evidence, steward decisions, unmerge, explain, reconcile."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from hub.api.deps import MAX_OFFSET, Admin, HubDep
from hub.api.errors import ApiError
from hub.db.schema import match_pairs, source_records
from hub.identity import steward
from hub.identity.store import MATCHED_ENTITIES

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["reconciliation"], dependencies=[Admin])
IdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")]
Id = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")]
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "Not found"},
    409: {"description": "The decision cannot be taken in the current state"},
    422: {"description": "Invalid input"},
}


class Entity(StrEnum):
    ORGANIZATION = "organization"
    PERSON = "person"
    OPPORTUNITY = "opportunity"
    DEAL_REGISTRATION = "deal_registration"


class PairState(StrEnum):
    MERGED = "merged"
    REVIEW = "review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    UNMERGED = "unmerged"


# Plural paths of the entities that can be unmerged (the records API uses the same ones).
PLURALS = {"organizations": "organization", "people": "person", "opportunities": "opportunity",
           "deal-registrations": "deal_registration"}  # fmt: skip


class MatchRecord(BaseModel):
    record_id: str
    golden_id: str | None = None
    system: str | None = None
    instance: str | None = None
    object: str | None = None
    external_id: str | None = None
    display: str | None = None


class Evidence(BaseModel):
    model_config = ConfigDict(extra="allow")

    field: str
    a: Any = None
    b: Any = None
    level: str
    weight: float | None = None


class MatchPair(BaseModel):
    id: str
    entity: str
    state: str
    band: str
    rule: str
    score: float | None
    evidence: list[Evidence]
    decided_by: str | None
    created_at: datetime
    updated_at: datetime
    last_entry_id: int
    a: MatchRecord
    b: MatchRecord


class MatchPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[MatchPair]


class Decision(BaseModel):
    by: str = Field(default="steward", min_length=1, max_length=200, description="Who decides (kept in the ledger).")


class DecisionResult(BaseModel):
    model_config = ConfigDict(extra="allow")

    state: str | None = None
    golden_id: str | None = None
    entry_id: int
    restored: list[str] = []


class UnmergeRequest(BaseModel):
    decision_id: int | None = Field(default=None, ge=1, le=2**53, description="The merge to undo (default: the latest)")
    by: str = Field(default="steward", min_length=1, max_length=200)


class Explanation(BaseModel):
    model_config = ConfigDict(extra="allow")

    entity: str
    rule: str
    deterministic: bool
    weight: float | None
    probability: float
    band: str
    conflict: str | None
    evidence: list[Evidence]
    same_cluster: bool


class ReconcileRequest(BaseModel):
    entity: Entity | None = Field(default=None, description="One entity type; default all matched types")
    wait: bool = True


class ReconcileResult(BaseModel):
    status: Literal["succeeded", "started"]
    reports: list[dict[str, Any]] = []


def _records(conn: Any, ids: list[str]) -> dict[str, MatchRecord]:
    out: dict[str, MatchRecord] = {}
    if not ids:
        return out
    rows = conn.execute(select(source_records).where(source_records.c.canonical_id.in_(sorted(set(ids)))))
    for row in rows:
        fields = row.fields or {}
        display = fields.get("name") or " ".join(p for p in (fields.get("first_name"), fields.get("last_name")) if p)
        out[row.canonical_id] = MatchRecord(
            record_id=row.canonical_id, golden_id=row.golden_id, system=row.source_system, instance=row.source_instance,
            object=row.source_object, external_id=row.external_id, display=display or fields.get("email"),
        )  # fmt: skip
    return out


def _pair_model(row: Any, records: dict[str, MatchRecord]) -> MatchPair:
    return MatchPair(
        id=row.id, entity=row.entity_type, state=row.state, band=row.band, rule=row.rule, score=row.score,
        evidence=[Evidence.model_validate(e) for e in row.evidence or []], decided_by=row.decided_by,
        created_at=row.created_at, updated_at=row.updated_at, last_entry_id=row.last_entry_id,
        a=records.get(row.record_a, MatchRecord(record_id=row.record_a)),
        b=records.get(row.record_b, MatchRecord(record_id=row.record_b)),
    )  # fmt: skip


@router.get("/matches", response_model=MatchPage, responses=ERRORS)
def list_matches(
    hub: HubDep,
    state: PairState | None = None,
    entity: Entity | None = None,
    min_score: Annotated[float | None, Query(ge=0, le=1)] = None,
    max_score: Annotated[float | None, Query(ge=0, le=1)] = None,
    record: Id | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> MatchPage:
    """Match pairs with their evidence: the review queue is ``state=review``."""
    query = select(match_pairs)
    if state is not None:
        query = query.where(match_pairs.c.state == state.value)
    if entity is not None:
        query = query.where(match_pairs.c.entity_type == entity.value)
    if min_score is not None:
        query = query.where(match_pairs.c.score >= min_score)
    if max_score is not None:
        query = query.where(match_pairs.c.score <= max_score)
    if record is not None:
        query = query.where((match_pairs.c.record_a == record) | (match_pairs.c.record_b == record))
    with hub.reader.connect() as conn:
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = conn.execute(
            query.order_by(match_pairs.c.updated_at.desc(), match_pairs.c.id).limit(limit).offset(offset)
        ).fetchall()
        records = _records(conn, [r for row in rows for r in (row.record_a, row.record_b)])
    return MatchPage(total=total, limit=limit, offset=offset, items=[_pair_model(r, records) for r in rows])


@router.get("/matches/explain", response_model=Explanation, responses=ERRORS)
def explain(hub: HubDep, entity: Entity, a: Id, b: Id) -> dict[str, Any]:
    """Each comparison between two records (record or golden ids) and its weight, as decided now."""
    with hub.reader.connect() as conn:
        try:
            return steward.explain(conn, entity.value, a, b)
        except steward.StewardError as exc:
            raise ApiError(exc.status, exc.message) from exc


@router.get("/matches/{pair_id}", response_model=MatchPair, responses=ERRORS)
def get_match(pair_id: IdPath, hub: HubDep) -> MatchPair:
    with hub.reader.connect() as conn:
        row = conn.execute(select(match_pairs).where(match_pairs.c.id == pair_id)).first()
        if row is None:
            raise ApiError(404, f"no match pair {pair_id}")
        return _pair_model(row, _records(conn, [row.record_a, row.record_b]))


def _decide(hub: Any, action: Any, *args: Any) -> dict[str, Any]:
    try:
        with hub.engine.begin() as conn:
            result: dict[str, Any] = action(conn, *args, datetime.now(UTC))
            return result
    except steward.StewardError as exc:
        raise ApiError(exc.status, exc.message) from exc


@router.post("/matches/{pair_id}/accept", response_model=DecisionResult, responses=ERRORS)
def accept(pair_id: IdPath, hub: HubDep, body: Decision | None = None) -> dict[str, Any]:
    """A steward says the two records are the same: their clusters merge, and stay merged."""
    return _decide(hub, steward.accept, pair_id, (body or Decision()).by)


@router.post("/matches/{pair_id}/reject", response_model=DecisionResult, responses=ERRORS)
def reject(pair_id: IdPath, hub: HubDep, body: Decision | None = None) -> dict[str, Any]:
    """A steward says the two records differ: they are split if this pair merged them, and never
    merged again automatically."""
    return _decide(hub, steward.reject, pair_id, (body or Decision()).by)


@router.post("/{plural}/{golden_id}/unmerge", response_model=DecisionResult, responses=ERRORS)
def unmerge(
    plural: Literal["organizations", "people", "opportunities", "deal-registrations"],
    golden_id: IdPath,
    hub: HubDep,
    body: UnmergeRequest | None = None,
) -> dict[str, Any]:
    """Split a cluster by undoing one merge (the latest by default): the golden records before it
    come back exactly, and the pair is never merged again automatically."""
    request = body or UnmergeRequest()
    entity = PLURALS[plural]

    def run(conn: Any, now: datetime) -> dict[str, Any]:
        return steward.unmerge(conn, entity, golden_id, request.by, now, request.decision_id)

    return _decide(hub, lambda conn, now: run(conn, now))


def reconcile_all(hub: Any, entities: list[str]) -> list[dict[str, Any]]:
    reports = []
    for entity in entities:  # organisations first: people compare employers through them
        with hub.engine.begin() as conn:
            reports.append(steward.recluster(conn, entity, datetime.now(UTC)).as_dict())
    return reports


@router.post("/reconcile", response_model=ReconcileResult, responses={**ERRORS, 202: {"model": ReconcileResult}})
def reconcile(hub: HubDep, body: ReconcileRequest | None = None) -> Any:
    """Re-cluster everything (or one entity type) from scratch, honouring steward decisions."""
    request = body or ReconcileRequest()
    order: list[str] = [e.value for e in Entity if e.value in MATCHED_ENTITIES]
    entities: list[str] = [request.entity.value] if request.entity else order
    if request.wait:
        return ReconcileResult(status="succeeded", reports=reconcile_all(hub, entities))

    def background() -> None:
        try:
            reconcile_all(hub, entities)
        except Exception:  # a background job has nobody to answer: log it
            log.exception("reconcile failed")

    threading.Thread(target=background, name="reconcile", daemon=True).start()
    return JSONResponse(status_code=202, content=ReconcileResult(status="started").model_dump())
