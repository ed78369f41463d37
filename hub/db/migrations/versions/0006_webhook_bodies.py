"""webhook bodies stored once: a replayed delivery names the body by its SHA-256

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import hub.db.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_bodies",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("first_received_at", hub.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_webhook_bodies"),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_sha256", sa.String(64), nullable=True))
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE webhook_deliveries SET body = '' WHERE body IS NULL")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.alter_column("body", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("body_sha256")
    op.drop_table("webhook_bodies")
