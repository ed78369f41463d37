"""Everything one simulated HubSpot portal holds at run time."""

from __future__ import annotations

from sandbox.hubspot.auth import TokenRegistry
from sandbox.hubspot.config import HubSpotConfig
from sandbox.hubspot.project import generate_world
from sandbox.hubspot.properties import PropertyGroup, default_groups
from sandbox.hubspot.ratelimit import RateLimiter
from sandbox.hubspot.schema import PropertyDef, build_schema
from sandbox.hubspot.store import HubSpotStore
from sandbox.hubspot.webhooks import WebhookService
from sandbox.hubspot.world import HubSpotWorld
from sandbox.kit.clock import Clock
from sandbox.kit.faults import FaultQueue
from sandbox.kit.stats import RequestStats


class HubSpotState:
    """Data store, credentials, limits, faults and counters of one portal.

    The state is not thread-safe: it is meant to be touched only from the server's event loop
    (every endpoint is ``async``); tests drive it over HTTP.  ``webhooks`` owns the one background
    thread (webhook delivery), started and stopped by the server.
    """

    def __init__(self, world: HubSpotWorld | None = None, config: HubSpotConfig | None = None) -> None:
        self.config = config or HubSpotConfig()
        self.schema: dict[str, dict[str, PropertyDef]] = build_schema()
        self.known: dict[str, set[str]] = {obj: set(defs) for obj, defs in self.schema.items()}
        self.property_groups: dict[str, dict[str, PropertyGroup]] = default_groups()
        self.store = HubSpotStore.from_world(world if world is not None else generate_world())
        self.clock = Clock(self.store.max_updated_ms())
        self.auth = TokenRegistry(self.config, self.clock)
        self.limiter = RateLimiter(self.config)
        self.faults = FaultQueue()
        self.stats = RequestStats()
        self.mutations = 0
        self.webhooks = WebhookService(self.config, self.clock)

    def replace_world(self, world: HubSpotWorld) -> None:
        """Swap in new data (credentials, tokens, faults and counters are kept; properties created
        through the properties API go with the old data: a world does not carry them)."""
        self.schema = build_schema()
        self.known = {obj: set(defs) for obj, defs in self.schema.items()}
        self.property_groups = default_groups()
        self.store = HubSpotStore.from_world(world)
        self.clock.advance_past(self.store.max_updated_ms())

    def export_world(self) -> HubSpotWorld:
        """The current data as a world."""
        return self.store.to_world()
