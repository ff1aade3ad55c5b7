"""What both connectors share: the fields, the URL kept secret, and the per-object runtime state.

A connection string typed as a plain `str` (Prefect's `DBUrl`) would be
stored in clear and shown by every repr, password included. Here a URL
string is a `DatabaseUrl`: a pydantic secret, encrypted when the block is
saved, whose repr and JSON show the URL with the password as `***`.

SQLAlchemy is imported by the code that parses a URL, not by this module, so
that listing the connector block types (`headwater block types`, the plugin
hook behind `Block.load("slug/name")`) does not import it.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Optional, Union

import pydantic
from headwater.blocks.abstract import CredentialsBlock, DatabaseBlock
from headwater.logging import get_logger
from pydantic import AfterValidator, BeforeValidator, Discriminator, Field, PrivateAttr, Tag

from headwater_sqlalchemy.credentials import ConnectionComponents

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

__all__ = ["ConnectorFields", "DatabaseUrl", "Runtime", "cursor_key"]

logger = get_logger("sqlalchemy")


class DatabaseUrl(pydantic.Secret[str]):
    """A SQLAlchemy URL string kept secret: shown with its password as `***`."""

    def _display(self) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            return make_url(self.get_secret_value()).render_as_string(hide_password=True)
        except ArgumentError:
            return "**********"


def _url_text(value: Any) -> Any:
    """Secrets and SQLAlchemy URL objects as the plain URL text to validate."""
    if isinstance(value, (pydantic.SecretStr, pydantic.Secret)):
        value = value.get_secret_value()
    if "sqlalchemy" in sys.modules:  # a URL object exists only once SQLAlchemy is imported
        from sqlalchemy.engine import URL

        if isinstance(value, URL):
            return value.render_as_string(hide_password=False)
    return value


def _check_url(value: DatabaseUrl) -> DatabaseUrl:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(value.get_secret_value())
    except ArgumentError:
        # The text itself is never repeated: it may hold a password.
        raise ValueError(
            "connection_info is not a SQLAlchemy URL: write dialect+driver://user:password@"
            "host:port/database (e.g. postgresql+psycopg://app:pw@db:5432/app or "
            "sqlite:///path/to/file.db), or give ConnectionComponents(...)"
        ) from None
    return value


DBUrl = Annotated[DatabaseUrl, BeforeValidator(_url_text), AfterValidator(_check_url)]


def _info_kind(value: Any) -> str:
    return "components" if isinstance(value, (dict, ConnectionComponents)) else "url"


# Tagged, so a bad value is reported against the one form it was meant as.
ConnectionInfo = Annotated[
    Union[Annotated[ConnectionComponents, Tag("components")], Annotated[DBUrl, Tag("url")]],
    Discriminator(_info_kind),
]


def cursor_key(operation: str, parameters: Any, options: dict[str, Any]) -> str:
    """Identical (operation, parameters, options) give the same key: the cursor to continue."""
    return json.dumps([operation, parameters, options], sort_keys=True, default=repr)


class Runtime:
    """A connector's live state: engine, open connections, cursors kept for repeat fetches.

    Never pickled or deep-copied: a copy (a task run in another process, a
    deep-copied parameter) starts with none and opens its own engine.
    """

    def __init__(self) -> None:
        self.engine: Any = None
        self.exit_stack: Any = None
        self.results: dict[str, Any] = {}

    def __reduce__(self) -> tuple[type[Runtime], tuple[()]]:
        return (Runtime, ())

    def __deepcopy__(self, memo: dict[int, Any]) -> Runtime:
        return Runtime()


class ConnectorFields(CredentialsBlock, DatabaseBlock):
    """The fields and URL handling both connectors share (not a block type of its own)."""

    connection_info: ConnectionInfo = Field(
        default=...,
        description=(
            "SQLAlchemy URL to create the engine; either create from components "
            "or create from a string (kept secret: it may hold the password)."
        ),
    )
    connect_args: Optional[dict[str, Any]] = Field(
        default=None,
        title="Additional Connection Arguments",
        description=(
            "The options which will be passed directly to the DBAPI's connect() "
            "method as additional keyword arguments."
        ),
    )
    fetch_size: int = Field(default=1, description="The number of rows to fetch at a time.")

    _runtime: Runtime = PrivateAttr(default_factory=Runtime)
    _async_driver: ClassVar[bool] = False  # what this class needs; checked at creation

    def block_initialization(self) -> None:
        super().block_initialization()
        from sqlalchemy.exc import NoSuchModuleError

        url = self._url()
        try:
            is_async = bool(url.get_dialect().is_async)
        except NoSuchModuleError:
            raise ValueError(
                f"{type(self).__name__}: SQLAlchemy knows no dialect/driver "
                f"{url.drivername!r}; use one such as postgresql+psycopg, sqlite+pysqlite "
                "(see SyncDriver / AsyncDriver), or install the package that provides it"
            ) from None
        if is_async and not self._async_driver:
            raise ValueError(
                f"The driver {url.drivername!r} is an async driver. "
                "Please use `AsyncSqlAlchemyConnector` instead."
            )
        if self._async_driver and not is_async:
            raise ValueError(
                f"The driver {url.drivername!r} is not an async driver. Please use "
                "`SqlAlchemyConnector` instead, or an async driver such as "
                "postgresql+asyncpg or sqlite+aiosqlite."
            )

    def _url(self) -> URL:
        info = self.connection_info
        if isinstance(info, ConnectionComponents):
            return info.create_url()
        from sqlalchemy.engine import make_url

        return make_url(info.get_secret_value())

    def _backend(self) -> str:
        return self._url().get_backend_name()

    def _password(self) -> Optional[str]:
        return self._url().password

    def _where(self) -> str:
        """'SqlAlchemyConnector 'warehouse' (postgresql+psycopg://app:***@db/app)'."""
        name = self._block_document_name
        label = type(self).__name__ + (f" {name!r}" if name else "")
        return f"{label} ({self._url().render_as_string(hide_password=True)})"

    def _engine_kwargs(self, create_engine_kwargs: dict[str, Any]) -> dict[str, Any]:
        return {"connect_args": self.connect_args or {}, **create_engine_kwargs}
