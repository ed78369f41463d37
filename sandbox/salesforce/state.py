"""Everything one simulated Salesforce org holds at run time."""

from __future__ import annotations

from typing import Any

from sandbox.kit.clock import Clock
from sandbox.kit.faults import FaultQueue
from sandbox.kit.stats import RequestStats
from sandbox.salesforce.auth import SessionRegistry
from sandbox.salesforce.bulk import BulkQueryJobs
from sandbox.salesforce.config import SalesforceConfig
from sandbox.salesforce.features import absent
from sandbox.salesforce.gen_base import ORG_CREATED_MS
from sandbox.salesforce.generate import generate_world
from sandbox.salesforce.outbound import OutboundService
from sandbox.salesforce.query import QueryEngine
from sandbox.salesforce.quota import ApiQuota
from sandbox.salesforce.store import Store
from sandbox.salesforce.world import SalesforceWorld


class SalesforceState:
    """Data, sessions, API quota, faults, query cursors, Bulk API 2.0 query jobs, outbound messages and
    counters of one org.

    Not thread-safe: touched only from the server's event loop (every endpoint is ``async``); the
    outbound-message thread only reads the snapshots handed to it.  ``base_url`` is the simulator's
    own ``https://host:port`` (set by the server helper, else learnt from the first request); it is
    used for ``instance_url`` and the outbound envelopes' URLs.
    """

    def __init__(self, world: SalesforceWorld | None = None, config: SalesforceConfig | None = None) -> None:
        self.config = config or SalesforceConfig()
        world = world if world is not None else generate_world()
        self.store = Store.from_world(world)
        self.apply_features()
        self._world_extras = (dict(world.meta), world.ground_truth())
        self.clock = Clock(self.store.max_modstamp())
        self.auth = SessionRegistry(self.config, self.clock)
        self.quota = ApiQuota(self.config)
        self.faults = FaultQueue()
        self.stats = RequestStats()
        self.queries = QueryEngine(self.config.query_locator_limit)
        self.bulk = BulkQueryJobs()
        self.outbound = OutboundService(self.store.objects, self._outbound_context)
        self.outbound_session: str | None = None
        self.base_url: str | None = None
        self.mutations = 0
        self.data_version = 0

    # -- world -----------------------------------------------------------------------------------
    def replace_world(self, world: SalesforceWorld) -> None:
        """Swap in new data (credentials, sessions, quota, faults and outbound settings are kept)."""
        self.store = Store.from_world(world)
        self.apply_features()
        self._world_extras = (dict(world.meta), world.ground_truth())
        self.clock.advance_past(self.store.max_modstamp())
        self.queries.reset()
        self.bulk.reset()
        self.data_version += 1

    def export_world(self) -> SalesforceWorld:
        """The current data (deleted records included) with the loaded world's ground truth."""
        meta, truth = self._world_extras
        world = self.store.to_world(meta)
        world.set_ground_truth(truth)
        return world

    def apply_features(self) -> None:
        """Hide the objects and fields of the features the config switches off (:mod:`.features`)."""
        self.store.hide(*absent(self.config.features))

    # -- helpers ---------------------------------------------------------------------------------
    def instance_url(self, request_base: str) -> str:
        """``config.instance_url`` if set, else the simulator's own base URL."""
        return (self.config.instance_url or self.base_url or request_base).rstrip("/")

    def default_record_type(self, sobject: str) -> str | None:
        """Id of the active ``Standard`` record type of ``sobject`` (``None`` if the org has none)."""
        for row in self.store.tables["RecordType"].live():
            if row["SobjectType"] == sobject and row["DeveloperName"] == "Standard" and row["IsActive"]:
                return str(row["Id"])
        return None

    def org_created_ms(self) -> int:
        """When the org "was created" (default ``earliestDateAvailable`` of getDeleted)."""
        return ORG_CREATED_MS

    def _outbound_context(self) -> tuple[str, str, str | None]:
        return self.config.organization_id, (self.base_url or "https://127.0.0.1").rstrip("/"), self.outbound_session

    def describe_runtime(self) -> dict[str, Any]:
        """Counters for ``GET /_sandbox/config``."""
        return {
            **self.config.runtime_view(),
            "api_usage": self.quota.view(),
            "active_sessions": self.auth.active(),
            "open_query_cursors": self.queries.open_cursors(),
            "bulk_query_jobs": len(self.bulk.jobs),
            "mutations": self.mutations,
            "data_version": self.data_version,
        }
