"""CRM associations v4: batch read, list, default/labelled associate, delete, labels.

Both reads are paged: the list by ``limit``/``after`` (default and maximum 500), the batch read per
input (``association_batch_page_size`` targets, then ``paging.next.after``, which goes back as the
input's ``after``).  The same routes answer the 2026-03 paths (:mod:`sandbox.hubspot.versions`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.hubspot.assoc_types import ASSOCIATION_TYPES, DEFAULT_TYPE_ID, lookup, types_between
from sandbox.hubspot.errors import not_found, standard_error, validation_error
from sandbox.hubspot.params import json_any, json_body, object_type_param
from sandbox.hubspot.records import Record
from sandbox.hubspot.responses import batch_response, json_response
from sandbox.hubspot.routes_batch import batch_inputs
from sandbox.hubspot.schema import OBJECT_TYPE_IDS
from sandbox.hubspot.serialize import v3_association_entries, v3_association_page
from sandbox.hubspot.state import HubSpotState
from sandbox.hubspot.world import JsonDict

LIST_DEFAULT = 500
BATCH_READ_MAX = 1000
"""Inputs per association batch read (since 2025-02-10:
https://developers.hubspot.com/changelog/bug-fix-batch-read-limit-for-hubspot-associations-api)."""


def _after(raw: object) -> int:
    """The offset an association batch-read input continues from (its ``after``); 400 if garbage."""
    text = str(raw or "0").strip()
    if not text.isdigit():
        raise validation_error(f"Invalid paging cursor 'after': {raw}")
    return int(text)


def _spec(type_id: int) -> JsonDict:
    d = ASSOCIATION_TYPES[type_id]
    return {"category": d.category, "typeId": d.type_id, "label": d.label}


def _pair_types(from_type: str, to_type: str) -> tuple[str, str]:
    if (from_type, to_type) not in DEFAULT_TYPE_ID:
        raise validation_error(f"No associations are defined between {from_type} and {to_type}")
    return from_type, to_type


def add_assoc_routes(router: APIRouter, state: HubSpotState) -> None:
    """v4 association endpoints."""

    def targets(from_type: str, from_id: int, to_type: str) -> list[JsonDict]:
        table = state.store.tables[to_type]
        return [
            {"toObjectId": to_id, "associationTypes": [_spec(t) for t in type_ids]}
            for to_id, type_ids in state.store.graph.targets(from_type, from_id, to_type).items()
            if table.get_live(to_id) is not None
        ]

    def live(object_type: str, raw_id: str) -> Record:
        record = state.store.tables[object_type].get_live(int(raw_id)) if raw_id.isdigit() else None
        if record is None:
            raise not_found(raw_id)
        return record

    @router.post("/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read")
    async def batch_read(request: Request, fromObjectType: str, toObjectType: str) -> Response:
        from_type, to_type = _pair_types(object_type_param(fromObjectType), object_type_param(toObjectType))
        started = state.clock.now_ms()
        results: list[JsonDict] = []
        errors: list[JsonDict] = []
        page_size = state.config.association_batch_page_size
        for item in batch_inputs(await json_body(request), BATCH_READ_MAX):
            raw_id = str(item.get("id", ""))
            found = targets(from_type, int(raw_id), to_type) if raw_id.isdigit() else []
            if raw_id.isdigit() and state.store.tables[from_type].get_live(int(raw_id)) and found:
                start = _after(item.get("after"))
                result: JsonDict = {"from": {"id": raw_id}, "to": found[start : start + page_size]}
                if start + page_size < len(found):
                    cursor = str(start + page_size)
                    link = f"{str(request.base_url).rstrip('/')}{request.url.path}?after={cursor}"
                    result["paging"] = {"next": {"after": cursor, "link": link}}
                results.append(result)
                continue
            message = f"No {to_type} is associated with {from_type[:-1]} {raw_id}."
            errors.append(
                standard_error(
                    "OBJECT_NOT_FOUND",
                    message,
                    {"fromObjectId": [raw_id]},
                    sub_category="crm.associations.NO_ASSOCIATIONS_FOUND",
                )
            )
        return batch_response(results, errors, started, state.clock.now_ms())

    @router.post("/crm/v3/associations/{fromObjectType}/{toObjectType}/batch/read")
    async def v3_batch_read(request: Request, fromObjectType: str, toObjectType: str) -> Response:
        """v3 batch read: ``to`` = ``[{id, type}]``, the first ``association_page_size`` per input, then a
        ``paging.next`` whose ``link`` is the record's v3 association list (inputs take no ``after``)."""
        from_type, to_type = _pair_types(object_type_param(fromObjectType), object_type_param(toObjectType))
        started = state.clock.now_ms()
        results: list[JsonDict] = []
        errors: list[JsonDict] = []
        base = str(request.base_url).rstrip("/")
        for item in batch_inputs(await json_body(request)):
            raw_id = str(item.get("id", ""))
            record = state.store.tables[from_type].get_live(int(raw_id)) if raw_id.isdigit() else None
            entries = (
                v3_association_entries(state.store.graph, state.store.tables, from_type, record.id, to_type)
                if record is not None
                else []
            )
            if not entries:
                errors.append(standard_error("OBJECT_NOT_FOUND", f"No {to_type} associated with {raw_id}",
                                             {"fromObjectId": [raw_id]}))  # fmt: skip
                continue
            link = f"{base}/crm/v3/objects/{from_type}/{raw_id}/associations/{to_type}"
            page = v3_association_page(entries, 0, state.config.association_page_size, link)
            result: JsonDict = {"from": {"id": raw_id}, "to": page["results"]}
            if "paging" in page:
                result["paging"] = page["paging"]
            results.append(result)
        return batch_response(results, errors, started, state.clock.now_ms())

    @router.get("/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}")
    async def list_associations(request: Request, objectType: str, objectId: str, toObjectType: str) -> Response:
        from_type, to_type = _pair_types(object_type_param(objectType), object_type_param(toObjectType))
        record = live(from_type, objectId)
        raw_limit = request.query_params.get("limit") or str(LIST_DEFAULT)
        raw_after = request.query_params.get("after") or "0"
        if not raw_limit.isdigit() or not raw_after.isdigit() or int(raw_limit) < 1:
            raise validation_error("'limit' and 'after' must be non-negative integers")
        limit, after = min(int(raw_limit), LIST_DEFAULT), int(raw_after)
        found = targets(from_type, record.id, to_type)
        body: JsonDict = {"results": found[after : after + limit]}
        if after + limit < len(found):
            body["paging"] = {"next": {"after": str(after + limit)}}
        return json_response(body)

    @router.put("/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}")
    async def associate_default(fromObjectType: str, fromObjectId: str, toObjectType: str, toObjectId: str) -> Response:
        from_type, to_type = _pair_types(object_type_param(fromObjectType), object_type_param(toObjectType))
        started = state.clock.now_ms()
        source, target = live(from_type, fromObjectId), live(to_type, toObjectId)
        type_id = DEFAULT_TYPE_ID[(from_type, to_type)]
        state.store.graph.add(from_type, source.id, to_type, target.id, [type_id])
        inverse = ASSOCIATION_TYPES[type_id].inverse_id
        results = [
            {
                "from": {"id": str(source.id)},
                "to": {"id": str(target.id)},
                "associationSpec": _assoc_spec(type_id),
            },
            {
                "from": {"id": str(target.id)},
                "to": {"id": str(source.id)},
                "associationSpec": _assoc_spec(inverse),
            },
        ]
        return batch_response(results, [], started, state.clock.now_ms())

    @router.put("/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}")
    async def associate_labelled(
        request: Request, objectType: str, objectId: str, toObjectType: str, toObjectId: str
    ) -> Response:
        from_type, to_type = _pair_types(object_type_param(objectType), object_type_param(toObjectType))
        source, target = live(from_type, objectId), live(to_type, toObjectId)
        specs = await json_any(request)
        if not isinstance(specs, list) or not specs:
            raise validation_error("Body must be a non-empty list of {associationCategory, associationTypeId}")
        type_ids = []
        for spec in specs:
            found = lookup(int((spec or {}).get("associationTypeId", -1)), (spec or {}).get("associationCategory"))
            if found is None or (found.from_type, found.to_type) != (from_type, to_type):
                raise validation_error(f"Invalid association type {spec!r} for {from_type} -> {to_type}")
            type_ids.append(found.type_id)
        state.store.graph.add(from_type, source.id, to_type, target.id, type_ids)
        current = state.store.graph.targets(from_type, source.id, to_type).get(target.id, [])
        body = {
            "fromObjectTypeId": OBJECT_TYPE_IDS[from_type],
            "fromObjectId": source.id,
            "toObjectTypeId": OBJECT_TYPE_IDS[to_type],
            "toObjectId": target.id,
            "labels": [ASSOCIATION_TYPES[t].label for t in current if ASSOCIATION_TYPES[t].label],
        }
        return json_response(body, 201)

    @router.delete("/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}")
    async def delete_pair(objectType: str, objectId: str, toObjectType: str, toObjectId: str) -> Response:
        from_type, to_type = _pair_types(object_type_param(objectType), object_type_param(toObjectType))
        if objectId.isdigit() and toObjectId.isdigit():
            state.store.graph.remove(from_type, int(objectId), to_type, int(toObjectId))
        return Response(status_code=204)

    @router.get("/crm/v4/associations/{fromObjectType}/{toObjectType}/labels")
    async def labels(fromObjectType: str, toObjectType: str) -> Response:
        from_type, to_type = _pair_types(object_type_param(fromObjectType), object_type_param(toObjectType))
        return json_response({"results": [_spec(d.type_id) for d in types_between(from_type, to_type)]})


def _assoc_spec(type_id: int) -> JsonDict:
    d = ASSOCIATION_TYPES[type_id]
    return {"associationCategory": d.category, "associationTypeId": d.type_id}
