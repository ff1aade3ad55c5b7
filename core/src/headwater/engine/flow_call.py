"""One flow run: parameters, states, the task runner's lifetime, the final state rule.

The flow's final state follows what its function did (Prefect 3 rule): an
uncaught exception fails it; what it returned decides the rest
(engine/return_values.py). Tasks that failed without being returned or raised
do not fail the flow.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from headwater import settings
from headwater.context import FlowRunContext, _flow_run, _task_run, current_tags
from headwater.engine.hooks import run_hooks
from headwater.engine.return_values import flow_state_from_return_value
from headwater.engine.run_names import generate_run_name, generate_task_run_suffix
from headwater.engine.run_urls import flow_run_url
from headwater.engine.steps import Step
from headwater.engine.timeouts import await_with_timeout, call_with_timeout
from headwater.exceptions import FlowRunTimeoutError
from headwater.history.ids import new_run_id
from headwater.history.records import FlowRun, StateChange, TaskRun
from headwater.logging.console import flush_console
from headwater.logging.run_loggers import flow_run_logger
from headwater.states import (
    AwaitingRetry,
    Cancelled,
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
    from headwater.flows import Flow
    from headwater.history.base import RunRecorder


class FlowCall:
    """A flow run and what is needed to execute it."""

    __slots__ = (
        "flow",
        "flow_run",
        "invalid",
        "logger",
        "parameters",
        "parent",
        "parent_task_run",
        "recorder",
    )

    def __init__(
        self,
        flow: Flow[Any, Any],
        flow_run: FlowRun,
        parameters: dict[str, Any],
        recorder: RunRecorder,
        parent: FlowRunContext | None,
        parent_task_run: TaskRun | None,
    ) -> None:
        self.flow = flow
        self.flow_run = flow_run
        self.parameters = parameters
        self.recorder = recorder
        self.parent = parent
        self.parent_task_run = parent_task_run
        self.logger = flow_run_logger(flow_run, recorder)
        #: why the parameters failed validation; the run then ends Failed without running
        self.invalid: Exception | None = None

    @classmethod
    def create(
        cls, flow: Flow[Any, Any], parameters: dict[str, Any], wait_for: Any = None
    ) -> FlowCall:
        invalid = None
        if flow.should_validate_parameters:
            try:
                parameters = flow.validate_parameters(parameters)
            except Exception as exc:  # the run is recorded and ends Failed, as in Prefect
                invalid = exc
        parent = _flow_run.get()
        if parent is not None:
            recorder = parent.recorder
        else:
            task_ctx = _task_run.get()
            if task_ctx is not None:
                recorder = task_ctx.recorder
            else:
                from headwater.history import get_store

                recorder = get_store()
        now = time.time()
        flow_run = FlowRun(
            new_run_id(),
            _flow_run_name(flow, parameters),
            flow.name,
            flow.version,
            parameters,
            tuple(sorted(current_tags())),
            None,
            None,
            now,
        )
        parent_task_run = None
        if parent is not None:
            # the subflow appears in its parent as a task run, as in Prefect
            parent_task_run = TaskRun(
                new_run_id(),
                f"{flow.name}-{generate_task_run_suffix()}",
                f"subflow:{flow.name}",
                parent.flow_run.id,
                parent.next_dynamic_key(f"subflow:{flow.name}"),
                {},
                flow_run.tags,
                now,
            )
            flow_run.parent_task_run_id = parent_task_run.id
            flow_run.root_flow_run_id = parent.flow_run.root_flow_run_id or parent.flow_run.id
            recorder.record_task_run(parent_task_run)
        call = cls(flow, flow_run, parameters, recorder, parent, parent_task_run)
        call.invalid = invalid
        recorder.record_flow_run(flow_run)
        call._set_state(Pending())
        return call

    def _set_state(self, state: State) -> None:
        state.state_details["flow_run_id"] = self.flow_run.id
        self.flow_run.state = state
        rec = self.recorder
        rec.record_state(
            StateChange(
                self.flow_run.id,
                "flow",
                state.type.value,
                state.name,
                state.message,
                state.timestamp,
            )
        )
        if self.parent_task_run is not None:
            self.parent_task_run.state = state
            rec.record_state(
                StateChange(
                    self.parent_task_run.id,
                    "task",
                    state.type.value,
                    state.name,
                    state.message,
                    state.timestamp,
                )
            )

    # --- running ----------------------------------------------------------------------
    def run_and_return(self, return_state: bool) -> Any:
        fn = self.flow.fn
        if inspect.isgeneratorfunction(fn) or inspect.isasyncgenfunction(fn):
            from headwater.engine import generator_flows

            if return_state:
                generator_flows.refuse_return_state(self)
            if inspect.isasyncgenfunction(fn):
                return generator_flows.aiterate_flow(self)
            return generator_flows.iterate_flow(self)
        state = self.run()
        return state if return_state else state.result()

    async def arun_and_return(self, return_state: bool) -> Any:
        state = await self.arun()
        return state if return_state else state.result()

    def run(self) -> State:
        if self.invalid is not None:
            return self._fail_validation(self.invalid)
        return self._drive(self._call_sync)

    async def arun(self) -> State:
        """Async flows: the body is awaited on the caller's loop, the rest is as for sync."""
        if self.invalid is not None:
            return self._fail_validation(self.invalid)
        return await self._adrive()

    def _fail_validation(self, exc: Exception) -> State:
        message = f"Validation of flow parameters failed with error: {exc}"
        self.logger.error(message)
        return self._finish(Failed(message=message, data=exc))

    def _context(self, runner: Any) -> FlowRunContext:
        flow = self.flow
        if flow.log_prints is not None:
            log_prints = flow.log_prints
        elif self.parent is not None:
            log_prints = self.parent.log_prints
        else:
            log_prints = settings.get_bool("logging_log_prints", False)
        if log_prints:
            from headwater.logging.prints import install_print_capture

            install_print_capture()
        return FlowRunContext(
            flow, self.flow_run, self.parameters, runner, self.recorder, log_prints
        )

    def _begin(self) -> None:
        self.logger.info(f"Beginning flow run {self.flow_run.name!r} for flow {self.flow.name!r}")
        url = flow_run_url(self.flow_run.id)
        if url is not None:  # shown, not recorded (Prefect: send_to_api=False)
            self.logger.info(f"View at {url}", extra={"recorder": None})

    def _drive(self, call_body: Any) -> State:
        """The sync driver of `_attempts`: the body runs in this thread."""
        self._begin()
        try:
            with self.flow.task_runner.duplicate() as runner:
                ctx = self._context(runner)
                token = _flow_run.set(ctx)
                try:
                    steps = self._attempts(ctx)
                    step = next(steps)
                    while True:
                        if step[0] is Step.CALL:
                            step = steps.send(call_body(ctx))
                        else:
                            time.sleep(step[1])
                            step = steps.send(None)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
                finally:
                    _flow_run.reset(token)
        except BaseException as exc:
            self._crash(exc)
            raise

    async def _adrive(self) -> State:
        """The async driver of `_attempts`: the body is awaited on the caller's loop."""
        self._begin()
        try:
            with self.flow.task_runner.duplicate() as runner:
                ctx = self._context(runner)
                token = _flow_run.set(ctx)
                try:
                    steps = self._attempts(ctx)
                    step = next(steps)
                    while True:
                        if step[0] is Step.CALL:
                            step = steps.send(await self._call_async(ctx))
                        else:
                            await asyncio.sleep(step[1])
                            step = steps.send(None)
                except StopIteration as stop:
                    return stop.value  # type: ignore[no-any-return]
                finally:
                    _flow_run.reset(token)
        except asyncio.CancelledError:
            self._finish(Cancelled(message="Flow run was cancelled"))
            raise
        except BaseException as exc:
            self._crash(exc)
            raise

    def _crash(self, exc: BaseException) -> None:
        state = self.flow_run.state
        if state is not None and state.is_final():
            return  # the body had finished; a late interrupt does not undo its state
        self._finish(exception_to_crashed_state(exc))

    def _attempts(self, ctx: FlowRunContext) -> Generator[tuple[Any, ...], Any, State]:
        """Attempts and retries, written once: yields (Step.CALL,) for the body's outcome
        and (Step.SLEEP, seconds) before a retry; returns the final state."""
        flow = self.flow
        attempt = 0
        while True:
            attempt += 1
            self.flow_run.run_count = attempt
            running = Running() if attempt == 1 else Retrying()
            self._set_state(running)
            if flow.on_running_hooks:
                run_hooks(flow.on_running_hooks, flow, self.flow_run, running, self.logger)
            ok, value = yield (Step.CALL,)
            state = self._state_from_outcome(ctx, ok, value)
            if state.type is StateType.FAILED and attempt <= flow.retries:
                delay = flow.retry_delay_seconds
                when = f"in {delay:g} second(s)" if delay else "immediately"
                self.logger.info(
                    f"Received non-final state {state.name!r}; retry {attempt}/{flow.retries} will start {when}"
                )
                self._set_state(AwaitingRetry())
                if delay:
                    yield (Step.SLEEP, delay)
                continue
            return self._finish(state)

    def _call_sync(self, ctx: FlowRunContext) -> tuple[bool, Any]:
        flow = self.flow
        args, kwargs = flow.shape.unbind(self.parameters)
        try:
            if flow.timeout_seconds is not None:
                return True, call_with_timeout(
                    flow.fn, args, kwargs, flow.timeout_seconds, self._timeout_error
                )
            return True, flow.fn(*args, **kwargs)
        except Exception as exc:
            return False, exc

    async def _call_async(self, ctx: FlowRunContext) -> tuple[bool, Any]:
        flow = self.flow
        args, kwargs = flow.shape.unbind(self.parameters)
        try:
            coro = flow.fn(*args, **kwargs)
            if flow.timeout_seconds is not None:
                return True, await await_with_timeout(
                    coro, flow.timeout_seconds, self._timeout_error
                )
            return True, await coro
        except Exception as exc:
            return False, exc

    def _timeout_error(self) -> FlowRunTimeoutError:
        return FlowRunTimeoutError(
            f"Flow run {self.flow_run.name!r} exceeded timeout of {self.flow.timeout_seconds:g} second(s)"
        )

    def _state_from_outcome(self, ctx: FlowRunContext, ok: bool, value: Any) -> State:
        if not ok:
            exc = value
            if isinstance(exc, FlowRunTimeoutError):
                self.logger.error(f"{exc}; not waiting for its unfinished task runs")
                cancel_all = getattr(ctx.task_runner, "cancel_all", None)
                if cancel_all is not None:
                    cancel_all()
                return TimedOut(
                    message=f"Flow run exceeded timeout of {self.flow.timeout_seconds:g} second(s)",
                    data=exc,
                )
            self.logger.error(
                f"Encountered exception during execution: {exc!r}",
                exc_info=(type(exc), exc, exc.__traceback__),
            )
            self._wait_for_pending(ctx)
            return Failed(
                message=f"Flow run encountered an exception: {type(exc).__name__}: {exc}", data=exc
            )
        self._wait_for_pending(ctx)
        state = flow_state_from_return_value(value)
        if state.type is StateType.COMPLETED:
            from headwater.persistence.flow_results import persist_flow_result, should_persist

            if should_persist(self.flow):
                state = persist_flow_result(self.flow, self.flow_run, state, self.logger)
        return state

    def _wait_for_pending(self, ctx: FlowRunContext) -> None:
        ctx.pending_runs.wait()

    def _finish(self, state: State) -> State:
        self._set_state(state)
        flow = self.flow
        if state.type is StateType.COMPLETED:
            self.logger.info(f"Finished in state {state}")
            hooks = flow.on_completion_hooks
        else:
            self.logger.error(f"Finished in state {state}")
            hooks = {
                StateType.FAILED: flow.on_failure_hooks,
                StateType.CRASHED: flow.on_crashed_hooks,
                StateType.CANCELLED: flow.on_cancellation_hooks,
            }.get(state.type, [])
        if hooks:
            run_hooks(hooks, flow, self.flow_run, state, self.logger)
        flush_console()
        return state


def _flow_run_name(flow: Flow[Any, Any], parameters: dict[str, Any]) -> str:
    template = flow.flow_run_name
    if template is None:
        return generate_run_name()
    if callable(template):
        name = template()
        if not isinstance(name, str):
            raise TypeError(
                f"flow_run_name callable for flow {flow.name!r} must return a string, got {type(name).__name__}"
            )
        return name
    try:
        return template.format(**parameters)
    except KeyError as exc:
        raise ValueError(
            f"flow_run_name {template!r} of flow {flow.name!r} refers to {exc}, which is not one of its parameters: {list(parameters)}"
        ) from None
