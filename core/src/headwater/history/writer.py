"""The background writer: drains queued records into SQLite, one transaction per batch.

Recording must cost the engine about a microsecond, so `record_*` only appends
to a deque; this thread does all encoding and I/O (see `batch`). It never drops
records: when SQLite refuses a batch for a reason that can pass (a full disk, an
I/O error, a lock; see `faults`) it keeps the batch, warns once, and retries
with backoff while the queue fills and the engine waits (backpressure, in
`sqlite`). Records it must give up on are saved to a spill file (see `spill`).
Every commit, and every `HEARTBEAT_EVERY` seconds while idle, it stamps this
process's row with the time, so a crash is dated when the process was last alive.

SQLite is not fork-safe while a thread is inside it (a child can inherit a held
mutex), so every SQLite call here holds `fork_lock`, which `sqlite` takes
before a fork; lock waits happen outside it, in short attempts.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from headwater.history.batch import build_batch, execute_rows
from headwater.history.connection import ForkGuard, connect, in_transaction, is_locked
from headwater.history.faults import Backoff, describe, is_transient
from headwater.history.records import Event, StateChange
from headwater.history.spill import release, write_spill

__all__ = ["HEARTBEAT_EVERY", "IDLE_WAIT", "MAX_BATCH", "Writer", "connect"]

logger = logging.getLogger("headwater.history")

#: records taken from the queue per transaction
MAX_BATCH = 20_000
#: how long the writer sleeps when idle; bounds how stale the database can be
IDLE_WAIT = 0.05
#: seconds between heartbeats while idle (a crash is dated at most this early)
HEARTBEAT_EVERY = 1.0
#: seconds one commit waits out another process's lock before the batch is held
LOCK_PATIENCE = 5.0
#: SQLite's own wait for a lock per attempt (ms); retries happen outside `fork_lock`
ATTEMPT_BUSY_MS = 100
#: records after whose commit the listeners are called
_WAKES = (Event, StateChange)
_BEAT = "UPDATE processes SET last_seen = ? WHERE id = ?"


class Writer:
    """One daemon thread that owns a connection and commits the queue in batches."""

    def __init__(self, path: Path, process_id: int | None, queue: deque[Any]) -> None:
        self.path = path
        self.process_id = process_id
        self.queue = queue
        self.wake = threading.Event()
        self.stopping = False
        #: a batch SQLite refused for now, retried until it is written
        self.held: list[Any] = []
        #: called after a committed batch that held events or state changes (which
        #: become events in the same transaction); automations wake on it
        self.commit_listeners: list[Callable[[], None]] = []
        #: monotonic time of the first failure of the current stall, else None
        self.stalled_since: float | None = None
        self._error: BaseException | None = None
        self._backoff = Backoff()
        self._last_beat = 0.0
        self._inline_lock = threading.Lock()
        #: held around every SQLite call, and by the store just before a fork
        self.fork_lock = ForkGuard()
        self.thread = threading.Thread(target=self._run, name="headwater-store-writer", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def alive(self) -> bool:
        return self.thread.is_alive()

    @property
    def stalled(self) -> bool:
        """True while a batch waits for an error to pass (records are in memory)."""
        return self.stalled_since is not None

    def stop(self, timeout: float | None = None) -> None:
        """Stop after writing what is queued; a stalled writer stops at once, keeping `held`."""
        self.stopping = True
        self.wake.set()
        if self.thread.is_alive() and threading.current_thread() is not self.thread:
            self.thread.join(timeout)

    def _take(self) -> list[Any]:
        queue = self.queue
        popleft = queue.popleft
        batch: list[Any] = []
        append = batch.append
        try:
            for _ in range(min(len(queue), MAX_BATCH)):
                append(popleft())
        except IndexError:  # drained concurrently by an inline flush
            pass
        return batch

    def _connect(self) -> sqlite3.Connection:
        with self.fork_lock:
            conn = connect(self.path)
            conn.execute(f"PRAGMA busy_timeout = {ATTEMPT_BUSY_MS}")
            # Big batches: a larger page cache and fewer, larger checkpoints.
            conn.execute("PRAGMA cache_size = -8192")
            conn.execute("PRAGMA wal_autocheckpoint = 10000")
        return conn

    def _close(self, conn: sqlite3.Connection) -> None:
        with self.fork_lock:
            conn.close()

    def _run(self) -> None:
        conn = self._connect()
        try:
            while True:
                if self.held:
                    if self.stopping:
                        break  # the store spills what is left
                    self._pause(self._backoff.next())
                    if not self.stopping:
                        batch, self.held = self.held, []
                        self.write(conn, batch)
                    continue
                if not self.queue:
                    if self.stopping:
                        break
                    self.wake.wait(IDLE_WAIT)
                    self.wake.clear()
                    if time.monotonic() - self._last_beat >= HEARTBEAT_EVERY:
                        self._heartbeat(conn)
                    continue
                self.write(conn, self._take())
        finally:
            self._close(conn)

    def _pause(self, seconds: float) -> None:
        """Sleep before a retry; only `stop()` cuts it short."""
        until = time.monotonic() + seconds
        while not self.stopping:
            left = until - time.monotonic()
            if left <= 0:
                return
            self.wake.wait(left)
            self.wake.clear()

    def _heartbeat(self, conn: sqlite3.Connection) -> None:
        self._last_beat = time.monotonic()
        try:
            with self.fork_lock:
                conn.execute(_BEAT, (time.time(), self.process_id))
        except sqlite3.Error:
            pass  # a busy or full database: the next batch or beat stamps it

    def drain_inline(self) -> None:
        """Write whatever is queued from the calling thread (the writer is gone).

        Nobody would retry here, so records SQLite refuses are spilled at once.
        """
        with self._inline_lock:
            conn = self._connect()
            try:
                while self.queue:
                    self.write(conn, self._take())
                    if self.held:
                        self.spill_pending()
            finally:
                self._close(conn)

    def write(self, conn: sqlite3.Connection, batch: list[Any]) -> None:
        """Commit one batch; never raises. On an error that can pass, keeps it in `held`."""
        markers: list[threading.Event] = []
        try:
            work, markers = build_batch(batch, self.process_id)
            self._commit(conn, work)
        except sqlite3.Error as exc:
            if is_transient(exc):
                self._hold(batch, exc)
                return  # its flush markers are released once it is written or spilled
            self._spill_now(batch, exc)
        except Exception:
            logger.exception("headwater run store: could not prepare %d records", len(batch))
        else:
            if self.stalled_since is not None:
                logger.warning(
                    "headwater run store: %s is writable again; the waiting run records were "
                    "written after %.1f s", self.path, time.monotonic() - self.stalled_since,
                )  # fmt: skip
                self.stalled_since = None
                self._error = None
                self._backoff = Backoff()
        for marker in markers:
            marker.set()
        if self.commit_listeners and any(type(r) in _WAKES for r in batch):
            for listener in list(self.commit_listeners):
                try:
                    listener()
                except Exception:  # a listener must never stop the writer
                    logger.exception("headwater run store: a commit listener failed")

    def _commit(self, conn: sqlite3.Connection, work: list[tuple[str, list[Any]]]) -> None:
        def run(c: sqlite3.Connection) -> None:
            for sql, rows in work:
                execute_rows(c, sql, rows)
            c.execute(_BEAT, (time.time(), self.process_id))

        # A lock held longer than LOCK_PATIENCE is handled like any error that can
        # pass: the batch is held, the user warned, and the engine waits.
        give_up = time.monotonic() + LOCK_PATIENCE
        delay = 0.005
        while True:
            try:
                with self.fork_lock:
                    in_transaction(conn, run, 0.0)  # one attempt
                break
            except sqlite3.OperationalError as exc:
                if not is_locked(exc) or time.monotonic() > give_up:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 0.25)
        self._last_beat = time.monotonic()

    def _hold(self, batch: list[Any], exc: BaseException) -> None:
        self.held = batch
        self._error = exc
        if self.stalled_since is None:
            self.stalled_since = time.monotonic()
            logger.warning(
                "headwater run store: could not write to %s (%s). The run records are kept "
                "in memory and retried; flows wait when too many are waiting, and records "
                "still unwritten at exit are saved to a spill file beside the database.",
                self.path, describe(exc),
            )  # fmt: skip

    def _spill_now(self, batch: list[Any], exc: BaseException) -> None:
        """Records SQLite rejects for good: save them where the next open imports them."""
        try:
            where = write_spill(self.path, self.process_id, batch)
        except OSError as spill_error:
            logger.error(
                "headwater run store: %d records could not be written to %s (%s) nor saved "
                "to a spill file (%s); they are lost", len(batch), self.path, exc, spill_error,
            )  # fmt: skip
        else:
            logger.error(
                "headwater run store: %d records could not be written to %s (%s); they were "
                "saved to %s and are imported the next time the store opens",
                len(batch), self.path, exc, where,
            )  # fmt: skip
        release(batch)

    def spill_pending(self) -> tuple[int, Path | None, str]:
        """Save the held batch and everything queued to a spill file (writer stopped).

        Returns (records, spill path or None if it could not be written, what went wrong).
        """
        records = self.held + [self.queue.popleft() for _ in range(len(self.queue))]
        self.held = []
        self.stalled_since = None
        reason = str(self._error) if self._error is not None else "the writer stopped"
        count = sum(1 for r in records if not isinstance(r, threading.Event))
        where: Path | None = None
        if count:
            try:
                where = write_spill(self.path, self.process_id, records)
            except OSError as exc:
                reason = f"{reason}; the spill file could not be written either: {exc}"
        release(records)
        return count, where, reason
