"""The current flow run, task run and tags, held in context variables.

Context variables (not thread-locals) so that async tasks and the threads the
thread runner starts (via `contextvars.copy_context`) see the run they belong to.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from headwater.flows import Flow
    from headwater.history.base import RunRecorder
    from headwater.history.records import FlowRun, TaskRun
    from headwater.task_runners.base import TaskRunner
    from headwater.tasks import Task


@dataclass(eq=False)
class FlowRunContext:
    """What a flow run's tasks need from it."""

    flow: Flow[Any, Any]
    flow_run: FlowRun
    parameters: dict[str, Any]
    task_runner: TaskRunner[Any]
    recorder: RunRecorder
    log_prints: bool = False
    #: per-flow-run memo of each task's caching/persistence plan
    result_settings: dict[Any, Any] = field(default_factory=dict)
    #: per-task-key counters for dynamic keys (`add` run 0, 1, 2, ...)
    dynamic_keys: dict[str, int] = field(default_factory=dict)

    _var: ClassVar[contextvars.ContextVar[FlowRunContext | None]]

    @classmethod
    def get(cls) -> FlowRunContext | None:
        return _flow_run.get()

    #: submitted runs not finished yet; the flow waits for them before it ends
    pending_runs: PendingRuns = field(default_factory=lambda: PendingRuns())

    def track_future(self, future: Any) -> None:
        self.pending_runs.add(future)

    def next_dynamic_key(self, task_key: str) -> str:
        n = self.dynamic_keys.get(task_key, 0)
        self.dynamic_keys[task_key] = n + 1
        return str(n)


class PendingRuns:
    """How many of a flow run's submitted runs have not finished, so the flow can wait
    for them before it ends. A count and one shared done-callback, not a set of
    futures: a flow may have 100,000 runs queued at once."""

    __slots__ = ("_changed", "_count", "_finished", "_lock")

    def __init__(self) -> None:
        self._lock = threading.Lock()  # counting takes it directly: no Python-level enter
        self._changed = threading.Condition(self._lock)
        self._count = 0
        #: bound once, so every tracked future holds the same callback object
        self._finished = self._one_finished

    def add(self, future: Any) -> None:
        """Count `future` until it is done."""
        if future.done():
            return
        with self._lock:
            self._count += 1
        future.add_done_callback(self._finished)

    def _one_finished(self, future: Any) -> None:
        with self._lock:
            self._count -= 1
            if not self._count:
                self._changed.notify_all()

    def wait(self) -> None:
        """Until every counted run is done (runs counted meanwhile included)."""
        with self._changed:
            while self._count:
                self._changed.wait()


@dataclass(eq=False)
class TaskRunContext:
    """What code inside a task run can ask about it."""

    task: Task[Any, Any]
    task_run: TaskRun
    parameters: dict[str, Any]
    recorder: RunRecorder
    log_prints: bool = False
    flow_run_context: FlowRunContext | None = None
    #: the caching/persistence plan, resolved once per run (headwater.caching.engine)
    cache_plan: Any = None

    @classmethod
    def get(cls) -> TaskRunContext | None:
        return _task_run.get()


_flow_run: contextvars.ContextVar[FlowRunContext | None] = contextvars.ContextVar(
    "headwater_flow_run", default=None
)
_task_run: contextvars.ContextVar[TaskRunContext | None] = contextvars.ContextVar(
    "headwater_task_run", default=None
)
_tags: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "headwater_tags", default=frozenset()
)


def get_run_context() -> FlowRunContext | TaskRunContext:
    """The innermost run: the task run if inside one, else the flow run."""
    from headwater.exceptions import MissingContextError

    ctx = _task_run.get() or _flow_run.get()
    if ctx is None:
        raise MissingContextError("No run context available: call this inside a flow or task.")
    return ctx


def in_async_context() -> bool:
    """Whether a Prefect-style dual API (`Variable.get`) should hand back a coroutine.

    As Prefect decides: inside a run, whether its task (else flow) is async; outside
    any run, whether an event loop is running in this thread.
    """
    ctx = _task_run.get() or _flow_run.get()
    if ctx is not None:
        owner = ctx.task if isinstance(ctx, TaskRunContext) else ctx.flow
        return bool(getattr(owner, "isasync", False))
    from headwater.utilities.loops import loop_running

    return loop_running()


def current_tags() -> frozenset[str]:
    return _tags.get()


@contextlib.contextmanager
def tags(*new_tags: str) -> Iterator[set[str]]:
    """Add tags to every flow and task run started inside the block; they accumulate."""
    current = _tags.get()
    merged = current.union(new_tags)
    token = _tags.set(merged)
    try:
        yield set(merged)
    finally:
        _tags.reset(token)


class _WithContext:
    """A picklable callable that runs `fn` inside the run that created it (see `with_context`)."""

    def __init__(self, fn: Any) -> None:
        import cloudpickle

        from headwater import settings

        task_ctx = _task_run.get()
        flow_ctx = _flow_run.get() or (task_ctx.flow_run_context if task_ctx else None)
        current = task_ctx or flow_ctx
        self.fn = fn
        self._pid = os.getpid()
        self._runs = cloudpickle.dumps(
            {
                "flow_run": flow_ctx.flow_run if flow_ctx else None,
                "task_run": task_ctx.task_run if task_ctx else None,
                "log_prints": current.log_prints if current else False,
                "tags": _tags.get(),
                "settings": settings.snapshot(),
            }
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if os.getpid() == self._pid:
            return self.fn(*args, **kwargs)  # called in the run's own process: nothing to do
        import cloudpickle

        from headwater import settings
        from headwater.history import get_store

        runs = cloudpickle.loads(self._runs)
        settings.adopt(runs["settings"])
        store = get_store()
        absent: Any = None  # the worker has the run records, not the flow, task or runner
        flow_ctx = task_ctx = None
        if runs["flow_run"] is not None:
            flow_ctx = FlowRunContext(
                flow=absent,
                flow_run=runs["flow_run"],
                parameters={},
                task_runner=absent,
                recorder=store,
                log_prints=runs["log_prints"],
            )
        if runs["task_run"] is not None:
            task_ctx = TaskRunContext(
                task=absent,
                task_run=runs["task_run"],
                parameters={},
                recorder=store,
                log_prints=runs["log_prints"],
                flow_run_context=flow_ctx,
            )
        tokens = (_flow_run.set(flow_ctx), _task_run.set(task_ctx), _tags.set(runs["tags"]))
        try:
            return self.fn(*args, **kwargs)
        finally:
            _tags.reset(tokens[2])
            _task_run.reset(tokens[1])
            _flow_run.reset(tokens[0])
            # pool workers may exit without running atexit handlers: flush now
            store.flush()
            for handler in logging.getLogger("headwater").handlers:
                handler.flush()


def with_context(fn: Any) -> Any:
    """Wrap `fn` so that, called in another process (`multiprocessing.Pool`,
    `ProcessPoolExecutor`), it runs inside the current flow or task run:
    `get_run_logger()` works there and its lines are recorded with the run."""
    return _WithContext(fn)
