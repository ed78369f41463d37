"""Portable bulk INSERT ... ON CONFLICT for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def _insert(conn: Connection, table: Table) -> Any:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for dialect {conn.dialect.name}")


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    key: Sequence[str],
    update: Sequence[str] | None = None,
) -> None:
    """Insert ``rows``; on a key conflict update ``update`` columns (all non-key ones by default)."""
    if not rows:
        return
    statement = _insert(conn, table)
    columns = update if update is not None else [c for c in rows[0] if c not in key]
    statement = statement.on_conflict_do_update(
        index_elements=list(key), set_={c: statement.excluded[c] for c in columns}
    )
    conn.execute(statement, list(rows))


def insert_ignore(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], key: Sequence[str]) -> None:
    """Insert ``rows``, silently skipping those whose ``key`` already exists."""
    if not rows:
        return
    statement = _insert(conn, table).on_conflict_do_nothing(index_elements=list(key))
    conn.execute(statement, list(rows))


def chunks(items: Sequence[Any], size: int = 500) -> list[Sequence[Any]]:
    """Split for IN-lists: SQLite caps bound parameters, PostgreSQL plans big lists badly."""
    return [items[i : i + size] for i in range(0, len(items), size)]
