"""stream pause: a stream whose upstream quota is spent waits until it resets

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

import hub.db.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stream_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_until", hub.db.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stream_state", schema=None) as batch_op:
        batch_op.drop_column("paused_until")
