"""The /filter queries: what the store can narrow is asked of it, the rest filtered here.

`headwater.history` narrows flow runs by one state or flow name and task runs by
flow run; every other filter, the sort and the paging run over the rows it returns.
"""

from __future__ import annotations

from typing import Any

from headwater.history import RunHistory

from headwater_server import shapes
from headwater_server.filters import (
    FlowRunFilter,
    FlowRunQuery,
    LogQuery,
    TaskRunQuery,
    TaskRunSort,
    sort_runs,
)


class NeedsRunFilter(ValueError):
    """A log query this store cannot answer without naming runs."""


def _page(rows: list[Any], offset: int, limit: int) -> list[Any]:
    return rows[offset : offset + limit]


def _flow_run_rows(history: RunHistory, query: FlowRunQuery) -> list[dict[str, Any]]:
    runs = query.flow_runs or FlowRunFilter()
    flow_name = None
    if query.flows is not None and query.flows.name is not None:
        names = query.flows.name.any_
        flow_name = names[0] if names is not None and len(names) == 1 else None
    state = None
    if runs.state is not None and runs.state.type is not None:
        types = runs.state.type.any_
        state = types[0] if types is not None and len(types) == 1 else None
    if runs.id is not None and runs.id.any_ is not None:
        found = (history.read_flow_run(i) for i in runs.id.any_)
        rows = [r for r, i in zip(found, runs.id.any_, strict=True) if r and r["id"] == i]
    else:
        rows = history.read_flow_runs(state=state, flow_name=flow_name, limit=-1)
    flows = query.flows
    return [r for r in rows if runs.matches(r) and (flows is None or flows.matches(r))]


def flow_runs(history: RunHistory, query: FlowRunQuery) -> list[dict[str, Any]]:
    rows = sort_runs(_flow_run_rows(history, query), query.sort.value)
    return [shapes.run(r) for r in _page(rows, query.offset, query.limit)]


def count_flow_runs(history: RunHistory, query: FlowRunQuery) -> int:
    return len(_flow_run_rows(history, query))


def task_runs(history: RunHistory, query: TaskRunQuery) -> list[dict[str, Any]]:
    top = query.offset + query.limit if _store_order_is_enough(query) else None
    rows = sort_runs(_task_run_rows(history, query, top), query.sort.value)
    return [shapes.run(r) for r in _page(rows, query.offset, query.limit)]


def count_task_runs(history: RunHistory, query: TaskRunQuery) -> int:
    return len(_task_run_rows(history, query))


def _store_order_is_enough(query: TaskRunQuery) -> bool:
    """True when the store's own order (newest created first) and at most a flow run id
    filter answer the query, so it can stop after offset + limit rows per flow run."""
    if query.sort is not TaskRunSort.EXPECTED_START_TIME_DESC or query.flows or query.flow_runs:
        return False
    wanted = query.task_runs.model_dump(exclude_none=True) if query.task_runs else {}
    return set(wanted) <= {"flow_run_id"} and set(wanted.get("flow_run_id", {})) <= {"any_"}


def _task_run_rows(
    history: RunHistory, query: TaskRunQuery, top: int | None = None
) -> list[dict[str, Any]]:
    """Task runs matching `query`; `top`: the store may stop after that many per flow run."""
    wanted = query.task_runs
    parents: list[str] | None = None
    if query.flow_runs is not None or query.flows is not None:
        parents = [r["id"] for r in _flow_run_rows(history, _as_flow_query(query))]
    if wanted is not None and wanted.flow_run_id is not None and wanted.flow_run_id.any_:
        named = wanted.flow_run_id.any_
        parents = named if parents is None else [p for p in parents if p in named]
    if parents is None:
        rows = history.read_task_runs(limit=top)
    else:
        rows = [
            r
            for p in dict.fromkeys(parents)
            for r in history.read_task_runs(flow_run_id=p, limit=top)
        ]
    if wanted is not None:
        rows = [r for r in rows if wanted.matches(r)]
    return rows


def _as_flow_query(query: TaskRunQuery) -> FlowRunQuery:
    return FlowRunQuery(flows=query.flows, flow_runs=query.flow_runs, limit=0)


def logs(history: RunHistory, query: LogQuery) -> list[dict[str, Any]]:
    wanted = query.logs
    flow_ids = wanted.flow_run_id.any_ if wanted and wanted.flow_run_id else None
    task_ids = wanted.task_run_id.any_ if wanted and wanted.task_run_id else None
    if flow_ids is None and task_ids is None:
        raise NeedsRunFilter(
            "this server reads logs by run: give logs.flow_run_id.any_ or "
            'logs.task_run_id.any_, e.g. {"logs": {"flow_run_id": {"any_": ["<id>"]}}}'
        )
    pairs: list[tuple[dict[str, Any], str | None]] = []
    if task_ids is not None:
        for task_id in dict.fromkeys(task_ids):
            task = history.read_task_run(task_id)
            if task is None or task["id"] != task_id:
                continue
            parent = task.get("flow_run_id")
            if flow_ids is not None and parent not in flow_ids:
                continue
            pairs += [(row, parent) for row in history.read_logs(task_id)]
    else:
        for flow_id in dict.fromkeys(flow_ids or ()):
            pairs += [(row, flow_id) for row in history.read_logs(flow_id)]
    if wanted is not None:
        pairs = [(row, parent) for row, parent in pairs if wanted.matches(row)]
    pairs.sort(key=lambda p: p[0]["timestamp"], reverse=query.sort.value == "TIMESTAMP_DESC")
    return [shapes.log(row, parent) for row, parent in _page(pairs, query.offset, query.limit)]
