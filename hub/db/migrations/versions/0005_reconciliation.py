"""reconciliation: clusters of source records, the blocking index, match pairs

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import hub.db.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("source_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("golden_id", sa.String(64), nullable=True))
    op.execute("UPDATE source_records SET golden_id = canonical_id")
    with op.batch_alter_table("source_records", schema=None) as batch_op:
        batch_op.alter_column("golden_id", existing_type=sa.String(64), nullable=False)
        batch_op.create_index("ix_source_records_golden", ["golden_id"])

    op.create_table(
        "match_profiles",
        sa.Column("record_id", sa.String(64), primary_key=True),
        sa.Column("entity_type", sa.String(32), nullable=False),
        sa.Column("source_system", sa.String(64), nullable=False),
        sa.Column("source_instance", sa.String(64), nullable=False),
        sa.Column("source_object", sa.String(100), nullable=False),
        sa.Column("features", JSONType, nullable=False),
    )
    op.create_table(
        "match_keys",
        sa.Column("id", hub.db.types.BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("entity_type", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("value", sa.String(320), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
    )
    op.create_index("ix_match_keys_lookup", "match_keys", ["entity_type", "kind", "value"])
    op.create_index("ix_match_keys_record", "match_keys", ["record_id"])
    op.create_table(
        "match_pairs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("entity_type", sa.String(32), nullable=False),
        sa.Column("record_a", sa.String(64), nullable=False),
        sa.Column("record_b", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("band", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("evidence", JSONType, nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("created_at", hub.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", hub.db.types.UTCDateTime(), nullable=False),
        sa.Column("last_entry_id", hub.db.types.BigIntPK, nullable=False),
    )
    op.create_index("ix_match_pairs_state", "match_pairs", ["entity_type", "state"])
    op.create_index("ix_match_pairs_a", "match_pairs", ["record_a"])
    op.create_index("ix_match_pairs_b", "match_pairs", ["record_b"])


def downgrade() -> None:
    op.drop_table("match_pairs")
    op.drop_table("match_keys")
    op.drop_table("match_profiles")
    with op.batch_alter_table("source_records", schema=None) as batch_op:
        batch_op.drop_index("ix_source_records_golden")
        batch_op.drop_column("golden_id")
