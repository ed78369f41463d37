"""The hub's tables (SQLAlchemy Core). Migrations in ``migrations/`` create and evolve them.

Two kinds of table live here:

* **the ledger** (``ledger_entries``), append-only: every observed change of a source record, with
  field-level before/after, content hash, source time, observed time and the run or webhook that
  brought it. It is the single source of truth.
* **projections** derived from it (``source_records``, ``golden_records``) that ``hub ledger
  rebuild`` can drop and recompute by replaying the ledger; plus operational state (connectors,
  runs, cursors, leases, cross-references, dead letters).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB

from hub.db.types import BigIntPK, UTCDateTime

JSONType = JSON().with_variant(JSONB(), "postgresql")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

connectors = Table(
    "connectors",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("config", JSONType, nullable=False),
    Column("secrets", LargeBinary, nullable=True),  # Fernet token of the JSON credentials
    Column("schedules", JSONType, nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

sync_runs = Table(
    "sync_runs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("connector_id", String(64), nullable=False),
    Column("stream", String(100), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("trigger", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("heartbeat_at", UTCDateTime, nullable=True),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("pages", Integer, nullable=False, default=0),
    Column("records_seen", Integer, nullable=False, default=0),
    Column("records_changed", Integer, nullable=False, default=0),
    Column("dead_letters", Integer, nullable=False, default=0),
    Column("cursor_before", String(64), nullable=True),
    Column("cursor_after", String(64), nullable=True),
    Column("error", Text, nullable=True),
    Index("ix_sync_runs_stream", "connector_id", "stream", "started_at"),
)

stream_state = Table(
    "stream_state",
    metadata,
    Column("connector_id", String(64), primary_key=True),
    Column("stream", String(100), primary_key=True),
    Column("cursor", String(64), nullable=True),
    Column("resume", JSONType, nullable=True),  # an unfinished run's position: mode, token, max cursor
    Column("last_full_sync_at", UTCDateTime, nullable=True),
    Column("paused_until", UTCDateTime, nullable=True),  # the upstream's quota is spent until then
    Column("updated_at", UTCDateTime, nullable=False),
)

stream_leases = Table(
    "stream_leases",
    metadata,
    Column("connector_id", String(64), primary_key=True),
    Column("stream", String(100), primary_key=True),
    Column("run_id", String(36), nullable=False),
    Column("owner", String(200), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("observed_at", UTCDateTime, nullable=False),
    Column("source_system", String(64), nullable=False),
    Column("source_instance", String(64), nullable=False),
    Column("source_object", String(100), nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("entity_type", String(32), nullable=False),
    Column("canonical_id", String(64), nullable=False),
    Column("op", String(16), nullable=False),  # upsert | delete
    Column("content_hash", String(64), nullable=False),
    Column("changes", JSONType, nullable=False),  # {field: [before, after]}
    Column("raw", JSONType, nullable=True),
    Column("source_updated_at", UTCDateTime, nullable=True),
    Column("run_id", String(36), nullable=True),
    Column("webhook_event_id", String(64), nullable=True),
    Column("mapping_version", String(32), nullable=True),
    Column("echo_of", BigIntPK, nullable=True),  # the outbox row whose write this observation echoes
    # the hash chain (ADR 19, hub/ledger/chain.py): the previous entry's hash, and this entry's hash
    # over its content and prev_hash
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
    Index("ix_ledger_canonical", "canonical_id", "id"),
    Index("ix_ledger_source", "source_instance", "source_object", "external_id"),
)

# The head of the ledger's hash chain (one row): a removed or forged last entry does not match it.
ledger_chain = Table(
    "ledger_chain",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("entries", BigInteger, nullable=False),
    Column("last_id", BigInteger, nullable=True),
    Column("last_hash", String(64), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

xrefs = Table(
    "xrefs",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("entity_type", String(32), nullable=False),
    Column("canonical_id", String(64), nullable=False),
    Column("source_system", String(64), nullable=False),
    Column("source_instance", String(64), nullable=False),
    Column("source_object", String(100), nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("status", String(16), nullable=False, default="active"),
    Column("first_seen_at", UTCDateTime, nullable=False),
    UniqueConstraint("source_instance", "source_object", "external_id", name="uq_xrefs_source_key"),
    Index("ix_xrefs_canonical", "canonical_id"),
)

source_records = Table(
    "source_records",
    metadata,
    Column("source_instance", String(64), primary_key=True),
    Column("source_object", String(100), primary_key=True),
    Column("external_id", String(200), primary_key=True),
    Column("source_system", String(64), nullable=False),
    Column("entity_type", String(32), nullable=False),
    Column("canonical_id", String(64), nullable=False),
    Column("fields", JSONType, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("source_updated_at", UTCDateTime, nullable=True),
    Column("observed_at", UTCDateTime, nullable=False),
    Column("last_entry_id", BigIntPK, nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    # The golden record (cluster) this source record belongs to: its own canonical id until a match
    # merges it into another cluster. Derived from the ledger's match decisions.
    Column("golden_id", String(64), nullable=False),
    Index("ix_source_records_canonical", "canonical_id"),
    # golden_id first, then the keys a cluster's hub-id holder is chosen by (outbox planning)
    Index("ix_source_records_golden", "golden_id", "source_instance", "source_object", "external_id"),
)

golden_records = Table(
    "golden_records",
    metadata,
    Column("canonical_id", String(64), primary_key=True),
    Column("entity_type", String(32), nullable=False),
    Column("display_name", String(512), nullable=True),
    Column("lookup_key", String(320), nullable=True),  # primary domain or email
    Column("roles", String(200), nullable=False, default=""),  # "|partner|customer|" for portable LIKE
    Column("fields", JSONType, nullable=False),
    Column("provenance", JSONType, nullable=False),  # {field: {source, external_id, entry_id, ...}}
    Column("source_count", Integer, nullable=False),
    Column("last_entry_id", BigIntPK, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_golden_type_name", "entity_type", "display_name"),
    Index("ix_golden_lookup", "entity_type", "lookup_key"),
)

# -- identity resolution (projections of the ledger's decision entries, except the blocking index) ----
match_profiles = Table(
    "match_profiles",
    metadata,
    Column("record_id", String(64), primary_key=True),  # a source record's canonical id
    Column("entity_type", String(32), nullable=False),
    Column("source_system", String(64), nullable=False),
    Column("source_instance", String(64), nullable=False),
    Column("source_object", String(100), nullable=False),
    Column("features", JSONType, nullable=False),  # standardised values compared by the matcher
)

# How many match profiles each entity type holds (the matcher's population size, read once per page):
# kept by the writes to match_profiles, so no page counts the whole table.
match_totals = Table(
    "match_totals",
    metadata,
    Column("entity_type", String(32), primary_key=True),
    Column("total", Integer, nullable=False),
)

match_keys = Table(
    "match_keys",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("entity_type", String(32), nullable=False),
    Column("kind", String(32), nullable=False),  # domain, duns, email, name token, phone, ...
    Column("value", String(320), nullable=False),
    Column("record_id", String(64), nullable=False),
    Index("ix_match_keys_lookup", "entity_type", "kind", "value"),
    Index("ix_match_keys_record", "record_id"),
)

# How many records hold each blocking key (its term frequency), kept by the writes to match_keys: a
# common key (a frequent last name) is one row to read, not thousands of index entries to count.
match_key_counts = Table(
    "match_key_counts",
    metadata,
    Column("entity_type", String(32), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("value", String(320), primary_key=True),
    Column("n", Integer, nullable=False),
)

match_pairs = Table(
    "match_pairs",
    metadata,
    Column("id", String(36), primary_key=True),  # UUIDv5 of (entity, sorted record ids)
    Column("entity_type", String(32), nullable=False),
    Column("record_a", String(64), nullable=False),
    Column("record_b", String(64), nullable=False),
    Column("state", String(16), nullable=False),  # merged | review | accepted | rejected | unmerged | linked
    Column("band", String(16), nullable=False),  # auto | review | none
    Column("rule", String(64), nullable=False),
    Column("score", Float, nullable=True),
    Column("evidence", JSONType, nullable=False),
    Column("decided_by", String(200), nullable=True),  # "auto" or the steward
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("last_entry_id", BigIntPK, nullable=False),
    Index("ix_match_pairs_state", "entity_type", "state"),
    Index("ix_match_pairs_a", "record_a"),
    Index("ix_match_pairs_b", "record_b"),
)

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("source_system", String(64), nullable=False),
    Column("source_instance", String(64), nullable=False),
    Column("source_object", String(100), nullable=False),
    Column("external_id", String(200), nullable=True),
    Column("stage", String(32), nullable=False),  # mapping | validation | write
    Column("reason", Text, nullable=False),
    Column("field", String(200), nullable=True),
    Column("raw", JSONType, nullable=True),
    Column("run_id", String(36), nullable=True),
    Column("webhook_event_id", String(64), nullable=True),
    Column("status", String(16), nullable=False, default="open"),
    Index("ix_dead_letters_source", "source_instance", "source_object", "external_id", "status"),
)

write_log = Table(
    "write_log",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("connector_id", String(64), nullable=False),
    Column("source_object", String(100), nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("canonical_id", String(64), nullable=True),
    Column("properties", JSONType, nullable=False),  # what was sent
    Column("status", String(16), nullable=False),  # ok | failed
    Column("error", Text, nullable=True),
    Column("golden_entry_id", BigIntPK, nullable=True),  # the golden record version that was written
    Column("outbox_id", BigIntPK, nullable=True),  # the outbox row this attempt settled (migration 0008)
    Column("idempotency_key", String(64), nullable=True),
    Index("ix_write_log_record", "connector_id", "source_object", "external_id", "id"),
    Index("ix_write_log_connector", "connector_id", "id"),
)

# The transactional outbox (ADR 20): one row per write a golden-value decision implies, inserted in the
# decision's transaction; the dispatcher (hub.writeback.dispatch) claims, pushes and settles it.
outbox = Table(
    "outbox",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("connector_id", String(64), nullable=False),
    Column("source_object", String(100), nullable=False),
    Column("external_id", String(200), nullable=False),  # the source record written to
    Column("canonical_id", String(64), nullable=False),  # its golden (cluster) id
    Column("key", String(200), nullable=False),  # the value of the write rule's id property
    Column("properties", JSONType, nullable=False),  # upstream property -> value to send
    Column("fields", JSONType, nullable=False),  # canonical field -> golden value (echo recognition)
    Column("golden_entry_id", BigIntPK, nullable=True),
    Column("idempotency_key", String(64), nullable=False),
    # pending | in_flight | sent | unchanged | rejected | failed | superseded
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("claimed_by", String(200), nullable=True),
    Column("claim_token", String(36), nullable=True),
    Column("claim_expires_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("settled_at", UTCDateTime, nullable=True),
    Column("echo_entry_id", BigIntPK, nullable=True),  # the ledger entry that observed the write landing
    # the record holds its cluster's golden id in its system's hub-id slot (the lowest live external id of
    # the cluster in this object, decided when the write was planned; ADR 21): sent as WriteRecord.hub_id
    Column("stamp_hub_id", Boolean, nullable=False, default=False, server_default=false()),
    UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
    Index("ix_outbox_due", "connector_id", "source_object", "state", "next_attempt_at"),
    Index("ix_outbox_record", "connector_id", "source_object", "external_id", "id"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("connector_id", String(64), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("method", String(10), nullable=False),
    Column("url", Text, nullable=False),
    Column("headers", JSONType, nullable=False),  # minus Authorization and Cookie
    Column("body", Text, nullable=True),  # deliveries stored before migration 0006; later ones name body_sha256
    Column("body_sha256", String(64), nullable=True),  # the raw body, in webhook_bodies
    Column("events", Integer, nullable=False),
    Column("duplicates", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # accepted | unparseable
    Column("error", Text, nullable=True),
    Index("ix_webhook_deliveries_connector", "connector_id", "received_at"),
)

# Each distinct raw body once, exactly as received (bytes: a NUL or invalid UTF-8 is kept as sent);
# a replayed delivery adds a webhook_deliveries row naming the same body.
webhook_bodies = Table(
    "webhook_bodies",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("body", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),
    Column("first_received_at", UTCDateTime, nullable=False),
)

inbox_events = Table(
    "inbox_events",
    metadata,
    Column("id", BigIntPK, primary_key=True, autoincrement=True),
    Column("connector_id", String(64), nullable=False),
    Column("event_key", String(200), nullable=False),  # the sender's event id, else a content hash
    Column("delivery_id", BigIntPK, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("source_object", String(100), nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("action", String(16), nullable=False),  # upsert | delete
    Column("occurred_at", UTCDateTime, nullable=True),
    Column("version", String(64), nullable=True),
    Column("payload", JSONType, nullable=False),
    Column("record", JSONType, nullable=True),  # when the event carries the record
    Column("state", String(16), nullable=False),  # pending | processing | applied | dead
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("claimed_by", String(200), nullable=True),
    Column("claim_expires_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("applied_at", UTCDateTime, nullable=True),
    Column("changed", Boolean, nullable=True),  # did applying it change the ledger
    UniqueConstraint("connector_id", "event_key", name="uq_inbox_events_key"),
    Index("ix_inbox_events_due", "state", "next_attempt_at"),
    Index("ix_inbox_events_record", "connector_id", "source_object", "external_id"),
)

# -- deletes (migration 0009) ---------------------------------------------------------------------
# The external ids a full read of a stream has seen so far, keyed by the read (the run that started
# it; a resumed run carries it on). At the end of a complete read the stream's live records missing
# here are tombstoned; the rows are then dropped.
stream_seen = Table(
    "stream_seen",
    metadata,
    Column("connector_id", String(64), primary_key=True),
    Column("stream", String(100), primary_key=True),
    Column("read_id", String(36), primary_key=True),
    Column("external_id", String(200), primary_key=True),
)

# Tombstones a complete read inferred but the mass-delete guard held: nothing is tombstoned until an
# operator confirms (exactly ``external_ids``) or rejects the hold.
delete_holds = Table(
    "delete_holds",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("connector_id", String(64), nullable=False),
    Column("stream", String(100), nullable=False),
    Column("source_object", String(100), nullable=False),
    Column("run_id", String(36), nullable=False),
    Column("status", String(16), nullable=False),  # held | confirmed | rejected | superseded
    Column("candidates", Integer, nullable=False),
    Column("live", Integer, nullable=False),
    Column("share_limit", Float, nullable=False),
    Column("min_count", Integer, nullable=False),
    Column("external_ids", JSONType, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("decided_by", String(200), nullable=True),
    Column("applied", Integer, nullable=True),  # tombstones written on confirm
    Index("ix_delete_holds_stream", "connector_id", "stream", "status"),
)

PROJECTION_TABLES = (golden_records, source_records)
