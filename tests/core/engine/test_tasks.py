"""Tasks: calling, submitting, mapping, futures, dependencies, run names, hooks."""

from __future__ import annotations

import threading
import time

import pytest
from headwater import allow_failure, flow, get_run_logger, task, unmapped
from headwater.exceptions import MappingLengthMismatch, MappingMissingIterable, MissingContextError
from headwater.futures import as_completed, wait
from headwater.states import StateType

from .helpers import recorded_logs, recorded_task_runs


@task
def add(x: int, y: int) -> int:
    return x + y


@task
def fail(message: str = "boom") -> None:
    raise ValueError(message)


@task
def identity(x: object) -> object:
    return x


def test_task_outside_a_flow_runs_tracked() -> None:
    state = add(1, 2, return_state=True)
    assert state.result() == 3
    from headwater.history import get_store

    get_store().flush()
    run = get_store().read_task_run(state.state_details["task_run_id"])
    assert run is not None and run["state_name"] == "Completed" and run["flow_run_id"] is None


def test_submit_needs_a_flow() -> None:
    with pytest.raises(RuntimeError, match="outside of a flow run"):
        add.submit(1, 2)


def test_submitted_futures_are_dependencies_and_recorded() -> None:
    @flow
    def dag() -> int:
        a = add.submit(1, 2)
        b = add.submit(a, 10)
        return b.result()

    state = dag(return_state=True)
    assert state.result() == 13
    runs = {r["id"]: r for r in recorded_task_runs(state)}
    downstream = [r for r in runs.values() if r["task_inputs"]]
    assert len(downstream) == 1
    assert list(downstream[0]["task_inputs"]) == ["x"]
    assert downstream[0]["task_inputs"]["x"][0] in runs


def test_independent_submitted_tasks_overlap() -> None:
    @task
    def sleepy(i: int) -> float:
        start = time.monotonic()
        time.sleep(0.3)
        return start

    @flow
    def parallel() -> list[float]:
        return [f.result() for f in [sleepy.submit(i) for i in range(4)]]

    t0 = time.monotonic()
    starts = parallel()
    elapsed = time.monotonic() - t0
    assert max(starts) - min(starts) < 0.25  # all started before the first finished
    assert (
        elapsed < 1.2 * 2
    )  # far less than 4 x 0.3 s run one after another would need... plus slack


def test_wait_for_orders_without_passing_data() -> None:
    order: list[str] = []

    @task
    def step(name: str, delay: float = 0) -> None:
        time.sleep(delay)
        order.append(name)

    @flow
    def ordered() -> None:
        first = step.submit("first", 0.2)
        step.submit("second", wait_for=[first]).wait()

    state = ordered(return_state=True)
    assert order == ["first", "second"]
    second = [r for r in recorded_task_runs(state) if r["task_inputs"]]
    assert list(second[0]["task_inputs"]) == ["wait_for"]


def test_upstream_failure_stops_downstream_unless_allowed() -> None:
    @flow
    def chain():  # type: ignore[no-untyped-def]
        bad = fail.submit("upstream broke")
        blocked = identity.submit(bad)
        allowed = identity.submit(allow_failure(bad))
        blocked.wait()
        return (blocked.state.type, blocked.state.name, blocked.state.message), allowed.result()

    (blocked_type, blocked_name, blocked_message), allowed_value = chain()
    assert blocked_type is StateType.FAILED and blocked_name == "NotReady"
    assert "did not reach a 'COMPLETED' state" in (blocked_message or "")
    assert isinstance(allowed_value, ValueError)


def test_map_with_unmapped_and_length_checks() -> None:
    @flow
    def mapper() -> list[int]:
        return add.map([1, 2, 3], unmapped(10)).result()

    assert mapper() == [11, 12, 13]

    @flow
    def uneven() -> None:
        add.map([1, 2], [1, 2, 3])

    with pytest.raises(MappingLengthMismatch, match="x=2, y=3"):
        uneven()

    @flow
    def nothing() -> None:
        add.map(1, 2)

    with pytest.raises(MappingMissingIterable):
        nothing()


def test_map_return_state_and_future_list_helpers() -> None:
    @flow
    def states() -> list[object]:
        return add.map([1, 2], [3, 4], return_state=True)

    result = states()
    assert [s.result() for s in result] == [4, 6]


def test_wait_and_as_completed() -> None:
    @task
    def sleepy(delay: float) -> float:
        time.sleep(delay)
        return delay

    @flow
    def waits() -> tuple[list[float], int, int]:
        futures = [sleepy.submit(d) for d in (0.3, 0.05, 0.15)]
        order = [f.result() for f in as_completed(futures)]
        done = wait(futures)
        slow = sleepy.submit(2)
        partial = wait([slow], timeout=0.05)
        return order, len(done.done), len(partial.not_done)

    order, n_done, n_not_done = waits()
    assert order == [0.05, 0.15, 0.3]
    assert n_done == 3 and n_not_done == 1


def test_as_completed_times_out() -> None:
    @task
    def sleepy() -> None:
        time.sleep(1)

    @flow
    def too_slow() -> None:
        fut = sleepy.submit()
        with pytest.raises(TimeoutError, match="1 \\(of 1\\) futures unfinished"):
            list(as_completed([fut], timeout=0.05))

    too_slow()


def test_future_state_result_and_timeout() -> None:
    gate = threading.Event()

    @task
    def gated() -> str:
        gate.wait(5)
        return "open"

    @flow
    def watcher() -> None:
        fut = gated.submit()
        assert fut.state.type in (StateType.PENDING, StateType.RUNNING)
        with pytest.raises(TimeoutError):
            fut.result(timeout=0.05)
        gate.set()
        assert fut.result() == "open"
        assert fut.state.is_completed()

    watcher()


def test_failed_future_result_raises_or_returns_exception() -> None:
    @flow
    def inspect_failure() -> None:
        fut = fail.submit("nope")
        with pytest.raises(ValueError, match="nope"):
            fut.result()
        assert isinstance(fut.result(raise_on_failure=False), ValueError)

    inspect_failure()


def test_task_run_names() -> None:
    @task(task_run_name="add-{x}-{y}")
    def named(x: int, y: int) -> int:
        return x + y

    @task(task_run_name=lambda parameters: f"calc-{parameters['x']}")
    def named2(x: int) -> int:
        return x

    @flow
    def names() -> None:
        named(1, 2)
        first = add.submit(1, 1)
        named.submit(first, 5).wait()
        named2(7)

    state = names(return_state=True)
    got = sorted(r["name"] for r in recorded_task_runs(state))
    assert "add-1-2" in got and "add-2-5" in got and "calc-7" in got
    default = [n for n in got if n.startswith("add-") and n not in ("add-1-2", "add-2-5")]
    assert len(default) == 1 and len(default[0]) == len("add-") + 3


def test_task_hooks_run_on_completion_and_failure() -> None:
    seen: list[tuple[str, str]] = []

    def on_done(tsk, task_run, state) -> None:  # type: ignore[no-untyped-def]
        seen.append(("done", state.name))

    def on_fail(tsk, task_run, state) -> None:  # type: ignore[no-untyped-def]
        seen.append(("fail", state.name))

    async def on_running(tsk, task_run, state) -> None:  # type: ignore[no-untyped-def]
        seen.append(("running", task_run.name.split("-")[0]))

    ok = task(on_completion=[on_done], on_running=[on_running])(lambda: 1)
    bad = task(on_failure=[on_fail])(lambda: 1 / 0)
    ok()
    bad(return_state=True)
    assert seen == [("running", "<lambda>"), ("done", "Completed"), ("fail", "Failed")]


def test_hook_errors_are_logged_not_raised() -> None:
    def broken_hook(tsk, task_run, state) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("hook bug")

    @flow
    def hooked() -> int:
        return task(on_completion=[broken_hook])(lambda: 5)()

    state = hooked(return_state=True)
    assert state.result() == 5
    assert any(
        "An error was encountered while running hook 'broken_hook'" in m
        for m in recorded_logs(state)
    )


def test_hooks_must_be_a_list() -> None:
    with pytest.raises(TypeError, match="list of callables for 'on_completion'"):
        task(on_completion=print)(lambda: None)  # type: ignore[arg-type]


def test_flow_hooks() -> None:
    seen: list[str] = []

    @flow(
        on_completion=[lambda f, r, s: seen.append("completed")],
        on_failure=[lambda f, r, s: seen.append("failed")],
    )
    def hooked(ok: bool) -> None:
        if not ok:
            raise RuntimeError("no")

    hooked(True)
    hooked(False, return_state=True)
    assert seen == ["completed", "failed"]


def test_run_logger_and_log_prints() -> None:
    @task(log_prints=True)
    def chatty() -> None:
        get_run_logger().warning("from the task logger")
        print("printed", 42)

    @flow
    def talk() -> None:
        get_run_logger().info("from the flow logger")
        chatty()

    state = talk(return_state=True)
    messages = recorded_logs(state)
    assert "from the flow logger" in messages
    assert "from the task logger" in messages
    assert "printed 42" in messages


def test_log_prints_is_inherited_from_the_flow(capsys: pytest.CaptureFixture[str]) -> None:
    @task
    def quiet() -> None:
        print("inside task")

    @flow(log_prints=True)
    def loud() -> None:
        print("inside flow")
        quiet()

    state = loud(return_state=True)
    assert {"inside flow", "inside task"} <= set(recorded_logs(state))
    assert "inside task" not in capsys.readouterr().out


def test_prints_outside_log_prints_go_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    @flow
    def plain() -> None:
        print("to stdout")

    state = plain(return_state=True)
    assert "to stdout" in capsys.readouterr().out
    assert "to stdout" not in recorded_logs(state)


def test_get_run_logger_outside_a_run() -> None:
    with pytest.raises(MissingContextError):
        get_run_logger()


def test_console_lines_look_like_prefect(capfd: pytest.CaptureFixture[str]) -> None:
    import logging
    import re

    from headwater.logging.handlers import configure_logging, console_handlers

    configure_logging()
    import sys

    for handler in console_handlers():
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(sys.stderr)

    @flow
    def analysis() -> int:
        return add(1, 2)

    analysis()
    err = capfd.readouterr().err
    assert re.search(
        r"^\d\d:\d\d:\d\d\.\d{3} \| INFO    \| Flow run '[a-z]+-[a-z]+' - Beginning flow run '[a-z]+-[a-z]+' for flow 'analysis'$",
        err,
        re.M,
    ), err
    assert re.search(
        r"\| INFO    \| Task run 'add-[0-9a-f]{3}' - Finished in state Completed\(\)$", err, re.M
    )
    assert re.search(
        r"\| INFO    \| Flow run '[a-z]+-[a-z]+' - Finished in state Completed\(\)$", err, re.M
    )


def test_with_options_on_tasks() -> None:
    base = task(retries=1)(lambda: 1)
    copy = base.with_options(name="other", retries=3, tags=["t"])
    assert (copy.name, copy.retries, copy.tags) == ("other", 3, frozenset({"t"}))
    assert base.retries == 1


def test_tasks_on_methods() -> None:
    class Calculator:
        def __init__(self, offset: int) -> None:
            self.offset = offset

        @task
        def shift(self, x: int) -> int:
            return x + self.offset

    assert Calculator(10).shift(1) == 11


def test_var_args_and_kwargs_round_trip() -> None:
    @task
    def collect(first: int, *rest: int, scale: int = 1, **extra: int) -> tuple[object, ...]:
        return first, rest, scale, extra

    @flow
    def use() -> tuple[object, ...]:
        return collect(1, 2, 3, scale=2, z=9)

    assert use() == (1, (2, 3), 2, {"z": 9})


def test_tasks_that_submit_and_wait_on_tasks_do_not_deadlock_the_default_pool() -> None:
    @task
    def inner(x: int) -> int:
        return x * 2

    @task
    def outer(x: int) -> int:
        return inner.submit(x).result() + 1

    @flow
    def nested(n: int) -> int:
        # more waiting outer tasks than the pool has core threads
        return sum(f.result() for f in [outer.submit(i) for i in range(40)])

    assert nested(40) == sum(2 * i + 1 for i in range(40))


def test_decorator_style_hooks() -> None:
    seen: list[str] = []

    @flow
    def fails() -> None:
        raise ValueError("no")

    @fails.on_failure
    def note_failure(flow_, flow_run, state) -> None:  # type: ignore[no-untyped-def]
        seen.append(f"flow {state.name}")

    @task
    def works() -> int:
        return 1

    @works.on_completion
    def note_done(task_, task_run, state) -> None:  # type: ignore[no-untyped-def]
        seen.append(f"task {state.name}")

    fails(return_state=True)
    works()
    assert seen == ["flow Failed", "task Completed"]
