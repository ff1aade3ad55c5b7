"""SqlAlchemyConnector on SQLite and on a real PostgreSQL: Prefect's methods and cursor semantics."""

from __future__ import annotations

import pytest
from headwater_sqlalchemy import ConnectionComponents, SqlAlchemyConnector, SyncDriver
from sqlalchemy.engine import Connection, Engine

ROWS = [{"name": f"n{i}", "n": i} for i in range(7)]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    postgres = request.getfixturevalue("postgres")
    return str(postgres.url(request.getfixturevalue("pg_database")))


@pytest.fixture
def db(url: str):
    with SqlAlchemyConnector(connection_info=url) as connector:
        connector.execute("CREATE TABLE people (name VARCHAR(20), n INTEGER)")
        connector.execute_many("INSERT INTO people (name, n) VALUES (:name, :n)", ROWS)
        yield connector


def test_execute_and_execute_many_commit(db: SqlAlchemyConnector, url: str) -> None:
    result = db.execute("INSERT INTO people (name, n) VALUES (:name, :n)", {"name": "x", "n": 99})
    assert result.rowcount == 1
    with SqlAlchemyConnector(connection_info=url) as other:  # another engine sees the rows
        assert other.fetch_all("SELECT count(*) FROM people") == [(8,)]


def test_fetch_one_walks_one_result(db: SqlAlchemyConnector) -> None:
    seen = []
    while (row := db.fetch_one("SELECT n FROM people ORDER BY n")) is not None:
        seen.append(row[0])
    assert seen == list(range(7))
    assert db.fetch_one("SELECT n FROM people ORDER BY n") is None  # used up until reset
    db.reset_connections()
    assert db.fetch_one("SELECT n FROM people ORDER BY n") == (0,)


def test_fetch_many_continues_and_defaults_to_fetch_size(db: SqlAlchemyConnector) -> None:
    query = "SELECT n FROM people WHERE n >= :low ORDER BY n"
    assert db.fetch_many(query, {"low": 2}, size=3) == [(2,), (3,), (4,)]
    assert db.fetch_many(query, {"low": 2}, size=3) == [(5,), (6,)]
    assert db.fetch_many(query, {"low": 5}) == [(5,)]  # other parameters: a new cursor
    db.fetch_size = 2
    assert db.fetch_many(query, {"low": 5}) == [(6,)]


def test_fetch_all_then_continues_empty_until_reset(db: SqlAlchemyConnector) -> None:
    query = "SELECT name, n FROM people ORDER BY n"
    assert db.fetch_one(query) == ("n0", 0)
    rest = db.fetch_all(query)
    assert [tuple(r) for r in rest] == [(f"n{i}", i) for i in range(1, 7)]
    assert db.fetch_all(query) == []
    db.reset_connections()
    assert len(db.fetch_all(query)) == 7


def test_failed_query_frees_its_connection(db: SqlAlchemyConnector) -> None:
    from headwater_sqlalchemy.errors import DatabaseQueryError

    for _ in range(3):
        with pytest.raises(DatabaseQueryError):
            db.fetch_all("SELECT nope FROM people")
    assert not db._runtime.results
    assert db.get_engine().pool.checkedout() == 0
    assert db.fetch_all("SELECT count(*) FROM people") == [(7,)]


def test_get_connection_begin_commits_or_rolls_back(db: SqlAlchemyConnector) -> None:
    from sqlalchemy import text

    with db.get_connection() as connection:
        connection.execute(text("INSERT INTO people (name, n) VALUES ('a', 100)"))
    with pytest.raises(RuntimeError), db.get_connection() as connection:
        connection.execute(text("INSERT INTO people (name, n) VALUES ('b', 101)"))
        raise RuntimeError("boom")
    with db.get_connection(begin=False) as connection:
        assert isinstance(connection, Connection)
        connection.execute(text("INSERT INTO people (name, n) VALUES ('c', 102)"))
        # no commit: rolled back when the connection closes
    assert db.fetch_all("SELECT n FROM people WHERE n >= 100") == [(100,)]


def test_engine_client_and_close(db: SqlAlchemyConnector) -> None:
    engine = db.get_engine()
    assert isinstance(engine, Engine)
    assert db.get_engine() is engine
    assert db.get_client("engine") is engine
    with db.get_client("connection") as connection:
        assert isinstance(connection, Connection)
    with pytest.raises(ValueError, match="engine or connection"):
        db.get_client("cursor")  # type: ignore[arg-type]
    db.fetch_one("SELECT n FROM people")
    db.close()
    assert db._runtime.engine is None and not db._runtime.results
    assert db.fetch_all("SELECT count(*) FROM people") == [(7,)]  # a new engine on demand
    assert db.get_engine() is not engine


def test_connection_components(tmp_path) -> None:
    components = ConnectionComponents(
        driver=SyncDriver.POSTGRESQL_PSYCOPG,
        username="app",
        password="pw-components",
        host="db.internal",
        port=5433,
        database="sales",
        query={"sslmode": "require"},
    )
    url = components.create_url()
    assert url.render_as_string(hide_password=False) == (
        "postgresql+psycopg://app:pw-components@db.internal:5433/sales?sslmode=require"
    )
    assert "pw-components" not in str(url) + repr(components)
    sqlite = ConnectionComponents(driver="sqlite+pysqlite", database=str(tmp_path / "c.db"))
    with SqlAlchemyConnector(connection_info=sqlite) as db:
        db.execute("CREATE TABLE t (n INTEGER)")
        assert db.fetch_all("SELECT count(*) FROM t") == [(0,)]


def test_async_driver_is_refused_with_the_fix() -> None:
    with pytest.raises(ValueError, match="AsyncSqlAlchemyConnector"):
        SqlAlchemyConnector(connection_info="sqlite+aiosqlite:///x.db")
    with pytest.raises(ValueError, match="no dialect/driver 'nope'"):
        SqlAlchemyConnector(connection_info="nope://u@h/d")


def test_saved_and_loaded(sqlite_url: str) -> None:
    from headwater.blocks import Block

    SqlAlchemyConnector(connection_info=sqlite_url, fetch_size=3).save("local")
    with SqlAlchemyConnector.load("local") as db:
        db.execute("CREATE TABLE t (n INTEGER)")
        db.execute_many("INSERT INTO t (n) VALUES (:n)", [{"n": i} for i in range(5)])
        assert db.fetch_many("SELECT n FROM t ORDER BY n") == [(0,), (1,), (2,)]
    again = Block.load("sqlalchemy-connector/local")
    assert isinstance(again, SqlAlchemyConnector) and again.fetch_size == 3
