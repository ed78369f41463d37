"""Building HubSpot webhook event objects from CRM changes.

Shapes (reference A8), key order as HubSpot's examples::

    {"eventId", "subscriptionId", "portalId", "appId", "occurredAt", "subscriptionType",
     "attemptNumber", "objectId", ...}
    propertyChange: + "propertyName", "propertyValue", "changeSource", "sourceId"
    creation / deletion: + "changeFlag" ("CREATED" / "DELETED"), "changeSource", "sourceId"
    merge: + "primaryObjectId", "mergedObjectIds", "newObjectId", "numberOfPropertiesMoved",
           "changeSource", "sourceId" (https://developers.hubspot.com/changelog/new-subscription-types-for-webhooks)

``eventId`` values increase by one per event and start at the wall clock in ms times 1000, so they stay
unique across sandbox restarts.  ``occurredAt`` is the record's new last-modified time.
"""

from __future__ import annotations

import itertools
from typing import Any

from sandbox.hubspot.webhooks.settings import OBJECT_PREFIX, Subscription, SubscriptionSet
from sandbox.kit.clock import wall_ms

Event = dict[str, Any]

CHANGE_FLAGS = {"creation": "CREATED", "deletion": "DELETED"}


class EventBuilder:
    """Turns a change into one event per matching active subscription."""

    def __init__(self, portal_id: int, app_id: int, user_id: int) -> None:
        self.portal_id = portal_id
        self.app_id = app_id
        self.user_id = user_id
        self._ids = itertools.count(wall_ms() * 1000)

    def source_id(self, source: str) -> str:
        """``sourceId`` for a change source: ``userId:N`` (CRM) or ``appId:N`` (API; guessed)."""
        return f"userId:{self.user_id}" if source == "CRM" else f"appId:{self.app_id}"

    def _base(self, sub: Subscription, occurred_ms: int, object_id: int) -> Event:
        return {
            "eventId": next(self._ids),
            "subscriptionId": sub.id,
            "portalId": self.portal_id,
            "appId": self.app_id,
            "occurredAt": occurred_ms,
            "subscriptionType": sub.event_type,
            "attemptNumber": 0,
            "objectId": object_id,
        }

    def flag_events(
        self,
        subs: SubscriptionSet,
        object_type: str,
        kind: str,
        object_id: int,
        occurred_ms: int,
        source: str,
    ) -> list[Event]:
        """``creation`` / ``deletion`` events."""
        out = []
        for sub in subs.matching(f"{OBJECT_PREFIX[object_type]}.{kind}"):
            event = self._base(sub, occurred_ms, object_id)
            event["changeFlag"] = CHANGE_FLAGS[kind]
            event["changeSource"] = source
            event["sourceId"] = self.source_id(source)
            out.append(event)
        return out

    def merge_events(
        self,
        subs: SubscriptionSet,
        object_type: str,
        survivor_id: int,
        merged_ids: list[int],
        occurred_ms: int,
        moved: int,
        source: str,
    ) -> list[Event]:
        """``merge`` events: ``objectId`` is the surviving record (the primary keeps its id here)."""
        out = []
        for sub in subs.matching(f"{OBJECT_PREFIX[object_type]}.merge"):
            event = self._base(sub, occurred_ms, survivor_id)
            event["primaryObjectId"] = survivor_id
            event["mergedObjectIds"] = list(merged_ids)
            event["newObjectId"] = survivor_id
            event["numberOfPropertiesMoved"] = moved
            event["changeSource"] = source
            event["sourceId"] = self.source_id(source)
            out.append(event)
        return out

    def property_events(
        self,
        subs: SubscriptionSet,
        object_type: str,
        object_id: int,
        occurred_ms: int,
        changes: dict[str, str],
        source: str,
    ) -> list[Event]:
        """One ``propertyChange`` event per changed property and matching subscription."""
        event_type = f"{OBJECT_PREFIX[object_type]}.propertyChange"
        out = []
        for name, value in changes.items():
            for sub in subs.matching(event_type, name):
                event = self._base(sub, occurred_ms, object_id)
                event["propertyName"] = name
                event["propertyValue"] = value
                event["changeSource"] = source
                event["sourceId"] = self.source_id(source)
                out.append(event)
        return out
