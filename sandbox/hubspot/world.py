"""The HubSpot part of a sandbox world, and its JSON fixture format.

Fixture format (one JSON object; other simulated systems get sibling top-level keys later)::

    {
      "format": "partner-hub-sandbox/1",
      "hubspot": {
        "meta": {"seed": 7, "size": 1000, "epoch": "2026-01-01T00:00:00.000Z"},
        "companies": [<record>, ...],
        "contacts":  [<record>, ...],
        "deals":     [<record>, ...],
        "associations": [
          {"fromType": "deals", "fromId": "20000000007", "toType": "companies", "toId": "9100000003",
           "types": [{"category": "HUBSPOT_DEFINED", "typeId": 5, "label": "Primary"}]}
        ],
        "entities": {"org-00001": ["9100000003", "9100000412"]},
        "people": {"person-00001": ["1000004", "1000311"]},
        "distractors": [{"kind": "namesake", "entity": "org-00042", "of": "org-00007"}],
        "defects": [{"object": "deals", "id": "20000000031", "property": "amount", "reason": "..."}]
      }
    }

``<record>`` is exactly what HubSpot's API returns: ``{"id": "<numeric string>", "properties":
{name: string}, "createdAt": ISO, "updatedAt": ISO, "archived": bool, "archivedAt"?: ISO}``.
Only ``properties`` (and ``id`` for associations to work) are required when loading a hand-written
fixture: missing timestamps default to the fixed epoch, non-string property values are converted
to strings, ``null`` values are dropped, and the system properties ``hs_object_id``, ``createdate``
and ``hs_lastmodifieddate`` / ``lastmodifieddate`` are (re)derived from ``id`` and the timestamps.

Associations are listed in one direction only; the simulator adds the inverse direction and the
unlabelled default type itself.  ``label`` may be omitted (it is looked up from ``typeId``).
``entities`` is ground truth for identity matching: every company id appears in exactly one entity,
and entities with several ids are the same real organisation entered more than once; ``people``
does the same for contacts (optional: without it every contact is its own person).
``distractors`` lists organisations easily confused with another one (``namesake``: same name,
other country; ``near_namesake``: name one letter away) that are *not* the same.  ``defects``
lists records deliberately invalid for a mapper (see :mod:`sandbox.ecosystem.generate`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.ecosystem.normalize import normalize_record
from sandbox.ecosystem.vocabulary import FIXTURE_FORMAT
from sandbox.hubspot.assoc_types import lookup
from sandbox.hubspot.schema import OBJECT_TYPES, normalize_object_type

JsonDict = dict[str, Any]


@dataclass
class HubSpotWorld:
    """HubSpot records, associations and ground truth, as plain JSON-ready data."""

    companies: list[JsonDict] = field(default_factory=list)
    contacts: list[JsonDict] = field(default_factory=list)
    deals: list[JsonDict] = field(default_factory=list)
    associations: list[JsonDict] = field(default_factory=list)
    entities: dict[str, list[str]] = field(default_factory=dict)
    people: dict[str, list[str]] = field(default_factory=dict)
    distractors: list[JsonDict] = field(default_factory=list)
    defects: list[JsonDict] = field(default_factory=list)
    meta: JsonDict = field(default_factory=dict)

    def objects(self, object_type: str) -> list[JsonDict]:
        """The record list of ``companies``, ``contacts`` or ``deals``."""
        records: list[JsonDict] = getattr(self, object_type)
        return records

    def section(self) -> JsonDict:
        """The ``"hubspot"`` section of a fixture."""
        return {
            "meta": self.meta,
            "companies": self.companies,
            "contacts": self.contacts,
            "deals": self.deals,
            "associations": self.associations,
            "entities": self.entities,
            "people": self.people,
            "distractors": self.distractors,
            "defects": self.defects,
        }

    def to_fixture(self) -> JsonDict:
        """A complete fixture document: ``{"format": ..., "hubspot": {...}}``."""
        return {"format": FIXTURE_FORMAT, "hubspot": self.section()}

    def to_json(self, indent: int | None = None) -> str:
        """Serialise the fixture document; identical worlds give identical text."""
        return json.dumps(self.to_fixture(), indent=indent, ensure_ascii=False, separators=_seps(indent))

    def save(self, path: str | Path) -> None:
        """Write the fixture document to ``path`` (pretty-printed UTF-8)."""
        Path(path).write_text(self.to_json(indent=1), encoding="utf-8")

    @classmethod
    def from_json(cls, source: str | Path | Mapping[str, Any]) -> HubSpotWorld:
        """Load from a fixture path, JSON text, a fixture dict, or a bare ``hubspot`` section dict."""
        if isinstance(source, Mapping):
            doc: Mapping[str, Any] = source
        else:
            text = str(source)
            if isinstance(source, str) and text.lstrip().startswith("{"):
                doc = json.loads(text)
            else:
                doc = json.loads(Path(source).read_text(encoding="utf-8"))
        section = doc.get("hubspot", doc)
        if not isinstance(section, Mapping):
            raise ValueError("fixture 'hubspot' section must be an object")
        return cls.from_section(section)

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> HubSpotWorld:
        """Build and normalise a world from a fixture's ``hubspot`` section."""
        world = cls(meta=dict(section.get("meta") or {}))
        for object_type in OBJECT_TYPES:
            raw = section.get(object_type) or []
            world.objects(object_type).extend(normalize_record(object_type, r) for r in raw)
        world.associations = [normalize_association(a) for a in section.get("associations") or []]
        world.entities = {str(k): [str(i) for i in v] for k, v in (section.get("entities") or {}).items()}
        world.people = {str(k): [str(i) for i in v] for k, v in (section.get("people") or {}).items()}
        world.distractors = [dict(d) for d in section.get("distractors") or []]
        world.defects = [dict(d) for d in section.get("defects") or []]
        return world


def _seps(indent: int | None) -> tuple[str, str]:
    return (",", ": ") if indent is not None else (",", ":")


def normalize_association(raw: Mapping[str, Any]) -> JsonDict:
    """Validate one association row and fill in missing labels."""
    from_type = normalize_object_type(str(raw.get("fromType", "")))
    to_type = normalize_object_type(str(raw.get("toType", "")))
    if from_type is None or to_type is None:
        raise ValueError(f"association has unknown object types: {raw!r}")
    types: list[JsonDict] = []
    for spec in raw.get("types") or []:
        type_id = int(spec.get("typeId", spec.get("associationTypeId", 0)))
        found = lookup(type_id)
        if found is None or found.from_type != from_type or found.to_type != to_type:
            raise ValueError(f"association type {type_id} is not defined for {from_type}->{to_type}")
        types.append({"category": found.category, "typeId": type_id, "label": found.label})
    return {
        "fromType": from_type,
        "fromId": str(raw["fromId"]),
        "toType": to_type,
        "toId": str(raw["toId"]),
        "types": types,
    }
