"""Response and request-body helpers for the Salesforce routes."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from sandbox.salesforce.errors import bad_request

JSON_TYPE = "application/json;charset=UTF-8"


def json_response(body: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response (orjson), typed the way Salesforce types it."""
    return Response(orjson.dumps(body), status_code=status_code, media_type=JSON_TYPE, headers=headers)


def xml_response(body: str, status_code: int = 200) -> Response:
    """A SOAP/XML response."""
    return Response(body.encode(), status_code=status_code, media_type="text/xml;charset=UTF-8")


async def json_body(request: Request) -> Any:
    """The request body as JSON; 400 ``JSON_PARSER_ERROR`` when it is not JSON."""
    raw = await request.body()
    if not raw.strip():
        raise bad_request("JSON_PARSER_ERROR", "The request body is empty or not valid JSON")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise bad_request("JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None


async def admin_body(request: Request) -> dict[str, Any]:
    """An admin request body: a JSON object, ``{}`` when empty; ``ValueError`` otherwise."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ValueError("expected a JSON object")
    return body


def version_of(request: Request) -> str:
    """The ``59.0`` of a ``/services/data/v59.0/...`` path."""
    return str(request.path_params.get("version", "59.0"))
