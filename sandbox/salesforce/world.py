"""The Salesforce part of a sandbox world and its JSON fixture section.

Fixture format (same file as HubSpot's; each system has its own top-level key)::

    {
      "format": "partner-hub-sandbox/1",
      "hubspot": {...},
      "salesforce": {
        "meta": {"seed": 7, "size": 1000, "epoch": "2026-01-01T00:00:00.000Z",
                 "organizationId": "00D5g0000004PHUBAAA"},
        "objects": {
          "Account": [{"Id": "0015g00000Gs0ndAAA", "Name": "Acme Robotics Inc", "IsPartner": false, ...}],
          "Contact": [...], "Opportunity": [...], "Lead": [...], "Partner": [...],
          "OpportunityPartner": [...], "User": [...], "RecordType": [...], "ChannelProgram": [...],
          "ChannelProgramLevel": [...], "ChannelProgramMember": [...]
        },
        "entities": {"org-00001": ["0015g00000Gs0ndAAA", "0015g00000Gs0pqAAA"]},
        "people": {"person-00001": {"hubspot": ["1000003"], "salesforce": ["0035g00000Hk1aBAAR"]}},
        "deals": {"deal-00004": {"hubspot": ["12000000031"], "salesforce": ["0065g00000Jp2cDAAR"]}},
        "defects": [{"object": "Contact", "id": "0035g...", "field": "Email", "reason": "..."}],
        "discrepancies": [{"object": "Account", "id": "0015g...", "field": "Name", "value": "ACME INC",
                           "kind": "name_variant", "expected": "Acme Inc"}]
      }
    }

A record is what the REST API returns for it, minus ``attributes`` (which is ignored if present):
field API names (any case) to JSON values, datetimes as ISO-8601 (``2024-05-01T10:00:00.000+0000``
or ``...Z``), dates ``YYYY-MM-DD``.  Only the required fields matter in a hand-written fixture:
``Id`` is generated when missing (15-character ids are extended to 18), timestamps default to the
fixed epoch, ``Name`` of Contact/Lead/User and ``IsClosed``/``IsWon`` of Opportunity are derived.
``IsDeleted: true`` puts a record in the recycle bin (deleted at its ``SystemModstamp``).  Values
are not validated beyond their types, so a fixture may hold records the API would refuse.
``entities`` is identity ground truth (which Account ids are the same real organisation);
``defects`` lists the deliberately bad records.  Exports omit ``null`` fields.

A world generated from a HubSpot world (:mod:`sandbox.salesforce.gen_linked`) shares HubSpot's
organisation ids in ``entities`` (``sf-org-…`` = only in Salesforce) and adds ``people`` and
``deals`` (``{id: {"hubspot": [...], "salesforce": [...]}}``; every Contact / Opportunity in exactly
one entry, ``sf-person-…`` / ``sf-deal-…`` with an empty ``hubspot`` list when only in Salesforce)
and ``discrepancies`` (``value`` = Salesforce's, ``expected`` = HubSpot's).  These three keys are
written only when non-empty.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIXTURE_FORMAT = "partner-hub-sandbox/1"
SECTION = "salesforce"
GROUND_TRUTH = ("people", "deals", "discrepancies")

JsonDict = dict[str, Any]


@dataclass
class SalesforceWorld:
    """Salesforce records per object type plus ground truth, as plain JSON-ready data."""

    objects: dict[str, list[JsonDict]] = field(default_factory=dict)
    entities: dict[str, list[str]] = field(default_factory=dict)
    defects: list[JsonDict] = field(default_factory=list)
    meta: JsonDict = field(default_factory=dict)
    people: dict[str, JsonDict] = field(default_factory=dict)
    deals: dict[str, JsonDict] = field(default_factory=dict)
    discrepancies: list[JsonDict] = field(default_factory=list)

    def records(self, object_name: str) -> list[JsonDict]:
        """The record list of one object type (created empty when missing)."""
        return self.objects.setdefault(object_name, [])

    def counts(self) -> dict[str, int]:
        """Number of records per object type."""
        return {name: len(rows) for name, rows in self.objects.items()}

    def section(self) -> JsonDict:
        """The ``"salesforce"`` section of a fixture (``people``/``deals``/``discrepancies`` when non-empty)."""
        section = {"meta": self.meta, "objects": self.objects, "entities": self.entities, "defects": self.defects}
        for name in GROUND_TRUTH:
            if getattr(self, name):
                section[name] = getattr(self, name)
        return section

    def ground_truth(self) -> JsonDict:
        """``entities``, ``defects``, ``people``, ``deals`` and ``discrepancies`` (shallow copies)."""
        return {
            "entities": dict(self.entities),
            "defects": list(self.defects),
            "people": dict(self.people),
            "deals": dict(self.deals),
            "discrepancies": list(self.discrepancies),
        }

    def set_ground_truth(self, truth: Mapping[str, Any]) -> None:
        """Restore what :meth:`ground_truth` returned."""
        for name, value in truth.items():
            setattr(self, name, value)

    def to_fixture(self) -> JsonDict:
        """A complete fixture document with only the Salesforce section."""
        return {"format": FIXTURE_FORMAT, SECTION: self.section()}

    def to_json(self, indent: int | None = None) -> str:
        """Serialise the fixture document; identical worlds give identical text."""
        seps = (",", ": ") if indent is not None else (",", ":")
        return json.dumps(self.to_fixture(), indent=indent, ensure_ascii=False, separators=seps)

    def save(self, path: str | Path) -> None:
        """Write the fixture document (pretty-printed UTF-8)."""
        Path(path).write_text(self.to_json(indent=1), encoding="utf-8")

    def merge_into(self, fixture: Mapping[str, Any]) -> JsonDict:
        """``fixture`` (e.g. one holding a HubSpot section) with this world as its Salesforce section."""
        return {**fixture, "format": FIXTURE_FORMAT, SECTION: self.section()}

    @classmethod
    def from_json(cls, source: str | Path | Mapping[str, Any]) -> SalesforceWorld:
        """Load from a fixture path, JSON text, a fixture dict or a bare ``salesforce`` section dict."""
        if isinstance(source, Mapping):
            doc: Mapping[str, Any] = source
        elif isinstance(source, str) and source.lstrip().startswith("{"):
            doc = json.loads(source)
        else:
            doc = json.loads(Path(source).read_text(encoding="utf-8"))
        section = doc.get(SECTION, doc)
        if not isinstance(section, Mapping):
            raise ValueError("fixture 'salesforce' section must be an object")
        if "objects" not in section and ("hubspot" in doc or "format" in doc):
            raise ValueError("fixture has no 'salesforce' section")
        objects = section.get("objects") or {}
        if not isinstance(objects, Mapping):
            raise ValueError("'salesforce.objects' must map object names to record lists")
        world = cls(meta=dict(section.get("meta") or {}))
        for name, rows in objects.items():
            if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
                raise ValueError(f"'salesforce.objects.{name}' must be a list of records")
            world.objects[str(name)] = [dict(r) for r in rows]
        world.entities = {str(k): [str(i) for i in v] for k, v in (section.get("entities") or {}).items()}
        world.defects = [dict(d) for d in section.get("defects") or []]
        for name in ("people", "deals"):
            matches = section.get(name) or {}
            if not isinstance(matches, Mapping):
                raise ValueError(f"'salesforce.{name}' must map ids to {{hubspot, salesforce}} id lists")
            getattr(world, name).update({str(k): _match(v) for k, v in matches.items()})
        world.discrepancies = [dict(d) for d in section.get("discrepancies") or []]
        return world


def _match(value: Any) -> JsonDict:
    if not isinstance(value, Mapping):
        raise ValueError(f"a people/deals entry must be an object: {value!r}")
    return {system: [str(i) for i in value.get(system) or []] for system in ("hubspot", "salesforce")}
