"""Ten client processes record a flow of many tasks each into one server at the same time:
every task run, state and log arrives, and no request is answered 5xx.

HEADWATER_LOAD_TASKS sets the tasks per flow (default 1,000; CI may lower it); the ten
processes always run together. The test runs twice: the server on its home's embedded
store, and on PostgreSQL (HEADWATER_DATABASE_URL), where the server acknowledges each
batch once stored as sent and applies it right after (database/intake.py): every
client's records are acknowledged before it exits (nothing left to spill), and
counted once the server has applied them.
"""

from __future__ import annotations

import os
from pathlib import Path

from ingest_helpers import Backend, counts, query, start_flow
from server_process import headwater_server

PROCESSES = 10


def test_ten_processes_record_into_one_server(tmp_path: Path, ingest_backend: Backend) -> None:
    tasks = int(os.environ.get("HEADWATER_LOAD_TASKS", "1000"))
    home, where = ingest_backend.home, ingest_backend.where
    with headwater_server(home, tmp_path / "logs", ingest_backend.env()) as (server, _):
        url = f"{server.url}/api"
        clients = [start_flow(tmp_path / f"client-{i}", url, tasks) for i in range(PROCESSES)]
        results = [c.communicate(timeout=900) for c in clients]
        for client, (_, err) in zip(clients, results):
            assert client.returncode == 0, err[-3000:]
            # a 5xx would have been said once on stderr ("unreachable (HTTP 5..")
            assert "unreachable" not in err and "refused" not in err, err[-3000:]
            assert "could not be sent" not in err, err[-3000:]  # nothing spilled at exit
        found = [counts(where, out.strip()) for out, _ in results]
    assert [f["task_runs"] for f in found] == [tasks] * PROCESSES
    assert [f["completed"] for f in found] == [tasks] * PROCESSES
    assert sum(f["states"] for f in found) >= 3 * tasks * PROCESSES
    assert all(f["states"] == f["distinct_states"] for f in found)
    assert sum(f["logs"] for f in found) >= tasks * PROCESSES
    assert query(where, "SELECT COUNT(*) FROM task_runs") == [(tasks * PROCESSES,)]
