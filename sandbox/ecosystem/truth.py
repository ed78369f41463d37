"""Identity ground truth of a sandbox world, across HubSpot, Salesforce and PartnerStack.

``identity_truth(doc)`` reads a fixture document (``{"hubspot": {...}, "salesforce": {...},
"partnerstack": {...}}``; any section may be missing) and answers which records are the same real
organisation and the same real person::

    {"organization": [frozenset({("hubspot", "companies", "5000000003"),
                                 ("salesforce", "accounts", "0015g00000Gs0ndAAA"),
                                 ("partnerstack", "partnerships", "part_2pRm...")}), ...],
     "person":       [frozenset({("hubspot", "contacts", "1000004"),
                                 ("salesforce", "contacts", "0035g00000Hk1aBAAR")}), ...]}

A record is ``(system, object, external id)`` with ``object`` the connector's stream name as the
hub's ledger stores it: organisations are HubSpot ``companies``, Salesforce ``accounts`` and
PartnerStack ``partnerships`` and ``customers`` (mappings/*.yaml map those to ``organization``);
people are HubSpot and Salesforce ``contacts`` (PartnerStack has no person object).  Every record
of those objects in the document appears in exactly one cluster (records no ground truth mentions
are clusters of one), archived and deleted records included: callers comparing with what a hub
synced drop the records it does not hold.

The ground truth comes from each section's own lists, which share ids: HubSpot's ``entities``
(organisation → company ids) and ``people`` (person → contact ids), Salesforce's ``entities``
(organisation → Account ids, HubSpot's organisation ids for the organisations both hold) and
``people`` (person → ``{"hubspot": [...], "salesforce": [...]}``), PartnerStack's ``entities``
(organisation → partnership, customer and deal keys).  Clusters are the connected components of
"listed under the same id" — so an organisation entered twice in one system and once in another
is one cluster of three records.  This module reads fixture data only (never hub/ or connectors/).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Record = tuple[str, str, str]
Clusters = dict[str, list[frozenset[Record]]]

ORGANIZATION_OBJECTS: tuple[tuple[str, str], ...] = (
    ("hubspot", "companies"),
    ("salesforce", "accounts"),
    ("partnerstack", "partnerships"),
    ("partnerstack", "customers"),
)
PERSON_OBJECTS: tuple[tuple[str, str], ...] = (("hubspot", "contacts"), ("salesforce", "contacts"))


class _Components:
    """Union-find over hashable nodes."""

    def __init__(self) -> None:
        self.parent: dict[object, object] = {}

    def add(self, node: object) -> None:
        self.parent.setdefault(node, node)

    def find(self, node: object) -> object:
        self.add(node)
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, a: object, b: object) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def _section(doc: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = doc.get(name)
    return section if isinstance(section, Mapping) else {}


def _ids(rows: Iterable[Mapping[str, Any]], key: str) -> list[str]:
    return [str(r[key]) for r in rows if isinstance(r, Mapping) and r.get(key) is not None]


def _clusters(records: list[Record], links: Iterable[tuple[str, Record]]) -> list[frozenset[Record]]:
    """Components of ``records`` where records listed under the same label are one."""
    known = set(records)
    parts = _Components()
    for record in records:
        parts.add(record)
    for label, record in links:
        if record in known:
            parts.union(("label", label), record)
    grouped: dict[object, set[Record]] = {}
    for record in records:
        grouped.setdefault(parts.find(record), set()).add(record)
    return sorted((frozenset(g) for g in grouped.values()), key=lambda c: min(c))


def identity_truth(doc: Mapping[str, Any]) -> Clusters:
    """Ground-truth clusters of organisations and people (see the module docstring)."""
    hubspot = _section(doc, "hubspot")
    salesforce = _section(doc, "salesforce")
    partnerstack = _section(doc, "partnerstack")
    sf_objects = salesforce.get("objects") if isinstance(salesforce.get("objects"), Mapping) else {}
    assert isinstance(sf_objects, Mapping)

    orgs: list[Record] = [("hubspot", "companies", i) for i in _ids(hubspot.get("companies") or [], "id")]
    orgs += [("salesforce", "accounts", i) for i in _ids(sf_objects.get("Account") or [], "Id")]
    ps_table: dict[str, str] = {}
    for table in ("partnerships", "customers"):
        for key in _ids(partnerstack.get(table) or [], "key"):
            ps_table[key] = table
            orgs.append(("partnerstack", table, key))
    org_links: list[tuple[str, Record]] = []
    for entity, ids in (hubspot.get("entities") or {}).items():
        org_links += [(f"org:{entity}", ("hubspot", "companies", str(i))) for i in ids]
    for entity, ids in (salesforce.get("entities") or {}).items():
        org_links += [(f"org:{entity}", ("salesforce", "accounts", str(i))) for i in ids]
    for entity, keys in (partnerstack.get("entities") or {}).items():
        org_links += [(f"org:{entity}", ("partnerstack", ps_table[str(k)], str(k))) for k in keys if str(k) in ps_table]

    people: list[Record] = [("hubspot", "contacts", i) for i in _ids(hubspot.get("contacts") or [], "id")]
    people += [("salesforce", "contacts", i) for i in _ids(sf_objects.get("Contact") or [], "Id")]
    person_links: list[tuple[str, Record]] = []
    for person, ids in (hubspot.get("people") or {}).items():
        person_links += [(f"person:{person}", ("hubspot", "contacts", str(i))) for i in ids]
    for person, systems in (salesforce.get("people") or {}).items():
        if not isinstance(systems, Mapping):
            continue
        person_links += [(f"person:{person}", ("hubspot", "contacts", str(i))) for i in systems.get("hubspot") or []]
        person_links += [
            (f"person:{person}", ("salesforce", "contacts", str(i))) for i in systems.get("salesforce") or []
        ]
    return {"organization": _clusters(orgs, org_links), "person": _clusters(people, person_links)}


def pair_count(clusters: Iterable[frozenset[Record]]) -> int:
    """Number of same-entity record pairs the clusters imply."""
    return sum(len(c) * (len(c) - 1) // 2 for c in clusters)
