"""Where automations live: their tables in the run store's database (schema 3).

`AutomationStorage` is the one interface the model, the CLI and the evaluator
use; it speaks plain dicts and JSON text, so a server or PostgreSQL backend can
implement it later. The embedded backend opens its own connection to
`HEADWATER_HOME/headwater.db` (as saved blocks do): definitions must be durable
when `create()` returns, and the evaluator's pass must be one transaction.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from headwater.history.home_database import HomeDatabase, for_home

T = TypeVar("T")

_COLUMNS = "id, name, enabled, spec_json, created, updated"


class AutomationStorage(HomeDatabase):
    """Automation definitions, and transactions for the evaluator, in one home's database."""

    #: the newest event's seq where the evaluator reads events, when that is not the home's
    #: `events` (a server's database): where the cursor starts when the first automation
    #: is enabled (see `_start_cursor`)
    latest_event_seq: Callable[[], int] | None = None

    # --- definitions -----------------------------------------------------------
    def create(self, name: str, enabled: bool, spec: dict[str, Any]) -> str:
        new_id = str(uuid.uuid4())
        now = time.time()

        def insert(c: sqlite3.Connection) -> None:
            if enabled:
                _start_cursor(c, self.latest_event_seq)
            c.execute(
                f"INSERT INTO automations ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                (new_id, name, int(enabled), json.dumps(spec), now, now),
            )

        self.transaction(insert)
        return new_id

    def update(self, automation_id: str, name: str, enabled: bool, spec: dict[str, Any]) -> bool:
        def change(c: sqlite3.Connection) -> int:
            cur = c.execute(
                "UPDATE automations SET name = ?, enabled = ?, spec_json = ?, updated = ? "
                "WHERE id = ?",
                (name, int(enabled), json.dumps(spec), time.time(), automation_id),
            )
            # a changed trigger starts counting afresh
            c.execute("DELETE FROM automation_buckets WHERE automation_id = ?", (automation_id,))
            c.execute(
                "DELETE FROM automation_child_firings WHERE automation_id = ?", (automation_id,)
            )
            return cur.rowcount

        return bool(self.transaction(change))

    def set_enabled(self, automation_id: str, enabled: bool) -> bool:
        def change(c: sqlite3.Connection) -> int:
            if enabled:
                _start_cursor(c, self.latest_event_seq)
            cur = c.execute(
                "UPDATE automations SET enabled = ?, updated = ? WHERE id = ?",
                (int(enabled), time.time(), automation_id),
            )
            if not enabled:
                c.execute(
                    "DELETE FROM automation_buckets WHERE automation_id = ?", (automation_id,)
                )
            return cur.rowcount

        return bool(self.transaction(change))

    def delete(self, automation_id: str) -> bool:
        def remove(c: sqlite3.Connection) -> int:
            for table in ("automation_buckets", "automation_child_firings"):
                c.execute(f"DELETE FROM {table} WHERE automation_id = ?", (automation_id,))
            return c.execute("DELETE FROM automations WHERE id = ?", (automation_id,)).rowcount

        return bool(self.transaction(remove))

    def read(self, automation_id: str) -> dict[str, Any] | None:
        rows = self.query(f"SELECT {_COLUMNS} FROM automations WHERE id = ?", (automation_id,))
        return _row(rows[0]) if rows else None

    def read_by_name(self, name: str) -> list[dict[str, Any]]:
        rows = self.query(
            f"SELECT {_COLUMNS} FROM automations WHERE name = ? ORDER BY created", (name,)
        )
        return [_row(r) for r in rows]

    def list(self, enabled_only: bool = False) -> list[dict[str, Any]]:
        where = "WHERE enabled = 1" if enabled_only else ""
        rows = self.query(f"SELECT {_COLUMNS} FROM automations {where} ORDER BY created")
        return [_row(r) for r in rows]

    def version(self) -> tuple[Any, ...]:
        """Changes whenever a definition is created, changed or deleted."""
        return self.query("SELECT count(*), max(updated), total(enabled) FROM automations")[0]


def _start_cursor(c: sqlite3.Connection, latest: Callable[[], int] | None = None) -> None:
    """With no automation enabled nobody moves the cursor: the first one starts it at now,
    so it reacts to events from here on, not to the whole history."""
    if c.execute("SELECT 1 FROM automations WHERE enabled = 1 LIMIT 1").fetchone() is None:
        if latest is not None:
            c.execute("INSERT OR REPLACE INTO automation_cursor (id, seq) VALUES (1, ?)",
                      (latest(),))  # fmt: skip
            return
        c.execute(
            "INSERT OR REPLACE INTO automation_cursor (id, seq) "
            "SELECT 1, coalesce(max(seq), 0) FROM events"
        )


def _row(row: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "id": row[0],
        "name": row[1],
        "enabled": bool(row[2]),
        "spec": json.loads(row[3]),
        "created": row[4],
        "updated": row[5],
    }


def get_storage(home: Path | None = None) -> AutomationStorage:
    """The automation storage of `home` (default: HEADWATER_HOME)."""
    return for_home(AutomationStorage, home)


class Definitions(Protocol):
    """What the model and the CLI need: saving and reading definitions (no evaluation)."""

    def create(self, name: str, enabled: bool, spec: dict[str, Any]) -> str: ...
    def update(
        self, automation_id: str, name: str, enabled: bool, spec: dict[str, Any]
    ) -> bool: ...
    def set_enabled(self, automation_id: str, enabled: bool) -> bool: ...
    def delete(self, automation_id: str) -> bool: ...
    def read(self, automation_id: str) -> dict[str, Any] | None: ...
    def read_by_name(self, name: str) -> list[dict[str, Any]]: ...
    def list(self, enabled_only: bool = False) -> list[dict[str, Any]]: ...


def definitions() -> Definitions:
    """Where automations are saved: the server's with HEADWATER_API_URL set (it evaluates
    them over the events its clients record), else HEADWATER_HOME's."""
    from headwater import settings

    url = settings.get("api_url")
    if not url:
        return get_storage()
    from headwater.automations.api_storage import ApiAutomationStorage
    from headwater.utilities.api_client import shared_client

    return shared_client(ApiAutomationStorage, url, settings.get("api_key"))
