"""write log: every write-back attempt, per record

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import hub.db.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "write_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("created_at", hub.db.types.UTCDateTime(), nullable=False),
        sa.Column("connector_id", sa.String(length=64), nullable=False),
        sa.Column("source_object", sa.String(length=100), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("canonical_id", sa.String(length=64), nullable=True),
        sa.Column(
            "properties",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("golden_entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_write_log")),
    )
    with op.batch_alter_table("write_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_write_log_record", ["connector_id", "source_object", "external_id", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("write_log", schema=None) as batch_op:
        batch_op.drop_index("ix_write_log_record")
    op.drop_table("write_log")
