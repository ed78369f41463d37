"""Associations, normalised to one shape for the mapper whichever endpoint they came from:

    {"companies": [{"id": "77", "types": ["deal_to_company", "sourcing_partner"]}]}

v3 list responses name each association by a type string; v4 batch reads give ``typeId`` and, for
user-defined labels, a ``label``. HubSpot-defined type ids are from the SDK's association_type.py.
Both name a pair the same way: a HubSpot-defined type by the v3 name of its id (its v4 label is
"Primary" or empty), a user-defined one by its label as a key ("Sourcing partner" →
``sourcing_partner``, the v3 name of a custom label). That a custom label's v3 type string is the
key of its label is an assumption the docs found here do not state (v3 shows the label's internal
name; HubSpot derives it from the label unless the admin chose another): a portal whose internal
names differ would name such labels differently in full and incremental reads.

Both are paged. v3 returns at most 100 associations per record and object type, then
``paging.next`` (https://developers.hubspot.com/changelog/announcing-a-change-to-how-v3-crm-apis-return-association-data):
``truncated_v3`` names the object types whose list was cut, and the connector reads those in full
through the batch API. The batch read pages each input (``paging.next.after`` goes back with the
input's id); ``from_v4`` merges the pages of one source record.
"""

from __future__ import annotations

import re
from typing import Any

HUBSPOT_DEFINED_TYPES: dict[int, str] = {
    1: "contact_to_company",
    2: "company_to_contact",
    3: "deal_to_contact",
    4: "contact_to_deal",
    5: "deal_to_company",
    6: "company_to_deal",
    279: "contact_to_company_unlabeled",
    280: "company_to_contact_unlabeled",
    341: "deal_to_company_unlabeled",
    342: "company_to_deal_unlabeled",
}


def label_key(label: str) -> str:
    """``"Sourcing partner"`` → ``"sourcing_partner"``."""
    return re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_")


def _merge(target: dict[str, list[str]], object_id: str, type_name: str) -> None:
    types = target.setdefault(object_id, [])
    if type_name not in types:
        types.append(type_name)


def from_v3(associations: dict[str, Any] | None) -> dict[str, list[dict[str, Any]]]:
    """Normalise the ``associations`` member of a v3 object."""
    normalised: dict[str, list[dict[str, Any]]] = {}
    for to_object, block in (associations or {}).items():
        grouped: dict[str, list[str]] = {}
        for item in (block or {}).get("results", []):
            _merge(grouped, str(item["id"]), str(item.get("type") or "unlabeled"))
        normalised[to_object] = [{"id": i, "types": t} for i, t in grouped.items()]
    return normalised


def truncated_v3(associations: dict[str, Any] | None) -> list[str]:
    """The object types of a v3 ``associations`` member that have more pages."""
    return [name for name, block in (associations or {}).items() if ((block or {}).get("paging") or {}).get("next")]


def _type_name(assoc: dict[str, Any]) -> str:
    """HubSpot-defined types by id (their v4 label is e.g. "Primary"), user-defined ones by label."""
    type_id = int(assoc.get("typeId", 0))
    label = assoc.get("label")
    if assoc.get("category", "HUBSPOT_DEFINED") == "HUBSPOT_DEFINED" and type_id in HUBSPOT_DEFINED_TYPES:
        return HUBSPOT_DEFINED_TYPES[type_id]
    return label_key(label) if label else f"type_{type_id}"


def from_v4(results: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Map v4 batch-read ``results`` (of one or several pages) to ``{from_id: [{id, types}]}`` for one
    target object; results of the same source record are merged."""
    grouped: dict[str, dict[str, list[str]]] = {}
    for result in results:
        targets = grouped.setdefault(str(result["from"]["id"]), {})
        for target in result.get("to", []):
            to_id = str(target["toObjectId"])
            for assoc in target.get("associationTypes", []):
                _merge(targets, to_id, _type_name(assoc))
    return {source: [{"id": i, "types": t} for i, t in targets.items()] for source, targets in grouped.items()}
