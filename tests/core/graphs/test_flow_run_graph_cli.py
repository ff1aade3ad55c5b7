"""`headwater flow-run graph ID` prints a recorded run's task graph as Mermaid text."""

from __future__ import annotations

import re

from click.testing import CliRunner
from headwater import flow, task
from headwater.cli.main import build_cli
from headwater.history import get_store


@task
def source() -> int:
    return 1


@task
def square(x: int) -> int:
    return x * x


@task
def add(values: list[int]) -> int:
    return sum(values)


@task
def announce() -> str:
    return "done"


@flow(flow_run_name="graph-me")
def pipeline() -> int:
    one = source.submit()
    squares = square.map([one, 2])
    summed = add.submit(squares)
    announce.submit(wait_for=[summed]).wait()
    return summed.result()


def _graph(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_cli(), ["flow-run", "graph", *args])
    return result.exit_code, result.output


def test_graph_of_a_recorded_run_by_name_and_short_id() -> None:
    assert pipeline() == 5
    get_store().flush()
    code, text = _graph("graph-me")
    assert code == 0, text
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    nodes = dict(re.findall(r'^    (\w+)\["([^"]+)"\]$', text, re.MULTILINE))
    by_task = {label.split("-")[0]: [] for label in nodes.values()}
    for node_id, label in nodes.items():
        by_task[label.split("-")[0]].append(node_id)
        assert label.endswith(": Completed")
    assert {k: len(v) for k, v in by_task.items()} == {
        "source": 1,
        "square": 2,
        "add": 1,
        "announce": 1,
    }
    edges = set(re.findall(r"^    (\w+) (-->|-\.->) (\w+)$", text, re.MULTILINE))
    (src,), (summed,), (done,) = by_task["source"], by_task["add"], by_task["announce"]
    from_source = [e for e in edges if e[0] == src]
    assert len(from_source) == 1 and from_source[0][2] in by_task["square"]  # square(1) only
    expected = set(from_source) | {(sq, "-->", summed) for sq in by_task["square"]}
    expected.add((summed, "-.->", done))
    assert edges == expected

    run_id = get_store().read_flow_runs()[0]["id"]
    assert _graph(run_id[-8:]) == (0, text)


def test_unknown_run_is_a_clear_error() -> None:
    code, text = _graph("no-such-run")
    assert code == 1
    assert "No flow run found with id or name 'no-such-run'" in text
    assert "headwater flow-run ls" in text
