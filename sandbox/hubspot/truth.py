"""HubSpot's share of the identity ground truth (see :mod:`sandbox.ecosystem.truth`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.ecosystem.truth import TruthPart, ids, section


def hubspot_truth(doc: Mapping[str, Any]) -> TruthPart:
    """Companies and contacts, linked by the section's ``entities`` and ``people``."""
    hubspot = section(doc, "hubspot")
    part = TruthPart(
        organizations=[("hubspot", "companies", i) for i in ids(hubspot.get("companies") or [], "id")],
        people=[("hubspot", "contacts", i) for i in ids(hubspot.get("contacts") or [], "id")],
    )
    for entity, company_ids in (hubspot.get("entities") or {}).items():
        part.organization_links.extend((f"org:{entity}", ("hubspot", "companies", str(i))) for i in company_ids)
    for person, contact_ids in (hubspot.get("people") or {}).items():
        part.person_links.extend((f"person:{person}", ("hubspot", "contacts", str(i))) for i in contact_ids)
    return part
