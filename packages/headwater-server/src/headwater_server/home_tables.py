"""Read-only queries on the home database's own tables (saved blocks, automations).

These live beside the run history in `HEADWATER_HOME/headwater.db`, written by the
processes that save them. The server only reads: each call opens the file with
SQLite's `mode=ro`, so it never creates the file or a table, and a home where nobody
saved a block yet reads as empty.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from headwater.exceptions import RunStoreError


class HomeTables:
    """Rows of one home database's tables, read with bound parameters only."""

    def __init__(self, home: Path) -> None:
        self.path = Path(home) / "headwater.db"

    def rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        """The rows `sql` selects; none if the database or the table does not exist yet."""
        if not self.path.exists():
            return []
        try:
            conn = sqlite3.connect(f"file:{quote(str(self.path.absolute()))}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise RunStoreError(self._unreadable(exc)) from exc
        try:
            conn.execute("PRAGMA busy_timeout = 5000")
            return conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise RunStoreError(self._unreadable(exc)) from exc
        except sqlite3.DatabaseError as exc:
            raise RunStoreError(self._unreadable(exc)) from exc
        finally:
            conn.close()

    def _unreadable(self, exc: BaseException) -> str:
        return f"the home database {self.path} cannot be read ({exc}); check HEADWATER_HOME"
