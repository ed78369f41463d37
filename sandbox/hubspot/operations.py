"""Write operations shared by the REST handlers and the test-control ``mutate`` endpoint."""

from __future__ import annotations

from typing import Any

from sandbox.hubspot.assoc_types import lookup
from sandbox.hubspot.errors import HubSpotError, invalid_properties_message, validation_error
from sandbox.hubspot.records import Record
from sandbox.hubspot.schema import OBJECT_SINGULAR, OBJECT_TYPE_IDS, UNIQUE_PROPERTIES
from sandbox.hubspot.state import HubSpotState
from sandbox.hubspot.validation import clean_properties
from sandbox.kit.clock import parse_time_value


def clean_or_raise(state: HubSpotState, object_type: str, raw: Any) -> dict[str, str]:
    """Validated property strings, or the HubSpot 400 ``Property values were not valid``."""
    clean, problems = clean_properties(object_type, raw, state.schema[object_type])
    if problems:
        raise validation_error(invalid_properties_message(problems))
    return clean


def unique_properties(state: HubSpotState, object_type: str) -> set[str]:
    """Properties whose values identify one record: ``email`` (contacts) and ``hasUniqueValue`` ones."""
    custom = {name for name, prop in state.schema[object_type].items() if prop.unique}
    return set(UNIQUE_PROPERTIES[object_type]) | custom


def check_id_property(state: HubSpotState, object_type: str, id_property: str | None) -> str:
    """The unique property to resolve ids with (default ``hs_object_id``); 400 if not unique."""
    prop = id_property or "hs_object_id"
    if prop != "hs_object_id" and prop not in unique_properties(state, object_type):
        raise validation_error(f"Property '{prop}' is not a unique identifier property for {object_type}")
    return prop


def non_unique_id_property(state: HubSpotState, object_type: str, id_property: str) -> HubSpotError:
    """HubSpot's 400 for a batch update/upsert whose ``idProperty`` has no unique values (the record
    id ``hs_object_id`` included: it goes in ``id`` without ``idProperty``), refusing the whole batch.

    Quoted from live answers: "Unable to perform update/upsert by non-unique 0-2 property
    hs_object_id in portal ID 21939747" (https://github.com/segmentio/action-destinations/pull/3957),
    "... non-unique 0-2 property domain" and "... 0-3 property dealname" (public integration notes).
    """
    type_id = OBJECT_TYPE_IDS[object_type]
    return validation_error(
        f"Unable to perform update/upsert by non-unique {type_id} property {id_property} "
        f"in portal ID {state.config.hub_id}"
    )


def check_write_id_properties(state: HubSpotState, object_type: str, inputs: list[dict[str, Any]]) -> None:
    """Refuse the whole batch if any input names an ``idProperty`` without unique values."""
    unique = unique_properties(state, object_type)
    for item in inputs:
        prop = item.get("idProperty")
        if prop not in (None, "") and str(prop) not in unique:
            raise non_unique_id_property(state, object_type, str(prop))


def check_unique_values(
    state: HubSpotState, object_type: str, props: dict[str, str], record: Record | None = None
) -> None:
    """409 if a unique property (a new contact's ``email``, a custom ``hasUniqueValue`` one) would
    hold a value another live record holds.

    A new contact's email: HubSpot answers 409 ``{"status": "error", "message": "Contact already
    exists. Existing ID: N", "correlationId": ..., "category": "CONFLICT"}`` (quoted from live
    answers to creates in https://github.com/HubSpot/hubspot-api-nodejs/issues/545 and
    https://github.com/HubSpot/hubspot-api-python/issues/51). An update that gives a contact the
    email of another is not checked: no source we found shows HubSpot's answer to it (one report,
    https://github.com/stape-io/hubspot-tag/issues/7, titles a 409 "when updating" without the
    request), so the simulator keeps accepting it; an assumption, and a risk for the hub, which
    writes golden emails to every HubSpot contact of a cluster.

    A custom unique property: HubSpot refuses the duplicate, but the body of that refusal is in no
    source we found (searched: HubSpot's API reference and properties guide, the official clients'
    issues, public integration code; the official Python client declares no 409 body). Assumed to
    answer like the email case (409, ``CONFLICT``, "... Existing ID: N"), with a ``context``.
    """
    table = state.store.tables[object_type]
    builtin = UNIQUE_PROPERTIES[object_type]
    for name, value in props.items():
        prop = state.schema[object_type].get(name)
        checked = (name in builtin and record is None) or (prop is not None and prop.unique)
        if not value or not checked:
            continue
        holder = table.find_unique(name, value)
        if holder is None or (record is not None and holder.id == record.id):
            continue
        if name in builtin:
            raise HubSpotError(
                409, "CONFLICT", f"{OBJECT_SINGULAR[object_type].title()} already exists. Existing ID: {holder.id}"
            )
        raise HubSpotError(
            409,
            "CONFLICT",
            f"A {OBJECT_SINGULAR[object_type].lower()} with {name} {value!r} already exists "
            f"(the property has unique values). Existing ID: {holder.id}",
            context={"id": [str(holder.id)], "propertyName": [name]},
        )


def resolve(
    state: HubSpotState, object_type: str, value: str, id_property: str | None, archived: bool = False
) -> Record | None:
    """Find a record by id or by a unique property value."""
    table = state.store.tables[object_type]
    prop = check_id_property(state, object_type, id_property)
    if prop == "hs_object_id":
        return table.get(int(value), archived) if value.strip().isdigit() else None
    if archived:
        return next(
            (
                r
                for r in table.records.values()
                if r.archived and r.properties.get(prop, "").strip().lower() == value.strip().lower()
            ),
            None,
        )
    return table.find_unique(prop, value)


def parse_associations(state: HubSpotState, object_type: str, raw: Any) -> list[tuple[str, int, list[int]]]:
    """Validate create-time ``associations`` → ``[(to_type, to_id, [type ids])]``; 400 if invalid."""
    out: list[tuple[str, int, list[int]]] = []
    for item in raw or []:
        to_id_raw = str(((item or {}).get("to") or {}).get("id", "")) if isinstance(item, dict) else ""
        types = item.get("types") if isinstance(item, dict) else None
        if not to_id_raw.isdigit() or not isinstance(types, list) or not types:
            raise validation_error("Each association needs 'to.id' and a non-empty 'types' list")
        to_type: str | None = None
        type_ids: list[int] = []
        for spec in types:
            found = lookup(int(spec.get("associationTypeId", -1)), spec.get("associationCategory"))
            if found is None or found.from_type != object_type or (to_type and found.to_type != to_type):
                raise validation_error(f"Invalid association type {spec!r} from {object_type}")
            to_type = found.to_type
            type_ids.append(found.type_id)
        assert to_type is not None
        if state.store.tables[to_type].get_live(int(to_id_raw)) is None:
            raise HubSpotError(
                400,
                "VALIDATION_ERROR",
                f"Association target {to_type} {to_id_raw} does not exist",
                context={"id": [to_id_raw]},
            )
        out.append((to_type, int(to_id_raw), type_ids))
    return out


def create(
    state: HubSpotState,
    object_type: str,
    props: dict[str, str],
    associations: list[tuple[str, int, list[int]]] | None = None,
    source: str = "API",
) -> Record:
    """Create a record from validated properties (and validated associations).

    ``source`` is the webhook ``changeSource`` (``API`` for REST calls, ``CRM`` for simulated users).
    """
    check_unique_values(state, object_type, props)
    table = state.store.tables[object_type]
    now = state.clock.now_ms()
    created = now
    if props.get("createdate"):
        created = min(now, parse_time_value(props["createdate"]) or now)
    record_id = table.next_id()
    values = {k: v for k, v in props.items() if v != ""}
    values["hs_object_id"] = str(record_id)
    record = Record(id=record_id, properties=values, created_ms=created, updated_ms=now)
    record.properties["createdate"] = record.created_iso
    record.properties[table.lastmod_property] = record.updated_iso
    table.add(record)
    for to_type, to_id, type_ids in associations or []:
        state.store.graph.add(object_type, record_id, to_type, to_id, type_ids)
    state.webhooks.created(object_type, record, props, source)
    return record


def update(state: HubSpotState, object_type: str, record: Record, props: dict[str, str], source: str = "API") -> Record:
    """Apply validated property changes to a live record (one webhook event per changed property)."""
    check_unique_values(state, object_type, props, record)
    changes = {k: v for k, v in props.items() if record.properties.get(k, "") != v}
    if state.store.tables[object_type].write(record, props, state.clock.now_ms()):
        state.webhooks.changed(object_type, record, changes, source)
    return record


def archive(state: HubSpotState, object_type: str, record: Record, source: str = "API") -> None:
    """Archive a live record."""
    if record.archived:
        return
    state.store.tables[object_type].archive(record, state.clock.now_ms())
    state.webhooks.deleted(object_type, record, source)
