"""HubSpot webhook deliveries: a JSON array of thin events naming the object that changed.

Each event names a record (``objectId``) and what happened (``subscriptionType``); the hub fetches
the record's current state, so a late or reordered event can never bring back an old value.
A ``*.merge`` event (``primaryObjectId``, ``mergedObjectIds``, ``newObjectId``) names the record that
survives: the hub fetches it, and its ``hs_merged_object_ids`` re-points the merged-away records.
https://developers.hubspot.com/docs/api/webhooks (event fields: reference/hubspot.md A8)
"""

from __future__ import annotations

from typing import Any

from connectors.sdk import PayloadError, WebhookEvent, epoch_millis

OBJECTS = {"company": "companies", "contact": "contacts", "deal": "deals"}
DELETIONS = {"deletion", "privacyDeletion"}


def parse(document: Any) -> list[WebhookEvent]:
    """Events of one delivery; subscription types of objects the hub does not sync are skipped."""
    if not isinstance(document, list):
        raise PayloadError("a HubSpot delivery is a JSON array of events")
    events: list[WebhookEvent] = []
    for n, item in enumerate(document):
        if not isinstance(item, dict):
            raise PayloadError(f"event {n} is not an object")
        kind = str(item.get("subscriptionType", ""))
        prefix, _, action = kind.partition(".")
        if prefix not in OBJECTS:
            continue
        object_id = item.get("objectId")
        if action == "merge":  # the surviving record: a new id when HubSpot issued one, else the primary
            object_id = item.get("newObjectId") or item.get("primaryObjectId") or object_id
        if object_id is None or not action:
            raise PayloadError(f"event {n} ({kind or 'no subscriptionType'}) has no objectId")
        occurred = item.get("occurredAt")
        problem = None
        occurred_at = None
        if occurred is not None:
            try:
                occurred_at = epoch_millis(occurred)
            except ValueError as exc:
                problem = f"event {n}: occurredAt {exc}"
        if not isinstance(object_id, int | str) or isinstance(object_id, bool):
            problem = f"event {n}: objectId is a {type(object_id).__name__}, not an id"
        deleted = action in DELETIONS or item.get("changeFlag") == "DELETED"
        event_id = item.get("eventId")
        events.append(
            WebhookEvent(
                object=OBJECTS[prefix],
                external_id=str(object_id),
                action="delete" if deleted else "upsert",
                event_id=str(event_id) if event_id is not None else None,
                occurred_at=occurred_at,
                version=str(occurred) if occurred is not None and problem is None else None,
                payload=item,
                problem=problem,
            )
        )
    return events
