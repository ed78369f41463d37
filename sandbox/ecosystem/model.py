"""The shared synthetic ecosystem: the organisations, people and deals every simulator projects from.

::

    ecosystem = Ecosystem.generate(seed=7, size=1000)      # or Ecosystem.from_fixture(doc)
    ecosystem.directory().orgs                              # organisations with ground-truth ids
    identity_truth({...})                                   # which records are the same entity

The world is kept as records in the fixture format's CRM section (:mod:`.vocabulary`): the
``companies``, ``contacts`` and ``deals`` as first entered (duplicates, typos and all), their
``associations``, and the ground truth (``entities``: organisation → company ids, ``people``:
person → contact ids, ``distractors``, ``defects``).  :meth:`Ecosystem.directory` reads them into
typed organisations, people and partner deals (:mod:`.directory`).  Every simulator builds its state
from an :class:`Ecosystem`; none reads another simulator's code or state.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.ecosystem.directory import Directory, read_directory
from sandbox.ecosystem.normalize import normalize_association, normalize_record
from sandbox.ecosystem.vocabulary import FIXTURE_FORMAT, OBJECT_TYPES, SECTION

JsonDict = dict[str, Any]


@dataclass
class Ecosystem:
    """Records and ground truth of the shared world, as plain JSON-ready data."""

    companies: list[JsonDict] = field(default_factory=list)
    contacts: list[JsonDict] = field(default_factory=list)
    deals: list[JsonDict] = field(default_factory=list)
    associations: list[JsonDict] = field(default_factory=list)
    entities: dict[str, list[str]] = field(default_factory=dict)
    people: dict[str, list[str]] = field(default_factory=dict)
    distractors: list[JsonDict] = field(default_factory=list)
    defects: list[JsonDict] = field(default_factory=list)
    meta: JsonDict = field(default_factory=dict)
    _directory: Directory | None = field(default=None, repr=False, compare=False)

    def objects(self, object_type: str) -> list[JsonDict]:
        """The record list of ``companies``, ``contacts`` or ``deals``."""
        records: list[JsonDict] = getattr(self, object_type)
        return records

    def section(self) -> JsonDict:
        """The records and ground truth as a fixture section (key :data:`.vocabulary.SECTION`)."""
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
        """A fixture document holding the ecosystem: ``{"format": ..., "hubspot": {...}}``."""
        return {"format": FIXTURE_FORMAT, SECTION: self.section()}

    def save(self, path: str | Path) -> None:
        """Write :meth:`to_fixture` to ``path`` (pretty-printed UTF-8; identical worlds, identical text)."""
        text = json.dumps(self.to_fixture(), indent=1, ensure_ascii=False, separators=(",", ": "))
        Path(path).write_text(text, encoding="utf-8")

    def directory(self) -> Directory:
        """Organisations, people and partner deals with their ground-truth ids (computed once)."""
        if self._directory is None:
            self._directory = read_directory(self.section())
        return self._directory

    @classmethod
    def generate(cls, seed: int = 7, size: int = 1000) -> Ecosystem:
        """A deterministic world of ``size`` CRM records (see :mod:`sandbox.ecosystem.generate`)."""
        from sandbox.ecosystem.generate import generate_ecosystem

        return generate_ecosystem(seed=seed, size=size)

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> Ecosystem:
        """Build from a fixture section, or a whole fixture document holding one; normalised."""
        inner = section.get(SECTION, section)
        if not isinstance(inner, Mapping):
            raise ValueError(f"fixture {SECTION!r} section must be an object")
        eco = cls(meta=dict(inner.get("meta") or {}))
        for object_type in OBJECT_TYPES:
            eco.objects(object_type).extend(normalize_record(object_type, r) for r in inner.get(object_type) or [])
        eco.associations = [normalize_association(a) for a in inner.get("associations") or []]
        eco.entities = {str(k): [str(i) for i in v] for k, v in (inner.get("entities") or {}).items()}
        eco.people = {str(k): [str(i) for i in v] for k, v in (inner.get("people") or {}).items()}
        eco.distractors = [dict(d) for d in inner.get("distractors") or []]
        eco.defects = [dict(d) for d in inner.get("defects") or []]
        return eco

    @classmethod
    def coerce(cls, source: Ecosystem | Mapping[str, Any]) -> Ecosystem:
        """``source`` itself, or the ecosystem of a fixture section / document."""
        return source if isinstance(source, Ecosystem) else cls.from_section(source)
