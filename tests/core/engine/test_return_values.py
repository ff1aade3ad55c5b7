"""What a run returned decides its final state only as Prefect's rule says
(prefect/states.py `return_value_to_state`, `is_state_iterable`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from headwater import flow, task
from headwater.exceptions import FailedRun, UpstreamTaskError
from headwater.states import Completed, Failed, State, StateType


@task
def fail() -> None:
    raise ValueError("boom")


@task
def one() -> int:
    return 1


def test_a_tuple_of_a_failed_state_and_data_is_data_and_the_flow_completes() -> None:
    @flow
    def mixed() -> tuple[Any, ...]:
        return (Failed(message="not me"), 42)

    state = mixed(return_state=True)
    assert state.is_completed()
    value = state.result()
    assert isinstance(value, tuple) and value[1] == 42 and value[0].is_failed()


def test_a_dict_of_states_is_data() -> None:
    @flow
    def as_dict() -> dict[str, Any]:
        return {"a": fail(return_state=True)}

    state = as_dict(return_state=True)
    assert state.is_completed() and state.result()["a"].is_failed()


def test_a_list_of_only_states_is_aggregated() -> None:
    @flow
    def states() -> list[State]:
        return [one(return_state=True), fail(return_state=True)]

    state = states(return_state=True)
    assert state.is_failed() and state.message == "1/2 states failed."
    with pytest.raises(ValueError, match="boom"):
        state.result()


def test_an_empty_list_is_data() -> None:
    @flow
    def empty() -> list[Any]:
        return []

    assert empty() == []


def test_a_list_of_futures_and_data_completes_with_results() -> None:
    @flow
    def futures_and_data() -> list[Any]:
        return [one.submit(), 5]

    assert futures_and_data() == [1, 5]


def test_a_task_returning_failed_makes_the_run_failed_and_the_call_returns_it() -> None:
    @task
    def decides() -> State:
        return Failed(message="decided")

    returned = decides()
    # as Prefect's task engine: the call hands back what the body returned, unraised
    assert isinstance(returned, State) and returned.is_failed()
    state = decides(return_state=True)
    assert state.is_failed() and state.message == "decided"
    with pytest.raises(FailedRun, match="decided"):
        state.result()


def test_a_task_returning_failed_is_retried() -> None:
    calls: list[int] = []

    @task(retries=2)
    def flaky() -> Any:
        calls.append(1)
        return Failed(message="again") if len(calls) < 3 else 3

    assert flaky() == 3 and len(calls) == 3


def test_a_submitted_task_returning_failed_fails_its_future_and_downstream() -> None:
    @task
    def decides() -> State:
        return Failed(message="decided")

    @flow
    def pipeline() -> dict[str, State]:
        upstream = decides.submit()
        downstream = one.submit(wait_for=[upstream])
        downstream.wait()
        return {"upstream": upstream.state, "downstream": downstream.state}

    states = pipeline()  # a dict of states is data: the flow completes
    upstream, downstream = states["upstream"], states["downstream"]
    assert upstream.is_failed()
    with pytest.raises(FailedRun):
        upstream.result()
    assert downstream.is_failed() and isinstance(downstream.data, UpstreamTaskError)


def test_a_task_returning_completed_completes_with_its_data() -> None:
    @task
    def decides() -> State:
        return Completed(data=7)

    state = decides(return_state=True)
    assert state.type is StateType.COMPLETED and state.result() == 7
    assert decides().is_completed()  # the call returns the State the body returned


def test_a_flow_returning_a_generator_completes_with_its_items() -> None:
    def numbers() -> Iterator[int]:
        yield from range(3)

    @flow
    def gives_generator() -> Iterator[int]:
        return numbers()

    state = gives_generator(return_state=True)
    assert state.is_completed() and state.result() == [0, 1, 2]
    assert gives_generator() == [0, 1, 2]
