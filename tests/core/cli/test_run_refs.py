"""Run ids as `ls` shows them and as `inspect` / `logs` accept them; --state checked."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from headwater import flow, get_run_logger, task
from headwater.cli.main import build_cli
from headwater.cli.run_refs import short_ids
from headwater.history import get_store


def _cli(*args: str):
    return CliRunner().invoke(build_cli(), list(args))


@task
def double(x: int) -> int:
    get_run_logger().info(f"doubling {x}")
    return 2 * x


@flow
def burst(i: int) -> int:
    return double(i)


@pytest.fixture
def many_runs():
    """30 flow runs of one task each, started one after another: all within about a
    second, so their ids share the leading (time) digits."""
    for i in range(30):
        burst(i)
    get_store().flush()
    return get_store().read_flow_runs(limit=-1)


def _id_column(output: str) -> list[str]:
    return [line.split()[0] for line in output.splitlines()[1:]]


def test_flow_run_ls_ids_are_unique_and_open_the_run(many_runs):
    result = _cli("flow-run", "ls", "--limit", "100")
    assert result.exit_code == 0, result.output
    shown = _id_column(result.output)
    assert len(shown) == 30 and len(set(shown)) == 30, result.output
    by_name = {run["name"]: run for run in many_runs}
    for line, short in zip(result.output.splitlines()[1:], shown, strict=True):
        run = by_name[line.split()[1]]
        assert run["id"].endswith(short)
        inspected = _cli("flow-run", "inspect", short, "-o", "json")
        assert inspected.exit_code == 0, inspected.output
        assert json.loads(inspected.output)["id"] == run["id"]
        logs = _cli("flow-run", "logs", short)
        assert logs.exit_code == 0 and f"Beginning flow run {run['name']!r}" in logs.output


def test_task_run_ls_ids_are_unique_and_open_the_run(many_runs):
    result = _cli("task-run", "ls", "--limit", "100")
    assert result.exit_code == 0, result.output
    shown = _id_column(result.output)
    assert len(shown) == 30 and len(set(shown)) == 30, result.output
    tasks = {run["id"]: run for run in get_store().read_task_runs()}
    for short in shown:
        (full,) = [run_id for run_id in tasks if run_id.endswith(short)]
        inspected = _cli("task-run", "inspect", short, "-o", "json")
        assert inspected.exit_code == 0, inspected.output
        assert json.loads(inspected.output)["id"] == full
        logs = _cli("task-run", "logs", short)
        assert logs.exit_code == 0 and "doubling" in logs.output, logs.output
    # a flow run's short id picks its task runs
    flow_short = _id_column(_cli("flow-run", "ls").output)[0]
    listed = json.loads(_cli("task-run", "ls", "--flow-run", flow_short, "-o", "json").output)
    assert len(listed) == 1 and listed[0]["flow_run_id"].endswith(flow_short)


def test_a_prefix_shared_by_several_runs_lists_them(many_runs):
    shared = many_runs[0]["id"][:8]  # the time digits: every run here has them
    assert all(run["id"].startswith(shared) for run in many_runs[1:])
    result = _cli("flow-run", "inspect", shared)
    assert result.exit_code == 1
    assert f"'{shared}' matches more than one flow run" in result.output
    assert many_runs[0]["id"] in result.output and many_runs[1]["id"] in result.output
    assert "... and more" in result.output and "full id" in result.output
    assert "Traceback" not in result.output
    assert _cli("task-run", "logs", shared).exit_code == 1


def test_run_names_are_accepted_wherever_an_id_is(many_runs):
    run = many_runs[3]
    same_name = [r for r in many_runs if r["name"] == run["name"]]
    if len(same_name) == 1:
        inspected = _cli("flow-run", "inspect", run["name"], "-o", "json")
        assert json.loads(inspected.output)["id"] == run["id"]
    (task_run,) = get_store().read_task_runs(flow_run_id=run["id"])
    shown = _cli("task-run", "inspect", task_run["name"])
    if shown.exit_code == 0:  # task names end in 3 hex digits: 30 of them may repeat one
        assert task_run["id"] in shown.output
    else:
        assert "matches more than one task run" in shown.output
    logs = _cli("task-run", "logs", task_run["id"])
    assert logs.exit_code == 0 and "doubling" in logs.output


def test_short_ids_grow_until_they_differ():
    ids = ["0198-aaa1-00000001", "0198-aaa2-00000001", "0199-bbbb-22222222"]
    assert short_ids(ids) == ["1-00000001", "2-00000001", "b-22222222"]
    assert short_ids(["x" * 4 + "12345678", "y" * 4 + "87654321"]) == ["12345678", "87654321"]
    assert short_ids([]) == []


@pytest.mark.parametrize("group", ["flow-run", "task-run"])
def test_unknown_state_is_rejected_with_the_valid_ones(group):
    result = _cli(group, "ls", "--state", "bogus")
    assert result.exit_code == 2
    assert "'bogus' is not a state" in result.output
    for name in ("Completed", "Failed", "TimedOut", "Crashed", "Cached", "Running"):
        assert name in result.output
    assert "No flow runs found" not in result.output


@pytest.mark.parametrize(
    "state", ["completed", "COMPLETED", "TimedOut", "timed_out", "Awaiting Retry"]
)
def test_valid_states_in_any_case_are_accepted(state):
    assert _cli("flow-run", "ls", "--state", state).exit_code == 0
    assert _cli("task-run", "ls", "--state", state).exit_code == 0
