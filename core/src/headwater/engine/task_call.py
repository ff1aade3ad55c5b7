"""One task run, from Pending to a final state: the single code path every runner uses.

`TaskCall.create()` records the run as Pending (cheap: records are queued for
the store's writer). `run()` / `arun()` drive the run's lifecycle, written
once as a generator (`_lifecycle`: prologue, attempts, epilogue) that yields
the `Step` it needs done: call the body, sleep before a retry, run hooks. The
sync and async drivers perform those steps their own way, so retries,
timeouts, states, logs and hooks behave identically for sync and async tasks.
Task runners only decide where `run()` executes; remote ones use the public
steps `resolve_inputs()`, `finish()` and `fail()` around a worker's run
(engine/remote.py, headwater.task_runners.remote).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING, Any

from headwater import settings
from headwater.context import TaskRunContext, _task_run
from headwater.engine.hooks import run_hooks
from headwater.engine.inputs import resolve_parameters, wait_for_upstream
from headwater.engine.retries import retry_delay_for, should_retry
from headwater.engine.return_values import state_from_return_value, states_returned
from headwater.engine.run_names import generate_task_run_suffix, task_run_name_for
from headwater.engine.steps import Step
from headwater.engine.tag_concurrency import hold_tag_slots
from headwater.engine.task_body import acall_body, call_body
from headwater.engine.task_runs import new_task_run
from headwater.engine.task_transactions import (
    close_task_transaction,
    open_task_transaction,
    serialize_task_run,
    settle_task_transaction,
)
from headwater.exceptions import TaskRunTimeoutError, UpstreamTaskError
from headwater.history.records import StateChange
from headwater.logging.run_loggers import task_run_logger
from headwater.states import (
    UNSET,
    AwaitingRetry,
    Cancelled,
    Completed,
    Failed,
    Pending,
    Retrying,
    Running,
    State,
    StateType,
    TimedOut,
    exception_to_crashed_state,
)

if TYPE_CHECKING:
    from headwater.context import FlowRunContext
    from headwater.history.base import RunRecorder
    from headwater.history.records import TaskRun
    from headwater.tasks import Task


class TaskCall:
    """A task run and everything needed to execute it."""

    __slots__ = (
        "_logger",
        "_recorded",
        "flow_ctx",
        "log_prints",
        "needs_resolving",
        "parameters",
        "recorder",
        "returned",
        "staged_writes",
        "task",
        "task_run",
        "txn",
        "wait_for",
    )

    def __init__(
        self,
        task: Task[Any, Any],
        task_run: TaskRun,
        parameters: dict[str, Any],
        wait_for: list[Any] | None,
        recorder: RunRecorder,
        log_prints: bool,
        flow_ctx: FlowRunContext | None,
        *,
        recorded: bool = False,
    ) -> None:
        self.task = task
        self.task_run = task_run
        self.parameters = parameters
        self.wait_for = wait_for
        self.recorder = recorder
        self.log_prints = log_prints
        self.flow_ctx = flow_ctx
        self._logger: Any = None
        self._recorded = recorded
        #: what the body returned when that was State(s), which decide the run's state
        self.returned: Any = UNSET
        #: the parameters hold futures, States or annotations to resolve before the call
        self.needs_resolving = False
        #: the run's own transaction (engine/task_transactions.py), when one can matter
        self.txn: Any = None
        #: result records serialised at completion, written when the transaction commits
        self.staged_writes: list[Any] | None = None

    @classmethod
    def create(
        cls,
        task: Task[Any, Any],
        parameters: dict[str, Any],
        wait_for: Iterable[Any] | None = None,
        dependencies: dict[str, set[Any]] | None = None,
    ) -> TaskCall:
        """A new task run for `task`, recorded as Pending (unless its name needs inputs)."""
        wait_for = list(wait_for) if wait_for else None
        task_run, recorder, flow_ctx, log_prints, resolving = new_task_run(
            task, parameters, wait_for
        )
        call = cls(task, task_run, parameters, wait_for, recorder, log_prints, flow_ctx)
        call.needs_resolving = resolving
        if task.task_run_name is None:
            task_run.name = f"{task.name}-{generate_task_run_suffix()}"
            call.record_pending()
        elif not resolving:
            task_run.name = task_run_name_for(task, parameters)
            call.record_pending()
        return call

    # --- recording (public: remote runners take these steps around a worker's run) --
    @property
    def recorded(self) -> bool:
        """Whether the run's Pending record was written (deferred while its name
        needs inputs that are not resolved yet)."""
        return self._recorded

    def record_pending(self) -> None:
        """Record the run (named already) and its Pending state (pending since created)."""
        self.task_run.state = Pending(timestamp=self.task_run.created)
        self.recorder.record_task_run(self.task_run)
        self._record_state(self.task_run.state)
        self._recorded = True

    def _record_state(self, state: State) -> None:
        self.task_run.state = state
        self.recorder.record_state(
            StateChange(
                self.task_run.id,
                "task",
                state.type.value,
                state.name,
                state.message,
                state.timestamp,
            )
        )

    @property
    def logger(self) -> Any:
        if self._logger is None:
            self._logger = task_run_logger(self.task_run, self.recorder)
        return self._logger

    # --- drivers --------------------------------------------------------------------
    def run(self) -> State:
        """Execute the run in this thread and return its final state (never raises for
        task errors; KeyboardInterrupt/SystemExit mark the run Crashed and propagate)."""
        gen = self._lifecycle()
        try:
            step = next(gen)
            while True:
                kind = step[0]
                if kind is Step.CALL:
                    reply = call_body(self.task, self.task_run, step[1], step[2])
                elif kind is Step.SLEEP:
                    time.sleep(step[1])
                    reply = None
                else:
                    run_hooks(step[1], self.task, self.task_run, step[2], self.logger)
                    reply = None
                step = gen.send(reply)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        except BaseException as exc:
            self._crash(exc)
            raise
        finally:
            gen.close()  # an interrupt raised here, not in the lifecycle: reset its contexts

    async def arun(self) -> State:
        """The async driver: same lifecycle, awaiting the body and sleeping with asyncio."""
        gen = self._lifecycle()
        try:
            step = next(gen)
            while True:
                kind = step[0]
                if kind is Step.CALL:
                    reply = await acall_body(self.task, self.task_run, step[1], step[2])
                elif kind is Step.SLEEP:
                    await asyncio.sleep(step[1])
                    reply = None
                else:
                    run_hooks(step[1], self.task, self.task_run, step[2], self.logger)
                    reply = None
                step = gen.send(reply)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        except asyncio.CancelledError:
            self.finish(Cancelled(message=f"Task run {self.task_run.name!r} was cancelled"))
            raise
        except BaseException as exc:
            self._crash(exc)
            raise
        finally:
            gen.close()

    def run_and_return(self, return_state: bool) -> Any:
        return self._returned_for(self.run(), return_state)

    async def arun_and_return(self, return_state: bool) -> Any:
        state = await self.arun() if self.task.isasync else self.run()
        return self._returned_for(state, return_state)

    def _returned_for(self, state: State, return_state: bool) -> Any:
        """What the call gives back: the state, or the result; a body that returned States
        gives back what it returned, unraised (as Prefect's task engine `result()`)."""
        if return_state:
            return state
        if self.returned is not UNSET:
            return self.returned
        return state.result()

    # --- the lifecycle -------------------------------------------------------------
    def resolve_inputs(self) -> dict[str, Any] | State:
        """The prologue: wait for upstream runs, resolve the parameters, record the run
        as Pending if it was not yet. Returns the parameters, or the run's final
        NotReady state (recorded) when an upstream run did not complete."""
        task, task_run = self.task, self.task_run
        try:
            if self.wait_for:
                wait_for_upstream(self.wait_for)
            params = (
                resolve_parameters(self.parameters) if self.needs_resolving else self.parameters
            )
        except UpstreamTaskError as exc:
            if not self._recorded:
                task_run.name = task_run.name or f"{task.name}-{generate_task_run_suffix()}"
                self.record_pending()
            return self.finish(Failed(name="NotReady", message=str(exc), data=exc))
        if not self._recorded:
            task_run.name = task_run_name_for(task, params)
            self.record_pending()
        return params

    def _lifecycle(self) -> Generator[tuple[Any, ...], Any, State]:
        params = self.resolve_inputs()
        if isinstance(params, State):
            return params
        ctx = TaskRunContext(
            self.task, self.task_run, params, self.recorder, self.log_prints, self.flow_ctx
        )
        token = _task_run.set(ctx)
        if self.log_prints:
            from headwater.logging.prints import install_print_capture

            install_print_capture()
        txn = open_task_transaction(self)
        try:
            cached = self._cached_state(ctx)
            if txn is not None:
                cached = yield from serialize_task_run(self, ctx, txn, cached)
            if cached is not None:
                state = self.finish(cached)
                settle_task_transaction(self, state, cached=state.type is StateType.COMPLETED)
                return state
            # tag concurrency limits: a slot per limited tag, held until the run ends
            held = (yield from hold_tag_slots(self)) if self.task_run.tags else None
            try:
                if held is not None and held.refusal is not None:
                    state = held.refusal
                else:
                    state = yield from self._attempts(ctx, params)
                yield from self._epilogue(state)
                return state
            finally:
                if held is not None:
                    held.release()
        finally:
            if txn is not None:
                close_task_transaction(txn)
            _task_run.reset(token)

    def _attempts(
        self, ctx: TaskRunContext, params: dict[str, Any]
    ) -> Generator[tuple[Any, ...], Any, State]:
        """Call the body until it succeeds or retries run out; return the state to finish in."""
        task, task_run = self.task, self.task_run
        args, kwargs = task.shape.unbind(params)
        attempt = 0
        while True:
            attempt += 1
            task_run.run_count = attempt
            running = Running() if attempt == 1 else Retrying()
            self._record_state(running)
            if task.on_running_hooks:
                yield (Step.HOOK, task.on_running_hooks, running)
            ok, value = yield (Step.CALL, args, kwargs)
            if ok and not states_returned(value):
                return self._completed(ctx, value)
            if ok:  # the body returned State(s): they decide (Prefect's rule)
                self.returned = value
                state = state_from_return_value(value)
                if state.type is not StateType.FAILED:
                    return state
            failure: BaseException | State = state if ok else value
            if attempt <= task.retries and should_retry(task, task_run, failure, self.logger):
                self.returned = UNSET
                delay = self._announce_retry(attempt, failure)
                if delay:
                    yield (Step.SLEEP, delay)
                continue
            return self._failed_state(failure)

    def _announce_retry(self, attempt: int, failure: BaseException | State) -> float:
        """Log and record the coming retry; return its delay in seconds."""
        task = self.task
        delay = retry_delay_for(task, attempt)
        kind = "state" if isinstance(failure, State) else "exception"
        when = f"in {delay:g} second(s)" if delay else "immediately"
        self.logger.info(
            f"Task run failed with {kind}: {failure!r} - Retry {attempt}/{task.retries} will start {when}"
        )
        self._record_state(AwaitingRetry(message=f"Retry {attempt}/{task.retries}"))
        return delay

    def _failed_state(self, failure: BaseException | State) -> State:
        """Log the last failure; the state the run finishes in."""
        exhausted = " - Retries are exhausted" if self.task.retries else ""
        if isinstance(failure, State):
            self.logger.error(f"Task run failed with state: {failure!r}{exhausted}")
            return failure
        self.logger.error(
            f"Task run failed with exception: {failure!r}{exhausted}",
            exc_info=(type(failure), failure, failure.__traceback__),
        )
        if isinstance(failure, TaskRunTimeoutError):
            return TimedOut(
                message=f"Task run exceeded timeout of {self.task.timeout_seconds:g} second(s)",
                data=failure,
            )
        return Failed(
            message=f"Task run encountered an exception {type(failure).__name__}: {failure}",
            data=failure,
        )

    def _epilogue(self, state: State) -> Generator[tuple[Any, ...], Any, None]:
        """Record the final state, then run the completion or failure hooks."""
        task = self.task
        self.finish(state)
        if self.txn is not None:
            settle_task_transaction(self, state)
        if state.type is StateType.COMPLETED:
            if task.on_completion_hooks:
                yield (Step.HOOK, task.on_completion_hooks, state)
        elif task.on_failure_hooks and state.type is StateType.FAILED:
            yield (Step.HOOK, task.on_failure_hooks, state)

    def finish(self, state: State) -> State:
        """Record `state` as the run's final state and log it; returns it."""
        state.for_run(self.task_run)
        self._record_state(state)
        level = logging.INFO if state.type is StateType.COMPLETED else logging.ERROR
        self.logger.fast(level, f"Finished in state {state}")
        if self.task.after_final_state is not None:
            self.after_final_state(state)
        return state

    def after_final_state(self, state: State) -> None:
        """Call the task's `after_final_state` hook, if it has one (assets set one)."""
        hook = self.task.after_final_state
        if hook is not None:
            hook(self, state)

    def fail(self, message: str, error: BaseException) -> State:
        """Log `message` and finish Failed with it (the run could not execute)."""
        self.logger.error(message)
        return self.finish(Failed(message=message, data=error))

    def _crash(self, exc: BaseException) -> None:
        if self.task_run.state is not None and self.task_run.state.is_final():
            return
        self.finish(exception_to_crashed_state(exc))

    # --- caching and results (extended by headwater.caching) ----------------------
    def _cached_state(self, ctx: TaskRunContext) -> State | None:
        if not self.task.uses_results and not _flow_uses_results(ctx):
            return None
        from headwater.caching.engine import cached_state

        return cached_state(self, ctx)

    def _completed(self, ctx: TaskRunContext, value: Any) -> State:
        if not self.task.uses_results and not _flow_uses_results(ctx):
            return Completed(data=value)
        from headwater.caching.engine import completed_state

        return completed_state(self, ctx, value)


def _flow_uses_results(ctx: TaskRunContext) -> bool:
    """Whether the flow (or the persist-by-default setting) asks for persisted results;
    decided once per flow run."""
    frc = ctx.flow_run_context
    if frc is None:
        return settings.get_bool("results_persist_by_default", False)
    memo = frc.result_settings
    found = memo.get("uses_results")
    if found is None:
        flow = frc.flow
        found = memo["uses_results"] = bool(
            flow.persist_result
            or flow.result_storage is not None
            or flow.result_serializer is not None
            or settings.get_bool("results_persist_by_default", False)
        )
    return found
