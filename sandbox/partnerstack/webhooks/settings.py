"""Sandbox-side webhook delivery settings (``PUT /_sandbox/webhooks``); not part of PartnerStack's API."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sandbox.partnerstack.webhooks.events import WebhookSpecError

_BOUNDS: dict[str, tuple[type, float, float]] = {
    "timeout_s": (float, 0.05, 120),
    "max_attempts": (int, 1, 100),
    "retry_base_s": (float, 0, 86_400),
    "retry_max_s": (float, 0, 86_400),
    "hold_s": (float, 0, 60),
}
STYLES = ("auto", "v2", "v1")


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """Immutable delivery settings; :meth:`merged` returns a changed copy.

    ``max_attempts`` counts every attempt; failed attempt ``n`` (0-based) is retried after
    ``min(retry_base_s * 2**n, retry_max_s)`` s (or the target's ``Retry-After``).  New deliveries
    wait ``hold_s`` before their first attempt (so chaos reordering has something to reorder).
    ``event_style``: ``auto`` = as each webhook was registered, ``v2`` = dotted names,
    ``v1`` = underscore names.  ``enabled: false`` discards deliveries instead of sending them.
    """

    enabled: bool = True
    timeout_s: float = 5.0
    max_attempts: int = 5
    retry_base_s: float = 1.0
    retry_max_s: float = 300.0
    hold_s: float = 0.02
    event_style: str = "auto"

    def merged(self, body: dict[str, Any]) -> WebhookSettings:
        """A copy with the fields of ``body`` applied (unknown keys are errors)."""
        changes: dict[str, Any] = {}
        for key, value in body.items():
            if key in _BOUNDS:
                kind, low, high = _BOUNDS[key]
                if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
                    raise WebhookSpecError(f"'{key}' must be a number between {low} and {high}")
                changes[key] = int(value) if kind is int else float(value)
            elif key == "enabled":
                if not isinstance(value, bool):
                    raise WebhookSpecError("'enabled' must be true or false")
                changes[key] = value
            elif key == "event_style":
                if value not in STYLES:
                    raise WebhookSpecError(f"'event_style' must be one of {', '.join(STYLES)}")
                changes[key] = value
            else:
                raise WebhookSpecError(f"unknown webhook setting '{key}'")
        return dataclasses.replace(self, **changes)

    def retry_delay(self, attempt: int) -> float:
        """Backoff after failed attempt ``attempt`` (0-based)."""
        return float(min(self.retry_base_s * (2 ** min(attempt, 40)), self.retry_max_s))

    def view(self) -> dict[str, Any]:
        """JSON view."""
        return dataclasses.asdict(self)
