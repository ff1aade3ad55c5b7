"""Copy the run history of an embedded home into a server database (tests/server runs the
read routes on PostgreSQL over the same runs the embedded home recorded)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa
from headwater_server.database import migrate
from headwater_server.database.tables import metadata

#: event_rows is read from core's `events` view: every event in full
_SOURCES = {
    "flow_runs": "SELECT * FROM flow_runs",
    "task_runs": "SELECT * FROM task_runs",
    "states": "SELECT * FROM states",
    "logs": "SELECT * FROM logs",
    "event_rows": "SELECT seq, id, event, occurred, resource_json, payload_json, related_json, "
    "follows FROM events",
}


def copy_home(home: Path, url: str) -> None:
    engine = sa.create_engine(url)
    try:
        migrate.upgrade(engine)
        source = sqlite3.connect(home / "headwater.db")
        source.row_factory = sqlite3.Row
        with engine.begin() as target:
            for table, query in _SOURCES.items():
                rows = [dict(row) for row in source.execute(query)]
                if rows:
                    target.execute(metadata.tables[table].insert(), rows)
                if "seq" in metadata.tables[table].c and engine.dialect.name == "postgresql":
                    target.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'seq'), "
                            f"(SELECT coalesce(max(seq), 0) + 1 FROM {table}), false)"
                        )
                    )
        source.close()
    finally:
        engine.dispose()
