"""The CRM properties API's model: property definitions as HubSpot renders them, groups, and the
checks a create must pass.

From HubSpot's properties guide and reference
(https://developers.hubspot.com/docs/api-reference/latest/crm/properties/guide,
https://developers.hubspot.com/docs/api-reference/latest/crm/properties/create-property):

* a create needs ``name``, ``label``, ``type``, ``fieldType`` and ``groupName`` ("When creating or
  updating properties, both type and fieldType values are required"); the group must exist;
* ``type`` / ``fieldType`` pairs: bool: booleancheckbox, calculation_equation; enumeration:
  booleancheckbox, checkbox, radio, select, calculation_equation; date: date; datetime: date;
  string: file, text, textarea, calculation_equation, html, phonenumber; number: number,
  calculation_equation; phone_number: phonenumber;
* ``hasUniqueValue``: "Whether or not the property's value must be unique. Once set, this can't be
  changed"; HubSpot allows at most ten unique properties per object, on single-line text or number
  properties (the simulator refuses others with a 400);
* a name already in use answers 409 (the legacy reference: "Returns a 409 Conflict error if there is
  already a property with the 'name' you used. Property names must be unique";
  https://legacydocs.hubspot.com/docs/methods/contacts/v2/create_contacts_property). The body is an
  assumption: no source we found quotes it (searched: the v3 and 2026-03 properties reference and
  guide, the error-handling page, the official clients' issues and code: the Python client declares
  no 409 model), so it is HubSpot's standard error with category ``OBJECT_ALREADY_EXISTS``.

Internal names are lower-case letters, digits and underscores, starting with a letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sandbox.hubspot.errors import HubSpotError, validation_error
from sandbox.hubspot.schema import PropertyDef
from sandbox.kit.clock import iso_from_ms

JsonDict = dict[str, Any]

FIELD_TYPES: dict[str, frozenset[str]] = {
    "bool": frozenset({"booleancheckbox", "calculation_equation"}),
    "enumeration": frozenset({"booleancheckbox", "checkbox", "radio", "select", "calculation_equation"}),
    "date": frozenset({"date"}),
    "datetime": frozenset({"date"}),
    "string": frozenset({"file", "text", "textarea", "calculation_equation", "html", "phonenumber"}),
    "number": frozenset({"number", "calculation_equation"}),
    "phone_number": frozenset({"phonenumber"}),
}
DEFAULT_FIELD_TYPE = {
    "bool": "booleancheckbox",
    "enumeration": "select",
    "date": "date",
    "datetime": "date",
    "string": "text",
    "number": "number",
    "phone_number": "phonenumber",
}
UNIQUE_FIELD_TYPES = frozenset({("string", "text"), ("number", "number")})
MAX_UNIQUE_PER_OBJECT = 10
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,99}$")

DEFAULT_GROUPS: dict[str, tuple[str, str]] = {
    "companies": ("companyinformation", "Company information"),
    "contacts": ("contactinformation", "Contact information"),
    "deals": ("dealinformation", "Deal information"),
}


@dataclass
class PropertyGroup:
    name: str
    label: str
    display_order: int = -1

    def render(self) -> JsonDict:
        return {"name": self.name, "label": self.label, "displayOrder": self.display_order, "archived": False}


def default_groups() -> dict[str, dict[str, PropertyGroup]]:
    """Each object type's built-in information group."""
    return {obj: {name: PropertyGroup(name, label)} for obj, (name, label) in DEFAULT_GROUPS.items()}


def render(object_type: str, prop: PropertyDef) -> JsonDict:
    """A property as ``GET /crm/v3/properties/{objectType}`` lists it."""
    created = iso_from_ms(prop.created_ms)
    return {
        "name": prop.name,
        "label": prop.label or prop.name.replace("_", " ").capitalize(),
        "type": prop.type,
        "fieldType": prop.field_type or DEFAULT_FIELD_TYPE.get(prop.type, "text"),
        "description": prop.description,
        "groupName": prop.group or DEFAULT_GROUPS[object_type][0],
        "options": [
            {"label": value, "value": value, "displayOrder": n, "hidden": False} for n, value in enumerate(prop.options)
        ],
        "displayOrder": -1,
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": prop.unique,
        "hidden": False,
        "hubspotDefined": not prop.custom,
        "modificationMetadata": {
            "archivable": prop.custom,
            "readOnlyDefinition": not prop.custom,
            "readOnlyValue": prop.read_only,
        },
        "formField": prop.custom,
        "createdAt": created,
        "updatedAt": created,
        "archived": False,
    }


def _text(body: JsonDict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise validation_error(f"'{name}' is required and must be a non-empty string")
    return value.strip()


def parse_create(
    object_type: str,
    body: Any,
    existing: dict[str, PropertyDef],
    groups: dict[str, PropertyGroup],
    now_ms: int,
) -> PropertyDef:
    """The definition a ``POST /crm/v3/properties/{objectType}`` body creates; 400/409 otherwise."""
    if not isinstance(body, dict):
        raise validation_error("The request body must be a JSON object")
    name, label = _text(body, "name"), _text(body, "label")
    kind, field_type, group = _text(body, "type"), _text(body, "fieldType"), _text(body, "groupName")
    if not NAME_RE.match(name):
        raise validation_error(
            f"Property name '{name}' is invalid: use lower-case letters, digits and underscores, starting with a letter"
        )
    if name in existing:
        raise HubSpotError(409, "OBJECT_ALREADY_EXISTS", f"A property named '{name}' already exists.")
    if kind not in FIELD_TYPES:
        raise validation_error(f"'{kind}' is not a valid property type; valid types: {', '.join(sorted(FIELD_TYPES))}")
    if field_type not in FIELD_TYPES[kind]:
        allowed = ", ".join(sorted(FIELD_TYPES[kind]))
        raise validation_error(f"fieldType '{field_type}' is not valid for type '{kind}'; valid: {allowed}")
    if group not in groups:
        raise validation_error(f"Property group '{group}' does not exist for {object_type}")
    unique = body.get("hasUniqueValue", False)
    if not isinstance(unique, bool):
        raise validation_error("'hasUniqueValue' must be a boolean")
    if unique:
        if (kind, field_type) not in UNIQUE_FIELD_TYPES:
            raise validation_error("Only single-line text (string/text) and number properties can have unique values")
        if sum(1 for p in existing.values() if p.unique) >= MAX_UNIQUE_PER_OBJECT:
            raise validation_error(f"{object_type} already has {MAX_UNIQUE_PER_OBJECT} properties with unique values")
    options: tuple[str, ...] = ()
    if kind == "enumeration":
        raw = body.get("options")
        if not isinstance(raw, list) or not raw:
            raise validation_error("An enumeration property needs a non-empty 'options' list")
        values = [o.get("value") if isinstance(o, dict) else None for o in raw]
        if not all(isinstance(v, str) and v for v in values):
            raise validation_error("Each option needs a 'label' and a non-empty 'value'")
        options = tuple(str(v) for v in values)
    description = body.get("description")
    return PropertyDef(
        name=name,
        type=kind,
        options=options,
        unique=unique,
        field_type=field_type,
        label=label,
        group=group,
        description=description if isinstance(description, str) else "",
        custom=True,
        created_ms=now_ms,
    )


def parse_group(body: Any, groups: dict[str, PropertyGroup]) -> PropertyGroup:
    """The group a ``POST /crm/v3/properties/{objectType}/groups`` body creates; 400/409 otherwise."""
    if not isinstance(body, dict):
        raise validation_error("The request body must be a JSON object")
    name, label = _text(body, "name"), _text(body, "label")
    if not NAME_RE.match(name):
        raise validation_error(f"Property group name '{name}' is invalid")
    if name in groups:
        raise HubSpotError(409, "OBJECT_ALREADY_EXISTS", f"A property group named '{name}' already exists.")
    order = body.get("displayOrder", -1)
    return PropertyGroup(name, label, order if isinstance(order, int) else -1)
