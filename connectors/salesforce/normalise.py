"""Raw sObject records → the shape the mapping reads: the record itself plus two added members.

``associations`` (the mapping format's links) lists the records a record refers to, keyed by the
*stream* that reads them, each with the labels of the reference::

    {"accounts": [{"id": "001A", "types": ["opportunity_to_account"]},
                  {"id": "001P", "types": ["partner_account", "partner_reseller_primary"]}]}

``_hub`` holds values the mapping format cannot derive from one field (Salesforce field names never
start with "_", so it cannot collide): ``_hub.roles`` (an account's Type plus "IsPartner" when the
flag is set, for an enum_list), ``_hub.stage_category`` (won/lost/open from IsWon/IsClosed) and
``_hub.cursor`` (the opportunities stream's cursor: see reader.py).

The same function serves query pages, fetched records and Outbound Message records, so a record
maps the same whichever way it arrived. Booleans may be JSON booleans (REST) or "true"/"false" (SOAP).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Record = dict[str, Any]


def truthy(value: Any) -> bool:
    """A Salesforce boolean from JSON (``true``) or SOAP (``"true"``)."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def label_key(text: str) -> str:
    """``"System Integrator"`` → ``"system_integrator"``."""
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def partner_label(role: Any, primary: Any) -> str:
    """The association label of an OpportunityPartner row: ``partner_<role>[_primary]``."""
    name = label_key(str(role)) if isinstance(role, str) and role.strip() else "unspecified"
    return f"partner_{name}" + ("_primary" if truthy(primary) else "")


class Links:
    """Collects references: one entry per (stream, id), its labels in first-seen order."""

    def __init__(self) -> None:
        self._by_stream: dict[str, dict[str, list[str]]] = {}

    def add(self, stream: str, record_id: Any, label: str) -> Links:
        if isinstance(record_id, str) and record_id:
            labels = self._by_stream.setdefault(stream, {}).setdefault(record_id, [])
            if label not in labels:
                labels.append(label)
        return self

    def as_dict(self) -> dict[str, list[dict[str, Any]]]:
        return {
            stream: [{"id": record_id, "types": labels} for record_id, labels in ids.items()]
            for stream, ids in self._by_stream.items()
        }


def _account(record: Record) -> None:
    tokens = [record["Type"]] if isinstance(record.get("Type"), str) and record["Type"].strip() else []
    if truthy(record.get("IsPartner")):
        tokens.append("IsPartner")
    record["_hub"] = {"roles": ";".join(tokens) or None}
    record["associations"] = {}


def _contact(record: Record) -> None:
    record["associations"] = Links().add("accounts", record.get("AccountId"), "contact_to_account").as_dict()


def _opportunity(record: Record) -> None:
    links = Links().add("accounts", record.get("AccountId"), "opportunity_to_account")
    links.add("accounts", record.get("PartnerAccountId"), "partner_account")
    block = record.get("OpportunityPartnersFrom")  # the parent-to-child subquery shape (see enrich.py)
    for row in (block.get("records") if isinstance(block, dict) else None) or []:
        links.add("accounts", row.get("AccountToId"), partner_label(row.get("Role"), row.get("IsPrimary")))
    links.add("contacts", record.get("ContactId"), "opportunity_contact")
    record["associations"] = links.as_dict()
    won, closed = truthy(record.get("IsWon")), truthy(record.get("IsClosed"))
    stage = "won" if won else "lost" if closed else "open"
    record["_hub"] = {"stage_category": stage, "cursor": record.get("SystemModstamp")}


def _deal_registration(record: Record) -> None:
    links = Links().add("accounts", record.get("PartnerAccountId"), "partner_account")
    links.add("accounts", record.get("ConvertedAccountId"), "converted_account")
    links.add("contacts", record.get("ConvertedContactId"), "converted_contact")
    links.add("opportunities", record.get("ConvertedOpportunityId"), "converted_opportunity")
    record["associations"] = links.as_dict()


def _program_member(record: Record) -> None:
    record["associations"] = Links().add("accounts", record.get("PartnerId"), "program_member").as_dict()


_BY_STREAM: dict[str, Callable[[Record], None]] = {
    "accounts": _account,
    "contacts": _contact,
    "opportunities": _opportunity,
    "deal_registrations": _deal_registration,
    "channel_program_members": _program_member,
}


def normalise(stream: str, record: Record) -> Record:
    """Add ``associations`` (and ``_hub`` where used) to a raw record of ``stream``, in place."""
    record.setdefault("IsDeleted", False)  # Outbound Messages carry live records without the flag
    _BY_STREAM[stream](record)
    return record
