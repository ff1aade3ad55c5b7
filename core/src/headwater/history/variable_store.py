"""Where variables live: one table in the home's database (schema_variables.sql).

`VariableStorage` is what `headwater.variables` and the CLI use; it speaks plain
values (names, JSON text, dicts), so a server backend can implement the same
methods later. Every write is committed when the call returns, so every process
sharing the home reads it at once; the last writer wins.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

from headwater.history.home_database import HomeDatabase, for_home

__all__ = ["VariableStorage", "get_variable_storage"]

_COLUMNS = "id, name, value_json, tags_json, created, updated"


class VariableStorage(HomeDatabase):
    """Named JSON values in one home's database."""

    def write(
        self, name: str, value_json: str, tags: list[str], overwrite: bool
    ) -> dict[str, Any] | None:
        """Create `name`, or replace its value and tags when `overwrite`; the stored row.

        None when `name` exists and `overwrite` is false (nothing changed).
        """

        def upsert(c: sqlite3.Connection) -> dict[str, Any] | None:
            now = time.time()
            found = c.execute("SELECT 1 FROM variables WHERE name = ?", (name,)).fetchone()
            if found is None:
                c.execute(
                    f"INSERT INTO variables ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                    (str(uuid.uuid4()), name, value_json, json.dumps(tags), now, now),
                )
            elif overwrite:
                c.execute(
                    "UPDATE variables SET value_json = ?, tags_json = ?, updated = ? "
                    "WHERE name = ?",
                    (value_json, json.dumps(tags), now, name),
                )
            else:
                return None
            row = c.execute(f"SELECT {_COLUMNS} FROM variables WHERE name = ?", (name,))
            return _row(row.fetchone())

        result: dict[str, Any] | None = self.transaction(upsert)
        return result

    def read(self, name: str) -> dict[str, Any] | None:
        rows = self.query(f"SELECT {_COLUMNS} FROM variables WHERE name = ?", (name,))
        return _row(rows[0]) if rows else None

    def delete(self, name: str) -> bool:
        def remove(c: sqlite3.Connection) -> int:
            return c.execute("DELETE FROM variables WHERE name = ?", (name,)).rowcount

        return bool(self.transaction(remove))

    def list(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Variables by name; at most `limit` of them (None: all)."""
        rows = self.query(
            f"SELECT {_COLUMNS} FROM variables ORDER BY name LIMIT ?",
            (-1 if limit is None else limit,),
        )
        return [_row(r) for r in rows]


def _row(row: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "id": row[0],
        "name": row[1],
        "value_json": row[2],
        "tags": json.loads(row[3]),
        "created": row[4],
        "updated": row[5],
    }


def get_variable_storage(home: Path | str | None = None) -> VariableStorage:
    """The variable storage of `home` (default: HEADWATER_HOME)."""
    return for_home(VariableStorage, home)
