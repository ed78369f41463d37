"""Query-string and body parsing the way HubSpot tolerates it.

List parameters arrive as repeated keys (the Python SDK) or comma-separated (the docs); booleans
as ``true``/``True``/``TRUE``.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request

from sandbox.hubspot.errors import validation_error
from sandbox.hubspot.schema import normalize_object_type


def list_param(request: Request, name: str) -> list[str] | None:
    """All values of ``name``, split on commas; ``None`` when the key is absent."""
    raw = request.query_params.getlist(name)
    if not raw:
        return None
    return [part.strip() for value in raw for part in value.split(",") if part.strip()]


def bool_param(request: Request, name: str, default: bool = False) -> bool:
    """A boolean parameter, case-insensitive; 400 on anything but true/false."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    return parse_bool(raw, name)


def parse_bool(raw: Any, name: str) -> bool:
    """Parse a boolean from a query value or JSON value."""
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise validation_error(f"Invalid boolean value for '{name}': {raw}")


def int_param(request: Request, name: str, default: int, maximum: int) -> int:
    """A positive integer parameter no greater than ``maximum`` (400 otherwise)."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    return check_limit(raw, name, maximum)


def check_limit(raw: Any, name: str, maximum: int) -> int:
    """Validate a page size given as text or number."""
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise validation_error(f"Invalid integer value for '{name}': {raw}") from None
    if value < 1 or value > maximum:
        raise validation_error(f"'{name}' must be between 1 and {maximum}, got {value}")
    return value


def object_type_param(raw: str) -> str:
    """Resolve ``companies``/``company``/``0-2`` (etc.); 400 for unknown object types."""
    object_type = normalize_object_type(raw)
    if object_type is None:
        raise validation_error(f"Unable to infer object type from: {raw}")
    return object_type


def object_types_param(values: list[str] | None) -> list[str]:
    """Resolve the ``associations`` list (unknown names are ignored, like HubSpot)."""
    out: list[str] = []
    for value in values or []:
        object_type = normalize_object_type(value)
        if object_type and object_type not in out:
            out.append(object_type)
    return out


async def json_body(request: Request) -> dict[str, Any]:
    """The request body as a JSON object; 400 on invalid JSON or a non-object."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise validation_error(f"Invalid input JSON: {exc}") from None
    if not isinstance(body, dict):
        raise validation_error("Invalid input JSON: expected an object")
    return body


async def json_any(request: Request) -> Any:
    """The request body as any JSON value; 400 on invalid JSON."""
    raw = await request.body()
    try:
        return orjson.loads(raw) if raw.strip() else None
    except orjson.JSONDecodeError as exc:
        raise validation_error(f"Invalid input JSON: {exc}") from None


def string_list(value: Any, name: str) -> list[str]:
    """A JSON list of strings (also accepts a comma-separated string); 400 otherwise."""
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in value.split(",") if p.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    raise validation_error(f"'{name}' must be a list of strings")
