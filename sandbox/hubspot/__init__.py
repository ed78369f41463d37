"""Simulated HubSpot CRM (v3 objects, v4 associations, v3 properties, OAuth v1, and their 2026-03
date-versioned successors, see :mod:`sandbox.hubspot.versions`) for tests and benchmarks. Upserts are
by properties with unique values only (:mod:`sandbox.hubspot.routes_batch`).

Public surface: :func:`create_hubspot_app`, :class:`HubSpotState`, :class:`HubSpotConfig`,
:class:`HubSpotWorld` and :func:`generate_world` (HubSpot's projection of a generated
:class:`sandbox.ecosystem.Ecosystem`, :mod:`sandbox.hubspot.project`); its entry in
:data:`sandbox.systems.SYSTEMS` is :data:`sandbox.hubspot.simulator.SIMULATOR`.
"""

from sandbox.hubspot.app import create_hubspot_app
from sandbox.hubspot.config import HubSpotConfig
from sandbox.hubspot.project import generate_world
from sandbox.hubspot.state import HubSpotState
from sandbox.hubspot.world import HubSpotWorld

__all__ = ["HubSpotConfig", "HubSpotState", "HubSpotWorld", "create_hubspot_app", "generate_world"]
