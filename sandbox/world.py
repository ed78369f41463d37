"""Sandbox worlds: deterministic synthetic data for every simulated system.

Today the world holds HubSpot only; a fixture file is a JSON object with one key per system
(``{"format": "partner-hub-sandbox/1", "hubspot": {...}}``), so later systems (Salesforce,
PartnerStack) add sibling keys.  See :mod:`sandbox.hubspot.world` for the HubSpot section and
:mod:`sandbox.hubspot.generate` for what the generator produces.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sandbox.hubspot.generate import generate_world
from sandbox.hubspot.world import FIXTURE_FORMAT, HubSpotWorld

__all__ = ["FIXTURE_FORMAT", "HubSpotWorld", "generate_world", "load_fixture", "load_hubspot_world"]


def load_fixture(path: str | Path) -> dict[str, Any]:
    """Read a fixture file as a dict (all systems)."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: a fixture must be a JSON object")
    return doc


def load_hubspot_world(fixture: str | Path | dict[str, Any] | None, seed: int = 7, size: int = 1000) -> HubSpotWorld:
    """The HubSpot world from a fixture (path or dict), or a generated one when ``fixture`` is None."""
    if fixture is None:
        return generate_world(seed=seed, size=size)
    return HubSpotWorld.from_json(fixture)
