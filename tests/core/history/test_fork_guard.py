"""A fork waits while any headwater thread is inside SQLite, and the child starts clean.

The automation evaluator and the history writer query SQLite from background
threads of every recording process; a process pool forking at that moment used
to hand its child a held SQLite mutex (the child hung on its first connect).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from headwater.history.connection import ForkGuard, connect

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")


def test_fork_waits_for_a_guarded_call_and_the_child_gets_a_fresh_lock(tmp_path: Path) -> None:
    forgotten: list[bool] = []
    guard = ForkGuard(on_child=lambda: forgotten.append(True))
    inside = threading.Event()
    released_at: list[float] = []

    def busy() -> None:
        with guard:
            inside.set()
            time.sleep(0.5)
            released_at.append(time.monotonic())

    worker = threading.Thread(target=busy)
    worker.start()
    inside.wait()
    pid = os.fork()
    if pid == 0:  # child: the guard is free, on_child ran, SQLite works
        ok = guard.acquire() and forgotten == [True]
        conn = connect(tmp_path / "child.db")
        conn.execute("CREATE TABLE t (x)")
        conn.close()
        os._exit(0 if ok else 1)
    forked_at = time.monotonic()
    worker.join()
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert released_at and forked_at >= released_at[0]  # the fork waited for the call
    assert forgotten == []  # on_child runs only in the child
    with guard:  # and the parent's guard works as before
        pass


def test_a_process_pool_forks_while_automations_are_evaluated(tmp_path: Path) -> None:
    """The evaluator's storage drops its inherited connection in the child."""
    from headwater.automations.storage import AutomationStorage

    storage = AutomationStorage(tmp_path / "headwater.db")
    storage.query("SELECT 1")
    assert storage._conn is not None
    pid = os.fork()
    if pid == 0:
        ok = storage._conn is None and storage.query("SELECT 1") == [(1,)]
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert isinstance(storage._conn, sqlite3.Connection)
    storage.close()
