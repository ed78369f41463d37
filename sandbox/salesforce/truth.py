"""Salesforce's share of the identity ground truth (see :mod:`sandbox.ecosystem.truth`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.ecosystem.truth import TruthPart, ids, section


def salesforce_truth(doc: Mapping[str, Any]) -> TruthPart:
    """Accounts and Contacts, linked by ``entities`` and by ``people`` (which also list the ecosystem's contacts)."""
    salesforce = section(doc, "salesforce")
    objects = section(salesforce, "objects")
    part = TruthPart(
        organizations=[("salesforce", "accounts", i) for i in ids(objects.get("Account") or [], "Id")],
        people=[("salesforce", "contacts", i) for i in ids(objects.get("Contact") or [], "Id")],
    )
    for entity, account_ids in (salesforce.get("entities") or {}).items():
        part.organization_links.extend((f"org:{entity}", ("salesforce", "accounts", str(i))) for i in account_ids)
    for person, systems in (salesforce.get("people") or {}).items():
        if not isinstance(systems, Mapping):
            continue
        label = f"person:{person}"
        # the ecosystem's contact ids, which HubSpot's projection keeps (hence the key)
        part.person_links.extend((label, ("hubspot", "contacts", str(i))) for i in systems.get("hubspot") or [])
        part.person_links.extend((label, ("salesforce", "contacts", str(i))) for i in systems.get("salesforce") or [])
    return part
