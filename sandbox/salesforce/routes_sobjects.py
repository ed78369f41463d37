"""sObject rows: create, read, update, delete, upsert / read / delete by external id, describe,
getUpdated / getDeleted (reference B4, B5, B7)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.salesforce import writes
from sandbox.salesforce.describe import basic_info, describe
from sandbox.salesforce.errors import SalesforceError, bad_request, not_found
from sandbox.salesforce.httpio import json_body, json_response, version_of
from sandbox.salesforce.ids import normalize_id
from sandbox.salesforce.replication import get_deleted, get_updated
from sandbox.salesforce.schema import ObjectDef
from sandbox.salesforce.state import SalesforceState
from sandbox.salesforce.store import Record
from sandbox.salesforce.values import serialize

S = "/services/data/v{version}/sobjects/{object_name}"
UPSERT_CREATED_FLAG_SINCE = 46


def record_body(obj: ObjectDef, record: Record, version: str, fields: list[str] | None = None) -> dict[str, Any]:
    """A record as ``GET /sobjects/{Object}/{Id}`` returns it."""
    out: dict[str, Any] = {
        "attributes": {"type": obj.name, "url": f"/services/data/v{version}/sobjects/{obj.name}/{record['Id']}"}
    }
    for name in fields or obj.fields:
        out[name] = serialize(obj.fields[name], record[name])
    return out


def save_result(record_id: str, created: bool | None = None) -> dict[str, Any]:
    """A SaveResult / UpsertResult body."""
    body: dict[str, Any] = {"id": record_id, "success": True, "errors": []}
    if created is not None:
        body["created"] = created
    return body


def _major(version: str) -> int:
    return int(version.split(".")[0])


def add_sobject_routes(router: APIRouter, state: SalesforceState) -> None:
    """Register the routes (specific paths before the ``{record_id}`` catch-alls)."""

    def sobject(name: str) -> ObjectDef:
        obj = state.store.resolve(name)
        if obj is None:
            raise not_found()
        return obj

    def locate(obj: ObjectDef, raw_id: str) -> Record:
        record_id = normalize_id(raw_id)
        if record_id is None or record_id[:3] != obj.prefix:
            raise not_found(f"Provided external ID field does not exist or is not accessible: {raw_id}")
        record = state.store.tables[obj.name].get(record_id)
        if record is None:
            raise not_found()
        if record["IsDeleted"]:
            raise SalesforceError(404, "ENTITY_IS_DELETED", "entity is deleted")
        return record

    def field_list(obj: ObjectDef, raw: str | None) -> list[str] | None:
        if not raw:
            return None
        names = []
        for part in (p.strip() for p in raw.split(",") if p.strip()):
            fd = obj.field(part)
            if fd is None:
                raise bad_request("INVALID_FIELD", f"No such column '{part}' on entity '{obj.name}'", [part])
            names.append(fd.name)
        return names

    def many(obj: ObjectDef, rows: list[Record], version: str) -> Response:
        return json_response([f"/services/data/v{version}/sobjects/{obj.name}/{r['Id']}" for r in rows], 300)

    @router.get(S)
    async def info(request: Request, object_name: str) -> Response:
        return json_response(basic_info(state.store, sobject(object_name), version_of(request)))

    @router.post(S)
    async def create(request: Request, object_name: str) -> Response:
        obj = sobject(object_name)
        if not obj.createable:
            raise writes.unsupported(obj, "insert")
        record = writes.create(state, obj, writes.prepare(state, obj, await json_body(request), creating=True))
        return json_response(save_result(record["Id"]), 201)

    @router.get(S + "/describe")
    async def describe_object(request: Request, object_name: str) -> Response:
        return json_response(describe(sobject(object_name), version_of(request)))

    @router.get(S + "/updated")
    async def updated(request: Request, object_name: str) -> Response:
        params = request.query_params
        return json_response(get_updated(state, sobject(object_name), params.get("start"), params.get("end")))

    @router.get(S + "/deleted")
    async def deleted(request: Request, object_name: str) -> Response:
        params = request.query_params
        return json_response(get_deleted(state, sobject(object_name), params.get("start"), params.get("end")))

    @router.get(S + "/{record_id}")
    async def read(request: Request, object_name: str, record_id: str) -> Response:
        obj = sobject(object_name)
        fields = field_list(obj, request.query_params.get("fields"))
        return json_response(record_body(obj, locate(obj, record_id), version_of(request), fields))

    @router.patch(S + "/{record_id}")
    async def update(request: Request, object_name: str, record_id: str) -> Response:
        obj = sobject(object_name)
        if not obj.updateable:
            raise writes.unsupported(obj, "update")
        record = locate(obj, record_id)
        writes.update(state, obj, record, writes.prepare(state, obj, await json_body(request), creating=False))
        return Response(status_code=204)

    @router.delete(S + "/{record_id}")
    async def delete(object_name: str, record_id: str) -> Response:
        obj = sobject(object_name)
        if not obj.deletable:
            raise writes.unsupported(obj, "delete")
        writes.delete(state, obj, locate(obj, record_id))
        return Response(status_code=204)

    @router.get(S + "/{field_name}/{value:path}")
    async def read_external(request: Request, object_name: str, field_name: str, value: str) -> Response:
        obj = sobject(object_name)
        rows = writes.find_external(state, obj, writes.external_field(obj, field_name), value)
        if not rows:
            raise not_found()
        if len(rows) > 1:
            return many(obj, rows, version_of(request))
        fields = field_list(obj, request.query_params.get("fields"))
        return json_response(record_body(obj, rows[0], version_of(request), fields))

    @router.delete(S + "/{field_name}/{value:path}")
    async def delete_external(request: Request, object_name: str, field_name: str, value: str) -> Response:
        obj = sobject(object_name)
        rows = writes.find_external(state, obj, writes.external_field(obj, field_name), value)
        if not rows:
            raise not_found()
        if len(rows) > 1:
            return many(obj, rows, version_of(request))
        writes.delete(state, obj, rows[0])
        return Response(status_code=204)

    @router.patch(S + "/{field_name}/{value:path}")
    async def upsert(request: Request, object_name: str, field_name: str, value: str) -> Response:
        obj = sobject(object_name)
        version = version_of(request)
        status, body = upsert_record(
            state,
            obj,
            field_name,
            value,
            await json_body(request),
            request.query_params.get("updateOnly", "").lower() == "true",
            version,
        )
        if status == 300:
            return many(obj, body, version)
        return json_response(body, status) if body is not None else Response(status_code=status)


def upsert_record(
    state: SalesforceState, obj: ObjectDef, field_name: str, value: str, body: Any, update_only: bool, version: str
) -> tuple[int, Any]:
    """Upsert semantics: ``(201, UpsertResult)``, ``(200, UpsertResult)`` (``(204, None)`` before v46)
    or ``(300, matching rows)``."""
    if not obj.createable or not obj.updateable:
        raise writes.unsupported(obj, "upsert")
    field = writes.external_field(obj, field_name)
    if not isinstance(body, dict):
        raise bad_request("JSON_PARSER_ERROR", "Cannot deserialize instance of sObject from a non-object value")
    body = dict(body)
    for key in [k for k in body if k.lower() == field.lower()]:
        if str(body.pop(key)).lower() != value.lower():
            raise bad_request("INVALID_FIELD", f"The value of {field} in the request body must match the URL", [field])
    rows = writes.find_external(state, obj, field, value)
    flag = _major(version) >= UPSERT_CREATED_FLAG_SINCE
    if len(rows) > 1:
        return 300, rows
    if rows:
        writes.update(state, obj, rows[0], writes.prepare(state, obj, body, creating=False))
        return (200, save_result(rows[0]["Id"], False)) if flag else (204, None)
    if update_only or field == "Id":
        raise not_found()
    record = writes.create(state, obj, writes.prepare(state, obj, {**body, field: value}, creating=True))
    return 201, save_result(record["Id"], True if flag else None)
