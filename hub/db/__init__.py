"""Database access: the schema (SQLAlchemy Core tables), engines, and Alembic migrations."""

from hub.db.engine import create_db_engine, migrate, reader
from hub.db.schema import metadata

__all__ = ["create_db_engine", "metadata", "migrate", "reader"]
