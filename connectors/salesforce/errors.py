"""Salesforce error bodies and the one error class this connector adds to the SDK's.

REST errors are JSON arrays ``[{"message", "errorCode", "fields"}]``; sObject Collections item errors
say ``statusCode`` instead of ``errorCode``. Messages built here name the code, so a dead letter or a
failed run says what Salesforce objected to.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
"""

from __future__ import annotations

import json
from typing import Any

from connectors.sdk import RateLimited, TransientError

INVALID_SESSION = "INVALID_SESSION_ID"
LIMIT_EXCEEDED = "REQUEST_LIMIT_EXCEEDED"
INVALID_QUERY_LOCATOR = "INVALID_QUERY_LOCATOR"


class ApiLimitExceeded(RateLimited):
    """The org's daily API request quota is spent (403 REQUEST_LIMIT_EXCEEDED with api-usage at its
    limit); the hub pauses the stream for ``retry_after``."""


class ConcurrentLimitExceeded(TransientError):
    """Too many long-running requests in the org at once (403 REQUEST_LIMIT_EXCEEDED, quota left):
    retried after a short wait; raised only when the retries are spent. Not a ``RateLimited``, so the
    hub does not pause the stream for it."""


def error_items(body: str | bytes | None) -> list[dict[str, Any]]:
    """The error items of a Salesforce error body (a JSON array of objects with ``errorCode`` or
    ``statusCode``), or [] if it is something else (an OAuth error, HTML from a proxy)."""
    try:
        payload = json.loads(body or "null")
    except ValueError:
        return []
    items = payload if isinstance(payload, list) else [payload]
    return [item for item in items if isinstance(item, dict) and ("errorCode" in item or "statusCode" in item)]


def error_codes(body: str | bytes | None) -> set[str]:
    return {str(item["errorCode"]) for item in error_items(body) if "errorCode" in item}


def describe(items: list[dict[str, Any]]) -> str:
    """``INVALID_FIELD: No such column 'Foo__c' (fields: Foo__c)``; several joined by ``; ``."""
    parts = []
    for item in items:
        code = item.get("errorCode") or item.get("statusCode") or "ERROR"
        text = f"{code}: {item.get('message') or ''}".rstrip(": ")
        if item.get("fields"):
            text += f" (fields: {', '.join(map(str, item['fields']))})"
        parts.append(text)
    return "; ".join(parts)
