"""Registers the SQLAlchemy connector blocks; imports no SQLAlchemy until headwater asks."""

from __future__ import annotations

from typing import Any

from headwater.plugins import hookimpl


@hookimpl
def headwater_block_types() -> list[type[Any]]:
    from headwater_sqlalchemy.async_database import AsyncSqlAlchemyConnector
    from headwater_sqlalchemy.database import SqlAlchemyConnector

    return [SqlAlchemyConnector, AsyncSqlAlchemyConnector]
