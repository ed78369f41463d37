"""The PartnerStack part of a sandbox world, and its JSON fixture section.

Fixture document (same file as HubSpot's; each system reads its own key)::

    {
      "format": "partner-hub-sandbox/1",
      "hubspot": {...},
      "partnerstack": {
        "meta": {"seed": 7, "size": 1000, "epoch": "...", "linked_to": "hubspot" | null,
                 "managers": [{"email", "name"}]},
        "groups": [<group>], "partnerships": [<partnership>], "customers": [<customer>],
        "deals": [<deal>], "transactions": [<transaction>], "rewards": [<reward>],
        "entities": {"org-00003": ["part_…", "cust_…", "deal_…"]},
        "distractors": [{"kind": "namesake", "entity": "ps-org-00012", "of": "org-00003"}],
        "defects": [{"object", "key", "field", "value", "reason"}],
        "discrepancies": [{"object", "key", "field", "value", "kind", "expected"?}]
      }
    }

Records are exactly what the API returns (see :mod:`sandbox.partnerstack.generate`).  When loading a
hand-written fixture only a few members are needed: every record needs ``key`` (except that a
missing key is generated), partnerships need ``email`` and a group (``group_key`` or
``group.key``; default: the default group), customers and deals reference partnerships by
``partner_key``.  Missing timestamps default to the fixed epoch; embedded objects (``group``,
``tier``, ``team``, ``customer``...) are filled in by the store on load.  ``entities`` is the ground
truth for identity resolution: partnership keys name partner organisations, customer and deal keys
the end-customer organisation (entity ids are HubSpot's ``entities`` ids when the world was
generated from a HubSpot world); ``distractors`` lists PartnerStack-only organisations named like
another organisation that are a different company.  ``defects`` lists deliberately invalid records, ``discrepancies``
realistic differences (stale tiers, casing, messy or missing websites).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIXTURE_FORMAT = "partner-hub-sandbox/1"
SECTION = "partnerstack"
TABLES = ("groups", "partnerships", "customers", "deals", "transactions", "rewards")

JsonDict = dict[str, Any]


@dataclass
class PartnerStackWorld:
    """PartnerStack records and ground truth, as plain JSON-ready data."""

    groups: list[JsonDict] = field(default_factory=list)
    partnerships: list[JsonDict] = field(default_factory=list)
    customers: list[JsonDict] = field(default_factory=list)
    deals: list[JsonDict] = field(default_factory=list)
    transactions: list[JsonDict] = field(default_factory=list)
    rewards: list[JsonDict] = field(default_factory=list)
    entities: dict[str, list[str]] = field(default_factory=dict)
    distractors: list[JsonDict] = field(default_factory=list)
    defects: list[JsonDict] = field(default_factory=list)
    discrepancies: list[JsonDict] = field(default_factory=list)
    meta: JsonDict = field(default_factory=dict)

    def table(self, name: str) -> list[JsonDict]:
        """The record list called ``name`` (one of :data:`TABLES`)."""
        records: list[JsonDict] = getattr(self, name)
        return records

    def counts(self) -> dict[str, int]:
        """Number of records per table."""
        return {name: len(self.table(name)) for name in TABLES}

    def section(self) -> JsonDict:
        """The ``"partnerstack"`` section of a fixture."""
        out: JsonDict = {"meta": self.meta}
        out.update({name: self.table(name) for name in TABLES})
        out["entities"] = self.entities
        out["distractors"] = self.distractors
        out["defects"] = self.defects
        out["discrepancies"] = self.discrepancies
        return out

    def to_fixture(self) -> JsonDict:
        """A complete fixture document ``{"format": ..., "partnerstack": {...}}``."""
        return {"format": FIXTURE_FORMAT, SECTION: self.section()}

    def to_json(self, indent: int | None = None) -> str:
        """Serialise the fixture document; identical worlds give identical text."""
        seps = (",", ": ") if indent is not None else (",", ":")
        return json.dumps(self.to_fixture(), indent=indent, ensure_ascii=False, separators=seps)

    def save(self, path: str | Path) -> None:
        """Write the fixture document to ``path`` (UTF-8)."""
        Path(path).write_text(self.to_json(indent=1), encoding="utf-8")

    @classmethod
    def from_json(cls, source: str | Path | Mapping[str, Any]) -> PartnerStackWorld:
        """Load from a fixture path, JSON text, a fixture dict (its ``partnerstack`` key) or a bare section."""
        if isinstance(source, Mapping):
            doc: Mapping[str, Any] = source
        elif isinstance(source, str) and source.lstrip().startswith("{"):
            doc = json.loads(source)
        else:
            doc = json.loads(Path(source).read_text(encoding="utf-8"))
        if not isinstance(doc, Mapping):
            raise ValueError("a fixture must be a JSON object")
        if "format" in doc and doc["format"] != FIXTURE_FORMAT:
            raise ValueError(f"unsupported fixture format {doc['format']!r}")
        section = doc.get(SECTION, doc)
        if not isinstance(section, Mapping):
            raise ValueError("fixture 'partnerstack' section must be an object")
        if "format" in doc and SECTION not in doc:
            raise ValueError("fixture has no 'partnerstack' section")
        return cls.from_section(section)

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> PartnerStackWorld:
        """Build a world from a ``partnerstack`` section (records are copied, not normalised)."""
        world = cls(meta=dict(section.get("meta") or {}))
        for name in TABLES:
            raw = section.get(name) or []
            if not isinstance(raw, list) or not all(isinstance(r, Mapping) for r in raw):
                raise ValueError(f"'{name}' must be a list of objects")
            world.table(name).extend(json.loads(json.dumps(r)) for r in raw)
        world.entities = {str(k): [str(i) for i in v] for k, v in (section.get("entities") or {}).items()}
        world.distractors = [dict(d) for d in section.get("distractors") or []]
        world.defects = [dict(d) for d in section.get("defects") or []]
        world.discrepancies = [dict(d) for d in section.get("discrepancies") or []]
        return world
