"""AsyncSqlAlchemyConnector on aiosqlite, asyncpg and psycopg's async mode: the awaited twins."""

from __future__ import annotations

import asyncio
import importlib.util

import pytest
from headwater_sqlalchemy import AsyncDriver, AsyncSqlAlchemyConnector, ConnectionComponents
from headwater_sqlalchemy.errors import DatabaseAuthenticationError, DatabaseQueryError
from hw_services import missing_service
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

ROWS = [{"n": i} for i in range(7)]


@pytest.fixture(params=["aiosqlite", "asyncpg", "psycopg_async"])
def url(request: pytest.FixtureRequest) -> str:
    module = {"psycopg_async": "psycopg"}.get(request.param, request.param)
    if importlib.util.find_spec(module) is None:
        missing_service(f"the {module} driver", f"pip install {module}")
    if request.param == "aiosqlite":
        return str(request.getfixturevalue("sqlite_url")).replace("sqlite:", "sqlite+aiosqlite:")
    postgres = request.getfixturevalue("postgres")
    database = request.getfixturevalue("pg_database")
    return str(postgres.url(database, driver=f"postgresql+{request.param}"))


async def _filled(url: str) -> AsyncSqlAlchemyConnector:
    db = AsyncSqlAlchemyConnector(connection_info=url)
    await db.execute("CREATE TABLE t (n INTEGER)")
    await db.execute_many("INSERT INTO t (n) VALUES (:n)", ROWS)
    return db


def test_fetch_methods_continue_one_cursor(url: str) -> None:
    async def main() -> None:
        async with await _filled(url) as db:
            seen = []
            while (row := await db.fetch_one("SELECT n FROM t ORDER BY n")) is not None:
                seen.append(row[0])
            assert seen == list(range(7))
            query = "SELECT n FROM t WHERE n >= :low ORDER BY n"
            assert await db.fetch_many(query, {"low": 3}, size=2) == [(3,), (4,)]
            assert await db.fetch_many(query, {"low": 3}) == [(5,)]  # fetch_size = 1
            assert await db.fetch_all(query, {"low": 3}) == [(6,)]
            await db.reset_connections()
            assert len(await db.fetch_all(query, {"low": 3})) == 4

    asyncio.run(main())


def test_connections_engine_and_close(url: str) -> None:
    async def main() -> None:
        db = await _filled(url)
        engine = db.get_engine()
        assert isinstance(engine, AsyncEngine) and db.get_client("engine") is engine
        async with db.get_connection() as connection:
            await connection.execute(text("INSERT INTO t (n) VALUES (100)"))
        with pytest.raises(RuntimeError):
            async with db.get_connection() as connection:
                await connection.execute(text("INSERT INTO t (n) VALUES (101)"))
                raise RuntimeError("boom")
        async with db.get_connection(begin=False) as connection:
            assert isinstance(connection, AsyncConnection)
        for _ in range(2):
            with pytest.raises(DatabaseQueryError, match="could not run 'SELECT nope FROM t'"):
                await db.fetch_all("SELECT nope FROM t")
        assert await db.fetch_all("SELECT n FROM t WHERE n >= 100") == [(100,)]
        await db.close()
        assert db._runtime.engine is None
        assert await db.fetch_all("SELECT count(*) FROM t") == [(8,)]
        await db.close()

    asyncio.run(main())


def test_sync_driver_is_refused_with_the_fix() -> None:
    with pytest.raises(ValueError, match="not an async driver.*SqlAlchemyConnector"):
        AsyncSqlAlchemyConnector(connection_info="sqlite:///x.db")


def test_components_and_saved_block(sqlite_url: str) -> None:
    path = sqlite_url.removeprefix("sqlite:///")
    info = ConnectionComponents(driver=AsyncDriver.SQLITE_AIOSQLITE, database=path)
    AsyncSqlAlchemyConnector(connection_info=info).save("async-local")

    async def main() -> None:
        async with AsyncSqlAlchemyConnector.load("async-local") as db:
            await db.execute("CREATE TABLE t (n INTEGER)")
            assert await db.fetch_all("SELECT count(*) FROM t") == [(0,)]

    asyncio.run(main())


def test_wrong_password_async(postgres) -> None:
    url = postgres.url(driver="postgresql+asyncpg").replace(postgres.password, "wrong-pw")

    async def main() -> None:
        async with AsyncSqlAlchemyConnector(connection_info=url) as db:
            with pytest.raises(DatabaseAuthenticationError, match="could not log in") as caught:
                await db.fetch_one("SELECT 1")
            assert "wrong-pw" not in str(caught.value)

    if importlib.util.find_spec("asyncpg") is None:
        missing_service("the asyncpg driver", "pip install asyncpg")
    asyncio.run(main())
