"""Everything one simulated PartnerStack program holds at run time."""

from __future__ import annotations

import random

from sandbox.kit.clock import Clock
from sandbox.kit.faults import FaultQueue
from sandbox.kit.stats import RequestStats
from sandbox.partnerstack.config import PartnerStackConfig
from sandbox.partnerstack.generate import generate_world
from sandbox.partnerstack.objects import KeyMaker
from sandbox.partnerstack.store import Store
from sandbox.partnerstack.webhooks import WebhookService
from sandbox.partnerstack.world import PartnerStackWorld


class PartnerStackState:
    """Data, credentials, faults, counters and webhooks of one vendor account.

    Not thread-safe: touched only from the server's event loop (every endpoint is ``async``).
    ``webhooks`` owns the one background thread (delivery), started on the first webhook
    registration or by the server, and stopped by ``webhooks.stop()``.
    """

    def __init__(self, world: PartnerStackWorld | None = None, config: PartnerStackConfig | None = None) -> None:
        self.config = config or PartnerStackConfig()
        self.store = Store.from_world(world if world is not None else generate_world())
        self.clock = Clock(self.store.max_updated_ms())
        self.faults = FaultQueue()
        self.stats = RequestStats()
        self.mutations = 0
        self.webhooks = WebhookService(self.clock, KeyMaker(random.Random("partnerstack-webhooks")))

    def replace_world(self, world: PartnerStackWorld) -> None:
        """Swap in new data (credentials, webhook registrations, faults and counters are kept)."""
        self.store = Store.from_world(world)
        self.clock.advance_past(self.store.max_updated_ms())

    def export_world(self) -> PartnerStackWorld:
        """The current data as a world."""
        return self.store.to_world()

    def managers(self) -> list[dict[str, str]]:
        """The vendor's partner managers (``manager_email`` must name one of them)."""
        return [dict(m) for m in self.store.meta.get("managers") or []]
