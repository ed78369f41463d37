"""Portable bulk INSERT ... ON CONFLICT for SQLite and PostgreSQL, and COPY for plain appends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Table, insert
from sqlalchemy.dialects import postgresql, sqlite

from hub.db.types import UTCDateTime


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


def append_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same columns) as one bulk append: ``COPY ... FROM STDIN`` on
    PostgreSQL (the known way past per-row INSERT cost), an executemany INSERT elsewhere. Same
    transaction, same values as ``conn.execute(insert(table), rows)``: JSON columns as JSONB, UTC
    datetimes aware (a naive one is refused, as ``UTCDateTime`` refuses it)."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), list(rows))
        return
    from psycopg.types.json import Jsonb

    from hub.db.engine import _json_dumps

    names = list(rows[0])
    kinds = []
    for name in names:
        column_type = table.c[name].type
        kinds.append("json" if isinstance(column_type, JSON) else "utc" if isinstance(column_type, UTCDateTime) else "")

    def value(kind: str, item: Any) -> Any:
        if item is None:
            return None
        if kind == "json":
            return Jsonb(item, dumps=_json_dumps)
        if kind == "utc" and item.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return item

    columns = ", ".join(f'"{name}"' for name in names)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([value(kind, row[name]) for name, kind in zip(names, kinds, strict=True)])
    finally:
        cursor.close()


def chunks(items: Sequence[Any], size: int = 500) -> list[Sequence[Any]]:
    """Split for IN-lists: SQLite caps bound parameters, PostgreSQL plans big lists badly."""
    return [items[i : i + size] for i in range(0, len(items), size)]
