"""The password never shows: reprs, dumps, logs, errors, `headwater block inspect` and the raw
files under HEADWATER_HOME; blocks made with the CLI work against the real PostgreSQL."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

from headwater_sqlalchemy import ConnectionComponents, SqlAlchemyConnector, SyncDriver
from headwater_sqlalchemy.errors import DatabaseQueryError

SENTINEL = "pg-sentinel-Pw-5d2c91"  # conftest.PG_PASSWORD: the cluster's real password


def headwater(*args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from headwater.cli.main import main; sys.argv[0] = 'headwater'; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )
    assert SENTINEL not in done.stdout + done.stderr, "the password was printed"
    return done


def assert_not_stored_in_clear(home: Path) -> None:
    for path in home.rglob("*"):
        if path.is_file():
            assert SENTINEL.encode() not in path.read_bytes(), f"{path} holds the password"


def test_password_never_shown_in_python(postgres, pg_database, headwater_home: Path) -> None:
    records: list[str] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = lambda record: records.append(handler.format(record))  # type: ignore[method-assign]
    watched = [logging.getLogger(n) for n in ("headwater", "sqlalchemy")]
    for logger in watched:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        by_url = SqlAlchemyConnector(connection_info=postgres.url(pg_database))
        by_parts = SqlAlchemyConnector(
            connection_info=ConnectionComponents(
                driver=SyncDriver.POSTGRESQL_PSYCOPG,
                username="postgres",
                password=SENTINEL,
                host="127.0.0.1",
                port=postgres.port,
                database=pg_database,
            )
        )
        for db in (by_url, by_parts):
            shown = (
                repr(db) + str(db) + repr(db.model_dump()) + json.dumps(db.model_dump(mode="json"))
            )
            shown += repr(db.get_engine()) + str(db.get_engine().url)
            assert SENTINEL not in shown
            db.execute("CREATE TABLE IF NOT EXISTS t (n INTEGER)")
            assert db.fetch_all("SELECT count(*) FROM t") == [(0,)]
            try:
                db.fetch_one("SELECT broken FROM")
            except DatabaseQueryError as exc:
                assert SENTINEL not in str(exc)
            db.close()
        by_url.save("by-url")
        by_parts.save("by-parts")
        loaded = SqlAlchemyConnector.load("by-url")
        assert loaded.connection_info.get_secret_value() == postgres.url(pg_database)
        assert loaded.fetch_all("SELECT count(*) FROM t") == [(0,)]
        loaded.close()
    finally:
        for logger in watched:
            logger.removeHandler(handler)
            logger.setLevel(logging.NOTSET)
    assert records, "nothing was logged: the check would prove nothing"
    assert not [r for r in records if SENTINEL in r]
    assert_not_stored_in_clear(headwater_home)


def test_blocks_from_the_cli(postgres, pg_database, headwater_home: Path) -> None:
    made = headwater(
        "block", "create", "sqlalchemy-connector", "pg-url",
        "--set", f"connection_info={postgres.url(pg_database)}",
        "--set", "fetch_size=2",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    parts = headwater(
        "block", "create", "sqlalchemy-connector", "pg-parts",
        "--set", "connection_info.driver=postgresql+psycopg",
        "--set", "connection_info.username=postgres",
        "--set", f"connection_info.password={SENTINEL}",
        "--set", "connection_info.host=127.0.0.1",
        "--set", f"connection_info.port={postgres.port}",
        "--set", f"connection_info.database={pg_database}",
        "--set", 'connect_args={"connect_timeout": 5}',
    )  # fmt: skip
    assert parts.returncode == 0, parts.stderr
    url_doc = json.loads(
        headwater("block", "inspect", "sqlalchemy-connector/pg-url", "-o", "json").stdout
    )
    assert url_doc["data"]["connection_info"] == "********"
    parts_doc = json.loads(
        headwater("block", "inspect", "sqlalchemy-connector/pg-parts", "-o", "json").stdout
    )
    assert parts_doc["data"]["connection_info"]["password"] == "********"
    assert parts_doc["data"]["connection_info"]["host"] == "127.0.0.1"
    assert headwater("block", "inspect", "sqlalchemy-connector/pg-parts").returncode == 0
    listed = headwater("block", "types")
    assert "sqlalchemy-connector" in listed.stdout and "async-sqlalchemy-connector" in listed.stdout

    for name in ("pg-url", "pg-parts"):
        with SqlAlchemyConnector.load(name) as db:
            db.execute("CREATE TABLE IF NOT EXISTS t (n INTEGER)")
            db.execute_many("INSERT INTO t (n) VALUES (:n)", [{"n": 1}, {"n": 2}, {"n": 3}])
            assert len(db.fetch_many("SELECT n FROM t")) == (2 if name == "pg-url" else 1)
    assert_not_stored_in_clear(headwater_home)


def test_cli_validation_error_hides_the_url() -> None:
    bad = headwater(
        "block", "create", "sqlalchemy-connector", "bad",
        "--set", f"connection_info=not a url {SENTINEL}",
    )  # fmt: skip
    assert bad.returncode != 0
    assert "not a SQLAlchemy URL" in bad.stdout + bad.stderr
