"""Running a task run in another process: what is shipped, what comes back.

The orchestrating process records the run as Pending, waits for its upstream
futures and ships a `RemoteTaskCall` (task, resolved parameters, run record,
and the orchestrator's own settings: the result storage and cache plan it
resolved, and its HEADWATER_* settings with its home). The worker runs the
very same engine (`TaskCall.run`) with a `CapturingRecorder`, persisting and
reading results where the orchestrator would, and returns a `RemoteOutcome`:
the final state, the result or exception, and every state change and log
line. The orchestrator replays those into its own store and console, so
workers need no database, no server and no headwater settings of their own,
and never write into their own user's home.

The steps, each public: `prepare_remote(call)` in the orchestrator,
`run_remote(remote_call)` in the worker, `finish_remote(call, outcome)` back
in the orchestrator (or `unsendable(...)` / `TaskCall.fail()` when the run
never got there). Runner authors subclass
`headwater.task_runners.remote.RemoteTaskRunner`, which takes these steps.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from headwater import settings as hw_settings
from headwater.engine.task_call import TaskCall
from headwater.history.base import CapturingRecorder
from headwater.history.records import TaskRun
from headwater.states import Completed, State, StateType

if TYPE_CHECKING:
    from headwater.caching.engine import Plan
    from headwater.context import TaskRunContext
    from headwater.tasks import Task


@dataclass
class RemoteTaskCall:
    task: Task[Any, Any]
    task_run: TaskRun
    parameters: dict[str, Any]
    log_prints: bool
    flow_run_id: str | None
    flow_run_name: str | None
    #: the caching / persistence plan resolved here, its storage resolved to a
    #: ResultStorage (None: the run persists nothing)
    results: Plan | None = None
    #: the orchestrator's HEADWATER_* settings, HEADWATER_HOME always among them
    settings: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass
class RemoteOutcome:
    task_run_id: str
    state_type: str
    state_name: str
    message: str | None
    timestamp: float
    data: Any
    run_count: int
    records: list[tuple[str, Any]] = field(default_factory=list)
    #: timed-out bodies still running in the worker: process runners end the worker
    abandoned_threads: int = 0


def prepare_remote(call: TaskCall) -> RemoteTaskCall | State:
    """Resolve upstream futures here; a final State instead if an upstream failed."""
    params = call.resolve_inputs()
    if isinstance(params, State):
        return params
    flow_run = call.flow_ctx.flow_run if call.flow_ctx is not None else None
    results, settings = orchestrator_settings(call)
    return RemoteTaskCall(
        call.task,
        _without_state(call.task_run),
        params,
        call.log_prints,
        flow_run.id if flow_run else None,
        flow_run.name if flow_run else None,
        results,
        settings,
    )


def orchestrator_settings(call: TaskCall) -> tuple[Plan | None, dict[str, str]]:
    """The result plan and settings a worker must use for `call`, resolved here.

    Memoised per flow run (the same objects for every run of a task), so a
    runner can pack them once per task, not once per call.
    """
    from headwater.caching.engine import resolve_plan

    frc = call.flow_ctx
    memo: dict[Any, Any] = frc.result_settings if frc is not None else {}
    key = ("remote", call.task)
    found = memo.get(key)
    if found is None:
        flow = frc.flow if frc is not None else None
        plan = memo.get(call.task)
        if plan is None:
            plan = resolve_plan(call.task, flow, call.logger)
            if frc is not None:
                memo[call.task] = plan
        found = memo[key] = (_with_resolved_storage(plan), _settings_snapshot(memo))
    return found


def _with_resolved_storage(plan: Plan) -> Plan | None:
    from dataclasses import replace

    from headwater.persistence.result_storage import resolve_storage

    if not plan.persist:
        return None
    key_storage = plan.key_storage
    return replace(
        plan,
        result_storage=resolve_storage(plan.result_storage),
        key_storage=resolve_storage(key_storage) if key_storage is not None else None,
    )


def _settings_snapshot(memo: dict[Any, Any]) -> dict[str, str]:
    found = memo.get(("remote", "settings"))
    if found is None:
        found = memo[("remote", "settings")] = hw_settings.snapshot()
    return found


_adopt_lock = threading.Lock()


def adopt_settings(settings: dict[str, str]) -> None:
    """Worker side: take the orchestrator's HEADWATER_* settings for what runs here.

    A worker process serves its orchestrator: anything home-dependent a task
    does (blocks, secrets, the default result storage) must use that
    orchestrator's home, not the worker user's `~/.headwater`.
    """
    with _adopt_lock:
        hw_settings.adopt(settings)


class _WorkerTaskCall(TaskCall):
    """The engine's run in a worker, caching and persisting with the orchestrator's plan."""

    __slots__ = ("results",)
    results: Plan | None

    def _cached_state(self, ctx: TaskRunContext) -> State | None:
        if self.results is None:
            return None
        from headwater.caching.engine import cached_state

        ctx.cache_plan = self.results
        return cached_state(self, ctx)

    def _completed(self, ctx: TaskRunContext, value: Any) -> State:
        if self.results is None:
            return Completed(data=value)
        from headwater.caching.engine import completed_state

        ctx.cache_plan = self.results
        return completed_state(self, ctx, value)

    def after_final_state(self, state: State) -> None:
        """Not here: the orchestrator calls the hook when it receives the outcome."""


def run_remote(remote: RemoteTaskCall) -> RemoteOutcome:
    """Worker side: run the engine, capture everything, never raise for task errors."""
    from headwater.engine.timeouts import abandoned_threads_alive

    if remote.settings:
        adopt_settings(remote.settings)
    recorder = CapturingRecorder()
    call = _WorkerTaskCall(
        remote.task,
        remote.task_run,
        remote.parameters,
        None,
        recorder,
        remote.log_prints,
        None,
        recorded=True,  # the orchestrator recorded it Pending
    )
    call.results = remote.results
    task_run = remote.task_run
    if remote.task.isasync:
        import asyncio

        state = asyncio.run(call.arun())
    else:
        state = call.run()
    abandoned = abandoned_threads_alive() if state.name == "TimedOut" else 0
    return RemoteOutcome(
        task_run.id,
        state.type.value,
        state.name,
        state.message,
        state.timestamp,
        state.data,
        task_run.run_count,
        recorder.records,
        abandoned,
    )


def finish_remote(call: TaskCall, outcome: RemoteOutcome) -> State:
    """Orchestrator side: replay the worker's records, return the final state."""
    from headwater.logging.run_loggers import log_to_console

    recorder = call.recorder
    for method, record in outcome.records:
        getattr(recorder, method)(record)
        if method == "record_log":
            log_to_console(record)
    state: State[Any] = State(
        StateType(outcome.state_type),
        name=outcome.state_name,
        message=outcome.message,
        data=outcome.data,
        timestamp=outcome.timestamp,
    )
    call.task_run.run_count = outcome.run_count
    call.task_run.state = state
    call.after_final_state(state)
    return state


def _without_state(task_run: TaskRun) -> TaskRun:
    from dataclasses import replace

    return replace(task_run, state=None)


def dumps_outcome(outcome: RemoteOutcome) -> bytes:
    """Serialize an outcome; a result or exception that won't pickle becomes a clear failure."""
    import cloudpickle

    from headwater.engine.packing import dumps

    try:
        return dumps(outcome, outcome.data)
    except Exception as exc:
        data = outcome.data
        if isinstance(data, BaseException):
            outcome.data = RuntimeError(f"{type(data).__name__}: {data}")
        else:
            message = (
                f"The result of task run {outcome.task_run_id} ({type(data).__name__}) could not "
                f"be serialized to send it back from the worker ({exc}). Return a picklable value."
            )
            outcome.state_type, outcome.state_name, outcome.message = "FAILED", "Failed", message
            outcome.data = TypeError(message)
            _append_failure_records(outcome, message)
        return cloudpickle.dumps(outcome)  # type: ignore[no-any-return]


def _append_failure_records(outcome: RemoteOutcome, message: str) -> None:
    """Make the replayed history end in the failure the orchestrator will see."""
    import logging
    import time

    from headwater.history.records import LogEntry, StateChange

    now = time.time()
    run_name = next(
        (
            r.run_name
            for m, r in outcome.records
            if m == "record_log" and r.run_id == outcome.task_run_id
        ),
        "",
    )
    outcome.records.append(
        (
            "record_log",
            LogEntry(
                outcome.task_run_id,
                "task",
                logging.ERROR,
                message,
                now,
                "headwater.task_runs",
                run_name,
            ),
        )
    )
    outcome.records.append(
        ("record_state", StateChange(outcome.task_run_id, "task", "FAILED", "Failed", message, now))
    )


def unsendable(call: TaskCall, exc: Exception, destination: str) -> State:
    """Record and return the failure of a run that could not be serialized for `destination`."""
    message = (
        f"Task run {call.task_run.name!r} could not be sent to {destination}: its task or "
        f"arguments can't be serialized ({type(exc).__name__}: {exc})."
    )
    return call.fail(message, TypeError(message))
