"""Flows whose function is a generator: calling one returns a generator of its values.

As Prefect's `run_generator_flow_sync` / `run_generator_flow_async`
(prefect/flow_engine.py): the run starts on the first `next()`, each value the
function yields is handed on, and the run Completes when the function ends
(the call's final value is what it returned) or when the caller stops early
(`close()`, `break`). An exception inside ends the run Failed and reaches the
caller. `return_state=True` is refused, as in Prefect. Unlike Prefect, the
flow run's context is set only while the function runs, not while the caller
works between two values, so the caller's own task calls are not recorded
under the flow run. Generator flows are not retried and have no timeout.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import TYPE_CHECKING, Any

from headwater.context import FlowRunContext, _flow_run
from headwater.engine.hooks import run_hooks
from headwater.states import Completed, Failed, Running, State

if TYPE_CHECKING:
    from headwater.engine.flow_call import FlowCall


def refuse_return_state(call: FlowCall) -> None:
    """Generator flows have no state to return before they are iterated; the run
    already recorded ends Failed with the error raised."""
    error = ValueError(
        f"Flow {call.flow.name!r} is a generator: return_state=True is not supported. "
        "Iterate over the call for its values instead."
    )
    call._finish(Failed(message=str(error), data=error))
    raise error


def _start(call: FlowCall, runner: Any) -> tuple[FlowRunContext, Any]:
    flow = call.flow
    ctx = call._context(runner)
    running = Running()
    call._set_state(running)
    if flow.on_running_hooks:
        run_hooks(flow.on_running_hooks, flow, call.flow_run, running, call.logger)
    args, kwargs = flow.shape.unbind(call.parameters)
    return ctx, flow.fn(*args, **kwargs)


def iterate_flow(call: FlowCall) -> Generator[Any, None, Any]:
    """Drive a sync generator flow, one value at a time."""
    if call.invalid is not None:
        return call._fail_validation(call.invalid).result()
    call._begin()
    state: State | None = None
    body: Any = None
    try:
        with call.flow.task_runner.duplicate() as runner:
            ctx, body = _start(call, runner)
            while True:
                token = _flow_run.set(ctx)
                try:
                    value = next(body)
                except StopIteration as stop:
                    outcome: tuple[bool, Any] = (True, stop.value)
                    break
                except Exception as exc:
                    outcome = (False, exc)
                    break
                finally:
                    _flow_run.reset(token)
                yield value
            state = call._finish(call._state_from_outcome(ctx, *outcome))
    except GeneratorExit:  # the caller stopped early: the run completes, as in Prefect
        body.close()
        call._finish(Completed())
        raise
    except BaseException as exc:
        call._crash(exc)
        raise
    return state.result()


async def aiterate_flow(call: FlowCall) -> AsyncGenerator[Any, None]:
    """Drive an async generator flow, one value at a time."""
    if call.invalid is not None:
        call._fail_validation(call.invalid).result()
    call._begin()
    body: Any = None
    try:
        with call.flow.task_runner.duplicate() as runner:
            ctx, body = _start(call, runner)
            while True:
                token = _flow_run.set(ctx)
                try:
                    value = await body.__anext__()
                except StopAsyncIteration:
                    outcome: tuple[bool, Any] = (True, None)
                    break
                except Exception as exc:
                    outcome = (False, exc)
                    break
                finally:
                    _flow_run.reset(token)
                yield value
            state = call._finish(call._state_from_outcome(ctx, *outcome))
    except GeneratorExit:
        await body.aclose()
        call._finish(Completed())
        raise
    except BaseException as exc:
        call._crash(exc)
        raise
    state.result()  # raises the flow's error, if it failed
