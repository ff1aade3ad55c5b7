"""Prefect's `prefect.logging.loggers` path: run loggers made from run records.

`flow_run_logger(flow_run)` / `task_run_logger(task_run)` give the logger a
run would use, for code that holds a run record but is not inside the run
(its lines are still attached to that run in the store).
"""

from __future__ import annotations

from typing import Any

from headwater.logging import get_logger, get_run_logger
from headwater.logging.handlers import RunLoggerAdapter

__all__ = [
    "PrefectLogAdapter",
    "flow_run_logger",
    "get_logger",
    "get_run_logger",
    "task_run_logger",
]

PrefectLogAdapter = RunLoggerAdapter


def _recorder() -> Any:
    from headwater.context import FlowRunContext, TaskRunContext

    ctx = TaskRunContext.get() or FlowRunContext.get()
    if ctx is not None:
        return ctx.recorder
    from headwater.history import get_store

    return get_store()


def flow_run_logger(flow_run: Any, flow: Any = None, **kwargs: Any) -> RunLoggerAdapter:
    """A logger whose lines belong to `flow_run` (extra keyword arguments join each record)."""
    from headwater.logging import run_loggers

    adapter = run_loggers.flow_run_logger(flow_run, _recorder())
    if kwargs:
        adapter.extra = {**(adapter.extra or {}), **kwargs}
    return adapter


def task_run_logger(
    task_run: Any, task: Any = None, flow_run: Any = None, flow: Any = None, **kwargs: Any
) -> RunLoggerAdapter:
    """A logger whose lines belong to `task_run` (extra keyword arguments join each record)."""
    from headwater.logging import run_loggers

    adapter = run_loggers.task_run_logger(task_run, _recorder())
    if kwargs:
        adapter.extra = {**(adapter.extra or {}), **kwargs}
    return adapter
