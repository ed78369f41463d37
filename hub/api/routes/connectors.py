"""Connector configuration: create, list, get, update, delete. Credentials are write-only."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from hub.api.deps import Admin, HubDep, SchedulerDep
from hub.api.errors import ApiError
from hub.connector_store import (
    Conflict,
    ConnectorConfigError,
    ConnectorCreate,
    ConnectorPublic,
    ConnectorUpdate,
    NotFound,
)

router = APIRouter(prefix="/api/v1/connectors", tags=["connectors"], dependencies=[Admin])


def _reload(scheduler: SchedulerDep, request: Request | None = None, connector_id: str | None = None) -> None:
    if scheduler is not None:
        scheduler.reload()
    cache = getattr(request.app.state, "connector_cache", None) if request is not None else None
    if cache is not None and connector_id is not None:
        cache.forget(connector_id)


@router.get("/kinds")
def kinds(hub: HubDep) -> dict[str, object]:
    """Installed connector kinds, with their streams and any plugin that failed to load."""
    out = []
    for kind in hub.registry.kinds():
        spec = hub.registry.get(kind).spec
        out.append({"kind": kind, "title": spec.title, "streams": [s.name for s in spec.streams]})
    broken = [{"name": b.name, "target": b.target, "error": b.error} for b in hub.registry.broken]
    return {"kinds": out, "broken": broken}


@router.post("", status_code=201)
def create(body: ConnectorCreate, hub: HubDep, scheduler: SchedulerDep) -> ConnectorPublic:
    try:
        created = hub.store.create(body)
    except Conflict as exc:
        raise ApiError(409, str(exc)) from exc
    except ConnectorConfigError as exc:
        raise ApiError(422, str(exc), exc.errors or None) from exc
    _reload(scheduler)
    return created


@router.get("")
def list_connectors(hub: HubDep) -> list[ConnectorPublic]:
    return hub.store.list()


@router.get("/{connector_id}")
def get(connector_id: str, hub: HubDep) -> ConnectorPublic:
    try:
        return hub.store.get(connector_id)
    except NotFound as exc:
        raise ApiError(404, str(exc.args[0])) from exc


@router.patch("/{connector_id}")
def patch(
    connector_id: str, body: ConnectorUpdate, hub: HubDep, scheduler: SchedulerDep, request: Request
) -> ConnectorPublic:
    try:
        updated = hub.store.update(connector_id, body)
    except NotFound as exc:
        raise ApiError(404, str(exc.args[0])) from exc
    except ConnectorConfigError as exc:
        raise ApiError(422, str(exc), exc.errors or None) from exc
    _reload(scheduler, request, connector_id)
    return updated


@router.delete("/{connector_id}", status_code=204)
async def delete(connector_id: str, hub: HubDep, scheduler: SchedulerDep, request: Request) -> Response:
    try:
        await run_in_threadpool(hub.store.delete, connector_id)
    except NotFound as exc:
        raise ApiError(404, str(exc.args[0])) from exc
    _reload(scheduler, request, connector_id)
    return Response(status_code=204)
