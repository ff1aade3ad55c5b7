"""`AsyncSqlAlchemyConnector`: the asyncio twin of SqlAlchemyConnector (asyncpg, aiosqlite, ...).

Same fields, same method names, each awaited; Prefect's module path
`prefect_sqlalchemy.database.AsyncSqlAlchemyConnector` works as
`headwater_sqlalchemy.database.AsyncSqlAlchemyConnector`. Use it with
`async with`, and inside one event loop: the engine's connections belong to
the loop that opened them.

SQLAlchemy (and `headwater_sqlalchemy.errors`) is imported inside the
methods, so listing the block types does not import it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any, Literal, Optional, Union

from typing_extensions import Self

from headwater_sqlalchemy._connection import ConnectorFields, cursor_key, logger

if TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = ["AsyncSqlAlchemyConnector"]


class AsyncSqlAlchemyConnector(ConnectorFields):
    """A database reached through SQLAlchemy's asyncio engine with an async driver.

    Example:
        ```python
        from headwater_sqlalchemy import AsyncSqlAlchemyConnector

        async with AsyncSqlAlchemyConnector(connection_info="sqlite+aiosqlite:///example.db") as db:
            await db.execute("CREATE TABLE IF NOT EXISTS t (n INTEGER)")
            rows = await db.fetch_all("SELECT n FROM t")
        ```
    """

    _block_type_name = "Async SQLAlchemy Connector"
    _documentation_url = "https://docs.headwater.dev/sqlalchemy/"
    _async_driver = True

    # --- engine and connections ---------------------------------------------------
    def get_engine(self, **create_engine_kwargs: Any) -> AsyncEngine:
        """The async engine (made on first call, then reused until `close()`)."""
        runtime = self._runtime
        if runtime.engine is not None:
            return runtime.engine  # type: ignore[no-any-return]
        from sqlalchemy.ext.asyncio import create_async_engine

        from headwater_sqlalchemy.errors import driver_error

        url = self._url()
        try:
            engine = create_async_engine(url, **self._engine_kwargs(create_engine_kwargs))
        except ImportError as exc:
            raise driver_error(exc, self._where(), url.drivername) from exc
        logger.debug("Created a new async engine for %s.", self._where())
        runtime.engine = engine
        return engine

    async def _connect(self, **connect_kwargs: Any) -> AsyncConnection:
        from sqlalchemy.exc import DBAPIError, SQLAlchemyError

        from headwater_sqlalchemy.errors import SqlAlchemyConnectorError, connect_error

        try:
            return await self.get_engine().connect(**connect_kwargs)
        except SqlAlchemyConnectorError:
            raise
        except (DBAPIError, SQLAlchemyError, OSError) as exc:
            raise connect_error(exc, self._where(), self._password(), self._backend()) from exc

    @contextlib.asynccontextmanager
    async def _transaction(self, **connect_kwargs: Any) -> AsyncIterator[AsyncConnection]:
        connection = await self._connect(**connect_kwargs)
        try:
            async with connection.begin():
                yield connection
        finally:
            await connection.close()

    def get_connection(self, begin: bool = True, **connect_kwargs: Any) -> Any:
        """An async connection for `async with`: with `begin=True` (default) the
        transaction commits when the block ends and rolls back on an error; with
        `begin=False` it commits only when told to."""
        if begin:
            return self._transaction(**connect_kwargs)
        return self.get_engine().connect(**connect_kwargs)

    def get_client(
        self, client_type: Literal["engine", "connection"] = "engine", **get_client_kwargs: Any
    ) -> Union[AsyncEngine, AsyncConnection]:
        """`get_engine(...)` for "engine", `get_connection(...)` for "connection"."""
        if client_type == "engine":
            return self.get_engine(**get_client_kwargs)
        if client_type == "connection":
            return self.get_connection(**get_client_kwargs)  # type: ignore[no-any-return]
        raise ValueError(f"{client_type!r} is not supported; choose from engine or connection.")

    # --- running statements ---------------------------------------------------------
    async def _result_set(
        self, operation: str, parameters: Optional[dict[str, Any]], options: dict[str, Any]
    ) -> CursorResult[Any]:
        from sqlalchemy import text
        from sqlalchemy.exc import DBAPIError

        from headwater_sqlalchemy.errors import query_error

        runtime = self._runtime
        key = cursor_key(operation, parameters, options)
        result = runtime.results.get(key)
        if result is not None:
            return result  # type: ignore[no-any-return]
        async with AsyncExitStack() as attempt:  # a failed query rolls back and frees it
            connection = await attempt.enter_async_context(self._transaction())
            try:
                result = await connection.execute(
                    text(operation), parameters, execution_options=options
                )
            except DBAPIError as exc:
                raise query_error(exc, self._where(), operation, self._password()) from exc
            if runtime.exit_stack is None:
                runtime.exit_stack = AsyncExitStack()
            runtime.exit_stack.push_async_exit(attempt.pop_all())
        runtime.results[key] = result
        return result

    async def fetch_one(  # type: ignore[override]
        self, operation: str, parameters: Optional[dict[str, Any]] = None, **execution_options: Any
    ) -> Any:
        """The next row of this query's result (None once it is used up)."""
        return (await self._result_set(operation, parameters, execution_options)).fetchone()

    async def fetch_many(  # type: ignore[override]
        self,
        operation: str,
        parameters: Optional[dict[str, Any]] = None,
        size: Optional[int] = None,
        **execution_options: Any,
    ) -> list[Any]:
        """The next `size` rows (default `fetch_size`) of this query's result."""
        result = await self._result_set(operation, parameters, execution_options)
        return list(result.fetchmany(size or self.fetch_size))

    async def fetch_all(  # type: ignore[override]
        self, operation: str, parameters: Optional[dict[str, Any]] = None, **execution_options: Any
    ) -> list[Any]:
        """Every remaining row of this query's result."""
        return list((await self._result_set(operation, parameters, execution_options)).fetchall())

    async def _run(
        self, operation: str, parameters: Any, options: dict[str, Any]
    ) -> CursorResult[Any]:
        from sqlalchemy import text
        from sqlalchemy.exc import DBAPIError

        from headwater_sqlalchemy.errors import query_error

        connection = await self._connect()
        try:
            result = await connection.execute(
                text(operation), parameters, execution_options=options
            )
            await connection.commit()
        except DBAPIError as exc:
            raise query_error(exc, self._where(), operation, self._password()) from exc
        finally:
            await connection.close()
        return result

    async def execute(  # type: ignore[override]
        self, operation: str, parameters: Optional[dict[str, Any]] = None, **execution_options: Any
    ) -> CursorResult[Any]:
        """Run one statement on its own connection and commit it."""
        result = await self._run(operation, parameters, execution_options)
        logger.debug("Executed the operation %r.", operation)
        return result

    async def execute_many(  # type: ignore[override]
        self, operation: str, seq_of_parameters: list[dict[str, Any]], **execution_options: Any
    ) -> CursorResult[Any]:
        """Run one statement once per parameter set, then commit."""
        result = await self._run(operation, seq_of_parameters, execution_options)
        logger.debug("Executed %d operations based off %r.", len(seq_of_parameters), operation)
        return result

    # --- lifecycle ----------------------------------------------------------------------
    async def reset_connections(self) -> None:
        """Close every kept cursor and its connection: the next fetch runs its query again."""
        runtime = self._runtime
        for key in list(runtime.results):
            try:
                runtime.results.pop(key).close()
            except Exception as exc:  # closing one must not stop closing the rest
                logger.warning("Failed to close a cursor of %s: %s", self._where(), exc)
        if runtime.exit_stack is not None:
            stack, runtime.exit_stack = runtime.exit_stack, None
            await stack.aclose()

    async def close(self) -> None:  # type: ignore[override]
        """Close cursors and connections, and dispose of the engine."""
        try:
            await self.reset_connections()
        finally:
            engine, self._runtime.engine = self._runtime.engine, None
            if engine is not None:
                await engine.dispose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
