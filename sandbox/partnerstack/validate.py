"""Validation of request bodies (400 with a readable ``message`` on every problem)."""

from __future__ import annotations

import re
from datetime import date

import orjson
from starlette.requests import Request

from sandbox.partnerstack.errors import bad_request
from sandbox.partnerstack.objects import JsonDict

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
PARTNER_KEY = re.compile(r"[A-Za-z0-9_.-]{1,64}")


async def json_body(request: Request) -> JsonDict:
    """The request body as a JSON object; 400 on invalid JSON or a non-object."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise bad_request(f"Invalid JSON body: {exc}") from None
    if not isinstance(body, dict):
        raise bad_request("Invalid JSON body: expected an object")
    return body


def text(body: JsonDict, name: str, required: bool = False) -> str | None:
    """An optional (or required, non-blank) string member."""
    value = body.get(name)
    if value is None:
        if required:
            raise bad_request(f"'{name}' is required")
        return None
    if not isinstance(value, str):
        raise bad_request(f"'{name}' must be a string")
    if required and not value.strip():
        raise bad_request(f"'{name}' is required")
    return value


def email(body: JsonDict, name: str = "email", required: bool = False) -> str | None:
    """A valid email address (trimmed)."""
    value = text(body, name, required)
    if value is None:
        return None
    value = value.strip()
    if not EMAIL.fullmatch(value):
        raise bad_request(f"'{name}' must be a valid email address, got '{value}'")
    return value


def cents(body: JsonDict, name: str, required: bool = False) -> int | None:
    """A non-negative integer amount in cents (``null`` only when not required)."""
    value = body.get(name)
    if value is None:
        if required:
            raise bad_request(f"'{name}' is required and may not be null (amounts are integer cents)")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise bad_request(f"'{name}' must be an integer number of cents, got {value!r}")
    if value < 0:
        raise bad_request(f"'{name}' must not be negative")
    return int(value)


def currency(body: JsonDict, default: str | None = "USD") -> str | None:
    """A 3-letter ISO currency code (upper-cased)."""
    value = text(body, "currency")
    if value is None:
        return default
    if not re.fullmatch(r"[A-Za-z]{3}", value):
        raise bad_request(f"'currency' must be a 3-letter ISO code, got '{value}'")
    return value.upper()


def close_date(body: JsonDict) -> str | None:
    """``YYYY-MM-DD``."""
    value = text(body, "close_date")
    if value is None:
        return None
    try:
        date.fromisoformat(value)
    except ValueError:
        raise bad_request(f"'close_date' must be a date as YYYY-MM-DD, got '{value}'") from None
    if len(value) != 10:
        raise bad_request(f"'close_date' must be a date as YYYY-MM-DD, got '{value}'")
    return value


def fields(body: JsonDict) -> list[JsonDict] | None:
    """``fields``: a list of ``{api_name | field_key, value}`` (a ``{name: value}`` object is accepted too)."""
    value = body.get("fields")
    if value is None:
        return None
    if isinstance(value, dict):
        return [{"api_name": str(k), "value": v} for k, v in value.items()]
    if not isinstance(value, list) or not all(isinstance(f, dict) for f in value):
        raise bad_request("'fields' must be a list of {api_name, value} objects")
    for entry in value:
        if not (entry.get("api_name") or entry.get("field_key") or entry.get("internal_name")):
            raise bad_request("every entry of 'fields' needs 'api_name' or 'field_key'")
    return [dict(f) for f in value]


def tags(body: JsonDict) -> list[str] | None:
    """``tags``: a list of strings."""
    value = body.get("tags")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise bad_request("'tags' must be a list of strings")
    return list(dict.fromkeys(t.strip() for t in value if t.strip()))


def meta(body: JsonDict) -> JsonDict | None:
    """``meta``: an object."""
    value = body.get("meta")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request("'meta' must be an object")
    return dict(value)


def partner_key(body: JsonDict) -> str | None:
    """A caller-chosen ``partner_key`` (letters, digits, ``_ . -``; at most 64)."""
    value = text(body, "partner_key")
    if value is None:
        return None
    if not PARTNER_KEY.fullmatch(value):
        raise bad_request("'partner_key' may only contain letters, digits, '_', '.' and '-' (at most 64)")
    return value
