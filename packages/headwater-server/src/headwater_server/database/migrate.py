"""Alembic migrations of the server's run history, run without an alembic.ini.

`upgrade(url)` brings a database to the newest revision. An embedded home's
`headwater.db`, created by core (schema version 5), already has the baseline's
tables: it is brought to schema 5 by core, stamped at the baseline, and only the
later revisions run, so its rows stay. `reset(url)` drops the history tables and
creates them again, empty.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection, Engine

__all__ = ["BASELINE", "current_revision", "head_revision", "reset", "upgrade"]

#: the revision that matches core's schema version 5
BASELINE = "0001_schema_5"
#: the PostgreSQL advisory lock held while migrating (any fixed number; "hw" + "db")
_LOCK_KEY = 0x6877_6462


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    location = resources.files("headwater_server.database").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _embedded_home_file(engine: Engine) -> Path | None:
    """The SQLite file behind `engine` when it is one (else None)."""
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return None
    if engine.url.database == ":memory:":
        return None
    return Path(engine.url.database)


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Migrate to the newest revision; returns (revision before, revision after).

    On PostgreSQL an advisory lock makes servers starting together migrate one at a time.
    """
    import sqlalchemy as sa
    from alembic import command

    database_file = _embedded_home_file(engine)
    if database_file is not None and database_file.exists():
        with engine.connect() as connection:
            found = set(sa.inspect(connection).get_table_names())
        if "flow_runs" in found and "alembic_version" not in found:
            from headwater.history.sqlite import ensure_schema

            ensure_schema(database_file)  # an older embedded home: core takes it to schema 5
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        before = current_revision(connection)
        tables = set(sa.inspect(connection).get_table_names())
        config = _config(connection)
        if before is None and "flow_runs" in tables:
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")
    return before, head_revision()


def reset(engine: Engine) -> None:
    """Drop the run history tables (every row) and Alembic's version, then upgrade."""
    import sqlalchemy as sa

    from headwater_server.database.tables import metadata

    with engine.begin() as connection:
        metadata.drop_all(connection, checkfirst=True)
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
