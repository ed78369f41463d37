"""Echo suppression: the hub's own write coming back by sync or webhook is not a new observation.

When a changed source record arrives (``hub.ledger.writer.apply_mapped``), the latest outbox row
sent (or being sent: a webhook can arrive before the dispatcher settles) to it and not yet observed
is looked up. If every field the hub wrote now holds the golden value
it wrote, the write has *landed* (the row records the ledger entry that saw it). If, besides, nothing
changed but the written fields and the fields that travel with them (the raw text beside a
normalised value: ``phone_raw``; the members of the written field's survivorship group; the hub
id the write stamped in the record's hub-id slot), the
observation is the write's *echo*: its ledger entry names the outbox row (``echo_of``) and the source
record keeps its previous ``source_updated_at``, so survivorship does not take the echo for a newer
value (a ``most_recent`` field of a merged cluster does not flip to the record just written).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from hub.db.schema import outbox
from hub.ledger.survivorship import active_policy
from hub.ledger.upsert import chunks
from hub.writeback.outbox import LANDED

#: a row being pushed counts too: the upstream's webhook can outrun the dispatcher's settling
ECHOABLE = (*LANDED, "in_flight")


@dataclass(frozen=True)
class Landed:
    outbox_id: int
    echo: bool  # nothing else changed: the observation is the write's echo


def recognise(
    conn: Connection,
    instance: str,
    object_name: str,
    entity_type: str,
    changes: Mapping[str, tuple[dict[str, Any], dict[str, Any]]],
) -> dict[str, Landed]:
    """For changed records (external id -> (stored fields, new fields)), the writes that landed."""
    if not changes:
        return {}
    sent: dict[str, Any] = {}
    for part in chunks(sorted(changes)):
        rows = conn.execute(
            select(outbox.c.id, outbox.c.external_id, outbox.c.canonical_id, outbox.c.fields)
            .where(
                outbox.c.connector_id == instance, outbox.c.source_object == object_name,
                outbox.c.external_id.in_(part), outbox.c.state.in_(ECHOABLE), outbox.c.echo_entry_id.is_(None),
            )
            .order_by(outbox.c.id)
        )  # fmt: skip
        for row in rows:
            sent[row.external_id] = row
    if not sent:
        return {}
    policy = active_policy().for_entity(entity_type)
    found: dict[str, Landed] = {}
    for external_id, row in sent.items():
        before, after = changes[external_id]
        written: dict[str, Any] = row.fields or {}
        if not written or any(after.get(name) != value for name, value in written.items()):
            continue
        travels = set(written)
        for name in written:
            travels.add(f"{name}_raw")
            group = policy.group_of(name)
            if group is not None:
                travels.update(group.fields)
        if after.get("hub_id") == row.canonical_id:
            travels.add("hub_id")  # the hub id the write stamped in the record's hub-id slot (ADR 21)
        moved = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
        found[external_id] = Landed(row.id, echo=moved <= travels)
    return found
