"""Parsing and validating the body of ``POST /crm/v3/objects/{type}/search``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.hubspot.errors import validation_error
from sandbox.hubspot.params import check_limit, string_list
from sandbox.hubspot.schema import PropertyDef
from sandbox.kit.clock import parse_time_value

OPERATORS = frozenset(
    {
        "EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN",
        "HAS_PROPERTY", "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN",
    }
)  # fmt: skip
MAX_GROUPS = 6
MAX_FILTERS = 25
MAX_LIMIT = 200
MAX_QUERY_LENGTH = 3000


@dataclass(frozen=True, slots=True)
class Filter:
    """One filter with its comparison operands already converted for the property type."""

    prop: str
    operator: str
    kind: str
    value: Any = None
    high: Any = None
    values: tuple[Any, ...] = ()


@dataclass(slots=True)
class SearchQuery:
    """A validated search request."""

    groups: list[list[Filter]] = field(default_factory=list)
    sorts: list[tuple[str, bool]] = field(default_factory=list)
    query: str = ""
    properties: list[str] | None = None
    limit: int = 10
    after: int = 0


def property_kind(prop: PropertyDef | None) -> str:
    """How values of a property compare: ``time``, ``number`` or ``text``."""
    if prop is None:
        return "text"
    if prop.type in ("datetime", "date"):
        return "time"
    if prop.type == "number":
        return "number"
    return "text"


def convert(kind: str, raw: Any, prop: str) -> Any:
    """Convert a filter operand to the comparable form; 400 if it does not fit the property type."""
    if raw is None:
        raise validation_error(f"Filter on '{prop}' needs a value")
    text = str(raw).strip()
    if kind == "time":
        ms = parse_time_value(text)
        if ms is None:
            raise validation_error(f"'{text}' is not a valid date value for property '{prop}'")
        return ms
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            raise validation_error(f"'{text}' is not a valid number for property '{prop}'") from None
    return text.lower()


def parse_search(body: dict[str, Any], defs: dict[str, PropertyDef]) -> SearchQuery:
    """Validate a search body against the object type's property definitions."""
    query = SearchQuery()
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list) or len(groups) > MAX_GROUPS:
        raise validation_error(f"filterGroups must be a list of at most {MAX_GROUPS} groups")
    total = 0
    for group in groups:
        filters = group.get("filters") if isinstance(group, dict) else None
        if not isinstance(filters, list):
            raise validation_error("Each filter group needs a 'filters' list")
        total += len(filters)
        query.groups.append([_parse_filter(f, defs) for f in filters])
    if total > MAX_FILTERS:
        raise validation_error(f"Too many filters: {total} (maximum {MAX_FILTERS})")
    query.sorts = [_parse_sort(s, defs) for s in body.get("sorts") or []]
    text = body.get("query") or ""
    if not isinstance(text, str) or len(text) > MAX_QUERY_LENGTH:
        raise validation_error(f"query must be a string of at most {MAX_QUERY_LENGTH} characters")
    query.query = text.strip()
    if body.get("properties") is not None:
        query.properties = string_list(body.get("properties"), "properties")
    if body.get("limit") is not None:
        query.limit = check_limit(body["limit"], "limit", MAX_LIMIT)
    after = body.get("after")
    if after not in (None, ""):
        try:
            query.after = int(str(after))
        except ValueError:
            raise validation_error(f"Invalid 'after' value: {after}") from None
        if query.after < 0:
            raise validation_error(f"Invalid 'after' value: {after}")
    return query


def _parse_filter(raw: Any, defs: dict[str, PropertyDef]) -> Filter:
    if not isinstance(raw, dict) or not raw.get("propertyName") or not raw.get("operator"):
        raise validation_error("Each filter needs 'propertyName' and 'operator'")
    prop = str(raw["propertyName"])
    operator = str(raw["operator"]).upper()
    if operator not in OPERATORS:
        raise validation_error(f"Unknown filter operator: {operator}")
    if prop not in defs:
        raise validation_error(f"Property '{prop}' does not exist on this object type")
    kind = property_kind(defs[prop])
    if operator in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        return Filter(prop, operator, kind)
    if operator in ("IN", "NOT_IN"):
        values = raw.get("values")
        if not isinstance(values, list) or not values:
            raise validation_error(f"Operator {operator} needs a non-empty 'values' list")
        return Filter(prop, operator, kind, values=tuple(convert(kind, v, prop) for v in values))
    if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        return Filter(prop, operator, "text", value=convert("text", raw.get("value"), prop))
    value = convert(kind, raw.get("value"), prop)
    if operator == "BETWEEN":
        return Filter(prop, operator, kind, value=value, high=convert(kind, raw.get("highValue"), prop))
    return Filter(prop, operator, kind, value=value)


def _parse_sort(raw: Any, defs: dict[str, PropertyDef]) -> tuple[str, bool]:
    """``"createdate"`` / ``"-createdate"`` or ``{"propertyName", "direction"}`` → (prop, descending)."""
    if isinstance(raw, str):
        descending = raw.startswith("-")
        prop = raw.lstrip("-")
    elif isinstance(raw, dict) and raw.get("propertyName"):
        prop = str(raw["propertyName"])
        direction = str(raw.get("direction") or "ASCENDING").upper()
        if direction not in ("ASCENDING", "DESCENDING"):
            raise validation_error(f"Invalid sort direction: {direction}")
        descending = direction == "DESCENDING"
    else:
        raise validation_error("Each sort must be a property name or {propertyName, direction}")
    if prop not in defs:
        raise validation_error(f"Cannot sort by unknown property '{prop}'")
    return prop, descending
