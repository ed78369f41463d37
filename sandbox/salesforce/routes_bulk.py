"""Bulk API 2.0 query jobs under ``/services/data/vXX.X/jobs/query`` (see :mod:`.bulk`).

Auth, the API quota, ``Sforce-Limit-Info`` and queued faults come from the gateway, as for REST.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from sandbox.salesforce.httpio import json_body, json_response, version_of
from sandbox.salesforce.state import SalesforceState

V = "/services/data/v{version}"
CSV_TYPE = "text/csv"


def add_bulk_routes(router: APIRouter, state: SalesforceState) -> None:
    """Register the routes."""
    jobs = state.bulk

    @router.post(V + "/jobs/query")
    async def create_job(request: Request) -> Response:
        body = await json_body(request)
        fail = state.config.bulk_fail_jobs > 0
        job = jobs.create(state.store, body, version_of(request), state.clock.now_ms(), state.config.user_id, fail)
        if fail:
            state.config.bulk_fail_jobs -= 1
        return json_response(job.info(full=False))

    @router.get(V + "/jobs/query")
    async def list_jobs(request: Request) -> Response:
        return json_response(jobs.listing(request.query_params.get("jobType")))

    @router.get(V + "/jobs/query/{job_id}")
    async def get_job(job_id: str) -> Response:
        job = jobs.poll(job_id, state.clock.now_ms(), state.config.bulk_polls_to_complete)
        return json_response(job.info(full=True))

    @router.patch(V + "/jobs/query/{job_id}")
    async def abort_job(request: Request, job_id: str) -> Response:
        jobs.get(job_id)
        job = jobs.abort(job_id, await json_body(request), state.clock.now_ms())
        return json_response(job.info(full=False))

    @router.delete(V + "/jobs/query/{job_id}")
    async def delete_job(job_id: str) -> Response:
        jobs.delete(job_id)
        return Response(status_code=204)

    @router.get(V + "/jobs/query/{job_id}/results")
    async def results(request: Request, job_id: str) -> Response:
        params = request.query_params
        page = jobs.page(job_id, version_of(request), params.get("locator"), params.get("maxRecords"))
        headers = {"Sforce-Locator": page.next_locator, "Sforce-NumberOfRecords": str(page.end - page.start)}
        return StreamingResponse(page.body(state.store), media_type=CSV_TYPE, headers=headers)
