"""Crash detection: runs left unfinished by a process that died are marked Crashed.

Every process that opens the store registers a row (pid, the pid's start time,
hostname). When a store opens, it checks the other rows for this host: a pid
that is gone, or that now belongs to a different process (same pid, other start
time), died without reporting; its unfinished runs become CRASHED. The
processes table stays small, so this costs little at open.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import sys
import time
from functools import lru_cache

from headwater.store.writer import UNFINISHED_SQL, in_transaction


@lru_cache(maxsize=1)
def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            return f.read().strip()
    except OSError:
        return ""


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state letter, start time in ticks since boot) from /proc, or None if no such pid."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read().decode("ascii", "replace")
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2 :].split()
    # after "pid (comm) ": state is field 3, starttime is field 22
    return fields[0], fields[19]


def _has_proc() -> bool:
    return sys.platform.startswith("linux") and os.path.isdir("/proc/self")


def process_create_time(pid: int) -> str | None:
    """A token that differs between two processes that had the same pid (Linux), else None."""
    if not _has_proc():
        return None
    stat = _proc_stat(pid)
    return None if stat is None else f"{_boot_id()}:{stat[1]}"


def is_alive(pid: int, create_time: str | None) -> bool:
    """Whether the process registered as (pid, create_time) is still running."""
    if _has_proc():
        stat = _proc_stat(pid)
        if stat is None or stat[0] in ("Z", "X"):
            return False
        if create_time is None:
            return True
        return f"{_boot_id()}:{stat[1]}" == create_time
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def hostname() -> str:
    return socket.gethostname()


def register_process(conn: sqlite3.Connection, patience: float | None = None) -> int:
    """Insert this process's row; its id is stored with every run this process records."""
    pid = os.getpid()

    def insert(c: sqlite3.Connection) -> int:
        cur = c.execute(
            "INSERT INTO processes (pid, create_time, hostname, started) VALUES (?, ?, ?, ?)",
            (pid, process_create_time(pid), hostname(), time.time()),
        )
        return int(cur.lastrowid or 0)

    return int(in_transaction(conn, insert, patience))


def sweep_dead_processes(
    conn: sqlite3.Connection, own_id: int, patience: float | None = None
) -> int:
    """Mark the unfinished runs of dead processes on this host CRASHED; return how many."""
    rows = conn.execute(
        "SELECT id, pid, create_time FROM processes WHERE hostname = ? AND id != ?",
        (hostname(), own_id),
    ).fetchall()
    dead = [(pid_row, pid) for pid_row, pid, created in rows if not is_alive(pid, created)]
    if not dead:
        return 0

    def mark(c: sqlite3.Connection) -> int:
        now = time.time()
        total = 0
        for process_row, pid in dead:
            # Claim the row first, so two processes sweeping at once do not both mark.
            if c.execute("DELETE FROM processes WHERE id = ?", (process_row,)).rowcount != 1:
                continue
            for table, kind in (("flow_runs", "flow"), ("task_runs", "task")):
                ids = [
                    r[0]
                    for r in c.execute(
                        f"SELECT id FROM {table} WHERE process_id = ? AND {UNFINISHED_SQL}",
                        (process_row,),
                    )
                ]
                if not ids:
                    continue
                message = (
                    f"Process {pid} that ran this {kind} run exited without reporting a final state"
                )
                c.execute(
                    f"UPDATE {table} SET state_type = 'CRASHED', state_name = 'Crashed', "
                    "state_message = ?, state_timestamp = ?, end_time = COALESCE(end_time, ?) "
                    f"WHERE process_id = ? AND {UNFINISHED_SQL}",
                    (message, now, now, process_row),
                )
                c.executemany(
                    "INSERT INTO states (run_id, run_kind, type, name, message, timestamp) "
                    "VALUES (?, ?, 'CRASHED', 'Crashed', ?, ?)",
                    [(run_id, kind, message, now) for run_id in ids],
                )
                total += len(ids)
        return total

    return int(in_transaction(conn, mark, patience))
