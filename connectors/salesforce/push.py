"""Outbound Message notifications → webhook events, one per record.

Each event names its record (``external_id`` = the record Id, ``object`` = the stream reading that
sObject) and uses the notification Id for idempotency (Salesforce redelivers with the same Id).

Whether an event *carries* the record: an Outbound Message holds only the fields the admin picked.
A partial record applied as-is would blank every field it lacks, so the record is carried only when
it has every field the stream reads and needs nothing folded in from other objects (accounts,
contacts, and deal registrations whose RecordTypeId is the known one); otherwise the event names the
record and the hub fetches its current state. Leads of unknown record type go to
``deal_registrations`` as named events: the fetch filters by record type, so a non-registration
finds nothing (and a Lead that stopped being one becomes a tombstone there).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from connectors.salesforce.normalise import normalise
from connectors.salesforce.outbound import Envelope, Notification
from connectors.salesforce.streams import CURSOR_FIELD, SOBJECTS
from connectors.salesforce.verifier import same_id
from connectors.sdk import PayloadError, WebhookEvent

STREAM_OF_SOBJECT = {source.sobject: source.stream for source in SOBJECTS.values()}
SELF_CONTAINED = frozenset({"accounts", "contacts", "deal_registrations"})
_NOT_SENT = frozenset({"IsDeleted"})  # Outbound Messages fire for live records


def _when(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("+0000", "+00:00"))
    except ValueError:
        return None


def _carries(stream: str, note: Notification, fields: tuple[str, ...], registration_type: str | None) -> bool:
    if stream not in SELF_CONTAINED or not (set(fields) - _NOT_SENT) <= note.fields.keys():
        return False
    record_type = note.fields.get("RecordTypeId")
    return stream != "deal_registrations" or same_id(str(record_type or ""), registration_type)


def events(
    envelope: Envelope, fields_of: Callable[[str], tuple[str, ...]], registration_type: str | None
) -> list[WebhookEvent]:
    """The events of a delivery; sObject types the connector does not read are skipped."""
    out: list[WebhookEvent] = []
    for note in envelope.notifications:
        stream = STREAM_OF_SOBJECT.get(note.sobject_type)
        if stream is None:
            continue
        record_id = note.fields.get("Id")
        if not isinstance(record_id, str) or not record_id:
            raise PayloadError(f"notification {note.id}: the {note.sobject_type} has no Id")
        record = None
        if _carries(stream, note, fields_of(stream), registration_type):
            record = normalise(stream, {"attributes": {"type": note.sobject_type}, **note.fields})
        version = note.fields.get(CURSOR_FIELD)
        out.append(
            WebhookEvent(
                object=stream,
                external_id=record_id,
                event_id=note.id,
                occurred_at=_when(version),
                version=version if isinstance(version, str) else None,
                record=record,
                payload={
                    "organization_id": envelope.organization_id,
                    "action_id": envelope.action_id,
                    "sobject": note.sobject_type,
                    "fields": note.fields,
                },
            )
        )
    return out
