"""The run history the server reads: the embedded store of its HEADWATER_HOME, or the
database at HEADWATER_DATABASE_URL when that is set (see `database`).

A read-only view opened before the home has a database reads an empty database in
memory; the holder reopens once the file appears, so runs recorded later by other
processes show up without a restart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from headwater.history import RunHistory


class HistoryHolder:
    """Hands out the run history of one home, reopening it once its database exists."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._lock = threading.Lock()
        self._history: RunHistory | None = None
        self._had_file = False
        #: called before a read is answered: on PostgreSQL, waits until the batches this
        #: server acknowledged are applied (see database.intake)
        self.read_barrier: Callable[[], object] | None = None

    def get(self) -> RunHistory:
        from headwater import settings
        from headwater.history import open_for_reading

        url = settings.get("database_url")
        if url:
            if self.read_barrier is not None:
                self.read_barrier()
            with self._lock:
                if self._history is None:
                    from headwater_server.database.open import open_database

                    self._history = open_database(url)
                return self._history

        database = self.home / "headwater.db"
        with self._lock:
            if self._history is None or (not self._had_file and database.exists()):
                if self._history is not None:
                    self._history.close()
                self._had_file = database.exists()
                self._history = open_for_reading(self.home)
            return self._history

    def close(self) -> None:
        with self._lock:
            if self._history is not None:
                self._history.close()
                self._history = None
