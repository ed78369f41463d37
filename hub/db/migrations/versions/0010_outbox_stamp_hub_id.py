"""outbox.stamp_hub_id: whether a write carries its cluster's golden id for the hub-id slot (ADR 21)

Decided when the write is planned (the lowest live external id of the cluster in that connector's
object holds the id); the dispatcher reads it instead of recomputing. Rows still to be pushed
(pending, failed, in flight) are given the flag the dispatcher would have computed for them.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stamp_hub_id", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(
        "UPDATE outbox SET stamp_hub_id = COALESCE(outbox.external_id = ("
        " SELECT min(s.external_id) FROM source_records s"
        " WHERE s.golden_id = outbox.canonical_id AND s.source_instance = outbox.connector_id"
        " AND s.source_object = outbox.source_object AND s.deleted = false), false)"
        " WHERE outbox.state IN ('pending', 'failed', 'in_flight')"
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("stamp_hub_id")
