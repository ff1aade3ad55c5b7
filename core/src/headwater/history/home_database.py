"""One connection to a home's `headwater.db` for a feature stored beside run history.

Automations, variables, concurrency limits, transaction records, artifacts and
assets each keep their tables in the run store's database (their schema files
are listed in `sqlite.SCHEMA_FILES`). They write through their own connection,
not the store's batching writer: what they save must be durable, and visible to
every process on the home, when the call returns. `HomeDatabase` is that
connection: opened on first use (creating or upgrading the schema), one call at
a time, safe across fork (a child reconnects, never touching the parent's
connection), and closed when its home closes. A feature's storage class
subclasses it and speaks plain values, so a server backend can implement the
same methods later.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from headwater.history.connection import ForkGuard, connect, in_transaction

__all__ = ["HomeDatabase", "database_path", "for_home", "forget", "forget_home"]

T = TypeVar("T")
D = TypeVar("D", bound="HomeDatabase")

#: connections inherited across a fork: kept open (closing them in the child could
#: disturb the parent's database state), never used
_INHERITED: list[sqlite3.Connection] = []


class HomeDatabase:
    """A lazily opened, fork-safe connection to `path` (a home's headwater.db)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        # a background thread may query SQLite in every recording process: a fork
        # (a process pool) waits for its call to end, and the child reconnects
        self._lock = ForkGuard(on_child=self._forget_connection)
        self._conn: sqlite3.Connection | None = None

    def _forget_connection(self) -> None:
        """In a forked child: never use (or close) the parent's connection."""
        if self._conn is not None:
            _INHERITED.append(self._conn)
        self._conn = None

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            from headwater.history.sqlite import ensure_schema

            ensure_schema(self.path)
            self._conn = connect(self.path)
        return self._conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` inside BEGIN IMMEDIATE: one process at a time, all or nothing."""
        with self._lock:
            result: T = in_transaction(self._db(), work)
            return result

    def query(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        """Rows of one read (autocommit: sees every other process's committed writes)."""
        with self._lock:
            return self._db().execute(sql, params).fetchall()


def database_path(home: Path | str | None = None) -> Path:
    """`home/headwater.db` (default home: HEADWATER_HOME)."""
    from headwater import settings

    return Path(home or settings.home()) / "headwater.db"


_cache: dict[tuple[type[HomeDatabase], Path], HomeDatabase] = {}
_cache_lock = threading.Lock()


def for_home(kind: type[D], home: Path | str | None = None) -> D:
    """The process's one `kind` storage for `home` (default: HEADWATER_HOME)."""
    path = database_path(home)
    with _cache_lock:
        database = _cache.get((kind, path))
        if database is None:
            database = _cache[(kind, path)] = kind(path)
        assert isinstance(database, kind)
        return database


def forget(database: HomeDatabase) -> None:
    """Close `database` and drop it from the cache (its home is closing or going away)."""
    with _cache_lock:
        key = (type(database), database.path)
        if _cache.get(key) is database:
            del _cache[key]
    database.close()


def forget_home(home: Path | str) -> None:
    """Close every feature's connection to `home` (the run store for it is closing)."""
    path = database_path(home)
    with _cache_lock:
        closing = [db for key, db in _cache.items() if key[1] == path]
        for database in closing:
            del _cache[(type(database), path)]
    for database in closing:
        database.close()
