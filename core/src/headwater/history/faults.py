"""What the writer does when SQLite refuses a batch: which errors can pass, how to wait.

A full disk, an I/O error or a lock held by another process pass once space
is freed, the device recovers or the other process commits; for those the
writer keeps the records and retries with backoff (see `writer.Writer`). Any
other error (a corrupt file, a bug) will not pass by waiting: those records go
to a spill file at once (see `spill`).
"""

from __future__ import annotations

import sqlite3

# SQLite primary result codes (https://sqlite.org/rescode.html)
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_NOMEM = 7
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_PROTOCOL = 15

_TRANSIENT_CODES = frozenset(
    {
        SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM, SQLITE_READONLY, SQLITE_IOERR,
        SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_PROTOCOL,
    }
)  # fmt: skip
_TRANSIENT_WORDS = ("locked", "busy", "disk", "full", "i/o", "readonly", "unable to open")

#: first pause after a failed write, and the longest pause between retries
FIRST_RETRY = 0.1
MAX_RETRY = 2.0


def is_transient(exc: BaseException) -> bool:
    """True for a database error that may pass by itself (full disk, I/O, lock)."""
    if isinstance(exc, OSError):
        return True
    if not isinstance(exc, sqlite3.Error):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _TRANSIENT_CODES
    text = str(exc).lower()
    return any(word in text for word in _TRANSIENT_WORDS)


def _primary_code(exc: BaseException) -> int | None:
    """SQLite's primary result code; Python 3.10 has no `sqlite_errorcode`, so the
    code is read from SQLite's own message text there."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return int(code) & 0xFF
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return SQLITE_BUSY
    if "readonly" in text or "read-only" in text:
        return SQLITE_READONLY
    if "unable to open" in text:
        return SQLITE_CANTOPEN
    return None


def describe(exc: BaseException) -> str:
    """The error and what the user can do about it."""
    primary = _primary_code(exc)
    if primary in (SQLITE_BUSY, SQLITE_LOCKED):
        fix = "another process holds the database lock; it is retried until that process commits"
    elif primary in (SQLITE_READONLY, SQLITE_CANTOPEN):
        fix = "make HEADWATER_HOME writable again"
    else:
        fix = "free space on that disk (or fix the device), or set HEADWATER_HOME elsewhere"
    return f"{exc}; {fix}"


class Backoff:
    """Pauses that double after each failure, up to `MAX_RETRY` seconds."""

    __slots__ = ("delay",)

    def __init__(self) -> None:
        self.delay = FIRST_RETRY

    def next(self) -> float:
        delay = self.delay
        self.delay = min(delay * 2, MAX_RETRY)
        return delay
