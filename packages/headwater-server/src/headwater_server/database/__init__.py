"""The server's run history in a database: SQLAlchemy tables, Alembic migrations and
`SQLAlchemyRunStore` (PostgreSQL through psycopg 3, or any SQLAlchemy URL)."""

from __future__ import annotations

from headwater_server.database.run_store import SQLAlchemyRunStore

__all__ = ["SQLAlchemyRunStore"]
