"""Run ingest_flow.py against a server (or the embedded store) and count what a home holds."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INGEST_FLOW = Path(__file__).with_name("ingest_flow.py")


def client_env(home: Path, url: str | None, key: str | None = None) -> dict[str, str]:
    env = {**os.environ, "HEADWATER_HOME": str(home), "HEADWATER_LOGGING_TO_CONSOLE": "false"}
    env.pop("HEADWATER_API_URL", None)
    env.pop("HEADWATER_API_KEY", None)
    if url is not None:
        env["HEADWATER_API_URL"] = url
    if key is not None:
        env["HEADWATER_API_KEY"] = key
    return env


def start_flow(
    home: Path, url: str | None, n: int, pause: float = 0.0, key: str | None = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(INGEST_FLOW), str(n), str(pause)],
        env=client_env(home, url, key),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_flow(
    home: Path, url: str | None, n: int, key: str | None = None, timeout: float = 300
) -> tuple[str, str]:
    """(flow run id, stderr) of a finished `ingest_flow.py n`."""
    process = start_flow(home, url, n, key=key)
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-3000:]
    return out.strip(), err


def counts(where: Path | str, flow_run_id: str) -> dict[str, int]:
    """What the history holds for one flow run and its task runs. `where`: a home (its
    embedded database) or a database URL (HEADWATER_DATABASE_URL)."""
    ids = [flow_run_id] + [
        r[0] for r in query(where, "SELECT id FROM task_runs WHERE flow_run_id = ?", [flow_run_id])
    ]
    marks = ",".join("?" * len(ids))
    wanted = set(ids)
    events = "events" if isinstance(where, Path) else "event_rows"

    def one(sql: str) -> int:
        return int(query(where, sql.format(marks=marks), ids)[0][0])

    return {
        "task_runs": len(ids) - 1,
        "completed": one(
            "SELECT COUNT(*) FROM task_runs WHERE id IN ({marks}) AND state_type = 'COMPLETED'"
        ),
        "states": one("SELECT COUNT(*) FROM states WHERE run_id IN ({marks})"),
        "distinct_states": one(
            "SELECT COUNT(*) FROM (SELECT DISTINCT run_id, type, timestamp FROM states "
            "WHERE run_id IN ({marks})) AS d"
        ),
        "logs": one("SELECT COUNT(*) FROM logs WHERE run_id IN ({marks})"),
        "events": sum(
            json.loads(r)["headwater.resource.id"].split(".", 2)[-1] in wanted
            for (r,) in query(where, f"SELECT resource_json FROM {events}", [])
        ),
    }


def query(where: Path | str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows of `sql` (`?` placeholders) in a home's embedded database or at a database URL."""
    if isinstance(where, Path):
        with sqlite3.connect(where / "headwater.db") as db:
            return db.execute(sql, list(params)).fetchall()
    import sqlalchemy as sa

    parts = sql.split("?")
    named = "".join(p + (f":p{i}" if i < len(parts) - 1 else "") for i, p in enumerate(parts))
    engine = sa.create_engine(where, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            _wait_for_intake(connection)
            found = connection.execute(sa.text(named), {f"p{i}": v for i, v in enumerate(params)})
            return [tuple(row) for row in found]
    finally:
        engine.dispose()


def _wait_for_intake(connection: Any, timeout: float = 60.0) -> None:
    """A server on PostgreSQL acknowledges batches before applying them (see
    database/intake.py): read once it has applied every staged one."""
    import sqlalchemy as sa

    staged = sa.text("SELECT count(*) FROM record_intake WHERE failed IS NULL")
    deadline = time.monotonic() + timeout
    while True:
        try:
            waiting = connection.execute(staged).scalar_one()
        except sa.exc.ProgrammingError:  # no such table: not migrated yet
            connection.rollback()
            return
        connection.rollback()  # a fresh snapshot for the next look
        if not waiting:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{waiting} staged batches still unapplied after {timeout} s")
        time.sleep(0.05)


@dataclass(frozen=True)
class Backend:
    """Where a test's server keeps its history: the embedded store of `home`, or the
    PostgreSQL database at `database_url`."""

    name: str
    home: Path
    database_url: str | None = None

    @property
    def where(self) -> Path | str:
        """What `counts` and `query` take."""
        return self.database_url or self.home

    def env(self, **more: str) -> dict[str, str]:
        """The server's environment."""
        found = {"HEADWATER_DATABASE_URL": self.database_url} if self.database_url else {}
        return {**found, **more}
