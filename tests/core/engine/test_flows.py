"""Flows: decoration, calling, parameters, subflows, the final state rule."""

from __future__ import annotations

import asyncio

import pytest
from headwater import flow, tags, task
from headwater.exceptions import InvalidNameError, ParameterTypeError, ReservedArgumentError
from headwater.states import Completed, Failed, State, StateType

from .helpers import recorded_flow_run, recorded_task_runs


@task
def add(x: int, y: int) -> int:
    return x + y


@task
def fail(message: str = "boom") -> None:
    raise ValueError(message)


def test_flow_returns_its_value_and_is_recorded_completed() -> None:
    @flow
    def adder(a: int, b: int = 2) -> int:
        return add(a, b)

    assert adder(1) == 3
    state = adder(5, b=5, return_state=True)
    assert state.is_completed() and state.result() == 10
    run = recorded_flow_run(state)
    assert run["flow_name"] == "adder"
    assert run["state_name"] == "Completed"
    assert run["parameters"] == {"a": 5, "b": 5}
    assert len(recorded_task_runs(state)) == 1


def test_default_name_uses_dashes_and_description_is_docstring() -> None:
    @flow
    def my_etl_flow() -> None:
        """Moves data."""

    assert my_etl_flow.name == "my-etl-flow"
    assert my_etl_flow.description == "Moves data."


@pytest.mark.parametrize("bad", ["a/b", "x%y", "a&b", "a>b", "a<b"])
def test_invalid_flow_names_are_rejected(bad: str) -> None:
    with pytest.raises(InvalidNameError, match="may not contain"):
        flow(name=bad)(lambda: None)


def test_name_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="must be a string"):
        flow(name=lambda: "x")


def test_reserved_parameter_names_are_rejected() -> None:
    with pytest.raises(ReservedArgumentError, match="return_state"):

        @flow
        def bad(return_state: bool) -> None: ...

    with pytest.raises(ReservedArgumentError, match="wait_for"):

        @task
        def bad_task(wait_for: list[int]) -> None: ...


def test_non_callable_is_rejected() -> None:
    with pytest.raises(TypeError, match="needs a function"):
        flow(42)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="needs a function"):
        task(42)  # type: ignore[call-overload]


def test_parameters_are_validated_and_coerced() -> None:
    @flow
    def typed(n: int, ratio: float = 1.0) -> tuple[int, float]:
        return n, ratio

    assert typed("5", ratio="0.5") == (5, 0.5)  # type: ignore[arg-type]
    with pytest.raises(ParameterTypeError, match="typed.*n"):
        typed("not a number")  # type: ignore[arg-type]


def test_validation_failure_is_recorded_as_a_failed_run() -> None:
    """As Prefect: the run exists and ends Failed (never left Pending or Running)."""

    @flow
    def typed(n: int) -> int:
        return n

    from headwater.history import get_store

    with pytest.raises(ParameterTypeError):
        typed("x")  # type: ignore[arg-type]
    get_store().flush()
    (run,) = get_store().read_flow_runs(flow_name="typed")
    assert run["state_type"] == "FAILED"


def test_validation_can_be_turned_off() -> None:
    @flow(validate_parameters=False)
    def loose(n: int) -> object:
        return n

    assert loose("5") == "5"  # type: ignore[arg-type]


def test_flow_fails_when_it_raises_and_reraises_on_call() -> None:
    @flow
    def broken() -> None:
        raise KeyError("missing")

    with pytest.raises(KeyError):
        broken()
    state = broken(return_state=True)
    assert state.is_failed()
    assert "KeyError" in (state.message or "")
    assert recorded_flow_run(state)["state_type"] == "FAILED"


def test_failed_task_not_returned_does_not_fail_the_flow() -> None:
    @flow
    def tolerant() -> str:
        fail.submit()
        fail(return_state=True)
        return "ok"

    state = tolerant(return_state=True)
    assert state.is_completed() and state.result() == "ok"
    names = sorted(r["state_name"] for r in recorded_task_runs(state))
    assert names == ["Failed", "Failed"]


def test_returned_failed_future_fails_the_flow() -> None:
    @flow
    def returns_failure():  # type: ignore[no-untyped-def]
        return fail.submit("bad input")

    state = returns_failure(return_state=True)
    assert state.is_failed()
    with pytest.raises(ValueError, match="bad input"):
        state.result()


def test_returned_futures_become_results_and_states_all_count() -> None:
    @flow
    def pair():  # type: ignore[no-untyped-def]
        return add.submit(1, 2), add.submit(3, 4)

    assert pair() == (3, 7)

    @flow
    def mixed():  # type: ignore[no-untyped-def]
        return add.submit(1, 1), fail.submit()

    state = mixed(return_state=True)
    assert state.is_failed() and state.message == "1/2 states failed."


def test_returning_a_state_sets_the_flow_state() -> None:
    @flow
    def explicit() -> State:
        return Failed(message="decided to fail")

    state = explicit(return_state=True)
    assert state.is_failed() and state.message == "decided to fail"

    @flow
    def explicit_ok() -> State:
        return Completed(message="fine", data=7)

    assert explicit_ok() == 7


def test_subflow_is_recorded_with_a_parent_task_run() -> None:
    @flow
    def child(x: int) -> int:
        return add(x, 1)

    @flow
    def parent() -> int:
        return child(1) + child(2)

    state = parent(return_state=True)
    assert state.result() == 5
    runs = recorded_task_runs(state)
    assert sorted(r["task_key"] for r in runs) == ["subflow:child", "subflow:child"]
    assert all(r["state_name"] == "Completed" for r in runs)
    from headwater.history import get_store

    children = get_store().read_flow_runs(flow_name="child")
    assert len(children) == 2
    assert {c["parent_task_run_id"] for c in children} == {r["id"] for r in runs}


def test_async_flow_and_async_tasks() -> None:
    @task
    async def double(x: int) -> int:
        await asyncio.sleep(0.01)
        return 2 * x

    @flow
    async def run_async(n: int) -> list[int]:
        first = await double(n)
        futures = double.map([1, 2, 3])
        return [first, *futures.result()]

    assert asyncio.run(run_async(5)) == [10, 2, 4, 6]


def test_async_task_called_from_a_sync_flow_runs_to_completion() -> None:
    @task
    async def triple(x: int) -> int:
        return 3 * x

    @flow
    def sync_flow() -> int:
        return triple(2)

    assert sync_flow() == 6


def test_flow_run_name_templates_and_callables() -> None:
    @flow(flow_run_name="run-{day}")
    def named(day: str) -> None: ...

    state = named("monday", return_state=True)
    assert recorded_flow_run(state)["name"] == "run-monday"

    @flow(flow_run_name=lambda: "fixed-name")
    def named2() -> None: ...

    assert recorded_flow_run(named2(return_state=True))["name"] == "fixed-name"


def test_default_run_names_are_adjective_animal() -> None:
    @flow
    def anon() -> None: ...

    name = recorded_flow_run(anon(return_state=True))["name"]
    assert len(name.split("-")) == 2 and all(part.isalpha() for part in name.split("-"))


def test_tags_context_applies_to_flow_and_task_runs() -> None:
    @task(tags=["own"])
    def tagged() -> None: ...

    @flow
    def tag_flow() -> None:
        with tags("inner"):
            tagged()

    with tags("outer"):
        state = tag_flow(return_state=True)
    assert recorded_flow_run(state)["tags"] == ["outer"]
    assert sorted(recorded_task_runs(state)[0]["tags"]) == ["inner", "outer", "own"]


def test_with_options_returns_a_configured_copy() -> None:
    @flow(retries=0)
    def base() -> None: ...

    copy = base.with_options(name="renamed", retries=2)
    assert copy.name == "renamed" and copy.retries == 2 and base.retries == 0
    with pytest.raises(TypeError, match="unexpected option"):
        base.with_options(bogus=1)


def test_flow_retries_rerun_the_body() -> None:
    attempts = []

    @flow(retries=2, retry_delay_seconds=0)
    def flaky() -> int:
        attempts.append(1)
        if len(attempts) < 3:
            raise RuntimeError("not yet")
        return len(attempts)

    state = flaky(return_state=True)
    assert state.result() == 3
    assert recorded_flow_run(state)["run_count"] == 3


def test_flow_retry_delay_must_be_a_number() -> None:
    with pytest.raises(TypeError, match="number"):
        flow(retry_delay_seconds=[1, 2])(lambda: None)  # type: ignore[arg-type]


def test_task_runner_by_name_and_unknown_name() -> None:
    from headwater.task_runners.thread import ThreadPoolTaskRunner

    assert isinstance(flow(task_runner="thread")(lambda: None).task_runner, ThreadPoolTaskRunner)
    with pytest.raises(ValueError, match="Unknown task runner 'nope'"):
        flow(task_runner="nope")(lambda: None)


def test_state_type_enum_values() -> None:
    assert StateType.COMPLETED.value == "COMPLETED"
    assert str(Completed()) == "Completed()"
    assert str(Failed(message="x")) == "Failed('x')"


def test_async_flow_retries_like_sync_flows() -> None:
    attempts: list[int] = []

    @flow(retries=1, retry_delay_seconds=0)
    async def flaky_async() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("first try fails")
        return len(attempts)

    state = asyncio.run(flaky_async(return_state=True))
    assert state.result() == 2
    assert recorded_flow_run(state)["run_count"] == 2
