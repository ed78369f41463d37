"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from hub.api.deps import Admin, HubDep
from hub.api.errors import ApiError

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/metrics", dependencies=[Admin], response_class=PlainTextResponse)
def metrics() -> PlainTextResponse:
    """Prometheus metrics: records synced, runs, webhook deliveries, inbox events (bearer token)."""
    return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@router.get("/readyz")
def readyz(hub: HubDep) -> dict[str, str]:
    """The database answers and migrations are applied."""
    try:
        with hub.reader.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as exc:
        raise ApiError(503, f"database not ready: {type(exc).__name__}") from exc
    return {"status": "ready", "schema": str(version)}
