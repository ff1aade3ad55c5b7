"""TaskRunnerConformance: the behaviour every task runner must show.

Subclass it in a test module and provide a `task_runner` fixture returning an
*unstarted* runner; every test drives it through the public, Prefect-style API
(`@flow(task_runner=...)`, `.submit()`, `.map()`, futures), so a runner passes
only if users would see the same results, states and logs as with core's.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from headwater import allow_failure, flow, unmapped
from headwater.futures import as_completed, wait
from headwater.states import State, StateType
from headwater.task_runners.base import TaskRunner
from headwater.testing.conformance import _tasks as t


class TaskRunnerConformance:
    """Abstract suite; pytest collects it only through a `Test*` subclass."""

    @pytest.fixture
    def task_runner(self) -> TaskRunner[Any]:
        raise NotImplementedError("provide a `task_runner` fixture returning an unstarted runner")

    @pytest.fixture(autouse=True)
    def _isolated_home(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
        from headwater.testing.pytest_plugin import use_headwater_home

        yield from use_headwater_home(tmp_path / "conformance-home", monkeypatch)

    def run(self, runner: TaskRunner[Any], body: Any, **flow_kwargs: Any) -> Any:
        """Run `body()` as a flow on `runner` and return its result."""
        return flow(task_runner=runner, **flow_kwargs)(body)()

    def run_recorded(self, runner: TaskRunner[Any], body: Any) -> tuple[State, str, Any]:
        """Run `body()` as a flow; return its final state, run id and the flushed store."""
        from headwater.history import get_store

        name = f"conformance-{uuid.uuid4().hex[:12]}"
        state = flow(task_runner=runner, name=name)(body)(return_state=True)
        store = get_store()
        store.flush()
        run_id = state.state_details.get("flow_run_id")
        if run_id is None:  # engine gap: fall back to finding the run by its unique name
            run_id = store.read_flow_runs(flow_name=name, limit=1)[0]["id"]
        return state, run_id, store

    # --- lifecycle ------------------------------------------------------------
    def test_is_a_task_runner_with_a_short_name(self, task_runner: TaskRunner[Any]) -> None:
        assert isinstance(task_runner, TaskRunner)
        assert type(task_runner).short_name

    def test_duplicate_returns_an_unstarted_copy(self, task_runner: TaskRunner[Any]) -> None:
        with task_runner:
            copy = task_runner.duplicate()
        assert type(copy) is type(task_runner)
        assert copy is not task_runner
        with pytest.raises(RuntimeError):
            copy.submit(t.add, {"x": 1, "y": 2})

    def test_submit_before_start_raises(self, task_runner: TaskRunner[Any]) -> None:
        with pytest.raises(RuntimeError, match="must be started"):
            task_runner.submit(t.add, {"x": 1, "y": 2})

    def test_starting_twice_raises(self, task_runner: TaskRunner[Any]) -> None:
        with task_runner, pytest.raises(RuntimeError):
            task_runner.__enter__()

    # --- submit and futures ---------------------------------------------------
    def test_submit_returns_a_future_with_the_result(self, task_runner: TaskRunner[Any]) -> None:
        def body() -> tuple[int, bool]:
            future = t.add.submit(1, 2)
            future.wait()
            return future.result(), future.state.is_completed()

        assert self.run(task_runner, body) == (3, True)

    def test_submit_with_return_state(self, task_runner: TaskRunner[Any]) -> None:
        def body() -> tuple[Any, int]:
            state = t.add.submit(2, 3, return_state=True)
            assert isinstance(state, State)
            return state.type, state.result()

        assert self.run(task_runner, body) == (StateType.COMPLETED, 5)

    def test_futures_as_arguments_become_dependencies(self, task_runner: TaskRunner[Any]) -> None:
        def body() -> tuple[int, int]:
            a = t.add.submit(1, 2)
            # a future stands in for its value; Task[P, R] types the value (as Prefect's)
            b = t.double.submit(a)  # type: ignore[call-overload]
            both = t.total.submit([a, b, t.add.submit(a, b)])  # type: ignore[call-overload, list-item]
            return b.result(), both.result()

        assert self.run(task_runner, body) == (6, 18)

    def test_wait_for_orders_runs(self, task_runner: TaskRunner[Any], tmp_path: Path) -> None:
        path = str(tmp_path / "order.txt")

        def body() -> None:
            first = t.append_line.submit(path, "first", delay=0.3)
            second = t.append_line.submit(path, "second", wait_for=[first])
            second.wait()

        self.run(task_runner, body)
        assert Path(path).read_text().split() == ["first", "second"]

    def test_result_timeout(self, task_runner: TaskRunner[Any]) -> None:
        def body() -> Any:
            future = t.slow_value.submit("late", 1.0)
            with pytest.raises(TimeoutError):
                future.result(timeout=0.05)
            return future.result()

        assert self.run(task_runner, body) == "late"

    def test_wait_and_as_completed(self, task_runner: TaskRunner[Any]) -> None:
        def body() -> tuple[int, int, list[str]]:
            futures = [t.slow_value.submit(v, d) for v, d in [("slow", 0.6), ("fast", 0.0)]]
            done, not_done = wait(futures)
            order = [f.result() for f in as_completed(futures)]
            return len(done), len(not_done), sorted(order)

        assert self.run(task_runner, body) == (2, 0, ["fast", "slow"])

    def test_as_completed_yields_in_completion_order(self, task_runner: TaskRunner[Any]) -> None:
        def body() -> list[str]:
            futures = [t.slow_value.submit(v, d) for v, d in [("slow", 1.5), ("fast", 0.0)]]
            return [f.result() for f in as_completed(futures)]

        assert self.run(task_runner, body) == ["fast", "slow"]

    # --- map --------------------------------------------------------------------
    def test_map_with_unmapped(self, task_runner: TaskRunner[Any]) -> None:
        def body() -> tuple[list[int], list[int]]:
            return (
                t.double.map([1, 2, 3]).result(),
                t.add.map([1, 2, 3], unmapped(10)).result(),
            )

        assert self.run(task_runner, body) == ([2, 4, 6], [11, 12, 13])

    def test_map_over_futures(self, task_runner: TaskRunner[Any]) -> None:
        def body() -> list[int]:
            return t.double.map(t.add.map([1, 2], [3, 4])).result()

        assert self.run(task_runner, body) == [8, 12]

    def test_many_mapped_runs(self, task_runner: TaskRunner[Any]) -> None:
        def body() -> tuple[list[int], int]:
            futures = t.double.map(list(range(50)))
            return futures.result(), len({f.task_run_id for f in futures})

        assert self.run(task_runner, body) == ([2 * i for i in range(50)], 50)

    # --- failures ---------------------------------------------------------------
    def test_exception_surfaces_from_result(self, task_runner: TaskRunner[Any]) -> None:
        def body() -> tuple[bool, Any]:
            future = t.fail.submit("boom")
            with pytest.raises(ValueError, match="boom"):
                future.result()
            return future.state.is_failed(), type(future.result(raise_on_failure=False))

        assert self.run(task_runner, body) == (True, ValueError)

    def test_failed_state_with_return_state(self, task_runner: TaskRunner[Any]) -> None:
        def body() -> tuple[Any, str]:
            state = t.fail.submit("boom", return_state=True)
            with pytest.raises(ValueError, match="boom"):
                state.result()
            return state.type, "flow continues"

        assert self.run(task_runner, body) == (StateType.FAILED, "flow continues")

    def test_failed_task_fails_the_flow_when_raised(self, task_runner: TaskRunner[Any]) -> None:
        def body() -> None:
            t.fail.submit("boom").result()

        state = flow(task_runner=task_runner)(body)(return_state=True)
        assert state.is_failed()
        with pytest.raises(ValueError, match="boom"):
            state.result()

    def test_allow_failure_passes_the_exception_downstream(
        self, task_runner: TaskRunner[Any]
    ) -> None:
        def body() -> str:
            return t.type_name.submit(allow_failure(t.fail.submit("boom"))).result()

        assert self.run(task_runner, body) == "ValueError"

    def test_retries_until_success(self, task_runner: TaskRunner[Any], tmp_path: Path) -> None:
        counter = str(tmp_path / "attempts")

        def body() -> tuple[int, bool]:
            future = t.flaky.submit(counter)
            return future.result(), future.state.is_completed()

        assert self.run(task_runner, body) == (3, True)
        assert Path(counter).read_text() == "3"

    def test_timeout_ends_timed_out_and_the_flow_continues(
        self, task_runner: TaskRunner[Any]
    ) -> None:
        def body() -> tuple[str, bool, int]:
            state = t.sleepy.submit(10, return_state=True)
            return state.name, state.is_failed(), t.add.submit(1, 1).result()

        started = time.monotonic()
        assert self.run(task_runner, body) == ("TimedOut", True, 2)
        assert time.monotonic() - started < 8, "the timed-out task kept the flow waiting"

    # --- hooks, logs ------------------------------------------------------------
    def test_on_completion_hook_runs(self, task_runner: TaskRunner[Any]) -> None:
        def body() -> tuple[int, str]:
            future = t.hooked.submit(7)
            return future.result(), future.task_run_id

        result, task_run_id = self.run(task_runner, body)
        marker = t.hook_marker(task_run_id)
        try:
            deadline = time.monotonic() + 5
            while not marker.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            assert result == 7
            assert marker.read_text().startswith("Completed")
        finally:
            marker.unlink(missing_ok=True)

    def test_log_prints_reach_the_run_logs(self, task_runner: TaskRunner[Any]) -> None:
        def body() -> str:
            return t.say.submit("hello from a conformance task").result()

        state, run_id, store = self.run_recorded(task_runner, body)
        assert state.result() == "hello from a conformance task"
        logs = store.read_logs(run_id)
        assert any("hello from a conformance task" in log["message"] for log in logs), logs

    def test_task_runs_are_recorded(self, task_runner: TaskRunner[Any]) -> None:
        def body() -> list[int]:
            return t.double.map([1, 2, 3]).result()

        state, run_id, store = self.run_recorded(task_runner, body)
        assert state.is_completed()
        runs = store.read_task_runs(flow_run_id=run_id)
        assert len(runs) == 3, runs
