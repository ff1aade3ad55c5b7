"""A new task run's record, and where it belongs: the flow run (or parent task run)
it runs in, the recorder its history goes to, and the inputs it waits on."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, NamedTuple

from headwater import settings
from headwater.context import _flow_run, _task_run, current_tags
from headwater.engine.inputs import scan_inputs
from headwater.history.ids import new_run_id
from headwater.history.records import TaskRun

if TYPE_CHECKING:
    from headwater.context import FlowRunContext
    from headwater.history.base import RunRecorder
    from headwater.tasks import Task


#: the `task_inputs` of every run without upstream runs: one shared, never-written
#: mapping instead of an empty dict per run (64 bytes each, 6 MB per 100,000 runs)
NO_INPUTS: dict[str, list[str]] = {}


class NewTaskRun(NamedTuple):
    task_run: TaskRun
    recorder: RunRecorder
    flow_ctx: FlowRunContext | None
    #: the run's `log_prints`: the task's own, else inherited from where it runs
    log_prints: bool
    #: the parameters hold futures, States or annotations to resolve before the call
    needs_resolving: bool


def new_task_run(
    task: Task[Any, Any], parameters: dict[str, Any], wait_for: list[Any] | None
) -> NewTaskRun:
    """The record of a new run of `task` (not named, not recorded yet)."""
    flow_ctx = _flow_run.get()
    if flow_ctx is not None:
        recorder = flow_ctx.recorder
        flow_run_id: str | None = flow_ctx.flow_run.id
        inherited_prints = flow_ctx.log_prints
        dynamic_key = flow_ctx.next_dynamic_key(task.task_key)
    else:
        task_ctx = _task_run.get()
        if task_ctx is not None:
            recorder = task_ctx.recorder
            flow_run_id = task_ctx.task_run.flow_run_id
            inherited_prints = task_ctx.log_prints
        else:
            from headwater.history import get_store

            recorder = get_store()
            flow_run_id = None
            inherited_prints = settings.get_bool("logging_log_prints", False)
        dynamic_key = "0"
    inputs, resolving = (
        scan_inputs(parameters, wait_for) if (wait_for or parameters) else (NO_INPUTS, False)
    )
    tags = task.tags | current_tags()
    task_run = TaskRun(
        new_run_id(),
        "",
        task.task_key,
        flow_run_id,
        dynamic_key,
        inputs or NO_INPUTS,
        tuple(sorted(tags)) if tags else (),
        time.time(),
    )
    log_prints = task.log_prints if task.log_prints is not None else inherited_prints
    return NewTaskRun(task_run, recorder, flow_ctx, log_prints, resolving)
