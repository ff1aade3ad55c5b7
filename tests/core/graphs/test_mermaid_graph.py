"""flow.generate_mermaid_graph(): the task graph of calls, submit, map and wait_for, no run."""

from __future__ import annotations

import asyncio

import pytest
from headwater import flow, task, unmapped
from headwater.history import get_store


@task
def extract() -> list[int]:
    raise AssertionError("a task body must not run while drawing the graph")


@task
def double(x: int, factor: int = 2) -> int:
    raise AssertionError("not run")


@task(viz_return_value=[1, 2, 3])
def numbers() -> list[int]:
    raise AssertionError("not run")


@task
def total(values: list[int]) -> int:
    raise AssertionError("not run")


@task
def notify(message: str) -> None:
    raise AssertionError("not run")


def test_calls_submit_map_and_wait_for() -> None:
    @flow
    def pipeline(n: int) -> None:
        raw = extract()
        futures = double.map(numbers(), factor=unmapped(n))  # viz_return_value: 3 elements
        summed = total.submit(futures)
        notify.submit("done", wait_for=[summed, raw])

    text = pipeline.generate_mermaid_graph(10)
    assert text.splitlines() == [
        "flowchart TD",
        '    extract_0["extract-0"]',
        '    numbers_0["numbers-0"]',
        '    double_0["double-0"]',
        '    double_1["double-1"]',
        '    double_2["double-2"]',
        '    total_0["total-0"]',
        '    notify_0["notify-0"]',
        "    numbers_0 --> double_0",
        "    numbers_0 --> double_1",
        "    numbers_0 --> double_2",
        "    double_0 --> total_0",
        "    double_1 --> total_0",
        "    double_2 --> total_0",
        "    total_0 -.-> notify_0",
        "    extract_0 -.-> notify_0",
    ]
    get_store().flush()
    assert get_store().read_flow_runs() == []  # nothing was run or recorded


def test_map_over_an_unknown_length_is_one_node_and_subflows_are_nodes() -> None:
    @flow
    def child(x: object) -> None:
        raise AssertionError("not run")

    @flow
    def parent() -> None:
        raw = extract()  # no viz_return_value: a placeholder of unknown length
        mapped = double.map(raw)
        child(mapped)

    assert parent.generate_mermaid_graph().splitlines()[1:] == [
        '    extract_0["extract-0"]',
        '    double_0["double-0"]',
        '    child_0["child-0"]',
        "    extract_0 --> double_0",
        "    double_0 --> child_0",
    ]


def test_using_a_result_without_viz_return_value_says_how_to_fix() -> None:
    @flow
    def pipeline() -> int:
        return extract()[0] + 1  # the placeholder is not a list

    with pytest.raises(TypeError, match="viz_return_value"):
        pipeline.generate_mermaid_graph()


def test_async_flow_and_async_tasks() -> None:
    @task
    async def fetch(url: str) -> str:
        raise AssertionError("not run")

    @task
    async def parse(page: str) -> str:
        raise AssertionError("not run")

    @flow
    async def crawl() -> None:
        page = await fetch("https://example.test")
        await parse(page)

    expected = [
        "flowchart TD",
        '    fetch_0["fetch-0"]',
        '    parse_0["parse-0"]',
        "    fetch_0 --> parse_0",
    ]
    assert crawl.generate_mermaid_graph().splitlines() == expected
    assert asyncio.run(crawl.agenerate_mermaid_graph()).splitlines() == expected

    async def inside_a_loop() -> str:
        return crawl.generate_mermaid_graph()  # sync form from async code: still works

    assert asyncio.run(inside_a_loop()).splitlines() == expected


def test_tasks_run_normally_after_drawing() -> None:
    @task
    def inc(x: int) -> int:
        return x + 1

    @flow
    def pipeline() -> int:
        return inc(inc(1))

    assert "inc_0 --> inc_1" in pipeline.generate_mermaid_graph()
    assert pipeline() == 3
