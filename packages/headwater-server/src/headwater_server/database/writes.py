"""One client batch into the database, in one transaction, at most once per batch id.

The rows are core's own (`history.batch.build_batch` coalesces each run's
record with its state changes exactly as the embedded writer does); here they
become SQLAlchemy statements that work on PostgreSQL and SQLite alike: run
upserts with INSERT ... ON CONFLICT, states inserted with their new `seq`
returned, and each state's event stored in full (see `events`). On PostgreSQL
through psycopg 3 the bulk rows go by COPY instead (see `pg_copy`): a batch of
thousands of rows costs a fraction of executemany's Python time.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from headwater_server.database import tables as t
from headwater_server.database.event_order import lock_event_order
from headwater_server.database.events import state_event_row
from headwater_server.database.pg_copy import copies, copy_rows, next_seqs, without_nul

if TYPE_CHECKING:
    from headwater.history.records import Event, FlowRun, LogEntry, StateChange, TaskRun
    from sqlalchemy.engine import Connection

__all__ = ["write_batch", "write_records"]

_STATE = ("state_type", "state_name", "state_message", "state_timestamp", "start_time",
          "end_time", "run_count", "running_count", "process_id")  # fmt: skip
_FLOW = ("id", "name", "flow_name", "flow_version", "parameters_json", "tags_json",
         "parent_task_run_id", "root_flow_run_id", "created", *_STATE)  # fmt: skip
_TASK = ("id", "name", "task_key", "flow_run_id", "dynamic_key", "task_inputs_json",
         "tags_json", "cache_key", "created", *_STATE)  # fmt: skip
_STATES = ("run_id", "run_kind", "type", "name", "message", "timestamp")
_LOGS = ("run_id", "run_kind", "level", "message", "timestamp", "logger", "run_name")
_EVENTS = ("id", "event", "occurred", "resource_json", "payload_json", "related_json", "follows",
           "state_seq")  # fmt: skip
#: the run columns a state event uses (see events.state_event_row)
_EVENT_TASK = ("id", "name", "tags_json", "flow_run_id")
_EVENT_FLOW = ("id", "name", "tags_json", "flow_name", "parent_task_run_id")
_UPDATE = ("b_type", "b_name", "b_message", "b_ts", "b_start", "b_end", "b_running", "b_id")


def _insert(connection: Connection, table: sa.Table) -> Any:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def _without_nul(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """PostgreSQL text cannot hold NUL (SQLite can): NUL becomes U+FFFD, so a log line
    with one does not make its whole batch fail on every retry."""
    for row in rows:
        for key, value in row.items():
            if type(value) is str and "\x00" in value:
                row[key] = value.replace("\x00", "\ufffd")
    return rows


def _rows(connection: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return _without_nul(rows) if connection.dialect.name == "postgresql" else rows


def _upsert(connection: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """The embedded writer's ON CONFLICT rule: a later record of a run replaces its
    fields, takes a new state only if it carries one, keeps the first start and end."""
    stmt = _insert(connection, table)
    new, old = stmt.excluded, table.c
    keep_state = new.state_type.is_(None)
    update: dict[str, Any] = {c: new[c] for c in (_FLOW if table is t.flow_runs else _TASK)[1:9]}
    if table is t.task_runs:
        update["cache_key"] = sa.func.coalesce(new.cache_key, old.cache_key)
    for column in ("state_type", "state_name", "state_message", "state_timestamp"):
        update[column] = sa.case((keep_state, old[column]), else_=new[column])
    update["start_time"] = sa.func.coalesce(old.start_time, new.start_time)
    update["end_time"] = sa.func.coalesce(old.end_time, new.end_time)
    update["run_count"] = sa.case(
        (old.run_count > new.run_count, old.run_count), else_=new.run_count
    )
    update["running_count"] = old.running_count + new.running_count
    update["process_id"] = new.process_id
    columns = _FLOW if table is t.flow_runs else _TASK
    if not copies(connection):
        upsert = stmt.on_conflict_do_update(index_elements=["id"], set_=update)
        connection.execute(upsert, _rows(connection, rows))
        return
    # One statement for all rows, each column sent as one array (a batch holds each run
    # at most once, as build_batch coalesces its records): far cheaper than a pipeline of
    # one INSERT per row, and the same SQL every batch, so SQLAlchemy compiles it once.
    arrays = ", ".join(f"CAST(:a{i} AS {_pg_array(table.c[c])})" for i, c in enumerate(columns))
    source = sa.text(f"SELECT * FROM unnest({arrays})").columns(*(table.c[c] for c in columns))
    upsert = (
        _insert(connection, table)
        .from_select(columns, source)
        .on_conflict_do_update(index_elements=["id"], set_=update)
    )
    rows = _without_nul(rows)
    connection.execute(upsert, {f"a{i}": [r[c] for r in rows] for i, c in enumerate(columns)})


def _pg_array(column: sa.Column[Any]) -> str:
    if isinstance(column.type, sa.Integer):
        return "int8[]"
    return "float8[]" if isinstance(column.type, sa.Float) else "text[]"


def _update_states(connection: Connection, table: sa.Table, rows: list[tuple[Any, ...]]) -> None:
    """State changes of runs whose record is not in this batch."""
    c, p = table.c, sa.bindparam
    stmt = (
        sa.update(table)
        .where(c.id == p("b_id"))
        .values(
            state_type=p("b_type"), state_name=p("b_name"), state_message=p("b_message"),
            state_timestamp=p("b_ts"), start_time=sa.func.coalesce(c.start_time, p("b_start")),
            end_time=sa.func.coalesce(c.end_time, p("b_end")),
            running_count=c.running_count + p("b_running"),
        )
    )  # fmt: skip
    connection.execute(stmt, _rows(connection, [dict(zip(_UPDATE, r, strict=True)) for r in rows]))


def _by_id(connection: Connection, table: sa.Table, ids: set[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    # only what a state event names: parameters and task inputs can be large
    wanted = _EVENT_TASK if table is t.task_runs else _EVENT_FLOW
    query = sa.select(*(table.c[c] for c in wanted))
    found = connection.execute(query.where(table.c.id.in_(sorted(ids))))
    return {row.id: dict(row._mapping) for row in found}


def _state_events(connection: Connection, written: list[dict[str, Any]]) -> None:
    """Store the event of each state row just written (with its runs as they are now)."""
    tasks = _by_id(
        connection, t.task_runs, {s["run_id"] for s in written if s["run_kind"] == "task"}
    )
    flow_ids = {s["run_id"] for s in written if s["run_kind"] == "flow"}
    flow_ids |= {r["flow_run_id"] for r in tasks.values() if r["flow_run_id"]}
    flows = _by_id(connection, t.flow_runs, flow_ids)
    parents = _by_id(
        connection,
        t.task_runs,
        {f["parent_task_run_id"] for f in flows.values() if f["parent_task_run_id"]},
    )
    first = written[0]["seq"]
    s = t.states
    latest = (
        sa.select(sa.func.max(s.c.seq))
        .where(s.c.run_id.in_(sorted({w["run_id"] for w in written})), s.c.seq < first)
        .group_by(s.c.run_id)
    )
    previous = {
        row.run_id: dict(row._mapping)
        for row in connection.execute(sa.select(s).where(s.c.seq.in_(latest)))
    }
    rows = []
    for state in written:
        task = tasks.get(state["run_id"]) if state["run_kind"] == "task" else None
        flow_id = task["flow_run_id"] if task is not None else state["run_id"]
        if state["run_kind"] == "task" and task is None:
            flow_id = None
        flow = flows.get(flow_id) if flow_id else None
        parent = None
        if state["run_kind"] == "flow" and flow is not None and flow["parent_task_run_id"]:
            parent = parents.get(flow["parent_task_run_id"])
        rows.append(state_event_row(state, previous.get(state["run_id"]), task, flow, parent))
        previous[state["run_id"]] = state
    _insert_events(connection, rows)


def _insert_events(connection: Connection, rows: list[dict[str, Any]]) -> None:
    lock_event_order(connection)  # seqs in commit order (see event_order)
    if copies(connection):
        copy_rows(connection, "event_rows", _EVENTS, ([r[c] for c in _EVENTS] for r in rows))
    else:
        connection.execute(sa.insert(t.event_rows), _rows(connection, rows))


def _insert_states(connection: Connection, states: Sequence[StateChange]) -> list[dict[str, Any]]:
    """The state rows written, each with its new `seq` (PostgreSQL with psycopg 3: seqs
    taken up front and the rows COPYed; otherwise INSERT ... RETURNING)."""
    if copies(connection):
        seqs = next_seqs(connection, "states", len(states))
        clean = [without_nul(s) for s in states]
        copy_rows(
            connection,
            "states",
            ("seq", *_STATES),
            ((q, *s) for q, s in zip(seqs, clean, strict=True)),
        )
        return [
            {**dict(zip(_STATES, s, strict=True)), "seq": q}
            for s, q in zip(clean, seqs, strict=True)
        ]
    values = _rows(connection, [dict(zip(_STATES, s, strict=True)) for s in states])
    inserted = connection.execute(
        sa.insert(t.states).returning(t.states.c.seq, sort_by_parameter_order=True), values
    )
    return [{**v, "seq": row.seq} for v, row in zip(values, inserted, strict=True)]


def write_batch(
    connection: Connection,
    batch_id: str,
    flow_runs: list[FlowRun],
    task_runs: list[TaskRun],
    states: list[StateChange],
    logs: list[LogEntry],
    events: list[Event],
    process_id: int | None = None,
) -> bool:
    """Apply one batch inside the caller's transaction; False if `batch_id` was applied.

    `process_id`: the `server_clients` row of the client that sent it (its runs point at it).
    """
    if connection.dialect.name == "postgresql":
        batch_id = batch_id.replace("\x00", "\ufffd")
    claim = _insert(connection, t.applied_batches).values(batch_id=batch_id, applied=time.time())
    claimed = connection.execute(
        claim.on_conflict_do_nothing(index_elements=["batch_id"]).returning(
            t.applied_batches.c.batch_id
        )
    ).first()
    if claimed is None:
        return False
    write_records(connection, flow_runs, task_runs, states, logs, events, process_id)
    return True


def write_records(
    connection: Connection,
    flow_runs: Sequence[FlowRun],
    task_runs: Sequence[TaskRun],
    states: Sequence[StateChange],
    logs: Sequence[LogEntry],
    events: Sequence[Event],
    process_id: int | None = None,
) -> None:
    """Write records inside the caller's transaction, as the embedded writer does: runs
    upserted, each state change moving its run on and stored with its event."""
    from headwater.history import batch as core_batch
    from headwater.history.batch import build_batch, dumps

    work, _ = build_batch([*flow_runs, *task_runs, *states], process_id)
    for sql, rows in work:
        if sql == core_batch.INSERT_FLOW_RUN:
            _upsert(connection, t.flow_runs, [dict(zip(_FLOW, r, strict=True)) for r in rows])
        elif sql == core_batch.INSERT_TASK_RUN:
            _upsert(connection, t.task_runs, [dict(zip(_TASK, r, strict=True)) for r in rows])
        elif sql.lstrip().startswith("UPDATE flow_runs"):
            _update_states(connection, t.flow_runs, rows)
        elif sql.lstrip().startswith("UPDATE task_runs"):
            _update_states(connection, t.task_runs, rows)
    if logs:  # before the events: their order lock is then held for less (event_order)
        if copies(connection):
            copy_rows(connection, "logs", _LOGS, logs)
        else:
            rows = [dict(zip(_LOGS, e, strict=True)) for e in logs]
            connection.execute(sa.insert(t.logs), _rows(connection, rows))
    if states:
        _state_events(connection, _insert_states(connection, states))
    if events:
        emitted = [
            {"id": e.id, "event": e.event, "occurred": e.occurred,
             "resource_json": dumps(e.resource), "payload_json": dumps(e.payload),
             "related_json": dumps(e.related), "follows": e.follows, "state_seq": None}
            for e in events
        ]  # fmt: skip
        _insert_events(connection, emitted)
