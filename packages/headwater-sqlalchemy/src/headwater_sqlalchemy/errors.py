"""Errors a connector raises when the database refuses it, each naming the connector and the fix.

SQLAlchemy's own errors name the driver's message and the statement, but not
which block or database it was, nor what to do. The connectors turn them into
these (the SQLAlchemy error stays attached as `__cause__`). They subclass
`sqlalchemy.exc.SQLAlchemyError`, so `except SQLAlchemyError` keeps working.
Messages show the URL with its password as `***`, and any text that came
from the driver is scrubbed of the password as well.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

__all__ = [
    "DatabaseAuthenticationError",
    "DatabaseConnectionError",
    "DatabaseQueryError",
    "DriverNotInstalledError",
    "SqlAlchemyConnectorError",
]

# SQLSTATE classes: 28 = invalid authorization; 3D000 = database does not exist.
_AUTH_STATES = ("28",)
_NO_DATABASE = "3D000"
_AUTH_WORDS = ("password authentication failed", "access denied for user", "login failed")
_NO_DATABASE_WORDS = re.compile(r'database "[^"]*" does not exist|unknown database', re.I)
_MAX_SQL = 200


class SqlAlchemyConnectorError(SQLAlchemyError):
    """A connector could not do what was asked (the cause is attached)."""


class DatabaseConnectionError(SqlAlchemyConnectorError):
    """The database could not be reached or opened."""


class DatabaseAuthenticationError(DatabaseConnectionError):
    """The database refused the login (wrong user name or password)."""


class DatabaseQueryError(SqlAlchemyConnectorError):
    """The database refused a statement (bad SQL, a missing table, a violated constraint)."""


class DriverNotInstalledError(SqlAlchemyConnectorError, ImportError):
    """The URL names a driver whose Python module is not installed."""


def _driver_message(exc: BaseException, secret: str | None) -> str:
    """The DBAPI's own words (first lines), with the password scrubbed out."""
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(line.strip() for line in str(orig).strip().splitlines()[:3] if line.strip())
    if secret:
        text = text.replace(secret, "***")
    return text or type(orig).__name__


def _sqlstate(exc: BaseException) -> str:
    """The SQLSTATE code the driver reported, looking through wrapped errors ('' if none)."""
    seen: set[int] = set()
    todo: list[Any] = [exc]
    while todo:
        error = todo.pop()
        if error is None or id(error) in seen:
            continue
        seen.add(id(error))
        code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if isinstance(code, str) and code:
            return code
        todo += [getattr(error, "orig", None), error.__cause__, error.__context__]
    return ""


def connect_error(
    exc: BaseException, where: str, secret: str | None, backend: str = ""
) -> SqlAlchemyConnectorError:
    """The error for a failed connect: login refused, no such database, or unreachable."""
    said = _driver_message(exc, secret)
    state = _sqlstate(exc)
    if state.startswith(_AUTH_STATES) or any(w in said.lower() for w in _AUTH_WORDS):
        return DatabaseAuthenticationError(
            f"{where} could not log in. The driver said: {said}\nFix: check the user name and password: "
            "set connection_info.username / connection_info.password (or the URL) to ones the "
            "database accepts, and save the block again (`headwater block create "
            "sqlalchemy-connector NAME --set connection_info.password=... --overwrite`)."
        )
    if state == _NO_DATABASE or _NO_DATABASE_WORDS.search(said):
        return DatabaseConnectionError(
            f"{where} reached the server, but the database does not exist. "
            f"The driver said: {said}\nFix: create it, or set connection_info.database to one that exists."
        )
    if backend == "sqlite":
        return DatabaseConnectionError(
            f"{where} could not open the database file. The driver said: {said}\n"
            "Fix: check that the file's folder exists and is writable, and that the path "
            "in connection_info is right (sqlite:///relative.db, sqlite:////absolute/path.db)."
        )
    return DatabaseConnectionError(
        f"{where} could not connect. The driver said: {said}\nFix: check that the database server is running and "
        "that the host and port in connection_info are right."
    )


def query_error(
    exc: BaseException, where: str, operation: str, secret: str | None
) -> DatabaseQueryError:
    """The error for a statement the database refused."""
    said = _driver_message(exc, secret)
    sql = " ".join(operation.split())
    if len(sql) > _MAX_SQL:
        sql = sql[: _MAX_SQL - 3] + "..."
    if secret:
        sql = sql.replace(secret, "***")
    return DatabaseQueryError(
        f"{where} could not run {sql!r}. The database said: {said}\n"
        "Fix: correct the statement or its parameters "
        "(placeholders are written :name and given as parameters={'name': value})."
    )


def driver_error(exc: ImportError, where: str, drivername: str) -> DriverNotInstalledError:
    """The error for a URL whose DBAPI module is missing."""
    module = exc.name or str(exc)
    return DriverNotInstalledError(
        f"{where} uses the driver {drivername!r}, whose module {module!r} is not installed: "
        f"pip install it (e.g. `pip install {_PIP_NAMES.get(module, module)}`), "
        "or pick another driver in connection_info."
    )


_PIP_NAMES = {
    "psycopg": '"psycopg[binary]"',
    "psycopg2": "psycopg2-binary",
    "asyncpg": "asyncpg",
    "aiosqlite": "aiosqlite",
    "pymysql": "pymysql",
    "MySQLdb": "mysqlclient",
    "oracledb": "oracledb",
    "pyodbc": "pyodbc",
}
