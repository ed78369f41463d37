"""deletes: the external ids a full read saw, and tombstone sets held by the mass-delete guard

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import hub.db.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "stream_seen",
        sa.Column("connector_id", sa.String(64), nullable=False),
        sa.Column("stream", sa.String(100), nullable=False),
        sa.Column("read_id", sa.String(36), nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("connector_id", "stream", "read_id", "external_id", name="pk_stream_seen"),
    )
    op.create_table(
        "delete_holds",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("connector_id", sa.String(64), nullable=False),
        sa.Column("stream", sa.String(100), nullable=False),
        sa.Column("source_object", sa.String(100), nullable=False),
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("live", sa.Integer(), nullable=False),
        sa.Column("share_limit", sa.Float(), nullable=False),
        sa.Column("min_count", sa.Integer(), nullable=False),
        sa.Column("external_ids", JSONType, nullable=False),
        sa.Column("created_at", hub.db.types.UTCDateTime(), nullable=False),
        sa.Column("decided_at", hub.db.types.UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("applied", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_delete_holds"),
    )
    op.create_index("ix_delete_holds_stream", "delete_holds", ["connector_id", "stream", "status"])


def downgrade() -> None:
    op.drop_index("ix_delete_holds_stream", table_name="delete_holds")
    op.drop_table("delete_holds")
    op.drop_table("stream_seen")
