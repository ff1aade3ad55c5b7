"""Run history opened only to read it, as the CLI does: works on a home it cannot write.

Opening the store for writing registers a process row and starts a writer;
reading needs neither. This opens the database with SQLite's `mode=ro` (or, when
even SQLite's shared-memory file cannot be created beside a cleanly closed
database, `immutable=1`), so a read-only HEADWATER_HOME can be listed. Upkeep
(importing spill files, marking dead processes' runs Crashed) is tried only when
there is some to do, on a separate connection, and skipped if the home is read-only.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

from headwater.exceptions import RunStoreError
from headwater.history.base import RunHistory
from headwater.history.connection import connect
from headwater.history.crash import needs_upkeep, upkeep
from headwater.history.queries import Queries
from headwater.history.sqlite import SCHEMA_VERSION, schema_statements

__all__ = ["ReadOnlyRunStore"]

logger = logging.getLogger("headwater.history")

_FIX = "set HEADWATER_HOME to the directory that holds your run history"
#: how long upkeep waits for another process's write lock before skipping it
UPKEEP_PATIENCE = 2.0


def _empty_history() -> sqlite3.Connection:
    """An empty run history in memory, for a home where no run was recorded yet."""
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    for statement in schema_statements():
        conn.execute(statement)
    return conn


class ReadOnlyRunStore(Queries, RunHistory):
    """The read side of `SQLiteRunStore` over a connection that never writes."""

    def __init__(self, home: Path | str) -> None:
        self.home = Path(home)
        self.path = self.home / "headwater.db"
        self._lock = threading.Lock()
        #: no run recorded in this home yet: reads look again until one is
        self._waiting = False
        self._conn = self._open()

    def _open(self) -> sqlite3.Connection:
        _check_home(self.home, self.path)
        if not self.path.exists():  # no history yet: an empty database in memory
            self._waiting = True
            return _empty_history()
        conn = self._connect("mode=ro")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.OperationalError:
            # a WAL database whose -shm file cannot be created here: read the file as it is
            conn.close()
            conn = self._connect("immutable=1")
            version = self._check(conn, lambda: conn.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise RunStoreError(self._unreadable(exc)) from exc
        if version == 0:  # the file holds only what was saved before any run (blocks)
            conn.close()
            self._waiting = True
            return _empty_history()
        if version > SCHEMA_VERSION:
            conn.close()
            raise RunStoreError(
                f"{self.path} was written by a newer headwater (schema {version}, this one "
                f"knows {SCHEMA_VERSION}); upgrade headwater"
            )
        self._tidy(conn)
        return conn

    def _connect(self, flags: str) -> sqlite3.Connection:
        uri = f"file:{quote(str(self.path.absolute()))}?{flags}"
        try:
            return sqlite3.connect(uri, uri=True, check_same_thread=False)
        except sqlite3.Error as exc:
            raise RunStoreError(self._unreadable(exc)) from exc

    def _check(self, conn: sqlite3.Connection, read: Any) -> Any:
        try:
            return read()
        except sqlite3.Error as exc:
            conn.close()
            raise RunStoreError(self._unreadable(exc)) from exc

    def _unreadable(self, exc: BaseException) -> str:
        return f"the run history at {self.path} cannot be read ({exc}); {_FIX}"

    def _tidy(self, conn: sqlite3.Connection) -> None:
        """Import spills and mark crashed runs if needed and possible; never an error."""
        try:
            if not needs_upkeep(conn, self.path, None):
                return
            writer = connect(self.path)
        except (sqlite3.Error, OSError):
            return
        try:
            writer.execute("PRAGMA busy_timeout = 200")
            upkeep(writer, self.path, None, UPKEEP_PATIENCE)
        except (sqlite3.Error, OSError) as exc:
            logger.debug("run store upkeep skipped (%s is not writable: %s)", self.path, exc)
        finally:
            writer.close()

    def _catch_up(self) -> None:
        """Open the home's history if a run was recorded since this store was opened."""
        self._waiting = False
        try:
            conn = self._open()
        except RunStoreError:
            self._waiting = True
            raise
        self._conn.close()
        self._conn = conn

    def _read(self, sql: str, params: Any = ()) -> tuple[sqlite3.Cursor, list[Any]]:
        with self._lock:
            if self._waiting:
                self._catch_up()
            try:
                cursor = self._conn.execute(sql, params)
                return cursor, cursor.fetchall()
            except sqlite3.DatabaseError as exc:
                raise RunStoreError(self._unreadable(exc)) from exc

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _check_home(home: Path, db: Path) -> None:
    """A clear error if HEADWATER_HOME (or a folder on its way) is a file."""
    existing = home
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        raise RunStoreError(
            f"HEADWATER_HOME={home} cannot be used: {existing} is a file, not a directory; {_FIX}"
        )
    if db.exists() and not db.is_file():
        raise RunStoreError(f"{db} exists and is not a database file; {_FIX}")
