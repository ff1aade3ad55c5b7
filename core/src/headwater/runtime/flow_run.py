"""The current flow run: `from headwater.runtime import flow_run; flow_run.name`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from headwater.runtime._values import lookup


def _ctx() -> Any:
    from headwater.context import FlowRunContext, TaskRunContext

    ctx = FlowRunContext.get()
    if ctx is None:
        task_ctx = TaskRunContext.get()
        ctx = task_ctx.flow_run_context if task_ctx is not None else None
    return ctx


def _run(attr: str, default: Any = None) -> Any:
    ctx = _ctx()
    return getattr(ctx.flow_run, attr) if ctx is not None else default


def _parent_flow_run_id() -> str | None:
    from headwater.history import get_store

    parent_task_run_id = _run("parent_task_run_id")
    if parent_task_run_id is None:
        return None
    store = get_store()
    store.flush()
    parent = store.read_task_run(parent_task_run_id)
    return parent["flow_run_id"] if parent else None


def _scheduled_start_time() -> Any:
    import datetime

    created = _run("created")
    return datetime.datetime.fromtimestamp(created, datetime.timezone.utc) if created else None


_GETTERS: dict[str, Callable[[], Any]] = {
    "id": lambda: _run("id"),
    "name": lambda: _run("name"),
    "flow_name": lambda: _run("flow_name"),
    "flow_version": lambda: _run("flow_version"),
    "parameters": lambda: dict(_ctx().parameters) if _ctx() is not None else {},
    "tags": lambda: list(_run("tags", ())),
    "run_count": lambda: _run("run_count", 0),
    "root_flow_run_id": lambda: _run("root_flow_run_id") or _run("id"),
    "parent_flow_run_id": _parent_flow_run_id,
    "scheduled_start_time": _scheduled_start_time,
}


def __dir__() -> list[str]:
    return sorted(_GETTERS)


def __getattr__(name: str) -> Any:
    return lookup("flow_run", name, _GETTERS)
