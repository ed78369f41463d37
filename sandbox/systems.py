"""The table of simulated systems :class:`sandbox.server.SandboxServer` serves, in port order.

Adding a system is adding its package (``sandbox/<system>/`` with a ``simulator.py`` exposing
``SIMULATOR``, see :mod:`sandbox.simulator`) and one row here.  With a base port ``N`` the first
system listens on ``N``, the next on ``N+1``...
"""

from __future__ import annotations

from typing import Any

from sandbox.hubspot.simulator import SIMULATOR as HUBSPOT
from sandbox.partnerstack.simulator import SIMULATOR as PARTNERSTACK
from sandbox.salesforce.simulator import SIMULATOR as SALESFORCE
from sandbox.simulator import Simulator

SYSTEMS: tuple[Simulator[Any], ...] = (
    HUBSPOT,
    PARTNERSTACK,
    SALESFORCE,
)
