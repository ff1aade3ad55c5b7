"""A crashed run ends when its process was last known alive, not when someone noticed."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

from headwater.store.sqlite import SQLiteRunStore

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
