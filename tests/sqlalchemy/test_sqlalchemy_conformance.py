"""Both connector blocks pass core's BlockConformance, in the URL form and the components form,
and the plugin registers them. (ConnectionComponents is a pydantic model, as in Prefect, not a block.)"""

from __future__ import annotations

import pytest
from headwater.testing.conformance.blocks import BlockConformance
from headwater_sqlalchemy import (
    AsyncDriver,
    AsyncSqlAlchemyConnector,
    ConnectionComponents,
    SqlAlchemyConnector,
    SyncDriver,
)


class TestSqlAlchemyConnectorUrl(BlockConformance):
    @pytest.fixture
    def block(self):
        return SqlAlchemyConnector(
            connection_info="postgresql+psycopg://app:conformance-url-pw@db:5432/sales",
            connect_args={"connect_timeout": 5},
            fetch_size=10,
        )


class TestSqlAlchemyConnectorComponents(BlockConformance):
    @pytest.fixture
    def block(self):
        info = ConnectionComponents(
            driver=SyncDriver.POSTGRESQL_PSYCOPG,
            username="app",
            password="conformance-components-pw",
            host="db",
            port=5432,
            database="sales",
            query={"sslmode": "prefer"},
        )
        return SqlAlchemyConnector(connection_info=info)


class TestAsyncSqlAlchemyConnector(BlockConformance):
    @pytest.fixture
    def block(self):
        info = ConnectionComponents(
            driver=AsyncDriver.POSTGRESQL_ASYNCPG,
            username="app",
            password="conformance-async-pw",
            host="db",
            database="sales",
        )
        return AsyncSqlAlchemyConnector(connection_info=info, fetch_size=5)


def test_plugin_registers_both_connectors() -> None:
    from headwater.blocks.registry import block_types

    types = block_types()
    assert types["sqlalchemy-connector"] is SqlAlchemyConnector
    assert types["async-sqlalchemy-connector"] is AsyncSqlAlchemyConnector


def test_prefect_module_paths() -> None:
    from headwater_sqlalchemy.credentials import AsyncDriver as A
    from headwater_sqlalchemy.credentials import ConnectionComponents as C
    from headwater_sqlalchemy.database import AsyncSqlAlchemyConnector as AC
    from headwater_sqlalchemy.database import SqlAlchemyConnector as SC

    assert (A, C, AC, SC) == (
        AsyncDriver,
        ConnectionComponents,
        AsyncSqlAlchemyConnector,
        SqlAlchemyConnector,
    )
    assert AsyncDriver.POSTGRESQL_ASYNCPG.value == "postgresql+asyncpg"
    assert SyncDriver.SQLITE_PYSQLITE.value == "sqlite+pysqlite"


def test_plugin_module_imports_no_sqlalchemy() -> None:
    import subprocess
    import sys

    code = "import sys, headwater_sqlalchemy.plugin, headwater_sqlalchemy; print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
