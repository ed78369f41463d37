"""hash-chained ledger: prev_hash and entry_hash on every entry, the chain head; existing entries chained in id order

Revision ID: 0007
Revises: 0006
"""

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import hub.db.types
from hub.ledger.chain import GENESIS, HEAD_ID, entry_hash

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The columns of ledger_entries at this revision (a later migration's columns are not hashed here).
_COLUMNS = (
    "id", "observed_at", "source_system", "source_instance", "source_object", "external_id", "entity_type",
    "canonical_id", "op", "content_hash", "changes", "raw", "source_updated_at", "run_id", "webhook_event_id",
    "mapping_version",
)  # fmt: skip
_BATCH = 2000


def _entries() -> sa.Table:
    json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    types: dict[str, Any] = {"observed_at": hub.db.types.UTCDateTime(), "source_updated_at": hub.db.types.UTCDateTime()}
    types |= {"changes": json, "raw": json, "id": sa.BigInteger()}
    columns = [sa.Column(name, types.get(name, sa.String())) for name in _COLUMNS]
    return sa.Table(
        "ledger_entries", sa.MetaData(), *columns, sa.Column("prev_hash", sa.String(64)),
        sa.Column("entry_hash", sa.String(64)),
    )  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("entry_hash", sa.String(64), nullable=True))
    op.create_table(
        "ledger_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=True),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("updated_at", hub.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_chain"),
    )
    conn = op.get_bind()
    table = _entries()
    prev, last_id, count = GENESIS, 0, 0
    last_seen = None
    while True:
        rows = conn.execute(
            sa.select(*(table.c[name] for name in _COLUMNS)).where(table.c.id > last_id).order_by(table.c.id)
            .limit(_BATCH)
        ).fetchall()  # fmt: skip
        if not rows:
            break
        updates = []
        for row in rows:
            digest = entry_hash(row._mapping, prev)
            updates.append({"rid": row.id, "p": prev, "h": digest})
            prev = digest
            last_seen = row.observed_at
        conn.execute(
            table.update()
            .where(table.c.id == sa.bindparam("rid"))
            .values(prev_hash=sa.bindparam("p"), entry_hash=sa.bindparam("h")),
            updates,
        )
        last_id = rows[-1].id
        count += len(rows)
    if count:
        from datetime import UTC, datetime

        head = sa.table(
            "ledger_chain", sa.column("id"), sa.column("entries"), sa.column("last_id"), sa.column("last_hash"),
            sa.column("updated_at", hub.db.types.UTCDateTime()),
        )  # fmt: skip
        conn.execute(
            head.insert().values(
                id=HEAD_ID, entries=count, last_id=last_id, last_hash=prev, updated_at=last_seen or datetime.now(UTC)
            )
        )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(64), nullable=False)
        batch_op.alter_column("entry_hash", existing_type=sa.String(64), nullable=False)


def downgrade() -> None:
    op.drop_table("ledger_chain")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("prev_hash")
