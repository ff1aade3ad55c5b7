"""Generator flows, as Prefect's run_generator_flow_sync / _async (prefect/flow_engine.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from headwater import flow, task
from headwater.context import FlowRunContext
from headwater.history import get_store


@task
def double(x: int) -> int:
    return 2 * x


def _only_run(flow_name: str) -> dict[str, object]:
    store = get_store()
    store.flush()
    (run,) = store.read_flow_runs(flow_name=flow_name)
    return run


def test_a_generator_flow_yields_its_values_and_completes() -> None:
    @flow
    def counting(n: int) -> Iterator[int]:
        for i in range(n):
            yield double(i)

    values = counting(3)
    assert _only_run("counting")["state_type"] == "PENDING"  # starts on the first next()
    assert list(values) == [0, 2, 4]
    assert _only_run("counting")["state_type"] == "COMPLETED"
    store = get_store()
    assert len(store.read_task_runs(flow_run_id=_only_run("counting")["id"])) == 3


def test_the_caller_between_values_is_outside_the_flow_run() -> None:
    @flow
    def one_value() -> Iterator[int]:
        assert FlowRunContext.get() is not None
        yield 1

    for _ in one_value():
        assert FlowRunContext.get() is None


def test_stopping_early_completes_the_run() -> None:
    @flow
    def endless() -> Iterator[int]:
        i = 0
        while True:
            yield i
            i += 1

    for value in endless():
        if value == 2:
            break
    import gc

    gc.collect()
    assert _only_run("endless")["state_type"] == "COMPLETED"


def test_an_error_inside_fails_the_run_and_reaches_the_caller() -> None:
    @flow
    def broken() -> Iterator[int]:
        yield 1
        raise ValueError("bad row")

    got = []
    with pytest.raises(ValueError, match="bad row"):
        for value in broken():
            got.append(value)
    assert got == [1]
    assert _only_run("broken")["state_type"] == "FAILED"


def test_return_state_is_refused() -> None:
    @flow
    def gen() -> Iterator[int]:
        yield 1

    with pytest.raises(ValueError, match="generator"):
        gen(return_state=True)


def test_an_async_generator_flow_yields_its_values() -> None:
    @flow
    async def async_counting(n: int) -> AsyncIterator[int]:
        for i in range(n):
            yield i

    async def consume() -> list[int]:
        return [v async for v in async_counting(3)]

    assert asyncio.run(consume()) == [0, 1, 2]
    assert _only_run("async-counting")["state_type"] == "COMPLETED"
