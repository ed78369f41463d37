"""PartnerStack error bodies: ``{"message": "...", "status": <HTTP status>}`` (no ``data``)."""

from __future__ import annotations

from typing import Any


class PartnerStackError(Exception):
    """Raised by handlers and operations; rendered with the real HTTP status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The JSON error body."""
        return {"message": self.message, "status": self.status}


def bad_request(message: str) -> PartnerStackError:
    """A 400 validation error."""
    return PartnerStackError(400, message)


def not_found(kind: str, key: str) -> PartnerStackError:
    """The 404 for an unknown object key in the path."""
    return PartnerStackError(404, f"{kind} with key '{key}' was not found")


def conflict(message: str) -> PartnerStackError:
    """A 409 for a duplicate unique value (partner_key, email, customer_key, transaction key)."""
    return PartnerStackError(409, message)
