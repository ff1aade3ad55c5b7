"""Futures nested anywhere Prefect's visit_collection looks are resolved before the task
runs, and recorded as dependencies; quote() passes its value through untouched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import pydantic
import pytest
from headwater import flow, task
from headwater.annotations import allow_failure, opaque, quote
from headwater.futures import HeadwaterFuture

from .helpers import recorded_task_runs


@task
def number(n: int) -> int:
    return n


@task
def fail() -> None:
    raise ValueError("boom")


@task
def echo(x: Any) -> Any:
    return x


@dataclass
class Pair:
    left: Any
    right: Any


class Model(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(arbitrary_types_allowed=True)
    value: Any
    label: str = "m"


class Point(NamedTuple):
    x: Any
    y: Any


def test_futures_inside_dataclasses_models_and_collections_are_resolved() -> None:
    @flow
    def nested() -> Any:
        a, b, c, d = (number.submit(i) for i in range(1, 5))
        argument = {
            "pair": Pair(a, [b, (c,)]),
            "model": Model(value={"deep": d}),
            "point": Point(a, 0),
            "set": {b},
        }
        return echo(argument, return_state=True)

    state = nested(return_state=True)
    run_state = state.result()
    value = run_state.result()
    assert value["pair"] == Pair(1, [2, (3,)])
    assert isinstance(value["model"], Model) and value["model"].value == {"deep": 4}
    assert value["point"] == Point(1, 0) and isinstance(value["point"], Point)
    assert value["set"] == {2}
    echo_run = next(r for r in recorded_task_runs(state) if r["task_key"].startswith("echo"))
    assert len(echo_run["task_inputs"]["x"]) == 4  # every nested future is a dependency


def test_a_failed_future_nested_in_a_dataclass_stops_the_task() -> None:
    @flow
    def nested() -> Any:
        return {"state": echo(Pair(fail.submit(), 1), return_state=True)}

    run_state = nested()["state"]
    assert run_state.is_failed() and run_state.name == "NotReady"


def test_allow_failure_nested_passes_the_exception() -> None:
    @flow
    def nested() -> Any:
        return echo([allow_failure(fail.submit())])

    (exc,) = nested()
    assert isinstance(exc, ValueError)


def test_quote_passes_its_value_unwrapped_and_unsearched() -> None:
    @flow
    def quoted() -> Any:
        future = number.submit(1)
        future.wait()
        got = echo(quote([future]))
        return future, got

    future, got = quoted()
    assert isinstance(got, list) and got[0] is future  # not resolved, not wrapped


def test_opaque_resolves_a_future_but_not_inside_values() -> None:
    @task
    def first_is_a_future(x: list[Any]) -> bool:
        return isinstance(x[0], HeadwaterFuture)

    @flow
    def opaque_args() -> Any:
        future = number.submit(1)
        return echo(opaque(future)), first_is_a_future(opaque([future]))

    assert opaque_args() == (1, True)


def test_an_argument_without_futures_reaches_the_task_as_the_same_object() -> None:
    data = {"rows": [[1, 2], [3, 4]], "meta": Pair(1, 2)}

    @task
    def same(x: Any) -> bool:
        return x is data

    @flow
    def passes() -> bool:
        return same(data)

    assert passes() is True


def test_states_passed_as_arguments_are_resolved_like_futures() -> None:
    @flow
    def with_states() -> Any:
        ok = number(3, return_state=True)
        return echo([ok])

    assert with_states() == [3]


def test_a_self_referencing_list_does_not_recurse_forever() -> None:
    loop: list[Any] = [1]
    loop.append(loop)

    @flow
    def looping() -> Any:
        return echo(loop)

    assert looping() is loop


@pytest.mark.parametrize("wrapper", [list, tuple, set, frozenset])
def test_plain_collections_of_futures(wrapper: Any) -> None:
    @flow
    def collected() -> Any:
        return echo(wrapper([number.submit(5)]))

    assert collected() == wrapper([5])
