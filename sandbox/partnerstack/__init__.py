"""Simulated PartnerStack (PRM) Vendor API v2 for tests, demos and benchmarks.

Written from the API reference only (never imports ``hub``, ``connectors`` or ``webhooks``).

Public surface: :func:`create_partnerstack_app`, :class:`PartnerStackState`,
:class:`PartnerStackConfig`, :class:`PartnerStackWorld`, :func:`generate_world`,
:func:`load_partnerstack_world` and :class:`PartnerStackServer` (a background server); its entry in
:data:`sandbox.systems.SYSTEMS` is :data:`sandbox.partnerstack.simulator.SIMULATOR`.
"""

from sandbox.partnerstack.app import create_partnerstack_app
from sandbox.partnerstack.config import PartnerStackConfig
from sandbox.partnerstack.generate import generate_world
from sandbox.partnerstack.runner import PartnerStackServer, load_partnerstack_world
from sandbox.partnerstack.state import PartnerStackState
from sandbox.partnerstack.world import PartnerStackWorld

__all__ = [
    "PartnerStackConfig",
    "PartnerStackServer",
    "PartnerStackState",
    "PartnerStackWorld",
    "create_partnerstack_app",
    "generate_world",
    "load_partnerstack_world",
]
