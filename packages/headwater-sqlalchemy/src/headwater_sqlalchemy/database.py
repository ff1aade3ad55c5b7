"""`SqlAlchemyConnector`: a database as a block, for blocking drivers (Prefect's, renamed).

The engine is made on first use and kept until `close()`. Repeated `fetch_*`
calls with the same operation and parameters continue one cursor instead of
running the query again (`while row := db.fetch_one(...)` walks the result);
`reset_connections()` closes those cursors and their connections. Load and
use a connector inside one task: its engine and cursors do not travel to
another process (a copy opens its own).

SQLAlchemy (and `headwater_sqlalchemy.errors`, whose errors subclass its own)
is imported inside the methods, so listing the block types does not import it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any, Literal, Optional, Union

from headwater_sqlalchemy._connection import ConnectorFields, cursor_key, logger
from headwater_sqlalchemy.async_database import AsyncSqlAlchemyConnector

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, CursorResult, Engine

__all__ = ["AsyncSqlAlchemyConnector", "SqlAlchemyConnector"]


class SqlAlchemyConnector(ConnectorFields):
    """A database reached through SQLAlchemy with a blocking driver (psycopg, sqlite3, ...).

    Example:
        ```python
        from headwater_sqlalchemy import SqlAlchemyConnector

        with SqlAlchemyConnector(connection_info="sqlite:///example.db") as db:
            db.execute("CREATE TABLE IF NOT EXISTS t (n INTEGER)")
            db.execute_many("INSERT INTO t (n) VALUES (:n)", [{"n": 1}, {"n": 2}])
            rows = db.fetch_all("SELECT n FROM t")
        ```
    """

    _block_type_name = "SQLAlchemy Connector"
    _documentation_url = "https://docs.headwater.dev/sqlalchemy/"

    # --- engine and connections ---------------------------------------------------
    def get_engine(self, **create_engine_kwargs: Any) -> Engine:
        """The engine (made on first call, then reused until `close()`)."""
        runtime = self._runtime
        if runtime.engine is not None:
            return runtime.engine  # type: ignore[no-any-return]
        from sqlalchemy.engine import create_engine

        from headwater_sqlalchemy.errors import driver_error

        url = self._url()
        try:
            engine = create_engine(url, **self._engine_kwargs(create_engine_kwargs))
        except ImportError as exc:
            raise driver_error(exc, self._where(), url.drivername) from exc
        logger.debug("Created a new engine for %s.", self._where())
        runtime.engine = engine
        return engine

    def _connect(self, **connect_kwargs: Any) -> Connection:
        from sqlalchemy.exc import DBAPIError, SQLAlchemyError

        from headwater_sqlalchemy.errors import SqlAlchemyConnectorError, connect_error

        try:
            return self.get_engine().connect(**connect_kwargs)
        except SqlAlchemyConnectorError:
            raise
        except (DBAPIError, SQLAlchemyError) as exc:
            raise connect_error(exc, self._where(), self._password(), self._backend()) from exc

    @contextlib.contextmanager
    def _transaction(self, **connect_kwargs: Any) -> Iterator[Connection]:
        with self._connect(**connect_kwargs) as connection, connection.begin():
            yield connection

    def get_connection(self, begin: bool = True, **connect_kwargs: Any) -> Any:
        """A connection: with `begin=True` (default) a context manager that commits the
        transaction when the block ends and rolls it back on an error; with `begin=False`
        a Connection (also a context manager) that commits only when told to."""
        if begin:
            return self._transaction(**connect_kwargs)
        return self._connect(**connect_kwargs)

    def get_client(
        self, client_type: Literal["engine", "connection"] = "engine", **get_client_kwargs: Any
    ) -> Union[Engine, Connection]:
        """`get_engine(...)` for "engine", `get_connection(...)` for "connection"."""
        if client_type == "engine":
            return self.get_engine(**get_client_kwargs)
        if client_type == "connection":
            return self.get_connection(**get_client_kwargs)  # type: ignore[no-any-return]
        raise ValueError(f"{client_type!r} is not supported; choose from engine or connection.")

    # --- running statements ---------------------------------------------------------
    def _result_set(
        self, operation: str, parameters: Optional[dict[str, Any]], options: dict[str, Any]
    ) -> CursorResult[Any]:
        """The cursor for these inputs: continued if a fetch made it already, else run now."""
        from sqlalchemy import text
        from sqlalchemy.exc import DBAPIError

        from headwater_sqlalchemy.errors import query_error

        runtime = self._runtime
        key = cursor_key(operation, parameters, options)
        result = runtime.results.get(key)
        if result is not None:
            return result  # type: ignore[no-any-return]
        with ExitStack() as attempt:  # a failed query rolls back and frees its connection
            connection = attempt.enter_context(self._transaction())
            try:
                result = connection.execute(text(operation), parameters, execution_options=options)
            except DBAPIError as exc:
                raise query_error(exc, self._where(), operation, self._password()) from exc
            if runtime.exit_stack is None:
                runtime.exit_stack = ExitStack()
            runtime.exit_stack.push(attempt.pop_all())
        runtime.results[key] = result
        return result

    def fetch_one(
        self, operation: str, parameters: Optional[dict[str, Any]] = None, **execution_options: Any
    ) -> Any:
        """The next row of this query's result (None once it is used up)."""
        return self._result_set(operation, parameters, execution_options).fetchone()

    def fetch_many(
        self,
        operation: str,
        parameters: Optional[dict[str, Any]] = None,
        size: Optional[int] = None,
        **execution_options: Any,
    ) -> list[Any]:
        """The next `size` rows (default `fetch_size`) of this query's result."""
        result = self._result_set(operation, parameters, execution_options)
        return list(result.fetchmany(size or self.fetch_size))

    def fetch_all(
        self, operation: str, parameters: Optional[dict[str, Any]] = None, **execution_options: Any
    ) -> list[Any]:
        """Every remaining row of this query's result."""
        return list(self._result_set(operation, parameters, execution_options).fetchall())

    def _run(self, operation: str, parameters: Any, options: dict[str, Any]) -> CursorResult[Any]:
        from sqlalchemy import text
        from sqlalchemy.exc import DBAPIError

        from headwater_sqlalchemy.errors import query_error

        with self._connect() as connection:
            try:
                result = connection.execute(text(operation), parameters, execution_options=options)
                connection.commit()
            except DBAPIError as exc:
                raise query_error(exc, self._where(), operation, self._password()) from exc
        return result

    def execute(  # type: ignore[override]  # Prefect returns the CursorResult too
        self, operation: str, parameters: Optional[dict[str, Any]] = None, **execution_options: Any
    ) -> CursorResult[Any]:
        """Run one statement on its own connection and commit it."""
        result = self._run(operation, parameters, execution_options)
        logger.debug("Executed the operation %r.", operation)
        return result

    def execute_many(  # type: ignore[override]
        self, operation: str, seq_of_parameters: list[dict[str, Any]], **execution_options: Any
    ) -> CursorResult[Any]:
        """Run one statement once per parameter set (the driver's executemany), then commit."""
        result = self._run(operation, seq_of_parameters, execution_options)
        logger.debug("Executed %d operations based off %r.", len(seq_of_parameters), operation)
        return result

    # --- lifecycle ----------------------------------------------------------------------
    def reset_connections(self) -> None:
        """Close every kept cursor and its connection: the next fetch runs its query again."""
        runtime = self._runtime
        for key in list(runtime.results):
            try:
                runtime.results.pop(key).close()
            except Exception as exc:  # closing one must not stop closing the rest
                logger.warning("Failed to close a cursor of %s: %s", self._where(), exc)
        if runtime.exit_stack is not None:
            stack, runtime.exit_stack = runtime.exit_stack, None
            stack.close()

    def close(self) -> None:
        """Close cursors and connections, and dispose of the engine (a later call makes a new one)."""
        try:
            self.reset_connections()
        finally:
            engine, self._runtime.engine = self._runtime.engine, None
            if engine is not None:
                engine.dispose()
