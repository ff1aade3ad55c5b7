"""Run history survives what real processes do: dying mid-run, and sharing one home."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from e2e_support import state_type

pytestmark = pytest.mark.e2e

SLEEPER = """
import time
from headwater import flow, task

@task
def nap():
    time.sleep(600)

@flow(name="doomed")
def doomed():
    nap()

doomed()
"""


def _wait_for_running_task(store, proc: subprocess.Popen, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the flow process exited early ({proc.returncode}):\n{proc.stdout.read()}")
        for run in store.read_flow_runs(flow_name="doomed"):
            tasks = store.read_task_runs(flow_run_id=run["id"])
            if any(state_type(t) == "RUNNING" for t in tasks):
                return run
        time.sleep(0.1)
    pytest.fail(f"no Running task run recorded within {timeout} s")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_killed_process_shows_crashed(store, cli, tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-c", SLEEPER],
        cwd=tmp_path,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        run = _wait_for_running_task(store, proc)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()  # else a ResourceWarning (an error under filterwarnings)

    # The next process to open the store finds the dead process's runs and marks them.
    listing = cli("flow-run", "ls")
    (line,) = [ln for ln in listing.splitlines() if run["name"] in ln]
    assert "Crashed" in line, listing

    from headwater.history import get_store, reset_store

    reset_store()
    fresh = get_store()
    assert state_type(fresh.read_flow_run(run["id"])) == "CRASHED"
    (task,) = fresh.read_task_runs(flow_run_id=run["id"])
    assert state_type(task) == "CRASHED"


MANY = """
import sys
from headwater import flow, task

@task
def inc(x):
    return x + 1

@flow(name="many")
def many(n: int):
    return sum(inc(i) for i in range(n))

print("total", many(int(sys.argv[1])))
"""


def test_many_processes_one_home(store, tmp_path):
    processes, tasks_each = 4, 200
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", MANY, str(tasks_each)],
            cwd=tmp_path,
            env=os.environ.copy(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(processes)
    ]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    for proc, out in zip(procs, outputs):
        assert proc.returncode == 0, out
        assert f"total {sum(range(1, tasks_each + 1))}" in out, out

    runs = store.read_flow_runs(flow_name="many")
    assert len(runs) == processes
    assert {state_type(r) for r in runs} == {"COMPLETED"}
    for run in runs:
        assert store.count_task_runs(run["id"]) == tasks_each
        tasks = store.read_task_runs(flow_run_id=run["id"])
        assert {state_type(t) for t in tasks} == {"COMPLETED"}
    assert store.count_task_runs() == processes * tasks_each
