"""Turning a lost run (worker died, runner failed) into a recorded Crashed state."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from headwater.states import Cancelled, Crashed, State

if TYPE_CHECKING:
    from headwater.history.base import RunRecorder
    from headwater.history.records import TaskRun


def crash_task_run(
    task_run: TaskRun, exc: BaseException, recorder: RunRecorder | None = None
) -> State:
    """Record and return a Crashed state for a task run whose runner lost it."""
    from headwater.history import StateChange, get_store
    from headwater.logging.run_loggers import task_run_logger

    recorder = recorder or get_store()
    state = Crashed(
        message=f"Task run {task_run.name!r} crashed: {type(exc).__name__}: {exc}",
        data=exc,
    )
    task_run.state = state
    recorder.record_state(
        StateChange(task_run.id, "task", state.type.value, state.name, state.message, time.time())
    )
    task_run_logger(task_run, recorder).error(f"Finished in state {state}")
    return state


def cancel_task_run(task_run: TaskRun, recorder: RunRecorder | None = None) -> State:
    """Record and return a Cancelled state for a task run that never started."""
    from headwater.history import StateChange, get_store

    recorder = recorder or get_store()
    state = Cancelled(message=f"Task run {task_run.name!r} was cancelled before it started")
    task_run.state = state
    recorder.record_state(
        StateChange(task_run.id, "task", state.type.value, state.name, state.message, time.time())
    )
    return state
