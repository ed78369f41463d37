"""HubSpot's projection of the shared ecosystem.

The ecosystem's record format (:mod:`sandbox.ecosystem.vocabulary`) began as HubSpot's API shape,
so this projection keeps the records, ids and associations as they are; a fixture's ``hubspot``
section is loaded by :meth:`HubSpotWorld.from_json` instead.
"""

from __future__ import annotations

from sandbox.ecosystem import Ecosystem
from sandbox.hubspot.world import HubSpotWorld


def world_from_ecosystem(ecosystem: Ecosystem) -> HubSpotWorld:
    """The HubSpot portal holding the ecosystem's companies, contacts, deals and ground truth."""
    return HubSpotWorld(
        companies=ecosystem.companies,
        contacts=ecosystem.contacts,
        deals=ecosystem.deals,
        associations=ecosystem.associations,
        entities=ecosystem.entities,
        people=ecosystem.people,
        distractors=ecosystem.distractors,
        defects=ecosystem.defects,
        meta=ecosystem.meta,
    )


def generate_world(seed: int = 7, size: int = 1000) -> HubSpotWorld:
    """A deterministic HubSpot world of ``size`` records (see :mod:`sandbox.ecosystem.generate`)."""
    return world_from_ecosystem(Ecosystem.generate(seed=seed, size=size))
