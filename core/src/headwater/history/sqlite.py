"""The embedded run store: SQLite in HEADWATER_HOME, written off the hot path.

`record_*` appends to an in-memory deque and returns (a fraction of a
microsecond); one daemon thread (`writer.Writer`) commits the queue in batches.
If the engine outpaces the writer, `record_*` waits once the queue passes
`HIGH_WATER`, so memory stays flat however many runs a flow makes; while the
writer is stalled on a full disk it waits until the disk takes records again.
Opening the store registers this process, imports spill files and marks Crashed
the unfinished runs of processes on this host that died (see `crash`). At exit,
records a stalled writer still holds are saved to a spill file and the path is
printed (see `spill`). Reading only, as the CLI does, is `reader`'s job.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import sqlite3
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from headwater import settings
from headwater.exceptions import RunStoreError
from headwater.history.base import RunStore
from headwater.history.connection import ForkGuard, connect, in_transaction, use_wal
from headwater.history.crash import register_process, upkeep
from headwater.history.home_database import forget_home
from headwater.history.queries import Queries
from headwater.history.queued import HIGH_WATER, LOW_WATER, QueuedRecorder
from headwater.history.state_events import EVENTS_VIEW, upgrade_events_table
from headwater.history.writer import Writer

__all__ = ["HIGH_WATER", "SCHEMA_VERSION", "SQLiteRunStore", "ensure_schema"]

logger = logging.getLogger("headwater.history")

SCHEMA_VERSION = 5
#: the schema's files, applied in this order: run history first, then one file per
#: feature stored beside it (each owns its tables; all CREATE ... IF NOT EXISTS)
SCHEMA_FILES = (
    "schema.sql",
    "schema_variables.sql",
    "schema_concurrency.sql",
    "schema_transactions.sql",
    "schema_artifacts.sql",
    "schema_assets.sql",
)
#: statements that bring a database from schema version N to N + 1; after them
#: schema.sql runs (CREATE ... IF NOT EXISTS), which adds new tables in place
MIGRATIONS: dict[int, list[str | Callable[[sqlite3.Connection], None]]] = {
    1: ["ALTER TABLE processes ADD COLUMN last_seen REAL"],
    2: [],  # 3: automation tables (schema.sql)
    3: [upgrade_events_table],  # 4: events stored in event_rows, read via the events view
    4: [],  # 5: variables, concurrency limits, transaction records, artifacts, assets
}
#: how long `close()` and the exit handler wait for the writer
EXIT_FLUSH_TIMEOUT = 120.0
#: how long they wait for a stalled writer (disk full) before spilling; HEADWATER_STORE_EXIT_WAIT
EXIT_STALL_WAIT = 10.0
#: how long opening waits out another process's lock before raising RunStoreError
OPEN_PATIENCE = 60.0

_FIX = "set HEADWATER_HOME to a writable directory"
#: connections inherited across fork: never closed in the child (closing them
#: there could disturb the parent's locks), so kept alive here
_INHERITED: list[Any] = []
_STORES: weakref.WeakSet[SQLiteRunStore] = weakref.WeakSet()


def schema_statements() -> list[str]:
    package = resources.files("headwater.history")
    text = "\n".join(package.joinpath(name).read_text("utf-8") for name in SCHEMA_FILES)
    statements, current = [], ""
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [*statements, EVENTS_VIEW.strip()]


class SQLiteRunStore(QueuedRecorder, Queries, RunStore):
    """Run history in `home/headwater.db` (WAL), shared safely by several processes."""

    def __init__(self, home: Path | str) -> None:
        self.home = Path(home)
        self.path = self.home / "headwater.db"
        self._queue: deque[Any] = deque()
        self._read_lock = ForkGuard()
        self._closed = False
        self._close_listeners: list[Callable[[], None]] = []
        #: threads currently waiting in `_backpressure` (read by the thread pool)
        self.throttled_threads = 0
        self._prepare_home()
        self._conn = self._open()
        self._writer = Writer(self.path, self.process_id, self._queue)
        self._writer.start()
        _STORES.add(self)
        atexit.register(_flush_at_exit, weakref.ref(self))

    @property
    def closed(self) -> bool:
        return self._closed

    def add_commit_listener(self, listener: Callable[[], None]) -> None:
        """Call `listener()` on the writer thread after each batch with events is committed.

        It must return at once (set a flag, wake a thread): the writer waits for it.
        """
        self._writer.commit_listeners.append(listener)

    def remove_commit_listener(self, listener: Callable[[], None]) -> None:
        with contextlib.suppress(ValueError):
            self._writer.commit_listeners.remove(listener)

    def add_close_listener(self, listener: Callable[[], None]) -> None:
        """Call `listener()` when `close()` starts, while the store still records.

        Services beside the store (the automation evaluator) stop here, so no
        thread of theirs touches the home after `close()` returns.
        """
        self._close_listeners.append(listener)

    # --- opening ---------------------------------------------------------------
    def _prepare_home(self) -> None:
        home = self.home
        try:
            home.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as exc:
            raise RunStoreError(
                f"HEADWATER_HOME={home} cannot be used: a file is in the way "
                f"({exc.strerror or exc}); move that file or {_FIX}"
            ) from exc
        except OSError as exc:
            raise RunStoreError(
                f"HEADWATER_HOME={home} cannot be created: {exc.strerror or exc}; {_FIX}"
            ) from exc
        if not home.is_dir():
            raise RunStoreError(f"HEADWATER_HOME={home} is not a directory; {_FIX}")
        if self.path.exists() and not self.path.is_file():
            raise RunStoreError(
                f"{self.path} exists and is not a database file; move it aside or {_FIX}"
            )

    def _open(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = None
        try:
            conn = connect(self.path)
            use_wal(conn)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                in_transaction(conn, _create_schema, OPEN_PATIENCE)
            elif version > SCHEMA_VERSION:
                raise RunStoreError(
                    f"{self.path} was written by a newer headwater (schema {version}, "
                    f"this one knows {SCHEMA_VERSION}); upgrade headwater or {_FIX}"
                )
            self.process_id: int = register_process(conn, OPEN_PATIENCE)
            imported, swept = upkeep(conn, self.path, self.process_id, OPEN_PATIENCE)
            if imported or swept:
                logger.debug("imported %d spilled records, marked %d runs Crashed", imported, swept)
            return conn
        except RunStoreError:
            if conn is not None:
                conn.close()
            raise
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise RunStoreError(self._explain(exc)) from exc
        except OSError as exc:
            if conn is not None:
                conn.close()
            raise RunStoreError(
                f"HEADWATER_HOME={self.home} is not usable: {exc.strerror or exc}; {_FIX}"
            ) from exc

    def _explain(self, exc: sqlite3.Error) -> str:
        text = str(exc)
        low = text.lower()
        if "not a database" in low or "malformed" in low:
            return (
                f"{self.path} is not a readable headwater database ({text}); it was left "
                f"untouched: move it aside, or {_FIX}"
            )
        if "locked" in low or "busy" in low:
            return (
                f"{self.path} stayed locked by another process ({text}); stop that "
                f"process, or {_FIX}"
            )
        if "full" in low or "disk i/o" in low:
            return (
                f"{self.path} cannot be written ({text}); free space on that disk "
                f"(headwater reads history without writing: the CLI still works), or {_FIX}"
            )
        if "readonly" in low or "read-only" in low or "unable to open" in low:
            return f"HEADWATER_HOME={self.home} is not writable ({text}); {_FIX}"
        return f"the run store at {self.path} cannot be used ({text}); {_FIX}"

    # --- write side: the engine's hot path ------------------------------------
    def _backpressure(self) -> None:
        """The writer is behind: give it the CPU until the queue is back to LOW_WATER.

        A writer that is merely slow gets 60 s; a stalled one (full disk) is waited
        for as long as it takes, so memory stays bounded and nothing is dropped.
        """
        writer = self._writer
        if not writer.alive():
            writer.drain_inline()
            return
        writer.wake.set()
        deadline = time.monotonic() + 60.0
        queue = self._queue
        self.throttled_threads += 1
        try:
            while len(queue) > LOW_WATER and writer.alive() and not writer.stopping:
                if time.monotonic() > deadline and not writer.stalled:
                    break
                time.sleep(0.001 if not writer.stalled else 0.05)
        finally:
            self.throttled_threads -= 1

    # --- flushing ----------------------------------------------------------------
    def flush(self, timeout: float | None = None) -> None:
        """Block until everything recorded before this call is committed."""
        writer = self._writer
        if not writer.alive():
            writer.drain_inline()
            return
        marker = threading.Event()
        self._queue.append(marker)
        writer.wake.set()
        if not marker.wait(timeout):
            logger.warning(
                "headwater run store: flush timed out after %s s with %d records queued",
                timeout, len(self._queue),
            )  # fmt: skip

    def settle(self, timeout: float = EXIT_FLUSH_TIMEOUT) -> None:
        """Flush before exit; if the writer stays stalled, spill and say where on stderr.

        A stalled writer gets HEADWATER_STORE_EXIT_WAIT seconds (default 10) to
        recover; then it is stopped and what it holds is saved to a spill file.
        """
        writer = self._writer
        if not writer.alive():
            if self._queue:
                writer.drain_inline()
            return
        try:
            stall_wait = settings.get_float("store_exit_wait", EXIT_STALL_WAIT) or 0.0
        except ValueError as exc:  # a bad setting must not cost the records
            logger.warning("%s; waiting %s s", exc, EXIT_STALL_WAIT)
            stall_wait = EXIT_STALL_WAIT
        marker = threading.Event()
        self._queue.append(marker)
        writer.wake.set()
        deadline = time.monotonic() + timeout
        stalled_at: float | None = None
        while not marker.wait(0.05):
            now = time.monotonic()
            if writer.stalled:
                stalled_at = stalled_at or now
                if now - stalled_at >= stall_wait:
                    break
            if now > deadline or not writer.alive():
                break
        if marker.is_set():
            return
        writer.stop(5.0)
        count, where, reason = writer.spill_pending()
        if count:
            _report_spill(self, count, where, reason)

    def close(self) -> None:
        """Flush (or spill), stop the writer and release the database."""
        if self._closed:
            return
        for listener in list(self._close_listeners):
            try:
                listener()
            except Exception:  # a service must never stop history from being closed
                logging.getLogger("headwater.history").exception("a close listener failed")
        self._closed = True
        self.settle(EXIT_FLUSH_TIMEOUT)
        self._writer.stop(EXIT_FLUSH_TIMEOUT)
        if self._queue:  # recorded while stopping
            self._writer.drain_inline()
        with self._read_lock:
            self._conn.close()
        forget_home(self.home)  # the features' connections to this home too

    # --- read side -----------------------------------------------------------------
    def _read(self, sql: str, params: Any = ()) -> tuple[sqlite3.Cursor, list[Any]]:
        if not self._closed and not self._writer.stalled:  # read your own writes
            self.flush(30.0)
        with self._read_lock:
            if self._closed:
                conn = connect(self.path)
                try:
                    cursor = conn.execute(sql, params)
                    return cursor, cursor.fetchall()
                finally:
                    conn.close()
            cursor = self._conn.execute(sql, params)
            return cursor, cursor.fetchall()

    def _after_fork_in_child(self) -> None:
        if self._closed:  # nothing to reopen (and a fork before exec must not touch the home)
            return
        _INHERITED.append(self._conn)
        self._read_lock = ForkGuard()
        self._conn = connect(self.path)
        self._queue = deque()
        self._writer = Writer(self.path, self.process_id, self._queue)
        self._writer.start()


def ensure_schema(path: Path) -> None:
    """Create or upgrade the database at `path` to this schema, without opening a store
    (for code with its own tables there, e.g. automations, run from the CLI)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = connect(path)
    try:
        use_wal(conn)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version < SCHEMA_VERSION:
            in_transaction(conn, _create_schema, OPEN_PATIENCE)
        elif version > SCHEMA_VERSION:
            raise RunStoreError(
                f"{path} was written by a newer headwater (schema {version}, "
                f"this one knows {SCHEMA_VERSION}); upgrade headwater or {_FIX}"
            )
    finally:
        conn.close()


def _create_schema(conn: sqlite3.Connection) -> None:
    # Checked again inside the write lock: another process may have just done it.
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version >= SCHEMA_VERSION:
        return
    if version:  # an older database: alter what CREATE ... IF NOT EXISTS cannot
        for step in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS.get(step, []):
                if callable(statement):
                    statement(conn)
                else:
                    conn.execute(statement)
    for statement in schema_statements():
        conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _flush_at_exit(ref: weakref.ref[SQLiteRunStore]) -> None:
    store = ref()
    if store is not None and not store._closed:
        try:
            store.settle(EXIT_FLUSH_TIMEOUT)
        except Exception:  # never turn a clean exit into a traceback
            logger.exception("headwater run store: could not flush at exit")


def _report_spill(store: SQLiteRunStore, count: int, where: Path | None, reason: str) -> None:
    """Say on stderr what could not be written and where it is (logging may be gone)."""
    if where is not None:
        text = (
            f"headwater: {count} run records could not be written to {store.path} ({reason}); "
            f"they were saved to {where} and are added to the run history the next time "
            f"headwater opens {store.home} with room to write\n"
        )
    else:
        text = (
            f"headwater: {count} run records could not be written to {store.path} and are "
            f"lost ({reason}); free space there or set HEADWATER_HOME elsewhere\n"
        )
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _reinit_after_fork() -> None:
    """In a forked child (after ForkGuard gave every guard a fresh lock): reconnect."""
    for store in list(_STORES):
        store._after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reinit_after_fork)
