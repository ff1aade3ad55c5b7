"""Ctrl-C inside a run: every context the engine set is reset, and the runs end Crashed.

Notebooks and REPLs live on after a KeyboardInterrupt, so nothing from the dead
run may leak into what the user does next.
"""

from __future__ import annotations

import builtins
import time
from typing import Any

import pytest
from headwater import flow, runtime, tags, task
from headwater.context import FlowRunContext, TaskRunContext, current_tags
from headwater.history import get_store
from headwater.logging.prints import _original_print


def _run(run_id: str, kind: str) -> dict[str, Any]:
    store = get_store()
    store.flush()
    run = store.read_task_run(run_id) if kind == "task" else store.read_flow_run(run_id)
    assert run is not None
    return run


def _assert_no_run_context() -> None:
    assert TaskRunContext.get() is None
    assert FlowRunContext.get() is None
    assert current_tags() == frozenset()
    assert runtime.task_run.id is None
    assert runtime.flow_run.id is None


def test_keyboard_interrupt_in_a_task_leaves_no_context_behind(
    capsys: pytest.CaptureFixture[str],
) -> None:
    seen: dict[str, str] = {}

    @task
    def interrupted() -> None:
        ctx = TaskRunContext.get()
        assert ctx is not None
        seen["task_run"] = ctx.task_run.id
        raise KeyboardInterrupt

    @flow(log_prints=True)
    def noisy() -> None:
        ctx = FlowRunContext.get()
        assert ctx is not None
        seen["flow_run"] = ctx.flow_run.id
        with tags("doomed"):
            interrupted()

    with pytest.raises(KeyboardInterrupt):
        noisy()

    _assert_no_run_context()
    # print is plain again: it reaches stdout instead of the dead run's logs
    print("after the interrupt")
    assert "after the interrupt" in capsys.readouterr().out

    @task
    def later() -> str | None:
        ctx = TaskRunContext.get()
        assert ctx is not None
        return ctx.task_run.flow_run_id

    assert later() is None  # a top-level task, not a task of the dead flow run
    # both interrupted runs end Crashed, with Prefect's message for an interrupt
    task_run = _run(seen["task_run"], "task")
    flow_run = _run(seen["flow_run"], "flow")
    assert task_run["state_type"] == "CRASHED"
    assert flow_run["state_type"] == "CRASHED"
    assert "interrupt signal" in (flow_run["state_message"] or "")


def test_keyboard_interrupt_in_a_task_called_alone_resets_its_context() -> None:
    @task(log_prints=True)
    def alone() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        alone()
    _assert_no_run_context()


def test_keyboard_interrupt_in_a_timed_flow_body_stops_waiting_and_resets() -> None:
    @flow(timeout_seconds=30)
    def timed() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        timed()
    _assert_no_run_context()


def test_keyboard_interrupt_in_an_async_task_resets_its_context() -> None:
    import asyncio

    @task
    async def interrupted() -> None:
        raise KeyboardInterrupt

    @flow
    async def outer() -> None:
        await interrupted()

    with pytest.raises(KeyboardInterrupt):
        asyncio.run(outer())
    _assert_no_run_context()
    assert builtins.print is not None and _original_print is not None


def test_system_exit_in_a_retried_task_is_not_retried_and_crashes() -> None:
    calls: list[float] = []

    @task(retries=3)
    def leaving() -> None:
        calls.append(time.time())
        raise SystemExit(3)

    with pytest.raises(SystemExit):
        leaving()
    assert len(calls) == 1
    _assert_no_run_context()
