"""Connections to the run store's database and write transactions that wait out locks."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

logger = logging.getLogger("headwater.history")


class ForkGuard:
    """A lock held around SQLite calls made by a thread of headwater's.

    SQLite is not fork-safe while a thread is inside it: a child can inherit a
    held mutex and hang on its first connect. Every live guard is taken just
    before `os.fork()` (so the fork waits until no guarded call is under way),
    released after it in the parent, and replaced by a fresh lock in the child,
    where `on_child` drops what the parent's connections left behind.
    """

    _live: weakref.WeakSet[ForkGuard] = weakref.WeakSet()
    _held: list[ForkGuard] = []

    def __init__(self, on_child: Callable[[], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._on_child = on_child
        ForkGuard._live.add(self)

    def __enter__(self) -> ForkGuard:
        self._lock.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()

    def acquire(self) -> bool:
        return self._lock.acquire()

    def release(self) -> None:
        self._lock.release()

    @classmethod
    def _before_fork(cls) -> None:
        for guard in list(cls._live):
            guard._lock.acquire()
            cls._held.append(guard)

    @classmethod
    def _after_fork_in_parent(cls) -> None:
        while cls._held:
            cls._held.pop()._lock.release()

    @classmethod
    def _after_fork_in_child(cls) -> None:
        cls._held.clear()
        for guard in list(cls._live):
            guard._lock = threading.Lock()
            if guard._on_child is not None:
                guard._on_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=ForkGuard._before_fork,
        after_in_parent=ForkGuard._after_fork_in_parent,
        after_in_child=ForkGuard._after_fork_in_child,
    )


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (we issue BEGIN ourselves) with a busy timeout."""
    conn = sqlite3.connect(str(path), timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def use_wal(conn: sqlite3.Connection, patience: float = 60.0) -> None:
    """Put the database in WAL mode, retrying while another process holds it.

    Switching a new database to WAL needs an exclusive lock, and SQLite answers
    "database is locked" at once (without its busy handler) when another process
    opening the same fresh home holds a lock at that moment.
    """
    delay = 0.005
    deadline = time.monotonic() + patience
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if not is_locked(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.1)


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
