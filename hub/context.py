"""The hub's object graph, built once from ``Settings`` at the edge (CLI or app factory)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from connectors.sdk import Connector
from hub.connector_store import ConnectorStore
from hub.crypto import SecretBox
from hub.db import create_db_engine, migrate, reader
from hub.identity import config as match_config
from hub.ledger.policy import SurvivorshipPolicy, load_policy
from hub.ledger.survivorship import set_active_policy
from hub.mappers import MapperSet
from hub.registry import ConnectorRegistry
from hub.settings import Settings
from hub.sync import SyncRunner
from hub.sync.deletes import Guard
from hub.writeback import targets as write_targets


@dataclass
class Hub:
    settings: Settings
    engine: Engine
    reader: Engine
    registry: ConnectorRegistry
    store: ConnectorStore
    mappers: MapperSet
    runner: SyncRunner
    survivorship: SurvivorshipPolicy
    closed: bool = field(default=False)

    @classmethod
    def from_settings(cls, settings: Settings, *, run_migrations: bool = True) -> Hub:
        # Loaded (and checked) first: a bad policy file stops the start before anything else runs.
        # The policy is process-wide: every golden record this process computes uses it.
        survivorship = load_policy(settings.survivorship_file)
        set_active_policy(survivorship)
        if run_migrations:
            migrate(settings.database_url)
        match_config.set_active(match_config.load_match_config(settings.matching_file))
        engine = create_db_engine(
            settings.database_url,
            read_lock_timeout=settings.db_read_lock_timeout_seconds,
            read_statement_timeout=settings.db_read_statement_timeout_seconds,
        )
        registry = ConnectorRegistry()
        store = ConnectorStore(
            engine, registry, SecretBox(settings.resolved_secret_key()), outbound=settings.outbound_policy()
        )
        mappers = MapperSet(Path(settings.mappings_dir))
        write_targets.configure(mappers)  # the objects the outbox plans writes for (ADR 20)

        def build(connector_id: str) -> tuple[str, Connector]:
            return store.kind_of(connector_id), store.build(connector_id)

        guard = Guard(share=settings.mass_delete_share, min_count=settings.mass_delete_min)
        runner = SyncRunner(engine, build, mappers.get, lease_seconds=settings.lease_seconds, guard=guard,
                            prefetch=settings.sync_prefetch, concurrency=settings.sync_concurrency)  # fmt: skip
        return cls(settings, engine, reader(engine), registry, store, mappers, runner, survivorship)

    def close(self) -> None:
        if not self.closed:
            self.engine.dispose()
            self.closed = True
