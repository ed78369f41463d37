"""transactional outbox: the writes golden-value decisions imply; echo marks on the ledger

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import hub.db.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", hub.db.types.BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("created_at", hub.db.types.UTCDateTime(), nullable=False),
        sa.Column("connector_id", sa.String(64), nullable=False),
        sa.Column("source_object", sa.String(100), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("canonical_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("properties", JSONType, nullable=False),
        sa.Column("fields", JSONType, nullable=False),
        sa.Column("golden_entry_id", hub.db.types.BigIntPK, nullable=True),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", hub.db.types.UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("claim_token", sa.String(36), nullable=True),
        sa.Column("claim_expires_at", hub.db.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("settled_at", hub.db.types.UTCDateTime(), nullable=True),
        sa.Column("echo_entry_id", hub.db.types.BigIntPK, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
    )
    op.create_index("ix_outbox_due", "outbox", ["connector_id", "source_object", "state", "next_attempt_at"])
    op.create_index("ix_outbox_record", "outbox", ["connector_id", "source_object", "external_id", "id"])
    with op.batch_alter_table("write_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outbox_id", hub.db.types.BigIntPK, nullable=True))
        batch_op.add_column(sa.Column("idempotency_key", sa.String(64), nullable=True))
        batch_op.create_index("ix_write_log_connector", ["connector_id", "id"])
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("echo_of", hub.db.types.BigIntPK, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_column("echo_of")
    with op.batch_alter_table("write_log", schema=None) as batch_op:
        batch_op.drop_index("ix_write_log_connector")
        batch_op.drop_column("idempotency_key")
        batch_op.drop_column("outbox_id")
    op.drop_index("ix_outbox_record", table_name="outbox")
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_table("outbox")
