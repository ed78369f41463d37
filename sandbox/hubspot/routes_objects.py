"""``/crm/v3/objects/{objectType}``: list, read, create, update, archive; the v3 association list.

Inline ``associations`` (``?associations=contacts``) are paged per record and object type
(``association_page_size``, HubSpot: 100); the rest is read from the ``paging.next.link``
(``GET /crm/v3/objects/{type}/{id}/associations/{toType}?after=``) or the association APIs.
"""

from __future__ import annotations

import base64
import binascii
import bisect
from urllib.parse import unquote

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.hubspot import operations as ops
from sandbox.hubspot.errors import not_found, validation_error
from sandbox.hubspot.merge import merged_into
from sandbox.hubspot.params import (
    bool_param,
    int_param,
    json_body,
    list_param,
    object_type_param,
    object_types_param,
)
from sandbox.hubspot.records import Record
from sandbox.hubspot.responses import json_response
from sandbox.hubspot.serialize import (
    Renderer,
    render_v3_associations,
    v3_association_entries,
    v3_association_page,
)
from sandbox.hubspot.state import HubSpotState
from sandbox.hubspot.world import JsonDict

LIST_MAX = 100
LIST_MAX_WITH_HISTORY = 50


def encode_cursor(record_id: int) -> str:
    """Opaque ``after`` cursor for list paging (base64 of the next id, unpadded)."""
    return base64.urlsafe_b64encode(str(record_id).encode()).decode().rstrip("=")


def decode_cursor(raw: str | None) -> int:
    """Inverse of :func:`encode_cursor`; plain numeric ids are accepted too.  400 if garbage."""
    if raw is None or raw.strip() == "":
        return 0
    text = unquote(unquote(raw.strip()))
    if text.isdigit():
        return int(text)
    try:
        decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode().strip()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if not decoded.isdigit():
        raise validation_error(f"Invalid paging cursor 'after': {raw}")
    return int(decoded)


def _renderer(state: HubSpotState, request: Request, object_type: str) -> Renderer:
    return Renderer(
        object_type,
        list_param(request, "properties"),
        state.known[object_type],
        list_param(request, "propertiesWithHistory"),
    )


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def add_object_routes(router: APIRouter, state: HubSpotState) -> None:
    """Routes for single-object CRUD and list paging."""

    def render_full(object_type: str, record: Record) -> JsonDict:
        return Renderer(object_type, list(record.properties), state.known[object_type]).render(record)

    @router.get("/crm/v3/objects/{objectType}")
    async def list_objects(request: Request, objectType: str) -> Response:
        object_type = object_type_param(objectType)
        renderer = _renderer(state, request, object_type)
        limit = int_param(request, "limit", 10, LIST_MAX_WITH_HISTORY if renderer.history else LIST_MAX)
        start = decode_cursor(request.query_params.get("after"))
        archived = bool_param(request, "archived")
        to_types = object_types_param(list_param(request, "associations"))
        store = state.store
        table = store.tables[object_type]
        ids, records = table.ids, table.records
        pos = bisect.bisect_left(ids, start)
        page: list[Record] = []
        while pos < len(ids) and len(page) < limit:
            record = records[ids[pos]]
            pos += 1
            if record.archived == archived:
                page.append(record)
        while pos < len(ids) and records[ids[pos]].archived != archived:
            pos += 1
        results = []
        for record in page:
            item = renderer.render(record)
            if to_types:
                assoc = render_v3_associations(
                    store.graph, store.tables, object_type, record.id, to_types,
                    state.config.association_page_size, _base(request),
                )  # fmt: skip
                if assoc:
                    item["associations"] = assoc
            results.append(item)
        body: JsonDict = {"results": results}
        if pos < len(ids):
            cursor = encode_cursor(ids[pos])
            link = str(request.url.replace_query_params(after=cursor, limit=str(limit)))
            body["paging"] = {"next": {"after": cursor, "link": link}}
        return json_response(body)

    @router.get("/crm/v3/objects/{objectType}/{objectId}")
    async def read_object(request: Request, objectType: str, objectId: str) -> Response:
        object_type = object_type_param(objectType)
        archived = bool_param(request, "archived")
        record = ops.resolve(state, object_type, objectId, request.query_params.get("idProperty"), archived)
        if record is None and not archived and not request.query_params.get("idProperty"):
            record = merged_into(state, object_type, objectId)  # merged away: the survivor, under its id
        if record is None:
            raise not_found(objectId)
        item = _renderer(state, request, object_type).render(record)
        to_types = object_types_param(list_param(request, "associations"))
        if to_types:
            assoc = render_v3_associations(
                state.store.graph, state.store.tables, object_type, record.id, to_types,
                state.config.association_page_size, _base(request),
            )  # fmt: skip
            if assoc:
                item["associations"] = assoc
        return json_response(item)

    @router.get("/crm/v3/objects/{objectType}/{objectId}/associations/{toObjectType}")
    async def list_v3_associations(request: Request, objectType: str, objectId: str, toObjectType: str) -> Response:
        object_type, to_type = object_type_param(objectType), object_type_param(toObjectType)
        record = state.store.tables[object_type].get_live(int(objectId)) if objectId.isdigit() else None
        if record is None:
            raise not_found(objectId)
        raw_after = request.query_params.get("after") or "0"
        if not raw_after.isdigit():
            raise validation_error(f"Invalid paging cursor 'after': {raw_after}")
        limit = int_param(request, "limit", state.config.association_page_size, state.config.association_page_size)
        entries = v3_association_entries(state.store.graph, state.store.tables, object_type, record.id, to_type)
        link = f"{_base(request)}/crm/v3/objects/{object_type}/{record.id}/associations/{to_type}"
        return json_response(v3_association_page(entries, int(raw_after), limit, link))

    @router.post("/crm/v3/objects/{objectType}")
    async def create_object(request: Request, objectType: str) -> Response:
        object_type = object_type_param(objectType)
        body = await json_body(request)
        props = ops.clean_or_raise(state, object_type, body.get("properties") or {})
        associations = ops.parse_associations(state, object_type, body.get("associations"))
        record = ops.create(state, object_type, props, associations)
        return json_response(render_full(object_type, record), 201)

    @router.patch("/crm/v3/objects/{objectType}/{objectId}")
    async def update_object(request: Request, objectType: str, objectId: str) -> Response:
        object_type = object_type_param(objectType)
        record = ops.resolve(state, object_type, objectId, request.query_params.get("idProperty"))
        if record is None:
            raise not_found(objectId)
        body = await json_body(request)
        props = ops.clean_or_raise(state, object_type, body.get("properties") or {})
        ops.update(state, object_type, record, props)
        return json_response(render_full(object_type, record))

    @router.delete("/crm/v3/objects/{objectType}/{objectId}")
    async def archive_object(objectType: str, objectId: str) -> Response:
        object_type = object_type_param(objectType)
        record = ops.resolve(state, object_type, objectId, None)
        if record is not None:
            ops.archive(state, object_type, record)
        return Response(status_code=204)
