"""``/crm/v3/objects/{objectType}/batch/{read,create,update,upsert,archive}``.

Partial failures answer 207 with ``numErrors`` and StandardError objects.  Unknown ids are grouped
into one ``OBJECT_NOT_FOUND`` error (``context.ids``); each invalid input gets its own
``VALIDATION_ERROR`` (``context.ids`` / ``context.objectWriteTraceId``, ``id`` = the trace id).

Update and upsert address records by id (``id`` alone) or by a property with unique values
(``idProperty``: contacts' ``email``, custom ``hasUniqueValue`` properties).  An ``idProperty``
without unique values — ``hs_object_id``, a company's ``domain``, ``dealname`` — refuses the whole
batch with HubSpot's 400 "Unable to perform update/upsert by non-unique ... property ..."
(``operations.non_unique_id_property``); a value a unique property already holds on another record
fails that input alone (409 ``CONFLICT``), except in a ``batch/create`` of contacts without a
distinct ``objectWriteTraceId`` on every input: an email another contact holds refuses the whole
batch with a 409 naming the first (``_check_taken_emails``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.hubspot import operations as ops
from sandbox.hubspot.errors import HubSpotError, standard_error, validation_error
from sandbox.hubspot.merge import merged_into
from sandbox.hubspot.params import bool_param, json_body, object_type_param, string_list
from sandbox.hubspot.records import Record
from sandbox.hubspot.responses import batch_response
from sandbox.hubspot.schema import OBJECT_SINGULAR, UNIQUE_PROPERTIES
from sandbox.hubspot.serialize import Renderer
from sandbox.hubspot.state import HubSpotState
from sandbox.hubspot.world import JsonDict

BATCH_MAX = 100


def batch_inputs(body: dict[str, Any], maximum: int = BATCH_MAX) -> list[dict[str, Any]]:
    """The ``inputs`` list (≤ ``maximum`` objects, 100 for object batches); 400 otherwise."""
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
        raise validation_error("'inputs' must be a list of objects")
    if len(inputs) > maximum:
        raise validation_error(f"Batch input is limited to {maximum} inputs, got {len(inputs)}")
    return inputs


def _input_error(exc: HubSpotError, item: dict[str, Any], ident: str | None) -> JsonDict:
    context: dict[str, list[str]] = dict(exc.context or {})
    if ident is not None:
        context.setdefault("ids", [ident])
    trace = item.get("objectWriteTraceId")
    if trace:
        context["objectWriteTraceId"] = [str(trace)]
    error = standard_error(exc.category, exc.message, context)
    if trace:
        error["id"] = str(trace)
    return error


def _not_found(object_type: str, verb: str, missing: list[str]) -> JsonDict:
    noun = OBJECT_SINGULAR[object_type]
    message = f"Could not {verb} some {noun} objects, they may be deleted or not exist. Check that ids are valid."
    return standard_error("OBJECT_NOT_FOUND", message, {"ids": missing})


def _check_duplicates(ids: list[str]) -> None:
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise validation_error(f"Duplicate IDs found in batch input: [{ident}]. IDs must be unique")
        seen.add(ident)


def add_batch_routes(router: APIRouter, state: HubSpotState) -> None:
    """Batch endpoints."""

    def full(object_type: str, record: Record, item: dict[str, Any] | None = None) -> JsonDict:
        out = Renderer(object_type, list(record.properties), state.known[object_type]).render(record)
        trace = (item or {}).get("objectWriteTraceId")
        if trace:
            out["objectWriteTraceId"] = str(trace)  # echoed in results (SimplePublicObject schema)
        return out

    @router.post("/crm/v3/objects/{objectType}/batch/read")
    async def batch_read(request: Request, objectType: str) -> Response:
        object_type = object_type_param(objectType)
        started = state.clock.now_ms()
        body = await json_body(request)
        inputs = batch_inputs(body)
        archived = bool_param(request, "archived") or bool(body.get("archived"))
        renderer = Renderer(
            object_type,
            string_list(body.get("properties"), "properties"),
            state.known[object_type],
            string_list(body.get("propertiesWithHistory"), "propertiesWithHistory"),
        )
        id_property = body.get("idProperty")
        results, missing = [], []
        for item in inputs:
            ident = str(item.get("id", ""))
            record = ops.resolve(state, object_type, ident, id_property, archived)
            if record is None and not archived and not id_property:
                record = merged_into(state, object_type, ident)  # merged away: the survivor (merge.py)
            if record is None:
                missing.append(ident)
            else:
                results.append(renderer.render(record))
        errors = [_not_found(object_type, "get", missing)] if missing else []
        return batch_response(results, errors, started, state.clock.now_ms())

    def _check_taken_emails(object_type: str, inputs: list[dict[str, Any]]) -> None:
        """A batch create with a contact whose email a live contact holds is refused whole: 409
        "Contact already exists. Existing ID: N", the first one only ("the error message only tells
        you the first one it encounters", https://github.com/HubSpot/hubspot-api-python/issues/51),
        unless every input carries its own ``objectWriteTraceId``: that enables multi-status partial
        failures (https://developers.hubspot.com/docs/api-reference/latest/error-handling), and the
        input fails alone. Two inputs of one batch sharing a new email: the second fails alone (not
        documented)."""
        traces = [i.get("objectWriteTraceId") for i in inputs]
        if all(isinstance(t, str) and t for t in traces) and len(set(traces)) == len(traces):
            return
        for item in inputs:
            props = item.get("properties")
            if isinstance(props, dict):
                taken = {k: str(props[k]) for k in UNIQUE_PROPERTIES[object_type] if props.get(k)}
                ops.check_unique_values(state, object_type, taken)

    @router.post("/crm/v3/objects/{objectType}/batch/create")
    async def batch_create(request: Request, objectType: str) -> Response:
        object_type = object_type_param(objectType)
        started = state.clock.now_ms()
        inputs = batch_inputs(await json_body(request))
        _check_taken_emails(object_type, inputs)
        results, errors = [], []
        for item in inputs:
            try:
                props = ops.clean_or_raise(state, object_type, item.get("properties") or {})
                associations = ops.parse_associations(state, object_type, item.get("associations"))
                created = ops.create(state, object_type, props, associations)
            except HubSpotError as exc:
                errors.append(_input_error(exc, item, None))
                continue
            results.append(full(object_type, created, item))
        return batch_response(results, errors, started, state.clock.now_ms(), success_status=201)

    @router.post("/crm/v3/objects/{objectType}/batch/update")
    async def batch_update(request: Request, objectType: str) -> Response:
        object_type = object_type_param(objectType)
        started = state.clock.now_ms()
        inputs = batch_inputs(await json_body(request))
        ops.check_write_id_properties(state, object_type, inputs)
        _check_duplicates([str(i.get("id", "")) for i in inputs])
        results, errors, missing = [], [], []
        for item in inputs:
            ident = str(item.get("id", ""))
            try:
                record = ops.resolve(state, object_type, ident, item.get("idProperty") or None)
                if record is None:
                    missing.append(ident)
                    continue
                props = ops.clean_or_raise(state, object_type, item.get("properties") or {})
                updated = ops.update(state, object_type, record, props)
            except HubSpotError as exc:
                errors.append(_input_error(exc, item, ident))
                continue
            results.append(full(object_type, updated, item))
        if missing:
            errors.insert(0, _not_found(object_type, "update", missing))
        return batch_response(results, errors, started, state.clock.now_ms())

    @router.post("/crm/v3/objects/{objectType}/batch/upsert")
    async def batch_upsert(request: Request, objectType: str) -> Response:
        object_type = object_type_param(objectType)
        started = state.clock.now_ms()
        inputs = batch_inputs(await json_body(request))
        ops.check_write_id_properties(state, object_type, inputs)
        _check_duplicates([f"{i.get('idProperty')}:{str(i.get('id', '')).strip().lower()}" for i in inputs])
        results, errors = [], []
        for item in inputs:
            ident = str(item.get("id", ""))
            try:
                results.append(_upsert_one(object_type, item, ident))
            except HubSpotError as exc:
                errors.append(_input_error(exc, item, ident))
        return batch_response(results, errors, started, state.clock.now_ms())

    def _upsert_one(object_type: str, item: dict[str, Any], ident: str) -> JsonDict:
        if not item.get("idProperty"):
            raise validation_error("Upsert inputs need 'idProperty'")
        id_property = ops.check_id_property(state, object_type, str(item["idProperty"]))
        props = ops.clean_or_raise(state, object_type, item.get("properties") or {})
        record = ops.resolve(state, object_type, ident, id_property)
        if record is not None:
            out = full(object_type, ops.update(state, object_type, record, props), item)
            out["new"] = False
            return out
        key = ops.clean_or_raise(state, object_type, {id_property: ident})
        out = full(object_type, ops.create(state, object_type, {**props, **key}), item)
        out["new"] = True
        return out

    @router.post("/crm/v3/objects/{objectType}/batch/archive")
    async def batch_archive(request: Request, objectType: str) -> Response:
        object_type = object_type_param(objectType)
        inputs = batch_inputs(await json_body(request))
        for item in inputs:
            record = ops.resolve(state, object_type, str(item.get("id", "")), None)
            if record is not None:
                ops.archive(state, object_type, record)
        return Response(status_code=204)
