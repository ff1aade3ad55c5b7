"""A released slot is written back lazily (one write per acquire + release), never lost.

The lease's delete rides on this process's next acquisition, or the lease
keeper writes it a few milliseconds later, or at exit: another process never
waits for a lease to expire because its holder released it.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from headwater.concurrency import create_global_concurrency_limit
from headwater.concurrency.storage import get_store
from headwater.concurrency.sync import concurrency


def _leases_in_database(home: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(home / "headwater.db")
    try:
        return int(conn.execute("SELECT count(*) FROM concurrency_leases").fetchone()[0])
    finally:
        conn.close()


def test_a_release_reaches_the_database_without_another_acquisition(headwater_home: Path):
    create_global_concurrency_limit("db", limit=1)
    with concurrency("db", lease_duration=300):
        assert _leases_in_database(headwater_home) == 1
    deadline = time.monotonic() + 10
    while _leases_in_database(headwater_home) and time.monotonic() < deadline:
        time.sleep(0.005)
    assert _leases_in_database(headwater_home) == 0  # well before the 300 s lease expires


def test_this_process_sees_its_own_release_at_once(headwater_home: Path):
    create_global_concurrency_limit("db", limit=1)
    store = get_store()
    for _ in range(50):  # limit 1: each acquisition needs the last release written
        with concurrency("db", timeout_seconds=5):
            pass
    assert store.read("db")["active_slots"] == 0  # type: ignore[index]


def test_a_process_that_exits_right_after_releasing_gives_the_slot_back(
    headwater_home: Path,
):
    create_global_concurrency_limit("db", limit=1)
    code = (
        "from headwater.concurrency.sync import concurrency\n"
        "with concurrency('db', lease_duration=300):\n"
        "    pass\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert _leases_in_database(headwater_home) == 0
    with concurrency("db", timeout_seconds=2):  # free now, not in 300 s
        pass


def test_a_flush_at_exit_waits_for_the_one_the_keeper_thread_is_writing() -> None:
    """The keeper thread may have taken the releases and be writing them when the
    process exits: the exit flush must wait for it (the daemon thread dies with it)."""
    import threading

    from headwater.concurrency.leases import LeaseKeeper

    writing, written = threading.Event(), threading.Event()

    class SlowStore:
        def flush_releases(self) -> None:
            writing.set()
            time.sleep(0.3)  # a write on a busy machine
            written.set()

    keeper = LeaseKeeper()
    keeper._flush.add(SlowStore())  # type: ignore[arg-type]
    thread = threading.Thread(target=keeper.flush)  # as the keeper thread does
    thread.start()
    assert writing.wait(10)
    keeper.flush()  # as atexit does: nothing left to take, but one is being written
    assert written.is_set()
    thread.join()
