"""PartnerStack's share of the identity ground truth (see :mod:`sandbox.ecosystem.truth`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.ecosystem.truth import TruthPart, ids, section

ORGANIZATION_TABLES = ("partnerships", "customers")


def partnerstack_truth(doc: Mapping[str, Any]) -> TruthPart:
    """Partnerships and customers (PartnerStack has no person object), linked by ``entities``."""
    partnerstack = section(doc, "partnerstack")
    table_of: dict[str, str] = {}
    part = TruthPart()
    for table in ORGANIZATION_TABLES:
        for key in ids(partnerstack.get(table) or [], "key"):
            table_of[key] = table
            part.organizations.append(("partnerstack", table, key))
    for entity, keys in (partnerstack.get("entities") or {}).items():
        part.organization_links.extend(
            (f"org:{entity}", ("partnerstack", table_of[str(k)], str(k))) for k in keys if str(k) in table_of
        )
    return part
