"""Run ingest_flow.py against a server (or the embedded store) and count what a home holds."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

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


def counts(home: Path, flow_run_id: str) -> dict[str, int]:
    """What the home's database holds for one flow run and its task runs."""
    with sqlite3.connect(home / "headwater.db") as db:
        ids = [flow_run_id] + [
            r[0]
            for r in db.execute("SELECT id FROM task_runs WHERE flow_run_id = ?", (flow_run_id,))
        ]
        marks = ",".join("?" * len(ids))
        wanted = set(ids)

        def one(sql: str) -> int:
            return int(db.execute(sql.format(marks=marks), ids).fetchone()[0])

        return {
            "task_runs": len(ids) - 1,
            "completed": one(
                "SELECT COUNT(*) FROM task_runs WHERE id IN ({marks}) AND state_type = 'COMPLETED'"
            ),
            "states": one("SELECT COUNT(*) FROM states WHERE run_id IN ({marks})"),
            "distinct_states": one(
                "SELECT COUNT(*) FROM (SELECT DISTINCT run_id, type, timestamp FROM states "
                "WHERE run_id IN ({marks}))"
            ),
            "logs": one("SELECT COUNT(*) FROM logs WHERE run_id IN ({marks})"),
            "events": sum(
                json.loads(r)["headwater.resource.id"].split(".", 2)[-1] in wanted
                for (r,) in db.execute("SELECT resource_json FROM events")
            ),
        }
