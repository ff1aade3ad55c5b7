"""headwater-sqlalchemy: database blocks on SQLAlchemy (`prefect_sqlalchemy` -> `headwater_sqlalchemy`).

    from headwater_sqlalchemy import SqlAlchemyConnector

    with SqlAlchemyConnector.load("warehouse") as db:
        rows = db.fetch_all("SELECT * FROM customers WHERE name = :name", {"name": "Ford"})

Names load on first use, so `import headwater_sqlalchemy` does not import SQLAlchemy.
"""

from __future__ import annotations

from headwater.utilities.lazy import lazy_exports

__all__ = [
    "AsyncDriver",
    "AsyncSqlAlchemyConnector",
    "ConnectionComponents",
    "SqlAlchemyConnector",
    "SyncDriver",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from headwater_sqlalchemy.async_database import AsyncSqlAlchemyConnector
    from headwater_sqlalchemy.credentials import AsyncDriver, ConnectionComponents, SyncDriver
    from headwater_sqlalchemy.database import SqlAlchemyConnector
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "AsyncDriver": "headwater_sqlalchemy.credentials",
            "ConnectionComponents": "headwater_sqlalchemy.credentials",
            "SyncDriver": "headwater_sqlalchemy.credentials",
            "AsyncSqlAlchemyConnector": "headwater_sqlalchemy.async_database",
            "SqlAlchemyConnector": "headwater_sqlalchemy.database",
        },
    )
