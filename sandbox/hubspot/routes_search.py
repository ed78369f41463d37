"""``POST /crm/v3/objects/{objectType}/search``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.hubspot.errors import validation_error
from sandbox.hubspot.params import json_body, object_type_param
from sandbox.hubspot.responses import json_response
from sandbox.hubspot.schema import SEARCHABLE_TEXT
from sandbox.hubspot.search import execute
from sandbox.hubspot.search_query import parse_search
from sandbox.hubspot.serialize import Renderer
from sandbox.hubspot.state import HubSpotState
from sandbox.hubspot.world import JsonDict


def add_search_routes(router: APIRouter, state: HubSpotState) -> None:
    """The CRM search endpoint (archived records are never returned)."""

    @router.post("/crm/v3/objects/{objectType}/search")
    async def search(request: Request, objectType: str) -> Response:
        object_type = object_type_param(objectType)
        defs = state.schema[object_type]
        query = parse_search(await json_body(request), defs)
        cap = state.config.search_result_cap
        if query.after >= cap:
            raise validation_error(
                f"Paging is limited to the first {cap} results of a search (after={query.after}). "
                "Narrow the filters, e.g. restart from the last seen hs_lastmodifieddate.",
                context={"after": [str(query.after)]},
            )
        total, page = execute(state.store.tables[object_type], query, defs, SEARCHABLE_TEXT[object_type])
        renderer = Renderer(object_type, query.properties, state.known[object_type])
        body: JsonDict = {"total": total, "results": [renderer.render(r) for r in page]}
        next_offset = query.after + len(page)
        if page and next_offset < total:
            body["paging"] = {"next": {"after": str(next_offset)}}
        return json_response(body)
