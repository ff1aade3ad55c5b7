"""Where artifacts live: one table in the home's database (schema_artifacts.sql).

`ArtifactStorage` is what `headwater.artifacts`, the CLI and (later) the dashboard
use; it speaks plain values (dicts whose `data` is Prefect's artifact data: the
markdown text, the table as JSON text, the progress float, the image URL), so a
server backend can implement the same methods later. Each create adds a row; the
rows of one key are its versions, the newest (highest `seq`) its latest.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from headwater.history.home_database import HomeDatabase, for_home

__all__ = ["ArtifactStorage", "get_artifact_storage"]

_COLUMNS = (
    "id, key, type, description, data_json, metadata_json, flow_run_id, task_run_id, "
    "created, updated"
)


class ArtifactStorage(HomeDatabase):
    """Artifacts of one home, each a version of its key (if it has one)."""

    def create(self, artifact: dict[str, Any]) -> dict[str, Any]:
        """Store `artifact` (id, key, type, description, data, metadata_, flow_run_id,
        task_run_id); the stored row, with its times."""
        now = time.time()
        values = (
            artifact["id"],
            artifact.get("key"),
            artifact.get("type"),
            artifact.get("description"),
            json.dumps(artifact.get("data")),
            _maybe_json(artifact.get("metadata_")),
            artifact.get("flow_run_id"),
            artifact.get("task_run_id"),
            now,
            now,
        )

        def insert(c: sqlite3.Connection) -> None:
            c.execute(f"INSERT INTO artifacts ({_COLUMNS}) VALUES ({', '.join('?' * 10)})", values)

        self.transaction(insert)
        found = self.read(artifact["id"])
        assert found is not None
        return found

    def update(
        self, artifact_id: str, data: Any, description: str | None = None
    ) -> dict[str, Any] | None:
        """Replace an artifact's data (and description, when given); None if no such id."""

        def change(c: sqlite3.Connection) -> int:
            sets, params = "data_json = ?, updated = ?", [json.dumps(data), time.time()]
            if description is not None:
                sets += ", description = ?"
                params.append(description)
            sql = f"UPDATE artifacts SET {sets} WHERE id = ?"
            return c.execute(sql, (*params, artifact_id)).rowcount

        if not self.transaction(change):
            return None
        return self.read(artifact_id)

    def read(self, artifact_id: str) -> dict[str, Any] | None:
        rows = self.query(f"SELECT {_COLUMNS} FROM artifacts WHERE id = ?", (artifact_id,))
        return _row(rows[0]) if rows else None

    def latest(self, key: str | None = None) -> dict[str, Any] | None:
        """The newest version of `key`; with no key, the most recently updated artifact."""
        if key is None:
            sql = f"SELECT {_COLUMNS} FROM artifacts ORDER BY updated DESC, seq DESC LIMIT 1"
            rows = self.query(sql)
        else:
            sql = f"SELECT {_COLUMNS} FROM artifacts WHERE key = ? ORDER BY seq DESC LIMIT 1"
            rows = self.query(sql, (key,))
        return _row(rows[0]) if rows else None

    def versions(self, key: str, limit: int | None = None) -> list[dict[str, Any]]:
        """Every version of `key`, newest first (at most `limit`)."""
        rows = self.query(
            f"SELECT {_COLUMNS} FROM artifacts WHERE key = ? ORDER BY seq DESC LIMIT ?",
            (key, -1 if limit is None else limit),
        )
        return [_row(r) for r in rows]

    def for_run(
        self, flow_run_id: str | None = None, task_run_id: str | None = None
    ) -> list[dict[str, Any]]:
        """The artifacts a flow run (or a task run) created, oldest first."""
        column, value = (
            ("task_run_id", task_run_id) if task_run_id else ("flow_run_id", flow_run_id)
        )
        rows = self.query(
            f"SELECT {_COLUMNS} FROM artifacts WHERE {column} = ? ORDER BY seq", (value,)
        )
        return [_row(r) for r in rows]

    def delete(self, artifact_id: str) -> bool:
        def remove(c: sqlite3.Connection) -> int:
            return c.execute("DELETE FROM artifacts WHERE id = ?", (artifact_id,)).rowcount

        return bool(self.transaction(remove))

    def delete_key(self, key: str) -> int:
        """Delete every version of `key`; how many there were."""

        def remove(c: sqlite3.Connection) -> int:
            return c.execute("DELETE FROM artifacts WHERE key = ?", (key,)).rowcount

        deleted: int = self.transaction(remove)
        return deleted

    # last: inside the class, `list` names this method from here on
    def list(self, limit: int | None = None, latest_only: bool = True) -> list[dict[str, Any]]:
        """Artifacts by key (then oldest first): the latest version of each key, or with
        `latest_only=False` every version and every artifact without a key."""
        if latest_only:
            sql = (
                f"SELECT {_COLUMNS} FROM artifacts WHERE seq IN "
                "(SELECT max(seq) FROM artifacts WHERE key IS NOT NULL GROUP BY key) "
                "ORDER BY key LIMIT ?"
            )
        else:
            sql = f"SELECT {_COLUMNS} FROM artifacts ORDER BY key IS NULL, key, seq LIMIT ?"
        return [_row(r) for r in self.query(sql, (-1 if limit is None else limit,))]


def _maybe_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _row(row: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "id": row[0],
        "key": row[1],
        "type": row[2],
        "description": row[3],
        "data": None if row[4] is None else json.loads(row[4]),
        "metadata_": None if row[5] is None else json.loads(row[5]),
        "flow_run_id": row[6],
        "task_run_id": row[7],
        "created": row[8],
        "updated": row[9],
    }


def get_artifact_storage(home: Path | str | None = None) -> ArtifactStorage:
    """The artifact storage of `home` (default: HEADWATER_HOME)."""
    return for_home(ArtifactStorage, home)
