"""Crash detection: runs left unfinished by a process that died are marked Crashed.

Every process that opens the store registers a row (pid, the pid's start time,
hostname). When a store opens, it checks the other rows for this host: a pid
that is gone, or that now belongs to a different process (same pid, other start
time), died without reporting; its unfinished runs become CRASHED, as of the
last moment the process was known alive (`last_seen`, a heartbeat the writer
updates with every batch and every `HEARTBEAT_EVERY` seconds while idle).
Spill files are imported first, so runs whose final state was spilled are not
marked. The processes table stays small, so this costs little at open.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import sys
import time
from functools import lru_cache, partial
from pathlib import Path

from headwater.history.batch import UNFINISHED_SQL
from headwater.history.connection import in_transaction
from headwater.history.spill import find_spills, import_spills
from headwater.history.state_events import derive_state_events


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
    now = time.time()

    def insert(c: sqlite3.Connection) -> int:
        cur = c.execute(
            "INSERT INTO processes (pid, create_time, hostname, started, last_seen) "
            "VALUES (?, ?, ?, ?, ?)",
            (pid, process_create_time(pid), hostname(), now, now),
        )
        return int(cur.lastrowid or 0)

    return int(in_transaction(conn, insert, patience))


def dead_processes(conn: sqlite3.Connection, own_id: int | None) -> list[tuple[int, int, float]]:
    """(row id, pid, last seen alive) of this host's registered processes that are gone."""
    rows = conn.execute(
        "SELECT id, pid, create_time, COALESCE(last_seen, started) FROM processes "
        "WHERE hostname = ? AND id != ?",
        (hostname(), -1 if own_id is None else own_id),
    ).fetchall()
    return [(row, pid, seen) for row, pid, created, seen in rows if not is_alive(pid, created)]


def sweep_dead_processes(
    conn: sqlite3.Connection, own_id: int | None, patience: float | None = None
) -> int:
    """Mark the unfinished runs of dead processes on this host CRASHED; return how many.

    A run's Crashed state is dated when its process was last seen alive (never
    before the run's own latest state).
    """
    dead = dead_processes(conn, own_id)
    if not dead:
        return 0

    return int(in_transaction(conn, partial(mark_crashed, dead=dead), patience))


def crash_message(pid: int, kind: str) -> str:
    """The message of a Crashed state whose process died (the server's sweep says the same)."""
    return f"Process {pid} that ran this {kind} run exited without reporting a final state"


def mark_crashed(c: sqlite3.Connection, dead: list[tuple[int, int, float]]) -> int:
    """Inside a transaction: for each (process row, pid, last seen alive), claim the row and
    mark that process's unfinished runs CRASHED as of `last seen`; return how many runs.

    The server uses this for clients whose heartbeats stopped (see headwater_server.ingest).
    """
    total = 0
    for process_row, pid, last_seen in dead:
        # Claim the row first, so two processes sweeping at once do not both mark.
        if c.execute("DELETE FROM processes WHERE id = ?", (process_row,)).rowcount != 1:
            continue
        for table, kind in (("flow_runs", "flow"), ("task_runs", "task")):
            runs = c.execute(
                f"SELECT id, MAX(COALESCE(state_timestamp, 0), ?) FROM {table} "
                f"WHERE process_id = ? AND {UNFINISHED_SQL}",
                (last_seen, process_row),
            ).fetchall()
            if not runs:
                continue
            message = crash_message(pid, kind)
            c.executemany(
                f"UPDATE {table} SET state_type = 'CRASHED', state_name = 'Crashed', "
                "state_message = ?, state_timestamp = ?, end_time = COALESCE(end_time, ?) "
                "WHERE id = ?",
                [(message, at, at, run_id) for run_id, at in runs],
            )
            c.executemany(
                "INSERT INTO states (run_id, run_kind, type, name, message, timestamp) "
                "VALUES (?, ?, 'CRASHED', 'Crashed', ?, ?)",
                [(run_id, kind, message, at) for run_id, at in runs],
            )
            derive_state_events(c, len(runs))
            total += len(runs)
    return total


def needs_upkeep(conn: sqlite3.Connection, db: Path, own_id: int | None) -> bool:
    """Whether there are spill files to import or dead processes to sweep (reads only)."""
    return bool(find_spills(db)) or bool(dead_processes(conn, own_id))


def upkeep(
    conn: sqlite3.Connection, db: Path, own_id: int | None, patience: float | None = None
) -> tuple[int, int]:
    """Import spill files, then mark dead processes' runs Crashed: (records imported, runs marked).

    In this order, so a run whose final state waited in a spill file is never marked.
    """
    imported = import_spills(conn, db, patience)
    return imported, sweep_dead_processes(conn, own_id, patience)
