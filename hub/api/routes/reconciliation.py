"""The reconciliation report and the field drift behind it (``hub/identity/report.py``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query

from hub.api.deps import MAX_OFFSET, Admin, HubDep
from hub.api.schemas import DriftPage, ReconciliationReport, error_responses
from hub.canonical import CANONICAL_MODELS, EntityType
from hub.identity.report import drift, reconciliation_report

router = APIRouter(prefix="/api/v1/reconciliation", tags=["reconciliation"], dependencies=[Admin])


@router.get("", response_model=ReconciliationReport, responses=error_responses(401))
def report(hub: HubDep) -> dict[str, Any]:
    """Per system and entity type: live records, records matched with another system's, merged into
    a cluster of two or more, in an open review pair, and per field how many differ from the golden value."""
    with hub.reader.connect() as conn:
        return reconciliation_report(conn)


# Every canonical field name (the OpenAPI document lists them, so a client knows what it may ask).
CanonicalField = StrEnum(  # type: ignore[misc]
    "CanonicalField", sorted({name for model in CANONICAL_MODELS.values() for name in model.field_names()})
)


@router.get("/drift", response_model=DriftPage, responses=error_responses(401, 422))
def drift_items(
    hub: HubDep,
    entity: EntityType | None = None,
    system: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")] = None,
    field: CanonicalField | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    """Source values that differ from the golden value, with the source the golden value came from."""
    # A field of another entity than the one asked for simply has no drift there: an empty page.
    with hub.reader.connect() as conn:
        total, items = drift(
            conn, entity.value if entity else None, system, field.value if field else None, limit=limit, offset=offset
        )
    return {"total": total, "limit": limit, "offset": offset, "items": items}
