"""Merging two records: ``POST /crm/v3/objects/{objectType}/merge`` (and its date-versioned twin).

HubSpot (reference A2; https://developers.hubspot.com/docs/api-reference/latest/crm/objects/contacts/merge-contacts):
body ``{"primaryObjectId": "...", "objectIdToMerge": "..."}``, both required, answered 200 with the
surviving record (a ``SimplePublicObject``). What the simulator does:

* the primary record survives with its id; a property it lacks takes the merged record's value;
* the merged record's associations move to the survivor;
* the survivor's read-only ``hs_merged_object_ids`` lists, ";"-separated, every id merged into it
  (those merged into the merged record too);
* the merged-away record leaves both listings (it is neither live nor archived); reading it by id
  (``GET .../{id}``, ``batch/read``) answers 200 with the record it was merged into, under that
  record's id (:func:`merged_into`). HubSpot's changelog: "both of the previous IDs will point to the
  resulting merged record, so fetching any records using the original IDs will return the new merged
  record with the new ID"
  (https://developers.hubspot.com/changelog/updated-merge-functionality-for-contacts-and-companies);
  a batch/read by an old id returns the survivor under its own id (reported in
  https://community.hubspot.com/t5/APIs-Integrations/Question-about-using-batch-read-API/m-p/1101616).
  The same changelog says a contact or company merge now creates a new record with a new id; the
  simulator keeps the primary's id (the survivor is still found from either old id);
* a ``{contact,company,deal}.merge`` webhook event (``primaryObjectId``, ``mergedObjectIds``,
  ``newObjectId``, ``numberOfPropertiesMoved``) goes to matching subscriptions.

Refused as HubSpot refuses: a missing or non-numeric id, the same id twice (400 ``VALIDATION_ERROR``),
an id that is not a live record (404 ``OBJECT_NOT_FOUND``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.hubspot.errors import not_found, validation_error
from sandbox.hubspot.params import json_body, object_type_param
from sandbox.hubspot.records import Record
from sandbox.hubspot.responses import json_response
from sandbox.hubspot.schema import OBJECT_TYPES
from sandbox.hubspot.serialize import Renderer
from sandbox.hubspot.state import HubSpotState

MERGED_PROPERTY = "hs_merged_object_ids"


def merged_ids(record: Record) -> list[str]:
    return [part for part in record.properties.get(MERGED_PROPERTY, "").split(";") if part]


def merged_into(state: HubSpotState, object_type: str, object_id: str) -> Record | None:
    """The live record an id was merged into, if it was."""
    if not object_id.strip().isdigit():
        return None
    wanted = str(int(object_id))
    return next((r for r in state.store.tables[object_type].live() if wanted in merged_ids(r)), None)


def merge(state: HubSpotState, object_type: str, primary: Record, other: Record, source: str = "API") -> Record:
    """Merge ``other`` into ``primary`` (see the module docstring); the survivor."""
    table = state.store.tables[object_type]
    moved = {k: v for k, v in other.properties.items() if v and not primary.properties.get(k) and k in _copyable()}
    ids = [*merged_ids(primary), str(other.id), *merged_ids(other)]
    graph = state.store.graph
    for to_type in OBJECT_TYPES:
        if to_type == object_type:
            continue
        for to_id, type_ids in list(graph.targets(object_type, other.id, to_type).items()):
            graph.add(object_type, primary.id, to_type, to_id, type_ids)
            graph.remove(object_type, other.id, to_type, to_id)
    table.remove(other)
    table.write(primary, {**moved, MERGED_PROPERTY: ";".join(dict.fromkeys(ids))}, state.clock.now_ms())
    state.webhooks.merged(object_type, primary, [other.id], len(moved), source)
    return primary


def _copyable() -> set[str]:
    # system properties stay the survivor's own
    return {"name", "domain", "website", "phone", "city", "country", "industry", "email", "firstname", "lastname",
            "jobtitle", "company", "amount", "dealname", "dealstage", "closedate", "description"}  # fmt: skip


def _id(body: dict[str, object], name: str) -> str:
    value = body.get(name)
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not text:
        raise validation_error(f"Invalid input JSON: missing required field '{name}'")
    if not text.isdigit():
        raise validation_error(f"{name} must be a numeric object id, got '{text}'")
    return text


def add_merge_routes(router: APIRouter, state: HubSpotState) -> None:
    """``POST /crm/v3/objects/{objectType}/merge``."""

    @router.post("/crm/v3/objects/{objectType}/merge")
    async def merge_objects(request: Request, objectType: str) -> Response:
        object_type = object_type_param(objectType)
        body = await json_body(request)
        primary_id, other_id = _id(body, "primaryObjectId"), _id(body, "objectIdToMerge")
        if int(primary_id) == int(other_id):
            raise validation_error("Cannot merge an object with itself")
        table = state.store.tables[object_type]
        primary, other = table.get_live(int(primary_id)), table.get_live(int(other_id))
        if primary is None:
            raise not_found(primary_id)
        if other is None:
            raise not_found(other_id)
        survivor = merge(state, object_type, primary, other)
        renderer = Renderer(object_type, list(survivor.properties), state.known[object_type])
        return json_response(renderer.render(survivor))
