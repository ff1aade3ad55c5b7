"""One task run, from Pending to a final state: the single code path every runner uses.

`TaskCall.create()` records the run as Pending (cheap: records are queued for
the store's writer). `run()` / `arun()` drive the run's lifecycle, written
once as a generator (`_lifecycle`) that yields what it needs done: call the
body, sleep before a retry, run a hook. The sync and async drivers perform
those steps their own way, so retries, timeouts, states, logs and hooks behave
identically for sync and async tasks. Task runners only decide where
`run()` executes; remote ones ship `to_remote()` to a worker (engine/remote.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING, Any

from headwater import settings
from headwater.context import TaskRunContext, _flow_run, _task_run, current_tags
from headwater.engine.hooks import run_hooks
from headwater.engine.ids import new_run_id
from headwater.engine.inputs import (
    resolve_parameters,
    scan_inputs,
    wait_for_upstream,
)
from headwater.engine.retries import retry_delay_for, should_retry
from headwater.engine.return_values import state_from_return_value, states_returned
from headwater.engine.run_logs import task_run_logger
from headwater.engine.run_names import generate_task_run_suffix, task_run_name_for
from headwater.engine.timeouts import await_with_timeout, call_with_timeout
from headwater.exceptions import TaskRunTimeoutError, UpstreamTaskError
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
from headwater.store.records import StateChange, TaskRun

if TYPE_CHECKING:
    from headwater.context import FlowRunContext
    from headwater.store.base import RunRecorder
    from headwater.tasks import Task

_CALL, _SLEEP, _HOOK = 0, 1, 2
_INFO, _ERROR = 20, 40


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
        "task",
        "task_run",
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
    ) -> None:
        self.task = task
        self.task_run = task_run
        self.parameters = parameters
        self.wait_for = wait_for
        self.recorder = recorder
        self.log_prints = log_prints
        self.flow_ctx = flow_ctx
        self._logger: Any = None
        self._recorded = False
        #: what the body returned when that was State(s), which decide the run's state
        self.returned: Any = UNSET
        #: the parameters hold futures, States or annotations to resolve before the call
        self.needs_resolving = False

    @classmethod
    def create(
        cls,
        task: Task[Any, Any],
        parameters: dict[str, Any],
        wait_for: Iterable[Any] | None = None,
        dependencies: dict[str, set[Any]] | None = None,
    ) -> TaskCall:
        """A new task run for `task`, recorded as Pending (unless its name needs inputs)."""
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
                from headwater.store import get_store

                recorder = get_store()
                flow_run_id = None
                inherited_prints = settings.get_bool("logging_log_prints", False)
            dynamic_key = "0"
        wait_for = list(wait_for) if wait_for else None
        inputs, resolving = (
            scan_inputs(parameters, wait_for) if (wait_for or parameters) else ({}, False)
        )
        tags = task.tags | current_tags()
        task_run = TaskRun(
            new_run_id(),
            "",
            task.task_key,
            flow_run_id,
            dynamic_key,
            inputs,
            tuple(sorted(tags)) if tags else (),
            time.time(),
        )
        log_prints = task.log_prints if task.log_prints is not None else inherited_prints
        call = cls(task, task_run, parameters, wait_for, recorder, log_prints, flow_ctx)
        call.needs_resolving = resolving
        if task.task_run_name is None:
            task_run.name = f"{task.name}-{generate_task_run_suffix()}"
            call._record_pending()
        elif not resolving:
            task_run.name = task_run_name_for(task, parameters)
            call._record_pending()
        return call

    # --- recording ----------------------------------------------------------------
    def _record_pending(self) -> None:
        self.task_run.state = Pending()
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
            action = next(gen)
            while True:
                kind = action[0]
                if kind == _CALL:
                    reply = self._invoke_sync(action[1], action[2])
                elif kind == _SLEEP:
                    time.sleep(action[1])
                    reply = None
                else:
                    run_hooks(action[1], self.task, self.task_run, action[2], self.logger)
                    reply = None
                action = gen.send(reply)
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
            action = next(gen)
            while True:
                kind = action[0]
                if kind == _CALL:
                    reply = await self._invoke_async(action[1], action[2])
                elif kind == _SLEEP:
                    await asyncio.sleep(action[1])
                    reply = None
                else:
                    run_hooks(action[1], self.task, self.task_run, action[2], self.logger)
                    reply = None
                action = gen.send(reply)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        except asyncio.CancelledError:
            self._finish(Cancelled(message=f"Task run {self.task_run.name!r} was cancelled"))
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

    def _invoke_sync(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[bool, Any]:
        task = self.task
        try:
            if task.isasync:
                return True, asyncio.run(self._await_body(args, kwargs))
            if task.timeout_seconds is not None:
                return True, call_with_timeout(
                    task.fn, args, kwargs, task.timeout_seconds, self._timeout_error
                )
            return True, task.fn(*args, **kwargs)
        except Exception as exc:
            return False, exc

    async def _invoke_async(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[bool, Any]:
        try:
            return True, await self._await_body(args, kwargs)
        except Exception as exc:
            return False, exc

    async def _await_body(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        task = self.task
        if not task.isasync:  # sync body under the async driver
            return self._invoke_sync_body(args, kwargs)
        coro = task.fn(*args, **kwargs)
        if task.timeout_seconds is not None:
            return await await_with_timeout(coro, task.timeout_seconds, self._timeout_error)  # type: ignore[arg-type]
        return await coro  # type: ignore[misc]

    def _invoke_sync_body(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        ok, value = self._invoke_sync(args, kwargs)
        if ok:
            return value
        raise value

    def _timeout_error(self) -> TaskRunTimeoutError:
        return TaskRunTimeoutError(
            f"Task run {self.task_run.name!r} exceeded timeout of {self.task.timeout_seconds:g} second(s)"
        )

    # --- the lifecycle -------------------------------------------------------------
    def _lifecycle(self) -> Generator[tuple[Any, ...], Any, State]:
        task = self.task
        task_run = self.task_run
        try:
            if self.wait_for:
                wait_for_upstream(self.wait_for)
            params = (
                resolve_parameters(self.parameters) if self.needs_resolving else self.parameters
            )
        except UpstreamTaskError as exc:
            if not self._recorded:
                task_run.name = task_run.name or f"{task.name}-{generate_task_run_suffix()}"
                self._record_pending()
            state = Failed(name="NotReady", message=str(exc), data=exc)
            self._finish(state)
            return state
        if not self._recorded:
            task_run.name = task_run_name_for(task, params)
            self._record_pending()

        ctx = TaskRunContext(task, task_run, params, self.recorder, self.log_prints, self.flow_ctx)
        token = _task_run.set(ctx)
        if self.log_prints:
            from headwater.logging.prints import install_print_capture

            install_print_capture()
        try:
            cached = self._cached_state(ctx)
            if cached is not None:
                self._finish(cached)
                return cached
            args, kwargs = task.shape.unbind(params)
            attempt = 0
            while True:
                attempt += 1
                task_run.run_count = attempt
                running = Running() if attempt == 1 else Retrying()
                self._record_state(running)
                if task.on_running_hooks:
                    yield (_HOOK, task.on_running_hooks, running)
                ok, value = yield (_CALL, args, kwargs)
                if ok and not states_returned(value):
                    state = self._completed(ctx, value)
                    break
                if ok:  # the body returned State(s): they decide (Prefect's rule)
                    self.returned = value
                    state = state_from_return_value(value)
                    if state.type is not StateType.FAILED:
                        break
                failure: BaseException | State = state if ok else value
                kind = "state" if ok else "exception"
                if attempt <= task.retries and should_retry(task, task_run, failure, self.logger):
                    self.returned = UNSET
                    delay = retry_delay_for(task, attempt)
                    when = f"in {delay:g} second(s)" if delay else "immediately"
                    self.logger.info(
                        f"Task run failed with {kind}: {failure!r} - Retry {attempt}/{task.retries} will start {when}"
                    )
                    self._record_state(AwaitingRetry(message=f"Retry {attempt}/{task.retries}"))
                    if delay:
                        yield (_SLEEP, delay)
                    continue
                exhausted = " - Retries are exhausted" if task.retries else ""
                if isinstance(failure, State):
                    self.logger.error(f"Task run failed with state: {failure!r}{exhausted}")
                    break
                self.logger.error(
                    f"Task run failed with exception: {failure!r}{exhausted}",
                    exc_info=(type(failure), failure, failure.__traceback__),
                )
                state = self._exception_state(failure)
                break
            self._finish(state)
            if state.type is StateType.COMPLETED:
                if task.on_completion_hooks:
                    yield (_HOOK, task.on_completion_hooks, state)
            elif task.on_failure_hooks and state.type is StateType.FAILED:
                yield (_HOOK, task.on_failure_hooks, state)
            return state
        finally:
            _task_run.reset(token)

    def _finish(self, state: State) -> None:
        state.state_details["task_run_id"] = self.task_run.id
        state.state_details["flow_run_id"] = self.task_run.flow_run_id
        self._record_state(state)
        self.logger.fast(
            _INFO if state.type is StateType.COMPLETED else _ERROR, f"Finished in state {state}"
        )

    def _crash(self, exc: BaseException) -> None:
        if self.task_run.state is not None and self.task_run.state.is_final():
            return
        self._finish(exception_to_crashed_state(exc))

    def _exception_state(self, error: BaseException) -> State:
        if isinstance(error, TaskRunTimeoutError):
            return TimedOut(
                message=f"Task run exceeded timeout of {self.task.timeout_seconds:g} second(s)",
                data=error,
            )
        return Failed(
            message=f"Task run encountered an exception {type(error).__name__}: {error}",
            data=error,
        )

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
    return found  # type: ignore[no-any-return]
