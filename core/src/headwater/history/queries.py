"""The read side of the SQLite store: plain, JSON-able dicts for the CLI and server.

A flow or task run dict has: id, name, the record's own fields (JSON columns
decoded: parameters, tags, task_inputs), created, state_type, state_name,
state_message, state_timestamp, start_time, end_time, duration (seconds or
None), run_count, process_id.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

_JSON_COLUMNS = {
    "parameters_json": "parameters",
    "tags_json": "tags",
    "task_inputs_json": "task_inputs",
    "resource_json": "resource",
    "payload_json": "payload",
    "related_json": "related",
}


def _row_dict(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for (column, *_), value in zip(cursor.description, row, strict=False):
        key = _JSON_COLUMNS.get(column)
        if key is not None:
            out[key] = json.loads(value) if value else None
        else:
            out[column] = value
    return out


def _run_dict(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    run = _row_dict(cursor, row)
    running = run.pop("running_count", 0) or 0
    run["run_count"] = max(run.get("run_count") or 0, running)
    start, end = run.get("start_time"), run.get("end_time")
    run["duration"] = end - start if start is not None and end is not None else None
    return run


def _state_filter(state: str | None) -> tuple[str, list[Any]]:
    if not state:
        return "", []
    wanted = state.strip().replace(" ", "").replace("_", "").lower()
    return (
        " AND (lower(state_type) = ? OR lower(replace(state_name, ' ', '')) = ?)",
        [wanted, wanted],
    )


def _event_condition(
    after: int | None,
    since: float | None,
    until: float | None,
    where: tuple[str, list[Any]] | None,
) -> tuple[str, list[Any]]:
    sql = ""
    params: list[Any] = []
    for clause, value in (
        (" AND seq > ?", after),
        (" AND occurred >= ?", since),
        (" AND occurred <= ?", until),
    ):
        if value is not None:
            sql += clause
            params.append(value)
    if where is not None:
        sql += f" AND ({where[0]})"
        params.extend(where[1])
    return sql, params


class Queries:
    """Read queries over a connection that the subclass provides via `_read`."""

    def _read(self, sql: str, params: Any = ()) -> tuple[sqlite3.Cursor, list[Any]]:
        raise NotImplementedError

    def _runs(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        cursor, rows = self._read(sql, params)
        return [_run_dict(cursor, row) for row in rows]

    def _by_id(self, table: str, run_id: str) -> dict[str, Any] | None:
        """Exact id first, then a unique prefix (None if absent or ambiguous)."""
        runs = self._runs(f"SELECT * FROM {table} WHERE id = ?", (run_id,))
        if not runs and run_id:
            runs = self._runs(
                f"SELECT * FROM {table} WHERE id >= ? AND id < ? LIMIT 2",
                (run_id, run_id + "\uffff"),
            )
        return runs[0] if len(runs) == 1 else None

    def read_flow_runs(
        self, state: str | None = None, flow_name: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        """Newest first; `state` matches a state type or name, any case."""
        where, params = _state_filter(state)
        if flow_name:
            where += " AND flow_name = ?"
            params.append(flow_name)
        sql = f"SELECT * FROM flow_runs WHERE 1 = 1{where} ORDER BY created DESC"
        if limit is not None and limit >= 0:
            sql += " LIMIT ?"
            params.append(limit)
        return self._runs(sql, params)

    def read_flow_run(self, run_id: str) -> dict[str, Any] | None:
        return self._by_id("flow_runs", run_id)

    def read_task_runs(
        self, flow_run_id: str | None = None, state: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Newest first; `state` matches a state type or name, any case."""
        where, params = _state_filter(state)
        if flow_run_id is not None:
            where = " AND flow_run_id = ?" + where
            params.insert(0, flow_run_id)
        sql = f"SELECT * FROM task_runs WHERE 1 = 1{where} ORDER BY created DESC, rowid DESC"
        if limit is not None and limit >= 0:
            sql += " LIMIT ?"
            params.append(limit)
        return self._runs(sql, params)

    def read_task_run(self, run_id: str) -> dict[str, Any] | None:
        return self._by_id("task_runs", run_id)

    def read_task_runs_page(
        self, limit: int, before_id: str | None = None, flow_run_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Keyset paging over the primary key: as fast for the 500th page as for the first."""
        where = ""
        params: list[Any] = []
        if before_id is not None:
            where += " AND id < ?"
            params.append(before_id)
        if flow_run_id is not None:
            where += " AND flow_run_id = ?"
            params.append(flow_run_id)
        params.append(limit)
        return self._runs(
            f"SELECT * FROM task_runs WHERE 1 = 1{where} ORDER BY id DESC LIMIT ?", params
        )

    def find_runs(self, kind: str, ref: str, limit: int = 20) -> list[dict[str, Any]]:
        """Runs that `ref` may mean (id, id prefix, id suffix or name), newest first."""
        if not ref:
            return []
        table = "flow_runs" if kind == "flow" else "task_runs"
        return self._runs(
            f"SELECT * FROM {table} WHERE (id >= ? AND id < ?) OR substr(id, -?) = ? "
            "OR name = ? ORDER BY created DESC LIMIT ?",
            (ref, ref + "\uffff", len(ref), ref, ref, limit),
        )

    def read_states(self, run_id: str) -> list[dict[str, Any]]:
        """Oldest first."""
        cursor, rows = self._read(
            "SELECT run_id, run_kind, type, name, message, timestamp FROM states "
            "WHERE run_id = ? ORDER BY seq",
            (run_id,),
        )
        return [_row_dict(cursor, row) for row in rows]

    def read_logs(self, run_id: str, include_task_runs: bool = True) -> list[dict[str, Any]]:
        """Oldest first; for a flow run, its task runs' logs too unless told otherwise."""
        columns = "l.run_id, l.run_kind, l.level, l.message, l.timestamp, l.logger, l.run_name"
        sql = f"SELECT {columns}, l.seq FROM logs l WHERE l.run_id = ?"
        params: list[Any] = [run_id]
        if include_task_runs:
            sql += (
                f" UNION ALL SELECT {columns}, l.seq FROM task_runs t "
                "JOIN logs l ON l.run_id = t.id WHERE t.flow_run_id = ?"
            )
            params.append(run_id)
        cursor, rows = self._read(f"SELECT * FROM ({sql}) ORDER BY timestamp, seq", params)
        out = [_row_dict(cursor, row) for row in rows]
        for entry in out:
            entry.pop("seq", None)
        return out

    def read_events(
        self,
        limit: int | None = 100,
        *,
        after: int | None = None,
        since: float | None = None,
        until: float | None = None,
        where: tuple[str, list[Any]] | None = None,
        oldest_first: bool = False,
    ) -> list[dict[str, Any]]:
        """Events, newest first (or oldest first), each with its `seq`.

        `seq` grows with every event recorded in this home, by any process, and is
        never reused: `after=seq` reads what was recorded since (a cursor).
        `since` / `until` bound `occurred` (epoch seconds, inclusive); `where` is
        an SQL condition on the events table's columns with its parameters, from
        the layer that knows event names (headwater.events.filters).
        """
        columns = "seq, id, event, occurred, resource_json, payload_json, related_json, follows"
        condition, params = _event_condition(after, since, until, where)
        sql = f"SELECT {columns} FROM events WHERE 1 = 1{condition}"
        sql += " ORDER BY seq" if oldest_first else " ORDER BY seq DESC"
        if limit is not None and limit >= 0:
            sql += " LIMIT ?"
            params.append(limit)
        cursor, rows = self._read(sql, params)
        return [_row_dict(cursor, row) for row in rows]

    def count_events(
        self,
        *,
        since: float | None = None,
        until: float | None = None,
        where: tuple[str, list[Any]] | None = None,
    ) -> int:
        condition, params = _event_condition(None, since, until, where)
        _, rows = self._read(f"SELECT count(*) FROM events WHERE 1 = 1{condition}", params)
        return int(rows[0][0])

    def last_event_seq(self) -> int:
        """The `seq` of the newest event recorded so far (0 if none): a cursor for 'from now'."""
        _, rows = self._read("SELECT coalesce(max(seq), 0) FROM events")
        return int(rows[0][0])

    def count_task_runs(self, flow_run_id: str | None = None) -> int:
        if flow_run_id is None:
            _, rows = self._read("SELECT count(*) FROM task_runs")
        else:
            _, rows = self._read(
                "SELECT count(*) FROM task_runs WHERE flow_run_id = ?", (flow_run_id,)
            )
        return int(rows[0][0])
