"""Manual sync triggers. A stream already running answers 409; the run itself goes to a worker."""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from hub.api.deps import Admin, HubDep
from hub.api.errors import ApiError
from hub.connector_store import NotFound
from hub.context import Hub
from hub.db.schema import stream_leases, sync_runs
from hub.queries import run_row
from hub.sync import StreamBusy, StreamPaused
from hub.sync.runner import Claim
from hub.writeback.run import WritebackError, results
from hub.writeback.run import writeback as run_writeback

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1/connectors", tags=["sync"], dependencies=[Admin])


class SyncRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["incremental", "full"] = "incremental"
    streams: list[str] | None = Field(default=None, description="Default: every stream.")
    wait: bool = Field(default=False, description="Answer when the runs end, with their results.")


def _holders(hub: Hub, connector_id: str, streams: list[str]) -> list[dict[str, str]]:
    """The live runs holding leases of ``streams``: stream and run id."""
    now = datetime.now(UTC)
    with hub.reader.connect() as conn:
        rows = conn.execute(
            select(stream_leases.c.stream, stream_leases.c.run_id).where(
                stream_leases.c.connector_id == connector_id,
                stream_leases.c.stream.in_(streams),
                stream_leases.c.expires_at >= now,
            )
        )
        return [{"stream": row.stream, "run_id": row.run_id} for row in rows]


@router.post(
    "/{connector_id}/sync",
    status_code=202,
    responses={409: {"description": "A stream is running (the answer names its run) or paused."}},
)
async def trigger(connector_id: str, request: Request, hub: HubDep, body: SyncRequest | None = None) -> JSONResponse:
    """Start a sync of some or all streams (``wait`` to block until it ends).

    The streams' leases are taken and their runs recorded before the answer: a 202 lists the run of
    each stream, and every one of them runs. A stream already running is a 409 naming its run
    (``details.runs``), nothing is started; a paused one is a 409 with ``paused_until``."""
    body = body or SyncRequest()
    try:
        connector = hub.store.get(connector_id)
    except NotFound as exc:
        raise ApiError(404, str(exc.args[0])) from exc
    if connector.error:
        raise ApiError(409, f"connector {connector_id!r} cannot sync: {connector.error}; fix it with PATCH")
    streams = body.streams or connector.streams
    unknown = sorted(set(streams) - set(connector.streams))
    if unknown:
        raise ApiError(422, f"unknown streams {unknown}; {connector_id} has {connector.streams}")
    try:
        claims = await run_in_threadpool(hub.runner.claim, connector_id, streams, mode=body.mode, trigger="api")
    except StreamPaused as exc:
        details = {"paused": [exc.stream], "paused_until": exc.until.isoformat()}
        raise ApiError(409, str(exc), details) from exc
    except StreamBusy as exc:
        holders = await run_in_threadpool(_holders, hub, connector_id, streams)
        if not holders and exc.stream and exc.run_id:
            holders = [{"stream": exc.stream, "run_id": exc.run_id}]
        running = [h["stream"] for h in holders]
        raise ApiError(409, f"already running: {', '.join(running)}", {"running": running, "runs": holders}) from exc
    accepted = [{"stream": c.run.stream, "run_id": c.run.run_id} for c in claims]
    if body.wait:
        runs = await run_in_threadpool(hub.runner.run_claimed, connector_id, claims)
        with hub.reader.connect() as conn:
            rows = conn.execute(select(sync_runs).where(sync_runs.c.id.in_([r.run_id for r in runs])))
            results = [run_row(row) for row in rows]
        return JSONResponse({"connector_id": connector_id, "runs": results}, status_code=200)
    executor: Executor = request.app.state.executor
    executor.submit(_background, hub, connector_id, claims)
    return JSONResponse(
        {
            "connector_id": connector_id,
            "mode": body.mode,
            "streams": streams,
            "status": "accepted",
            "runs": accepted,
            "runs_url": f"/api/v1/runs?connector_id={connector_id}",
        },
        status_code=202,
    )


def _background(hub: Hub, connector_id: str, claims: list[Claim]) -> None:
    try:
        hub.runner.run_claimed(connector_id, claims)
    except Exception:
        log.exception("manual sync of %s crashed", connector_id)


class WritebackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    object: str = Field(min_length=1, max_length=100, description="Source object, e.g. companies.")
    dry_run: bool = Field(
        default=False, description="Only report the changed / invalid / rejected counts; nothing is written."
    )
    limit: int | None = Field(default=None, ge=1, le=100_000)
    retry_rejected: bool = Field(default=False, description="Send again writes the upstream rejected before.")


@router.post("/{connector_id}/writeback")
async def writeback(connector_id: str, body: WritebackRequest, hub: HubDep) -> dict[str, object]:
    """Write the agreed (golden) values back to this connector's records where they differ (through
    the outbox: ``changed`` / ``invalid`` / ``rejected`` counts, then ``written``, ``unchanged``,
    ``retrying``)."""
    try:
        report = await run_in_threadpool(
            run_writeback, hub, connector_id, body.object, dry_run=body.dry_run, limit=body.limit,
            retry_rejected=body.retry_rejected,
        )  # fmt: skip
    except NotFound as exc:
        raise ApiError(404, str(exc.args[0])) from exc
    except WritebackError as exc:
        raise ApiError(422, str(exc)) from exc
    return asdict(report)


ResultStatus = Literal["sent", "unchanged", "rejected", "failed", "ok"]


@router.get("/{connector_id}/writeback/results")
async def writeback_results(
    connector_id: str,
    hub: HubDep,
    object: str | None = Query(default=None, max_length=100, description="Only this source object."),
    status: ResultStatus | None = None,
    after: int | None = Query(default=None, ge=1, description="next_after of the previous page."),
    limit: int = Query(default=100, ge=1, le=1000),
) -> dict[str, object]:
    """The write-back result log, newest first: one row per attempt (sent, unchanged, rejected, failed)."""
    try:
        hub.store.get(connector_id)
    except NotFound as exc:
        raise ApiError(404, str(exc.args[0])) from exc
    return await run_in_threadpool(
        results, hub, connector_id, object_name=object, status=status, after=after, limit=limit
    )
