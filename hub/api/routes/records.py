"""Golden records: organizations (filterable by role), people, opportunities, with provenance."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from hub.api.deps import MAX_OFFSET, Admin, HubDep
from hub.api.errors import ApiError
from hub.canonical import OrganizationRole
from hub.queries import golden_detail, list_golden

router = APIRouter(prefix="/api/v1", tags=["records"], dependencies=[Admin])
IdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")]


def _detail(hub: HubDep, entity_type: str, canonical_id: str) -> dict[str, Any]:
    with hub.reader.connect() as conn:
        found = golden_detail(conn, entity_type, canonical_id)
    if found is None:
        raise ApiError(404, f"no {entity_type} {canonical_id}")
    return found


@router.get("/organizations")
def organizations(
    hub: HubDep,
    role: OrganizationRole | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    """Golden organizations; ``role=partner`` lists partners, ``q`` matches name or domain."""
    with hub.reader.connect() as conn:
        total, items = list_golden(
            conn, "organization", role=role.value if role else None, q=q, limit=limit, offset=offset
        )
    return {"total": total, "limit": limit, "offset": offset, "items": items}


@router.get("/organizations/{canonical_id}")
def organization(canonical_id: IdPath, hub: HubDep) -> dict[str, Any]:
    """One organization with every field's source and history, and the source records behind it."""
    return _detail(hub, "organization", canonical_id)


@router.get("/people")
def people(
    hub: HubDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    with hub.reader.connect() as conn:
        total, items = list_golden(conn, "person", q=q, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "items": items}


@router.get("/people/{canonical_id}")
def person(canonical_id: IdPath, hub: HubDep) -> dict[str, Any]:
    return _detail(hub, "person", canonical_id)


@router.get("/opportunities")
def opportunities(
    hub: HubDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    with hub.reader.connect() as conn:
        total, items = list_golden(conn, "opportunity", q=q, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "items": items}


@router.get("/opportunities/{canonical_id}")
def opportunity(canonical_id: IdPath, hub: HubDep) -> dict[str, Any]:
    return _detail(hub, "opportunity", canonical_id)
