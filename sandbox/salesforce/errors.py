"""Salesforce REST error bodies: a JSON **array** of ``{"message", "errorCode"[, "fields"]}``.

Per-record results of sObject Collections use ``{"statusCode", "message", "fields"}`` instead
(:meth:`SalesforceError.item`).
"""

from __future__ import annotations

from typing import Any

JsonDict = dict[str, Any]

NOT_FOUND_MESSAGE = "The requested resource does not exist"
SESSION_MESSAGE = "Session expired or invalid"


class SalesforceError(Exception):
    """Raised by handlers and rendered as ``[{"message": ..., "errorCode": ...}]`` with ``status_code``."""

    def __init__(
        self,
        status_code: int,
        error_code: str,
        message: str,
        fields: list[str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.error_code = error_code
        self.message = message
        self.fields = fields
        self.headers = headers or {}

    def body(self) -> list[JsonDict]:
        """The REST error body (a one-element array)."""
        out: JsonDict = {"message": self.message, "errorCode": self.error_code}
        if self.fields is not None:
            out["fields"] = self.fields
        return [out]

    def item(self) -> JsonDict:
        """The per-record error object of sObject Collections / SaveResult."""
        return {"statusCode": self.error_code, "message": self.message, "fields": self.fields or []}


def not_found(message: str = NOT_FOUND_MESSAGE) -> SalesforceError:
    """404 ``NOT_FOUND``."""
    return SalesforceError(404, "NOT_FOUND", message)


def bad_request(error_code: str, message: str, fields: list[str] | None = None) -> SalesforceError:
    """A 400 with the given ``errorCode``."""
    return SalesforceError(400, error_code, message, fields)


def invalid_session() -> SalesforceError:
    """401 ``INVALID_SESSION_ID`` (unknown, revoked or expired session)."""
    return SalesforceError(401, "INVALID_SESSION_ID", SESSION_MESSAGE)


def limit_exceeded(message: str = "TotalRequests Limit exceeded.") -> SalesforceError:
    """403 ``REQUEST_LIMIT_EXCEEDED``."""
    return SalesforceError(403, "REQUEST_LIMIT_EXCEEDED", message)


STATUS_CODES = {
    400: "INVALID_INPUT",
    401: "INVALID_SESSION_ID",
    403: "REQUEST_LIMIT_EXCEEDED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    415: "UNSUPPORTED_MEDIA_TYPE",
    500: "UNKNOWN_EXCEPTION",
    502: "SERVER_UNAVAILABLE",
    503: "SERVER_UNAVAILABLE",
    504: "SERVER_UNAVAILABLE",
}


def status_error(status: int, message: str) -> SalesforceError:
    """An error for an arbitrary HTTP status (faults, framework errors)."""
    return SalesforceError(status, STATUS_CODES.get(status, "UNKNOWN_EXCEPTION"), message)
