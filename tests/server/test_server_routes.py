"""The read routes, in Prefect's paths and filter shapes, over runs another process recorded."""

from __future__ import annotations

from typing import Any

import httpx
import pytest


def flow_runs(api: httpx.Client, body: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    answer = api.post("/api/flow_runs/filter", json=body or {})
    assert answer.status_code == 200, answer.text
    runs: list[dict[str, Any]] = answer.json()
    return runs


def task_runs(api: httpx.Client, body: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    answer = api.post("/api/task_runs/filter", json=body or {})
    assert answer.status_code == 200, answer.text
    runs: list[dict[str, Any]] = answer.json()
    return runs


def logs(api: httpx.Client, body: dict[str, Any]) -> list[dict[str, Any]]:
    answer = api.post("/api/logs/filter", json=body)
    assert answer.status_code == 200, answer.text
    lines: list[dict[str, Any]] = answer.json()
    return lines


def test_health_and_version(api: httpx.Client) -> None:
    assert api.get("/api/health").json() is True
    version = api.get("/api/version")
    assert version.status_code == 200 and isinstance(version.json(), str) and version.json()


def test_openapi_documents_the_routes(api: httpx.Client) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    for path in (
        "/api/flow_runs/filter",
        "/api/flow_runs/{id}",
        "/api/task_runs/filter",
        "/api/task_runs/{id}",
        "/api/logs/filter",
        "/api/health",
        "/api/version",
    ):
        assert path in paths, path
    assert api.get("/docs").status_code == 200


def test_flow_runs_recorded_by_another_process_show_up(api: httpx.Client) -> None:
    runs = flow_runs(api)
    assert sorted(r["flow_name"] for r in runs) == ["broken", "etl", "etl"]
    failed = next(r for r in runs if r["flow_name"] == "broken")
    assert failed["state"]["type"] == "FAILED" and failed["state_name"] == "Failed"
    assert "boom" in failed["state"]["message"]
    etl = next(r for r in runs if r["flow_name"] == "etl" and r["parameters"] == {"n": 3})
    assert etl["state_type"] == "COMPLETED" and etl["start_time"].endswith("Z")
    assert etl["total_run_time"] >= 0 and etl["run_count"] == 1


def test_flow_run_filters(api: httpx.Client) -> None:
    def names(body: dict[str, Any]) -> list[str]:
        return sorted(r["flow_name"] for r in flow_runs(api, body))

    assert names({"flows": {"name": {"any_": ["etl"]}}}) == ["etl", "etl"]
    assert names({"flows": {"name": {"like_": "BROK"}}}) == ["broken"]
    assert names({"flow_runs": {"state": {"type": {"any_": ["FAILED"]}}}}) == ["broken"]
    assert names({"flow_runs": {"state": {"type": {"not_any_": ["FAILED"]}}}}) == ["etl", "etl"]
    assert names({"flow_runs": {"state": {"name": {"any_": ["Completed", "Failed"]}}}}) == [
        "broken",
        "etl",
        "etl",
    ]
    assert names({"flow_runs": {"tags": {"all_": ["nightly"]}}}) == ["etl"]
    assert names({"flow_runs": {"tags": {"is_null_": True}}}) == ["broken", "etl"]
    assert names({"flow_runs": {"start_time": {"after_": "2000-01-01T00:00:00Z"}}}) == [
        "broken",
        "etl",
        "etl",
    ]
    assert names({"flow_runs": {"start_time": {"before_": "2000-01-01T00:00:00Z"}}}) == []
    one = flow_runs(api)[0]
    assert [r["id"] for r in flow_runs(api, {"flow_runs": {"id": {"any_": [one["id"]]}}})] == [
        one["id"]
    ]
    assert flow_runs(api, {"flow_runs": {"name": {"any_": [one["name"]]}}})[0]["id"] == one["id"]


def test_flow_run_sort_limit_and_offset(api: httpx.Client) -> None:
    by_name = [r["name"] for r in flow_runs(api, {"sort": "NAME_ASC"})]
    assert by_name == sorted(by_name)
    assert [r["name"] for r in flow_runs(api, {"sort": "NAME_DESC"})] == by_name[::-1]
    by_id = [r["id"] for r in flow_runs(api)]  # Prefect's default: ID_DESC
    assert by_id == sorted(by_id, reverse=True)
    page = [r["name"] for r in flow_runs(api, {"sort": "NAME_ASC", "limit": 1, "offset": 1})]
    assert page == by_name[1:2]
    assert flow_runs(api, {"limit": 0}) == []
    starts = [r["start_time"] for r in flow_runs(api, {"sort": "START_TIME_ASC"})]
    assert starts == sorted(starts)


def test_read_one_flow_run_and_task_run(api: httpx.Client) -> None:
    run = flow_runs(api, {"flows": {"name": {"any_": ["broken"]}}})[0]
    assert api.get(f"/api/flow_runs/{run['id']}").json() == run
    task = task_runs(api, {"flow_runs": {"id": {"any_": [run["id"]]}}})[0]
    assert api.get(f"/api/task_runs/{task['id']}").json() == task
    assert task["flow_run_id"] == run["id"] and task["state_type"] == "FAILED"


def test_task_run_filters(api: httpx.Client) -> None:
    every = task_runs(api)
    assert len(every) == 6  # add x2, add x3, boom
    assert sorted(t["task_key"].split("-")[0] for t in every) == ["add"] * 5 + ["boom"]
    etl_runs = [r["id"] for r in flow_runs(api, {"flows": {"name": {"any_": ["etl"]}}})]
    by_parent = task_runs(api, {"task_runs": {"flow_run_id": {"any_": etl_runs}}})
    assert len(by_parent) == 5 and {t["flow_run_id"] for t in by_parent} == set(etl_runs)
    via_flow = task_runs(api, {"flows": {"name": {"any_": ["etl"]}}})
    assert {t["id"] for t in via_flow} == {t["id"] for t in by_parent}
    failed = task_runs(api, {"task_runs": {"state": {"type": {"any_": ["FAILED"]}}}})
    assert [t["name"].split("-")[0] for t in failed] == ["boom"]
    names = [t["name"] for t in task_runs(api, {"sort": "NAME_ASC", "limit": 3})]
    assert names == sorted(t["name"] for t in every)[:3]
    tagged = task_runs(api, {"flow_runs": {"tags": {"all_": ["nightly"]}}})
    assert len(tagged) == 2


def test_logs_of_a_flow_run_include_its_task_runs(api: httpx.Client) -> None:
    run = flow_runs(api, {"flows": {"name": {"any_": ["broken"]}}})[0]
    lines = logs(api, {"logs": {"flow_run_id": {"any_": [run["id"]]}}})
    messages = [line["message"] for line in lines]
    assert any("about to fail" in m for m in messages)
    assert [line["timestamp"] for line in lines] == sorted(line["timestamp"] for line in lines)
    assert all(line["flow_run_id"] == run["id"] for line in lines)
    warning = next(line for line in lines if "about to fail" in line["message"])
    assert warning["level"] == 30 and warning["task_run_id"]

    only_task = logs(api, {"logs": {"task_run_id": {"any_": [warning["task_run_id"]]}}})
    assert only_task and {line["task_run_id"] for line in only_task} == {warning["task_run_id"]}
    assert {line["flow_run_id"] for line in only_task} == {run["id"]}

    warnings = logs(api, {"logs": {"flow_run_id": {"any_": [run["id"]]}, "level": {"ge_": 30}}})
    assert warnings and all(line["level"] >= 30 for line in warnings)
    newest = logs(
        api, {"logs": {"flow_run_id": {"any_": [run["id"]]}}, "sort": "TIMESTAMP_DESC", "limit": 1}
    )
    assert newest == [lines[-1]]


@pytest.mark.parametrize("kind", ["flow_runs", "task_runs"])
def test_unknown_id_is_404_naming_it(api: httpx.Client, kind: str) -> None:
    missing = "01a21466-0000-7000-8000-000000000000"
    answer = api.get(f"/api/{kind}/{missing}")
    assert answer.status_code == 404
    assert missing in answer.json()["detail"] and "not found" in answer.json()["detail"]
    real = (flow_runs(api) if kind == "flow_runs" else task_runs(api))[0]["id"]
    assert api.get(f"/api/{kind}/{real[:8]}").status_code == 404  # a prefix is not an id


def test_counts_match_the_filters(api: httpx.Client) -> None:
    def count(kind: str, body: dict[str, Any]) -> int:
        answer = api.post(f"/api/{kind}/count", json=body)
        assert answer.status_code == 200, answer.text
        value: int = answer.json()
        return value

    assert count("flow_runs", {}) == 3
    assert count("flow_runs", {"flows": {"name": {"any_": ["etl"]}}}) == 2
    assert count("task_runs", {}) == 6
    assert count("task_runs", {"task_runs": {"state": {"type": {"any_": ["FAILED"]}}}}) == 1
    assert count("task_runs", {"flow_runs": {"tags": {"all_": ["nightly"]}}}) == 2
    assert api.post("/api/flow_runs/count", json={"flows": 3}).status_code == 422


def test_openapi_describes_the_response_fields(api: httpx.Client) -> None:
    schemas = api.get("/openapi.json").json()["components"]["schemas"]
    assert {"state", "flow_name", "start_time", "parameters"} <= set(
        schemas["FlowRun"]["properties"]
    )
    assert "task_inputs" in schemas["TaskRun"]["properties"]
    assert "FlowRunQuery" in schemas and "Log" in schemas


def test_task_run_pages_are_slices_of_the_whole_list(api: httpx.Client) -> None:
    # the default sort (newest first) lets the store stop early: same answer as slicing
    every = task_runs(api)
    assert every == sorted(every, key=lambda t: t["created"], reverse=True)
    for offset, limit in ((0, 1), (1, 2), (4, 5), (6, 3)):
        page = task_runs(api, {"offset": offset, "limit": limit})
        assert page == every[offset : offset + limit], (offset, limit)
    parents = list(dict.fromkeys(t["flow_run_id"] for t in every))
    for parent in parents:
        of_parent = [t for t in every if t["flow_run_id"] == parent]
        body = {"task_runs": {"flow_run_id": {"any_": [parent]}}, "offset": 1, "limit": 1}
        assert task_runs(api, body) == of_parent[1:2]
    both = {"task_runs": {"flow_run_id": {"any_": parents[:2]}}, "limit": 3}
    assert task_runs(api, both) == [t for t in every if t["flow_run_id"] in parents[:2]][:3]
