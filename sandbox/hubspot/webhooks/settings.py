"""Delivery settings and event subscriptions of the simulated HubSpot app.

Subscription labels (admin API): ``company.propertyChange`` (every property — a sandbox shortcut,
real HubSpot needs one ``propertyName`` per propertyChange subscription), ``company.propertyChange:name``
(one property), ``contact.*`` (creation, deletion and propertyChange of contacts) and ``*`` (all
nine types the sandbox emits).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sandbox.kit.clock import iso_from_ms

OBJECT_PREFIX: dict[str, str] = {"companies": "company", "contacts": "contact", "deals": "deal"}
EMITTED_KINDS = ("creation", "deletion", "propertyChange")
EMITTED_TYPES: tuple[str, ...] = tuple(
    f"{p}.{k}" for p in OBJECT_PREFIX.values() for k in (*EMITTED_KINDS, "merge")
)  # merge: POST /crm/v3/objects/{type}/merge (sandbox/hubspot/merge.py)
"""Subscription types the sandbox generates events for."""

_SDK_OBJECTS = ("contact", "company", "deal", "ticket", "product", "line_item", "object")
KNOWN_TYPES: frozenset[str] = frozenset(
    {f"{o}.{k}" for o in _SDK_OBJECTS for k in (*EMITTED_KINDS, "merge", "restore", "associationChange")}
    - {"product.associationChange"}
    | {"contact.privacyDeletion", "conversation.privacyDeletion", "conversation.newMessage"}
    | {f"conversation.{k}" for k in EMITTED_KINDS}
)
"""Event types accepted by the SDK's ``SubscriptionCreateRequest`` (others are rejected)."""

SIGNATURE_VERSIONS = ("v1", "v2", "v3")


class SettingsError(ValueError):
    """Invalid webhook settings or subscription."""


@dataclass(slots=True)
class Subscription:
    """One webhook subscription (``property_name`` None = every property)."""

    id: int
    event_type: str
    property_name: str | None = None
    active: bool = True
    created_ms: int = 0
    updated_ms: int = 0

    def matches(self, event_type: str, property_name: str | None = None) -> bool:
        """Whether an event of this type (and property) is covered."""
        if not self.active or self.event_type != event_type:
            return False
        return self.property_name is None or self.property_name == property_name

    @property
    def label(self) -> str:
        """Admin-API label: ``type`` or ``type:property``."""
        return f"{self.event_type}:{self.property_name}" if self.property_name else self.event_type

    def as_api(self) -> dict[str, Any]:
        """HubSpot's ``SubscriptionResponse`` shape."""
        out: dict[str, Any] = {
            "id": str(self.id),
            "eventType": self.event_type,
            "active": self.active,
            "createdAt": iso_from_ms(self.created_ms),
            "updatedAt": iso_from_ms(self.updated_ms),
        }
        if self.property_name:
            out["propertyName"] = self.property_name
        return out


def expand_label(label: str) -> list[tuple[str, str | None]]:
    """``contact.*`` → the emitted contact types; ``type:prop`` → ``(type, prop)``."""
    text = str(label).strip()
    if text == "*":
        return [(t, None) for t in EMITTED_TYPES]
    if text.endswith(".*"):
        found: list[tuple[str, str | None]] = [(t, None) for t in EMITTED_TYPES if t.startswith(text[:-1])]
        if not found:
            raise SettingsError(f"unknown subscription wildcard '{text}'")
        return found
    event_type, _, prop = text.partition(":")
    if event_type not in KNOWN_TYPES:
        raise SettingsError(f"unknown subscription type '{event_type}'")
    if prop and not event_type.endswith(".propertyChange"):
        raise SettingsError(f"'{event_type}' takes no property name")
    return [(event_type, prop or None)]


class SubscriptionSet:
    """The app's subscriptions, with stable increasing ids."""

    def __init__(self, now_ms: int) -> None:
        self.items: list[Subscription] = []
        self._next_id = 1
        self.replace(["*"], now_ms)

    def add(self, event_type: str, property_name: str | None, active: bool, now_ms: int) -> Subscription:
        """Create one subscription (validated)."""
        expand_label(f"{event_type}:{property_name}" if property_name else event_type)
        sub = Subscription(self._next_id, event_type, property_name, active, now_ms, now_ms)
        self._next_id += 1
        self.items.append(sub)
        return sub

    def replace(self, labels: list[Any], now_ms: int) -> None:
        """Replace every subscription with the expansion of ``labels``."""
        if not isinstance(labels, list):
            raise SettingsError("'subscriptions' must be a list of strings")
        wanted: list[tuple[str, str | None]] = []
        for label in labels:
            for pair in expand_label(str(label)):
                if pair not in wanted:
                    wanted.append(pair)
        self.items = []
        for event_type, prop in wanted:
            self.add(event_type, prop, True, now_ms)

    def get(self, sub_id: int) -> Subscription | None:
        """A subscription by id."""
        return next((s for s in self.items if s.id == sub_id), None)

    def remove(self, sub_id: int) -> bool:
        """Delete a subscription; False when unknown."""
        before = len(self.items)
        self.items = [s for s in self.items if s.id != sub_id]
        return len(self.items) != before

    def matching(self, event_type: str, property_name: str | None = None) -> list[Subscription]:
        """Active subscriptions covering an event."""
        return [s for s in self.items if s.matches(event_type, property_name)]


_BOUNDS: dict[str, tuple[type, float, float]] = {
    "batch_size": (int, 1, 1000),
    "batch_window_s": (float, 0, 60),
    "timeout_s": (float, 0.05, 120),
    "max_attempts": (int, 1, 100),
    "retry_base_s": (float, 0, 86_400),
    "retry_max_s": (float, 0, 86_400),
    "max_concurrent_requests": (int, 1, 1000),
}


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """Immutable delivery settings; :meth:`merged` returns a changed copy (swap, never mutate).

    ``max_attempts`` counts every attempt (``attemptNumber`` 0 … max_attempts-1).  A failed
    attempt ``n`` is retried after ``min(retry_base_s * 2**n, retry_max_s)`` seconds, or after the
    answer's ``Retry-After``.  Events wait up to ``batch_window_s`` to be batched together.
    ``max_concurrent_requests`` is stored for the management API only (one sender thread).
    """

    target_url: str = ""
    client_secret: str = ""
    enabled: bool = False
    batch_size: int = 100
    batch_window_s: float = 0.05
    timeout_s: float = 5.0
    max_attempts: int = 10
    retry_base_s: float = 1.0
    retry_max_s: float = 600.0
    signature_versions: tuple[str, ...] = field(default=("v1", "v3"))
    max_concurrent_requests: int = 10
    property_events_on_create: bool = False

    def merged(self, body: dict[str, Any]) -> WebhookSettings:
        """A copy with the fields of ``body`` applied (``subscriptions`` is ignored here)."""
        changes: dict[str, Any] = {}
        for key, value in body.items():
            if key == "subscriptions":
                continue
            if key in _BOUNDS:
                changes[key] = _number(key, value)
            elif key in ("enabled", "property_events_on_create"):
                if not isinstance(value, bool):
                    raise SettingsError(f"'{key}' must be true or false")
                changes[key] = value
            elif key == "target_url":
                changes[key] = check_url(value)
            elif key == "client_secret":
                if not isinstance(value, str) or not value:
                    raise SettingsError("'client_secret' must be a non-empty string")
                changes[key] = value
            elif key == "signature_versions":
                changes[key] = check_versions(value)
            else:
                raise SettingsError(f"unknown webhook setting '{key}'")
        result = dataclasses.replace(self, **changes)
        if result.enabled and not result.target_url:
            raise SettingsError("'target_url' is required to enable webhooks")
        return result

    def retry_delay(self, attempt: int) -> float:
        """Backoff after failed attempt number ``attempt`` (0-based)."""
        return float(min(self.retry_base_s * (2 ** min(attempt, 40)), self.retry_max_s))

    def view(self) -> dict[str, Any]:
        """JSON view without the secret."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "client_secret"}
        out["signature_versions"] = list(self.signature_versions)
        return out


def _number(key: str, value: Any) -> int | float:
    kind, low, high = _BOUNDS[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SettingsError(f"'{key}' must be a number")
    number = int(value) if kind is int else float(value)
    if not low <= number <= high:
        raise SettingsError(f"'{key}' must be between {low} and {high}")
    return number


def check_url(value: Any) -> str:
    """An absolute http(s) URL (or empty to clear)."""
    if not isinstance(value, str):
        raise SettingsError("'target_url' must be a string")
    if value == "":
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError("'target_url' must be an absolute http(s) URL")
    return value


def check_versions(value: Any) -> tuple[str, ...]:
    """Signature versions: a subset of v1/v2/v3, at most one of v1/v2 (they share a header)."""
    if not isinstance(value, list) or not value or any(v not in SIGNATURE_VERSIONS for v in value):
        raise SettingsError(f"'signature_versions' must be a non-empty list of {', '.join(SIGNATURE_VERSIONS)}")
    if "v1" in value and "v2" in value:
        raise SettingsError("'v1' and 'v2' both use X-HubSpot-Signature; pick one")
    return tuple(dict.fromkeys(value))
