"""Reading run history never writes: it works on a home nobody may write.

Root ignores permission bits, so when the tests run as root the reading
process drops the capabilities that let root write anywhere (CAP_DAC_OVERRIDE,
CAP_DAC_READ_SEARCH); it is then bound by the 0555/0444 modes like any user.
"""

from __future__ import annotations

import ctypes
import os
import sqlite3
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from headwater.history.sqlite import SQLiteRunStore
from store_helpers import flow_run, record_task, state

#: the `headwater` command
CLI = "from headwater.cli.main import main; main()"
_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _as_unprivileged() -> None:
    """In the child before exec: make root honour file modes (a no-op for other users)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


@pytest.fixture
def read_only_home():
    """A home with one completed and one running flow run, then made read-only."""
    home = tempfile.mkdtemp(prefix="headwater-ro-")
    store = SQLiteRunStore(home)
    done, running = flow_run(name="finished-heron"), flow_run(name="busy-beaver")
    for run in (done, running):
        store.record_flow_run(run)
        store.record_state(state(run.id, "flow", "RUNNING"))
    record_task(store, done.id, 0)
    store.record_state(state(done.id, "flow", "COMPLETED"))
    store.close()
    files = sorted(os.listdir(home))
    for name in files:
        os.chmod(os.path.join(home, name), 0o444)
    os.chmod(home, 0o555)
    yield home, files
    os.chmod(home, 0o755)  # then remove it, with whatever a reader left beside the database
    for name in os.listdir(home):
        os.chmod(os.path.join(home, name), 0o644)
        os.unlink(os.path.join(home, name))
    os.rmdir(home)


def _run_unprivileged(home: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env={**os.environ, "HEADWATER_HOME": home},
        capture_output=True, text=True, preexec_fn=_as_unprivileged, timeout=60,
    )  # fmt: skip


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses prctl")
def test_the_home_really_is_read_only(read_only_home):
    home, _ = read_only_home
    probe = "open(__import__('os').path.join(__import__('sys').argv[1], 'x'), 'w')"
    proc = _run_unprivileged(home, "-c", probe, home)
    assert proc.returncode != 0 and "Permission denied" in proc.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses prctl")
def test_flow_run_ls_on_a_read_only_home(read_only_home):
    home, files = read_only_home
    proc = _run_unprivileged(home, "-c", CLI, "flow-run", "ls")
    assert proc.returncode == 0, proc.stderr
    assert "finished-heron" in proc.stdout and "busy-beaver" in proc.stdout
    assert "Completed" in proc.stdout
    proc = _run_unprivileged(home, "-c", CLI, "task-run", "ls")
    assert proc.returncode == 0, proc.stderr
    assert "add-0" in proc.stdout
    assert sorted(os.listdir(home)) == files


def test_reading_writes_nothing(read_only_home):
    """In this process (root may write here): no process row, the database file untouched.

    SQLite may create an empty -wal and -shm beside a WAL database for a reader
    when it can; that is coordination, not history, and it is not needed (above).
    """
    from headwater.history import open_for_reading

    home, files = read_only_home
    db = os.path.join(home, "headwater.db")
    before = (os.stat(db)[stat.ST_MTIME], Path(db).read_bytes())
    processes = sqlite3.connect(f"file:{db}?immutable=1", uri=True)
    registered = processes.execute("SELECT count(*) FROM processes").fetchone()[0]
    processes.close()
    reader = open_for_reading(home)
    try:
        names = {r["name"] for r in reader.read_flow_runs()}
        assert names == {"finished-heron", "busy-beaver"}
        [done] = reader.read_flow_runs(state="completed")
        assert reader.count_task_runs(done["id"]) == 1
    finally:
        reader.close()
    assert (os.stat(db)[stat.ST_MTIME], Path(db).read_bytes()) == before
    wal = db + "-wal"
    assert not os.path.exists(wal) or os.path.getsize(wal) == 0
    processes = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    assert processes.execute("SELECT count(*) FROM processes").fetchone()[0] == registered
    processes.close()


def test_reading_a_home_without_history(tmp_path):
    from headwater.history import open_for_reading

    reader = open_for_reading(tmp_path / "never-used")
    try:
        assert reader.read_flow_runs() == [] and reader.count_task_runs() == 0
    finally:
        reader.close()
    assert not (tmp_path / "never-used").exists()  # reading created nothing


def test_reading_a_writable_home_still_marks_dead_runs_crashed(headwater_home):
    """Upkeep the writing open did (spill import, crash marking) is done when needed."""
    import signal

    from headwater.history.reader import ReadOnlyRunStore
    from test_processes import _start_running_child

    proc, (fr_id, tr_id, done_id) = _start_running_child()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    reader = ReadOnlyRunStore(headwater_home)
    try:
        assert reader.read_flow_run(fr_id)["state_type"] == "CRASHED"
        assert reader.read_task_run(tr_id)["state_type"] == "CRASHED"
        assert reader.read_task_run(done_id)["state_type"] == "COMPLETED"
    finally:
        reader.close()
