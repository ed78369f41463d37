"""Engine creation and migrations for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _private_file(path: Path) -> None:
    """Create the SQLite file 0600 (it holds every record and the encrypted credentials), and make
    an existing one and its -wal/-shm files 0600 (SQLite gives those the database file's mode)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for item in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if item.stat().st_mode & 0o077:
                item.chmod(0o600)


def _prepare_sqlite(url: str) -> None:
    parsed = make_url(url)
    database = parsed.database
    in_memory = not database or database == ":memory:" or database.startswith("file:")
    if parsed.get_backend_name() == "sqlite" and database and not in_memory:
        _private_file(Path(database))


def create_db_engine(url: str, *, read_lock_timeout: float = 5.0, read_statement_timeout: float = 30.0) -> Engine:
    """An engine with orjson for JSON columns; SQLite gets WAL, a busy timeout and foreign keys.

    On PostgreSQL a read-only transaction (``reader(engine)``: the API's reads) waits at most
    ``read_lock_timeout`` seconds for a lock and runs at most ``read_statement_timeout`` seconds, so a
    table locked by a migration or a long transaction makes ``GET /api/v1/status`` answer 503 instead
    of hanging."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _prepare_sqlite(url)
        engine = create_engine(
            url,
            json_serializer=_json_dumps,
            json_deserializer=orjson.loads,
            connect_args={"timeout": 30, "check_same_thread": False},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Python's sqlite3 opens transactions lazily; take the write lock at BEGIN instead so two
            # writers queue on busy_timeout rather than failing with "database is locked" mid-txn.
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            # A 32 MiB page cache (the default is 2 MiB: a sync's indexes outgrow it at ~10k records)
            # and a checkpoint every ~40 MB of WAL instead of every 4 MB: +13 % on a 40k initial sync
            # (ADR 25). Durability is unchanged: commits still fsync the WAL (synchronous=FULL).
            cursor.execute("PRAGMA cache_size=-32768")
            cursor.execute("PRAGMA wal_autocheckpoint=10000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Readers (``reader(engine)``) take no lock under WAL; writers take the write lock up front.
            read_only = conn.get_execution_options().get("read_only", False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    engine = create_engine(
        url,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        # No server-side prepared statements: a generic plan made while a table was empty (a first
        # sync) keeps seq-scanning it long after it has grown; per-execution plans use the live size.
        connect_args={"prepare_threshold": None},
        pool_pre_ping=True,
        # API threads, inbox workers, scheduler jobs and manual syncs share it: below ~40 connections a
        # loaded hub opens and closes sessions on every use (measured in docs/benchmarks.md).
        pool_size=20,
        max_overflow=20,
    )
    limits = (f"{max(1, int(read_lock_timeout * 1000))}ms", f"{max(1, int(read_statement_timeout * 1000))}ms")

    @event.listens_for(engine, "begin")
    def _pg_read_limits(conn: Any) -> None:
        if conn.get_execution_options().get("read_only", False):
            # Local to the transaction: the pooled connection's writers keep the server's defaults.
            conn.exec_driver_sql(
                "SELECT set_config('lock_timeout', %s, true), set_config('statement_timeout', %s, true)", limits
            )

    return engine


#: the tables a sync page writes and then reads back by key (planner statistics matter for these)
WRITE_PATH_TABLES = (
    "source_records", "golden_records", "ledger_entries", "xrefs", "match_keys", "match_key_counts",
    "match_profiles", "match_pairs", "outbox", "stream_seen",
)  # fmt: skip


def refresh_statistics(engine: Engine, tables: tuple[str, ...] = WRITE_PATH_TABLES) -> None:
    """``ANALYZE`` the write path's tables (PostgreSQL; a no-op elsewhere).

    A first sync grows these tables from empty far faster than autovacuum re-analyses them (and
    autovacuum may be off): with the statistics of an empty table the planner hash-joins whole
    tables for a lookup of a hundred keys, and every page gets slower as the data grows (ADR 25). The
    sync runner calls this each time the records it has written grow fourfold (400, 1,600, ...)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE " + ", ".join(tables))


def reader(engine: Engine) -> Engine:
    """The same engine (and pool) for read-only work: on SQLite it begins without the write lock."""
    return engine.execution_options(read_only=True)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Upgrade the database at ``url`` to ``revision`` (idempotent)."""
    parsed = make_url(url)
    database = parsed.database
    if (
        parsed.get_backend_name() == "sqlite"
        and database
        and database != ":memory:"
        and not database.startswith("file:")
    ):
        _private_file(Path(database))
    command.upgrade(alembic_config(url), revision)
