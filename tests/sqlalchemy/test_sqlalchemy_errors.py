"""Bad input as users hit it: each error names the connector and database, says the fix,
and never shows the password (not in the message, nor anywhere in the traceback)."""

from __future__ import annotations

import traceback

import pytest
from headwater_sqlalchemy import ConnectionComponents, SqlAlchemyConnector, SyncDriver
from headwater_sqlalchemy.errors import (
    DatabaseAuthenticationError,
    DatabaseConnectionError,
    DatabaseQueryError,
    DriverNotInstalledError,
)
from hw_services import free_port
from sqlalchemy.exc import SQLAlchemyError

PG_PASSWORD = "pg-sentinel-Pw-5d2c91"  # conftest.PG_PASSWORD, the session cluster's


def _shown(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def test_wrong_password(postgres) -> None:
    wrong = "wrong-sentinel-pw-77"
    db = SqlAlchemyConnector(connection_info=postgres.url().replace(PG_PASSWORD, wrong))
    db._block_document_name = "warehouse"
    with pytest.raises(DatabaseAuthenticationError) as caught:
        db.fetch_one("SELECT 1")
    message = str(caught.value)
    assert "SqlAlchemyConnector 'warehouse'" in message
    assert f"postgresql+psycopg://postgres:***@127.0.0.1:{postgres.port}/postgres" in message
    assert "password authentication failed" in message
    assert "connection_info.password" in message  # the fix
    assert wrong not in _shown(caught.value)
    assert isinstance(caught.value, SQLAlchemyError)  # `except SQLAlchemyError` still works


def test_wrong_password_from_components(postgres) -> None:
    info = ConnectionComponents(
        driver=SyncDriver.POSTGRESQL_PSYCOPG,
        username="postgres",
        password="wrong-components-pw-12",
        host="127.0.0.1",
        port=postgres.port,
        database="postgres",
    )
    with pytest.raises(DatabaseAuthenticationError) as caught:
        SqlAlchemyConnector(connection_info=info).execute("SELECT 1")
    assert "wrong-components-pw-12" not in _shown(caught.value)


def test_unreachable_database() -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql+psycopg://app:unreach-pw-3@127.0.0.1:{port}/sales"
    with pytest.raises(DatabaseConnectionError) as caught:
        SqlAlchemyConnector(connection_info=url).fetch_all("SELECT 1")
    message = str(caught.value)
    assert f"postgresql+psycopg://app:***@127.0.0.1:{port}/sales" in message
    assert "could not connect" in message and "server is running" in message
    assert not isinstance(caught.value, DatabaseAuthenticationError)
    assert "unreach-pw-3" not in _shown(caught.value)


def test_database_that_does_not_exist(postgres) -> None:
    with pytest.raises(DatabaseConnectionError, match="database does not exist") as caught:
        SqlAlchemyConnector(connection_info=postgres.url("no_such_db")).execute("SELECT 1")
    assert "connection_info.database" in str(caught.value)
    assert PG_PASSWORD not in _shown(caught.value)


def test_sqlite_file_that_cannot_be_opened(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'missing-folder' / 'x.db'}"
    with pytest.raises(DatabaseConnectionError, match="could not open the database file"):
        SqlAlchemyConnector(connection_info=url).fetch_one("SELECT 1")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_bad_sql(backend: str, request: pytest.FixtureRequest) -> None:
    if backend == "sqlite":
        url = request.getfixturevalue("sqlite_url")
    else:
        url = request.getfixturevalue("postgres").url(request.getfixturevalue("pg_database"))
    with SqlAlchemyConnector(connection_info=url) as db:
        for call in (
            lambda: db.execute("SELEC 1"),
            lambda: db.fetch_all("SELECT * FROM missing_table"),
            lambda: db.execute_many("INSERT INTO missing_table VALUES (:n)", [{"n": 1}]),
        ):
            with pytest.raises(DatabaseQueryError) as caught:
                call()
            message = str(caught.value)
            assert "SqlAlchemyConnector (" in message and "could not run" in message
            assert "Fix:" in message
            assert PG_PASSWORD not in _shown(caught.value)
        # the connector still works afterwards
        assert db.fetch_one("SELECT 1") == (1,)


def test_missing_driver_says_what_to_install() -> None:
    db = SqlAlchemyConnector(connection_info="postgresql+psycopg2://u:drv-pw-9@h/d")
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("psycopg2 is installed here")
    with pytest.raises(DriverNotInstalledError, match="pip install psycopg2-binary") as caught:
        db.get_engine()
    assert "drv-pw-9" not in _shown(caught.value)


def test_bad_url_is_a_validation_error_without_the_text() -> None:
    import pydantic

    with pytest.raises(pydantic.ValidationError, match="not a SQLAlchemy URL") as caught:
        SqlAlchemyConnector(connection_info="not a url :: bad-url-pw")
    assert "bad-url-pw" not in str(caught.value)
