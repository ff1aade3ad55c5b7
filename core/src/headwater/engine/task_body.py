"""Calling a task's body once: sync or async, under its timeout, errors caught.

Each function returns `(True, value)` or `(False, exception)`: the lifecycle
(engine/task_call.py) decides what an outcome means (retry, fail, complete).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from headwater.engine.timeouts import await_with_timeout, call_with_timeout
from headwater.exceptions import TaskRunTimeoutError

if TYPE_CHECKING:
    from headwater.history.records import TaskRun
    from headwater.tasks import Task


def call_body(
    task: Task[Any, Any], task_run: TaskRun, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[bool, Any]:
    """Run the body in this thread (an async body on its own event loop)."""
    try:
        if task.isasync:
            return True, asyncio.run(_await_body(task, task_run, args, kwargs))
        if task.timeout_seconds is not None:
            return True, call_with_timeout(
                task.fn, args, kwargs, task.timeout_seconds, _timeout_error(task, task_run)
            )
        return True, task.fn(*args, **kwargs)
    except Exception as exc:
        return False, exc


async def acall_body(
    task: Task[Any, Any], task_run: TaskRun, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[bool, Any]:
    """Await the body on the running loop (a sync body runs in this thread)."""
    try:
        return True, await _await_body(task, task_run, args, kwargs)
    except Exception as exc:
        return False, exc


async def _await_body(
    task: Task[Any, Any], task_run: TaskRun, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    if not task.isasync:  # sync body under the async driver
        ok, value = call_body(task, task_run, args, kwargs)
        if ok:
            return value
        raise value
    coro = task.fn(*args, **kwargs)
    if task.timeout_seconds is not None:
        return await await_with_timeout(
            coro,
            task.timeout_seconds,
            _timeout_error(task, task_run),
        )
    return await coro


def _timeout_error(task: Task[Any, Any], task_run: TaskRun) -> Callable[[], TaskRunTimeoutError]:
    def error() -> TaskRunTimeoutError:
        return TaskRunTimeoutError(
            f"Task run {task_run.name!r} exceeded timeout of {task.timeout_seconds:g} second(s)"
        )

    return error
