"""``/crm/v3/properties/{objectType}``: list, read, create and archive properties; list and create groups.

The dated twin is ``/crm/properties/2026-03/{objectType}``
(https://developers.hubspot.com/docs/api-reference/latest/crm/properties/create-property).
A created property is writable and readable on records at once; one with ``hasUniqueValue`` becomes
an ``idProperty`` for reads, batch update and batch upsert, and two live records never share a value
of it (``operations.check_unique_values``). The model and its checks are in ``properties.py``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.hubspot import properties
from sandbox.hubspot.errors import HubSpotError
from sandbox.hubspot.params import bool_param, json_body, object_type_param
from sandbox.hubspot.responses import json_response
from sandbox.hubspot.state import HubSpotState


def add_property_routes(router: APIRouter, state: HubSpotState) -> None:
    """The properties API (groups first: ``/groups`` is not a property name)."""

    @router.get("/crm/v3/properties/{objectType}/groups")
    async def list_groups(objectType: str) -> Response:
        object_type = object_type_param(objectType)
        groups = state.property_groups[object_type].values()
        return json_response({"results": [g.render() for g in groups]})

    @router.post("/crm/v3/properties/{objectType}/groups")
    async def create_group(request: Request, objectType: str) -> Response:
        object_type = object_type_param(objectType)
        groups = state.property_groups[object_type]
        group = properties.parse_group(await json_body(request), groups)
        groups[group.name] = group
        return json_response(group.render(), 201)

    @router.get("/crm/v3/properties/{objectType}")
    async def list_properties(request: Request, objectType: str) -> Response:
        object_type = object_type_param(objectType)
        if bool_param(request, "archived"):
            return json_response({"results": []})  # nothing is ever archived here
        defs = state.schema[object_type].values()
        return json_response({"results": [properties.render(object_type, p) for p in defs]})

    @router.get("/crm/v3/properties/{objectType}/{propertyName}")
    async def read_property(objectType: str, propertyName: str) -> Response:
        object_type = object_type_param(objectType)
        prop = state.schema[object_type].get(propertyName)
        if prop is None:
            raise HubSpotError(
                404,
                "OBJECT_NOT_FOUND",
                f"Unable to find property {propertyName} for object type {object_type}",
                context={"propertyName": [propertyName]},
            )
        return json_response(properties.render(object_type, prop))

    @router.post("/crm/v3/properties/{objectType}")
    async def create_property(request: Request, objectType: str) -> Response:
        object_type = object_type_param(objectType)
        defs = state.schema[object_type]
        prop = properties.parse_create(
            object_type, await json_body(request), defs, state.property_groups[object_type], state.clock.now_ms()
        )
        defs[prop.name] = prop
        state.known[object_type].add(prop.name)
        return json_response(properties.render(object_type, prop), 201)

    @router.delete("/crm/v3/properties/{objectType}/{propertyName}")
    async def archive_property(objectType: str, propertyName: str) -> Response:
        """Archive a custom property (HubSpot-defined ones cannot be): its values stop being served."""
        object_type = object_type_param(objectType)
        prop = state.schema[object_type].get(propertyName)
        if prop is None:
            raise HubSpotError(404, "OBJECT_NOT_FOUND", f"Unable to find property {propertyName}")
        if not prop.custom:
            raise HubSpotError(
                400, "VALIDATION_ERROR", f"Property {propertyName} is HubSpot-defined; it cannot be archived"
            )
        del state.schema[object_type][propertyName]
        state.known[object_type].discard(propertyName)
        state.store.tables[object_type].unique.pop(propertyName, None)
        return Response(status_code=204)
