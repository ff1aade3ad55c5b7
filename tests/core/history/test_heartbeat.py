"""A crashed run ends when its process was last known alive, not when someone noticed."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

from headwater.history.sqlite import SQLiteRunStore

CHILD = textwrap.dedent(
    """
    import time
    from headwater import flow, task

    @task
    def stuck():
        print("running", flush=True)
        time.sleep(600)

    @flow
    def doomed():
        time.sleep(1.0)  # some work before the task starts
        stuck()

    doomed()
    """
)


def test_crashed_run_ends_at_its_last_heartbeat(headwater_home):
    proc = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "running"
        time.sleep(2.5)  # alive a while longer: heartbeats while the writer is idle
    finally:
        killed_at = time.time()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    time.sleep(1.5)  # the next process notices only later
    store = SQLiteRunStore(headwater_home)
    try:
        [flow_run] = store.read_flow_runs(flow_name="doomed")
        [task_run] = store.read_task_runs(flow_run["id"])
        for run in (flow_run, task_run):
            assert run["state_type"] == "CRASHED"
            # ended when last seen alive: after it started, before it was killed ...
            assert run["start_time"] < run["end_time"] <= killed_at
            # ... and not long before (the process was alive until the kill)
            assert run["end_time"] > killed_at - 2.5
            crashed = store.read_states(run["id"])[-1]
            assert crashed["type"] == "CRASHED" and crashed["timestamp"] == run["end_time"]
    finally:
        store.close()


def test_a_schema_1_database_is_upgraded_in_place(tmp_path):
    """A home written before heartbeats and spill files opens, keeps its runs, and gains both."""
    import sqlite3

    from headwater.history.sqlite import SCHEMA_VERSION, schema_statements

    db = tmp_path / "headwater.db"
    conn = sqlite3.connect(db)
    for statement in schema_statements():
        if "imported_spills" in statement:
            continue
        conn.execute(statement.replace(",\n    last_seen   REAL", ""))
    conn.execute(
        "INSERT INTO flow_runs (id, name, flow_name, state_type) "
        "VALUES ('old-run', 'old-otter', 'etl', 'COMPLETED')"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    assert "last_seen" not in {row[1] for row in conn.execute("PRAGMA table_info(processes)")}
    conn.close()
    store = SQLiteRunStore(tmp_path)
    try:
        assert store.read_flow_run("old-run")["name"] == "old-otter"
    finally:
        store.close()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT last_seen FROM processes").fetchone()[0] is not None
    assert conn.execute("SELECT count(*) FROM imported_spills").fetchone()[0] == 0
    conn.close()
