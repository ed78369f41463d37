"""Versions, resource list, query / queryAll (+ paging), limits and describeGlobal."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.salesforce.describe import describe_global
from sandbox.salesforce.errors import SalesforceError
from sandbox.salesforce.httpio import json_response, version_of
from sandbox.salesforce.query import batch_size
from sandbox.salesforce.state import SalesforceState

V = "/services/data/v{version}"
RESOURCES = (
    "tooling",
    "metadata",
    "eclair",
    "folders",
    "prechatForms",
    "chatter",
    "tabs",
    "appMenu",
    "quickActions",
    "queryAll",
    "commerce",
    "wave",
    "iot",
    "analytics",
    "search",
    "identity",
    "composite",
    "parameterizedSearch",
    "fingerprint",
    "theme",
    "nouns",
    "event",
    "serviceTemplates",
    "recent",
    "connect",
    "licensing",
    "limits",
    "process",
    "async-queries",
    "jobs",
    "query",
    "match",
    "emailConnect",
    "compactLayouts",
    "knowledgeManagement",
    "sobjects",
    "actions",
    "support",
)


def limits_body(state: SalesforceState) -> dict[str, dict[str, int]]:
    """``GET /limits``: the daily API allowance is live, the rest are plausible constants."""
    static = {
        "DailyAsyncApexExecutions": 250_000,
        "DailyBulkApiBatches": 15_000,
        "DailyBulkV2QueryJobs": 10_000,
        "DailyBulkV2QueryFileStorageMB": 976_562,
        "DailyStreamingApiEvents": 1_000_000,
        "DataStorageMB": 1_024,
        "FileStorageMB": 20_480,
        "HourlyODataCallout": 20_000,
        "HourlyTimeBasedWorkflow": 1_000,
        "MassEmail": 5_000,
        "SingleEmail": 5_000,
    }
    body = {"DailyApiRequests": {"Max": state.config.daily_api_limit, "Remaining": state.quota.remaining()}}
    body.update({name: {"Max": value, "Remaining": value} for name, value in static.items()})
    body["DataStorageMB"]["Remaining"] = 1_024 - min(sum(len(t) for t in state.store.tables.values()) // 500, 1_023)
    return body


def add_data_routes(router: APIRouter, state: SalesforceState) -> None:
    """Register the routes."""

    @router.get("/services/data")
    async def versions() -> Response:
        return json_response(state.config.versions())

    @router.get(V)
    async def resources(request: Request) -> Response:
        base = f"/services/data/v{version_of(request)}"
        return json_response({name: f"{base}/{name}" for name in RESOURCES})

    async def run_query(request: Request, include_deleted: bool) -> Response:
        soql = request.query_params.get("q")
        if soql is None:
            raise SalesforceError(400, "MALFORMED_QUERY", "A query string has to be specified")
        batch = batch_size(request.headers.get("sforce-query-options"))
        body = state.queries.run(state.store, soql, include_deleted, version_of(request), batch, state.clock.now_ms())
        return json_response(body)

    @router.get(V + "/query")
    async def query(request: Request) -> Response:
        return await run_query(request, include_deleted=False)

    @router.get(V + "/queryAll")
    async def query_all(request: Request) -> Response:
        return await run_query(request, include_deleted=True)

    @router.get(V + "/query/{token}")
    async def query_more(request: Request, token: str) -> Response:
        return json_response(state.queries.more(state.store, token, version_of(request), state.clock.now_ms()))

    @router.get(V + "/queryAll/{token}")
    async def query_all_more(request: Request, token: str) -> Response:
        return json_response(state.queries.more(state.store, token, version_of(request), state.clock.now_ms()))

    @router.get(V + "/limits")
    async def limits() -> Response:
        return json_response(limits_body(state))

    @router.get(V + "/sobjects")
    async def sobjects(request: Request) -> Response:
        return json_response(describe_global(state.store, version_of(request)))
