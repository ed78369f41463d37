"""The OpenAPI document tells the truth about errors: every operation declares each status it can
answer besides its success, with the one error shape (``{"error": {code, message, details}}``).

What a route can answer follows from what it is: behind the admin token → 401; a path parameter →
404; a request body → 400 (malformed JSON), 408 (too slow), 413 (too big), 415 (not JSON); a write
→ 409; every operation → 422 (a NUL character, a failed validation) and 503 (the database is down).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

_ERROR = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {}},
        }
    },
}
_DESCRIPTIONS = {
    400: "Malformed JSON",
    401: "Missing or invalid admin bearer token",
    404: "No such resource",
    408: "The request body did not arrive in time",
    409: "Conflicts with the current state",
    413: "Request body too large",
    415: "Unsupported content type",
    422: "Request failed validation",
    503: "Database unavailable; retry later",
}


def _error_codes(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    codes = {422, 503}
    if operation.get("security") or path.startswith("/webhooks/"):  # the admin token, a webhook signature
        codes.add(401)
    if "{" in path:
        codes.add(404)
    if method in ("post", "put", "patch"):
        codes.update({400, 408, 409, 413, 415})
    if method == "delete":
        codes.add(409)
    return codes


def document_errors(app: FastAPI) -> None:
    """Replace ``app.openapi`` with one that declares every error status of every operation."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        document.setdefault("components", {}).setdefault("schemas", {})["Error"] = _ERROR
        for path, operations in document.get("paths", {}).items():
            for method, operation in operations.items():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                responses = operation["responses"]
                for code in sorted(_error_codes(path, method, operation)):
                    responses.setdefault(
                        str(code),
                        {
                            "description": _DESCRIPTIONS[code],
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                        },
                    )
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
