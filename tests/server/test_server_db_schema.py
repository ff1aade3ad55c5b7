"""The server's SQLAlchemy tables and Alembic migrations against core's schema (version 5),
on an embedded SQLite home and on PostgreSQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from headwater.history import FlowRun, LogEntry, StateChange, TaskRun
from headwater.history.sqlite import SCHEMA_VERSION, SQLiteRunStore, ensure_schema
from headwater_server.database import migrate
from headwater_server.database.tables import HISTORY_TABLES, SERVER_TABLES, metadata

_AFFINITY = {"TEXT": "TEXT", "FLOAT": "REAL", "REAL": "REAL", "INTEGER": "INTEGER",
             "BIGINT": "INTEGER"}  # fmt: skip


def _sqlite_columns(path: Path, table: str) -> list[tuple[str, str, bool, bool]]:
    """(name, type affinity, not null, primary key) as SQLite reports them (a key's NOT NULL
    is not compared: SQLAlchemy writes it, core leaves it implied)."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute(f"PRAGMA table_info({table})").fetchall()
    return [(r[1], _AFFINITY[r[2].upper()], bool(r[3]) and not r[5], bool(r[5])) for r in rows]


def _model_columns(table: str) -> list[tuple[str, str, bool, bool]]:
    dialect = sa.create_engine("sqlite://").dialect
    return [
        (c.name, _AFFINITY[c.type.compile(dialect).upper()], not c.nullable, c.primary_key)
        for c in metadata.tables[table].columns
    ]


def _names_types(columns: list[tuple[str, str, bool, bool]]) -> list[tuple[str, str, bool]]:
    return [(name, kind, pk) for name, kind, _, pk in columns]


@pytest.mark.parametrize("table", HISTORY_TABLES)
def test_sqlalchemy_tables_have_core_schema_columns(tmp_path: Path, table: str) -> None:
    """Same columns, order, types and keys as core's schema*.sql on a fresh embedded home."""
    database = tmp_path / "headwater.db"
    ensure_schema(database)
    core = _sqlite_columns(database, table)
    assert core, f"core's schema has no table {table}"
    assert _names_types(_model_columns(table)) == _names_types(core)
    required = {name for name, _, notnull, _ in core if notnull}
    model = metadata.tables[table]
    assert {c.name for c in model.columns if not c.nullable and not c.primary_key} == required


def test_baseline_migration_creates_core_columns_on_a_new_sqlite_file(tmp_path: Path) -> None:
    fresh, home = tmp_path / "fresh.db", tmp_path / "home.db"
    ensure_schema(home)
    engine = sa.create_engine(f"sqlite:///{fresh}")
    assert migrate.upgrade(engine) == (None, migrate.head_revision())
    engine.dispose()
    for table in HISTORY_TABLES:
        assert _sqlite_columns(fresh, table) == _sqlite_columns(home, table), table


def _record_some_runs(home: Path) -> None:
    store = SQLiteRunStore(home)
    store.record_flow_run(FlowRun("f-1", "quiet-fox", "etl", created=1.0))
    store.record_task_run(TaskRun("t-1", "add-0", "add", flow_run_id="f-1", created=2.0))
    store.record_state(StateChange("t-1", "task", "COMPLETED", "Completed", None, 3.0))
    store.record_log(LogEntry("t-1", "task", 20, "adding", 2.5, "headwater.task_runs", "add-0"))
    store.close()


def test_existing_embedded_home_is_stamped_and_upgraded_keeping_its_rows(tmp_path: Path) -> None:
    _record_some_runs(tmp_path)
    database = tmp_path / "headwater.db"
    engine = sa.create_engine(f"sqlite:///{database}")
    before, after = migrate.upgrade(engine)
    with engine.connect() as connection:
        assert migrate.current_revision(connection) == after == migrate.head_revision()
        assert connection.execute(sa.text("SELECT count(*) FROM task_runs")).scalar() == 1
        assert connection.execute(sa.text("SELECT count(*) FROM logs")).scalar() == 1
        assert "applied_batches" in sa.inspect(connection).get_table_names()
    engine.dispose()
    assert before is None
    # core still opens it as its own home, rows intact
    store = SQLiteRunStore(tmp_path)
    try:
        assert [r["id"] for r in store.read_task_runs()] == ["t-1"]
        assert store.read_task_run("t-1")["state_type"] == "COMPLETED"  # type: ignore[index]
    finally:
        store.close()
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_an_older_embedded_home_is_brought_to_schema_5_first(tmp_path: Path) -> None:
    _record_some_runs(tmp_path)
    database = tmp_path / "headwater.db"
    with sqlite3.connect(database) as conn:  # as schema 4 left it: no artifacts table yet
        conn.execute("DROP TABLE artifacts")
        conn.execute("PRAGMA user_version = 4")
    engine = sa.create_engine(f"sqlite:///{database}")
    migrate.upgrade(engine)
    engine.dispose()
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT count(*) FROM artifacts").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM flow_runs").fetchone()[0] == 1


def test_upgrade_and_reset_on_postgres(pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    try:
        assert migrate.upgrade(engine) == (None, migrate.head_revision())
        assert migrate.upgrade(engine)[0] == migrate.head_revision()  # a second time: nothing
        inspector = sa.inspect(engine)
        for table in (*HISTORY_TABLES, *SERVER_TABLES):
            found = [c["name"] for c in inspector.get_columns(table)]
            assert found == [c.name for c in metadata.tables[table].columns], table
        indexes = {i["name"] for i in inspector.get_indexes("task_runs")}
        assert {"ix_task_runs_unfinished", "ix_task_runs_created_id"} <= indexes
        with engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO flow_runs (id, name, flow_name) VALUES ('a', 'b', 'c')")
            )
        migrate.reset(engine)
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM flow_runs")).scalar() == 0
            assert migrate.current_revision(connection) == migrate.head_revision()
    finally:
        engine.dispose()


def test_servers_starting_together_migrate_one_at_a_time(pg_url: str) -> None:
    """Four upgrades at once on a new database: one creates the tables, the others find them."""
    from concurrent.futures import ThreadPoolExecutor

    engines = [sa.create_engine(pg_url) for _ in range(4)]
    try:
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(migrate.upgrade, engines))
    finally:
        for engine in engines:
            engine.dispose()
    befores = sorted(str(before) for before, _ in results)
    assert befores == sorted(["None", *[migrate.head_revision()] * 3])


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_migrations_build_exactly_the_sqlalchemy_tables(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Alembic's autogenerate finds nothing to add or drop after upgrading a new database."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    url = (
        f"sqlite:///{tmp_path / 'new.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    engine = sa.create_engine(url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), metadata)
    finally:
        engine.dispose()
    assert diff == []
