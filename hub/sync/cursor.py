"""Cursor values: the hub keeps them as normalised ISO-8601 UTC strings (or plain versions)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connectors.sdk import dotted


def normalise(value: Any) -> str | None:
    """An ISO-8601 UTC string with milliseconds for time-like values; digits pass through as-is."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if text.isdigit():
        if len(text) >= 12:  # epoch milliseconds
            return datetime.fromtimestamp(int(text) / 1000, tz=UTC).isoformat(timespec="milliseconds")
        return text
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def later(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def earlier(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def page_max(records: list[dict[str, Any]], cursor_field: str | None) -> str | None:
    if not cursor_field:
        return None
    best: str | None = None
    for record in records:
        best = later(best, normalise(dotted(record, cursor_field)))
    return best
