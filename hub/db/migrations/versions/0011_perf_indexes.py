"""performance: the cluster index on source_records leads with golden_id, then the keys the outbox's
hub-id holder is chosen by (a per-cluster minimum, not a scan of the object); match_totals keeps each
entity type's number of match profiles and match_key_counts each blocking key's (read per page instead
of counting them)

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_totals",
        sa.Column("entity_type", sa.String(32), primary_key=True),
        sa.Column("total", sa.Integer(), nullable=False),
    )
    op.execute(
        "INSERT INTO match_totals (entity_type, total)"
        " SELECT entity_type, COUNT(*) FROM match_profiles GROUP BY entity_type"
    )
    op.create_table(
        "match_key_counts",
        sa.Column("entity_type", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(320), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    op.execute(
        "INSERT INTO match_key_counts (entity_type, kind, value, n)"
        " SELECT entity_type, kind, value, COUNT(*) FROM match_keys GROUP BY entity_type, kind, value"
    )
    op.drop_index("ix_source_records_golden", table_name="source_records")
    op.create_index(
        "ix_source_records_golden", "source_records", ["golden_id", "source_instance", "source_object", "external_id"]
    )


def downgrade() -> None:
    op.drop_table("match_key_counts")
    op.drop_table("match_totals")
    op.drop_index("ix_source_records_golden", table_name="source_records")
    op.create_index("ix_source_records_golden", "source_records", ["golden_id"])
