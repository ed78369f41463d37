"""sObject Collections (``/composite/sobjects``, reference B6): create, update, upsert, retrieve, delete.

At most 200 records per call (else 400 ``EXCEEDED_ID_LIMIT``); each record needs
``attributes.type`` (else 400 ``INVALID_TYPE``).  A well-formed call answers 200 with one result per
record, in input order: ``{"id", "success": true, "errors": []}`` (upsert adds ``created``) or
``{"success": false, "errors": [{"statusCode", "message", "fields"}]}`` (with ``id`` when known).
With ``allOrNone`` every record is validated first; if any fails nothing is written and the valid
ones report ``ALL_OR_NONE_OPERATION_ROLLED_BACK``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.salesforce import writes
from sandbox.salesforce.errors import SalesforceError, bad_request
from sandbox.salesforce.httpio import json_body, json_response, version_of
from sandbox.salesforce.ids import normalize_id
from sandbox.salesforce.routes_sobjects import record_body
from sandbox.salesforce.schema import ObjectDef
from sandbox.salesforce.state import SalesforceState

C = "/services/data/v{version}/composite/sobjects"
MAX_RECORDS = 200
ROLLED_BACK = SalesforceError(
    400,
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using AllOrNone header",
)
Apply = Callable[[], dict[str, Any]]


def _collection(body: Any) -> tuple[bool, list[dict[str, Any]]]:
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise bad_request("JSON_PARSER_ERROR", "Expected an object with a 'records' array")
    records = body["records"]
    if len(records) > MAX_RECORDS:
        raise bad_request(
            "EXCEEDED_ID_LIMIT", f"record limit reached. cannot submit more than {MAX_RECORDS} records into this call"
        )
    if not all(isinstance(r, dict) for r in records):
        raise bad_request("JSON_PARSER_ERROR", "Every record must be a JSON object")
    all_or_none = body.get("allOrNone", False)
    if not isinstance(all_or_none, bool):
        raise bad_request("JSON_PARSER_ERROR", "'allOrNone' must be a boolean")
    return all_or_none, records


def _failure(error: SalesforceError, record_id: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": record_id} if record_id else {}
    return {**out, "success": False, "errors": [error.item()]}


def _run(plans: list[tuple[Apply | SalesforceError, str | None]], all_or_none: bool) -> list[dict[str, Any]]:
    """Apply validated plans (or report their errors), honouring ``allOrNone``."""
    if all_or_none and any(isinstance(plan, SalesforceError) for plan, _ in plans):
        return [_failure(plan if isinstance(plan, SalesforceError) else ROLLED_BACK, rid) for plan, rid in plans]
    results = []
    for plan, record_id in plans:
        if isinstance(plan, SalesforceError):
            results.append(_failure(plan, record_id))
            continue
        try:
            results.append(plan())
        except SalesforceError as exc:
            results.append(_failure(exc, record_id))
    return results


def add_composite_routes(router: APIRouter, state: SalesforceState) -> None:
    """Register the routes."""

    def typed(record: dict[str, Any]) -> ObjectDef:
        attributes = record.get("attributes")
        name = attributes.get("type") if isinstance(attributes, dict) else None
        obj = state.store.resolve(name) if isinstance(name, str) else None
        if obj is None:
            raise bad_request(
                "INVALID_TYPE", "Must send a concrete entity type." if not name else f"Invalid type: {name}"
            )
        return obj

    def plan_create(obj: ObjectDef, record: dict[str, Any]) -> Apply:
        if not obj.createable:
            raise writes.unsupported(obj, "insert")
        clean = writes.prepare(state, obj, record, creating=True)
        return lambda: {"id": writes.create(state, obj, clean)["Id"], "success": True, "errors": []}

    def plan_update(obj: ObjectDef, record: dict[str, Any]) -> tuple[Apply, str | None]:
        raw = next((v for k, v in record.items() if k.lower() == "id"), None)
        if not raw:
            raise bad_request("MISSING_ARGUMENT", "Id not specified in an update call", ["Id"])
        record_id = normalize_id(str(raw))
        if record_id is None or record_id[:3] != obj.prefix:
            raise bad_request("MALFORMED_ID", f"{obj.label} ID: id value of incorrect type: {raw}", ["Id"])
        if not obj.updateable:
            raise writes.unsupported(obj, "update")
        row = state.store.tables[obj.name].get(record_id)
        if row is None:
            raise bad_request("INVALID_CROSS_REFERENCE_KEY", f"invalid cross reference id: {raw}", ["Id"])
        if row["IsDeleted"]:
            raise bad_request("ENTITY_IS_DELETED", "entity is deleted", ["Id"])
        clean = writes.prepare(state, obj, record, creating=False)

        def apply() -> dict[str, Any]:
            writes.update(state, obj, row, clean)
            return {"id": row["Id"], "success": True, "errors": []}

        return apply, row["Id"]

    def plans_for(records: list[dict[str, Any]], make: Callable[[int], tuple[Apply, str | None]]) -> Any:
        plans: list[tuple[Apply | SalesforceError, str | None]] = []
        for index, record in enumerate(records):
            try:
                plans.append(make(index))
            except SalesforceError as exc:
                known = next((v for k, v in record.items() if k.lower() == "id"), None)
                plans.append((exc, normalize_id(str(known)) if known else None))
        return plans

    @router.post(C)
    async def create(request: Request) -> Response:
        all_or_none, records = _collection(await json_body(request))
        objs = [typed(r) for r in records]
        return json_response(_run(plans_for(records, lambda n: (plan_create(objs[n], records[n]), None)), all_or_none))

    @router.patch(C)
    async def update(request: Request) -> Response:
        all_or_none, records = _collection(await json_body(request))
        objs = [typed(r) for r in records]
        return json_response(_run(plans_for(records, lambda n: plan_update(objs[n], records[n])), all_or_none))

    @router.patch(C + "/{object_name}/{field_name}")
    async def upsert(request: Request, object_name: str, field_name: str) -> Response:
        all_or_none, records = _collection(await json_body(request))
        obj = state.store.resolve(object_name)
        if obj is None or any(typed(r).name != obj.name for r in records):
            raise bad_request("INVALID_TYPE", f"Invalid type: {object_name}")
        field = writes.external_field(obj, field_name)
        values = [next((v for k, v in r.items() if k.lower() == field.lower()), None) for r in records]
        counts: dict[str, int] = {}
        for value in values:
            if value is not None:
                counts[str(value).lower()] = counts.get(str(value).lower(), 0) + 1

        def make(index: int) -> tuple[Apply, str | None]:
            value = values[index]
            if value is None or value == "":
                raise bad_request("MISSING_ARGUMENT", f"{field} not specified", [field])
            if counts[str(value).lower()] > 1:
                raise bad_request("DUPLICATE_EXTERNAL_ID", f"Duplicate external id specified: {value}", [field])
            rows = writes.find_external(state, obj, field, str(value))
            if len(rows) > 1:
                ids = ", ".join(r["Id"] for r in rows)
                raise bad_request(
                    "DUPLICATE_EXTERNAL_ID",
                    f"{field}: more than one record found for external id field: [{ids}]",
                    [field],
                )
            body = {k: v for k, v in records[index].items() if k.lower() != field.lower()}
            if rows:
                row, clean = rows[0], writes.prepare(state, obj, body, creating=False)

                def apply_update() -> dict[str, Any]:
                    writes.update(state, obj, row, clean)
                    return {"id": row["Id"], "success": True, "errors": [], "created": False}

                return apply_update, row["Id"]
            create_clean = writes.prepare(state, obj, {**body, field: value}, creating=True)
            return (
                lambda: {
                    "id": writes.create(state, obj, create_clean)["Id"],
                    "success": True,
                    "errors": [],
                    "created": True,
                }
            ), None

        return json_response(_run(plans_for(records, make), all_or_none))

    @router.get(C + "/{object_name}")
    async def retrieve(request: Request, object_name: str) -> Response:
        obj = state.store.resolve(object_name)
        if obj is None:
            raise bad_request("INVALID_TYPE", f"Invalid type: {object_name}")
        ids = [p for p in request.query_params.get("ids", "").split(",") if p.strip()]
        raw_fields = [p.strip() for p in request.query_params.get("fields", "").split(",") if p.strip()]
        if not ids or not raw_fields:
            raise bad_request("MISSING_ARGUMENT", "Both 'ids' and 'fields' are required")
        if len(ids) > 2000:
            raise bad_request("EXCEEDED_ID_LIMIT", "cannot retrieve more than 2000 records in one call")
        fields = []
        for name in raw_fields:
            fd = obj.field(name)
            if fd is None:
                raise bad_request("INVALID_FIELD", f"No such column '{name}' on entity '{obj.name}'", [name])
            fields.append(fd.name)
        out: list[Any] = []
        for raw in ids:
            record_id = normalize_id(raw.strip())
            row = state.store.tables[obj.name].get_live(record_id) if record_id else None
            out.append(record_body(obj, row, version_of(request), fields) if row else None)
        return json_response(out)

    @router.delete(C)
    async def delete(request: Request) -> Response:
        ids = [p.strip() for p in request.query_params.get("ids", "").split(",") if p.strip()]
        if len(ids) > MAX_RECORDS:
            raise bad_request(
                "EXCEEDED_ID_LIMIT",
                f"record limit reached. cannot submit more than {MAX_RECORDS} records into this call",
            )
        all_or_none = request.query_params.get("allOrNone", "false").lower() == "true"
        plans: list[tuple[Apply | SalesforceError, str | None]] = []
        for raw in ids:
            try:
                plans.append(plan_delete(state, raw))
            except SalesforceError as exc:
                plans.append((exc, raw))
        return json_response(_run(plans, all_or_none))


def plan_delete(state: SalesforceState, raw: str) -> tuple[Apply, str]:
    """Validate one id of a collection delete."""
    record_id = normalize_id(raw)
    if record_id is None:
        raise bad_request("MALFORMED_ID", f"malformed id {raw}")
    found = state.store.find(record_id)
    if found is None:
        raise bad_request("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    name, row = found
    obj = state.store.objects[name]
    if not obj.deletable:
        raise writes.unsupported(obj, "delete")
    if row["IsDeleted"]:
        raise bad_request("ENTITY_IS_DELETED", "entity is deleted")

    def apply() -> dict[str, Any]:
        if row["IsDeleted"]:
            raise bad_request("ENTITY_IS_DELETED", "entity is deleted")
        writes.delete(state, obj, row)
        return {"id": record_id, "success": True, "errors": []}

    return apply, record_id
