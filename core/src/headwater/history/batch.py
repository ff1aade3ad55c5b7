"""Turning queued records into SQL: one transaction's statements and rows.

Within a batch each run's insert is coalesced with its state changes (one row
insert carrying the latest state, plus one row per state change, plus that
change's event: see `state_events`), and rows go to SQLite as multi-row INSERTs.
Used by the background writer and by the import of spill files, so both write exactly the same rows.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from typing import Any

from headwater.history.records import Event, FlowRun, LogEntry, StateChange, TaskRun
from headwater.history.state_events import DERIVE_STATE_EVENTS

FINAL_TYPES = frozenset({"COMPLETED", "FAILED", "CRASHED", "CANCELLED"})
UNFINISHED_SQL = (
    "(state_type IS NULL OR state_type IN "
    "('SCHEDULED', 'PENDING', 'RUNNING', 'PAUSED', 'CANCELLING'))"
)


def json_default(obj: Any) -> Any:
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    text = repr(obj)
    return text if len(text) <= 1000 else text[:997] + "..."


_encode = json.JSONEncoder(default=json_default, separators=(",", ":")).encode
#: for a whole batch of events: no cycle bookkeeping per container (a third of the
#: encoding time); a cyclic payload hits the recursion limit instead, and the batch
#: is then encoded field by field with `dumps`, which names the cycle
_encode_batch = json.JSONEncoder(
    default=json_default, separators=(",", ":"), check_circular=False
).encode


def dumps(obj: Any) -> str:
    """JSON text for a record field; never fails (unknown objects become their repr)."""
    if not obj:
        return "[]" if isinstance(obj, (list, tuple)) else "{}" if isinstance(obj, dict) else "null"
    for _ in range(3):
        try:
            return _encode(obj)
        except RuntimeError:  # mutated by the engine while we read it; try again
            continue
        except (TypeError, ValueError):
            break
    return _encode(json_default(obj))


class _Agg:
    """The state changes of one run seen in one batch."""

    __slots__ = ("end", "message", "name", "running", "start", "ts", "type")

    def __init__(self) -> None:
        self.type: str | None = None
        self.name: str | None = None
        self.message: str | None = None
        self.ts: float | None = None
        self.start: float | None = None
        self.end: float | None = None
        self.running = 0

    def apply(self, change: StateChange) -> None:
        self.type = change.type
        self.name = change.name
        self.message = change.message
        self.ts = change.timestamp
        if change.type == "RUNNING":
            self.running += 1
            if self.start is None:
                self.start = change.timestamp
        elif change.type in FINAL_TYPES and self.end is None:
            self.end = change.timestamp


_STATE_COLS = (
    "state_type, state_name, state_message, state_timestamp, start_time, end_time, "
    "run_count, running_count, process_id"
)
_STATE_UPSERT = """
    state_type = CASE WHEN excluded.state_type IS NULL THEN {t}.state_type ELSE excluded.state_type END,
    state_name = CASE WHEN excluded.state_type IS NULL THEN {t}.state_name ELSE excluded.state_name END,
    state_message = CASE WHEN excluded.state_type IS NULL THEN {t}.state_message ELSE excluded.state_message END,
    state_timestamp = CASE WHEN excluded.state_type IS NULL THEN {t}.state_timestamp ELSE excluded.state_timestamp END,
    start_time = COALESCE({t}.start_time, excluded.start_time),
    end_time = COALESCE({t}.end_time, excluded.end_time),
    run_count = MAX({t}.run_count, excluded.run_count),
    running_count = {t}.running_count + excluded.running_count,
    process_id = excluded.process_id
"""
INSERT_FLOW_RUN = f"""
INSERT INTO flow_runs (id, name, flow_name, flow_version, parameters_json, tags_json,
    parent_task_run_id, root_flow_run_id, created, {_STATE_COLS})
VALUES ({", ".join("?" * 18)})
ON CONFLICT(id) DO UPDATE SET
    name = excluded.name, flow_name = excluded.flow_name, flow_version = excluded.flow_version,
    parameters_json = excluded.parameters_json, tags_json = excluded.tags_json,
    parent_task_run_id = excluded.parent_task_run_id,
    root_flow_run_id = excluded.root_flow_run_id, created = excluded.created,
    {_STATE_UPSERT.format(t="flow_runs")}
"""
INSERT_TASK_RUN = f"""
INSERT INTO task_runs (id, name, task_key, flow_run_id, dynamic_key, task_inputs_json,
    tags_json, cache_key, created, {_STATE_COLS})
VALUES ({", ".join("?" * 18)})
ON CONFLICT(id) DO UPDATE SET
    name = excluded.name, task_key = excluded.task_key, flow_run_id = excluded.flow_run_id,
    dynamic_key = excluded.dynamic_key, task_inputs_json = excluded.task_inputs_json,
    tags_json = excluded.tags_json, cache_key = COALESCE(excluded.cache_key, task_runs.cache_key),
    created = excluded.created,
    {_STATE_UPSERT.format(t="task_runs")}
"""
_UPDATE_STATE = """
UPDATE {t} SET state_type = ?, state_name = ?, state_message = ?, state_timestamp = ?,
    start_time = COALESCE(start_time, ?), end_time = COALESCE(end_time, ?),
    running_count = running_count + ?
WHERE id = ?
"""
INSERT_STATE = "INSERT INTO states (run_id, run_kind, type, name, message, timestamp) VALUES (?, ?, ?, ?, ?, ?)"
INSERT_LOG = (
    "INSERT INTO logs (run_id, run_kind, level, message, timestamp, logger, run_name) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
INSERT_EVENT = (
    "INSERT INTO event_rows (id, event, occurred, resource_json, payload_json, related_json, follows) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)

#: a batch's events as one JSON array, split into rows by SQLite; each event's related
#: resources are an index into a second array holding each distinct list once
INSERT_EVENTS_JSON = (
    "INSERT INTO event_rows (id, event, occurred, resource_json, payload_json, related_json, follows) "
    "SELECT value ->> 0, value ->> 1, value ->> 2, value -> 3, value -> 4, ?2 -> (value ->> 5), "
    "value ->> 6 FROM json_each(?1) ORDER BY key"
)


def _event_work(events: list[Event]) -> list[tuple[str, list[Any]]]:
    """The statements for a batch's events: one JSON text for all of them (and one for
    their distinct related-resource lists).

    One call of the C encoder instead of three `dumps` per event keeps this
    thread's hold on the interpreter lock short (the engine shares it). A batch
    the encoder refuses (a payload mutated while read, a circular value) is
    encoded event by event, each field falling back to `dumps`.
    """
    if not events:
        return []
    # Events emitted in one run share its related resources (the same dict objects):
    # each distinct list is encoded once, not once per event.
    index: dict[tuple[int, ...], int] = {}
    distinct: list[list[dict[str, str]]] = []
    rows: list[list[Any]] = []
    for e in events:
        key = tuple(map(id, e.related))  # the dicts are alive (held by `events`): ids unique
        at = index.get(key)
        if at is None:
            at = index[key] = len(distinct)
            distinct.append(e.related)
        rows.append([e.id, e.event, e.occurred, e.resource, e.payload, at, e.follows])
    try:
        text = _encode_batch(rows)
        related = _encode_batch(distinct)
    except (RuntimeError, TypeError, ValueError):
        one_by_one = [
            (e.id, e.event, e.occurred, dumps(e.resource), dumps(e.payload), dumps(e.related),
             e.follows)
            for e in events
        ]  # fmt: skip
        return [(INSERT_EVENT, one_by_one)]
    return [(INSERT_EVENTS_JSON, [(text, related)])]


def _state_values(agg: _Agg, run_count: int, process_id: int | None) -> tuple[Any, ...]:
    return (
        agg.type, agg.name, agg.message, agg.ts, agg.start, agg.end,
        max(run_count, agg.running), agg.running, process_id,
    )  # fmt: skip


def build_batch(
    batch: list[Any], process_id: int | None
) -> tuple[list[tuple[str, list[Any]]], list[threading.Event]]:
    """Turn queued records into (sql, rows) pairs for `executemany`, plus flush markers."""
    runs: dict[tuple[str, str], list[Any]] = {}
    updates: dict[tuple[str, str], _Agg] = {}
    states: list[tuple[Any, ...]] = []
    logs: list[tuple[Any, ...]] = []
    events: list[Event] = []
    markers: list[threading.Event] = []
    for rec in batch:
        kind = type(rec)
        if kind is StateChange:
            states.append(rec)  # a tuple in the table's column order
            key = (rec.run_kind, rec.run_id)
            entry = runs.get(key)
            if entry is not None:
                entry[1].apply(rec)
            else:
                agg = updates.get(key)
                if agg is None:
                    agg = updates[key] = _Agg()
                agg.apply(rec)
        elif kind is TaskRun or kind is FlowRun:
            key = ("task" if kind is TaskRun else "flow", rec.id)
            entry = runs.get(key)
            if entry is not None:
                entry[0] = rec
            else:
                runs[key] = [rec, updates.pop(key, None) or _Agg()]
        elif kind is LogEntry:
            logs.append(rec)  # a tuple in the table's column order
        elif kind is Event:
            events.append(rec)
        elif isinstance(rec, threading.Event):
            markers.append(rec)
    flow_rows: list[tuple[Any, ...]] = []
    task_rows: list[tuple[Any, ...]] = []
    for (run_kind, _), (rec, agg) in runs.items():
        if run_kind == "task":
            task_rows.append(
                (rec.id, rec.name, rec.task_key, rec.flow_run_id, rec.dynamic_key,
                 dumps(rec.task_inputs), dumps(rec.tags), rec.cache_key, rec.created,
                 *_state_values(agg, rec.run_count, process_id))
            )  # fmt: skip
        else:
            flow_rows.append(
                (rec.id, rec.name, rec.flow_name, rec.flow_version, dumps(rec.parameters),
                 dumps(rec.tags), rec.parent_task_run_id, rec.root_flow_run_id, rec.created,
                 *_state_values(agg, rec.run_count, process_id))
            )  # fmt: skip
    flow_updates: list[tuple[Any, ...]] = []
    task_updates: list[tuple[Any, ...]] = []
    for (run_kind, run_id), agg in updates.items():
        row = (agg.type, agg.name, agg.message, agg.ts, agg.start, agg.end, agg.running, run_id)
        (task_updates if run_kind == "task" else flow_updates).append(row)
    work = [
        (INSERT_FLOW_RUN, flow_rows),
        (INSERT_TASK_RUN, task_rows),
        (_UPDATE_STATE.format(t="flow_runs"), flow_updates),
        (_UPDATE_STATE.format(t="task_runs"), task_updates),
        (INSERT_STATE, states),
        # each state's event, built by SQLite from the rows just written
        (DERIVE_STATE_EVENTS, [(len(states),)] if states else []),
        (INSERT_LOG, logs),
        *_event_work(events),
    ]
    return [(sql, rows) for sql, rows in work if rows], markers


#: rows per multi-row INSERT statement; one fixed size, so each table has exactly one
#: such statement in SQLite's statement cache (a size per remainder would fill it
#: with large prepared statements)
ROWS_PER_STATEMENT = 64
_multi_row_sql: dict[str, tuple[str, str]] = {}


def write_records(conn: sqlite3.Connection, records: list[Any], process_id: int | None) -> None:
    """Write `records` (history.records objects) inside the caller's transaction, as the
    background writer does; the server's ingest route uses this."""
    work, _ = build_batch(records, process_id)
    for sql, rows in work:
        execute_rows(conn, sql, rows)


def execute_rows(conn: sqlite3.Connection, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """Run `sql` for each row: full chunks as one multi-row INSERT, the rest one by one.

    `executemany` releases and re-takes the GIL around every row, and each
    hand-over can stall the engine's thread for a context switch; a statement
    per 64 rows keeps this thread out of the engine's way.
    """
    n = ROWS_PER_STATEMENT
    full = len(rows) - len(rows) % n
    if full:
        multi = _multi_row_sql.get(sql)
        if multi is None:
            head, sep, tail = sql.partition("VALUES (")
            if sep and head.lstrip().upper().startswith("INSERT"):
                group_end = tail.index(")")
                group = "(" + tail[:group_end] + ")"
                multi = (f"{head}VALUES {','.join([group] * n)}{tail[group_end + 1 :]}", "")
            else:
                multi = ("", "")
            _multi_row_sql[sql] = multi
        statement = multi[0]
        if statement:
            for start in range(0, full, n):
                conn.execute(statement, [v for row in rows[start : start + n] for v in row])
            rows = rows[full:]
    if rows:
        conn.executemany(sql, rows)
