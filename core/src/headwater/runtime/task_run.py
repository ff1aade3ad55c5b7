"""The current task run: `from headwater.runtime import task_run; task_run.name`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from headwater.runtime._values import lookup


def _ctx() -> Any:
    from headwater.context import TaskRunContext

    return TaskRunContext.get()


def _run(attr: str, default: Any = None) -> Any:
    ctx = _ctx()
    return getattr(ctx.task_run, attr) if ctx is not None else default


_GETTERS: dict[str, Callable[[], Any]] = {
    "id": lambda: _run("id"),
    "name": lambda: _run("name"),
    "task_name": lambda: _ctx().task.name if _ctx() is not None else None,
    "parameters": lambda: dict(_ctx().parameters) if _ctx() is not None else {},
    "tags": lambda: list(_run("tags", ())),
    "run_count": lambda: _run("run_count", 0),
}


def __dir__() -> list[str]:
    return sorted(_GETTERS)


def __getattr__(name: str) -> Any:
    return lookup("task_run", name, _GETTERS)
