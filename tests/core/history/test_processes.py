"""Crash detection and several processes sharing one HEADWATER_HOME."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from headwater.history import get_store
from headwater.history.crash import is_alive, process_create_time
from headwater.history.sqlite import SQLiteRunStore
from store_helpers import flow_run, record_task, state, task_run

HERE = os.path.dirname(__file__)

RUNNING_CHILD = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {here!r})
    from store_helpers import flow_run, task_run, state
    from headwater.history import get_store
    s = get_store()
    fr = flow_run(name="doomed")
    s.record_flow_run(fr)
    s.record_state(state(fr.id, "flow", "RUNNING"))
    tr = task_run(fr.id)
    s.record_task_run(tr)
    s.record_state(state(tr.id, "task", "RUNNING"))
    done = task_run(fr.id, 1)
    s.record_task_run(done)
    s.record_state(state(done.id, "task", "COMPLETED"))
    s.flush()
    print(fr.id, tr.id, done.id, flush=True)
    time.sleep(600)
    """
)


def _start_running_child():
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNING_CHILD.format(here=HERE)],
        stdout=subprocess.PIPE,
        text=True,
    )
    ids = proc.stdout.readline().split()
    proc.stdout.close()  # the child prints nothing more; an open pipe is a ResourceWarning
    assert len(ids) == 3, ids
    return proc, ids


def test_killed_process_runs_become_crashed(headwater_home):
    proc, (fr_id, tr_id, done_id) = _start_running_child()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    store = SQLiteRunStore(headwater_home)  # opening sweeps
    try:
        fr, tr = store.read_flow_run(fr_id), store.read_task_run(tr_id)
        for run, kind in ((fr, "flow"), (tr, "task")):
            assert run["state_type"] == "CRASHED" and run["state_name"] == "Crashed"
            assert f"Process {proc.pid} that ran this {kind} run exited" in run["state_message"]
            assert run["end_time"] is not None
            assert store.read_states(run["id"])[-1]["type"] == "CRASHED"
        assert store.read_task_run(done_id)["state_type"] == "COMPLETED"
        assert len(store.read_states(done_id)) == 1
    finally:
        store.close()
    # a second open does not add more Crashed states
    again = SQLiteRunStore(headwater_home)
    try:
        assert [s["type"] for s in again.read_states(fr_id)] == ["RUNNING", "CRASHED"]
    finally:
        again.close()


def test_live_process_runs_are_left_alone(headwater_home):
    proc, (fr_id, tr_id, _) = _start_running_child()
    try:
        store = SQLiteRunStore(headwater_home)
        try:
            assert store.read_flow_run(fr_id)["state_type"] == "RUNNING"
            assert store.read_task_run(tr_id)["state_type"] == "RUNNING"
        finally:
            store.close()
    finally:
        proc.kill()
        proc.wait()


def test_reused_pid_is_detected(store, headwater_home):
    # This process's pid, but registered with another start time: a previous
    # process that had the same pid and died.
    fr = flow_run()
    store.record_flow_run(fr)
    store.record_state(state(fr.id, "flow", "RUNNING"))
    store.flush()
    assert is_alive(os.getpid(), process_create_time(os.getpid()))
    assert not is_alive(os.getpid(), "some-other-boot:12345")
    import sqlite3

    conn = sqlite3.connect(headwater_home / "headwater.db")
    with conn:
        conn.execute(
            "UPDATE processes SET create_time = 'some-other-boot:12345' WHERE id = ?",
            (store.process_id,),
        )
    conn.close()
    other = SQLiteRunStore(headwater_home)
    try:
        assert other.read_flow_run(fr.id)["state_type"] == "CRASHED"
    finally:
        other.close()


def test_own_live_process_is_not_swept(store, headwater_home):
    fr = flow_run()
    store.record_flow_run(fr)
    store.record_state(state(fr.id, "flow", "RUNNING"))
    store.flush()
    SQLiteRunStore(headwater_home).close()  # a second store in this same process
    assert store.read_flow_run(fr.id)["state_type"] == "RUNNING"


WRITER_CHILD = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {here!r})
    from store_helpers import flow_run, record_task, state
    from headwater.history import get_store
    s = get_store()
    fr = flow_run(name="worker-{n}")
    s.record_flow_run(fr)
    s.record_state(state(fr.id, "flow", "RUNNING"))
    for i in range({count}):
        record_task(s, fr.id, i)
        s.record_log(__import__("store_helpers").log(fr.id, "flow", f"line {{i}}", fr.name))
    s.record_state(state(fr.id, "flow", "COMPLETED"))
    print(fr.id, flush=True)
    """
)


def test_several_processes_share_one_fresh_home(headwater_home):
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER_CHILD.format(here=HERE, n=n, count=2000)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    ids = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert err == "", err  # no errors printed
        ids.append(out.strip())
    store = get_store()
    for fr_id in ids:
        assert store.read_flow_run(fr_id)["state_type"] == "COMPLETED"  # flushed at exit
        assert store.count_task_runs(fr_id) == 2000
        assert len(store.read_logs(fr_id, include_task_runs=False)) == 2000
    assert store.count_task_runs() == 8000
    assert len(store.read_task_runs(state="COMPLETED")) == 8000


def test_task_run_recorded_before_states_in_one_batch(store):
    fr = flow_run()
    store.record_flow_run(fr)
    tr = task_run(fr.id)
    store.record_task_run(tr)
    record_task(store, fr.id, 1, final="FAILED")
    store.record_state(state(tr.id, "task", "PENDING"))
    store.flush()
    assert store.read_task_run(tr.id)["state_type"] == "PENDING"
    assert {r["state_type"] for r in store.read_task_runs(fr.id)} == {"PENDING", "FAILED"}
