"""A full disk never loses run history and never turns a finished flow into a Crashed one.

A real full disk, without privileges: the flow runs in a subprocess whose file
size limit (RLIMIT_FSIZE, with SIGXFSZ ignored) is just above the database's
size, so SQLite's writes fail as they would on a full disk. "Space comes back"
either in that process (the limit is lifted while the flow waits) or in a new
process without the limit.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from headwater.history.sqlite import SQLiteRunStore

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE as a full disk is Linux-only"
)

#: bytes any one file may grow to in the child: more than the fresh database and
#: its WAL, far less than a flow of thousands of task runs needs
LIMIT = 300_000

CHILD = textwrap.dedent(
    """
    import resource, signal, sys, threading, time
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    from headwater import flow, task
    from headwater.history import get_store, is_throttling

    get_store().flush()  # the fresh database exists before the disk "fills"
    resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, resource.RLIM_INFINITY))

    def space_comes_back():
        # wait until the writer is stuck and the flow is held back, then lift the limit
        while not is_throttling():
            time.sleep(0.01)
        print("held back", flush=True)
        time.sleep(0.5)
        resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY,) * 2)

    if {lift}:
        threading.Thread(target=space_comes_back, daemon=True).start()

    @task
    def inc(x):
        return x + 1

    @flow
    def many(n):
        from headwater.runtime import flow_run
        for i in range(n):
            inc(i)
        return flow_run.id

    print(many({n}), flush=True)
    """
)


def _run_child(n: int, lift: bool) -> tuple[subprocess.CompletedProcess[str], str]:
    env = {**os.environ, "HEADWATER_LOGGING_LEVEL": "WARNING", "HEADWATER_STORE_EXIT_WAIT": "0.5"}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD.format(limit=LIMIT, lift=lift, n=n)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc, proc.stdout.split()[-1]


def _assert_all_recorded(home, flow_run_id: str, n: int) -> None:
    store = SQLiteRunStore(home)  # a new process's open: imports spills, then sweeps
    try:
        flow_run = store.read_flow_run(flow_run_id)
        assert flow_run["state_type"] == "COMPLETED", flow_run
        assert store.count_task_runs(flow_run_id) == n
        assert len(store.read_task_runs(flow_run_id, state="COMPLETED")) == n
        assert [s["type"] for s in store.read_states(flow_run_id)] == [
            "PENDING", "RUNNING", "COMPLETED",
        ]  # fmt: skip
    finally:
        store.close()
    conn = sqlite3.connect(home / "headwater.db")
    try:
        # every task run has its Pending, Running and Completed states, once
        assert (
            conn.execute("SELECT count(*) FROM states WHERE run_kind = 'task'").fetchone()[0]
            == 3 * n
        )
    finally:
        conn.close()
    assert not [p for p in os.listdir(home) if "spill" in p]  # imported, then removed


def test_flow_waits_for_space_and_loses_nothing(headwater_home):
    proc, flow_run_id = _run_child(20_000, lift=True)
    assert "held back" in proc.stdout  # backpressure, not dropping
    db = str(headwater_home / "headwater.db")
    warnings = [line for line in proc.stderr.splitlines() if "could not write" in line]
    assert len(warnings) == 1, proc.stderr[-3000:]  # warned once, naming the file and the fix
    assert db in warnings[0] and "free space" in warnings[0]
    assert "written" in proc.stderr  # and said when it recovered
    _assert_all_recorded(headwater_home, flow_run_id, 20_000)


def test_records_still_unwritten_at_exit_are_spilled_and_imported(headwater_home):
    proc, flow_run_id = _run_child(1_500, lift=False)
    # the exit message says how many records, and where they are
    match = re.search(r"(\d+) run records .* saved to (\S+)", proc.stderr)
    assert match, proc.stderr[-3000:]
    assert int(match.group(1)) > 0
    spill = match.group(2).rstrip(";,.")
    assert os.path.exists(spill)
    _assert_all_recorded(headwater_home, flow_run_id, 1_500)
    # a second open does not import it twice
    _assert_all_recorded(headwater_home, flow_run_id, 1_500)


@pytest.mark.parametrize(
    ("code", "transient"),
    [
        (13, True),  # SQLITE_FULL
        (10, True),  # SQLITE_IOERR
        (778, True),  # SQLITE_IOERR_WRITE
        (5, True),  # SQLITE_BUSY
        (6, True),  # SQLITE_LOCKED
        (11, False),  # SQLITE_CORRUPT
        (1, False),  # SQLITE_ERROR (e.g. a bad statement)
    ],
)
def test_which_errors_can_pass(code, transient):
    from headwater.history.faults import is_transient

    exc = sqlite3.OperationalError("boom")
    exc.sqlite_errorcode = code  # type: ignore[attr-defined]
    assert is_transient(exc) is transient


def test_opening_on_a_full_disk_says_free_space(headwater_home):
    SQLiteRunStore(headwater_home).close()  # a database exists, then the disk is full
    child = textwrap.dedent(
        """
        import resource, signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1, resource.RLIM_INFINITY))
        from headwater.exceptions import RunStoreError
        from headwater.history import get_store
        try:
            get_store()
        except RunStoreError as exc:
            print(exc)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=120
    )
    assert str(headwater_home / "headwater.db") in proc.stdout, proc.stdout + proc.stderr
    assert "free space" in proc.stdout
