"""Identity ground truth of a sandbox world, across every simulated system.

``identity_truth(doc, readers)`` reads a fixture document (``{"hubspot": {...}, "salesforce": {...},
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

Each system contributes a :class:`TruthPart` through its simulator's ``truth`` reader
(:func:`sandbox.truth.identity_truth` passes every registered system's).  The ground truth comes
from each section's own lists, which share the ecosystem's ids: HubSpot's ``entities``
(organisation → company ids) and ``people`` (person → contact ids), Salesforce's ``entities``
(organisation → Account ids, HubSpot's organisation ids for the organisations both hold) and
``people`` (person → ``{"hubspot": [...], "salesforce": [...]}``), PartnerStack's ``entities``
(organisation → partnership, customer and deal keys).  Clusters are the connected components of
"listed under the same id" — so an organisation entered twice in one system and once in another
is one cluster of three records.  This module reads fixture data only (never hub/ or connectors/).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Record = tuple[str, str, str]
Clusters = dict[str, list[frozenset[Record]]]


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


@dataclass(frozen=True)
class TruthPart:
    """One system's share of the ground truth, read from a fixture document.

    ``organizations`` / ``people``: its records of those entities; ``*_links``: ``(label, record)``
    pairs, where records listed under the same label (``org:<entity id>``, ``person:<person id>``)
    are the same real entity.  A link may name another system's record (Salesforce's ``people``
    list the ecosystem's contact ids); links to records no part lists are ignored.
    """

    organizations: list[Record] = field(default_factory=list)
    people: list[Record] = field(default_factory=list)
    organization_links: list[tuple[str, Record]] = field(default_factory=list)
    person_links: list[tuple[str, Record]] = field(default_factory=list)


TruthReader = Callable[[Mapping[str, Any]], TruthPart]


def section(doc: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """``doc[name]`` when it is an object, else an empty mapping."""
    found = doc.get(name)
    return found if isinstance(found, Mapping) else {}


def ids(rows: Iterable[Mapping[str, Any]], key: str) -> list[str]:
    """``row[key]`` of every row that has one, as strings."""
    return [str(r[key]) for r in rows if isinstance(r, Mapping) and r.get(key) is not None]


def identity_truth(doc: Mapping[str, Any], readers: Iterable[TruthReader]) -> Clusters:
    """Ground-truth clusters of organisations and people from every reader's part of ``doc``.

    :func:`sandbox.truth.identity_truth` calls this with every registered system's reader.
    """
    parts = [read(doc) for read in readers]
    orgs = [r for part in parts for r in part.organizations]
    people = [r for part in parts for r in part.people]
    org_links = [link for part in parts for link in part.organization_links]
    person_links = [link for part in parts for link in part.person_links]
    return {"organization": _clusters(orgs, org_links), "person": _clusters(people, person_links)}


def pair_count(clusters: Iterable[frozenset[Record]]) -> int:
    """Number of same-entity record pairs the clusters imply."""
    return sum(len(c) * (len(c) - 1) // 2 for c in clusters)
