"""`ConnectionComponents` and the driver enums: the parts of a database URL, password secret.

Names are Prefect's (`prefect_sqlalchemy.credentials`). Two drivers are added
for psycopg 3 (`SyncDriver.POSTGRESQL_PSYCOPG`, `AsyncDriver.POSTGRESQL_PSYCOPG_ASYNC`),
SQLAlchemy 2's recommended PostgreSQL driver. Unlike Prefect's, an unknown
field is an error rather than silently ignored.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

__all__ = ["AsyncDriver", "ConnectionComponents", "SyncDriver"]


class AsyncDriver(Enum):
    """Dialects with an asyncio driver (for `AsyncSqlAlchemyConnector`)."""

    POSTGRESQL_ASYNCPG = "postgresql+asyncpg"
    POSTGRESQL_PSYCOPG_ASYNC = "postgresql+psycopg_async"
    SQLITE_AIOSQLITE = "sqlite+aiosqlite"
    MYSQL_ASYNCMY = "mysql+asyncmy"
    MYSQL_AIOMYSQL = "mysql+aiomysql"
    ORACLE_ORACLEDB_ASYNC = "oracle+oracledb_async"


class SyncDriver(Enum):
    """Dialects with a blocking driver (for `SqlAlchemyConnector`)."""

    POSTGRESQL_PSYCOPG = "postgresql+psycopg"
    POSTGRESQL_PSYCOPG2 = "postgresql+psycopg2"
    POSTGRESQL_PG8000 = "postgresql+pg8000"
    POSTGRESQL_PSYCOPG2CFFI = "postgresql+psycopg2cffi"
    POSTGRESQL_PYPOSTGRESQL = "postgresql+pypostgresql"
    POSTGRESQL_PYGRESQL = "postgresql+pygresql"

    MYSQL_MYSQLDB = "mysql+mysqldb"
    MYSQL_PYMYSQL = "mysql+pymysql"
    MYSQL_MYSQLCONNECTOR = "mysql+mysqlconnector"
    MYSQL_CYMYSQL = "mysql+cymysql"
    MYSQL_OURSQL = "mysql+oursql"
    MYSQL_PYODBC = "mysql+pyodbc"

    SQLITE_PYSQLITE = "sqlite+pysqlite"
    SQLITE_PYSQLCIPHER = "sqlite+pysqlcipher"

    ORACLE_CX_ORACLE = "oracle+cx_oracle"
    ORACLE_ORACLEDB = "oracle+oracledb"

    MSSQL_PYODBC = "mssql+pyodbc"
    MSSQL_MXODBC = "mssql+mxodbc"
    MSSQL_PYMSSQL = "mssql+pymssql"


class ConnectionComponents(BaseModel):
    """The parts of a SQLAlchemy URL; `create_url()` joins them (the password stays secret)."""

    # hide_input_in_errors: a mistyped password must not appear in a ValidationError
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    driver: Union[AsyncDriver, SyncDriver, str] = Field(
        default=...,
        description="The driver name to use, e.g. postgresql+psycopg or sqlite+pysqlite.",
    )
    database: Optional[str] = Field(
        default=None, description="The name of the database to use (a file path for SQLite)."
    )
    username: Optional[str] = Field(default=None, description="The user name used to authenticate.")
    password: Optional[SecretStr] = Field(
        default=None, description="The password used to authenticate."
    )
    host: Optional[str] = Field(default=None, description="The host address of the database.")
    port: Optional[int] = Field(default=None, description="The port to connect to the database.")
    query: Optional[dict[str, str]] = Field(
        default=None,
        description=(
            "A dictionary of string keys to string values to be passed to the dialect "
            "and/or the DBAPI upon connect. To specify non-string parameters to a "
            "Python DBAPI directly, use connect_args."
        ),
    )

    @field_validator("driver", mode="before")
    @classmethod
    def _known_driver(cls, value: Any) -> Any:
        """A known driver name as its enum member, so a saved and loaded block is equal."""
        if isinstance(value, str):
            for kind in (SyncDriver, AsyncDriver):
                try:
                    return kind(value)
                except ValueError:
                    pass
        return value

    def create_url(self) -> URL:
        """The SQLAlchemy URL (its str() and repr() hide the password; the engine uses it)."""
        from sqlalchemy.engine import URL

        driver = self.driver.value if isinstance(self.driver, Enum) else self.driver
        return URL.create(
            drivername=driver,
            username=self.username,
            password=self.password.get_secret_value() if self.password else None,
            host=self.host,
            port=self.port,
            database=self.database,
            query=self.query or {},
        )
