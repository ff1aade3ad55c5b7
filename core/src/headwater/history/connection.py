"""Connections to the run store's database and write transactions that wait out locks."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

logger = logging.getLogger("headwater.history")


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (we issue BEGIN ourselves) with a busy timeout."""
    conn = sqlite3.connect(str(path), timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def in_transaction(
    conn: sqlite3.Connection,
    work: Callable[[sqlite3.Connection], Any],
    patience: float | None = None,
) -> Any:
    """Run `work` inside BEGIN IMMEDIATE, retrying while the database is locked.

    The writer never gives up (a batch is never dropped); opening the store
    passes `patience` seconds, after which the lock error is raised.
    """
    delay = 0.005
    waited_since = time.monotonic()
    warned = False
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if not is_locked(exc):
                raise
            if patience is not None and time.monotonic() - waited_since > patience:
                raise
            if not warned and time.monotonic() - waited_since > 60:
                logger.warning("headwater run store: database locked for 60 s, still retrying")
                warned = True
            time.sleep(delay)
            delay = min(delay * 2, 0.25)
            continue
        try:
            result = work(conn)
            conn.execute("COMMIT")
            return result
        except BaseException as exc:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            if isinstance(exc, sqlite3.OperationalError) and is_locked(exc):
                if patience is not None and time.monotonic() - waited_since > patience:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.25)
                continue
            raise
