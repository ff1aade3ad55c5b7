"""headwater.runtime: facts about the current run, None outside one."""

from __future__ import annotations

import pytest
from headwater import flow, tags, task
from headwater.runtime import deployment, flow_run, task_run


def test_values_inside_runs() -> None:
    @task(tags=["t"])
    def inside(x: int) -> dict[str, object]:
        return {
            "task_name": task_run.task_name,
            "task_params": task_run.parameters,
            "task_tags": task_run.tags,
            "task_run_count": task_run.run_count,
            "task_run_name": task_run.name,
            "flow_name": flow_run.flow_name,
        }

    @flow(flow_run_name="named-{n}")
    def outer(n: int) -> dict[str, object]:
        got = inside(n)
        got.update(
            flow_run_name=flow_run.name,
            flow_params=flow_run.parameters,
            flow_tags=flow_run.tags,
            flow_id=flow_run.id,
            root=flow_run.root_flow_run_id,
        )
        return got

    with tags("outer"):
        state = outer(3, return_state=True)
    got = state.result()
    assert got["flow_run_name"] == "named-3" and got["flow_name"] == "outer"
    assert got["flow_params"] == {"n": 3} and got["flow_tags"] == ["outer"]
    assert got["flow_id"] == got["root"] == state.state_details["flow_run_id"]
    assert got["task_name"] == "inside" and got["task_params"] == {"x": 3}
    assert got["task_tags"] == ["outer", "t"] and got["task_run_count"] == 1
    assert str(got["task_run_name"]).startswith("inside-")


def test_subflow_knows_its_parent() -> None:
    @flow
    def child() -> tuple[object, object]:
        return flow_run.parent_flow_run_id, flow_run.root_flow_run_id

    @flow
    def parent() -> tuple[object, object, object]:
        return (flow_run.id, *child())

    own, childs_parent, root = parent()
    assert childs_parent == own and root == own


def test_outside_runs_and_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    assert flow_run.id is None and flow_run.parameters == {} and task_run.name is None
    assert deployment.id is None
    monkeypatch.setenv("HEADWATER__RUNTIME__FLOW_RUN__NAME", "from-env")
    assert flow_run.name == "from-env"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        flow_run.nope  # noqa: B018
