"""Sandbox worlds: deterministic synthetic data for every simulated system (compatibility names).

A fixture file is a JSON object with one key per system (``{"format": "partner-hub-sandbox/1",
"hubspot": {...}, "salesforce": {...}, "partnerstack": {...}}``).  The shared ecosystem every
simulator projects from is :mod:`sandbox.ecosystem`; HubSpot's section is :mod:`sandbox.hubspot.world`.
This module keeps the older entry points: :func:`generate_world` (HubSpot's projection of a generated
ecosystem), :func:`load_fixture` and :func:`load_hubspot_world`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sandbox.ecosystem import FIXTURE_FORMAT, load_fixture
from sandbox.hubspot.project import generate_world
from sandbox.hubspot.world import HubSpotWorld

__all__ = ["FIXTURE_FORMAT", "HubSpotWorld", "generate_world", "load_fixture", "load_hubspot_world"]


def load_hubspot_world(fixture: str | Path | dict[str, Any] | None, seed: int = 7, size: int = 1000) -> HubSpotWorld:
    """The HubSpot world from a fixture (path or dict), or a generated one when ``fixture`` is None."""
    if fixture is None:
        return generate_world(seed=seed, size=size)
    return HubSpotWorld.from_json(fixture)
