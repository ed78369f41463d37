"""Validation of property writes (create / update / upsert), mirroring HubSpot's checks.

Each problem is one entry of HubSpot's ``Property values were not valid`` list; error codes used:
``PROPERTY_DOESNT_EXIST``, ``READ_ONLY_VALUE``, ``INVALID_EMAIL``, ``INVALID_OPTION``,
``INVALID_DECIMAL`` (number properties) and ``INVALID_DATE`` (date/datetime properties).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from sandbox.hubspot.errors import property_error
from sandbox.hubspot.schema import PropertyDef
from sandbox.hubspot.world import JsonDict
from sandbox.kit.clock import iso_from_ms, parse_time_value

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_valid_email(value: str) -> bool:
    """Whether ``value`` (trimmed) looks like an email address."""
    return bool(EMAIL_RE.match(value.strip()))


def clean_properties(
    object_type: str, raw: Any, defs: Mapping[str, PropertyDef]
) -> tuple[dict[str, str], list[JsonDict]]:
    """Convert a ``properties`` object to stored strings; return ``(clean, problems)``.

    ``""`` / ``null`` mean "clear this property".  Datetime values may be epoch-ms or ISO-8601 and
    are stored as ISO-8601 with milliseconds.
    """
    if raw is None:
        return {}, []
    if not isinstance(raw, Mapping):
        return {}, [property_error("properties", "INVALID_INPUT", "properties must be an object")]
    clean: dict[str, str] = {}
    problems: list[JsonDict] = []
    for name, value in raw.items():
        prop = defs.get(name)
        if prop is None:
            problems.append(property_error(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist'))
            continue
        if prop.read_only:
            problems.append(property_error(name, "READ_ONLY_VALUE", f'Property "{name}" is a read only property'))
            continue
        text = _to_text(value)
        if text == "":
            clean[name] = ""
            continue
        result = _check(object_type, prop, text)
        if isinstance(result, dict):
            problems.append(result)
        else:
            clean[name] = result
    return clean, problems


def _to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check(object_type: str, prop: PropertyDef, text: str) -> str | JsonDict:
    name = prop.name
    if object_type == "contacts" and name == "email":
        if not is_valid_email(text):
            return property_error(name, "INVALID_EMAIL", f"Email address {text} is invalid")
        return text.strip()
    if prop.type == "number":
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            return property_error(name, "INVALID_DECIMAL", f'"{text}" is not a valid number for property "{name}"')
        return text.strip()
    if prop.type in ("datetime", "date"):
        ms = parse_time_value(text)
        if ms is None:
            return property_error(name, "INVALID_DATE", f'"{text}" is not a valid date for property "{name}"')
        return iso_from_ms(ms)
    if prop.type == "enumeration" and prop.options and text not in prop.options:
        allowed = ", ".join(prop.options)
        return property_error(name, "INVALID_OPTION", f'"{text}" was not one of the allowed options: [{allowed}]')
    return text
