"""HubSpot error bodies: the request-level ``Error`` and the batch ``StandardError``."""

from __future__ import annotations

import json
from typing import Any

JsonDict = dict[str, Any]

AUTH_NOT_FOUND_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find "
    "more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)


class HubSpotError(Exception):
    """Raised by handlers; rendered as ``{status, message, correlationId, category, ...}``."""

    def __init__(
        self,
        status_code: int,
        category: str,
        message: str,
        *,
        context: dict[str, list[str]] | None = None,
        sub_category: str | None = None,
        errors: list[JsonDict] | None = None,
        extra: JsonDict | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.category = category
        self.message = message
        self.context = context
        self.sub_category = sub_category
        self.errors = errors
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self, correlation_id: str) -> JsonDict:
        """The JSON error body."""
        out: JsonDict = {"status": "error", "message": self.message, "correlationId": correlation_id}
        out.update(self.extra)
        if self.category:
            out["category"] = self.category
        if self.sub_category:
            out["subCategory"] = self.sub_category
        if self.context is not None:
            out["context"] = self.context
        if self.errors is not None:
            out["errors"] = self.errors
        return out


def validation_error(message: str, **kwargs: Any) -> HubSpotError:
    """A 400 ``VALIDATION_ERROR``."""
    return HubSpotError(400, "VALIDATION_ERROR", message, **kwargs)


def not_found(object_id: str) -> HubSpotError:
    """The 404 for an unknown or archived object id."""
    return HubSpotError(
        404,
        "OBJECT_NOT_FOUND",
        "Object not found.  objectId are usually numeric.",
        context={"id": [object_id]},
    )


def property_error(name: str, error: str, message: str) -> JsonDict:
    """One entry of HubSpot's ``Property values were not valid`` list."""
    return {
        "isValid": False,
        "message": message,
        "error": error,
        "name": name,
        "localizedErrorMessage": message,
    }


def invalid_properties_message(problems: list[JsonDict]) -> str:
    """HubSpot embeds the property problems as JSON text in ``message``."""
    return "Property values were not valid: " + json.dumps(problems, separators=(",", ":"))


def standard_error(
    category: str,
    message: str,
    context: dict[str, list[str]] | None = None,
    *,
    sub_category: str | None = None,
    errors: list[JsonDict] | None = None,
) -> JsonDict:
    """A batch ``StandardError`` with every key the SDK requires."""
    out: JsonDict = {
        "status": "error",
        "category": category,
        "message": message,
        "context": context or {},
        "links": {},
        "errors": errors or [],
    }
    if sub_category:
        out["subCategory"] = sub_category
    return out
