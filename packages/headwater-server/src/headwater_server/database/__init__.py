"""The server's run history in a database: SQLAlchemy tables, Alembic migrations and
`SQLAlchemyRunStore` (PostgreSQL through psycopg 3, or any SQLAlchemy URL).

SQLAlchemy is imported only when the store is used (the CLI lists `server database`
without it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from headwater_server.database.run_store import SQLAlchemyRunStore

__all__ = ["SQLAlchemyRunStore"]


def __getattr__(name: str) -> Any:
    if name == "SQLAlchemyRunStore":
        from headwater_server.database.run_store import SQLAlchemyRunStore

        return SQLAlchemyRunStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
