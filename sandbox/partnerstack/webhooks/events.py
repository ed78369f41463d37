"""PartnerStack webhook event names and registrations (the ``/api/v2/webhooks`` resource).

Event names are the v2 dotted form (``partnership.updated``); the v1 underscore form
(``partnership_updated``) is accepted everywhere and means the same event.  A registration made
only with v1 names receives v1 names in ``event`` (unless the sandbox setting ``event_style``
forces one style).

Emitted by the sandbox: ``partnership.created|updated|tags_updated|archived``,
``customer.created|updated|deleted``, ``deal.created|updated|archived``,
``transaction.created|deleted`` and ``reward.created``.  Also accepted at registration (never
emitted): ``agreement.accepted``, ``application.created|approved|declined``, ``lead.created|updated``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

EMITTED: dict[str, tuple[str, ...]] = {
    "partnership": ("created", "updated", "tags_updated", "archived"),
    "customer": ("created", "updated", "deleted"),
    "deal": ("created", "updated", "archived"),
    "transaction": ("created", "deleted"),
    "reward": ("created",),
}
SILENT = (
    "agreement.accepted",
    "application.created",
    "application.approved",
    "application.declined",
    "lead.created",
    "lead.updated",
)
EVENTS: tuple[str, ...] = tuple(f"{obj}.{action}" for obj, actions in EMITTED.items() for action in actions)
KNOWN = frozenset(EVENTS + SILENT)


class WebhookSpecError(ValueError):
    """An invalid registration or setting."""


def canonical(name: Any) -> str | None:
    """``partnership_created`` / ``partnership.created`` → ``partnership.created``; ``None`` if unknown."""
    text = str(name).strip()
    if text in KNOWN:
        return text
    obj, sep, action = text.partition("_")
    dotted = f"{obj}.{action}" if sep else ""
    return dotted if dotted in KNOWN else None


def v1_name(event: str) -> str:
    """``partnership.tags_updated`` → ``partnership_tags_updated``."""
    return event.replace(".", "_", 1)


def check_url(value: Any, name: str = "target") -> str:
    """An absolute http(s) URL."""
    if not isinstance(value, str) or not value:
        raise WebhookSpecError(f"'{name}' is required and must be a URL")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise WebhookSpecError(f"'{name}' must be an absolute http(s) URL")
    return value


@dataclass
class Registration:
    """One registered webhook."""

    key: str
    target: str
    events: list[str]
    style: str
    created_at: int
    updated_at: int
    given: list[str] = field(default_factory=list)

    def view(self) -> dict[str, Any]:
        """The API representation (``events`` as they were registered)."""
        return {
            "key": self.key,
            "target": self.target,
            "events": list(self.given),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }

    @classmethod
    def from_body(cls, key: str, body: dict[str, Any], now_ms: int) -> Registration:
        """Validate ``{"target" | "target_url": url, "events": [names]}``."""
        target = check_url(body.get("target", body.get("target_url")), "target")
        raw = body.get("events")
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not raw or not all(isinstance(e, str) for e in raw):
            raise WebhookSpecError("'events' must be a non-empty list of event names")
        events: list[str] = []
        for name in raw:
            event = canonical(name)
            if event is None:
                raise WebhookSpecError(f"Unknown event '{name}'; known: {', '.join(sorted(KNOWN))}")
            if event not in events:
                events.append(event)
        style = "v1" if all("." not in e for e in raw) else "v2"
        return cls(key, target, events, style, now_ms, now_ms, [str(e) for e in raw])
