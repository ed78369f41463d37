"""PartnerStack webhook deliveries: one JSON object per delivery, the object itself plus ``"event"``.

v2 names are dotted (``partnership.updated``, ``customer.deleted``), v1 names underscored
(``customer_created``, ``partnership_tags_updated``); both are accepted (the v2 docs' own sample
still says ``partnership_created``). The event family names the object; ``*.deleted`` and
``*.archived`` are deletions. Families the hub does not sync (``application``, ``agreement``, …) are
skipped. https://docs.partnerstack.com/docs/partnerstack-webhooks
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from connectors.sdk import PayloadError, WebhookEvent

OBJECTS = {
    "partnership": "partnerships",
    "customer": "customers",
    "deal": "deals",
    "transaction": "transactions",
    "reward": "rewards",
}
DELETIONS = frozenset({"deleted", "archived"})
EVENT_ID_MEMBERS = ("event_id", "event_key")  # not in the docs: used only when a sender adds one

# (object, raw record without "event", is deletion) -> the record to carry, or None to have it fetched
Carry = Callable[[str, dict[str, Any], bool], dict[str, Any] | None]
Action = Literal["upsert", "delete"]


def classify_event(name: str) -> tuple[str, Action] | None:
    """``"partnership.updated"``/``"partnership_updated"`` → ("partnerships", "upsert"); None if not synced."""
    text = name.strip().lower()
    family, _, action = text.partition("." if "." in text else "_")
    if family not in OBJECTS or not action:
        return None
    return OBJECTS[family], "delete" if action in DELETIONS else "upsert"


def _moment(value: Any) -> datetime | None:
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=value)
        except OverflowError:
            return None
    return None


def parse(document: Any, carry: Carry) -> list[WebhookEvent]:
    """The event of one delivery (none when its family is not synced)."""
    if not isinstance(document, dict):
        raise PayloadError("a PartnerStack delivery is a JSON object (the object plus its 'event')")
    name = document.get("event")
    if not isinstance(name, str) or not name.strip():
        raise PayloadError("the delivery has no 'event' name")
    found = classify_event(name)
    if found is None:
        return []
    object_name, action = found
    record = {k: v for k, v in document.items() if k != "event"}
    key = record.get("key")
    if not isinstance(key, str) or not key.strip():
        raise PayloadError(f"{name} event has no object 'key'")
    stamp = record.get("updated_at") if record.get("updated_at") is not None else record.get("created_at")
    event_id = next((str(document[m]) for m in EVENT_ID_MEMBERS if document.get(m) not in (None, "")), None)
    return [
        WebhookEvent(
            object=object_name,
            external_id=key.strip(),
            action=action,
            event_id=event_id,
            occurred_at=_moment(stamp),
            version=str(stamp) if stamp is not None else None,
            record=carry(object_name, record, action == "delete"),
            payload=document,
        )
    ]
