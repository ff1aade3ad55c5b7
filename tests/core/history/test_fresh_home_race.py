"""Switching a fresh database to WAL while another process holds a lock on it.

SQLite answers "database is locked" at once to `PRAGMA journal_mode = WAL`
in some states of a brand-new file, without calling its busy handler: a CI
run lost one of two processes started together on a fresh home that way.
`use_wal` retries until the other side lets go (the run store and the block
store both open through it).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from headwater.history.connection import use_wal


def _held_for(path: Path, seconds: float) -> threading.Event:
    """Another connection holds an exclusive lock on `path` for `seconds`."""
    taken = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        taken.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    threading.Thread(target=hold, daemon=True).start()
    taken.wait(5)
    return taken


def test_use_wal_waits_out_a_lock_that_refuses_at_once(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    sqlite3.connect(path).close()
    _held_for(path, 0.3)
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)  # no busy handler
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        conn.execute("PRAGMA journal_mode = WAL")  # what the open did before
    use_wal(conn)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_use_wal_gives_up_after_its_patience(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    sqlite3.connect(path).close()
    _held_for(path, 2.0)
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        use_wal(conn, patience=0.2)
    conn.close()
